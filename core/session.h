#pragma once

#include "core/embeddedbus.h"
#include "core/eventstore.h"
#include "core/ingest.h"
#include "core/zmqsource.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zmq {
class context_t;
}

namespace eventlens {

/// A live session: what the app (and the live CLI commands) watch. It wires the inputs —
/// the embedded bus's tap and any number of ZeroMQ endpoints — through the Ingest into
/// one EventStore, keeps the messages that were not events, and can record everything
/// it receives.
///
/// Threads: the bus and the sources receive on their own threads, the ingest decodes on
/// its own; the store belongs to the thread that owns the Session and calls poll(), which
/// appends what was decoded since and tells observers once. Nothing the owner calls
/// waits for the network, except stop() for the threads to finish (promptly).
class Session {
public:
    struct Options {
        Ingest::Options ingest;
        EventStore::Options store;
        size_t keptRejects = 100'000; ///< rejected messages kept for display; older ones are counted, then forgotten
        int receiveHighWaterMark = 0; ///< per SUB socket; 0 = unbounded
    };
    /// What one poll() added.
    struct Update {
        uint32_t firstEvent = 0; ///< store indexes [firstEvent, endEvent) are new
        uint32_t endEvent = 0;
        size_t newRejects = 0;     ///< the last newRejects of rejects() are new
        size_t rejectsArrived = 0; ///< rejects received, also those that did not fit in rejects()
        bool empty() const { return firstEvent == endEvent && newRejects == 0; }
    };
    using Observer = std::function<void(const Update &)>;
    struct Stats {
        Ingest::Stats ingest;
        std::optional<EmbeddedBus::Stats> bus;
        uint64_t rejectsForgotten = 0;
    };
    struct RecordingResult {
        std::string path;
        std::string rejectsPath; ///< empty when nothing was rejected
        uint64_t events = 0;
        uint64_t rejected = 0;
        uint64_t eventsLost = 0;        ///< taken but not written: buffered when writing failed
        uint64_t rejectsNotWritten = 0; ///< rejected messages over the rejects file's bounds
        uint64_t rejectBytesNotWritten = 0;
        std::string error; ///< empty when the recording is complete
    };

    explicit Session(zmq::context_t &context);
    Session(zmq::context_t &context, Options options);
    ~Session(); ///< stops
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // --- inputs (owner thread) --------------------------------------------------------
    /// Starts the embedded bus; its tap feeds this session. False with `error` when it
    /// cannot bind. Warnings (a bind beyond loopback) are in bus()->warnings().
    bool startBus(const EmbeddedBus::Options &options, std::string &error);
    void stopBus();
    const EmbeddedBus *bus() const { return m_bus.get(); }

    /// Subscribes to an endpoint (re-adding one replaces its filters). Its state shows in
    /// endpoints(); a bad endpoint shows there as Failed with the reason.
    void connect(const ZmqSource::Endpoint &endpoint);
    void disconnect(const std::string &address);
    std::vector<ZmqSource::EndpointState> endpoints() const;

    /// Records everything received from now on: events to `path`, rejects beside it.
    bool startRecording(const std::string &path, std::string &error);
    RecordingResult stopRecording(); ///< waits for what was received to be written
    /// False at once when writing fails (a full disk): the session keeps running, the
    /// recording stopped; recordingError() says why and stopRecording() collects it.
    bool isRecording() const { return m_ingest.isRecording(); }
    std::string recordingError() const { return m_ingest.recordingError(); }

    /// Stops the inputs, decodes and appends what they had received, closes a recording.
    void stop();

    // --- authentication (owner thread; see core/curve.h) ----------------------------------
    /// How the bus and binding sources are protected, and the key pair sources connect with.
    void setCurve(CurveOptions curve) { m_curve = std::move(curve); } ///< before startBus()/connect()
    const CurveOptions &curve() const { return m_curve; }
    /// Every bind beyond loopback (the bus's, the sources'), insecure ones first: what the
    /// window keeps in sight for as long as they last.
    std::vector<std::string> securityWarnings() const;
    /// Clients let in and refused at the CURVE endpoints (bus and binding sources).
    ZapHandler::Stats curveStats() const;

    // --- the store side (owner thread) ----------------------------------------------------
    /// Appends what was decoded since the last call, for at most `budget` (so a GUI stays
    /// responsive under a flood), and tells each observer once if anything was added.
    Update poll(std::chrono::steady_clock::duration budget = std::chrono::milliseconds(10));
    /// Blocks until something is ready for poll() or `timeout` passes.
    bool waitForData(std::chrono::milliseconds timeout) { return m_ingest.waitForDecoded(timeout); }
    void addObserver(Observer observer) { m_observers.push_back(std::move(observer)); }

    const EventStore &store() const { return m_store; }
    /// Messages that were not events, oldest first (at most Options::keptRejects).
    const std::deque<RejectedFrame> &rejects() const { return m_rejects; }
    Stats stats() const;
    const Options &options() const { return m_options; }

private:
    zmq::context_t &m_context;
    Options m_options;
    EventStore m_store;
    Ingest m_ingest;
    std::unique_ptr<EmbeddedBus> m_bus;
    std::unique_ptr<Ingest::Producer> m_busProducer; ///< used on the bus thread only
    std::unique_ptr<ZmqSource> m_source;
    std::unique_ptr<Ingest::Producer> m_sourceProducer; ///< used on the source thread only
    std::string m_recordingPath;
    std::deque<RejectedFrame> m_rejects;
    std::vector<RejectedFrame> m_newRejects;
    uint64_t m_rejectsForgotten = 0;
    std::vector<Observer> m_observers;
    CurveOptions m_curve;
};

} // namespace eventlens
