#include "core/embeddedbus.h"

#include "core/rfc3339.h"
#include "core/threadpriority.h"

#include <zmq.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>
#include <tuple>

namespace eventlens {

namespace {

std::string boundEndpoint(zmq::socket_t &socket)
{
    return socket.get(zmq::sockopt::last_endpoint);
}

/// Reads one whole message (all its frames) from `from`; false when there is none.
bool receiveMessage(zmq::socket_t &from, std::vector<zmq::message_t> &frames)
{
    frames.clear();
    do {
        zmq::message_t frame;
        if (!from.recv(frame, zmq::recv_flags::dontwait))
            return !frames.empty();
        frames.push_back(std::move(frame));
    } while (frames.back().more());
    return true;
}

/// Binds, retrying for up to a second while the port is still held: libzmq closes a
/// listener asynchronously, so a bus restarted on the same port can briefly find it busy.
void bindPatiently(zmq::socket_t &socket, const std::string &endpoint)
{
    for (int attempt = 0;; ++attempt) {
        try {
            socket.bind(endpoint);
            return;
        } catch (const zmq::error_t &e) {
            if (e.num() != EADDRINUSE || attempt >= 50)
                throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

/// Sends a whole message on to the subscribers; `missed` tells whether a subscriber's full
/// queue kept it from one of them. XPUB_NODROP is on, so a full queue fails the send
/// (EAGAIN) where plain XPUB would skip that subscriber without a word: the message then
/// goes out in lossy mode, to every subscriber with room, and counts as missed. (libzmq then
/// stops offering messages to the full subscriber until it has read half its queue; those
/// it does not report, so the bus counts overflows, not each missed message.)
size_t forwardMessage(zmq::socket_t &to, std::vector<zmq::message_t> &frames, bool &missed)
{
    missed = false;
    size_t bytes = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        bytes += frames[i].size();
        const zmq::send_flags flags =
            (i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) | zmq::send_flags::dontwait;
        if (to.send(frames[i], flags))
            continue;
        if (!missed) {
            missed = true;
            to.set(zmq::sockopt::xpub_nodrop, 0);
        }
        (void)to.send(frames[i], flags); // lossy: never waits, never fails
    }
    if (missed)
        to.set(zmq::sockopt::xpub_nodrop, 1);
    return bytes;
}

} // namespace

bool EmbeddedBus::isLocalEndpoint(std::string_view endpoint)
{
    return isLoopbackEndpoint(endpoint);
}

EmbeddedBus::EmbeddedBus(zmq::context_t &context) : EmbeddedBus(context, Options{})
{ }

EmbeddedBus::EmbeddedBus(zmq::context_t &context, Options options) : m_context(context), m_options(std::move(options))
{ }

EmbeddedBus::~EmbeddedBus()
{
    stop();
}

bool EmbeddedBus::start()
{
    if (isRunning())
        return true;
    m_error.clear();
    m_warnings.clear();
    if (!prepareCurve())
        return false;

    static std::atomic<int> instances{0};
    const std::string control = "inproc://eventlens-bus-control-" + std::to_string(instances++);
    m_control = std::make_unique<zmq::socket_t>(m_context, zmq::socket_type::pair);
    m_control->set(zmq::sockopt::linger, 0);
    m_control->bind(control);

    std::promise<std::string> started; // "" on success, else the error
    auto ready = started.get_future();
    m_thread = std::thread([this, control, &started] {
        lowerThisThreadToBackground();
        zmq::socket_t xsub(m_context, zmq::socket_type::xsub);
        zmq::socket_t xpub(m_context, zmq::socket_type::xpub);
        zmq::socket_t pair(m_context, zmq::socket_type::pair);
        for (zmq::socket_t *s : {&xsub, &xpub, &pair})
            s->set(zmq::sockopt::linger, 0);
        // Bounded queues (see the class comment): a stalled subscriber or a giant message
        // costs a known amount of memory, and what that bound makes the bus drop is counted.
        xsub.set(zmq::sockopt::rcvhwm, m_options.receiveHighWaterMark);
        xsub.set(zmq::sockopt::maxmsgsize, m_options.maxMessageBytes);
        xpub.set(zmq::sockopt::sndhwm, m_options.sendHighWaterMark);
        xpub.set(zmq::sockopt::maxmsgsize, m_options.maxMessageBytes); // subscriptions too
        xpub.set(zmq::sockopt::xpub_nodrop, 1);
        // Publisher connections come and go on the monitor: a frame over maxMessageBytes
        // shows only as a disconnect (libzmq says no more).
        const std::string monitorEndpoint = control + "-monitor";
        // A socket has one monitor (another replaces it): with CURVE, the publishers' handshake
        // failures come on this one too, and go to publishersWatch below.
        zmq_socket_monitor(xsub.handle(), monitorEndpoint.c_str(),
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | (m_zap ? CurveHandshakeWatch::kEvents : 0));
        zmq::socket_t monitor(m_context, zmq::socket_type::pair);
        monitor.set(zmq::sockopt::linger, 0);
        monitor.connect(monitorEndpoint);
        try {
            pair.connect(control);
        } catch (const zmq::error_t &e) {
            started.set_value(std::string("cannot reach the bus control socket: ") + e.what());
            return;
        }
        // CURVE before binding: no client may slip in before the server key is set.
        std::vector<std::unique_ptr<CurveHandshakeWatch>> watches;
        std::unique_ptr<CurveHandshakeWatch> publishersWatch; // fed by the bus's monitor of xsub
        if (m_zap) {
            for (auto [socket, domain] :
                 {std::pair{&xsub, &m_publishersDomain}, std::pair{&xpub, &m_subscribersDomain}}) {
                socket->set(zmq::sockopt::curve_server, true);
                socket->set(zmq::sockopt::curve_secretkey, m_curve.serverKey.secretKey);
                socket->set(zmq::sockopt::zap_domain, *domain);
            }
            publishersWatch = std::make_unique<CurveHandshakeWatch>(m_zap, m_publishersDomain, m_options.publishers);
            watches.push_back(std::make_unique<CurveHandshakeWatch>(m_context, xpub, m_zap, m_subscribersDomain,
                                                                    m_options.subscribers));
        }
        try {
            bindPatiently(xsub, m_options.publishers);
        } catch (const zmq::error_t &e) {
            started.set_value("cannot bind publishers endpoint " + m_options.publishers + ": " + e.what());
            return;
        }
        try {
            bindPatiently(xpub, m_options.subscribers);
        } catch (const zmq::error_t &e) {
            started.set_value("cannot bind subscribers endpoint " + m_options.subscribers + ": " + e.what());
            return;
        }
        // The bus wants every message (its tap sees all traffic), so it subscribes to
        // everything itself; XSUB repeats this to each publisher that connects later.
        xsub.send(zmq::str_buffer("\x01"), zmq::send_flags::none);
        m_boundPublishers = boundEndpoint(xsub);
        m_boundSubscribers = boundEndpoint(xpub);
        started.set_value({});

        std::vector<zmq::message_t> frames;
        std::vector<std::string_view> views;
        std::vector<zmq::pollitem_t> items{{{xsub.handle(), 0, ZMQ_POLLIN, 0},
                                            {xpub.handle(), 0, ZMQ_POLLIN, 0},
                                            {pair.handle(), 0, ZMQ_POLLIN, 0},
                                            {monitor.handle(), 0, ZMQ_POLLIN, 0}}};
        for (const auto &w : watches)
            items.push_back({w->handle(), 0, ZMQ_POLLIN, 0});
        for (;;) {
            zmq::poll(items.data(), items.size(), kQuietTick);
            for (size_t i = 0; i < watches.size(); ++i)
                if (items[4 + i].revents & ZMQ_POLLIN)
                    watches[i]->read();
            if (items[2].revents & ZMQ_POLLIN) {
                zmq_socket_monitor(xsub.handle(), nullptr, 0);
                return; // stop
            }
            if (items[0].revents & ZMQ_POLLIN) {
                // Drain what is there before polling again: one poll per batch, not per message.
                for (int n = 0; n < 1024 && receiveMessage(xsub, frames); ++n) {
                    const int64_t rx = nowUtcNs();
                    if (m_tap) {
                        views.clear();
                        for (const auto &f : frames)
                            views.emplace_back(static_cast<const char *>(f.data()), f.size());
                        m_tap(views, rx);
                    }
                    bool missed = false;
                    const size_t bytes = forwardMessage(xpub, frames, missed);
                    if (missed)
                        m_subscriberOverflows.fetch_add(1, std::memory_order_relaxed);
                    m_messagesIn.fetch_add(1, std::memory_order_relaxed);
                    m_bytesIn.fetch_add(bytes, std::memory_order_relaxed);
                    m_messagesOut.fetch_add(1, std::memory_order_relaxed);
                    m_bytesOut.fetch_add(bytes, std::memory_order_relaxed);
                }
            }
            if (m_tapFlush)
                m_tapFlush(); // after a burst, or a quiet tick
            if (items[1].revents & ZMQ_POLLIN) {
                // Subscriptions are counted, not passed upstream: the bus already takes
                // everything, and a subscriber's last "unsubscribe all" must not blind the tap.
                // XPUB still filters what each subscriber receives.
                while (receiveMessage(xpub, frames))
                    m_subscriptions.fetch_add(1, std::memory_order_relaxed);
            }
            if (items[3].revents & ZMQ_POLLIN) {
                while (receiveMessage(monitor, frames)) {
                    uint16_t event = 0;
                    uint32_t value = 0;
                    if (!frames.empty() && frames[0].size() >= 6) {
                        std::memcpy(&event, frames[0].data(), 2);
                        std::memcpy(&value, static_cast<const char *>(frames[0].data()) + 2, 4);
                    }
                    if (publishersWatch)
                        publishersWatch->handle(event, value);
                    if (event == ZMQ_EVENT_ACCEPTED) {
                        m_publishersConnected.fetch_add(1, std::memory_order_relaxed);
                    } else if (event == ZMQ_EVENT_DISCONNECTED) {
                        m_publishersConnected.fetch_sub(1, std::memory_order_relaxed);
                        m_publisherDisconnects.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            }
        }
    });
    const std::string error = ready.get();
    if (!error.empty()) {
        m_thread.join();
        m_control.reset();
        m_error = error;
        return false;
    }
    return true;
}

bool EmbeddedBus::prepareCurve()
{
    if (m_zap) {
        m_zap->removeDomain(m_publishersDomain);
        m_zap->removeDomain(m_subscribersDomain);
        m_zap.reset();
    }
    const std::pair<const std::string *, const char *> endpoints[] = {
        {&m_options.publishers, "the bus's publishers endpoint"},
        {&m_options.subscribers, "the bus's subscribers endpoint"}};
    for (const auto &[endpoint, what] : endpoints) {
        std::string warning;
        m_error = checkBind(*endpoint, m_curve, what, warning);
        if (!m_error.empty())
            return false;
        if (!warning.empty())
            m_warnings.push_back(warning);
        else if (m_curve.curve() && !isLoopbackEndpoint(*endpoint))
            m_warnings.push_back(std::string(what) + " " + *endpoint
                                 + " is reachable from other machines: CURVE lets in "
                                 + std::to_string(m_curve.allowedClients.size()) + " allow-listed client key"
                                 + (m_curve.allowedClients.size() == 1 ? "" : "s"));
    }
    if (m_curve.curve()) {
        m_zap = ZapHandler::of(m_context);
        m_publishersDomain = m_zap->addDomain(m_curve.allowedClients, m_options.publishers);
        m_subscribersDomain = m_zap->addDomain(m_curve.allowedClients, m_options.subscribers);
    }
    return true;
}

ZapHandler::Stats EmbeddedBus::curveStats() const
{
    if (!m_zap)
        return {};
    ZapHandler::Stats s = m_zap->stats(m_publishersDomain);
    const ZapHandler::Stats subscribers = m_zap->stats(m_subscribersDomain);
    s.allowed += subscribers.allowed;
    s.refused += subscribers.refused;
    s.recent.insert(s.recent.end(), subscribers.recent.begin(), subscribers.recent.end());
    std::stable_sort(s.recent.begin(), s.recent.end(),
                     [](const CurveRefusal &a, const CurveRefusal &b) { return a.timeNs < b.timeNs; });
    if (s.recent.size() > ZapHandler::kKeptRefusals)
        s.recent.erase(s.recent.begin(), s.recent.end() - ZapHandler::kKeptRefusals);
    return s;
}

void EmbeddedBus::stop()
{
    if (!isRunning())
        return;
    m_control->send(zmq::str_buffer("stop"), zmq::send_flags::none);
    m_thread.join();
    m_control.reset();
}

EmbeddedBus::Stats EmbeddedBus::stats() const
{
    Stats s;
    s.messagesIn = m_messagesIn.load(std::memory_order_relaxed);
    s.bytesIn = m_bytesIn.load(std::memory_order_relaxed);
    s.messagesOut = m_messagesOut.load(std::memory_order_relaxed);
    s.bytesOut = m_bytesOut.load(std::memory_order_relaxed);
    s.subscriptions = m_subscriptions.load(std::memory_order_relaxed);
    s.subscriberOverflows = m_subscriberOverflows.load(std::memory_order_relaxed);
    s.publisherDisconnects = m_publisherDisconnects.load(std::memory_order_relaxed);
    s.publishersConnected = m_publishersConnected.load(std::memory_order_relaxed);
    return s;
}

} // namespace eventlens
