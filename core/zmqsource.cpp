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
    std::vector<std::string> command{"add", endpoint.bind ? "bind" : "connect", endpoint.address};
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
        m_control->send(zmq::buffer(command[i]), i + 1 < command.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
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

void ZmqSource::run(std::string controlEndpoint, std::vector<Endpoint> initial)
{
    struct Connection {
        Endpoint endpoint;
        zmq::socket_t sub;
        zmq::socket_t monitor;
    };
    std::vector<std::unique_ptr<Connection>> connections;

    zmq::socket_t control(m_context, zmq::socket_type::pair);
    control.set(zmq::sockopt::linger, 0);
    control.connect(controlEndpoint);

    auto open = [&](const Endpoint &endpoint) {
        auto c = std::make_unique<Connection>(Connection{endpoint, zmq::socket_t(m_context, zmq::socket_type::sub),
                                                         zmq::socket_t(m_context, zmq::socket_type::pair)});
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
                               | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_LISTENING | ZMQ_EVENT_ACCEPTED);
        c->monitor.set(zmq::sockopt::linger, 0);
        c->monitor.connect(monitor);
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
                        setState(c.endpoint.address, State::Connected);
                        break;
                    case ZMQ_EVENT_CONNECT_DELAYED:
                        setState(c.endpoint.address, State::Connecting);
                        break;
                    case ZMQ_EVENT_CONNECT_RETRIED:
                        setState(c.endpoint.address, State::Retrying);
                        break;
                    case ZMQ_EVENT_DISCONNECTED:
                        setState(c.endpoint.address, State::Disconnected);
                        break;
                    case ZMQ_EVENT_LISTENING: // the detail says where, with a '*' port resolved
                        setState(c.endpoint.address, State::Listening, address.to_string());
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
            if (parts[0] == "add" && parts.size() >= 3) {
                close(parts[2]); // re-adding replaces the filters
                open({parts[2], std::vector<std::string>(parts.begin() + 3, parts.end()), parts[1] == "bind"});
            } else if (parts[0] == "remove" && parts.size() >= 2) {
                close(parts[1]);
            }
        }
    }
}

} // namespace eventlens
