#include "core/throughputanalyzer.h"

#include "core/eventstore.h"

#include <algorithm>
#include <limits>
#include <map>

namespace eventlens {

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSecond = 1000 * kMs;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

/// The widths bins() picks from, finest first; past the last, whole days.
constexpr int64_t kNiceWidths[] = {10 * kMs, 20 * kMs,    50 * kMs,    100 * kMs,    200 * kMs,    500 * kMs,
                                   kSecond,  2 * kSecond, 5 * kSecond, 10 * kSecond, 15 * kSecond, 30 * kSecond,
                                   kMinute,  2 * kMinute, 5 * kMinute, 10 * kMinute, 15 * kMinute, 30 * kMinute,
                                   kHour,    2 * kHour,   3 * kHour,   6 * kHour,    12 * kHour,   kDay};

int64_t floorDiv(int64_t a, int64_t b)
{
    const int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t roundUp(int64_t v, int64_t step)
{
    return v % step == 0 ? v : (v / step + 1) * step;
}

constexpr int64_t kNeverSeen = std::numeric_limits<int64_t>::min();

} // namespace

/// A series' counts at 10 ms resolution, sparse. The run holds one packed entry per bin with
/// events, sorted: the bin's offset from `base` in the high bits, its count in the low ones.
/// Bins in arrival order are appended (the common case, O(1)); a late event adds to its bin in
/// the run if it is there (the last few are checked first), else to `stray`, which is merged
/// into the run once it holds more than an eighth as many bins (O(1) amortised). A bin may
/// appear more than once (a full count, a merge): readers sum.
struct ThroughputAnalyzer::History {
    static constexpr int kCountBits = 22; ///< up to 4 194 303 events per 10 ms per entry
    static constexpr uint64_t kCountMask = (uint64_t{1} << kCountBits) - 1;
    // 10 ms bins over the whole int64 nanosecond range need 41 bits: 42 are left.

    int64_t base = 0;                  ///< the run's first bin
    std::vector<uint64_t> run;         ///< (bin - base) << kCountBits | count, offsets ascending
    std::map<int64_t, uint64_t> stray; ///< late bins not in the run (or before its base)

    static uint64_t offsetOf(uint64_t entry) { return entry >> kCountBits; }

    void add(int64_t bin)
    {
        const size_t n = run.size();
        if (n == 0) {
            base = bin;
            run.push_back(1);
            return;
        }
        if (bin >= base) {
            const uint64_t off = static_cast<uint64_t>(bin - base), last = offsetOf(run.back());
            if (off > last) {
                run.push_back(off << kCountBits | 1);
                return;
            }
            // Late (or a full count): most often a bin just behind the newest.
            const size_t stop = n > 8 ? n - 8 : 0;
            for (size_t k = n; k-- > stop;) {
                const uint64_t o = offsetOf(run[k]);
                if (o == off && (run[k] & kCountMask) != kCountMask) {
                    ++run[k];
                    return;
                }
                if (o < off) {
                    addStray(bin);
                    return;
                }
            }
            const auto it = std::lower_bound(run.begin(), run.begin() + static_cast<ptrdiff_t>(stop), off,
                                             [](uint64_t e, uint64_t o) { return offsetOf(e) < o; });
            if (it != run.begin() + static_cast<ptrdiff_t>(stop) && offsetOf(*it) == off
                && (*it & kCountMask) != kCountMask) {
                ++*it;
                return;
            }
        }
        addStray(bin);
    }

    void addStray(int64_t bin)
    {
        ++stray[bin];
        if (stray.size() > 64 && stray.size() * 8 > run.size())
            merge();
    }

    /// Rebuilds the run with the stray bins in it, from the earliest bin.
    void merge()
    {
        const int64_t newBase = std::min(base, stray.begin()->first);
        std::vector<uint64_t> merged;
        merged.reserve(run.size() + stray.size());
        auto put = [&](int64_t bin, uint64_t count) {
            const uint64_t off = static_cast<uint64_t>(bin - newBase) << kCountBits;
            for (; count > kCountMask; count -= kCountMask)
                merged.push_back(off | kCountMask);
            merged.push_back(off | count);
        };
        size_t i = 0;
        for (const auto &[bin, count] : stray) {
            for (; i < run.size() && base + static_cast<int64_t>(offsetOf(run[i])) < bin; ++i)
                put(base + static_cast<int64_t>(offsetOf(run[i])), run[i] & kCountMask);
            put(bin, count);
        }
        for (; i < run.size(); ++i)
            put(base + static_cast<int64_t>(offsetOf(run[i])), run[i] & kCountMask);
        run = std::move(merged);
        base = newBase;
        stray.clear();
    }

    /// f(bin, count) for the bins in [from, to), in no particular order (a bin may come twice).
    template<typename F> void forEach(int64_t from, int64_t to, F f) const
    {
        if (!run.empty() && to > base) {
            const uint64_t first = from > base ? static_cast<uint64_t>(from - base) : 0;
            const uint64_t end = static_cast<uint64_t>(to - base);
            for (auto it = std::lower_bound(run.begin(), run.end(), first,
                                            [](uint64_t e, uint64_t o) { return offsetOf(e) < o; });
                 it != run.end() && offsetOf(*it) < end; ++it)
                f(base + static_cast<int64_t>(offsetOf(*it)), *it & kCountMask);
        }
        for (auto it = stray.lower_bound(from); it != stray.end() && it->first < to; ++it)
            f(it->first, it->second);
    }

    size_t memoryUsage() const
    {
        // A map node: the value plus three pointers and a colour, rounded.
        return run.capacity() * sizeof(uint64_t) + stray.size() * 48;
    }
};

/// The last `slots` bins of one resolution, reused as time advances: bin `b` is in slot
/// headSlot - (head - b) (mod slots) while head - slots < b <= head. No division per event.
struct ThroughputAnalyzer::Ring {
    std::vector<uint32_t> slots;
    int64_t head = kNeverSeen;
    size_t headSlot = 0;

    void add(int64_t bin)
    {
        const int64_t n = static_cast<int64_t>(slots.size());
        if (head == kNeverSeen || bin - head >= n) {
            std::fill(slots.begin(), slots.end(), 0u);
            head = bin;
            headSlot = 0;
        } else if (bin > head) {
            for (; head < bin; ++head) {
                headSlot = headSlot + 1 == slots.size() ? 0 : headSlot + 1;
                slots[headSlot] = 0;
            }
        } else if (bin <= head - n) {
            return; // older than the ring: in the totals only
        }
        ++slots[slot(bin)];
    }
    uint32_t get(int64_t bin) const
    {
        const int64_t n = static_cast<int64_t>(slots.size());
        return head != kNeverSeen && bin <= head && bin > head - n ? slots[slot(bin)] : 0;
    }
    /// For head - slots < bin <= head.
    size_t slot(int64_t bin) const
    {
        const size_t back = static_cast<size_t>(head - bin);
        return back <= headSlot ? headSlot - back : headSlot + slots.size() - back;
    }
    size_t memoryUsage() const { return slots.capacity() * sizeof(uint32_t); }
};

struct ThroughputAnalyzer::SeriesData {
    std::string name;
    uint64_t total = 0;
    History history;
    std::array<Ring, kRings.size()> rings;
};

struct ThroughputAnalyzer::Table {
    std::vector<SeriesData> series; ///< by type / source number; topics shifted by one, 0 = none
};

ThroughputAnalyzer::ThroughputAnalyzer() : ThroughputAnalyzer(Options{})
{ }

ThroughputAnalyzer::ThroughputAnalyzer(Options options) : m_options(options)
{
    for (auto &t : m_tables)
        t = std::make_unique<Table>();
}

ThroughputAnalyzer::~ThroughputAnalyzer() = default;

const ThroughputAnalyzer::Table &ThroughputAnalyzer::table(ThroughputKey key, ThroughputClock clock) const
{
    return *m_tables[static_cast<size_t>(key) * 2 + static_cast<size_t>(clock)];
}

ThroughputAnalyzer::SeriesData &ThroughputAnalyzer::series(Table &table, uint32_t id)
{
    if (id >= table.series.size())
        table.series.resize(id + 1);
    return table.series[id];
}

void ThroughputAnalyzer::count(SeriesData &s, const Bins &bins)
{
    if (s.total++ == 0 && !m_options.keepHistory)
        for (size_t r = 0; r < kRings.size(); ++r)
            s.rings[r].slots.assign(static_cast<size_t>(kRings[r].slotCount), 0);
    if (m_options.keepHistory) {
        s.history.add(bins[0]);
    } else {
        for (size_t r = 0; r < kRings.size(); ++r)
            s.rings[r].add(bins[r + 1]);
    }
}

void ThroughputAnalyzer::event(const EventStore &store, uint32_t index)
{
    const EventRecord &r = store.record(index);
    const int64_t times[2] = {r.timestampNs, r.receivedNs};
    for (size_t c = 0; c < 2; ++c) {
        const int64_t t = times[c];
        if (t == kNoTime)
            continue; // not received: not on the receive clock
        ++m_total[c];
        m_first[c] = m_first[c] == kNoTime ? t : std::min(m_first[c], t);
        m_last[c] = m_last[c] == kNoTime ? t : std::max(m_last[c], t);
        // The event's bin at each resolution, once for the three keys.
        Bins bins{};
        if (m_options.keepHistory) {
            bins[0] = floorDiv(t, kBaseBinNs);
        } else {
            bins[1] = floorDiv(t, kRings[0].binNs);
            bins[2] = floorDiv(t, kRings[1].binNs);
            bins[3] = floorDiv(t, kRings[2].binNs);
        }
        // Names are looked up for a series' first event only.
        SeriesData &type = series(*m_tables[0 * 2 + c], r.type);
        if (!type.total)
            type.name = store.typeName(r.type);
        count(type, bins);
        SeriesData &source = series(*m_tables[1 * 2 + c], r.source);
        if (!source.total)
            source.name = store.sourceName(r.source);
        count(source, bins);
        const bool noTopic = r.topic == EventStore::kNoName;
        SeriesData &topic = series(*m_tables[2 * 2 + c], noTopic ? 0u : r.topic + 1u);
        if (!topic.total)
            topic.name = noTopic ? std::string_view(kNoTopic) : store.topicName(r.topic);
        count(topic, bins);
    }
}

int64_t ThroughputAnalyzer::binCount(int64_t firstNs, int64_t lastNs, int64_t binNs)
{
    return floorDiv(lastNs, binNs) - floorDiv(firstNs, binNs) + 1;
}

int64_t ThroughputAnalyzer::autoBinNs(int64_t firstNs, int64_t lastNs, size_t maxBins)
{
    const int64_t max = std::max<int64_t>(static_cast<int64_t>(maxBins), 2);
    for (const int64_t w : kNiceWidths)
        if (binCount(firstNs, lastNs, w) <= max)
            return w;
    // Past the nice widths (more than 2,000 days at the default): whole days.
    const uint64_t span = static_cast<uint64_t>(lastNs) - static_cast<uint64_t>(firstNs);
    int64_t days = static_cast<int64_t>(span / static_cast<uint64_t>(kDay) / static_cast<uint64_t>(max - 1)) + 1;
    while (binCount(firstNs, lastNs, days * kDay) > max)
        ++days;
    return days * kDay;
}

uint64_t ThroughputAnalyzer::total(ThroughputClock clock) const
{
    return m_total[static_cast<size_t>(clock)];
}

int64_t ThroughputAnalyzer::newestNs(ThroughputClock clock) const
{
    return m_last[static_cast<size_t>(clock)];
}

size_t ThroughputAnalyzer::memoryUsage() const
{
    size_t bytes = sizeof(*this);
    for (const auto &t : m_tables) {
        bytes += sizeof(Table) + t->series.capacity() * sizeof(SeriesData);
        for (const SeriesData &s : t->series) {
            bytes += s.name.capacity() > 15 ? s.name.capacity() : 0;
            bytes += s.history.memoryUsage();
            for (const Ring &r : s.rings)
                bytes += r.slots.capacity() * sizeof(uint32_t);
        }
    }
    return bytes;
}

ThroughputAnalyzer::Result ThroughputAnalyzer::collect(const Table &table, int64_t fromNs, int64_t binNs,
                                                       int64_t binsWanted, bool fromRing, size_t ring) const
{
    Result r;
    r.binNs = binNs;
    r.fromNs = fromNs;
    r.toNs = fromNs + binsWanted * binNs;
    const size_t n = static_cast<size_t>(binsWanted);
    for (const SeriesData &s : table.series) {
        if (!s.total)
            continue;
        Series out;
        out.name = s.name;
        out.total = s.total;
        out.points.resize(n);
        for (size_t i = 0; i < n; ++i)
            out.points[i].startNs = fromNs + static_cast<int64_t>(i) * binNs;
        if (fromRing) {
            const int64_t first = floorDiv(fromNs, binNs);
            for (size_t i = 0; i < n; ++i)
                out.points[i].count = s.rings[ring].get(first + static_cast<int64_t>(i));
        } else {
            s.history.forEach(floorDiv(fromNs, kBaseBinNs), floorDiv(r.toNs, kBaseBinNs), [&](int64_t bin, uint64_t c) {
                out.points[static_cast<size_t>(floorDiv(bin * kBaseBinNs - fromNs, binNs))].count += c;
            });
        }
        r.series.push_back(std::move(out));
    }
    std::sort(r.series.begin(), r.series.end(), [](const Series &a, const Series &b) {
        return a.total != b.total ? a.total > b.total : a.name < b.name;
    });
    return r;
}

ThroughputAnalyzer::Result ThroughputAnalyzer::bins(ThroughputKey key, ThroughputClock clock, int64_t binNs,
                                                    size_t maxBins) const
{
    const Table &t = table(key, clock);
    const int64_t first = m_first[static_cast<size_t>(clock)], last = m_last[static_cast<size_t>(clock)];
    int64_t width = binNs > 0 ? roundUp(binNs, kBaseBinNs) : kBaseBinNs;
    maxBins = std::clamp<size_t>(maxBins, 1, kMaxPoints);
    if (first != kNoTime) {
        if (binNs <= 0) {
            width = autoBinNs(first, last, maxBins);
        } else if (binCount(first, last, width) > static_cast<int64_t>(maxBins)) {
            // The finest nice width at least as wide as asked that fits.
            int64_t wider = 0;
            for (const int64_t w : kNiceWidths)
                if (w >= width && binCount(first, last, w) <= static_cast<int64_t>(maxBins)) {
                    wider = w;
                    break;
                }
            width = wider ? wider : std::max(width, autoBinNs(first, last, maxBins));
        }
    }

    Result r;
    if (!m_options.keepHistory || first == kNoTime) {
        r = collect(t, 0, width, 0, false, 0); // the series and their totals
        r.fromNs = r.toNs = kNoTime;
        if (!m_options.keepHistory)
            r.binNs = 0;
    } else {
        const int64_t from = floorDiv(first, width) * width;
        r = collect(t, from, width, binCount(first, last, width), false, 0);
    }
    r.widened = binNs > 0 && r.binNs != 0 && r.binNs != binNs;
    r.firstNs = first;
    r.lastNs = last;
    return r;
}

ThroughputAnalyzer::Result ThroughputAnalyzer::window(ThroughputKey key, ThroughputClock clock,
                                                      std::chrono::seconds span, int64_t nowNs) const
{
    const Table &t = table(key, clock);
    const int64_t spanNs = std::clamp<int64_t>(span.count(), 1, 3650 * 86400) * kSecond; // 1 s … 10 years
    const int64_t now = nowNs != kNoTime ? nowNs : m_last[static_cast<size_t>(clock)];

    size_t ring = kRings.size();
    for (size_t k = 0; k < kRings.size(); ++k)
        if (kRings[k].binNs * kRings[k].slotCount >= spanNs) {
            ring = k;
            break;
        }
    int64_t width = 0, points = 0;
    if (ring < kRings.size()) {
        width = kRings[ring].binNs;
        points = (spanNs + width - 1) / width;
    } else if (m_options.keepHistory) {
        width = kDay;
        for (const int64_t w : kNiceWidths)
            if ((spanNs + w - 1) / w <= static_cast<int64_t>(kMaxPoints)) {
                width = w;
                break;
            }
        while ((spanNs + width - 1) / width > static_cast<int64_t>(kMaxPoints))
            width += kDay;
        points = (spanNs + width - 1) / width;
    } else { // the longest ring: the last hour
        ring = kRings.size() - 1;
        width = kRings[ring].binNs;
        points = kRings[ring].slotCount;
    }

    Result r;
    if (now == kNoTime) {
        r.binNs = width;
        return r;
    }
    const int64_t lastBin = floorDiv(now, width);
    r = collect(t, (lastBin - points + 1) * width, width, points, !m_options.keepHistory, ring);
    r.firstNs = m_first[static_cast<size_t>(clock)];
    r.lastNs = m_last[static_cast<size_t>(clock)];
    return r;
}

} // namespace eventlens
