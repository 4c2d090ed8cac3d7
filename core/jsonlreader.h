#pragma once

#include "core/decoder.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace eventlens {

class EventStore;

/// A line of a recording that was not loaded, and why.
struct RejectedLine {
    uint64_t line = 0;
    std::string reason; ///< e.g. `field 'timestamp': "yesterday" is not an RFC 3339 time`
    std::string bytes;  ///< the line as read (at most kKeptBytes of it)
    static constexpr size_t kKeptBytes = 64 * 1024;
};

/// What loading one recording found.
struct RecordingReport {
    std::string path;
    uint64_t lines = 0;    ///< lines read, blank and torn ones included
    uint64_t accepted = 0; ///< events appended to the store (duplicates included)
    uint64_t bytes = 0;
    std::vector<RejectedLine> rejected;
    /// The file does not end in a newline and its last line is not a whole event: the
    /// writer was interrupted. Reported apart from corrupt lines; the line is not loaded.
    bool truncatedTail = false;
    RejectedLine tail; ///< the torn line, when truncatedTail
    bool cancelled = false;
};

/// Reads JSON Lines recordings into an EventStore.
///
/// A reader thread reads the file in large blocks and cuts them into runs of whole lines,
/// two more threads decode those with simdjson, and the calling thread appends them to the
/// store in file order (it is the store's single writer). Block buffers are handed to the
/// store whole, so event bytes are never copied. Every bad line is reported by number and
/// reason and the rest still load; a UTF-8 BOM at the start and CRLF line ends are
/// accepted; a line longer than the event size limit is skipped without being held in
/// memory.
class JsonlReader {
public:
    struct Options {
        DecoderOptions decoder;
        size_t blockSize = 8u * 1024 * 1024; ///< bytes read at a time (at least 64); a longer line grows its block
        bool parallel = true;                ///< read and decode on other threads
        /// Called on the calling thread after each block with (bytes done, file size);
        /// return false to cancel.
        std::function<bool(uint64_t, uint64_t)> progress;
    };

    JsonlReader();
    explicit JsonlReader(Options options);

    /// Loads `path` into `store`. Returns false, with `error` set to a one-line message,
    /// when the file cannot be opened or read; bad lines are not errors (see the report).
    bool load(const std::string &path, EventStore &store, RecordingReport &report, std::string &error);

private:
    Options m_options;
};

} // namespace eventlens
