#pragma once

#include "ui/graphlayout.h"
#include "ui/graphview.h"

#include <QElapsedTimer>

#include <cstdint>
#include <future>
#include <memory>
#include <unordered_map>
#include <vector>

namespace eventlens {

class EventStore;
class GraphEdgeItem;
class GraphNodeItem;
class TopologyAnalyzer;

/// The service map, laid out left to right with Graphviz dot: services (boxes in their
/// palette colour) →publishes→ event types (pills) →reacted-to-by→ services. A type published
/// by two services is two pills, so every reaction edge is one (producer, type, consumer) of
/// TopologyAnalyzer. Edge width grows with the rate (log scale); reaction edges are labelled
/// with the p95 reaction lag and the rate, publish edges with the rate. Types nobody reacts to
/// are dashed, "no consumer". Tooltips carry the numbers (count, rate, p50/p95/p99, skew).
///
/// The map is laid out both top to bottom and left to right, and shown in the arrangement
/// that fits the view better (a wide, low dock gets the left-to-right one); resizing switches
/// between them while the whole map is shown.
///
/// Live: setTopology() may be called several times a second. It lays the graph out again only
/// when services, types or edges appeared or went; otherwise it updates labels, widths and
/// tooltips in place and the zoom and scroll position stay. Zoom, pan and fit as GraphView.
///
/// GUI thread only; call setTopology() from the thread that feeds the analyzer (its queries
/// fill caches), which is the GUI thread in the app.
class TopologyView : public GraphView {
    Q_OBJECT

public:
    /// What the view marked on an item (GraphNodeItem::marks(), GraphEdgeItem::marks()).
    enum Mark : uint32_t {
        Service = 1u << 0,    ///< node: a service
        EventType = 1u << 1,  ///< node: an event type (of one producer)
        Unconsumed = 1u << 2, ///< node: an event type nobody reacted to
        Publish = 1u << 3,    ///< edge: service → the type it published
        Reaction = 1u << 4,   ///< edge: type → the service that reacted to it
        Skewed = 1u << 5,     ///< edge: some reactions stamped before their cause
    };

    explicit TopologyView(QWidget *parent = nullptr);
    ~TopologyView() override;

    /// Draws (or updates) the map from `topology`, which was fed from `store`; both are read
    /// during the call only.
    void setTopology(const EventStore &store, const TopologyAnalyzer &topology);
    /// Removes the map and shows `message` centred instead.
    void clear(const QString &message);

    // --- test hooks -------------------------------------------------------------------
    /// How many times the map was laid out (with Graphviz); switching arrangements is not one.
    int layoutCount() const { return m_layouts; }
    /// The arrangement shown.
    GraphLayout::Direction direction() const;
    int serviceCount() const;
    int typeCount() const; ///< event-type pills (one per producer and type)
    int edgeCount() const;
    GraphNodeItem *serviceItem(uint16_t source) const;
    GraphNodeItem *typeItem(uint16_t producer, uint16_t eventType) const;
    /// A reaction edge, or with consumer = EventStore::kNoName the publish edge.
    GraphEdgeItem *edgeItem(uint16_t producer, uint16_t eventType, uint16_t consumer) const;
    /// Reaction edges given to dot at most before the map is cut down to its busiest (the
    /// default suits the layout budget; tests raise it to give dot a map too big for it).
    void setMaxReactionEdges(size_t edges) { m_reactionCap = edges; }
    size_t maxReactionEdges() const { return m_reactionCap; }
    /// Whether a new map is being laid out (on a worker thread; the old one stays shown).
    bool isLayingOut() const;
    /// Processes events until the layout in progress is placed (an export needs the map
    /// drawn; tests too); false on timeout.
    bool waitForLayout(int timeoutMs = 10000);

signals:
    /// A new map was laid out and placed (or failed: the hint says why), or a map that changed
    /// too soon after the last layout may be laid out now. Changes that arrived meanwhile were
    /// not drawn: call setTopology() again.
    void layoutFinished();
    /// A reaction edge was clicked; for a publish edge `consumer` is EventStore::kNoName.
    void edgeActivated(uint16_t producer, uint16_t eventType, uint16_t consumer);
    void serviceActivated(uint16_t source);
    void typeActivated(uint16_t eventType);

protected:
    void activate(QGraphicsItem *item) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    /// One laid-out arrangement of the map: positions by m_nodeOrder, routes by m_edgeOrder.
    struct Arrangement {
        GraphLayout::Direction direction;
        std::vector<QPointF> centers;
        std::vector<GraphLayout::EdgeGeometry> edges;
        QRectF bounds;
    };
    /// A map whose layout is running: its items, made on the GUI thread, wait there (see the .cpp).
    struct PendingMap;
    size_t preferredArrangement() const;
    void arrange(size_t arrangement);
    void placeMap(const std::shared_ptr<PendingMap> &pending, std::vector<Arrangement> arrangements,
                  const QString &error, bool overBudget);
    /// Lets go of the layout asked for last, without waiting for it.
    void dropPending();

    std::vector<Arrangement> m_arrangements;
    size_t m_arranged = 0;
    std::vector<GraphNodeItem *> m_nodeOrder;              ///< as given to the layout
    std::vector<GraphEdgeItem *> m_edgeOrder;              ///< as given to the layout
    std::unordered_map<uint64_t, GraphNodeItem *> m_nodes; ///< by node key (see the .cpp)
    std::unordered_map<uint64_t, GraphEdgeItem *> m_edges; ///< by edge key
    std::vector<uint64_t> m_structure;                     ///< sorted node and edge keys of the map drawn
    int m_layouts = 0;
    std::shared_ptr<PendingMap> m_pending;
    std::future<void> m_job;                  ///< the layout running on a worker thread
    std::vector<std::future<void>> m_dropped; ///< layouts of maps no longer wanted, finishing
    qint64 m_lastLayoutMs = 0;                ///< how long the last layout took (both arrangements)
    QElapsedTimer m_sinceLayout;              ///< since the last map was placed
    bool m_retryScheduled = false;
    size_t m_reactionCap; ///< reaction edges given to dot at most (see the .cpp)
    QString m_note;       ///< what the map drawn left out, under the caption
};

} // namespace eventlens
