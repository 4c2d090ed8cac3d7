#include "core/topologyanalyzer.h"

#include "core/event.h"
#include "core/eventstore.h"

#include <algorithm>

namespace eventlens {

namespace {

void countIn(std::vector<TopologyParticipant> &list, uint16_t source)
{
    for (TopologyParticipant &p : list)
        if (p.source == source) {
            ++p.count;
            return;
        }
    list.push_back({source, 1});
}

uint64_t keyOf(uint16_t producer, uint16_t type, uint16_t consumer)
{
    return uint64_t{producer} << 32 | uint64_t{type} << 16 | consumer;
}

} // namespace

TopologyAnalyzer::Type &TopologyAnalyzer::typeAt(uint16_t type)
{
    if (type >= m_types.size())
        m_types.resize(size_t{type} + 1);
    return m_types[type];
}

void TopologyAnalyzer::event(const EventStore &store, uint32_t index)
{
    m_store = &store;
    const EventRecord &r = store.record(index);
    if (r.flags & Duplicate)
        return; // the same event again: not published twice
    if (!m_first) {
        m_first = r.timestampNs;
        m_last = r.timestampNs;
    } else {
        m_first = std::min(*m_first, r.timestampNs);
        m_last = std::max(m_last, r.timestampNs);
    }
    countIn(typeAt(r.type).producers, r.source);
}

void TopologyAnalyzer::edge(const EventStore &store, const CausalEdge &edge)
{
    m_store = &store;
    const EventRecord &cause = store.record(edge.cause), &effect = store.record(edge.effect);
    auto [it, added] =
        m_edgeOf.try_emplace(keyOf(cause.source, cause.type, effect.source), static_cast<uint32_t>(m_edges.size()));
    if (added)
        m_edges.emplace_back(cause.source, cause.type, effect.source, m_options.maxExactSamples);
    Edge &e = m_edges[it->second];
    e.cached.reset();
    ++e.count;
    if (edge.skew())
        ++e.skew;
    else
        e.lags.add(edge.lagNs);
    countIn(typeAt(cause.type).consumers, effect.source);
}

TopologyEdge TopologyAnalyzer::edgeStats(const Edge &e) const
{
    if (!e.cached)
        e.cached = e.lags.percentiles();
    const LagDistribution::Percentiles &q = *e.cached;
    const int64_t span = spanNs();
    const double rate = span > 0 ? static_cast<double>(e.count) / (static_cast<double>(span) / 1e9) : 0.0;
    return {e.producer, e.eventType, e.consumer, e.count, rate, q.p50, q.p95, q.p99, q.max, e.skew};
}

std::vector<TopologyEdge> TopologyAnalyzer::edges() const
{
    std::vector<TopologyEdge> out;
    out.reserve(m_edges.size());
    for (const Edge &e : m_edges)
        out.push_back(edgeStats(e));
    std::sort(out.begin(), out.end(), [this](const TopologyEdge &a, const TopologyEdge &b) {
        const EventStore &s = *m_store;
        if (a.producer != b.producer)
            return s.sourceName(a.producer) < s.sourceName(b.producer);
        if (a.eventType != b.eventType)
            return s.typeName(a.eventType) < s.typeName(b.eventType);
        return a.consumer != b.consumer && s.sourceName(a.consumer) < s.sourceName(b.consumer);
    });
    return out;
}

std::optional<TopologyEdge> TopologyAnalyzer::edgeOf(uint16_t producer, uint16_t eventType, uint16_t consumer) const
{
    const auto it = m_edgeOf.find(keyOf(producer, eventType, consumer));
    if (it == m_edgeOf.end())
        return std::nullopt;
    return edgeStats(m_edges[it->second]);
}

std::vector<TopologyParticipant> TopologyAnalyzer::byName(std::vector<TopologyParticipant> list) const
{
    std::sort(list.begin(), list.end(), [this](const TopologyParticipant &a, const TopologyParticipant &b) {
        return m_store->sourceName(a.source) < m_store->sourceName(b.source);
    });
    return list;
}

std::vector<TopologyType> TopologyAnalyzer::types() const
{
    std::vector<TopologyType> out;
    for (size_t t = 0; t < m_types.size(); ++t) {
        const Type &type = m_types[t];
        if (type.producers.empty() && type.consumers.empty())
            continue;
        out.push_back({static_cast<uint16_t>(t), byName(type.producers), byName(type.consumers)});
    }
    std::sort(out.begin(), out.end(), [this](const TopologyType &a, const TopologyType &b) {
        return m_store->typeName(a.eventType) < m_store->typeName(b.eventType);
    });
    return out;
}

std::vector<uint16_t> TopologyAnalyzer::unconsumedTypes() const
{
    std::vector<uint16_t> out;
    for (size_t t = 0; t < m_types.size(); ++t)
        if (!m_types[t].producers.empty() && m_types[t].consumers.empty())
            out.push_back(static_cast<uint16_t>(t));
    std::sort(out.begin(), out.end(),
              [this](uint16_t a, uint16_t b) { return m_store->typeName(a) < m_store->typeName(b); });
    return out;
}

std::vector<uint16_t> TopologyAnalyzer::services() const
{
    std::vector<uint16_t> out;
    for (const Type &t : m_types)
        for (const TopologyParticipant &p : t.producers)
            if (std::find(out.begin(), out.end(), p.source) == out.end())
                out.push_back(p.source);
    std::sort(out.begin(), out.end(),
              [this](uint16_t a, uint16_t b) { return m_store->sourceName(a) < m_store->sourceName(b); });
    return out;
}

} // namespace eventlens
