#pragma once

#include "core/analysis.h"
#include "core/event.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace eventlens {

/// What a throughput series is counted by.
enum class ThroughputKey { Type, Source, Topic };
/// Which time an event is binned by: its timestamp, or when it was received (events without a
/// receive time are not counted on that clock).
enum class ThroughputClock { Event, Received };

/// Events per time bin per series (an eventType, a source or a topic), on both clocks.
///
/// Every appended event counts, duplicates included: they were delivered. Bins are aligned
/// to whole multiples of their width since the epoch (UTC), so 1 s bins start on the second.
/// Incremental, O(1) amortised per event.
///
/// With history (the default), a sparse histogram at 10 ms resolution is kept per series and
/// re-binned on demand: bins() gives exact counts at any width that is a multiple of 10 ms.
/// Without history (long live sessions) only rolling rings are kept — per series the last
/// 1 min at 100 ms, 10 min at 1 s and 1 h at 5 s — so memory stays bounded; events older than
/// the rings count in the totals only.
class ThroughputAnalyzer : public Analyzer {
public:
    static constexpr int64_t kBaseBinNs = 10'000'000; ///< the history's resolution: 10 ms
    static constexpr size_t kMaxPoints = 2000;        ///< per series, in any result
    /// The series name for events without a topic (ThroughputKey::Topic).
    static constexpr const char *kNoTopic = "(no topic)";

    struct Options {
        bool keepHistory = true; ///< false: rolling windows and totals only (bounded memory)
    };

    struct Point {
        int64_t startNs = 0; ///< the bin is [startNs, startNs + binNs)
        uint64_t count = 0;
    };
    struct Series {
        std::string name;
        std::vector<Point> points; ///< one per bin of the result, empty bins as 0
        uint64_t total = 0;        ///< every event of this series on this clock, in the points or not
    };
    struct Result {
        int64_t binNs = 0;
        int64_t fromNs = kNoTime;                    ///< start of the first bin (kNoTime: nothing counted)
        int64_t toNs = kNoTime;                      ///< end of the last bin
        int64_t firstNs = kNoTime, lastNs = kNoTime; ///< the earliest and latest event time on the clock
        bool widened = false;                        ///< the bins are wider than asked (at most kMaxPoints bins)
        /// Every series with events on the clock, each with the same bins; sorted by total
        /// (most first), then name.
        std::vector<Series> series;
        size_t bins() const
        {
            return binNs > 0 && fromNs != kNoTime ? static_cast<size_t>((toNs - fromNs) / binNs) : 0;
        }
    };

    ThroughputAnalyzer();
    explicit ThroughputAnalyzer(Options options);
    ~ThroughputAnalyzer() override;

    void event(const EventStore &store, uint32_t index) override;

    /// The whole session at `binNs` (a multiple of 10 ms; rounded up otherwise), or with 0 the
    /// smallest of 10, 20, 50, 100, 200, 500 ms, 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min,
    /// 1 h (past those 2, 3, 6, 12 h, then whole days) that gives at most kMaxPoints bins. A
    /// width that would give more bins is widened (`widened`) to the finest of those widths at
    /// least as wide that fits. Bins run from the first event's to the last's. O(bins with
    /// events). Without history: the series and their totals, no bins. `maxBins` (at most
    /// kMaxPoints) lowers the limit, e.g. to what a chart of some width can show.
    Result bins(ThroughputKey key, ThroughputClock clock, int64_t binNs = 0, size_t maxBins = kMaxPoints) const;

    /// The last `span` up to `nowNs` (default: the newest time seen on the clock), for live
    /// charts: 60 s at 100 ms, 600 s at 1 s, 3600 s at 5 s; another span takes the finest of
    /// those covering it. Longer than 1 h: from the history (at most kMaxPoints bins), or,
    /// without history, the last hour. The last bin is the one holding `nowNs`; events after
    /// it are left out. `nowNs` is meant to be at or after the newest event: without history,
    /// bins the rings have already dropped read as 0. Cost: O(points) from the rings; from the
    /// history, O(10 ms bins with events in the span).
    Result window(ThroughputKey key, ThroughputClock clock, std::chrono::seconds span, int64_t nowNs = kNoTime) const;

    /// The width bins(…, 0) picks for a span from `firstNs` to `lastNs`: the finest of the nice
    /// widths that gives at most `maxBins` bins.
    static int64_t autoBinNs(int64_t firstNs, int64_t lastNs, size_t maxBins = kMaxPoints);
    /// Bins of `binNs` (aligned to the epoch) needed to cover `firstNs` … `lastNs`.
    static int64_t binCount(int64_t firstNs, int64_t lastNs, int64_t binNs);

    /// Events counted on a clock, and the newest time seen there (kNoTime: none).
    uint64_t total(ThroughputClock clock) const;
    int64_t newestNs(ThroughputClock clock) const;
    /// Bytes held by the counts (histories, rings, totals); without history this stops
    /// growing once every series has been seen.
    size_t memoryUsage() const;
    const Options &options() const { return m_options; }

private:
    struct Ring;
    struct History;
    struct SeriesData;
    struct Table;
    struct Resolution {
        int64_t binNs;
        int64_t slotCount; ///< not `slots`: Qt defines that word, and the app includes this header
    };
    static constexpr std::array<Resolution, 3> kRings{{{100'000'000, 600}, {1'000'000'000, 600}, {5'000'000'000, 720}}};

    static SeriesData &series(Table &table, uint32_t id);
    using Bins = std::array<int64_t, 1 + kRings.size()>; ///< an event's history bin, then its ring bins
    void count(SeriesData &s, const Bins &bins);
    const Table &table(ThroughputKey key, ThroughputClock clock) const;
    Result collect(const Table &table, int64_t fromNs, int64_t binNs, int64_t binsWanted, bool fromRing,
                   size_t ring) const;

    Options m_options;
    std::array<std::unique_ptr<Table>, 6> m_tables; ///< [key * 2 + clock]
    std::array<uint64_t, 2> m_total{};
    std::array<int64_t, 2> m_first{kNoTime, kNoTime}, m_last{kNoTime, kNoTime};
};

} // namespace eventlens
