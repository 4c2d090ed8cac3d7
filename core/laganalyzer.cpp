#include "core/laganalyzer.h"

#include "core/event.h"
#include "core/eventstore.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace eventlens {

// --- LagDistribution -------------------------------------------------------------------

namespace {

/// nearestRank()'s rank (1-based) for p over n values, computed the same way.
uint64_t rankOf(double p, uint64_t n)
{
    const double rank = std::ceil(p / 100.0 * static_cast<double>(n));
    return static_cast<uint64_t>(std::clamp(rank, 1.0, static_cast<double>(n)));
}

/// |v| without overflow for INT64_MIN.
uint64_t magnitude(int64_t v)
{
    return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
}

int64_t saturated(uint64_t m, bool negative)
{
    constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    if (!negative)
        return m > kMax ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(m);
    return m > kMax ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(m);
}

} // namespace

size_t LagDistribution::bucketOf(uint64_t m)
{
    if (m < 128)
        return static_cast<size_t>(m);
    const int e = std::bit_width(m) - 1;      // 7 … 63: m in [2^e, 2^(e+1))
    const uint64_t sub = (m >> (e - 6)) - 64; // the 6 bits after the leading one
    return 128 + static_cast<size_t>(e - 7) * 64 + static_cast<size_t>(sub);
}

uint64_t LagDistribution::middleOf(size_t bucket)
{
    if (bucket < 128)
        return bucket;
    const size_t k = bucket - 128;
    const int shift = static_cast<int>(k / 64) + 1; // e − 6
    const uint64_t low = (64 + static_cast<uint64_t>(k % 64)) << shift;
    return low + (uint64_t{1} << (shift - 1)); // width 2^shift, low ≥ 64 × width
}

void LagDistribution::add(int64_t ns)
{
    m_min = m_count ? std::min(m_min, ns) : ns;
    m_max = m_count ? std::max(m_max, ns) : ns;
    ++m_count;
    if (m_histogram) {
        addToHistogram(ns);
        return;
    }
    m_values.push_back(ns);
    if (m_maxExact && m_values.size() > m_maxExact)
        toHistogram();
}

void LagDistribution::addToHistogram(int64_t ns)
{
    std::vector<uint64_t> &side = ns < 0 ? m_negative : m_positive;
    const size_t b = bucketOf(magnitude(ns));
    if (b >= side.size())
        side.resize(b + 1, 0);
    ++side[b];
}

void LagDistribution::toHistogram()
{
    m_histogram = true;
    for (int64_t v : m_values)
        addToHistogram(v);
    std::vector<int64_t>().swap(m_values);
}

int64_t LagDistribution::percentile(double p) const
{
    if (!m_count)
        return 0;
    if (!m_histogram)
        return nearestRank(m_values, p);
    // Walk the buckets from the most negative value up to the rank's bucket.
    uint64_t left = rankOf(p, m_count);
    auto clamp = [&](int64_t v) { return std::clamp(v, m_min, m_max); };
    for (size_t b = m_negative.size(); b-- > 0;) {
        if (m_negative[b] >= left)
            return clamp(saturated(middleOf(b), true));
        left -= m_negative[b];
    }
    for (size_t b = 0; b < m_positive.size(); ++b) {
        if (m_positive[b] >= left)
            return clamp(saturated(middleOf(b), false));
        left -= m_positive[b];
    }
    return m_max; // not reached: the counts add up to m_count
}

LagDistribution::Percentiles LagDistribution::percentiles() const
{
    if (!m_count)
        return {};
    return {percentile(50), percentile(95), percentile(99), m_max};
}

// --- LagAnalyzer -----------------------------------------------------------------------

void LagAnalyzer::event(const EventStore &store, uint32_t index)
{
    m_store = &store;
    const EventRecord &r = store.record(index);
    if (r.receivedNs == kNoTime || (r.flags & Duplicate))
        return;
    auto [it, added] = m_sourceOf.try_emplace(r.source, static_cast<uint32_t>(m_sources.size()));
    if (added)
        m_sources.emplace_back(r.source, m_options.maxExactSamples);
    m_sources[it->second].lags.add(r.receivedNs - r.timestampNs);
}

void LagAnalyzer::edge(const EventStore &store, const CausalEdge &edge)
{
    m_store = &store;
    const EventRecord &effect = store.record(edge.effect);
    const uint16_t consumer = effect.source, causeType = store.record(edge.cause).type;
    const uint32_t key = uint32_t{consumer} << 16 | causeType;
    auto [it, added] = m_pairOf.try_emplace(key, static_cast<uint32_t>(m_pairs.size()));
    if (added)
        m_pairs.emplace_back(consumer, causeType, m_options.maxExactSamples);
    Pair &p = m_pairs[it->second];
    p.cached.reset();
    ++p.count;
    ++m_edges;
    const Sample s{effect.timestampNs, edge.lagNs, edge.effect, edge.cause};
    const size_t cap = m_options.maxExactSamples;
    if (edge.skew()) {
        ++p.skew;
        ++m_skew;
        // Kept apart, for showing them (bounded: the newest `cap`).
        if (!cap || p.skewed.size() < cap)
            p.skewed.push_back(s);
        else
            p.skewed[p.skewNext++ % cap] = s;
        return;
    }
    p.lags.add(edge.lagNs);
    if (!cap || p.recent.size() < cap) {
        p.recent.push_back(s);
        return;
    }
    // Bounded: a ring of the newest `cap`; what it overwrites is gone from the timeline.
    Sample &slot = p.recent[p.ringNext];
    p.latestEvicted = std::max(p.latestEvicted.value_or(slot.effectNs), slot.effectNs);
    slot = s;
    p.ringNext = (p.ringNext + 1) % cap;
}

LagStats LagAnalyzer::statsOf(const Pair &p) const
{
    if (!p.cached) {
        const LagDistribution::Percentiles q = p.lags.percentiles();
        p.cached = LagStats{p.consumer, p.causeType, p.count, q.p50, q.p95, q.p99, q.max, p.skew};
    }
    return *p.cached;
}

bool LagAnalyzer::nameLess(uint16_t sourceA, uint16_t typeA, uint16_t sourceB, uint16_t typeB) const
{
    if (sourceA != sourceB)
        return m_store->sourceName(sourceA) < m_store->sourceName(sourceB);
    return typeA != typeB && m_store->typeName(typeA) < m_store->typeName(typeB);
}

std::vector<LagStats> LagAnalyzer::stats() const
{
    std::vector<LagStats> out;
    out.reserve(m_pairs.size());
    for (const Pair &p : m_pairs)
        out.push_back(statsOf(p));
    std::sort(out.begin(), out.end(), [this](const LagStats &a, const LagStats &b) {
        return nameLess(a.consumer, a.causeType, b.consumer, b.causeType);
    });
    return out;
}

std::optional<LagStats> LagAnalyzer::statsOf(uint16_t consumer, uint16_t causeType) const
{
    const auto it = m_pairOf.find(uint32_t{consumer} << 16 | causeType);
    if (it == m_pairOf.end())
        return std::nullopt;
    return statsOf(m_pairs[it->second]);
}

std::vector<LagWindow> LagAnalyzer::timeline(uint16_t consumer, uint16_t causeType, int64_t widthNs) const
{
    const auto it = m_pairOf.find(uint32_t{consumer} << 16 | causeType);
    if (it == m_pairOf.end() || widthNs <= 0)
        return {};
    const Pair &p = m_pairs[it->second];
    auto startOf = [widthNs](int64_t t) {
        const int64_t q = t / widthNs;
        return (q - (t % widthNs < 0 ? 1 : 0)) * widthNs; // floor, also before the epoch
    };
    std::vector<Sample> samples;
    samples.reserve(p.recent.size());
    for (const Sample &s : p.recent)
        if (!p.latestEvicted || startOf(s.effectNs) > *p.latestEvicted)
            samples.push_back({startOf(s.effectNs), s.lagNs, s.effect, s.cause});
    std::sort(samples.begin(), samples.end(), [](const Sample &a, const Sample &b) { return a.effectNs < b.effectNs; });

    std::vector<LagWindow> out;
    std::vector<int64_t> lags;
    for (size_t i = 0; i < samples.size();) {
        const int64_t start = samples[i].effectNs;
        lags.clear();
        for (; i < samples.size() && samples[i].effectNs == start; ++i)
            lags.push_back(samples[i].lagNs);
        LagWindow w;
        w.startNs = start;
        w.count = lags.size();
        w.maxNs = *std::max_element(lags.begin(), lags.end());
        w.p50Ns = nearestRank(lags, 50);
        w.p95Ns = nearestRank(lags, 95);
        w.p99Ns = nearestRank(lags, 99);
        out.push_back(w);
    }
    return out;
}

std::vector<IngestLag> LagAnalyzer::ingestLag() const
{
    std::vector<IngestLag> out;
    out.reserve(m_sources.size());
    for (const Source &s : m_sources) {
        const LagDistribution::Percentiles q = s.lags.percentiles();
        out.push_back({s.source, s.lags.count(), q.p50, q.p95, q.p99, q.max});
    }
    std::sort(out.begin(), out.end(), [this](const IngestLag &a, const IngestLag &b) {
        return m_store->sourceName(a.source) < m_store->sourceName(b.source);
    });
    return out;
}

std::vector<Reaction> LagAnalyzer::reactions(uint16_t consumer, uint16_t causeType) const
{
    std::vector<Reaction> out;
    auto add = [&out](const Pair &p) {
        for (const std::vector<Sample> *kept : {&p.recent, &p.skewed})
            for (const Sample &s : *kept)
                out.push_back({s.effect, s.cause, s.effectNs, s.lagNs});
    };
    if (causeType != UINT16_MAX) {
        if (const auto it = m_pairOf.find(uint32_t{consumer} << 16 | causeType); it != m_pairOf.end())
            add(m_pairs[it->second]);
    } else {
        for (const Pair &p : m_pairs)
            if (p.consumer == consumer)
                add(p);
    }
    if (!std::is_sorted(out.begin(), out.end(),
                        [](const Reaction &a, const Reaction &b) { return a.effectNs < b.effectNs; }))
        std::stable_sort(out.begin(), out.end(),
                         [](const Reaction &a, const Reaction &b) { return a.effectNs < b.effectNs; });
    return out;
}

size_t LagAnalyzer::retainedSamples() const
{
    size_t n = 0;
    for (const Pair &p : m_pairs)
        n += p.lags.exactValues() + p.recent.size() + p.skewed.size();
    for (const Source &s : m_sources)
        n += s.lags.exactValues();
    return n;
}

} // namespace eventlens
