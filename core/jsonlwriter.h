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
        Interval,   ///< at most every `interval` (default): cheap, loses at most that much
        Manual,     ///< only on flush() and close()
    };
    struct Options {
        Flush flush = Flush::Interval;
        std::chrono::milliseconds interval{200};
        bool append = true; ///< false truncates an existing file
    };

    JsonlWriter();
    explicit JsonlWriter(Options options);
    ~JsonlWriter(); ///< flushes and closes
    JsonlWriter(const JsonlWriter &) = delete;
    JsonlWriter &operator=(const JsonlWriter &) = delete;

    /// Opens (creating) `path`. On failure returns false with a one-line `error()`.
    bool open(const std::string &path);
    /// Appends one event. `eventBytes` is the event's JSON as received (an object);
    /// a recorder member already in it (as last member) is replaced, never repeated.
    bool write(std::string_view eventJson, int64_t receivedNs, std::string_view topic = {});
    /// Appends a decoded event, keeping its bytes as received.
    bool write(const DecodedEvent &event);
    bool flush();
    /// With Flush::Interval: flushes when the interval has passed since the last flush.
    /// Callers whose events may stop coming call it now and then, so nothing waits long.
    bool flushIfDue();
    bool close();

    bool isOpen() const { return m_fd >= 0; }
    uint64_t eventsWritten() const { return m_events; }
    const std::string &path() const { return m_path; }
    const std::string &error() const { return m_error; }
    /// Set by open() when it had to start a new line after a torn one.
    const std::string &notice() const { return m_notice; }

private:
    bool writeLine(std::string_view prefix, int64_t receivedNs, std::string_view topic);

    Options m_options;
    int m_fd = -1;
    std::string m_path;
    std::string m_buffer;
    std::string m_scratch; ///< an event with our member cut out of its middle
    std::string m_error;
    std::string m_notice;
    uint64_t m_events = 0;
    std::chrono::steady_clock::time_point m_lastFlush;
};

} // namespace eventlens
