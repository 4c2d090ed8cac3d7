#pragma once

#include "core/decoder.h"
#include "core/jsonlwriter.h"

#include <cstdint>
#include <string>

namespace eventlens {

struct ReceivedMessage;

/// Records live messages to a recording: events as received (with the `_eventlens`
/// receive member) to `path`, and everything that is not an event — a wrong frame shape,
/// bad JSON, a contract violation — to `path.rejected.jsonl` with its endpoint, reason
/// and every frame, so nothing is lost. The rejects file is only created when needed.
///
/// Every event line is one the reader accepts with the same decoder limits (see
/// JsonlWriter::Options::maxLineBytes). A rejected frame is kept exactly: a JSON string
/// when it is valid UTF-8, else `{"base64":"…"}`. The rejects file is bounded by
/// RejectLimits; what would exceed them is not written but counted (rejectsNotWritten()).
/// Once a write fails (a full disk) the recorder has failed(): it writes nothing more.
/// Owned by the thread that receives (a source's or the bus's).
class LiveRecorder {
public:
    struct RejectLimits {
        uint64_t lines = 100'000;    ///< rejected messages written at most
        uint64_t bytes = 256u << 20; ///< bytes of the rejects file at most
    };

    explicit LiveRecorder(DecoderOptions decoder = {});
    LiveRecorder(DecoderOptions decoder, RejectLimits limits);

    /// False with error() when the recording cannot be opened.
    bool open(const std::string &path);
    /// Records one message; false only when writing failed (see error()).
    bool take(const ReceivedMessage &message);
    /// Records an event decoded elsewhere (its receivedNs and topic set).
    bool record(const DecodedEvent &event);
    /// Records a message that is not an event, with the reason.
    bool reject(const ReceivedMessage &message, const std::string &reason);
    /// Writes out what the writers buffer (they flush on their own only when they write).
    bool flush();
    /// Flushes when the writers' interval has passed: for a quiet moment on the receiving thread.
    bool flushIfDue();
    bool close();

    uint64_t accepted() const { return m_accepted; }
    uint64_t rejected() const { return m_rejected; } ///< rejected messages taken, written or not
    /// Rejected messages over RejectLimits, not written, and their frames' bytes.
    uint64_t rejectsNotWritten() const { return m_rejectsNotWritten; }
    uint64_t rejectBytesNotWritten() const { return m_rejectBytesNotWritten; }
    /// Events in the file: accepted() less those lost when writing failed.
    uint64_t eventsWritten() const { return m_events.eventsWritten(); }
    /// Events taken that are not in the file because writing failed.
    uint64_t eventsLost() const { return m_events.eventsLost(); }
    bool failed() const { return m_events.hasFailed() || m_rejects.hasFailed(); }
    std::string rejectsPath() const { return m_events.path() + ".rejected.jsonl"; }
    const std::string &error() const { return m_error; }
    const std::string &notice() const { return m_events.notice(); } ///< e.g. a torn last line

private:
    Decoder m_decoder;
    DecodedEvent m_event;
    DecodeError m_decodeError;
    RejectLimits m_limits;
    JsonlWriter m_events, m_rejects;
    uint64_t m_accepted = 0, m_rejected = 0;
    uint64_t m_rejectsWritten = 0, m_rejectBytes = 0, m_rejectsNotWritten = 0, m_rejectBytesNotWritten = 0;
    std::string m_error;
};

} // namespace eventlens
