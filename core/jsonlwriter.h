#pragma once

#include "core/event.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace eventlens {

/// Writes a recording: JSON Lines, one event per line exactly as received, with the
/// receive time and topic added in one reserved top-level member (kRecorderMember), so
/// `jq` and `grep` keep working on the file.
///
/// Appending to a file whose last line is torn (a crash mid-write) starts on a new line
/// and says so in notice(): a record is never fused onto a partial one.
/// Owned by one thread (the recording session's).
class JsonlWriter {
public:
    enum class Flush {
        EveryEvent, ///< write(2) after each event: a crash loses nothing already written
        Interval,   ///< an event waits at most `interval` (default): cheap, a crash loses at most that much
        Manual,     ///< only on flush() and close()
    };
    struct Options {
        Flush flush = Flush::Interval;
        std::chrono::milliseconds interval{200};
        bool append = true; ///< false truncates an existing file
        /// A line longer than this is one the reader refuses (its maxEventBytes): the
        /// recorder member then leaves out the topic, and if that is not enough, is left
        /// out itself, so every line written is one the reader accepts. 0: no limit.
        size_t maxLineBytes = 0;
    };
    /// A topic longer than this is recorded cut (at a UTF-8 boundary) with
    /// `"topicTruncated":true` and its size in `topicBytes`.
    static constexpr size_t kMaxTopicBytes = 1024;
    /// What the writer buffers before it writes, whatever the flush policy.
    static constexpr size_t kMaxBufferBytes = 1u << 20;

    JsonlWriter();
    explicit JsonlWriter(Options options);
    ~JsonlWriter(); ///< flushes and closes
    JsonlWriter(const JsonlWriter &) = delete;
    JsonlWriter &operator=(const JsonlWriter &) = delete;

    /// Opens (creating) `path`. On failure returns false with a one-line `error()`.
    /// Once a write fails (a full disk), the writer has failed: it drops what it buffered
    /// and refuses every further event (counted in eventsLost()) until it is opened again,
    /// so its memory stays bounded and the caller hears at once.
    bool open(const std::string &path);
    /// Appends one event. `eventBytes` is the event's JSON as received (an object);
    /// a recorder member already in it (as last member) is replaced, never repeated.
    bool write(std::string_view eventJson, int64_t receivedNs, std::string_view topic = {});
    /// Appends a decoded event, keeping its bytes as received.
    bool write(const DecodedEvent &event);
    bool flush();
    /// With Flush::Interval: flushes once the oldest buffered event has waited half the
    /// interval. Callers whose events may stop coming call it at least every half
    /// interval (the sources' quiet tick, 100 ms), so no event waits longer than the
    /// interval to be written: `kill -9` loses at most that.
    bool flushIfDue();
    bool close();

    bool isOpen() const { return m_fd >= 0; }
    bool hasFailed() const { return m_failed; }
    /// Events taken by write(); those lost after a failure are in eventsLost().
    uint64_t eventsWritten() const { return m_events; }
    /// Events buffered when writing failed, and events refused after.
    uint64_t eventsLost() const { return m_lost; }
    const std::string &path() const { return m_path; }
    const std::string &error() const { return m_error; }
    /// Set by open() when it had to start a new line after a torn one.
    const std::string &notice() const { return m_notice; }

private:
    bool writeLine(std::string_view prefix, int64_t receivedNs, std::string_view topic);
    bool fail(int error);

    Options m_options;
    int m_fd = -1;
    std::string m_path;
    std::string m_buffer;
    std::string m_scratch; ///< an event with our member cut out of its middle
    std::string m_error;
    std::string m_notice;
    uint64_t m_events = 0;
    uint64_t m_lost = 0;
    bool m_failed = false;
    std::chrono::steady_clock::time_point m_pendingSince; ///< when the oldest buffered event came
};

} // namespace eventlens
