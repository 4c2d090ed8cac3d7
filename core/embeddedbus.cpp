#include "core/embeddedbus.h"

#include "core/rfc3339.h"
#include "core/threadpriority.h"

#include <zmq.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
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

size_t sendMessage(zmq::socket_t &to, std::vector<zmq::message_t> &frames)
{
    size_t bytes = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        bytes += frames[i].size();
        to.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
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
        // Unbounded queues: the bus must not drop what a slow subscriber has not read yet;
        // memory, not silence, is the cost (drops are counted by the ingest, not here).
        xsub.set(zmq::sockopt::rcvhwm, 0);
        xpub.set(zmq::sockopt::sndhwm, 0);
        try {
            pair.connect(control);
        } catch (const zmq::error_t &e) {
            started.set_value(std::string("cannot reach the bus control socket: ") + e.what());
            return;
        }
        // CURVE before binding: no client may slip in before the server key is set.
        std::vector<std::unique_ptr<CurveHandshakeWatch>> watches;
        if (m_zap)
            for (auto [socket, domain, endpoint] : {std::tuple{&xsub, &m_publishersDomain, &m_options.publishers},
                                                    std::tuple{&xpub, &m_subscribersDomain, &m_options.subscribers}}) {
                socket->set(zmq::sockopt::curve_server, true);
                socket->set(zmq::sockopt::curve_secretkey, m_curve.serverKey.secretKey);
                socket->set(zmq::sockopt::zap_domain, *domain);
                watches.push_back(std::make_unique<CurveHandshakeWatch>(m_context, *socket, m_zap, *domain, *endpoint));
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
        std::vector<zmq::pollitem_t> items{
            {{xsub.handle(), 0, ZMQ_POLLIN, 0}, {xpub.handle(), 0, ZMQ_POLLIN, 0}, {pair.handle(), 0, ZMQ_POLLIN, 0}}};
        for (const auto &w : watches)
            items.push_back({w->handle(), 0, ZMQ_POLLIN, 0});
        for (;;) {
            zmq::poll(items.data(), items.size(), kQuietTick);
            for (size_t i = 0; i < watches.size(); ++i)
                if (items[3 + i].revents & ZMQ_POLLIN)
                    watches[i]->read();
            if (items[2].revents & ZMQ_POLLIN)
                return; // stop
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
                    const size_t bytes = sendMessage(xpub, frames);
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
    return s;
}

} // namespace eventlens
