#include "core/analysis.h"

#include "core/event.h"
#include "core/eventstore.h"

#include <algorithm>
#include <cmath>

namespace eventlens {

Analysis::Analysis(const EventStore &store) : m_store(store), m_next(store.firstIndex())
{ }

void Analysis::emit(const CausalEdge &edge)
{
    ++m_edges;
    m_skew += edge.skew();
    m_crossFlow += edge.crossFlow;
    for (Analyzer *a : m_analyzers)
        a->edge(m_store, edge);
}

void Analysis::renumberPending()
{
    // Eviction rebuilt the store's id table: find each waiting effect's cause id again.
    std::unordered_map<uint32_t, std::vector<uint32_t>> waiting;
    for (const auto &[id, effects] : m_waiting)
        for (uint32_t e : effects)
            if (m_store.contains(e))
                waiting[m_store.record(e).causationId].push_back(e);
    m_waiting = std::move(waiting);
}

void Analysis::update()
{
    const EventStore &s = m_store;
    if (s.firstIndex() != m_firstSeen) {
        m_firstSeen = s.firstIndex();
        renumberPending();
    }
    m_next = std::max(m_next, s.firstIndex()); // events evicted before we saw them are gone
    const uint32_t end = s.endIndex();
    auto edgeOf = [&](uint32_t cause, uint32_t effect) {
        const EventRecord &c = s.record(cause), &e = s.record(effect);
        return CausalEdge{cause, effect, e.timestampNs - c.timestampNs, c.correlationId != e.correlationId};
    };
    for (uint32_t i = m_next; i < end; ++i) {
        for (Analyzer *a : m_analyzers)
            a->event(s, i);
        const EventRecord &r = s.record(i);
        if (r.flags & Duplicate)
            continue; // the same node as its first occurrence: no new edges
        // An edge is emitted with the later of its two events, so each exactly once and in
        // the same order however the events were grouped into updates: an effect whose
        // cause is not processed yet waits for it.
        if (r.causationId != EventStore::kNone) {
            const uint32_t cause = s.cause(i);
            if (cause != EventStore::kNone && cause < i && s.contains(cause))
                emit(edgeOf(cause, i));
            else
                m_waiting[r.causationId].push_back(i);
        }
        if (!m_waiting.empty()) {
            const auto it = m_waiting.find(r.eventId);
            if (it != m_waiting.end()) {
                const std::vector<uint32_t> effects = std::move(it->second);
                m_waiting.erase(it);
                for (uint32_t effect : effects)
                    emit(edgeOf(i, effect));
            }
        }
    }
    m_next = end;
}

int64_t nearestRank(std::vector<int64_t> &values, double p)
{
    if (values.empty())
        return 0;
    const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
    const size_t k = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(values.size()))) - 1;
    std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(k), values.end());
    return values[k];
}

} // namespace eventlens
