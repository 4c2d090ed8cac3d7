#include "ui/sequenceview.h"

#include "ui/flowviews.h"
#include "ui/graphedgeitem.h"
#include "ui/graphlayout.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"
#include "ui/uitext.h"

#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/textformat.h"

#include <QFontMetricsF>
#include <QGraphicsLineItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTextDocument>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <unordered_set>

namespace eventlens {

namespace {

constexpr uint64_t kNoEvent = UINT64_MAX; ///< key of a ghost or a header: nothing to activate

// The drawing's measures, in points.
constexpr qreal kGutter = 176;       ///< the time column left of the lanes
constexpr qreal kClockX = 12;        ///< where the time of day starts in the gutter
constexpr qreal kHeaderTop = 36;     ///< room above the headers for the caption (an export's title)
constexpr qreal kFirstRowGap = 36;   ///< from the headers' bottom to the first row's centre
constexpr qreal kRowPitch = 34;      ///< between two rows: a mark and an arrow label fit, with air
constexpr qreal kMinLaneWidth = 110; ///< a lane with short type names still reads as a column
constexpr qreal kFirstLaneGap = 24;  ///< between the gutter and the first lane
constexpr qreal kMinLaneGap = 56;
constexpr qreal kTrackFirst = 16;     ///< from a lane's extent to its first track (room for an arrow head)
constexpr qreal kTrackPitch = 7;      ///< between neighbouring tracks
constexpr qreal kTrackClearance = 12; ///< least vertical space between two arrows sharing a track
constexpr qreal kSelfLoop = 6;        ///< half the height of the loop of an event that is its own cause
constexpr qreal kLabelMargin = 14;    ///< between a label and the tracks around it
constexpr qreal kArrowHead = 10;
constexpr qreal kOutShift = 5;        ///< an arrow leaving on the side another comes in at: off the middle
constexpr qreal kCorner = 5;          ///< radius of an arrow's turns
constexpr double kPauseRatio = 10;    ///< a gap this many times the flow's usual pace is a pause
constexpr qreal kMaxPause = 60;       ///< the most room a pause adds between two rows
constexpr qreal kPausePerOctave = 12; ///< room a pause adds per doubling
constexpr qreal kMarkMaxWidth = 200;
constexpr QRgb kLifeline = 0xffb0b4ba;

/// "+250 ms", "−1.2 s": a time relative to the flow's start.
QString sinceStart(int64_t ns)
{
    return ns < 0 ? signedDuration(ns) : QStringLiteral("+") + signedDuration(ns);
}

/// An arrow along a path of level and vertical stretches, as GraphEdgeItem's spline (a cubic
/// per stretch and per rounded turn), with its head's tip at the last point.
GraphLayout::EdgeGeometry orthogonalRoute(const std::vector<QPointF> &path, QPointF labelCenter)
{
    std::vector<QPointF> p;
    for (const QPointF &q : path)
        if (p.empty() || QLineF(p.back(), q).length() > 0.01)
            p.push_back(q);
    GraphLayout::EdgeGeometry g;
    g.labelCenter = labelCenter;
    if (p.size() < 2) {
        g.spline.assign(4, path.front());
        return g;
    }
    const QPointF tip = p.back();
    const QLineF last(p[p.size() - 2], tip);
    p.back() = tip - (tip - last.p1()) / last.length() * std::min(kArrowHead, last.length());
    g.arrowTip = tip;
    auto straight = [&g](QPointF a, QPointF b) {
        g.spline.push_back(a + (b - a) / 3);
        g.spline.push_back(a + (b - a) * 2 / 3);
        g.spline.push_back(b);
    };
    g.spline.push_back(p.front());
    QPointF at = p.front();
    for (size_t i = 1; i + 1 < p.size(); ++i) {
        const QLineF in(p[i - 1], p[i]), out(p[i], p[i + 1]);
        const qreal r = std::min({kCorner, in.length() / 2, out.length() / 2});
        const QPointF a = p[i] - (p[i] - p[i - 1]) / in.length() * r;
        const QPointF b = p[i] + (p[i + 1] - p[i]) / out.length() * r;
        straight(at, a);
        g.spline.push_back(p[i]);
        g.spline.push_back(p[i]);
        g.spline.push_back(b);
        at = b;
    }
    straight(at, p.back());
    return g;
}

/// The caption as a title over an exported image; the view itself shows the caption as an
/// overlay (GraphView), so on screen this draws nothing (a view paints items with its
/// viewport as the widget, QGraphicsScene::render() with none).
class ExportTitleItem : public QGraphicsSimpleTextItem {
public:
    using QGraphicsSimpleTextItem::QGraphicsSimpleTextItem;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override
    {
        if (!widget)
            QGraphicsSimpleTextItem::paint(painter, option, widget);
    }
};

/// Text in the scene: one line at a fixed pixel size, placed by its left or right end.
QGraphicsSimpleTextItem *addText(QGraphicsScene *scene, const QString &text, const QFont &font, const QColor &color,
                                 QPointF anchor, Qt::Alignment align)
{
    auto *item = scene->addSimpleText(text, font);
    item->setBrush(color);
    const QRectF r = item->boundingRect();
    qreal x = anchor.x();
    if (align & Qt::AlignRight)
        x -= r.width();
    else if (align & Qt::AlignHCenter)
        x -= r.width() / 2;
    item->setPos(x, anchor.y() - r.height() / 2);
    return item;
}

/// The rows, top to bottom (graph nodes): events by time, then arrival; each unseen cause a row
/// of its own just above its first effect.
std::vector<size_t> rowOrder(const EventStore &store, const FlowGraph &graph)
{
    const size_t count = graph.nodes.size();
    auto timeOf = [&](size_t n) { return store.record(graph.nodes[n].event).timestampNs; };
    std::vector<size_t> events;
    for (size_t n = 0; n < count; ++n)
        if (!graph.nodes[n].ghost)
            events.push_back(n);
    std::stable_sort(events.begin(), events.end(), [&](size_t a, size_t b) {
        const int64_t ta = timeOf(a), tb = timeOf(b);
        return ta != tb ? ta < tb : graph.nodes[a].event < graph.nodes[b].event;
    });
    std::vector<size_t> eventRank(count, SIZE_MAX);
    for (size_t r = 0; r < events.size(); ++r)
        eventRank[events[r]] = r;
    std::vector<std::vector<size_t>> ghostsBefore(events.size() + 1);
    for (size_t n = 0; n < count; ++n) {
        if (!graph.nodes[n].ghost)
            continue;
        size_t first = events.size();
        for (const FlowGraph::Edge &e : graph.edges)
            if (e.cause == n && !graph.nodes[e.effect].ghost)
                first = std::min(first, eventRank[e.effect]);
        ghostsBefore[first].push_back(n);
    }
    std::vector<size_t> rows;
    for (size_t r = 0; r <= events.size(); ++r) {
        rows.insert(rows.end(), ghostsBefore[r].begin(), ghostsBefore[r].end());
        if (r < events.size())
            rows.push_back(events[r]);
    }
    return rows;
}

/// An event's mark (its type, in its service's colour) or an unseen cause's (its id, dashed),
/// with the marks of the flow graph and a tooltip; placed later.
std::unique_ptr<GraphNodeItem> makeMark(const EventStore &store, const FlowGraph &graph, size_t i)
{
    const QFont typeFont = pixelFont(12, true);
    const QFont smallItalic = pixelFont(11, false, true);
    const QColor text(palette::kText), muted(palette::kMutedText);
    const FlowGraph::Node &n = graph.nodes[i];
    const QString id = elided(n.eventId);
    std::vector<GraphNodeItem::Line> lines;
    GraphNodeItem::Style style;
    uint32_t markBits = 0;
    QStringList tip;
    if (n.ghost) {
        lines = {{id, smallItalic, QColor(palette::kGhost)}};
        style.fill = QColor(palette::kGhostFill);
        style.outline = QColor(palette::kGhost);
        style.outlineWidth = 1.5;
        style.dashed = true;
        markBits |= SequenceView::Ghost;
        tip << QStringLiteral("Unseen cause %1").arg(id)
            << QStringLiteral("No event with this id is in the input: a command, or a lost event.");
    } else {
        const EventRecord &r = store.record(n.event);
        const QString type = elided(store.typeName(r.type));
        const QString source = elided(store.sourceName(r.source));
        lines = {{r.version > 1 ? QStringLiteral("%1  v%2").arg(type).arg(r.version) : type, typeFont, text}};
        style.fill = colorForSource(store.sourceName(r.source));
        style.outline = QColor(palette::kOutline);
        tip << QStringLiteral("%1 (v%2)").arg(type).arg(r.version) << QStringLiteral("source: %1").arg(source)
            << QStringLiteral("id: %1").arg(id)
            << QStringLiteral("time: %1 (%2 since the flow started)")
                   .arg(QString::fromStdString(formatTime(r.timestampNs)), sinceStart(r.timestampNs - graph.startNs));
        if (!n.inFlow) {
            const QString corr = elided(store.correlationId(n.event));
            lines.push_back(
                {corr.isEmpty() ? QStringLiteral("no flow") : QStringLiteral("flow %1").arg(corr), smallItalic, muted});
            markBits |= SequenceView::OtherFlow;
            tip << (corr.isEmpty() ? QStringLiteral("A cause without a correlationId (no flow)")
                                   : QStringLiteral("A cause from another flow: %1").arg(corr));
        }
        if (n.critical) {
            style.outline = QColor(palette::kCritical);
            style.outlineWidth = 2.5;
            markBits |= SequenceView::Critical;
            tip << QStringLiteral("On the critical path (the chain of causes of the flow's last event)");
        }
        if (n.inCycle) {
            style.outline = QColor(palette::kCycle);
            style.outlineWidth = 2.5;
            markBits |= SequenceView::Cycle;
            tip << QStringLiteral("On a causation cycle: these events name each other as causes");
        }
        if (n.reusedId) {
            markBits |= SequenceView::IdCollision;
            tip << QStringLiteral("Its id was first used by an event of another flow (an id collision)");
        }
        if (n.redeliveries) {
            markBits |= SequenceView::Redelivered;
            tip << QStringLiteral("Delivered %1 with identical bytes (redelivery)").arg(timesText(n.redeliveries + 1));
        }
        if (n.collisions) {
            markBits |= SequenceView::IdCollision;
            tip << QStringLiteral("Its id was reused by %1 other event%2 with different content (id collision)")
                       .arg(n.collisions)
                       .arg(n.collisions == 1 ? "" : "s");
        }
        const uint32_t elsewhere = n.duplicates - std::min(n.duplicates, n.redeliveries + n.collisions);
        if (elsewhere)
            tip << QStringLiteral("%1 more cop%2 of this id in other flows")
                       .arg(elsewhere)
                       .arg(elsewhere == 1 ? "y" : "ies");
        for (const FlowGraph::CrossFlowLink &l : graph.crossFlow)
            if (!l.incoming && l.cause == n.event)
                tip << QStringLiteral("Caused %1 (%2) in %3")
                           .arg(elided(store.eventId(l.effect)), elided(store.typeName(store.record(l.effect).type)),
                                l.correlationId.empty()
                                    ? QStringLiteral("no flow")
                                    : QStringLiteral("flow %1").arg(QString::fromStdString(l.correlationId)));
    }
    auto item = std::make_unique<GraphNodeItem>(std::move(lines), style, kMarkMaxWidth);
    std::vector<GraphNodeItem::Badge> badges;
    if (n.redeliveries)
        badges.push_back({QStringLiteral("\u00d7%1").arg(n.redeliveries + 1), QColor(palette::kRedelivery), text});
    if (n.collisions || n.reusedId)
        badges.push_back({n.collisions ? QStringLiteral("id \u00d7%1").arg(n.collisions + 1) : QStringLiteral("id"),
                          QColor(palette::kIdCollision), Qt::white});
    if (!badges.empty())
        item->setBadges(std::move(badges));
    item->setKey(n.ghost ? kNoEvent : n.event);
    item->setMarks(markBits);
    item->setToolTip(tip.join(QLatin1Char('\n')));
    item->setZValue(2); // over arrows and lifelines
    if (!n.ghost) {
        item->setCursor(Qt::PointingHandCursor);
        if (!n.inFlow)
            item->setOpacity(palette::kFadedOpacity);
    }
    return item;
}

/// A lane's header: the service's name on its colour, or the unseen causes' lane, dashed.
std::unique_ptr<GraphNodeItem> makeHeader(const QString &name, bool ghost)
{
    GraphNodeItem::Style style;
    style.fill = ghost ? QColor(palette::kGhostFill) : colorForSource(name.toStdString());
    style.outline = ghost ? QColor(palette::kGhost) : QColor(palette::kOutline);
    style.dashed = ghost;
    auto header = std::make_unique<GraphNodeItem>(
        std::vector<GraphNodeItem::Line>{
            {name, pixelFont(13, true), ghost ? QColor(palette::kGhost) : QColor(palette::kText)}},
        style, 220);
    header->setKey(kNoEvent);
    header->setToolTip(ghost ? QStringLiteral("Causes named by events of this flow but not in the input")
                             : QStringLiteral("Service %1").arg(name));
    header->setZValue(3);
    return header;
}

/// How an arrow looks: colour, weight, and its label (the reaction lag).
struct ArrowLook {
    QString label;
    QFont font;
    GraphEdgeItem::Style style;
    uint32_t marks = 0;
    QString tip;
    qreal labelWidth = 0;
};

ArrowLook arrowLook(const FlowGraph &graph, const FlowGraph::Edge &e, const std::vector<QString> &ids, bool sameLane)
{
    const QFont labelFont = pixelFont(11);
    const QFont labelBold = pixelFont(11, true);
    const QColor muted(palette::kMutedText);
    const FlowGraph::Node &cause = graph.nodes[e.cause], &effect = graph.nodes[e.effect];
    ArrowLook look;
    look.font = labelFont;
    look.style.color = QColor(palette::kEdge);
    look.style.width = 1.3;
    look.style.labelColor = muted;
    if (cause.ghost) {
        look.style.color = QColor(palette::kGhost);
        look.style.dashed = true;
        look.marks |= SequenceView::Ghost;
        look.tip = QStringLiteral("Caused by %1, which is not in the input").arg(ids[e.cause]);
    } else if (e.lagNs) {
        look.label = sinceStart(*e.lagNs);
        look.tip =
            QStringLiteral("Reaction lag %1: %2 \u2192 %3").arg(signedDuration(*e.lagNs), ids[e.cause], ids[e.effect]);
    }
    if (!cause.ghost && !cause.inFlow) {
        look.style.dashed = true;
        look.marks |= SequenceView::OtherFlow;
    }
    if (cause.inCycle && effect.inCycle) {
        look.style.color = QColor(palette::kCycle);
        look.style.width = 2;
        look.style.labelColor = QColor(palette::kCycle);
        look.marks |= SequenceView::Cycle;
    }
    if (e.critical) {
        look.style.color = QColor(palette::kCritical);
        look.style.width = 2.6;
        look.style.labelColor = QColor(palette::kCritical);
        look.font = labelBold;
        look.marks |= SequenceView::Critical;
    }
    if (e.skew()) {
        look.label = QStringLiteral("skew %1").arg(signedDuration(*e.lagNs));
        look.style.color = QColor(palette::kSkew);
        look.style.width = std::max(look.style.width, 2.0);
        look.style.labelColor = QColor(palette::kSkew);
        look.font = labelBold;
        look.marks |= SequenceView::Skew;
        look.tip = QStringLiteral("Clock skew: %1 is stamped %2 before its cause %3")
                       .arg(ids[e.effect], QString::fromStdString(formatDuration(-*e.lagNs)), ids[e.cause]);
    }
    if (!cause.ghost && sameLane)
        look.marks |= SequenceView::SameService;
    if (!look.label.isEmpty())
        look.labelWidth = GraphEdgeItem::labelSize({look.label}, look.font).width();
    return look;
}

/// A long pause between two rows: the middle of the gap it opened, and how long it was.
struct Pause {
    qreal y;
    int64_t ns;
};

/// Each row's centre (by graph node), from `top` down: evenly spaced, a pause well beyond the
/// flow's usual pace (the median gap between events) adding a little room, growing with its
/// logarithm, so a 200-event saga stays compact while its waits still show.
std::vector<qreal> placeRows(const EventStore &store, const FlowGraph &graph, const std::vector<size_t> &rows,
                             qreal top, std::vector<Pause> &pauses)
{
    auto timeOf = [&](size_t n) { return store.record(graph.nodes[n].event).timestampNs; };
    std::vector<int64_t> gaps;
    int64_t previousTime = 0;
    bool first = true;
    for (size_t n : rows) {
        if (graph.nodes[n].ghost)
            continue;
        if (!first && timeOf(n) > previousTime)
            gaps.push_back(timeOf(n) - previousTime);
        previousTime = timeOf(n);
        first = false;
    }
    int64_t pace = 0;
    if (!gaps.empty()) {
        std::nth_element(gaps.begin(), gaps.begin() + static_cast<ptrdiff_t>(gaps.size() / 2), gaps.end());
        pace = gaps[gaps.size() / 2];
    }
    std::vector<qreal> yOf(graph.nodes.size());
    qreal y = top - kRowPitch;
    size_t previous = SIZE_MAX;
    for (size_t n : rows) {
        y += kRowPitch;
        if (!graph.nodes[n].ghost) {
            if (previous != SIZE_MAX && pace > 0) {
                const int64_t gap = timeOf(n) - timeOf(previous);
                const double ratio = static_cast<double>(gap) / static_cast<double>(pace);
                if (ratio >= kPauseRatio) {
                    const qreal extra = std::min(kMaxPause, kPausePerOctave * std::log2(2 * ratio / kPauseRatio));
                    pauses.push_back({y - (kRowPitch - extra) / 2, gap});
                    y += extra;
                }
            }
            previous = n;
        }
        yOf[n] = y;
    }
    return yOf;
}

enum Side { Left, Right };

/// Where an arrow runs: on which track beside which lane.
struct Route {
    size_t lane; ///< the cause's
    Side side;
    size_t track = 0; ///< 0 nearest the lane
};

/// The arrows' routes, and how many tracks each lane has on each side.
///
/// An arrow leaves its cause level, on the side facing its effect's lane, turns onto a vertical
/// track just beside the cause's lane, runs along it to the effect's row and goes level into
/// the effect. So a level stretch crosses nothing but lifelines and tracks (a row holds one
/// event) and a track runs in a gap between lanes, never behind a mark. Arrows from one cause
/// share a track (a fan-out reads as a trunk with branches); arrows from different causes whose
/// rows overlap take different tracks, the first nearest the lane.
std::vector<Route> assignTracks(const FlowGraph &graph, const std::vector<size_t> &laneOf,
                                const std::vector<qreal> &yOf, std::vector<std::array<size_t, 2>> &tracks)
{
    std::vector<Route> routes;
    routes.reserve(graph.edges.size());
    struct Group {
        qreal top, bottom;
        std::vector<size_t> edges;
    };
    std::map<std::pair<size_t, int>, std::map<size_t, Group>> groups; // (lane, side) → cause → arrows
    for (size_t i = 0; i < graph.edges.size(); ++i) {
        const FlowGraph::Edge &e = graph.edges[i];
        const size_t from = laneOf[e.cause], to = laneOf[e.effect];
        routes.push_back({from, to < from ? Left : Right});
        auto [it, added] = groups[{from, routes.back().side}].try_emplace(e.cause);
        Group &g = it->second;
        if (added)
            g.top = g.bottom = yOf[e.cause];
        const qreal loop = e.cause == e.effect ? kSelfLoop : 0;
        g.top = std::min({g.top, yOf[e.effect], yOf[e.cause] - loop});
        g.bottom = std::max({g.bottom, yOf[e.effect], yOf[e.cause] + loop});
        g.edges.push_back(i);
    }
    for (auto &[key, byCause] : groups) {
        std::vector<const Group *> order;
        for (const auto &[cause, g] : byCause)
            order.push_back(&g);
        std::sort(order.begin(), order.end(), [](const Group *a, const Group *b) { return a->top < b->top; });
        std::vector<qreal> trackBottom; // of each track's last group
        for (const Group *g : order) {
            size_t t = 0;
            while (t < trackBottom.size() && trackBottom[t] + kTrackClearance > g->top)
                ++t;
            if (t == trackBottom.size())
                trackBottom.push_back(0);
            trackBottom[t] = g->bottom;
            for (size_t i : g->edges)
                routes[i].track = t;
        }
        tracks[key.first][key.second] = trackBottom.size();
    }
    return routes;
}

} // namespace

QString SequenceView::unseenLaneName()
{
    return QStringLiteral("(unseen)");
}

SequenceView::SequenceView(QWidget *parent) : GraphView(parent)
{
    setAlignment(Qt::AlignHCenter | Qt::AlignTop); // a short flow reads from the top, like a long one
    // Fit (F) shows the whole flow, however long: the lanes' headers and the time gutter stay
    // pinned when it is zoomed in to read, so the overview is what fitting is for here.
    setMinimumFitZoom(0);
    clear(QStringLiteral("Select an event to see its flow"));
}

SequenceView::~SequenceView() = default;

void SequenceView::clear(const QString &message)
{
    m_correlation.clear();
    m_signature.clear();
    m_lanes.clear();
    m_nodeIds.clear();
    m_marks.clear();
    m_timeLabels.clear();
    m_arrows.clear();
    m_pauses.clear();
    m_gutterRows.clear();
    m_nodeOfEvent.clear();
    m_highlighted = nullptr;
    showHint(message);
}

void SequenceView::setFlow(const EventStore &store, const FlowGraph &graph)
{
    if (graph.empty()) {
        clear(graph.correlationId.empty()
                  ? QStringLiteral("This event belongs to no flow (it has no correlationId)")
                  : QStringLiteral("No events in flow %1").arg(QString::fromStdString(graph.correlationId)));
        return;
    }
    std::vector<uint64_t> signature = flowSignature(graph);
    if (signature == m_signature && hint().isEmpty())
        return; // the same drawing
    const bool sameFlow = m_correlation == QString::fromStdString(graph.correlationId) && !m_marks.empty();
    // What the person looks at: the mark nearest the view's centre, which a grown flow may have
    // moved a little (wider lanes, a new pause), and where the centre is from it.
    QPointF center = visibleCenter();
    QString anchor;
    QPointF fromAnchor;
    qreal nearest = std::numeric_limits<qreal>::max();
    for (size_t i = 0; sameFlow && i < m_marks.size(); ++i) {
        const QPointF d = center - m_marks[i]->sceneBox().center();
        if (d.manhattanLength() < nearest) {
            nearest = d.manhattanLength();
            anchor = m_nodeIds[i];
            fromAnchor = d;
        }
    }
    clear(QString()); // the selection stays: it is reapplied below
    m_correlation = QString::fromStdString(graph.correlationId);
    m_signature = std::move(signature);
    const QString caption = flowCaption(store, graph, true);
    build(store, graph, caption);
    hideHint();
    setCaption(caption);
    updateSceneRect();
    if (sameFlow) {
        if (const GraphNodeItem *mark = markItem(anchor))
            center = mark->sceneBox().center() + fromAnchor;
        keepView(center);
    } else
        presentNewGraph(0.75);
    applySelection(false);
}

void SequenceView::build(const EventStore &store, const FlowGraph &graph, const QString &captionHtml)
{
    ++m_layouts;
    const QFont smallFont = pixelFont(11);
    const QFont smallItalic = pixelFont(11, false, true);
    const QColor text(palette::kText), muted(palette::kMutedText);
    const size_t count = graph.nodes.size();
    auto timeOf = [&](size_t n) { return store.record(graph.nodes[n].event).timestampNs; };
    const std::vector<size_t> rows = rowOrder(store, graph);

    // Lanes: unseen causes, then services in the order they first act.
    std::vector<size_t> laneOf(count, 0);
    {
        const bool ghosts = graph.ghostCount() > 0;
        if (ghosts)
            m_lanes.push_back({unseenLaneName(), 0, 0, true});
        std::unordered_map<uint16_t, size_t> laneOfSource;
        for (size_t n : rows) {
            if (graph.nodes[n].ghost)
                continue;
            const uint16_t source = store.record(graph.nodes[n].event).source;
            auto it = laneOfSource.find(source);
            if (it == laneOfSource.end()) {
                it = laneOfSource.emplace(source, m_lanes.size()).first;
                m_lanes.push_back({elided(store.sourceName(source)), 0, 0, false});
            }
            laneOf[n] = it->second;
        }
    }

    // Marks, arrows' looks and headers, made before placing them: their sizes decide the lanes'.
    std::vector<std::unique_ptr<GraphNodeItem>> marks;
    marks.reserve(count);
    m_nodeIds.reserve(count);
    m_timeLabels.assign(count, QString());
    for (size_t n = 0; n < count; ++n) {
        marks.push_back(makeMark(store, graph, n));
        m_nodeIds.push_back(QString::fromStdString(graph.nodes[n].eventId));
        if (!graph.nodes[n].ghost)
            m_timeLabels[n] = QStringLiteral("%1  %2").arg(sinceStart(timeOf(n) - graph.startNs),
                                                           QString::fromStdString(formatClock(timeOf(n))));
    }
    std::vector<ArrowLook> looks;
    looks.reserve(graph.edges.size());
    for (const FlowGraph::Edge &e : graph.edges)
        looks.push_back(
            arrowLook(graph, e, m_nodeIds, !graph.nodes[e.cause].ghost && laneOf[e.cause] == laneOf[e.effect]));
    std::vector<std::unique_ptr<GraphNodeItem>> headers;
    std::vector<qreal> widest(m_lanes.size(), kMinLaneWidth); // a lane's extent: its widest mark or header
    for (size_t l = 0; l < m_lanes.size(); ++l) {
        headers.push_back(makeHeader(m_lanes[l].name, m_lanes[l].ghost));
        m_lanes[l].width = headers.back()->size().width();
        widest[l] = std::max(widest[l], m_lanes[l].width);
    }
    for (size_t n = 0; n < count; ++n)
        widest[laneOf[n]] = std::max(widest[laneOf[n]], marks[n]->size().width());
    m_headerTop = kHeaderTop;
    m_headerHeight = headers.empty() ? 0 : headers.front()->size().height();

    // Rows, and the arrows' tracks.
    std::vector<Pause> pauses;
    const std::vector<qreal> yOf = placeRows(store, graph, rows, m_headerTop + m_headerHeight + kFirstRowGap, pauses);
    const qreal bottom = (rows.empty() ? m_headerTop + m_headerHeight : yOf[rows.back()]) + kRowPitch;
    std::vector<std::array<size_t, 2>> tracks(m_lanes.size(), {0, 0}); // per lane and side
    const std::vector<Route> routes = assignTracks(graph, laneOf, yOf, tracks);

    // How far a lane's outermost track lies from its extent.
    auto band = [&](size_t lane, Side side) {
        const size_t n = tracks[lane][side];
        return n == 0 ? 0.0 : kTrackFirst + static_cast<qreal>(n - 1) * kTrackPitch;
    };
    // Labels sit on the effect's row beside its lane, beyond the lane's tracks: on its left for
    // arrows coming from the left, on its right for the others and for loops.
    std::vector<std::array<qreal, 2>> labelRoom(m_lanes.size(), {0, 0}); // widest label per lane and side
    for (size_t i = 0; i < graph.edges.size(); ++i) {
        const FlowGraph::Edge &e = graph.edges[i];
        const Side side = laneOf[e.cause] < laneOf[e.effect] ? Left : Right;
        qreal &room = labelRoom[laneOf[e.effect]][side];
        room = std::max(room, looks[i].labelWidth);
    }

    // The lanes' places: between two lanes, room for the tracks on both sides and the widest label.
    qreal right = kGutter;
    for (size_t l = 0; l < m_lanes.size(); ++l) {
        qreal gap = kFirstLaneGap;
        if (l > 0)
            gap = std::max(kMinLaneGap, band(l - 1, Right) + band(l, Left)
                                            + std::max(labelRoom[l - 1][Right], labelRoom[l][Left]) + 2 * kLabelMargin);
        m_lanes[l].x = right + gap + widest[l] / 2;
        right = m_lanes[l].x + widest[l] / 2;
    }
    if (!m_lanes.empty()) {
        const size_t last = m_lanes.size() - 1;
        right += band(last, Right) + (labelRoom[last][Right] > 0 ? kLabelMargin + labelRoom[last][Right] : 0) + 8;
    }

    QGraphicsScene *s = scene();

    // The title (in an export only), headers, lifelines, and the gutter's column titles.
    {
        QTextDocument doc;
        doc.setHtml(captionHtml);
        const QString range = flowTimeRange(store, graph);
        auto *title =
            new ExportTitleItem(doc.toPlainText() + (range.isEmpty() ? QString() : QLatin1Char('\n') + range));
        title->setFont(pixelFont(13));
        title->setBrush(text);
        title->setPos(12, (m_headerTop - title->boundingRect().height()) / 2);
        s->addItem(title);
    }
    const qreal headerY = m_headerTop + m_headerHeight / 2;
    for (size_t l = 0; l < m_lanes.size(); ++l) {
        headers[l]->setPos(m_lanes[l].x, headerY);
        s->addItem(headers[l].release());
        const QPen pen(QColor(m_lanes[l].ghost ? palette::kGhost : kLifeline), 1, Qt::DashLine);
        s->addLine(QLineF(m_lanes[l].x, m_headerTop + m_headerHeight, m_lanes[l].x, bottom), pen)->setZValue(-1);
    }
    addText(s, QStringLiteral("UTC"), smallFont, muted, QPointF(kClockX, headerY), Qt::AlignLeft);
    addText(s, QStringLiteral("since start"), smallFont, muted, QPointF(kGutter - 12, headerY), Qt::AlignRight);

    // Pauses: a faint band across the lanes with the pause's length in the gutter.
    for (const Pause &p : pauses) {
        s->addRect(QRectF(8, p.y - 9, right - 8, 18), Qt::NoPen, QColor(0, 0, 0, 12))->setZValue(-2);
        const QString label = QStringLiteral("\u22ee %1 later").arg(QString::fromStdString(formatDuration(p.ns)));
        addText(s, label, smallItalic, muted, QPointF(kGutter - 12, p.y), Qt::AlignRight)->setZValue(-1);
        m_pauses << label;
        m_gutterRows.push_back({p.y, QString(), label});
    }

    // Marks on their lanes and rows; each event's times in the gutter.
    for (size_t n = 0; n < count; ++n) {
        marks[n]->setPos(m_lanes[laneOf[n]].x, yOf[n]);
        m_marks.push_back(marks[n].get());
        s->addItem(marks[n].release());
        if (!m_timeLabels[n].isEmpty()) {
            const int64_t t = timeOf(n);
            addText(s, QString::fromStdString(formatClock(t)), smallFont, muted, QPointF(kClockX, yOf[n]),
                    Qt::AlignLeft);
            addText(s, sinceStart(t - graph.startNs), smallFont, text, QPointF(kGutter - 12, yOf[n]), Qt::AlignRight);
            m_gutterRows.push_back({yOf[n], QString::fromStdString(formatClock(t)), sinceStart(t - graph.startNs)});
        }
    }

    std::sort(m_gutterRows.begin(), m_gutterRows.end(),
              [](const GutterRow &a, const GutterRow &b) { return a.y < b.y; });

    // The side each event's arrow comes in at: an arrow going out on the same side leaves a
    // little below (or above) the middle, so the two do not run on one line.
    std::vector<int> inSide(count, -1);
    for (const FlowGraph::Edge &e : graph.edges)
        inSide[e.effect] = laneOf[e.cause] < laneOf[e.effect] ? Left : Right;

    // Arrows along their routes.
    for (size_t i = 0; i < graph.edges.size(); ++i) {
        const FlowGraph::Edge &e = graph.edges[i];
        const ArrowLook &look = looks[i];
        const Route &r = routes[i];
        const QRectF c = m_marks[e.cause]->sceneBox(), f = m_marks[e.effect]->sceneBox();
        const Lane &lane = m_lanes[r.lane];
        const qreal offset = kTrackFirst + static_cast<qreal>(r.track) * kTrackPitch;
        const qreal trackX =
            r.side == Right ? lane.x + widest[r.lane] / 2 + offset : lane.x - widest[r.lane] / 2 - offset;
        const qreal loop = e.cause == e.effect ? kSelfLoop : 0;
        qreal fromY = c.center().y() - loop;
        const qreal toY = f.center().y() + loop;
        if (!loop && inSide[e.cause] == r.side)
            fromY += toY > fromY ? kOutShift : -kOutShift;
        const bool intoLeftSide = laneOf[e.cause] < laneOf[e.effect];
        const QPointF from(r.side == Right ? c.right() : c.left(), fromY);
        const QPointF to(intoLeftSide ? f.left() : f.right(), toY);
        const size_t into = laneOf[e.effect];
        const qreal labelX =
            intoLeftSide ? m_lanes[into].x - widest[into] / 2 - band(into, Left) - kLabelMargin - look.labelWidth / 2
                         : m_lanes[into].x + widest[into] / 2 + band(into, Right) + kLabelMargin + look.labelWidth / 2;
        auto *item = new GraphEdgeItem(
            orthogonalRoute({from, QPointF(trackX, fromY), QPointF(trackX, toY), to}, QPointF(labelX, toY)),
            look.style);
        if (!look.label.isEmpty())
            item->setLabel({look.label}, look.font);
        item->setMarks(look.marks);
        item->setToolTip(look.tip);
        item->setZValue(look.marks & (Critical | Skew) ? 1 : 0.5); // marked arrows over crossing plain ones
        s->addItem(item);
        m_arrows.push_back({e.cause, e.effect, item});
    }

    // Which node each of the flow's events (a duplicate's copies too) selects.
    m_nodeOfEvent = nodesOfEvents(store, graph);
}

void SequenceView::setSelectedEvent(uint32_t storeIndex)
{
    m_selected = storeIndex;
    applySelection(true);
}

void SequenceView::applySelection(bool scrollIntoView)
{
    m_highlighted = moveHighlight(m_highlighted, m_selected, m_nodeOfEvent, m_marks);
    if (scrollIntoView)
        ensureSelectionVisible();
}

bool SequenceView::ensureSelectionVisible()
{
    if (!m_highlighted || !isVisible())
        return false;
    // The part of the view not under the caption and the pinned headers.
    const int headerPixels = pinnedTop() + static_cast<int>(std::ceil((m_headerHeight + 12) * zoom()));
    const QRect free = viewport()->rect().adjusted(0, headerPixels, 0, 0);
    const QRectF visible = mapToScene(free).boundingRect();
    if (visible.contains(m_highlighted->sceneBox()))
        return false;
    centerOn(m_highlighted);
    return true;
}

void SequenceView::presented()
{
    if (!showsWholeGraph()) {
        // Too tall to read whole: as wide as fits (not too small to read), from the top.
        const qreal fit = fitZoomFor(QSizeF(scene()->itemsBoundingRect().width(), 1));
        zoomBy(std::clamp(fit, 0.8, 1.0) / zoom());
        horizontalScrollBar()->setValue(horizontalScrollBar()->minimum());
        verticalScrollBar()->setValue(verticalScrollBar()->minimum());
    }
    ensureSelectionVisible();
}

void SequenceView::mousePressEvent(QMouseEvent *event)
{
    m_pressOnPinned = onPinned(event->position().toPoint());
    GraphView::mousePressEvent(event);
}

bool SequenceView::onPinned(QPoint viewportPos) const
{
    if (gutterPinned() && viewportPos.x() < mapFromScene(mapToScene(QPoint(0, 0)) + QPointF(kGutter - 4, 0)).x())
        return true;
    return headersPinned() && viewportPos.y() < mapFromScene(QPointF(0, pinnedHeaderTop() + m_headerHeight + 6)).y();
}

void SequenceView::activate(QGraphicsItem *item)
{
    if (m_pressOnPinned)
        return; // a click on the pinned headers or gutter, not on what scrolled under them
    for (; item; item = item->parentItem())
        if (item->type() == GraphNodeItem::Type) {
            const uint64_t key = static_cast<GraphNodeItem *>(item)->key();
            if (key != kNoEvent)
                emit eventActivated(static_cast<uint32_t>(key));
            return;
        }
}

QString SequenceView::exportTitle() const
{
    return {}; // the drawing has its own (ExportTitleItem), above its headers
}

int SequenceView::pinnedTop() const
{
    // Below the caption (GraphView's, one line or wrapped).
    return caption().isEmpty() ? 0 : captionBottom() + 2;
}

qreal SequenceView::pinnedHeaderTop() const
{
    return mapToScene(QPoint(0, pinnedTop())).y() + 4;
}

bool SequenceView::headersPinned() const
{
    if (m_lanes.empty() || !hint().isEmpty())
        return false;
    return pinnedHeaderTop() > m_headerTop + 0.5;
}

bool SequenceView::gutterPinned() const
{
    if (m_lanes.empty() || !hint().isEmpty())
        return false;
    return mapToScene(QPoint(0, 0)).x() > 0.5;
}

void SequenceView::scrollContentsBy(int dx, int dy)
{
    GraphView::scrollContentsBy(dx, dy);
    if (headersPinned() || gutterPinned() || m_pinnedDrawn)
        viewport()->update(); // the pinned parts do not scroll with the rest
}

void SequenceView::drawForeground(QPainter *painter, const QRectF &rect)
{
    Q_UNUSED(rect);
    const bool pinTop = headersPinned(), pinLeft = gutterPinned();
    m_pinnedDrawn = pinTop || pinLeft;
    if (!m_pinnedDrawn)
        return;
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    const qreal gutterLeft = pinLeft ? visible.left() : 0;
    const QColor plate = backgroundBrush().color(), rule(0xffd0d3d8), muted(palette::kMutedText);
    const QFont small = pixelFont(11), italic = pixelFont(11, false, true);
    painter->save();

    // The gutter, pinned to the left while the lanes are scrolled sideways.
    if (pinLeft) {
        const QRectF band(QPointF(gutterLeft, visible.top()), QPointF(gutterLeft + kGutter - 4, visible.bottom()));
        painter->setPen(Qt::NoPen);
        painter->setBrush(plate);
        painter->drawRect(band);
        painter->setPen(QPen(rule, 0));
        painter->drawLine(band.topRight(), band.bottomRight());
        const auto first = std::lower_bound(m_gutterRows.begin(), m_gutterRows.end(), visible.top() - 20,
                                            [](const GutterRow &r, qreal y) { return r.y < y; });
        for (auto it = first; it != m_gutterRows.end() && it->y < visible.bottom() + 20; ++it) {
            const QRectF line(gutterLeft + kClockX, it->y - 10, kGutter - 12 - kClockX, 20);
            if (it->clock.isEmpty()) { // a pause
                painter->setFont(italic);
                painter->setPen(muted);
                painter->drawText(line, Qt::AlignRight | Qt::AlignVCenter, it->since);
                continue;
            }
            painter->setFont(small);
            painter->setPen(muted);
            painter->drawText(line, Qt::AlignLeft | Qt::AlignVCenter, it->clock);
            painter->setPen(QColor(palette::kText));
            painter->drawText(line, Qt::AlignRight | Qt::AlignVCenter, it->since);
        }
    }

    // The headers where they are, or, when that is under the caption or scrolled away, just
    // under the caption, on a plate over what scrolls beneath.
    const qreal top = std::max(m_headerTop, pinnedHeaderTop());
    const QRectF band(QPointF(visible.left(), pinTop ? visible.top() : top - 4),
                      QPointF(visible.right(), top + m_headerHeight + 6));
    painter->setPen(Qt::NoPen);
    painter->setBrush(plate);
    painter->drawRect(band);
    if (pinTop) {
        painter->setPen(QPen(rule, 0));
        painter->drawLine(band.bottomLeft(), band.bottomRight());
    }
    const qreal middle = top + m_headerHeight / 2;
    painter->setFont(small);
    painter->setPen(muted);
    const QRectF titles(gutterLeft + kClockX, middle - 10, kGutter - 12 - kClockX, 20);
    painter->drawText(titles, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("UTC"));
    painter->drawText(titles, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("since start"));
    const QFont font = pixelFont(13, true);
    painter->setFont(font);
    const QFontMetricsF fm(font);
    if (pinLeft) // headers scrolled under the pinned gutter stay under it
        painter->setClipRect(QRectF(QPointF(gutterLeft + kGutter - 4, band.top()), band.bottomRight()));
    for (const Lane &l : m_lanes) {
        const QRectF box(l.x - l.width / 2, top, l.width, m_headerHeight);
        QPen pen(l.ghost ? QColor(palette::kGhost) : QColor(palette::kOutline), 1);
        if (l.ghost)
            pen.setStyle(Qt::DashLine);
        painter->setPen(pen);
        painter->setBrush(l.ghost ? QColor(palette::kGhostFill) : colorForSource(l.name.toStdString()));
        painter->drawRoundedRect(box, 6, 6);
        painter->setPen(l.ghost ? QColor(palette::kGhost) : QColor(palette::kText));
        painter->drawText(box, Qt::AlignCenter, fm.elidedText(l.name, Qt::ElideMiddle, l.width - 20));
    }
    painter->restore();
}

QStringList SequenceView::laneNames() const
{
    QStringList names;
    for (const Lane &l : m_lanes)
        names << l.name;
    return names;
}

qreal SequenceView::laneX(const QString &laneName) const
{
    for (const Lane &l : m_lanes)
        if (l.name == laneName)
            return l.x;
    return std::numeric_limits<qreal>::quiet_NaN();
}

QRectF SequenceView::markRect(uint32_t storeIndex) const
{
    for (const GraphNodeItem *m : m_marks)
        if (m->key() == storeIndex)
            return m->sceneBox();
    return QRectF();
}

GraphNodeItem *SequenceView::markItem(const QString &eventId) const
{
    for (size_t i = 0; i < m_marks.size(); ++i)
        if (m_nodeIds[i] == eventId)
            return m_marks[i];
    return nullptr;
}

GraphEdgeItem *SequenceView::arrowItem(const QString &causeId, const QString &effectId) const
{
    for (const Arrow &a : m_arrows)
        if (m_nodeIds[a.cause] == causeId && m_nodeIds[a.effect] == effectId)
            return a.item;
    return nullptr;
}

QString SequenceView::timeLabel(uint32_t storeIndex) const
{
    for (size_t i = 0; i < m_marks.size(); ++i)
        if (m_marks[i]->key() == storeIndex)
            return m_timeLabels[i];
    return QString();
}

QStringList SequenceView::pauseLabels() const
{
    return m_pauses;
}

} // namespace eventlens
