#pragma once

#include "core/curve.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace zmq {
class context_t;
class socket_t;
class message_t;
} // namespace zmq

namespace eventlens {

/// One message as a ZeroMQ source received it. Frames `[topic, json]` (the zguide
/// envelope) or `[json]` are events; any other shape carries a `problem` and keeps all its
/// frames, so nothing is dropped without a reason.
struct ReceivedMessage {
    std::string_view topic;                   ///< empty for `[json]`
    std::string_view payload;                 ///< the event's JSON, when the shape is right
    std::string problem;                      ///< why the shape is wrong; empty when it is right
    std::span<const std::string_view> frames; ///< every frame, as received
    std::string_view endpoint;                ///< where it came from
    int64_t receivedNs = 0;
};

/// A message that is not an event, kept so it can be shown and recorded: where it came
/// from, why it was refused, and its frames as received (each cut at kKeptBytes).
struct RejectedFrame {
    static constexpr size_t kKeptBytes = 64 * 1024;
    int64_t receivedNs = 0;
    std::string origin; ///< the endpoint (or "bus")
    std::string topic;  ///< the topic frame of a `[topic, json]` message
    std::string reason; ///< e.g. `3 frames; expected [topic, json] or [json]`
    std::vector<std::string> frames;
    size_t bytes = 0; ///< all frames' bytes as received, before cutting

    static RejectedFrame of(const ReceivedMessage &message, std::string reason);
};

/// Topics longer than this are refused: a topic names a stream (`order.placed`), and one
/// held by every event of a flood, or laid out in a view, must stay small.
inline constexpr size_t kMaxTopicBytes = 1024;

/// Reads the shape of a message's frames: `[topic, json]`, `[json]`, or a problem. A topic
/// over kMaxTopicBytes is a problem too; `topic` then holds only its first kMaxTopicBytes.
ReceivedMessage classifyFrames(std::span<const std::string_view> frames, std::string_view endpoint, int64_t receivedNs);

/// Subscribes to live systems: one SUB socket per endpoint (so each message knows its
/// origin), each connecting (or binding) with its topic-prefix filters, all on the
/// source's own thread. Connection state comes from each socket's monitor. Endpoints are
/// added and removed while running through an inproc control socket; start(), stop(),
/// addEndpoint() and removeEndpoint() must be called from one (the owner's) thread.
class ZmqSource {
public:
    enum class State { Connecting, Connected, Disconnected, Retrying, Listening, Failed };
    static const char *stateName(State state);

    struct Endpoint {
        std::string address;             ///< e.g. tcp://127.0.0.1:5556
        std::vector<std::string> topics; ///< prefixes; empty = everything
        bool bind = false;               ///< bind instead of connect (publishers connect to us)
        std::string serverKey{};         ///< connect with CURVE to a server with this public key (Z85)
    };
    struct EndpointState {
        std::string address;
        State state = State::Connecting;
        std::string detail; ///< the error, for Failed; the bound address, for Listening
    };
    /// Called on the source thread for every message.
    using Sink = std::function<void(const ReceivedMessage &)>;
    /// Called on the source thread when an endpoint's state changes.
    using StateSink = std::function<void(const EndpointState &)>;

    ZmqSource(zmq::context_t &context, Sink sink);
    ~ZmqSource(); ///< stops
    ZmqSource(const ZmqSource &) = delete;
    ZmqSource &operator=(const ZmqSource &) = delete;

    void setStateSink(StateSink sink) { m_stateSink = std::move(sink); } ///< before start()
    /// Called on the source thread after each burst of messages and at least every
    /// kQuietTick while nothing arrives: a batching sink passes its batch on here, a
    /// recorder writes out what it buffered. Before start().
    void setFlush(std::function<void()> flush) { m_flush = std::move(flush); }
    static constexpr std::chrono::milliseconds kQuietTick{100};
    /// Messages each SUB socket queues before ZeroMQ drops (0 = unbounded, the default).
    void setReceiveHighWaterMark(int messages) { m_rcvHwm = messages; } ///< before start()

    // --- authentication (CURVE; see core/curve.h) -------------------------------------
    /// Endpoints with a serverKey connect as CURVE clients with `clientKey` (a fresh pair when
    /// it has none); binds follow checkBind(): beyond loopback only with a server key pair and
    /// allow-list (then refusals are counted in curveStats()) or `insecure`. Before start().
    void setCurve(CurveOptions curve) { m_curve = std::move(curve); }
    const CurveOptions &curve() const { return m_curve; }
    /// Clients let in and refused at this source's CURVE binds (any thread).
    ZapHandler::Stats curveStats() const;
    /// Warnings about binds made (an insecure bind beyond loopback), one per endpoint (any thread).
    std::vector<std::string> warnings() const;

    void start(std::vector<Endpoint> endpoints = {});
    void stop();
    bool isRunning() const { return m_thread.joinable(); }
    void addEndpoint(const Endpoint &endpoint);
    void removeEndpoint(const std::string &address);

    /// Every endpoint's current state (any thread).
    std::vector<EndpointState> states() const;

private:
    void sendControl(const std::vector<std::string> &command);
    void run(std::string control, std::vector<Endpoint> initial);
    void setState(const std::string &address, State state, std::string detail = {});
    /// Counts a refused client (at a bind) or says why we were refused (at a connect).
    std::string handshakeFailed(const Endpoint &endpoint, uint16_t id, const zmq::message_t &event);

    zmq::context_t &m_context;
    Sink m_sink;
    StateSink m_stateSink;
    std::function<void()> m_flush;
    int m_rcvHwm = 0;
    std::thread m_thread;
    std::unique_ptr<zmq::socket_t> m_control;
    mutable std::mutex m_stateMutex;
    std::vector<EndpointState> m_states;
    CurveOptions m_curve;
    std::shared_ptr<ZapHandler> m_zap;
    std::vector<std::pair<std::string, std::string>> m_domains;  ///< (address, ZAP domain), under m_stateMutex
    std::vector<std::pair<std::string, std::string>> m_warnings; ///< (address, warning), under m_stateMutex
};

} // namespace eventlens
