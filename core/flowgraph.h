#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventlens {

class EventStore;

/// The causation graph of one business flow (one correlationId), read from the store's
/// indexes. Nodes are events (first occurrences; later copies are counted on the node)
/// plus ghost nodes for causationIds that name no event in the input ("unseen causes":
/// a command, or a lost event). A cause found in another correlation is a real node.
struct FlowGraph {
    struct Node {
        std::string eventId;
        uint32_t event = UINT32_MAX; ///< store index; UINT32_MAX for a ghost
        bool ghost = false;
        bool inFlow = true;        ///< false for a cause that belongs to another correlation
        uint32_t duplicates = 0;   ///< later copies of this eventId anywhere in the input
        uint32_t redeliveries = 0; ///< of those in this flow: identical bytes
        uint32_t collisions = 0;   ///< of those in this flow: same id, different content
    };
    struct Edge {
        size_t cause;                 ///< node index
        size_t effect;                ///< node index
        std::optional<int64_t> lagNs; ///< effect.timestamp − cause.timestamp; none for a ghost cause
    };

    std::string correlationId;
    std::vector<Node> nodes; ///< ghosts first, then events by timestamp (then arrival)
    std::vector<Edge> edges; ///< in the order of their effects

    bool empty() const { return nodes.empty(); }
    /// Node index of an event, or nullopt.
    std::optional<size_t> nodeOf(std::string_view eventId) const;
};

/// Builds the graph of `correlationId`; empty when no event carries it.
FlowGraph buildFlowGraph(const EventStore &store, std::string_view correlationId);

} // namespace eventlens
