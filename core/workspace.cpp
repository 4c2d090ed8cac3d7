#include "core/workspace.h"

#include "core/threadpriority.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <unistd.h>
#include <zmq.hpp>

namespace eventlens {

namespace {

/// Live analyses keep this many lags one by one per pair, then a bounded histogram.
constexpr size_t kLiveExactSamples = 100'000;

AnomalyAnalyzer::LagP99 p99From(const LagAnalyzer &lag)
{
    return [&lag](uint16_t consumer, uint16_t causeType) -> std::optional<int64_t> {
        const std::optional<LagStats> s = lag.statsOf(consumer, causeType);
        if (!s || s->count == s->skew)
            return std::nullopt;
        return s->p99Ns;
    };
}

/// Of a live memory cap: the ingest queue's share, and what the store may take. The rest
/// is for the bus's queues, the analyses, the views and the allocator's own overhead.
constexpr size_t kIngestShare = 16;                          ///< the queue: at most cap / 16
constexpr size_t kStoreNumerator = 3, kStoreDenominator = 8; ///< the store: 3/8 of the cap

Session::Options withinCap(Session::Options options)
{
    if (const size_t cap = options.store.memoryCap) {
        options.ingest.queueBytes = std::min(options.ingest.queueBytes, cap / kIngestShare);
        options.store.memoryCap = cap / kStoreDenominator * kStoreNumerator;
    }
    return options;
}

} // namespace

size_t Workspace::residentBytes()
{
    std::FILE *statm = std::fopen("/proc/self/statm", "r");
    if (!statm)
        return 0;
    unsigned long long pages = 0, resident = 0;
    const int read = std::fscanf(statm, "%llu %llu", &pages, &resident);
    std::fclose(statm);
    const long pageSize = sysconf(_SC_PAGESIZE);
    return read == 2 && pageSize > 0 ? static_cast<size_t>(resident) * static_cast<size_t>(pageSize) : 0;
}

Workspace::Workspace(Session::Options options)
    : m_context(std::make_unique<zmq::context_t>()), m_keptRejects(options.keptRejects),
      m_lag(LagAnalyzer::Options{kLiveExactSamples}), m_topology(TopologyAnalyzer::Options{kLiveExactSamples}),
      m_throughput(ThroughputAnalyzer::Options{false}), // live: rolling windows, bounded memory
      m_anomalies(p99From(m_lag))
{
    if (backgroundNice() > 0) {
        // ZeroMQ starts its I/O threads with the context's first socket, and a thread starts
        // with its creator's priority: create that socket on a lowered thread, so the I/O
        // threads yield to the GUI like the session's own threads do.
        std::thread([this] {
            lowerThisThreadToBackground();
            zmq::socket_t first(*m_context, zmq::socket_type::pair);
        }).join();
    }
    m_memoryCap = options.store.memoryCap;
    m_session = std::make_unique<Session>(*m_context, withinCap(std::move(options)));
    setUpAnalyses();
}

Workspace::Workspace() : m_store(std::make_unique<EventStore>()), m_anomalies(p99From(m_lag))
{
    setUpAnalyses();
}

Workspace::~Workspace()
{
    if (m_session)
        m_session->stop();
    m_session.reset(); // before the context it uses
}

void Workspace::setUpAnalyses()
{
    m_analysis = std::make_unique<Analysis>(store());
    m_analysis->add(m_lag);
    m_analysis->add(m_topology);
    m_analysis->add(m_flows);
    m_analysis->add(m_throughput);
    m_analysis->add(m_anomalies);
}

bool Workspace::loadRecording(const std::string &path, const std::function<bool(uint64_t, uint64_t)> &progress,
                              std::string &error)
{
    if (m_session) {
        error = "a live workspace cannot load a recording";
        return false;
    }
    JsonlReader::Options options;
    options.progress = progress;
    JsonlReader reader(options);
    m_report = RecordingReport{};
    if (!reader.load(path, *m_store, m_report, error))
        return false;
    if (m_report.cancelled) {
        error = "cancelled";
        return false;
    }

    // Each bad line sits among the events where it was in the file: before the first event
    // from a later line (lines only grow within one file).
    const EventStore &s = *m_store;
    auto beforeLine = [&s](uint64_t line) {
        uint32_t lo = s.firstIndex(), hi = s.endIndex();
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            if (s.record(mid).line < line)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    };
    auto keep = [&](const RejectedLine &l) {
        RejectedInput r;
        r.origin = path;
        r.line = l.line;
        r.reason = l.reason;
        r.bytes = l.bytes.size();
        r.frames.push_back(l.bytes);
        r.beforeEvent = beforeLine(l.line);
        m_anomalies.addRejected(r.where(), r.reason);
        addReject(std::move(r));
    };
    for (const RejectedLine &l : m_report.rejected)
        keep(l);
    if (m_report.truncatedTail)
        keep(m_report.tail);
    m_analysis->update();
    // Sort the time index here, on the loading thread, not when time travel first asks.
    (void)m_store->inTimeRange(0, 0);
    return true;
}

void Workspace::addReject(RejectedInput reject)
{
    m_rejects.push_back(std::move(reject));
    if (m_rejects.size() > m_keptRejects) {
        m_rejects.pop_front();
        ++m_rejectsForgotten;
    }
}

Workspace::Update Workspace::poll(std::chrono::steady_clock::duration budget)
{
    Update u;
    if (!m_session)
        return u;
    // The analyses cost about as much per event as appending it: half the budget each.
    const Session::Update s = m_session->poll(budget / 2);
    u.firstEvent = s.firstEvent;
    u.endEvent = s.endEvent;
    const std::deque<RejectedFrame> &frames = m_session->rejects();
    const uint64_t forgottenBefore = m_rejectsForgotten;
    const size_t keptBefore = m_rejects.size();
    for (size_t i = frames.size() - s.newRejects; i < frames.size(); ++i) {
        const RejectedFrame &f = frames[i];
        RejectedInput r;
        r.origin = f.origin;
        r.topic = f.topic;
        r.reason = f.reason;
        r.frames = f.frames;
        r.bytes = f.bytes;
        r.receivedNs = f.receivedNs;
        // Rejects of one poll are placed after its events: arrival order within a poll
        // (a few milliseconds) is not kept across the decoder's batches.
        r.beforeEvent = s.endEvent;
        m_anomalies.addRejected(r.where(), r.reason);
        addReject(std::move(r));
    }
    // Those the session could not keep (more arrived in one poll than it keeps) are counted.
    for (size_t i = s.newRejects; i < s.rejectsArrived; ++i)
        m_anomalies.addRejected("live input", "a rejected message that was not kept (more arrived at once than are kept)");
    m_rejectsForgotten += s.rejectsArrived - s.newRejects;
    // Of the rejects that fell off the front, those that were kept before this poll were
    // rows already; the others never were.
    const size_t forgotten = static_cast<size_t>(m_rejectsForgotten - forgottenBefore);
    const size_t dropped = forgotten - (s.rejectsArrived - s.newRejects); // by addReject
    u.droppedRejects = std::min(dropped, keptBefore);
    u.newRejects = s.newRejects - (dropped - u.droppedRejects);
    if (s.endEvent != s.firstEvent)
        m_analysis->update();
    return u;
}

Workspace::Update Workspace::appendCopies(const EventStore &from, std::span<const uint32_t> events,
                                          std::span<const RejectedInput *const> rejects)
{
    Update u;
    if (m_session)
        return u;
    EventStore &store = *m_store;
    u.firstEvent = store.endIndex();
    for (const uint32_t i : events) {
        const EventRecord &r = from.record(i);
        if (r.origin >= m_copiedOrigins.size())
            m_copiedOrigins.resize(r.origin + 1, EventStore::kNoName);
        uint16_t &origin = m_copiedOrigins[r.origin];
        if (origin == EventStore::kNoName)
            origin = store.addOrigin(from.originName(r.origin));
        // What the decoder once said about it, read back from the store (the strings are
        // views into `from`, copied by append()).
        DecodedEvent e;
        e.raw = from.raw(i);
        e.eventLength = r.eventLength;
        e.eventId = from.eventId(i);
        e.eventType = from.typeName(r.type);
        e.source = from.sourceName(r.source);
        e.correlationId = from.correlationId(i);
        e.causationId = from.causationId(i);
        e.topic = from.topicName(r.topic);
        e.timestampNs = r.timestampNs;
        e.receivedNs = r.receivedNs;
        e.version = r.version;
        e.flags = r.flags;
        store.append(e, origin, r.line);
    }
    u.endEvent = store.endIndex();
    const uint64_t forgottenBefore = m_rejectsForgotten;
    const size_t keptBefore = m_rejects.size();
    for (const RejectedInput *reject : rejects) {
        RejectedInput r = *reject;
        r.beforeEvent = u.endEvent;
        m_anomalies.addRejected(r.where(), r.reason);
        addReject(std::move(r));
    }
    u.droppedRejects = std::min(static_cast<size_t>(m_rejectsForgotten - forgottenBefore), keptBefore);
    u.newRejects = rejects.size() - static_cast<size_t>(m_rejectsForgotten - forgottenBefore - u.droppedRejects);
    if (u.endEvent != u.firstEvent)
        m_analysis->update();
    return u;
}

} // namespace eventlens
