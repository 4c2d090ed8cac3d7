// libFuzzer target: the decoder on arbitrary bytes, as a live message or a recording's line
// reaches it, with and without the padding simdjson may read past the end. An accepted
// event's views are read back (ASan catches one that points outside its bytes).
#include "core/decoder.h"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

volatile size_t sink; // keeps the reads of readBack()

void readBack(const eventlens::DecodedEvent &e)
{
    size_t sum = 0;
    for (std::string_view v : {e.raw, e.eventId, e.eventType, e.source, e.correlationId, e.causationId, e.topic})
        for (char c : v)
            sum += static_cast<unsigned char>(c);
    if (e.eventLength > e.raw.size() || e.eventId.empty() || e.eventType.empty() || e.source.empty())
        std::abort(); // an accepted event always has these (the contract)
    sink = sink + sum;
}

void decode(eventlens::Decoder &decoder, std::string_view bytes, size_t capacity)
{
    eventlens::DecodedEvent event;
    eventlens::DecodeError error;
    if (decoder.decode(bytes, capacity, event, error))
        readBack(event);
    else if (error.text().empty())
        std::abort(); // a refusal always says why
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static eventlens::Decoder decoder; // one per thread, as in the ingest
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    decode(decoder, bytes, bytes.size()); // no padding: the decoder copies
    std::string padded(bytes);
    padded.resize(size + eventlens::Decoder::kPadding, '\0');
    decode(decoder, std::string_view(padded.data(), size), padded.size());
    return 0;
}
