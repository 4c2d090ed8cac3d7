#include "core/flowanalyzer.h"

#include "core/eventstore.h"

#include <algorithm>

namespace eventlens {

FlowSummary *FlowAnalyzer::flowOf(const EventStore &store, uint32_t index, bool create)
{
    if (store.firstIndex() != m_idsBase)
        forgetEvicted(store);
    const uint32_t id = store.record(index).correlationId;
    if (id == EventStore::kNone)
        return nullptr;
    if (id < m_byId.size() && m_byId[id] != 0)
        return &m_flows[m_byId[id] - 1];

    // First sight of this number: a new flow, or after an eviction perhaps a known one.
    const std::string_view name = store.correlationId(index);
    uint32_t n;
    const auto &named = m_byIdComplete ? m_byName : byName();
    if (const auto it = m_byIdComplete ? named.end() : named.find(name); it != named.end()) {
        n = it->second;
    } else {
        if (!create)
            return nullptr;
        n = static_cast<uint32_t>(m_flows.size());
        FlowSummary flow;
        flow.correlationId = std::string(name);
        flow.firstEvent = flow.lastEvent = index;
        m_flows.push_back(std::move(flow));
    }
    if (id >= m_byId.size())
        m_byId.resize(id + 1, 0); // grows geometrically
    m_byId[id] = n + 1;
    return &m_flows[n];
}

void FlowAnalyzer::forgetEvicted(const EventStore &store)
{
    m_idsBase = store.firstIndex();
    m_byId.clear();
    m_byIdComplete = m_flows.empty();
    const auto gone = std::stable_partition(m_flows.begin(), m_flows.end(),
                                            [&](const FlowSummary &f) { return f.lastEvent >= m_idsBase; });
    if (gone == m_flows.end())
        return;
    m_flows.erase(gone, m_flows.end());
    m_byName.clear();
    m_named = 0;
}

const std::unordered_map<std::string, uint32_t, FlowAnalyzer::NameHash, std::equal_to<>> &FlowAnalyzer::byName() const
{
    for (; m_named < m_flows.size(); ++m_named)
        m_byName.emplace(m_flows[m_named].correlationId, m_named);
    return m_byName;
}

void FlowAnalyzer::event(const EventStore &store, uint32_t index)
{
    FlowSummary *flow = flowOf(store, index, true);
    if (!flow)
        return;
    const EventRecord &r = store.record(index);
    ++flow->events;
    flow->lastEvent = index;
    bool copy = false; // a later copy of an id this flow already had (as buildFlowGraph counts them)
    if (r.flags & Duplicate) {
        const uint32_t first = store.find(store.eventId(index));
        copy = first != EventStore::kNone && first != index && store.record(first).correlationId == r.correlationId;
    }
    if (copy) {
        ++flow->duplicates;
    } else {
        flow->startNs = flow->startNs == kNoTime ? r.timestampNs : std::min(flow->startNs, r.timestampNs);
        flow->endNs = flow->endNs == kNoTime ? r.timestampNs : std::max(flow->endNs, r.timestampNs);
    }
    flow->lastArrivalNs = std::max(flow->lastArrivalNs, r.receivedNs != kNoTime ? r.receivedNs : r.timestampNs);
}

void FlowAnalyzer::edge(const EventStore &store, const CausalEdge &edge)
{
    if (!edge.skew() && !edge.crossFlow)
        return; // most edges: nothing a summary counts
    FlowSummary *effect = flowOf(store, edge.effect, false);
    if (effect && edge.skew())
        ++effect->skewEdges;
    if (!edge.crossFlow)
        return;
    if (effect)
        ++effect->crossFlowCauses;
    if (FlowSummary *cause = flowOf(store, edge.cause, false))
        ++cause->crossFlowEffects;
}

const FlowSummary *FlowAnalyzer::summaryOf(std::string_view correlationId) const
{
    const auto &named = byName();
    const auto it = named.find(correlationId);
    return it == named.end() ? nullptr : &m_flows[it->second];
}

std::vector<FlowSummary> FlowAnalyzer::openFlows(int64_t nowNs, int64_t quietNs) const
{
    std::vector<FlowSummary> open;
    for (const FlowSummary &f : m_flows)
        if (f.openAt(nowNs, quietNs))
            open.push_back(f);
    return open;
}

} // namespace eventlens
