#include "core/liverecorder.h"

#include "core/zmqsource.h"

#include <nlohmann/json.hpp>

namespace eventlens {

LiveRecorder::LiveRecorder(DecoderOptions decoder) : m_decoder(decoder)
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
    if (!m_rejects.isOpen() && !m_rejects.open(rejectsPath())) {
        m_error = m_rejects.error();
        return false;
    }
    // The writer adds receivedAt and topic in its own member, as on event lines; going
    // through it gives the same line discipline, flush policy and torn-line care.
    nlohmann::ordered_json line = {{"endpoint", std::string(m.endpoint)}, {"reason", reason}, {"frames", {}}};
    line["frames"] = nlohmann::ordered_json::array();
    for (std::string_view f : m.frames)
        line["frames"].push_back(std::string(f));
    if (!m_rejects.write(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), m.receivedNs,
                         m.topic)) {
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
