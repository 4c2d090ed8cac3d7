#pragma once

#include "core/curve.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace zmq {
class context_t;
class socket_t;
} // namespace zmq

namespace eventlens {

/// The embedded event bus: a ZeroMQ XSUB/XPUB forwarder. Publishers connect to one
/// endpoint, subscribers to the other, and every published message is also handed to a
/// tap (the session's ingest) on the bus thread — whether or not anyone subscribed to it:
/// the bus subscribes publishers to everything, and XPUB filters per subscriber.
///
/// Binds 127.0.0.1 unless the endpoints name another interface. Beyond loopback it needs
/// CURVE with an allow-list of client keys (setCurve()) or an explicit `insecure`, which
/// leaves a warning; without either, start() refuses. All bus sockets live on the bus's own thread;
/// start() and stop() talk to it over an inproc PAIR socket and must be called from the
/// same thread (the owner's). stop() never hangs: linger is 0 on every socket.
class EmbeddedBus {
public:
    struct Options {
        std::string publishers = "tcp://127.0.0.1:5555";  ///< publishers connect here (XSUB binds)
        std::string subscribers = "tcp://127.0.0.1:5556"; ///< subscribers connect here (XPUB binds)
    };
    struct Stats {
        uint64_t messagesIn = 0; ///< messages received from publishers
        uint64_t bytesIn = 0;
        uint64_t messagesOut = 0; ///< messages forwarded to subscribers
        uint64_t bytesOut = 0;
        uint64_t subscriptions = 0; ///< subscribe/unsubscribe messages from subscribers
    };
    /// Called on the bus thread for each published message: its frames and receive time.
    using Tap = std::function<void(std::span<const std::string_view> frames, int64_t receivedNs)>;

    explicit EmbeddedBus(zmq::context_t &context);
    EmbeddedBus(zmq::context_t &context, Options options);
    ~EmbeddedBus(); ///< stops
    EmbeddedBus(const EmbeddedBus &) = delete;
    EmbeddedBus &operator=(const EmbeddedBus &) = delete;

    void setTap(Tap tap) { m_tap = std::move(tap); } ///< before start()
    /// Called on the bus thread after each burst of messages and at least every kQuietTick
    /// while nothing arrives: a batching tap passes its batch on here, a recorder writes out
    /// what it buffered. Before start().
    void setTapFlush(std::function<void()> flush) { m_tapFlush = std::move(flush); }
    static constexpr std::chrono::milliseconds kQuietTick{100};

    /// Binds both endpoints and starts forwarding. False, with error(), when an endpoint
    /// cannot be bound (in use, malformed) — e.g. `cannot bind publishers endpoint
    /// tcp://127.0.0.1:5555: Address already in use`.
    bool start();
    void stop();
    bool isRunning() const { return m_thread.joinable(); }

    /// The bound endpoints, with `*` ports resolved (e.g. tcp://127.0.0.1:41733).
    const std::string &publishersEndpoint() const { return m_boundPublishers; }
    const std::string &subscribersEndpoint() const { return m_boundSubscribers; }
    const std::string &error() const { return m_error; }
    /// Warnings about the configuration, e.g. a bind beyond loopback.
    const std::vector<std::string> &warnings() const { return m_warnings; }
    Stats stats() const;

    /// Whether a tcp endpoint's host is a loopback address (non-tcp transports count as local).
    static bool isLocalEndpoint(std::string_view endpoint);

    // --- authentication (CURVE; see core/curve.h) -------------------------------------
    /// With a server key pair both endpoints are CURVE servers (on loopback too) and only
    /// `allowedClients` pass the ZAP handler; `insecure` allows plain binds beyond loopback.
    void setCurve(CurveOptions curve) { m_curve = std::move(curve); } ///< before start()
    const CurveOptions &curve() const { return m_curve; }
    /// Clients let in and refused (with who and why) at both endpoints; zero without CURVE.
    ZapHandler::Stats curveStats() const;

private:
    bool prepareCurve(); ///< checks the binds against m_curve, registers the ZAP domains

    zmq::context_t &m_context;
    Options m_options;
    Tap m_tap;
    std::function<void()> m_tapFlush;
    std::thread m_thread;
    std::unique_ptr<zmq::socket_t> m_control; ///< owner's end of the control pair
    std::string m_boundPublishers, m_boundSubscribers, m_error;
    std::vector<std::string> m_warnings;
    CurveOptions m_curve;
    std::shared_ptr<ZapHandler> m_zap;
    std::string m_publishersDomain, m_subscribersDomain;
    std::atomic<uint64_t> m_messagesIn{0}, m_bytesIn{0}, m_messagesOut{0}, m_bytesOut{0}, m_subscriptions{0};
};

} // namespace eventlens
