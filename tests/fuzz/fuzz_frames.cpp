// libFuzzer target: a ZeroMQ message's frames as a source receives them. The input is split
// into frames at each 0x1E byte (ASCII record separator, which JSON cannot hold unescaped);
// classifyFrames reads the shape, and what is an event goes through the decoder the way the
// ingest does it (the topic frame wins), what is not becomes a RejectedFrame with a reason.
#include "core/decoder.h"
#include "core/zmqsource.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static eventlens::Decoder decoder;
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    std::vector<std::string_view> frames;
    for (size_t start = 0;;) {
        const size_t end = input.find('\x1e', start);
        frames.push_back(input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    const eventlens::ReceivedMessage m = eventlens::classifyFrames(frames, "tcp://127.0.0.1:5556", 1);
    if (m.frames.size() != frames.size())
        std::abort();
    std::string reason = m.problem;
    if (reason.empty()) {
        eventlens::DecodedEvent e;
        eventlens::DecodeError error;
        if (decoder.decode(m.payload, e, error)) {
            if (!m.topic.empty())
                e.topic = m.topic;
            return 0;
        }
        reason = error.text();
    }
    const eventlens::RejectedFrame r = eventlens::RejectedFrame::of(m, reason);
    if (r.reason.empty() || r.bytes != size + 1 - frames.size() || r.frames.size() != frames.size())
        std::abort(); // kept with a reason and all its frames
    return 0;
}
