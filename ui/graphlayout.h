#pragma once

#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

namespace eventlens {

/// Lays out a directed graph with Graphviz's `dot`, in-process (libgvc, no `dot` binary, no
/// text in between). The caller gives sizes, not text: nodes are numbered and sized in
/// points, edge labels are boxes of a given size, so no user string ever reaches Graphviz and
/// the layout leaves exactly the room the view's own text needs. The result is in Qt's
/// coordinates (y down), one unit per point, the drawing's top-left corner at (0, 0).
///
/// The dot plugin is linked in and registered as a builtin, so layout works even when
/// Graphviz's plugin configuration (config6a) is missing; without it the standard plugin
/// loading is tried. When both fail, or the layout does, layout() says why instead of
/// crashing.
///
/// Any thread: Graphviz keeps global state and is not thread-safe, so layout() runs one at a
/// time across the process (a lock). One Graphviz context is created on first use and reused
/// for the life of the process. Big graphs (a service map) are laid out on a worker thread so
/// the GUI thread never waits for dot; small ones (a flow) may be laid out in place.
class GraphLayout {
public:
    enum class Shape { Box, Ellipse };
    enum class Direction { TopToBottom, LeftToRight };

    struct Node {
        QSizeF size; ///< points
        Shape shape = Shape::Box;
    };
    struct Edge {
        size_t from = 0, to = 0; ///< node numbers (indexes into the nodes)
        QSizeF labelSize;        ///< room for a label, in points; empty: no label
        int weight = 1;          ///< higher keeps the edge shorter and straighter
    };
    /// Where an edge goes: a cubic Bézier spline, plus where its arrow head points.
    struct EdgeGeometry {
        /// The start point, then three points (two controls and an end) per segment.
        std::vector<QPointF> spline;
        /// The tip of the arrow head at the head node's boundary; the spline stops short of
        /// it, at the arrow head's base. Empty when Graphviz left no room for one.
        std::optional<QPointF> arrowTip;
        std::optional<QPointF> labelCenter; ///< empty for an edge without a label
    };

    /// Adds a node; returns its number.
    size_t addNode(const Node &node);
    /// Adds an edge; returns its number.
    size_t addEdge(const Edge &edge);
    const std::vector<Node> &nodes() const { return m_nodes; }
    const std::vector<Edge> &edges() const { return m_edges; }

    void setDirection(Direction direction) { m_direction = direction; }
    /// Least space between two nodes of one rank, in points (Graphviz's nodesep).
    void setNodeSeparation(double points) { m_nodeSep = points; }
    /// Least space between ranks, in points (Graphviz's ranksep).
    void setRankSeparation(double points) { m_rankSep = points; }

    /// Runs dot over the nodes and edges. False, with a sentence for a person in `error`
    /// (what failed, and Graphviz's own message when it gave one), when there is no layout;
    /// the results are then empty. An empty graph lays out to nothing, successfully.
    bool layout(QString &error);

    /// How layoutIsolated() ended.
    enum class Outcome { Done, Failed, OverBudget, Cancelled };
    /// layout(), run in a child process of its own (forked) so that it never holds Graphviz's
    /// lock while dot works: the flow graph lays out meanwhile, and a layout that takes too
    /// long is ended at once (the child is killed) instead of running on, invisible, for
    /// minutes in dot_mincross. Over `budget` it is abandoned (OverBudget); when `cancelled`
    /// becomes true (checked every few milliseconds) it is abandoned too (Cancelled). Failed
    /// says why in `error`. The results are those of layout() when Done.
    Outcome layoutIsolated(QString &error, std::chrono::milliseconds budget, const std::atomic<bool> &cancelled);

    /// Bounds dot's work for big graphs (fewer crossing-minimisation passes and network
    /// simplex iterations: mclimit, nslimit, nslimit1, searchsize, no remincross): a somewhat
    /// less tidy drawing, in a time that grows about linearly with the graph.
    void setBoundedEffort(bool bounded) { m_boundedEffort = bounded; }

    /// Graphviz's process-wide lock, taken within `wait` or not at all (an empty lock).
    /// A thread that must not wait long (the GUI's, while a big map is laid out on a worker)
    /// takes it first: its own layouts then run under it without waiting; without it, it
    /// keeps what it drew and tries again later.
    static std::unique_lock<std::recursive_mutex> tryHold(std::chrono::milliseconds wait);
    /// The same lock, waited for as long as it takes.
    static std::unique_lock<std::recursive_mutex> hold();

    // --- results of the last successful layout() ----------------------------------------
    const std::vector<QPointF> &nodeCenters() const { return m_centers; }        ///< by node number
    const std::vector<EdgeGeometry> &edgeGeometry() const { return m_geometry; } ///< by edge number
    QRectF boundingRect() const { return m_bounds; }                             ///< the whole drawing

private:
    /// The edges that close a cycle, found by walking depth first in node order.
    std::vector<bool> backEdges() const;
    /// layout() without taking Graphviz's lock (the caller holds it, or is a child process).
    bool layoutUnlocked(QString &error);

    std::vector<Node> m_nodes;
    std::vector<Edge> m_edges;
    Direction m_direction = Direction::TopToBottom;
    double m_nodeSep = 18;
    double m_rankSep = 36;
    bool m_boundedEffort = false;

    std::vector<QPointF> m_centers;
    std::vector<EdgeGeometry> m_geometry;
    QRectF m_bounds;
};

} // namespace eventlens
