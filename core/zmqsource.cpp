#include "core/zmqsource.h"

#include "core/rfc3339.h"
#include "core/threadpriority.h"

#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>

namespace eventlens {

namespace {

std::atomic<int> g_instances{0};

} // namespace

RejectedFrame RejectedFrame::of(const ReceivedMessage &m, std::string reason)
{
    RejectedFrame r;
    r.receivedNs = m.receivedNs;
    r.origin = m.endpoint;
    r.topic = m.topic;
    r.reason = std::move(reason);
    r.frames.reserve(m.frames.size());
    for (std::string_view f : m.frames) {
        r.bytes += f.size();
        r.frames.emplace_back(f.substr(0, kKeptBytes));
    }
    return r;
}

ReceivedMessage classifyFrames(std::span<const std::string_view> frames, std::string_view endpoint, int64_t receivedNs)
{
    ReceivedMessage m;
    m.frames = frames;
    m.endpoint = endpoint;
    m.receivedNs = receivedNs;
    if (frames.size() == 1) {
        m.payload = frames[0];
        if (m.payload.empty())
            m.problem = "empty message";
    } else if (frames.size() == 2) {
        m.topic = frames[0];
        m.payload = frames[1];
        if (m.topic.size() > kMaxTopicBytes) {
            m.problem = "topic of " + std::to_string(m.topic.size()) + " bytes is over the limit of "
                        + std::to_string(kMaxTopicBytes) + " bytes (it starts '" + std::string(m.topic.substr(0, 80))
                        + "')";
            m.topic = m.topic.substr(0, kMaxTopicBytes);
        } else if (m.payload.empty())
            m.problem = "empty payload after topic '" + std::string(m.topic.substr(0, 80)) + "'";
    } else {
        m.problem = std::to_string(frames.size()) + " frames; expected [topic, json] or [json]";
    }
    return m;
}

const char *ZmqSource::stateName(State state)
{
    switch (state) {
    case State::Connecting:
        return "connecting";
    case State::Connected:
        return "connected";
    case State::Disconnected:
        return "disconnected";
    case State::Retrying:
        return "retrying";
    case State::Listening:
        return "listening";
    case State::Failed:
        return "failed";
    }
    return "?";
}

ZmqSource::ZmqSource(zmq::context_t &context, Sink sink) : m_context(context), m_sink(std::move(sink))
{ }

ZmqSource::~ZmqSource()
{
    stop();
}

void ZmqSource::start(std::vector<Endpoint> endpoints)
{
    if (isRunning())
        return;
    if (!m_curve.serverKey.secretKey.empty() && curveAvailable())
        m_zap = ZapHandler::of(m_context);
    if (m_curve.clientKey.secretKey.empty() && curveAvailable())
        m_curve.clientKey = generateCurveKeyPair(); // for a server key given later; not allow-listed anywhere
    const std::string control = "inproc://eventlens-source-control-" + std::to_string(g_instances++);
    m_control = std::make_unique<zmq::socket_t>(m_context, zmq::socket_type::pair);
    m_control->set(zmq::sockopt::linger, 0);
    m_control->bind(control);
    m_thread = std::thread([this, control, endpoints = std::move(endpoints)]() mutable {
        lowerThisThreadToBackground();
        run(control, std::move(endpoints));
    });
}

void ZmqSource::stop()
{
    if (!isRunning())
        return;
    sendControl({"stop"});
    m_thread.join();
    m_control.reset();
}

void ZmqSource::addEndpoint(const Endpoint &endpoint)
{
    std::vector<std::string> command{"add", endpoint.bind ? "bind" : "connect", endpoint.address, endpoint.serverKey};
    command.insert(command.end(), endpoint.topics.begin(), endpoint.topics.end());
    sendControl(command);
}

void ZmqSource::removeEndpoint(const std::string &address)
{
    sendControl({"remove", address});
}

void ZmqSource::sendControl(const std::vector<std::string> &command)
{
    // One frame per part, so a topic may hold any byte (a newline, say).
    if (!m_control)
        return;
    for (size_t i = 0; i < command.size(); ++i)
        m_control->send(zmq::buffer(command[i]),
                        i + 1 < command.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
}

ZapHandler::Stats ZmqSource::curveStats() const
{
    ZapHandler::Stats total;
    if (!m_zap)
        return total;
    std::vector<std::string> domains;
    {
        std::lock_guard lock(m_stateMutex);
        for (const auto &d : m_domains)
            domains.push_back(d.second);
    }
    for (const std::string &d : domains) {
        const ZapHandler::Stats s = m_zap->stats(d);
        total.allowed += s.allowed;
        total.refused += s.refused;
        total.recent.insert(total.recent.end(), s.recent.begin(), s.recent.end());
    }
    std::stable_sort(total.recent.begin(), total.recent.end(),
                     [](const CurveRefusal &a, const CurveRefusal &b) { return a.timeNs < b.timeNs; });
    if (total.recent.size() > ZapHandler::kKeptRefusals)
        total.recent.erase(total.recent.begin(), total.recent.end() - ZapHandler::kKeptRefusals);
    return total;
}

std::vector<std::string> ZmqSource::warnings() const
{
    std::lock_guard lock(m_stateMutex);
    std::vector<std::string> w;
    for (const auto &[address, warning] : m_warnings)
        w.push_back(warning);
    return w;
}

std::vector<ZmqSource::EndpointState> ZmqSource::states() const
{
    std::lock_guard lock(m_stateMutex);
    return m_states;
}

void ZmqSource::setState(const std::string &address, State state, std::string detail)
{
    EndpointState changed{address, state, std::move(detail)};
    {
        std::lock_guard lock(m_stateMutex);
        auto it = std::find_if(m_states.begin(), m_states.end(),
                               [&](const EndpointState &s) { return s.address == address; });
        if (it == m_states.end())
            m_states.push_back(changed);
        else if (it->state == state && it->detail == changed.detail)
            return; // "connecting" from us and then from the monitor: say it once
        else
            *it = changed;
    }
    if (m_stateSink)
        m_stateSink(changed);
}

std::string ZmqSource::handshakeFailed(const Endpoint &endpoint, uint16_t id, const zmq::message_t &event)
{
    uint32_t value = 0;
    if (event.size() >= 6)
        std::memcpy(&value, static_cast<const char *>(event.data()) + 2, 4);
    if (endpoint.bind) {
        // ZAP refusals are counted by the handler, with the peer's address.
        if (id != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && m_zap) {
            std::string domain;
            {
                std::lock_guard lock(m_stateMutex);
                for (const auto &d : m_domains)
                    if (d.first == endpoint.address)
                        domain = d.second;
            }
            m_zap->refuse(domain, {nowUtcNs(), "a client (address not reported by libzmq)", endpoint.address,
                                   value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
                                       ? "no CURVE (a plain client, or another mechanism)"
                                       : "no CURVE handshake completed: a plain client, or one that hung up"});
        }
        return {};
    }
    std::string why =
        id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "the server refused this client's key (status " + std::to_string(value)
                                                    + "): ask for it to be allow-listed"
        : value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
            ? std::string(endpoint.serverKey.empty() ? "the server wants CURVE: give its key (--server-key)"
                                                     : "the server does not speak CURVE")
            : "security handshake failed (wrong server key?)";
    setState(endpoint.address, State::Retrying, why);
    return why;
}

void ZmqSource::run(std::string controlEndpoint, std::vector<Endpoint> initial)
{
    struct Connection {
        Endpoint endpoint;
        zmq::socket_t sub;
        zmq::socket_t monitor;
        std::string refused; ///< why the CURVE handshake last failed, until one succeeds
    };
    std::vector<std::unique_ptr<Connection>> connections;

    zmq::socket_t control(m_context, zmq::socket_type::pair);
    control.set(zmq::sockopt::linger, 0);
    control.connect(controlEndpoint);

    // CURVE settings go on before connect()/bind(): false (the endpoint Failed, with why)
    // when the endpoint may not be used as asked.
    auto secure = [&](Connection &c) {
        const Endpoint &e = c.endpoint;
        auto fail = [&](const std::string &why) {
            setState(e.address, State::Failed, why);
            zmq_socket_monitor(c.sub.handle(), nullptr, 0);
            return false;
        };
        if (e.bind) {
            std::string warning;
            if (std::string refusal = checkBind(e.address, m_curve, "the source's endpoint", warning); !refusal.empty())
                return fail(refusal);
            std::lock_guard lock(m_stateMutex);
            std::erase_if(m_warnings, [&](const auto &w) { return w.first == e.address; });
            if (!warning.empty())
                m_warnings.emplace_back(e.address, warning);
            if (m_curve.curve() && m_zap) {
                std::erase_if(m_domains, [&](const auto &d) { return d.first == e.address; });
                m_domains.emplace_back(e.address, m_zap->addDomain(m_curve.allowedClients, e.address));
                c.sub.set(zmq::sockopt::curve_server, true);
                c.sub.set(zmq::sockopt::curve_secretkey, m_curve.serverKey.secretKey);
                c.sub.set(zmq::sockopt::zap_domain, m_domains.back().second);
            }
            return true;
        }
        if (e.serverKey.empty())
            return true;
        if (!curveAvailable())
            return fail("cannot connect to " + e.address
                        + " with CURVE: this libzmq was built without CURVE (libsodium)");
        if (!isCurveKey(e.serverKey))
            return fail("the server key for " + e.address + " is not a Z85 CURVE key (40 characters)");
        c.sub.set(zmq::sockopt::curve_serverkey, e.serverKey);
        c.sub.set(zmq::sockopt::curve_publickey, m_curve.clientKey.publicKey);
        c.sub.set(zmq::sockopt::curve_secretkey, m_curve.clientKey.secretKey);
        return true;
    };
    auto open = [&](const Endpoint &endpoint) {
        auto c = std::make_unique<Connection>(Connection{endpoint,
                                                         zmq::socket_t(m_context, zmq::socket_type::sub),
                                                         zmq::socket_t(m_context, zmq::socket_type::pair),
                                                         {}});
        c->sub.set(zmq::sockopt::linger, 0);
        c->sub.set(zmq::sockopt::rcvhwm, m_rcvHwm);
        if (endpoint.topics.empty())
            c->sub.set(zmq::sockopt::subscribe, "");
        for (const std::string &t : endpoint.topics)
            c->sub.set(zmq::sockopt::subscribe, t);
        // The monitor first, so not even the first connection attempt goes unseen.
        const std::string monitor = "inproc://eventlens-source-monitor-" + std::to_string(g_instances++);
        zmq_socket_monitor(c->sub.handle(), monitor.c_str(),
                           ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED | ZMQ_EVENT_CONNECT_RETRIED
                               | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_LISTENING | ZMQ_EVENT_ACCEPTED
                               | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                               | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
        c->monitor.set(zmq::sockopt::linger, 0);
        c->monitor.connect(monitor);
        if (!secure(*c))
            return;
        try {
            if (endpoint.bind)
                c->sub.bind(endpoint.address);
            else
                c->sub.connect(endpoint.address);
        } catch (const zmq::error_t &e) {
            setState(endpoint.address, State::Failed,
                     std::string(endpoint.bind ? "cannot bind " : "cannot connect to ") + endpoint.address + ": "
                         + e.what());
            zmq_socket_monitor(c->sub.handle(), nullptr, 0);
            return;
        }
        if (!endpoint.bind)
            setState(endpoint.address, State::Connecting);
        connections.push_back(std::move(c));
    };
    auto close = [&](const std::string &address) {
        auto it = std::find_if(connections.begin(), connections.end(),
                               [&](const auto &c) { return c->endpoint.address == address; });
        if (it != connections.end()) {
            zmq_socket_monitor((*it)->sub.handle(), nullptr, 0);
            connections.erase(it);
        }
        std::lock_guard lock(m_stateMutex);
        std::erase_if(m_states, [&](const EndpointState &s) { return s.address == address; });
        std::erase_if(m_warnings, [&](const auto &w) { return w.first == address; });
    };
    for (const Endpoint &e : initial)
        open(e);

    std::vector<zmq_pollitem_t> items;
    std::vector<zmq::message_t> frames;
    std::vector<std::string_view> views;
    for (;;) {
        items.clear();
        items.push_back({control.handle(), 0, ZMQ_POLLIN, 0});
        for (const auto &c : connections) {
            items.push_back({c->sub.handle(), 0, ZMQ_POLLIN, 0});
            items.push_back({c->monitor.handle(), 0, ZMQ_POLLIN, 0});
        }
        zmq::poll(items.data(), items.size(), kQuietTick);

        for (size_t i = 0; i < connections.size(); ++i) {
            Connection &c = *connections[i];
            if (items[1 + 2 * i].revents & ZMQ_POLLIN) {
                // Drain a batch, then poll again so one busy endpoint cannot starve the rest.
                for (int n = 0; n < 1024; ++n) {
                    frames.clear();
                    zmq::message_t frame;
                    if (!c.sub.recv(frame, zmq::recv_flags::dontwait))
                        break;
                    frames.push_back(std::move(frame));
                    while (frames.back().more()) {
                        zmq::message_t next;
                        (void)c.sub.recv(next); // the rest of a message is already here
                        frames.push_back(std::move(next));
                    }
                    views.clear();
                    for (const auto &f : frames)
                        views.emplace_back(static_cast<const char *>(f.data()), f.size());
                    m_sink(classifyFrames(views, c.endpoint.address, nowUtcNs()));
                }
            }
            if (items[2 + 2 * i].revents & ZMQ_POLLIN) {
                zmq::message_t event, address;
                while (c.monitor.recv(event, zmq::recv_flags::dontwait)) {
                    if (event.more())
                        (void)c.monitor.recv(address);
                    uint16_t id = 0;
                    if (event.size() >= 2)
                        std::memcpy(&id, event.data(), 2);
                    switch (id) {
                    case ZMQ_EVENT_CONNECTED:
                    case ZMQ_EVENT_ACCEPTED:
                        setState(c.endpoint.address, State::Connected, c.refused);
                        break;
                    case ZMQ_EVENT_CONNECT_DELAYED:
                        setState(c.endpoint.address, State::Connecting, c.refused);
                        break;
                    case ZMQ_EVENT_CONNECT_RETRIED:
                        setState(c.endpoint.address, State::Retrying, c.refused);
                        break;
                    case ZMQ_EVENT_DISCONNECTED:
                        setState(c.endpoint.address, State::Disconnected, c.refused);
                        break;
                    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
                        c.refused.clear();
                        setState(c.endpoint.address, State::Connected);
                        break;
                    case ZMQ_EVENT_LISTENING: // the detail says where, with a '*' port resolved
                        setState(c.endpoint.address, State::Listening, address.to_string());
                        break;
                    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
                    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
                    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
                        c.refused = handshakeFailed(c.endpoint, id, event);
                        break;
                    default:
                        break;
                    }
                }
            }
        }

        if (m_flush)
            m_flush(); // after a burst, or a quiet tick

        if (items[0].revents & ZMQ_POLLIN) {
            std::vector<std::string> parts;
            zmq::message_t part;
            do {
                (void)control.recv(part);
                parts.push_back(part.to_string());
            } while (part.more());
            if (parts[0] == "stop") {
                for (auto &c : connections)
                    zmq_socket_monitor(c->sub.handle(), nullptr, 0);
                return;
            }
            if (parts[0] == "add" && parts.size() >= 4) {
                close(parts[2]); // re-adding replaces the filters
                open(
                    {parts[2], std::vector<std::string>(parts.begin() + 4, parts.end()), parts[1] == "bind", parts[3]});
            } else if (parts[0] == "remove" && parts.size() >= 2) {
                close(parts[1]);
            }
        }
    }
}

} // namespace eventlens
