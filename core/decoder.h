#pragma once

#include "core/event.h"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace eventlens {

struct DecoderOptions {
    size_t maxEventBytes = 16u * 1024 * 1024; ///< larger input is rejected
    unsigned maxDepth = 64;                   ///< deeper nesting is rejected, never recursed into
};

/// Why the decoder refused its input. `field` is empty for problems of the whole input
/// (not JSON, too big, bad UTF-8); `text()` gives the sentence users see, e.g.
/// `field 'timestamp': "yesterday" is not an RFC 3339 time`.
struct DecodeError {
    std::string field;
    std::string message;
    std::string text() const { return field.empty() ? message : "field '" + field + "': " + message; }
};

/// The reason given for input over the size limit, e.g. `event is 17000000 bytes, over
/// the limit of 16777216 bytes` (also used where such input is skipped before decoding).
std::string sizeLimitProblem(size_t bytes, const DecoderOptions &options);

/// Turns one JSON event (the EventLens contract or CloudEvents 1.0 structured JSON) into
/// a DecodedEvent, or says precisely why it cannot. Validates the whole document, but
/// never builds a DOM: the envelope is read with simdjson On-Demand and `data` is only
/// walked to check it is well formed. One Decoder per thread (it owns a simdjson parser).
class Decoder {
public:
    explicit Decoder(DecoderOptions options = {});
    ~Decoder();
    Decoder(const Decoder &) = delete;
    Decoder &operator=(const Decoder &) = delete;

    /// simdjson reads up to this many bytes past the end of the input; decode() is
    /// fastest when the caller's buffer has them (capacity >= size + kPadding).
    static constexpr size_t kPadding = 64;

    /// Decodes `bytes`. `capacity` is how many bytes from bytes.data() may be read
    /// (>= bytes.size()); with less than bytes.size() + kPadding the input is copied.
    /// On success returns true and fills `out` (its views point into `bytes`).
    bool decode(std::string_view bytes, size_t capacity, DecodedEvent &out, DecodeError &error);
    bool decode(std::string_view bytes, DecodedEvent &out, DecodeError &error)
    {
        return decode(bytes, bytes.size(), out, error);
    }

    const DecoderOptions &options() const { return m_options; }

private:
    struct Impl;
    DecoderOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

} // namespace eventlens
