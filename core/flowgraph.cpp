#include "core/flowgraph.h"

#include "core/event.h"
#include "core/eventstore.h"
#include "core/textformat.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace eventlens {

std::optional<size_t> FlowGraph::nodeOf(std::string_view eventId) const
{
    for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].eventId == eventId)
            return i;
    return std::nullopt;
}

int64_t FlowGraph::criticalPathNs(const EventStore &store) const
{
    for (size_t n : criticalPath)
        if (!nodes[n].ghost)
            return store.record(nodes[latest].event).timestampNs - store.record(nodes[n].event).timestampNs;
    return 0;
}

size_t FlowGraph::eventCount() const
{
    return static_cast<size_t>(
        std::count_if(nodes.begin(), nodes.end(), [](const Node &n) { return !n.ghost && n.inFlow; }));
}

size_t FlowGraph::ghostCount() const
{
    return static_cast<size_t>(std::count_if(nodes.begin(), nodes.end(), [](const Node &n) { return n.ghost; }));
}

size_t FlowGraph::skewCount() const
{
    return static_cast<size_t>(std::count_if(edges.begin(), edges.end(), [](const Edge &e) { return e.skew(); }));
}

namespace {

/// Marks every cycle of the graph, each found once by walking causes (each node has at most
/// one) with a visited mark: linear, and it cannot loop.
void findCycles(FlowGraph &g)
{
    enum : char { New, OnWalk, Done };
    std::vector<char> state(g.nodes.size(), New);
    std::vector<size_t> walk;
    for (size_t s = 0; s < g.nodes.size(); ++s) {
        walk.clear();
        size_t m = s;
        while (m != FlowGraph::kNoNode && state[m] == New) {
            state[m] = OnWalk;
            walk.push_back(m);
            m = g.nodes[m].cause;
        }
        if (m != FlowGraph::kNoNode && state[m] == OnWalk) {
            // walk[k + 1] is walk[k]'s cause: reversed, the cycle reads cause → effect.
            std::vector<size_t> cycle(std::find(walk.begin(), walk.end(), m), walk.end());
            std::reverse(cycle.begin(), cycle.end());
            std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
            for (size_t n : cycle)
                g.nodes[n].inCycle = true;
            g.cycles.push_back(std::move(cycle));
        }
        for (size_t n : walk)
            state[n] = Done;
    }
    std::sort(g.cycles.begin(), g.cycles.end());
}

/// The chain of causes back from the latest event, root first; stops before a node repeats.
void findCriticalPath(FlowGraph &g, const std::vector<size_t> &edgeInto)
{
    if (g.latest == FlowGraph::kNoNode)
        return;
    std::vector<char> seen(g.nodes.size(), 0);
    for (size_t n = g.latest; n != FlowGraph::kNoNode && !seen[n]; n = g.nodes[n].cause) {
        seen[n] = 1;
        g.criticalPath.push_back(n);
    }
    std::reverse(g.criticalPath.begin(), g.criticalPath.end());
    for (size_t k = 0; k < g.criticalPath.size(); ++k) {
        g.nodes[g.criticalPath[k]].critical = true;
        if (k > 0)
            g.edges[edgeInto[g.criticalPath[k]]].critical = true;
    }
}

} // namespace

FlowGraph buildFlowGraph(const EventStore &store, std::string_view correlationId)
{
    FlowGraph graph;
    graph.correlationId = std::string(correlationId);

    // The flow's events: first occurrences, and copies of ids first used outside the flow
    // (id collisions across flows: still this flow's events). Copies of the flow's own
    // events only count on their node.
    std::vector<uint32_t> events, copies;
    std::unordered_set<uint32_t> reused;
    for (uint32_t i : store.correlation(correlationId)) {
        const uint32_t first = store.find(store.eventId(i));
        if (first == i || first == EventStore::kNone) {
            events.push_back(i);
        } else if (store.record(first).correlationId == store.record(i).correlationId) {
            copies.push_back(i);
        } else {
            events.push_back(i);
            reused.insert(i);
        }
    }
    if (events.empty())
        return graph;
    const uint32_t ownCorrelation = store.record(events.front()).correlationId;

    // Causes outside the flow (other correlations) and unseen ones (ghosts), each once.
    std::vector<std::string_view> ghosts;
    std::unordered_set<std::string_view> ghostSeen;
    std::unordered_set<uint32_t> foreignSeen;
    const size_t ownEvents = events.size();
    for (size_t k = 0; k < ownEvents; ++k) {
        const uint32_t i = events[k];
        if (store.record(i).causationId == EventStore::kNone)
            continue;
        const uint32_t c = store.cause(i);
        if (c == EventStore::kNone) {
            const std::string_view causeId = store.causationId(i);
            if (ghostSeen.insert(causeId).second)
                ghosts.push_back(causeId);
        } else if (store.record(c).correlationId != ownCorrelation && foreignSeen.insert(c).second) {
            events.push_back(c);
        }
    }
    std::sort(events.begin(), events.end(), [&](uint32_t a, uint32_t b) {
        const int64_t ta = store.record(a).timestampNs, tb = store.record(b).timestampNs;
        return ta != tb ? ta < tb : a < b;
    });

    std::unordered_map<uint32_t, size_t> nodeOfEvent;
    std::unordered_map<std::string_view, size_t> nodeOfGhost;
    graph.nodes.reserve(ghosts.size() + events.size());
    for (std::string_view g : ghosts) {
        nodeOfGhost.emplace(g, graph.nodes.size());
        FlowGraph::Node node;
        node.eventId = std::string(g);
        node.ghost = true;
        graph.nodes.push_back(std::move(node));
    }
    for (uint32_t i : events) {
        nodeOfEvent.emplace(i, graph.nodes.size());
        FlowGraph::Node node;
        node.eventId = std::string(store.eventId(i));
        node.event = i;
        node.inFlow = store.record(i).correlationId == ownCorrelation;
        node.reusedId = reused.count(i) != 0;
        node.duplicates = node.reusedId ? 0 : store.duplicatesOf(i);
        graph.nodes.push_back(std::move(node));
    }
    for (uint32_t i : copies) {
        const auto first = nodeOfEvent.find(store.find(store.eventId(i)));
        if (first != nodeOfEvent.end())
            ++(store.record(i).flags & IdCollision ? graph.nodes[first->second].collisions
                                                   : graph.nodes[first->second].redeliveries);
    }

    std::vector<size_t> edgeInto(graph.nodes.size(), FlowGraph::kNoNode);
    for (size_t n = ghosts.size(); n < graph.nodes.size(); ++n) {
        FlowGraph::Node &node = graph.nodes[n];
        if (!node.inFlow)
            continue; // a foreign cause's own cause is another flow's business
        const EventRecord &r = store.record(node.event);
        if (r.causationId == EventStore::kNone)
            continue;
        const uint32_t c = store.cause(node.event);
        FlowGraph::Edge edge{0, n, std::nullopt, false};
        if (c == EventStore::kNone) {
            edge.cause = nodeOfGhost.at(store.causationId(node.event));
        } else {
            edge.cause = nodeOfEvent.at(c);
            edge.lagNs = r.timestampNs - store.record(c).timestampNs;
        }
        node.cause = edge.cause;
        ++graph.nodes[edge.cause].effects;
        edgeInto[n] = graph.edges.size();
        graph.edges.push_back(edge);
    }

    for (size_t n = 0; n < graph.nodes.size(); ++n) {
        const FlowGraph::Node &node = graph.nodes[n];
        if (node.root())
            graph.roots.push_back(n);
        if (node.leaf())
            graph.leaves.push_back(n);
        if (node.ghost || !node.inFlow)
            continue;
        const int64_t t = store.record(node.event).timestampNs;
        graph.startNs = graph.startNs == kNoTime ? t : std::min(graph.startNs, t);
        graph.endNs = graph.endNs == kNoTime ? t : std::max(graph.endNs, t);
        graph.latest = n; // nodes are by timestamp, then arrival: the last one is the latest
    }
    findCycles(graph);
    findCriticalPath(graph, edgeInto);

    // Cross-flow causation: causes elsewhere (already nodes), then effects elsewhere.
    for (const FlowGraph::Node &node : graph.nodes)
        if (node.inFlow && node.cause != FlowGraph::kNoNode && !graph.nodes[node.cause].ghost
            && !graph.nodes[node.cause].inFlow) {
            const uint32_t c = graph.nodes[node.cause].event;
            graph.crossFlow.push_back({c, node.event, std::string(store.correlationId(c)), true});
        }
    std::vector<uint32_t> foreignEffects;
    for (const FlowGraph::Node &node : graph.nodes) {
        if (node.ghost || !node.inFlow || node.reusedId)
            continue; // a reused id's effects belong to the event that had it first
        foreignEffects.clear();
        store.forEachEffect(node.event, [&](uint32_t e) {
            if (store.record(e).correlationId != ownCorrelation)
                foreignEffects.push_back(e);
        });
        for (auto e = foreignEffects.rbegin(); e != foreignEffects.rend(); ++e) // arrival order
            graph.crossFlow.push_back({node.event, *e, std::string(store.correlationId(*e)), false});
    }
    return graph;
}

std::string_view anomalyKindName(FlowAnomaly::Kind kind)
{
    switch (kind) {
    case FlowAnomaly::Kind::UnseenCause:
        return "unseen-cause";
    case FlowAnomaly::Kind::Redelivery:
        return "redelivery";
    case FlowAnomaly::Kind::IdCollision:
        return "id-collision";
    case FlowAnomaly::Kind::Skew:
        return "skew";
    case FlowAnomaly::Kind::Cycle:
        return "cycle";
    case FlowAnomaly::Kind::CrossFlowCause:
        return "cross-flow";
    case FlowAnomaly::Kind::CrossFlowEffect:
        return "cross-flow";
    }
    return "unknown";
}

std::vector<FlowAnomaly> flowAnomalies(const EventStore &store, const FlowGraph &g)
{
    using Kind = FlowAnomaly::Kind;
    std::vector<FlowAnomaly> out;
    auto typeOf = [&](const FlowGraph::Node &n) { return std::string(store.typeName(store.record(n.event).type)); };
    auto flowOf = [&](uint32_t event) {
        const std::string_view c = store.correlationId(event);
        return c.empty() ? std::string("no flow (no correlationId)") : "flow " + std::string(c);
    };
    auto times = [](uint32_t n) { return std::to_string(n) + (n == 1 ? " time" : " times"); };

    std::vector<std::vector<std::string>> ghostEffects(g.nodes.size());
    for (const FlowGraph::Node &e : g.nodes)
        if (e.cause != FlowGraph::kNoNode && g.nodes[e.cause].ghost)
            ghostEffects[e.cause].push_back(e.eventId);
    for (size_t n = 0; n < g.nodes.size(); ++n) {
        const FlowGraph::Node &ghost = g.nodes[n];
        if (!ghost.ghost)
            continue;
        FlowAnomaly a{Kind::UnseenCause, {ghost.eventId}, {}};
        a.eventIds.insert(a.eventIds.end(), ghostEffects[n].begin(), ghostEffects[n].end());
        std::string effects;
        for (size_t k = 1; k < a.eventIds.size(); ++k)
            effects += (k > 1 ? ", " : "") + a.eventIds[k];
        a.message = ghost.eventId + " names no event in the input (a command, or a lost event); it caused " + effects;
        out.push_back(std::move(a));
    }
    for (const FlowGraph::Node &n : g.nodes)
        if (n.redeliveries)
            out.push_back({Kind::Redelivery,
                           {n.eventId},
                           n.eventId + " (" + typeOf(n) + ") was delivered " + times(n.redeliveries + 1)
                               + " with identical bytes"});
    for (const FlowGraph::Node &n : g.nodes) {
        if (n.collisions)
            out.push_back({Kind::IdCollision,
                           {n.eventId},
                           n.eventId + " (" + typeOf(n) + ") shares its id with " + std::to_string(n.collisions)
                               + " later event" + (n.collisions > 1 ? "s" : "") + " with different content"});
        if (n.reusedId)
            out.push_back({Kind::IdCollision,
                           {n.eventId},
                           n.eventId + " (" + typeOf(n) + ") reuses the id of an earlier event in "
                               + flowOf(store.find(n.eventId))});
    }
    for (const FlowGraph::Edge &e : g.edges)
        if (e.skew()) {
            const FlowGraph::Node &cause = g.nodes[e.cause], &effect = g.nodes[e.effect];
            out.push_back({Kind::Skew,
                           {cause.eventId, effect.eventId},
                           effect.eventId + " (" + typeOf(effect) + ") is stamped " + formatDuration(-*e.lagNs)
                               + " before its cause " + cause.eventId + " (" + typeOf(cause) + "): clock skew?"});
        }
    for (const auto &cycle : g.cycles) {
        FlowAnomaly a{Kind::Cycle, {}, {}};
        for (size_t n : cycle) {
            a.eventIds.push_back(g.nodes[n].eventId);
            a.message += g.nodes[n].eventId + " → ";
        }
        a.message += g.nodes[cycle.front()].eventId + ": these events cause each other";
        out.push_back(std::move(a));
    }
    for (const auto &link : g.crossFlow)
        if (link.incoming)
            out.push_back({Kind::CrossFlowCause,
                           {std::string(store.eventId(link.cause)), std::string(store.eventId(link.effect))},
                           std::string(store.eventId(link.cause)) + " in " + flowOf(link.cause) + " caused "
                               + std::string(store.eventId(link.effect))});
    for (const auto &link : g.crossFlow)
        if (!link.incoming)
            out.push_back({Kind::CrossFlowEffect,
                           {std::string(store.eventId(link.cause)), std::string(store.eventId(link.effect))},
                           std::string(store.eventId(link.cause)) + " caused " + std::string(store.eventId(link.effect))
                               + " in " + flowOf(link.effect)});
    return out;
}

} // namespace eventlens
