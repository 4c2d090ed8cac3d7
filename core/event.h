#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace eventlens {

/// Facts about an event that the decoder and the store note as they go. Bit flags.
enum EventFlag : uint16_t {
    NoCorrelation = 1u << 0,  ///< correlationId missing (accepted, flagged)
    RootEvent = 1u << 1,      ///< no causationId: the start of a flow
    DefaultVersion = 1u << 2, ///< eventVersion missing, taken as 1
    CloudEvent = 1u << 3,     ///< came in as CloudEvents 1.0 structured JSON
    Duplicate = 1u << 4,      ///< eventId seen before (set by the store)
    Redelivery = 1u << 5,     ///< duplicate with identical bytes
    IdCollision = 1u << 6,    ///< duplicate id, different content
};

constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

/// One event as the decoder accepted it. The string views point into the bytes the
/// decoder was given (so the store can keep them without copying), except for strings
/// that held JSON escapes: those point into `unescaped`, owned by this object.
struct DecodedEvent {
    std::string_view raw;   ///< the whole input, as received
    size_t eventLength = 0; ///< bytes of `raw` that are the event itself, without the
                            ///< recorder's reserved member (used to tell redeliveries)
    std::string_view eventId;
    std::string_view eventType;
    std::string_view source;
    std::string_view correlationId; ///< empty when missing
    std::string_view causationId;   ///< empty when missing (a root)
    std::string_view topic;         ///< from the recorder's member or the transport; may be empty
    int64_t timestampNs = 0;        ///< UTC nanoseconds since the epoch
    int64_t receivedNs = kNoTime;   ///< receive time, when known
    uint32_t version = 1;
    uint16_t flags = 0;
    std::string unescaped; ///< backing store for strings that held escapes (rare)

    // Views may point into `unescaped`: a copy would leave them pointing into the original.
    // Moving is safe because the decoder reserves `unescaped` on the heap before using it.
    DecodedEvent() = default;
    DecodedEvent(const DecodedEvent &) = delete;
    DecodedEvent &operator=(const DecodedEvent &) = delete;
    DecodedEvent(DecodedEvent &&) noexcept = default;
    DecodedEvent &operator=(DecodedEvent &&) noexcept = default;
};

/// The name of the one top-level member a recording adds to each event line.
inline constexpr std::string_view kRecorderMember = "_eventlens";

} // namespace eventlens
