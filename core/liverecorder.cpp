#include "core/liverecorder.h"

#include "core/zmqsource.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace eventlens {

namespace {

JsonlWriter::Options eventWriterOptions(const DecoderOptions &decoder)
{
    JsonlWriter::Options o;
    o.maxLineBytes = decoder.maxEventBytes; // what the reader refuses with the same limits
    return o;
}

std::string base64(std::string_view bytes)
{
    static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t v =
            uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 | uint8_t(bytes[i + 2]);
        out += {kDigits[v >> 18], kDigits[v >> 12 & 63], kDigits[v >> 6 & 63], kDigits[v & 63]};
    }
    if (const size_t rest = bytes.size() - i) {
        const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | (rest == 2 ? uint32_t(uint8_t(bytes[i + 1])) << 8 : 0);
        out += {kDigits[v >> 18], kDigits[v >> 12 & 63], rest == 2 ? kDigits[v >> 6 & 63] : '=', '='};
    }
    return out;
}

} // namespace

LiveRecorder::LiveRecorder(DecoderOptions decoder) : LiveRecorder(decoder, RejectLimits{})
{ }

LiveRecorder::LiveRecorder(DecoderOptions decoder, RejectLimits limits)
    : m_decoder(decoder), m_limits(limits), m_events(eventWriterOptions(decoder))
{ }

bool LiveRecorder::open(const std::string &path)
{
    if (!m_events.open(path)) {
        m_error = m_events.error();
        return false;
    }
    return true;
}

bool LiveRecorder::take(const ReceivedMessage &m)
{
    if (!m.problem.empty())
        return reject(m, m.problem);
    if (!m_decoder.decode(m.payload, m_event, m_decodeError))
        return reject(m, m_decodeError.text());
    m_event.receivedNs = m.receivedNs;
    m_event.topic = m.topic;
    return record(m_event);
}

bool LiveRecorder::record(const DecodedEvent &event)
{
    if (!m_events.write(event)) {
        m_error = m_events.error();
        return false;
    }
    ++m_accepted;
    return true;
}

bool LiveRecorder::reject(const ReceivedMessage &m, const std::string &reason)
{
    ++m_rejected;
    // Bounded: a flood of rejects (or one giant frame) must not fill the disk. Judged
    // before any copy of the frames is made.
    uint64_t frameBytes = 0;
    for (std::string_view f : m.frames)
        frameBytes += f.size();
    const uint64_t estimate = frameBytes / 3 * 4 + 8 * m.frames.size() + reason.size() + m.endpoint.size()
                              + std::min<size_t>(m.topic.size(), JsonlWriter::kMaxTopicBytes) + 128;
    if (m_rejectsWritten >= m_limits.lines || m_rejectBytes + estimate > m_limits.bytes) {
        ++m_rejectsNotWritten;
        m_rejectBytesNotWritten += frameBytes;
        return true;
    }
    if (!m_rejects.isOpen() && !m_rejects.open(rejectsPath())) {
        m_error = m_rejects.error();
        return false;
    }
    // The writer adds receivedAt and topic in its own member, as on event lines; going
    // through it gives the same line discipline, flush policy and torn-line care.
    // Frames are kept exactly: a string when valid UTF-8, else base64.
    nlohmann::ordered_json line = {{"endpoint", std::string(m.endpoint)}, {"reason", reason}, {"frames", {}}};
    line["frames"] = nlohmann::ordered_json::array();
    for (std::string_view f : m.frames) {
        if (simdjson::validate_utf8(f.data(), f.size()))
            line["frames"].push_back(std::string(f));
        else
            line["frames"].push_back({{"base64", base64(f)}});
    }
    const std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    m_rejectBytes += text.size() + 64;
    ++m_rejectsWritten;
    if (!m_rejects.write(text, m.receivedNs, m.topic)) {
        m_error = m_rejects.error();
        return false;
    }
    return true;
}

bool LiveRecorder::flush()
{
    for (JsonlWriter *w : {&m_events, &m_rejects})
        if (w->isOpen() && !w->flush()) {
            m_error = w->error();
            return false;
        }
    return true;
}

bool LiveRecorder::flushIfDue()
{
    for (JsonlWriter *w : {&m_events, &m_rejects})
        if (w->isOpen() && !w->flushIfDue()) {
            m_error = w->error();
            return false;
        }
    return true;
}

bool LiveRecorder::close()
{
    const bool events = m_events.close();
    if (!events)
        m_error = m_events.error();
    const bool rejects = m_rejects.close();
    if (!rejects && m_error.empty())
        m_error = m_rejects.error();
    return events && rejects;
}

} // namespace eventlens
