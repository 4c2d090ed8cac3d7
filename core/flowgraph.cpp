#include "core/flowgraph.h"

#include "core/event.h"
#include "core/eventstore.h"

#include <algorithm>
#include <unordered_map>

namespace eventlens {

std::optional<size_t> FlowGraph::nodeOf(std::string_view eventId) const
{
    for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].eventId == eventId)
            return i;
    return std::nullopt;
}

FlowGraph buildFlowGraph(const EventStore &store, std::string_view correlationId)
{
    FlowGraph graph;
    graph.correlationId = std::string(correlationId);

    // First occurrences of the flow's events, by time; duplicates only count.
    std::vector<uint32_t> events, copies;
    for (uint32_t i : store.correlation(correlationId))
        (store.find(store.eventId(i)) == i ? events : copies).push_back(i); // first occurrence, or a later copy
    if (events.empty())
        return graph;

    // Causes outside the flow (other correlations) and unseen ones (ghosts).
    std::vector<std::string_view> ghosts;
    std::vector<uint32_t> foreign;
    for (uint32_t i : events) {
        const std::string_view causeId = store.causationId(i);
        if (causeId.empty())
            continue;
        const uint32_t c = store.cause(i);
        if (c == EventStore::kNone) {
            if (std::find(ghosts.begin(), ghosts.end(), causeId) == ghosts.end())
                ghosts.push_back(causeId);
        } else if (store.correlationId(c) != correlationId
                   && std::find(foreign.begin(), foreign.end(), c) == foreign.end()) {
            foreign.push_back(c);
        }
    }
    events.insert(events.end(), foreign.begin(), foreign.end());
    std::stable_sort(events.begin(), events.end(), [&](uint32_t a, uint32_t b) {
        const int64_t ta = store.record(a).timestampNs, tb = store.record(b).timestampNs;
        return ta != tb ? ta < tb : a < b;
    });

    std::unordered_map<uint32_t, size_t> nodeOfEvent;
    std::unordered_map<std::string_view, size_t> nodeOfGhost;
    for (std::string_view g : ghosts) {
        nodeOfGhost.emplace(g, graph.nodes.size());
        graph.nodes.push_back({std::string(g), UINT32_MAX, true, true, 0, 0, 0});
    }
    for (uint32_t i : events) {
        nodeOfEvent.emplace(i, graph.nodes.size());
        graph.nodes.push_back({std::string(store.eventId(i)), i, false, store.correlationId(i) == correlationId,
                               store.duplicatesOf(i), 0, 0});
    }
    for (uint32_t i : copies) {
        const auto first = nodeOfEvent.find(store.find(store.eventId(i)));
        if (first != nodeOfEvent.end())
            ++(store.record(i).flags & IdCollision ? graph.nodes[first->second].collisions
                                                   : graph.nodes[first->second].redeliveries);
    }

    for (size_t n = ghosts.size(); n < graph.nodes.size(); ++n) {
        const uint32_t i = graph.nodes[n].event;
        if (!graph.nodes[n].inFlow)
            continue; // a foreign cause's own cause is another flow's business
        const std::string_view causeId = store.causationId(i);
        if (causeId.empty())
            continue;
        const uint32_t c = store.cause(i);
        if (c == EventStore::kNone) {
            graph.edges.push_back({nodeOfGhost.at(causeId), n, std::nullopt});
        } else {
            graph.edges.push_back({nodeOfEvent.at(c), n, store.record(i).timestampNs - store.record(c).timestampNs});
        }
    }
    return graph;
}

} // namespace eventlens
