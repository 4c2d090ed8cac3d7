#pragma once

#include "ui/graphview.h"

#include <QString>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace eventlens {

class EventStore;
class GraphEdgeItem;
class GraphNodeItem;
struct FlowGraph;

/// The causation graph of one flow (one correlationId), laid out top to bottom with Graphviz
/// dot: causes above their effects. Events are boxes in their source's colour, labelled with
/// type, source and time (UTC); edges carry the reaction lag. Marked: unseen causes (dashed
/// grey ghosts), duplicates (a ×N badge: amber for redeliveries, red for id collisions),
/// skew (red edge, "skew −5 ms"), the critical path (thick purple), cycles, causes from
/// other flows (faded, with their correlation) and effects in other flows (dashed stubs).
///
/// Clicking an event (or a stub: the event in the other flow) emits eventActivated();
/// ghosts are not events and emit nothing. Zoom, pan and fit as GraphView.
///
/// setFlow() copies what it draws: neither the store nor the graph is kept. Calling it again
/// for the same correlation (a live flow that grew) keeps the zoom and what is in view, and
/// does nothing when the graph did not change. GUI thread only.
class FlowGraphView : public GraphView {
    Q_OBJECT

public:
    /// What the view marked on an item (GraphNodeItem::marks(), GraphEdgeItem::marks()).
    enum Mark : uint32_t {
        Ghost = 1u << 0,       ///< node: an unseen cause; edge: from one
        Critical = 1u << 1,    ///< node or edge on the critical path
        OtherFlow = 1u << 2,   ///< node: a cause from another flow; edge: from it
        Cycle = 1u << 3,       ///< node or edge on a causation cycle
        Redelivered = 1u << 4, ///< node: delivered more than once with identical bytes
        IdCollision = 1u << 5, ///< node: its id was reused by other content (or it reuses one)
        Skew = 1u << 6,        ///< edge: effect stamped before its cause
        Stub = 1u << 7,        ///< node: effects in other flows; edge: to such a stub
    };

    explicit FlowGraphView(QWidget *parent = nullptr);
    ~FlowGraphView() override;

    /// Draws `graph`, built from `store` (buildFlowGraph()); both are read during the call only.
    /// An empty graph shows a hint instead. False, changing nothing, when Graphviz stayed busy
    /// with another layout (a big service map, on a worker thread) for a few milliseconds:
    /// call again later.
    bool setFlow(const EventStore &store, const FlowGraph &graph);
    /// Never give up on a busy Graphviz: setFlow() waits for the lock (a view drawn once, on
    /// request, like a comparison, rather than refreshed as data arrives).
    void setWaitsForLayout(bool wait) { m_waitsForLayout = wait; }
    /// For the drawings that follow: edge e's label (by graph edge) when not empty, instead of
    /// its lag — laid out with room for it (a comparison's "40 ms → 900 ms").
    void setEdgeLabels(std::vector<QString> labels) { m_edgeLabels = std::move(labels); }
    /// Highlights the node of that event (a duplicate's copy selects its node), and scrolls it
    /// into view when it is outside. An event not in the graph clears the highlight.
    void setSelectedEvent(uint32_t storeIndex);
    /// Removes the graph and shows `message` centred instead, e.g. "Select an event to see its flow".
    void clear(const QString &message);
    /// The correlation drawn; empty when none.
    QString correlationId() const { return m_correlation; }
    /// The item of node `node` (an index into the FlowGraph given to setFlow()), for a view
    /// that marks more on the drawing (CompareView); nullptr when not drawn. The items live
    /// until the next setFlow() or clear().
    GraphNodeItem *nodeItemAt(size_t node) const { return node < m_nodes.size() ? m_nodes[node] : nullptr; }
    /// The item of edge `edge` (an index into FlowGraph::edges); nullptr when not drawn.
    GraphEdgeItem *edgeItemAt(size_t edge) const { return edge < m_edges.size() ? m_edges[edge].item : nullptr; }

    // --- test hooks -------------------------------------------------------------------
    int nodeCount() const;                        ///< events and ghosts drawn (stubs aside)
    int stubCount() const;                        ///< stubs standing for effects in other flows
    int layoutCount() const { return m_layouts; } ///< how many times the graph was laid out
    /// The box of that event's node, in scene coordinates; empty when it is not drawn.
    QRectF nodeRect(uint32_t storeIndex) const;
    /// The node of an event or ghost, by eventId; nullptr when not drawn.
    GraphNodeItem *nodeItem(const QString &eventId) const;
    /// The edge between two nodes, by eventId; nullptr when not drawn.
    GraphEdgeItem *edgeItem(const QString &causeId, const QString &effectId) const;
    /// The stubs, in the order of the causes they hang off.
    std::vector<GraphNodeItem *> stubItems() const;

signals:
    /// A node (or a stub) was clicked: the event's store index.
    void eventActivated(uint32_t storeIndex);

protected:
    void activate(QGraphicsItem *item) override;
    void presented() override;

private:
    void build(const EventStore &store, const FlowGraph &graph);
    void applySelection(bool scrollIntoView);
    bool ensureSelectionVisible();

    QString m_correlation;
    std::vector<uint64_t> m_signature;    ///< what was drawn, to skip redrawing an unchanged flow
    std::vector<QString> m_nodeIds;       ///< by graph node
    std::vector<GraphNodeItem *> m_nodes; ///< by graph node; owned by the scene
    struct DrawnEdge {
        size_t cause, effect;
        GraphEdgeItem *item;
    };
    std::vector<DrawnEdge> m_edges;
    std::vector<GraphNodeItem *> m_stubs;
    std::unordered_map<uint32_t, size_t> m_nodeOfEvent; ///< store index (copies too) → graph node
    uint32_t m_selected = UINT32_MAX;
    GraphNodeItem *m_highlighted = nullptr;
    int m_layouts = 0;
    bool m_waitsForLayout = false;
    std::vector<QString> m_edgeLabels;
};

} // namespace eventlens
