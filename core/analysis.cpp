#include "core/analysis.h"

#include "core/event.h"
#include "core/eventstore.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace eventlens {

Analysis::Analysis(const EventStore &store) : m_store(store), m_next(store.firstIndex())
{ }

void Analysis::count(const CausalEdge &edge)
{
    ++m_edges;
    m_skew += edge.skew();
    m_crossFlow += edge.crossFlow;
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

template<typename OnEvent, typename OnEdge>
void Analysis::walk(uint32_t from, uint32_t end, OnEvent onEvent, OnEdge onEdge)
{
    const EventStore &s = m_store;
    auto edgeOf = [&](uint32_t cause, uint32_t effect) {
        const EventRecord &c = s.record(cause), &e = s.record(effect);
        return CausalEdge{cause, effect, e.timestampNs - c.timestampNs, c.correlationId != e.correlationId};
    };
    for (uint32_t i = from; i < end; ++i) {
        onEvent(i);
        const EventRecord &r = s.record(i);
        if (r.flags & Duplicate)
            continue; // the same node as its first occurrence: no new edges
        // An edge is emitted with the later of its two events, so each exactly once and in
        // the same order however the events were grouped into updates: an effect whose
        // cause is not processed yet waits for it.
        if (r.causationId != EventStore::kNone) {
            const uint32_t cause = s.cause(i);
            if (cause != EventStore::kNone && cause < i && s.contains(cause))
                onEdge(i, edgeOf(cause, i));
            else
                m_waiting[r.causationId].push_back(i);
        }
        if (!m_waiting.empty()) {
            const auto it = m_waiting.find(r.eventId);
            if (it != m_waiting.end()) {
                const std::vector<uint32_t> effects = std::move(it->second);
                m_waiting.erase(it);
                for (uint32_t effect : effects)
                    onEdge(i, edgeOf(i, effect));
            }
        }
    }
}

void Analysis::update()
{
    const EventStore &s = m_store;
    if (s.firstIndex() != m_firstSeen) {
        m_firstSeen = s.firstIndex();
        renumberPending();
    }
    const uint32_t from = std::max(m_next, s.firstIndex()); // events evicted before we saw them are gone
    const uint32_t end = s.endIndex();
    m_next = end;
    if (from >= end)
        return;

    if (end - from < kParallelFrom || m_analyzers.size() < 2) {
        walk(
            from, end,
            [&](uint32_t i) {
                for (Analyzer *a : m_analyzers)
                    a->event(s, i);
            },
            [&](uint32_t, const CausalEdge &edge) {
                count(edge);
                for (Analyzer *a : m_analyzers)
                    a->edge(s, edge);
            });
        return;
    }

    // A big update: find the edges once, then feed two halves of the analyzers the same
    // sequence (each event, then the edges found while processing it) on two threads.
    std::vector<std::pair<uint32_t, CausalEdge>> edges;
    walk(
        from, end, [](uint32_t) {},
        [&](uint32_t at, const CausalEdge &edge) {
            count(edge);
            edges.emplace_back(at, edge);
        });
    auto feed = [&](size_t first) {
        size_t k = 0;
        for (uint32_t i = from; i < end; ++i) {
            for (size_t a = first; a < m_analyzers.size(); a += 2)
                m_analyzers[a]->event(s, i);
            for (; k < edges.size() && edges[k].first == i; ++k)
                for (size_t a = first; a < m_analyzers.size(); a += 2)
                    m_analyzers[a]->edge(s, edges[k].second);
        }
    };
    std::thread second([&] { feed(1); });
    feed(0);
    second.join();
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
