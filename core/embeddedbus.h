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
/// leaves a warning; without either, start() refuses.
///
/// Its memory is bounded: each subscriber's queue holds at most sendHighWaterMark
/// messages (a subscriber that falls further behind misses messages until it catches up,
/// while the others keep receiving; each time it happens is counted in
/// Stats::subscriberOverflows), each publisher's at most
/// receiveHighWaterMark (then the bus stops reading that publisher: its own queue fills),
/// and no frame over maxMessageBytes is read at all (ZeroMQ cuts the publisher's connection
/// instead, counted in Stats::publisherDisconnects). Worst case, the bus holds about
/// (publishers × receiveHighWaterMark + subscribers × (sendHighWaterMark + 1)) × maxMessageBytes
/// per frame; with events of 1 KiB that is about 1 MB per subscriber.
///
/// All bus sockets live on the bus's own thread;
/// start() and stop() talk to it over an inproc PAIR socket and must be called from the
/// same thread (the owner's). stop() never hangs: linger is 0 on every socket.
class EmbeddedBus {
public:
    struct Options {
        std::string publishers = "tcp://127.0.0.1:5555";  ///< publishers connect here (XSUB binds)
        std::string subscribers = "tcp://127.0.0.1:5556"; ///< subscribers connect here (XPUB binds)
        /// Messages queued per subscriber; one that falls further behind misses messages
        /// (counted). 0 = unbounded: a subscriber that stops reading grows the bus forever.
        int sendHighWaterMark = kDefaultHighWaterMark;
        /// Messages queued per publisher before the bus stops reading it. 0 = unbounded.
        int receiveHighWaterMark = kDefaultHighWaterMark;
        /// Largest frame a publisher may send; a larger one cuts its connection (ZeroMQ
        /// reads no further, so the frame never takes memory). -1 = no limit.
        int64_t maxMessageBytes = kDefaultMaxMessageBytes;
    };
    static constexpr int kDefaultHighWaterMark = 1000;
    static constexpr int64_t kDefaultMaxMessageBytes = 1 << 20;
    struct Stats {
        uint64_t messagesIn = 0; ///< messages received from publishers
        uint64_t bytesIn = 0;
        uint64_t messagesOut = 0; ///< messages forwarded to subscribers
        uint64_t bytesOut = 0;
        uint64_t subscriptions = 0; ///< subscribe/unsubscribe messages from subscribers
        /// Times a subscriber's queue (sendHighWaterMark) was full: that message, and what
        /// follows until the subscriber has read half its queue, do not reach it. libzmq does
        /// not say which messages a subscriber missed after that, so this counts the overflows
        /// (each a run of missed messages), not the messages.
        uint64_t subscriberOverflows = 0;
        /// Publisher connections that ended: the publisher closed it, or ZeroMQ cut it for a
        /// frame over maxMessageBytes (that message is lost; ZeroMQ does not say which of
        /// the two it was).
        uint64_t publisherDisconnects = 0;
        uint64_t publishersConnected = 0; ///< publisher connections open now
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
    const Options &options() const { return m_options; }

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
    std::atomic<uint64_t> m_messagesIn{0}, m_bytesIn{0}, m_messagesOut{0}, m_bytesOut{0}, m_subscriptions{0},
        m_subscriberOverflows{0}, m_publisherDisconnects{0}, m_publishersConnected{0};
};

} // namespace eventlens
