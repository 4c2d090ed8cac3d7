#pragma once

#include "core/event.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventlens {

class EventStore;

/// The causation graph of one business flow (one correlationId), read from the store's
/// indexes on demand (one correlation of a million-event store in well under 10 ms). Nodes
/// are events (first occurrences; later copies are counted on the node) plus ghost nodes
/// for causationIds that name no event in the input ("unseen causes": a command, or a lost
/// event). A cause found in another correlation is a real node (`inFlow` false); effects in
/// other correlations are listed in `crossFlow`, not added as nodes.
///
/// Every node has at most one cause (an event has one causationId), so the graph is a
/// forest plus, when causationIds loop, cycles: those are found by walking causes with a
/// visited mark and reported, never followed for ever.
struct FlowGraph {
    static constexpr size_t kNoNode = SIZE_MAX;

    struct Node {
        std::string eventId;
        uint32_t event = UINT32_MAX; ///< store index; UINT32_MAX for a ghost
        bool ghost = false;
        bool inFlow = true;        ///< false for a cause that belongs to another correlation
        uint32_t duplicates = 0;   ///< later copies of this eventId anywhere in the input
        uint32_t redeliveries = 0; ///< of those in this flow: identical bytes
        uint32_t collisions = 0;   ///< of those in this flow: same id, different content
        /// An event of this flow whose id an earlier event outside the flow already had (an
        /// id collision across flows): a node of its own, though the id resolves elsewhere.
        bool reusedId = false;
        size_t cause = kNoNode; ///< node index of its cause in this graph; kNoNode for a root
        size_t effects = 0;     ///< effects in this graph (0 for a leaf)
        bool critical = false;  ///< on the critical path
        bool inCycle = false;   ///< on a causation cycle
        bool root() const { return cause == kNoNode; }
        bool leaf() const { return effects == 0; }
    };
    struct Edge {
        size_t cause;                 ///< node index
        size_t effect;                ///< node index
        std::optional<int64_t> lagNs; ///< effect.timestamp − cause.timestamp; none for a ghost cause
        bool critical = false;        ///< both ends on the critical path, one after the other
        bool skew() const { return lagNs && *lagNs < 0; } ///< effect stamped before its cause
    };
    /// Causation between this flow and another correlation (or an event without one).
    struct CrossFlowLink {
        uint32_t cause;            ///< store index
        uint32_t effect;           ///< store index
        std::string correlationId; ///< of the event in the other flow; empty when it has none
        bool incoming;             ///< the cause is elsewhere (else: the effect is)
    };

    std::string correlationId;
    std::vector<Node> nodes; ///< ghosts first, then events by timestamp (then arrival)
    std::vector<Edge> edges; ///< in the order of their effects

    // --- what the graph says about the flow (filled by buildFlowGraph) -----------------
    int64_t startNs = kNoTime;  ///< earliest timestamp of the flow's own events
    int64_t endNs = kNoTime;    ///< latest timestamp of the flow's own events
    size_t latest = kNoNode;    ///< the flow's latest event (by timestamp, ties: the later arrival)
    std::vector<size_t> roots;  ///< nodes without a cause in the graph (ghosts and foreign causes too)
    std::vector<size_t> leaves; ///< nodes without effects in the graph
    /// The chain of causes that ends at `latest`, root first. With a cycle on the way it
    /// starts where the walk back would repeat a node.
    std::vector<size_t> criticalPath;
    /// Each causation cycle once, in cause → effect order from its earliest node.
    std::vector<std::vector<size_t>> cycles;
    /// Causes in other flows (in the order of their effects), then effects in other flows
    /// (in the order of their causes, then of arrival).
    std::vector<CrossFlowLink> crossFlow;

    bool empty() const { return nodes.empty(); }
    /// Node index of an event, or nullopt.
    std::optional<size_t> nodeOf(std::string_view eventId) const;
    /// end − start; 0 for an empty graph.
    int64_t durationNs() const { return startNs == kNoTime ? 0 : endNs - startNs; }
    /// Time from the first event on the critical path (ghosts aside) to `latest`.
    int64_t criticalPathNs(const EventStore &store) const;
    size_t eventCount() const; ///< the flow's own events (ghosts and foreign causes aside)
    size_t ghostCount() const;
    size_t skewCount() const;
};

/// Builds the graph of `correlationId`; empty when no event carries it.
FlowGraph buildFlowGraph(const EventStore &store, std::string_view correlationId);

/// Something in one flow a person debugging it wants pointed out.
struct FlowAnomaly {
    enum class Kind {
        UnseenCause,     ///< eventIds: the unseen id, then the events naming it
        Redelivery,      ///< eventIds: the redelivered event
        IdCollision,     ///< eventIds: the event whose id was reused
        Skew,            ///< eventIds: cause, effect
        Cycle,           ///< eventIds: the cycle, cause → effect
        CrossFlowCause,  ///< eventIds: cause (other flow), effect (this flow)
        CrossFlowEffect, ///< eventIds: cause (this flow), effect (other flow)
    };
    Kind kind;
    std::vector<std::string> eventIds;
    std::string message; ///< one sentence naming the events
};

/// As the anomaly list names them (Anomaly::kindName): "unseen-cause", "redelivery",
/// "id-collision", "skew", "cycle", and "cross-flow" for both directions.
std::string_view anomalyKindName(FlowAnomaly::Kind kind);
/// The anomalies of a flow, grouped by kind in the order of the enum, within a kind in node order.
std::vector<FlowAnomaly> flowAnomalies(const EventStore &store, const FlowGraph &graph);

} // namespace eventlens
