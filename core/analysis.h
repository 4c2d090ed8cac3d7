#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace eventlens {

class EventStore;

/// A causation edge (the analyses' contract): `effect`'s causationId names `cause`, both
/// first occurrences of their eventIds (a duplicate is the same node, never a new edge).
struct CausalEdge {
    uint32_t cause = 0;  ///< store index
    uint32_t effect = 0; ///< store index
    int64_t lagNs = 0;   ///< effect.timestamp − cause.timestamp: the reaction lag
    bool crossFlow = false; ///< cause and effect have different correlationIds
    bool skew() const { return lagNs < 0; } ///< the effect is stamped before its cause
};

/// One incremental analysis over a store's events. The store is the single source of truth:
/// an analyzer keeps event indexes and type/source numbers (both stable), never ids.
class Analyzer {
public:
    virtual ~Analyzer() = default;
    /// Every appended event, duplicates included, in arrival order.
    virtual void event(const EventStore &store, uint32_t index)
    {
        (void)store;
        (void)index;
    }
    /// Every causation edge, once: when the later of its two events is processed, whichever
    /// of them arrived first. So results do not depend on how appends were grouped: a
    /// recording opened at once and the same recording replayed event by event agree.
    virtual void edge(const EventStore &store, const CausalEdge &edge)
    {
        (void)store;
        (void)edge;
    }
};

/// Feeds analyzers from a store, incrementally: call update() after appends — once after a
/// recording is loaded, after every poll of a live session. O(1) amortised per event plus
/// O(1) per edge. Runs on the store's owner thread; a large update (a recording just
/// opened) feeds half of the analyzers on a second thread — each analyzer still sees every
/// call from one thread, in the same order, and the store is only read meanwhile.
class Analysis {
public:
    explicit Analysis(const EventStore &store);

    void add(Analyzer &analyzer) { m_analyzers.push_back(&analyzer); }
    /// Processes the events appended since the last call.
    void update();
    /// One past the last event processed.
    uint32_t processedEnd() const { return m_next; }

    uint64_t edges() const { return m_edges; }
    uint64_t skewEdges() const { return m_skew; }
    uint64_t crossFlowEdges() const { return m_crossFlow; }

    /// Updates at least this many events long are fed to the analyzers on two threads.
    static constexpr uint32_t kParallelFrom = 50'000;

private:
    /// Walks [from, end): calls onEvent(i) for each event and onEdge(i, edge) for each edge
    /// emitted while processing event i, after onEvent(i).
    template<typename OnEvent, typename OnEdge>
    void walk(uint32_t from, uint32_t end, OnEvent onEvent, OnEdge onEdge);
    void count(const CausalEdge &edge);
    void renumberPending();

    const EventStore &m_store;
    std::vector<Analyzer *> m_analyzers;
    uint32_t m_next = 0;
    uint32_t m_firstSeen = 0; ///< the store's firstIndex() at the last update (eviction renumbers ids)
    uint64_t m_edges = 0, m_skew = 0, m_crossFlow = 0;
    /// Effects processed before their cause, by the causationId's store id: the edge is
    /// emitted when the cause is processed. Rare (out-of-order arrival, unseen causes).
    std::unordered_map<uint32_t, std::vector<uint32_t>> m_waiting;
};

/// The p-th percentile by nearest rank: the smallest value with at least p % of the values
/// at or below it (p in (0, 100]). Reorders `values`; 0 for none. Exact, as the CLI's
/// numbers on a recording must be.
int64_t nearestRank(std::vector<int64_t> &values, double p);

} // namespace eventlens
