#pragma once

#include <QString>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace eventlens {

class EventStore;
class GraphNodeItem;
struct FlowGraph;

// What the views of one flow (the flow graph, the sequence diagram) share: what they write
// about it, and which drawn node an event selects.

/// "−5 ms": a real minus sign reads better than a hyphen next to a number.
QString signedDuration(int64_t ns);
/// "once", "3 times".
QString timesText(uint32_t n);
/// Everything a drawing of the flow depends on, so an unchanged flow is not drawn again.
std::vector<uint64_t> flowSignature(const FlowGraph &graph);
/// What the flow is, and a legend of the marks it has (rich text): "Flow c-1002 · 6 events in
/// 320 ms · critical path 320 ms · 1 skewed"; with `services`, "6 events, 4 services, 320 ms".
QString flowCaption(const EventStore &store, const FlowGraph &graph, bool services);
/// When the flow's events happened (its seen events' timestamps), for exported images:
/// "2026-03-02 10:00:00.000 – 10:00:01.320 UTC"; empty when it has no seen event.
QString flowTimeRange(const EventStore &store, const FlowGraph &graph);
/// Graph node by store index, for every event of the flow: a duplicate's later copies select
/// the node of their first occurrence.
std::unordered_map<uint32_t, size_t> nodesOfEvents(const EventStore &store, const FlowGraph &graph);
/// Moves the highlight from `current` to the node that `selected` (a store index) selects,
/// if any; returns the node highlighted now (nullptr: none).
GraphNodeItem *moveHighlight(GraphNodeItem *current, uint32_t selected,
                             const std::unordered_map<uint32_t, size_t> &nodeOfEvent,
                             const std::vector<GraphNodeItem *> &nodes);

} // namespace eventlens
