#pragma once

#include "ui/graphview.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace eventlens {

class EventStore;
class GraphEdgeItem;
class GraphNodeItem;
struct FlowGraph;

/// One flow (one correlationId) as a sequence diagram: a lane per service, left to right in
/// the order the services first act, with its name on a header in the service's colour and a
/// lifeline going down; time goes down. Each event is a mark on its service's lane, in a row
/// of its own. Causation runs as an arrow from the cause's mark to the effect's: out level
/// from the cause, down (or up) a track in the gap beside the cause's lane, and level into the
/// effect on the effect's row, where nothing else is drawn, carrying the reaction lag
/// ("+30 ms") next to the arrow head. So an arrow never runs behind a mark, and arrows from one
/// cause share a track (a fan-out reads as a trunk with branches). A service reacting to its
/// own event loops out beside its lane.
///
/// The time axis is compressed so a 200-event saga stays readable: rows are spaced evenly,
/// and a pause well beyond the flow's usual pace only adds a little space (growing with the
/// logarithm of the pause, capped), with its length written across the gap. The gutter on
/// the left gives each row's time since the flow started and its time of day (UTC).
///
/// Marked like the flow graph: unseen causes are dashed ghosts in an "(unseen)" lane on the
/// left, a row above their first effect, with dashed arrows; an effect stamped before its
/// cause sits above it, so its red arrow points up ("skew −30 ms"); the critical path is
/// purple and thick; duplicates carry a ×N badge; causes from other flows are faded.
///
/// A flow too big to read whole is shown from its top, as wide as fits but not below a
/// readable zoom. Scrolled down, the lane headers stay pinned under the caption; scrolled
/// sideways, the time gutter stays pinned on the left (both drawn over the scene, so an
/// export has them once, in place, with the caption as its title).
///
/// Clicking a mark emits eventActivated(); ghosts are not events and emit nothing, nor do
/// clicks on the pinned headers or gutter. Zoom, pan and fit as GraphView. setFlow() copies
/// what it draws: neither the store nor the graph is kept. Calling it again for the same
/// correlation (a live flow that grew) keeps the zoom and the mark in view where it was, and
/// does nothing when the flow did not change. GUI thread only.
class SequenceView : public GraphView {
    Q_OBJECT

public:
    /// What the view marked on a mark (GraphNodeItem::marks()) or an arrow (GraphEdgeItem::marks()).
    enum Mark : uint32_t {
        Ghost = 1u << 0,       ///< mark: an unseen cause; arrow: from one
        Critical = 1u << 1,    ///< mark or arrow on the critical path
        OtherFlow = 1u << 2,   ///< mark: a cause from another flow; arrow: from it
        Cycle = 1u << 3,       ///< mark or arrow on a causation cycle
        Redelivered = 1u << 4, ///< mark: delivered more than once with identical bytes
        IdCollision = 1u << 5, ///< mark: its id was reused by other content (or it reuses one)
        Skew = 1u << 6,        ///< arrow: effect stamped before its cause (it points up)
        SameService = 1u << 7, ///< arrow: a service reacting to its own event (a loop beside the lane)
    };

    /// The name of the lane that holds unseen causes.
    static QString unseenLaneName();

    explicit SequenceView(QWidget *parent = nullptr);
    ~SequenceView() override;
    /// Empty: an exported sequence has its title (caption and time range) in the drawing.
    QString exportTitle() const override;

    /// Draws `graph`, built from `store` (buildFlowGraph()); both are read during the call only.
    /// An empty graph shows a hint instead.
    void setFlow(const EventStore &store, const FlowGraph &graph);
    /// Highlights the mark of that event (a duplicate's copy selects its mark), and scrolls it
    /// into view when it is outside. An event not in the flow clears the highlight.
    void setSelectedEvent(uint32_t storeIndex);
    /// Removes the diagram and shows `message` centred instead, e.g. "Select an event to see its flow".
    void clear(const QString &message);
    /// The correlation drawn; empty when none.
    QString correlationId() const { return m_correlation; }

    // --- test hooks -------------------------------------------------------------------
    /// The lanes' names, left to right (unseenLaneName() first when the flow has unseen causes).
    QStringList laneNames() const;
    /// The x of a lane's lifeline in scene coordinates; NaN when there is no such lane.
    qreal laneX(const QString &laneName) const;
    int markCount() const { return static_cast<int>(m_marks.size()); } ///< events and ghosts drawn
    int layoutCount() const { return m_layouts; }                      ///< how many times the diagram was drawn anew
    /// The box of that event's mark, in scene coordinates; empty when it is not drawn.
    QRectF markRect(uint32_t storeIndex) const;
    /// The mark of an event or ghost, by eventId; nullptr when not drawn.
    GraphNodeItem *markItem(const QString &eventId) const;
    /// The arrow from a cause to its effect, by eventId; nullptr when not drawn.
    GraphEdgeItem *arrowItem(const QString &causeId, const QString &effectId) const;
    /// The gutter's text on an event's row: "+250 ms  10:00:01.250"; empty when not drawn.
    QString timeLabel(uint32_t storeIndex) const;
    /// The notes written across long pauses ("1.5 s later"), top to bottom.
    QStringList pauseLabels() const;
    /// Whether the lane headers are pinned over the top of the view (scrolled down past them).
    bool headersPinned() const;
    /// Whether the time gutter is pinned to the view's left (the lanes scrolled sideways).
    bool gutterPinned() const;

signals:
    /// A mark was clicked: the event's store index.
    void eventActivated(uint32_t storeIndex);

protected:
    void activate(QGraphicsItem *item) override;
    void presented() override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void scrollContentsBy(int dx, int dy) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    void build(const EventStore &store, const FlowGraph &graph, const QString &captionHtml);
    void applySelection(bool scrollIntoView);
    bool ensureSelectionVisible();
    /// Where the pinned headers start, in viewport pixels (below the caption).
    int pinnedTop() const;
    /// Where the pinned headers' boxes start, in scene coordinates.
    qreal pinnedHeaderTop() const;
    /// Whether a point of the viewport is on the pinned headers or gutter.
    bool onPinned(QPoint viewportPos) const;

    struct Lane {
        QString name;
        qreal x = 0;     ///< lifeline
        qreal width = 0; ///< header box
        bool ghost = false;
    };
    struct Arrow {
        size_t cause, effect; ///< graph nodes
        GraphEdgeItem *item;
    };

    QString m_correlation;
    std::vector<uint64_t> m_signature; ///< what was drawn, to skip redrawing an unchanged flow
    std::vector<Lane> m_lanes;
    qreal m_headerTop = 0, m_headerHeight = 0; ///< the headers' boxes in the scene
    bool m_pinnedDrawn = false;                ///< the last paint pinned the headers or the gutter
    bool m_pressOnPinned = false;              ///< the mouse went down on them
    std::vector<QString> m_nodeIds;            ///< by graph node
    std::vector<GraphNodeItem *> m_marks;      ///< by graph node; owned by the scene
    std::vector<QString> m_timeLabels;         ///< by graph node (empty for ghosts)
    std::vector<Arrow> m_arrows;
    QStringList m_pauses;
    struct GutterRow {
        qreal y;
        QString clock; ///< empty for a pause
        QString since; ///< or the pause's note
    };
    std::vector<GutterRow> m_gutterRows;                ///< by y, for the pinned gutter
    std::unordered_map<uint32_t, size_t> m_nodeOfEvent; ///< store index (copies too) → graph node
    uint32_t m_selected = UINT32_MAX;
    GraphNodeItem *m_highlighted = nullptr;
    int m_layouts = 0;
};

} // namespace eventlens
