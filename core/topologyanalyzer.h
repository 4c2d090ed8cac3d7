#pragma once

#include "core/analysis.h"
#include "core/laganalyzer.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace eventlens {

/// One service-graph edge: `producer` published events of `eventType` that `consumer` reacted to.
struct TopologyEdge {
    uint16_t producer = 0, eventType = 0, consumer = 0; ///< the cause's source and type, the effect's source
    uint64_t count = 0;                                 ///< causation edges, skew ones included
    double ratePerSecond = 0; ///< count over the span of event timestamps seen (0 while that span is 0)
    int64_t p50Ns = 0, p95Ns = 0, p99Ns = 0, maxNs = 0; ///< reaction lag, skew edges left out
    uint64_t skew = 0;                                  ///< edges with a negative lag
};

/// A source and how many times it took part: events published, or reactions.
struct TopologyParticipant {
    uint16_t source = 0;
    uint64_t count = 0;
};

/// Who publishes an event type and who reacts to it.
struct TopologyType {
    uint16_t eventType = 0;
    std::vector<TopologyParticipant> producers; ///< sources that published it (first occurrences), by name
    std::vector<TopologyParticipant> consumers; ///< sources with events it caused, by name; none: unconsumed
};

/// The service graph inferred from causation (issue 4): service →publishes→ eventType
/// →reacted-to-by→ service. A topology edge is (cause.source, cause.eventType, effect.source)
/// over all causation edges, with its count, rate and reaction-lag percentiles (nearest rank,
/// skew edges counted and left out, as in LagAnalyzer). Per event type its producers (from
/// the events themselves, duplicates excluded) and consumers; a type nobody reacts to is
/// unconsumed.
///
/// O(1) amortised per event and per edge (plus the few producers/consumers of one type).
/// Percentiles are exact unless Options::maxExactSamples bounds them (see LagDistribution:
/// ≤ 1 % relative error). Names are looked up in the store it was fed from, which must
/// outlive it.
/// The queries are const but fill caches: ask from the thread that feeds it, as Analysis does.
class TopologyAnalyzer : public Analyzer {
public:
    struct Options {
        size_t maxExactSamples = 0; ///< lags kept one by one per edge; 0 = unlimited (see LagDistribution)
    };

    TopologyAnalyzer() : TopologyAnalyzer(Options{}) { }
    explicit TopologyAnalyzer(Options options) : m_options(options) { }

    void event(const EventStore &store, uint32_t index) override;
    void edge(const EventStore &store, const CausalEdge &edge) override;

    /// Every edge, sorted by producer name, event type name, consumer name.
    std::vector<TopologyEdge> edges() const;
    std::optional<TopologyEdge> edgeOf(uint16_t producer, uint16_t eventType, uint16_t consumer) const;
    /// Every event type seen (published or reacted to), sorted by name.
    std::vector<TopologyType> types() const;
    /// Types published but reacted to by nobody, sorted by name.
    std::vector<uint16_t> unconsumedTypes() const;
    /// Sources that published events, sorted by name.
    std::vector<uint16_t> services() const;
    /// Latest − earliest event timestamp seen (first occurrences); 0 before two distinct times.
    int64_t spanNs() const { return m_first ? m_last - *m_first : 0; }

private:
    struct Edge {
        Edge(uint16_t p, uint16_t t, uint16_t c, size_t maxExact)
            : producer(p), eventType(t), consumer(c), lags(maxExact)
        { }
        uint16_t producer, eventType, consumer;
        uint64_t count = 0, skew = 0;
        LagDistribution lags;
        mutable std::optional<LagDistribution::Percentiles> cached;
    };
    struct Type {
        std::vector<TopologyParticipant> producers, consumers; // in first-seen order
    };

    Type &typeAt(uint16_t type);
    TopologyEdge edgeStats(const Edge &e) const;
    std::vector<TopologyParticipant> byName(std::vector<TopologyParticipant> list) const;

    Options m_options;
    const EventStore *m_store = nullptr;
    std::vector<Edge> m_edges;
    std::unordered_map<uint64_t, uint32_t> m_edgeOf; ///< producer << 32 | type << 16 | consumer → m_edges
    std::vector<Type> m_types;                       ///< by type number
    std::optional<int64_t> m_first;
    int64_t m_last = 0;
};

} // namespace eventlens
