#pragma once

#include "core/event.h"

#include <cstdint>
#include <string>
#include <vector>

namespace eventlens {

/// Input that did not become an event — a bad line of a recording or a malformed ZeroMQ
/// message — kept with its bytes, where it came from and why, so a person can see it.
/// The app's workspace keeps these beside the store; the table shows them as rows among
/// the events (at `beforeEvent`), the Problems pane lists them, the details pane shows
/// their bytes.
struct RejectedInput {
    std::string origin;              ///< the file path, or the endpoint ("bus" for the embedded bus)
    uint64_t line = 0;               ///< line number in the file; 0 when live
    std::string topic;               ///< the topic frame of a `[topic, json]` message; may be empty
    std::string reason;              ///< e.g. `field 'timestamp': "yesterday" is not an RFC 3339 time`
    std::vector<std::string> frames; ///< the bytes as received (a file line is one frame), each cut at 64 KiB
    size_t bytes = 0;                ///< all bytes as received, before cutting
    uint32_t beforeEvent = 0;        ///< store index of the first event that arrived after it
    int64_t receivedNs = kNoTime;    ///< when it arrived (live), else kNoTime

    /// Where to look, for people: `orders.jsonl line 12`, or the endpoint.
    std::string where() const
    {
        if (line == 0)
            return origin;
        const auto slash = origin.find_last_of('/');
        return (slash == std::string::npos ? origin : origin.substr(slash + 1)) + " line " + std::to_string(line);
    }
};

} // namespace eventlens
