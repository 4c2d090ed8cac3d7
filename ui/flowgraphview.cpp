#include "ui/flowgraphview.h"

#include "ui/flowviews.h"
#include "ui/graphedgeitem.h"
#include "ui/graphlayout.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"
#include "ui/uitext.h"

#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/textformat.h"

#include <QGraphicsScene>

#include <functional>
#include <map>
#include <memory>

namespace eventlens {

namespace {

constexpr uint64_t kNoEvent = UINT64_MAX; ///< key of a ghost: not an event, nothing to activate
constexpr size_t kStubsPerCause = 3;      ///< more effects elsewhere than this share one stub

} // namespace

FlowGraphView::FlowGraphView(QWidget *parent) : GraphView(parent)
{
    clear(QStringLiteral("Select an event to see its flow"));
}

FlowGraphView::~FlowGraphView() = default;

void FlowGraphView::clear(const QString &message)
{
    m_correlation.clear();
    m_signature.clear();
    m_nodeIds.clear();
    m_nodes.clear();
    m_edges.clear();
    m_stubs.clear();
    m_nodeOfEvent.clear();
    m_highlighted = nullptr;
    showHint(message);
}

bool FlowGraphView::setFlow(const EventStore &store, const FlowGraph &graph)
{
    if (graph.empty()) {
        clear(graph.correlationId.empty()
                  ? QStringLiteral("This event belongs to no flow (it has no correlationId)")
                  : QStringLiteral("No events in flow %1").arg(QString::fromStdString(graph.correlationId)));
        return true;
    }
    std::vector<uint64_t> signature = flowSignature(graph);
    if (signature == m_signature && hint().isEmpty())
        return true; // the same drawing
    // Graphviz lays out one graph at a time: while a big service map takes it on a worker
    // thread, keep what is drawn rather than freeze the window; the caller asks again.
    const std::unique_lock<std::recursive_mutex> graphviz =
        m_waitsForLayout ? GraphLayout::hold() : GraphLayout::tryHold(std::chrono::milliseconds(5));
    if (!graphviz)
        return false;
    const bool sameFlow = m_correlation == QString::fromStdString(graph.correlationId) && !m_nodes.empty();
    const QPointF center = visibleCenter();
    clear(QString()); // the selection stays: it is reapplied below
    m_correlation = QString::fromStdString(graph.correlationId);
    m_signature = std::move(signature);
    build(store, graph);
    if (m_nodes.empty())
        return true; // the layout failed: build() shows why
    hideHint();
    setCaption(flowCaption(store, graph, false));
    setTimeRangeText(flowTimeRange(store, graph));
    updateSceneRect();
    if (sameFlow) {
        keepView(center);
    } else {
        // Too big to read whole: start where the critical path (the flow's spine) starts.
        const size_t start = graph.criticalPath.empty() ? 0 : graph.criticalPath.front();
        presentNewGraph(0.5, m_nodes[start]->sceneBox().center() - QPointF(0, m_nodes[start]->sceneBox().height() / 2));
    }
    applySelection(false);
    return true;
}

void FlowGraphView::build(const EventStore &store, const FlowGraph &graph)
{
    const QFont typeFont = pixelFont(13, true);
    const QFont smallFont = pixelFont(11);
    const QFont markFont = pixelFont(11, true);
    const QFont ghostFont = pixelFont(12, true, true);
    const QFont labelFont = pixelFont(11);
    const QFont labelBold = pixelFont(11, true);
    const QColor text(palette::kText), muted(palette::kMutedText);

    // Nodes: ghosts, then events (the graph's order).
    std::vector<std::unique_ptr<GraphNodeItem>> nodes;
    nodes.reserve(graph.nodes.size());
    for (const FlowGraph::Node &n : graph.nodes) {
        const QString id = elided(n.eventId);
        std::vector<GraphNodeItem::Line> lines;
        GraphNodeItem::Style style;
        uint32_t marks = 0;
        QStringList tip;
        if (n.ghost) {
            lines = {{QStringLiteral("unseen cause"), ghostFont, QColor(palette::kGhost)},
                     {id, smallFont, QColor(palette::kGhost)}};
            style.fill = QColor(palette::kGhostFill);
            style.outline = QColor(palette::kGhost);
            style.outlineWidth = 1.5;
            style.dashed = true;
            marks |= Ghost;
            tip << QStringLiteral("Unseen cause %1").arg(id)
                << QStringLiteral("No event with this id is in the input: a command, or a lost event.");
        } else {
            const EventRecord &r = store.record(n.event);
            const QString type = elided(store.typeName(r.type));
            const QString source = elided(store.sourceName(r.source));
            const QString typeLine = r.version > 1 ? QStringLiteral("%1  v%2").arg(type).arg(r.version) : type;
            lines = {{typeLine, typeFont, text},
                     {source, smallFont, muted},
                     {QString::fromStdString(formatClock(r.timestampNs)), smallFont, muted}};
            style.fill = colorForSource(store.sourceName(r.source));
            style.outline = QColor(palette::kOutline);
            tip << QStringLiteral("%1 (v%2)").arg(type).arg(r.version) << QStringLiteral("source: %1").arg(source)
                << QStringLiteral("id: %1").arg(id)
                << QStringLiteral("time: %1").arg(QString::fromStdString(formatTime(r.timestampNs)));
            if (!n.inFlow) {
                const QString corr = elided(store.correlationId(n.event));
                lines.push_back({corr.isEmpty() ? QStringLiteral("no flow") : QStringLiteral("flow %1").arg(corr),
                                 pixelFont(11, false, true), muted});
                marks |= OtherFlow;
                tip << (corr.isEmpty() ? QStringLiteral("A cause without a correlationId (no flow)")
                                       : QStringLiteral("A cause from another flow: %1").arg(corr));
            }
            if (n.critical) {
                style.outline = QColor(palette::kCritical);
                style.outlineWidth = 2.5;
                marks |= Critical;
                tip << QStringLiteral("On the critical path (the chain of causes of the flow's last event)");
            }
            if (n.inCycle) {
                lines.push_back({QStringLiteral("\u21bb causation cycle"), markFont, QColor(palette::kCycle)});
                style.outline = QColor(palette::kCycle);
                style.outlineWidth = 2.5;
                marks |= Cycle;
                tip << QStringLiteral("On a causation cycle: these events name each other as causes");
            }
            if (n.reusedId) {
                lines.push_back({QStringLiteral("id used before elsewhere"), markFont, QColor(palette::kIdCollision)});
                marks |= IdCollision;
                tip << QStringLiteral("Its id was first used by an event of another flow (an id collision)");
            }
            if (n.redeliveries) {
                marks |= Redelivered;
                tip << QStringLiteral("Delivered %1 with identical bytes (redelivery)")
                           .arg(timesText(n.redeliveries + 1));
            }
            if (n.collisions) {
                marks |= IdCollision;
                tip << QStringLiteral("Its id was reused by %1 other event%2 with different content (id collision)")
                           .arg(n.collisions)
                           .arg(n.collisions == 1 ? "" : "s");
            }
            const uint32_t elsewhere = n.duplicates - std::min(n.duplicates, n.redeliveries + n.collisions);
            if (elsewhere)
                tip << QStringLiteral("%1 more cop%2 of this id in other flows")
                           .arg(elsewhere)
                           .arg(elsewhere == 1 ? "y" : "ies");
        }
        auto item = std::make_unique<GraphNodeItem>(std::move(lines), style);
        std::vector<GraphNodeItem::Badge> badges;
        if (n.redeliveries)
            badges.push_back({QStringLiteral("\u00d7%1").arg(n.redeliveries + 1), QColor(palette::kRedelivery), text});
        if (n.collisions)
            badges.push_back(
                {QStringLiteral("id \u00d7%1").arg(n.collisions + 1), QColor(palette::kIdCollision), Qt::white});
        if (!badges.empty())
            item->setBadges(std::move(badges));
        item->setKey(n.ghost ? kNoEvent : n.event);
        item->setMarks(marks);
        item->setToolTip(tip.join(QLatin1Char('\n')));
        if (!n.ghost) {
            item->setCursor(Qt::PointingHandCursor);
            if (!n.inFlow)
                item->setOpacity(palette::kFadedOpacity);
        }
        nodes.push_back(std::move(item));
        m_nodeIds.push_back(id);
    }

    // Effects in other flows: stubs hanging off their causes.
    struct StubGroup {
        size_t cause; ///< graph node
        std::vector<const FlowGraph::CrossFlowLink *> links;
    };
    std::vector<StubGroup> stubs;
    {
        std::unordered_map<uint32_t, size_t> nodeOf;
        for (size_t i = 0; i < graph.nodes.size(); ++i)
            if (!graph.nodes[i].ghost)
                nodeOf.emplace(graph.nodes[i].event, i);
        std::map<size_t, std::vector<const FlowGraph::CrossFlowLink *>> byCause;
        for (const FlowGraph::CrossFlowLink &l : graph.crossFlow)
            if (!l.incoming)
                if (const auto it = nodeOf.find(l.cause); it != nodeOf.end())
                    byCause[it->second].push_back(&l);
        for (auto &[cause, links] : byCause) {
            if (links.size() <= kStubsPerCause) {
                for (const FlowGraph::CrossFlowLink *l : links)
                    stubs.push_back({cause, {l}});
            } else {
                stubs.push_back({cause, links});
            }
        }
    }
    std::vector<std::unique_ptr<GraphNodeItem>> stubItems;
    for (const StubGroup &s : stubs) {
        std::vector<GraphNodeItem::Line> lines;
        QStringList tip;
        if (s.links.size() == 1) {
            const FlowGraph::CrossFlowLink &l = *s.links.front();
            const QString corr = QString::fromStdString(l.correlationId);
            lines = {
                {QStringLiteral("\u2192 %1").arg(elided(store.typeName(store.record(l.effect).type))), markFont, muted},
                {corr.isEmpty() ? QStringLiteral("no flow") : QStringLiteral("flow %1").arg(corr),
                 pixelFont(11, false, true), muted}};
            tip << QStringLiteral("Caused %1 (%2) in %3; click to go there")
                       .arg(elided(store.eventId(l.effect)), elided(store.typeName(store.record(l.effect).type)),
                            corr.isEmpty() ? QStringLiteral("no flow") : QStringLiteral("flow %1").arg(corr));
        } else {
            lines = {{QStringLiteral("\u2192 %1 effects").arg(s.links.size()), markFont, muted},
                     {QStringLiteral("in other flows"), pixelFont(11, false, true), muted}};
            tip << QStringLiteral("Effects in other flows (click to go to the first):");
            for (const FlowGraph::CrossFlowLink *l : s.links)
                tip << QStringLiteral("%1 (%2) in %3")
                           .arg(elided(store.eventId(l->effect)), elided(store.typeName(store.record(l->effect).type)),
                                l->correlationId.empty()
                                    ? QStringLiteral("no flow")
                                    : QStringLiteral("flow %1").arg(QString::fromStdString(l->correlationId)));
        }
        GraphNodeItem::Style style;
        style.shape = GraphNodeItem::Shape::Pill;
        style.fill = Qt::white;
        style.outline = muted;
        style.dashed = true;
        auto item = std::make_unique<GraphNodeItem>(std::move(lines), style, 200);
        item->setKey(s.links.front()->effect);
        item->setMarks(Stub);
        item->setToolTip(tip.join(QLatin1Char('\n')));
        item->setCursor(Qt::PointingHandCursor);
        stubItems.push_back(std::move(item));
    }

    // Lay out: nodes, then stubs; edges, then stub edges.
    GraphLayout layout;
    layout.setDirection(GraphLayout::Direction::TopToBottom);
    layout.setNodeSeparation(22);
    layout.setRankSeparation(26);
    for (const auto &item : nodes)
        layout.addNode({item->size(), GraphLayout::Shape::Box});
    for (const auto &item : stubItems)
        layout.addNode({item->size(), GraphLayout::Shape::Box});
    struct EdgeLook {
        QStringList label;
        QFont font;
        GraphEdgeItem::Style style;
        uint32_t marks = 0;
        QString tip;
    };
    std::vector<EdgeLook> looks;
    for (const FlowGraph::Edge &e : graph.edges) {
        const FlowGraph::Node &cause = graph.nodes[e.cause], &effect = graph.nodes[e.effect];
        EdgeLook look;
        look.font = labelFont;
        look.style.color = QColor(palette::kEdge);
        look.style.width = 1.3;
        look.style.labelColor = muted;
        if (cause.ghost) {
            look.style.color = QColor(palette::kGhost);
            look.style.dashed = true;
            look.marks |= Ghost;
            look.tip = QStringLiteral("Caused by %1, which is not in the input").arg(m_nodeIds[e.cause]);
        } else if (e.lagNs) {
            look.label = {signedDuration(*e.lagNs)};
            look.tip = QStringLiteral("Reaction lag %1: %2 \u2192 %3")
                           .arg(signedDuration(*e.lagNs), m_nodeIds[e.cause], m_nodeIds[e.effect]);
        }
        if (!cause.ghost && !cause.inFlow) {
            look.style.dashed = true;
            look.marks |= OtherFlow;
        }
        if (cause.inCycle && effect.inCycle) {
            look.style.color = QColor(palette::kCycle);
            look.style.width = 2;
            look.style.labelColor = QColor(palette::kCycle);
            look.marks |= Cycle;
        }
        if (e.critical) {
            look.style.color = QColor(palette::kCritical);
            look.style.width = 3;
            look.style.labelColor = QColor(palette::kCritical);
            look.font = labelBold;
            look.marks |= Critical;
        }
        if (e.skew()) {
            look.label = {QStringLiteral("skew %1").arg(signedDuration(*e.lagNs))};
            look.style.color = QColor(palette::kSkew);
            look.style.width = std::max(look.style.width, 2.0);
            look.style.labelColor = QColor(palette::kSkew);
            look.font = labelBold;
            look.marks |= Skew;
            look.tip =
                QStringLiteral("Clock skew: %1 is stamped %2 before its cause %3")
                    .arg(m_nodeIds[e.effect], QString::fromStdString(formatDuration(-*e.lagNs)), m_nodeIds[e.cause]);
        }
        if (const size_t n = looks.size(); n < m_edgeLabels.size() && !m_edgeLabels[n].isEmpty()) {
            look.label = {m_edgeLabels[n]};
            look.font = labelBold;
        }
        layout.addEdge({e.cause, e.effect, GraphEdgeItem::labelSize(look.label, look.font), 1});
        looks.push_back(std::move(look));
    }
    for (size_t s = 0; s < stubs.size(); ++s)
        layout.addEdge({stubs[s].cause, nodes.size() + s, QSizeF(), 1});

    QString error;
    ++m_layouts;
    if (!layout.layout(error)) {
        m_nodeIds.clear();
        showHint(QStringLiteral("Cannot draw flow %1.\n%2").arg(m_correlation, error));
        return;
    }

    QGraphicsScene *s = scene();
    const std::vector<QPointF> &centers = layout.nodeCenters();
    for (size_t i = 0; i < nodes.size(); ++i) {
        nodes[i]->setPos(centers[i]);
        m_nodes.push_back(nodes[i].get());
        s->addItem(nodes[i].release());
    }
    for (size_t i = 0; i < stubItems.size(); ++i) {
        stubItems[i]->setPos(centers[nodes.size() + i]);
        m_stubs.push_back(stubItems[i].get());
        s->addItem(stubItems[i].release());
    }
    const std::vector<GraphLayout::EdgeGeometry> &geometry = layout.edgeGeometry();
    for (size_t i = 0; i < graph.edges.size(); ++i) {
        auto *item = new GraphEdgeItem(geometry[i], looks[i].style);
        if (!looks[i].label.isEmpty())
            item->setLabel(looks[i].label, looks[i].font);
        item->setMarks(looks[i].marks);
        item->setToolTip(looks[i].tip);
        if (looks[i].marks & Critical)
            item->setZValue(0.5); // over crossing ordinary edges
        s->addItem(item);
        m_edges.push_back({graph.edges[i].cause, graph.edges[i].effect, item});
    }
    for (size_t i = 0; i < stubs.size(); ++i) {
        GraphEdgeItem::Style style;
        style.color = muted;
        style.dashed = true;
        auto *item = new GraphEdgeItem(geometry[graph.edges.size() + i], style);
        item->setMarks(Stub);
        s->addItem(item);
    }

    // Which node each of the flow's events (a duplicate's copies too) selects.
    m_nodeOfEvent = nodesOfEvents(store, graph);
}

void FlowGraphView::setSelectedEvent(uint32_t storeIndex)
{
    m_selected = storeIndex;
    applySelection(true);
}

void FlowGraphView::applySelection(bool scrollIntoView)
{
    m_highlighted = moveHighlight(m_highlighted, m_selected, m_nodeOfEvent, m_nodes);
    if (scrollIntoView)
        ensureSelectionVisible();
}

bool FlowGraphView::ensureSelectionVisible()
{
    if (!m_highlighted || !isVisible())
        return false;
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    if (visible.contains(m_highlighted->sceneBox()))
        return false;
    centerOn(m_highlighted);
    return true;
}

void FlowGraphView::presented()
{
    ensureSelectionVisible();
}

void FlowGraphView::activate(QGraphicsItem *item)
{
    for (; item; item = item->parentItem())
        if (item->type() == GraphNodeItem::Type) {
            const uint64_t key = static_cast<GraphNodeItem *>(item)->key();
            if (key != kNoEvent)
                emit eventActivated(static_cast<uint32_t>(key));
            return;
        }
}

int FlowGraphView::nodeCount() const
{
    return static_cast<int>(m_nodes.size());
}

int FlowGraphView::stubCount() const
{
    return static_cast<int>(m_stubs.size());
}

QRectF FlowGraphView::nodeRect(uint32_t storeIndex) const
{
    for (const GraphNodeItem *n : m_nodes)
        if (n->key() == storeIndex)
            return n->sceneBox();
    return QRectF();
}

GraphNodeItem *FlowGraphView::nodeItem(const QString &eventId) const
{
    for (size_t i = 0; i < m_nodes.size(); ++i)
        if (m_nodeIds[i] == eventId)
            return m_nodes[i];
    return nullptr;
}

GraphEdgeItem *FlowGraphView::edgeItem(const QString &causeId, const QString &effectId) const
{
    for (const DrawnEdge &e : m_edges)
        if (m_nodeIds[e.cause] == causeId && m_nodeIds[e.effect] == effectId)
            return e.item;
    return nullptr;
}

std::vector<GraphNodeItem *> FlowGraphView::stubItems() const
{
    return m_stubs;
}

} // namespace eventlens
