#pragma once

#include "core/analysis.h"
#include "core/anomalies.h"
#include "core/eventstore.h"
#include "core/flowanalyzer.h"
#include "core/jsonlreader.h"
#include "core/laganalyzer.h"
#include "core/rejectedinput.h"
#include "core/session.h"
#include "core/throughputanalyzer.h"
#include "core/topologyanalyzer.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace zmq {
class context_t;
}

namespace eventlens {

/// What one window of the app looks at: a store of events with its analyses (lag, topology,
/// flows, anomalies) and the input that was rejected — fed either live, by a Session (the
/// embedded bus, ZeroMQ endpoints), or by loading a recording. Views read it; only the
/// owner changes it.
///
/// Threads: a recording may be loaded on any thread (WorkspaceLoad does it on its own);
/// after that, and always for a live workspace, one owner thread (the GUI's) calls poll()
/// and reads. poll() appends at most a budget's worth of decoded events and brings the
/// analyses up to date: it never decodes and never waits for the network.
class Workspace {
public:
    /// What one poll() (or a load) added.
    struct Update {
        uint32_t firstEvent = 0; ///< store indexes [firstEvent, endEvent) are new
        uint32_t endEvent = 0;
        size_t newRejects = 0;     ///< the last newRejects of rejects() are new
        size_t droppedRejects = 0; ///< rejects that fell off the front of rejects() (bounded)
        bool empty() const { return firstEvent == endEvent && newRejects == 0 && droppedRejects == 0; }
    };

    /// A live workspace: a Session of its own (with its own ZeroMQ context), idle until
    /// startBus() or connect() on session(). `options.store.memoryCap` is the cap for
    /// everything held for events, not only the store: the ingest queue gets a share of it,
    /// the store what is left after the share kept for the bus, analyses and views.
    explicit Workspace(Session::Options options);
    /// A workspace for a recording: empty until loadRecording().
    Workspace();
    ~Workspace();
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    /// Loads a recording (not for a live workspace). `progress(done, total)` is called as
    /// bytes are read, on this thread; returning false cancels (then false with error
    /// "cancelled"). Bad lines are not errors: they become rejects(). False with `error`
    /// when the file cannot be read.
    bool loadRecording(const std::string &path, const std::function<bool(uint64_t, uint64_t)> &progress,
                       std::string &error);

    bool isLive() const { return m_session != nullptr; }
    /// The live session (nullptr for a recording).
    Session *session() { return m_session.get(); }
    const Session *session() const { return m_session.get(); }
    /// For what runs beside a live session on the same machine (the demo, a replay).
    zmq::context_t *context() { return m_context.get(); }
    /// The recording's path and report (empty for a live workspace).
    const RecordingReport &report() const { return m_report; }

    /// Live: appends what was decoded since and updates the analyses, for about `budget` in
    /// all (so a GUI stays responsive under a flood; the rest waits for the next poll).
    /// A recording: nothing (empty).
    Update poll(std::chrono::steady_clock::duration budget = std::chrono::milliseconds(8));

    const EventStore &store() const { return m_session ? m_session->store() : *m_store; }
    /// Live: the memory cap for everything held for events, in bytes (0: none, or a recording).
    size_t memoryCap() const { return m_memoryCap; }
    /// The process's resident memory (RSS, from /proc/self/statm), in bytes; 0 where unknown.
    static size_t residentBytes();
    /// Input that was not an event, oldest first (bounded: see rejectsForgotten()).
    const std::deque<RejectedInput> &rejects() const { return m_rejects; }
    uint64_t rejectsForgotten() const { return m_rejectsForgotten; }
    uint64_t rejectedTotal() const { return m_rejects.size() + m_rejectsForgotten; }

    // --- analyses (owner thread) ------------------------------------------------------------
    const Analysis &analysis() const { return *m_analysis; }
    const LagAnalyzer &lag() const { return m_lag; }
    const TopologyAnalyzer &topology() const { return m_topology; }
    const FlowAnalyzer &flows() const { return m_flows; }
    const ThroughputAnalyzer &throughput() const { return m_throughput; }
    /// The anomaly list as of the newest event (rejected input included).
    std::vector<Anomaly> anomalies() const { return m_anomalies.list(store()); }

    /// Rejects kept at most (older ones are counted, then forgotten).
    size_t keptRejects() const { return m_keptRejects; }

    /// For a view built from another workspace (TimeCursor; not for a live one): appends
    /// copies of `from`'s events `events`, in that order (duplicates are told apart again,
    /// by this order), then a copy of each of `rejects` (placed after those events), and
    /// brings the analyses up to date. Events keep their origin's name and line.
    Update appendCopies(const EventStore &from, std::span<const uint32_t> events,
                        std::span<const RejectedInput *const> rejects);

private:
    void setUpAnalyses();
    void addReject(RejectedInput reject);

    std::unique_ptr<zmq::context_t> m_context;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<EventStore> m_store; ///< a recording's
    RecordingReport m_report;
    size_t m_keptRejects = 100'000;
    size_t m_memoryCap = 0;
    std::deque<RejectedInput> m_rejects;
    uint64_t m_rejectsForgotten = 0;

    LagAnalyzer m_lag;
    TopologyAnalyzer m_topology;
    FlowAnalyzer m_flows;
    ThroughputAnalyzer m_throughput;
    AnomalyAnalyzer m_anomalies;
    std::unique_ptr<Analysis> m_analysis;
    std::vector<uint16_t> m_copiedOrigins; ///< appendCopies: `from`'s origin → ours (kNoName: not yet)
};

} // namespace eventlens
