#pragma once

#include "core/analysis.h"
#include "core/lagreactions.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace eventlens {

/// Values in nanoseconds (lags) whose nearest-rank percentiles are wanted.
///
/// Exact while it holds at most `maxExact` values (0 = no limit: always exact, as the CLI on
/// a recording must be). One value more and it switches, for good, to a log-bucketed
/// histogram of bounded size (at most 2 × 3 776 counters, whatever the number of values):
/// values of magnitude below 128 ns keep a bucket each (exact), larger ones share a bucket
/// with the values of the same power of two and the same top 7 bits (64 buckets per power
/// of two, each 1/64 of it wide). A percentile is reported as the middle of the bucket
/// holding the exact nearest-rank value, clamped to the exact minimum and maximum, so
///
///     |reported − exact| ≤ |exact| / 128   (relative error ≤ 0.79 % < 1 %)
///
/// for every percentile; count, minimum and maximum stay exact. Negative values are kept
/// too (mirrored buckets). Not thread-safe; percentiles() reorders the exact values.
class LagDistribution {
public:
    explicit LagDistribution(size_t maxExact = 0) : m_maxExact(maxExact) { }

    void add(int64_t ns);
    uint64_t count() const { return m_count; }
    bool exact() const { return !m_histogram; }
    int64_t min() const { return m_min; } ///< 0 when empty
    int64_t max() const { return m_max; } ///< 0 when empty
    /// The nearest-rank p-th percentile (p in (0, 100]), as nearestRank() computes it; 0 when empty.
    int64_t percentile(double p) const;

    struct Percentiles {
        int64_t p50 = 0, p95 = 0, p99 = 0, max = 0;
    };
    Percentiles percentiles() const;

    /// Values held one by one (0 once it has switched to the histogram).
    size_t exactValues() const { return m_values.size(); }

    /// Buckets per sign: exact below 128, then 64 per power of two up to 2^63.
    static constexpr size_t kBuckets = 128 + 57 * 64;

private:
    static size_t bucketOf(uint64_t magnitude);
    static uint64_t middleOf(size_t bucket);
    void toHistogram();
    void addToHistogram(int64_t ns);

    size_t m_maxExact;
    uint64_t m_count = 0;
    int64_t m_min = 0, m_max = 0;
    bool m_histogram = false;
    mutable std::vector<int64_t> m_values;        ///< exact mode (reordered by percentile())
    std::vector<uint64_t> m_positive, m_negative; ///< histogram mode: counts by bucketOf(|v|), grown as needed
};

/// One (consumer, cause type) pair of LagAnalyzer.
struct LagStats {
    uint16_t consumer = 0, causeType = 0;
    uint64_t count = 0;                                 ///< edges, skew ones included
    int64_t p50Ns = 0, p95Ns = 0, p99Ns = 0, maxNs = 0; ///< over the count − skew non-negative lags
    uint64_t skew = 0;                                  ///< edges with a negative lag
};
/// One window of LagAnalyzer::timeline().
struct LagWindow {
    int64_t startNs = 0; ///< a multiple of the width since the epoch (UTC)
    uint64_t count = 0;  ///< non-negative lags whose effect's timestamp falls in the window
    int64_t p50Ns = 0, p95Ns = 0, p99Ns = 0, maxNs = 0;
};
/// One source of LagAnalyzer::ingestLag().
struct IngestLag {
    uint16_t source = 0;
    uint64_t count = 0;                                 ///< events with a receive time (first occurrences)
    int64_t p50Ns = 0, p95Ns = 0, p99Ns = 0, maxNs = 0; ///< may be negative: clocks differ
};

/// Reaction lag per (consumer = the effect's source, cause type = the cause's eventType) from
/// every causation edge, with percentiles over time windows, and ingest lag (receive − event
/// time) per source.
///
/// Definitions (issue 4): an edge's lag is effect.timestamp − cause.timestamp. A negative lag
/// is *skew* (the effect is stamped before its cause): such edges are counted — in `count`
/// and apart in `skew` — and left out of every percentile, of `max` and of the timeline.
/// Percentiles are nearest-rank (nearestRank()): exact by default; with
/// Options::maxExactSamples a pair holding more lags than that switches to LagDistribution's
/// histogram (≤ 1 % relative error), for live sessions' bounded memory.
///
/// O(1) amortised per event and per edge; the queries sort or select over what is kept
/// (cached per pair until the pair changes). Event and type/source numbers are the store's;
/// the names are looked up in the store the analyzer was fed from, which must outlive it.
/// The queries are const but fill caches: ask from the thread that feeds it, as Analysis does.
class LagAnalyzer : public Analyzer {
public:
    struct Options {
        /// Lags kept one by one per pair (and receive lags per source); above it, that series
        /// switches to a bounded histogram and its timeline keeps the newest this many. 0 = unlimited.
        size_t maxExactSamples = 0;
    };

    using LagStats = eventlens::LagStats;
    using LagWindow = eventlens::LagWindow;
    using IngestLag = eventlens::IngestLag;

    LagAnalyzer() : LagAnalyzer(Options{}) { }
    explicit LagAnalyzer(Options options) : m_options(options) { }

    void event(const EventStore &store, uint32_t index) override;
    void edge(const EventStore &store, const CausalEdge &edge) override;

    /// Every pair, sorted by consumer name, then cause type name.
    std::vector<LagStats> stats() const;
    std::optional<LagStats> statsOf(uint16_t consumer, uint16_t causeType) const;
    /// Skew edges over all pairs.
    uint64_t skewCount() const { return m_skew; }
    /// Edges over all pairs.
    uint64_t edgeCount() const { return m_edges; }

    /// The pair's lags in windows [start, start + width) by the effect's timestamp, in time
    /// order; empty windows (and skew edges) are left out. Exact: every lag of the pair, or in
    /// bounded mode the newest maxExactSamples, leaving out windows that may have lost some
    /// (any window starting at or before the latest evicted effect's timestamp).
    std::vector<LagWindow> timeline(uint16_t consumer, uint16_t causeType, int64_t widthNs) const;

    /// The pair's reactions one by one (causeType UINT16_MAX: to every cause type), skewed ones
    /// included, in effect-time order: every one, or in bounded mode the newest
    /// maxExactSamples of each pair (and of its skewed ones). Store indexes may name events
    /// the store has since evicted. For drawing them: no store access, no hashing.
    std::vector<Reaction> reactions(uint16_t consumer, uint16_t causeType) const;

    /// receivedNs − timestampNs per source over the first occurrences that have a receive time,
    /// sorted by source name; sources without receive times are left out.
    std::vector<IngestLag> ingestLag() const;

    /// Values held one by one over all series: per pair its exact lags and its timeline's
    /// samples, per source its receive lags. Bounded mode: at most 2 × maxExactSamples per
    /// pair and maxExactSamples per source.
    size_t retainedSamples() const;

private:
    struct Sample {
        int64_t effectNs;
        int64_t lagNs;
        uint32_t effect, cause; ///< store indexes
    };
    struct Pair {
        Pair(uint16_t c, uint16_t t, size_t maxExact) : consumer(c), causeType(t), lags(maxExact) { }
        uint16_t consumer, causeType;
        uint64_t count = 0, skew = 0;
        LagDistribution lags;
        std::vector<Sample> recent; ///< for the timeline: all, or a ring of the newest
        std::vector<Sample> skewed; ///< skew edges: all, or a ring of the newest
        uint64_t skewNext = 0;      ///< bounded mode: where the next skewed one goes (mod the cap)
        size_t ringNext = 0;        ///< bounded mode: where the next sample goes once full
        std::optional<int64_t> latestEvicted;
        mutable std::optional<LagStats> cached;
    };
    struct Source {
        Source(uint16_t s, size_t maxExact) : source(s), lags(maxExact) { }
        uint16_t source;
        LagDistribution lags;
    };

    LagStats statsOf(const Pair &p) const;
    bool nameLess(uint16_t sourceA, uint16_t typeA, uint16_t sourceB, uint16_t typeB) const;

    Options m_options;
    const EventStore *m_store = nullptr;
    std::vector<Pair> m_pairs;
    std::unordered_map<uint32_t, uint32_t> m_pairOf; ///< consumer << 16 | causeType → m_pairs
    std::vector<Source> m_sources;
    std::unordered_map<uint16_t, uint32_t> m_sourceOf; ///< source → m_sources
    uint64_t m_skew = 0, m_edges = 0;
};

} // namespace eventlens
