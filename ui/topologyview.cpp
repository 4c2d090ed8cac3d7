#include "ui/topologyview.h"

#include "ui/graphedgeitem.h"
#include "ui/graphlayout.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"
#include "ui/uitext.h"

#include "core/eventstore.h"
#include "core/textformat.h"
#include "core/topologyanalyzer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QGraphicsScene>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <span>

namespace eventlens {

namespace {

/// How long a service map may take to lay out (both arrangements), in milliseconds.
constexpr qint64 kLayoutBudgetMs = 2000;
/// Reaction edges drawn at most at first: dot lays out about that many within the budget on a
/// slow machine. Bigger maps show their busiest edges.
constexpr size_t kReactionCap = 150;
constexpr size_t kMinReactionCap = 10;
/// Layouts quicker than this are not held back (see setTopology()).
constexpr qint64 kUnthrottledLayoutMs = 100;
/// Maps with more edges than this are laid out with dot's effort bounded.
constexpr size_t kBoundedEffortEdges = 120;
/// Entries a tooltip lists at most.
constexpr qsizetype kTipItems = 12;

// Node keys: the kind in the top bits, then the numbers. Edge keys: producer, type, consumer
// (kNoName for a publish edge).
constexpr uint64_t kServiceKey = 1ull << 48;
constexpr uint64_t kTypeKey = 2ull << 48;
constexpr uint64_t kKindMask = 0xffffull << 48;
constexpr uint64_t kEdgeBit = 1ull << 63; ///< tells edge keys from node keys in the structure
constexpr uint64_t kSkewBit = 1ull << 62; ///< in the structure: the edge has skewed reactions

uint64_t serviceKey(uint16_t source)
{
    return kServiceKey | source;
}

uint64_t typeKey(uint16_t producer, uint16_t type)
{
    return kTypeKey | uint64_t{producer} << 16 | type;
}

uint64_t edgeKey(uint16_t producer, uint16_t type, uint16_t consumer)
{
    return uint64_t{producer} << 32 | uint64_t{type} << 16 | consumer;
}

QString duration(int64_t ns)
{
    return QString::fromStdString(formatDuration(ns));
}

/// "0.25/s", "12.5/s", "340/s": three significant digits, as the CLI prints rates.
QString rateText(double perSecond)
{
    if (perSecond >= 100)
        return QStringLiteral("%1/s").arg(std::round(perSecond), 0, 'f', 0);
    return QStringLiteral("%1/s").arg(QString::fromStdString(formatSignificant(perSecond)));
}

QString count(uint64_t n)
{
    return QString::fromStdString(formatCount(n));
}

/// Pen width from a rate: 1 pt up to about 6 pt for 10 000/s, on a log scale.
qreal widthForRate(double perSecond)
{
    return std::clamp(1.0 + 1.25 * std::log10(1.0 + std::max(0.0, perSecond)), 1.0, 6.0);
}

/// The map as TopologyAnalyzer describes it, keyed as the view draws it.
struct Model {
    struct TypeNode {
        uint16_t producer, type;
        uint64_t published = 0;
        std::vector<uint16_t> consumers;
    };
    struct Publish {
        uint16_t producer, type;
        uint64_t count;
    };
    std::vector<uint16_t> services;
    std::vector<uint16_t> starters;     ///< services that start flows (publish events without a known cause)
    std::map<uint64_t, TypeNode> types; ///< by typeKey
    std::vector<Publish> publishes;
    std::vector<TopologyEdge> reactions;
    double spanSeconds = 0;
    /// As eventlens-cli topology counts them: distinct event types (a pill is one per producer
    /// and type), and those nobody reacts to.
    size_t typeCount = 0, unconsumedTypeCount = 0;

    Model(const EventStore &store, const TopologyAnalyzer &topology)
    {
        services = topology.services();
        reactions = topology.edges();
        spanSeconds = static_cast<double>(topology.spanNs()) / 1e9;
        const std::vector<TopologyType> allTypes = topology.types();
        typeCount = allTypes.size();
        unconsumedTypeCount = topology.unconsumedTypes().size();
        for (const TopologyType &t : allTypes)
            for (const TopologyParticipant &p : t.producers) {
                TypeNode &n = types[typeKey(p.source, t.eventType)];
                n.producer = p.source;
                n.type = t.eventType;
                n.published = p.count;
                publishes.push_back({p.source, t.eventType, p.count});
            }
        for (const TopologyEdge &e : reactions) {
            // A cause's producer always published it; evicted history could say otherwise.
            TypeNode &n = types[typeKey(e.producer, e.eventType)];
            n.producer = e.producer;
            n.type = e.eventType;
            n.consumers.push_back(e.consumer);
            for (uint16_t s : {e.producer, e.consumer})
                if (std::find(services.begin(), services.end(), s) == services.end())
                    services.push_back(s);
        }
        for (uint16_t s : services)
            if (startsFlows(store, s))
                starters.push_back(s);
    }

    /// Whether the service publishes events that nothing seen caused: roots, or reactions to
    /// commands. Looks at its first events only, so a map of a big store stays quick.
    static bool startsFlows(const EventStore &store, uint16_t source)
    {
        const std::span<const uint32_t> events = store.ofSource(source);
        const size_t n = std::min<size_t>(events.size(), 256);
        for (size_t k = 0; k < n; ++k)
            if (store.contains(events[k]) && store.cause(events[k]) == EventStore::kNone)
                return true;
        return false;
    }

    std::vector<uint64_t> structure() const
    {
        std::vector<uint64_t> s;
        for (uint16_t service : services)
            s.push_back(serviceKey(service));
        for (const auto &[key, t] : types)
            s.push_back(key);
        for (const Publish &p : publishes)
            s.push_back(kEdgeBit | edgeKey(p.producer, p.type, EventStore::kNoName));
        // A first skewed reaction adds a label line: worth a new layout.
        for (const TopologyEdge &e : reactions)
            s.push_back(kEdgeBit | (e.skew ? kSkewBit : 0) | edgeKey(e.producer, e.eventType, e.consumer));
        std::sort(s.begin(), s.end());
        return s;
    }

    /// What a reduced map left out (all zero: the whole map).
    struct LeftOut {
        size_t reactions = 0, types = 0, services = 0;
        size_t keptReactions = 0;
        bool any() const { return reactions || types || services; }
    };

    /// The map cut down to its busiest `maxReactions` reaction edges (by count), the type pills
    /// and services they join, and as many types nobody reacts to (busiest first) as fit
    /// beside them: what dot is given when the whole map is too big to lay out
    /// in time. Returns what it left out.
    LeftOut keepBusiest(size_t maxReactions)
    {
        LeftOut out;
        const size_t maxTypes = maxReactions / 2 + 8;
        if (reactions.size() <= maxReactions && types.size() <= maxReactions + maxTypes
            && services.size() <= 2 * maxReactions)
            return out;
        std::stable_sort(reactions.begin(), reactions.end(),
                         [](const TopologyEdge &a, const TopologyEdge &b) { return a.count > b.count; });
        if (reactions.size() > maxReactions) {
            out.reactions = reactions.size() - maxReactions;
            reactions.resize(maxReactions);
        }
        out.keptReactions = reactions.size();
        std::map<uint64_t, TypeNode> keptTypes;
        std::vector<uint16_t> keptServices;
        auto keepService = [&](uint16_t s) {
            if (std::find(keptServices.begin(), keptServices.end(), s) == keptServices.end())
                keptServices.push_back(s);
        };
        for (const TopologyEdge &e : reactions) {
            TypeNode &n = keptTypes[typeKey(e.producer, e.eventType)];
            n = types.at(typeKey(e.producer, e.eventType));
            keepService(e.producer);
            keepService(e.consumer);
        }
        // Pills of kept reactions keep only the consumers drawn, so none is called unconsumed.
        for (auto &[key, n] : keptTypes)
            std::erase_if(n.consumers, [&](uint16_t c) {
                return std::none_of(reactions.begin(), reactions.end(), [&](const TopologyEdge &e) {
                    return typeKey(e.producer, e.eventType) == key && e.consumer == c;
                });
            });
        std::vector<const TypeNode *> unconsumed;
        for (const auto &[key, n] : types)
            if (n.consumers.empty())
                unconsumed.push_back(&n);
        std::stable_sort(unconsumed.begin(), unconsumed.end(),
                         [](const TypeNode *a, const TypeNode *b) { return a->published > b->published; });
        for (size_t i = 0; i < unconsumed.size() && i < maxTypes; ++i) {
            keptTypes[typeKey(unconsumed[i]->producer, unconsumed[i]->type)] = *unconsumed[i];
            keepService(unconsumed[i]->producer);
        }
        std::erase_if(publishes, [&](const Publish &p) { return !keptTypes.count(typeKey(p.producer, p.type)); });
        out.types = types.size() - keptTypes.size();
        out.services = services.size() - keptServices.size();
        types = std::move(keptTypes);
        std::erase_if(services, [&](uint16_t s) {
            return std::find(keptServices.begin(), keptServices.end(), s) == keptServices.end();
        });
        std::erase_if(starters,
                      [&](uint16_t s) { return std::find(services.begin(), services.end(), s) == services.end(); });
        return out;
    }

    double rate(uint64_t n) const { return spanSeconds > 0 ? static_cast<double>(n) / spanSeconds : 0; }
    /// "1.5/s" over the span seen, or "×3" before there is a span.
    QString rateOrCount(uint64_t n) const
    {
        return spanSeconds > 0 ? rateText(rate(n)) : QStringLiteral("\u00d7%1").arg(count(n));
    }
};

/// How an edge looks and what its tooltip says, from its current numbers.
struct EdgeLook {
    QStringList label;
    GraphEdgeItem::Style style;
    uint32_t marks = 0;
    QString tip;
};

EdgeLook publishLook(const EventStore &store, const Model &m, const Model::Publish &p)
{
    EdgeLook look;
    look.label = {m.rateOrCount(p.count)};
    look.style.color = QColor(palette::kEdge);
    look.style.width = widthForRate(m.rate(p.count));
    look.style.labelColor = QColor(palette::kMutedText);
    look.marks = TopologyView::Publish;
    look.tip = QStringLiteral("%1 published %2\n%3 event%4%5\nClick to show these events")
                   .arg(elided(store.sourceName(p.producer)), elided(store.typeName(p.type)), count(p.count),
                        p.count == 1 ? "" : "s",
                        m.spanSeconds > 0 ? QStringLiteral(", %1").arg(rateText(m.rate(p.count))) : QString());
    return look;
}

EdgeLook reactionLook(const EventStore &store, const Model &m, const TopologyEdge &e)
{
    EdgeLook look;
    const bool lags = e.count > e.skew; // all skewed: no lag to report
    look.label << (lags ? QStringLiteral("p95 %1").arg(duration(e.p95Ns)) : QStringLiteral("p95 \u2013"))
               << m.rateOrCount(e.count);
    look.style.color = QColor(palette::kEdge);
    look.style.width = widthForRate(e.ratePerSecond);
    look.style.labelColor = QColor(palette::kText);
    look.marks = TopologyView::Reaction;
    if (e.skew) {
        look.label << QStringLiteral("%1 skewed").arg(count(e.skew));
        look.style.color = QColor(palette::kWarning);
        look.style.labelColor = QColor(palette::kSkew);
        look.marks |= TopologyView::Skewed;
    }
    QStringList tip;
    tip << QStringLiteral("%1 reacted to %2 from %3")
               .arg(elided(store.sourceName(e.consumer)), elided(store.typeName(e.eventType)),
                    elided(store.sourceName(e.producer)))
        << QStringLiteral("%1 reaction%2%3")
               .arg(count(e.count), e.count == 1 ? "" : "s",
                    m.spanSeconds > 0 ? QStringLiteral(", %1").arg(rateText(e.ratePerSecond)) : QString());
    if (lags)
        tip << QStringLiteral("reaction lag: p50 %1 · p95 %2 · p99 %3 · max %4")
                   .arg(duration(e.p50Ns), duration(e.p95Ns), duration(e.p99Ns), duration(e.maxNs));
    tip << (e.skew ? QStringLiteral("%1 skewed (reaction stamped before its cause; left out of the lag)")
                         .arg(count(e.skew))
                   : QStringLiteral("no skew"))
        << QStringLiteral("Click to show these events");
    look.tip = tip.join(QLatin1Char('\n'));
    return look;
}

QString serviceTip(const EventStore &store, const Model &m, uint16_t source)
{
    QStringList published, reactsTo;
    for (const Model::Publish &p : m.publishes)
        if (p.producer == source)
            published << QStringLiteral("%1 \u00d7%2").arg(elided(store.typeName(p.type)), count(p.count));
    for (const TopologyEdge &e : m.reactions)
        if (e.consumer == source)
            reactsTo << QStringLiteral("%1 from %2 \u00d7%3")
                            .arg(elided(store.typeName(e.eventType)), elided(store.sourceName(e.producer)),
                                 count(e.count));
    // A service of a big map may publish or react to hundreds of types: the first few.
    for (QStringList *list : {&published, &reactsTo})
        if (list->size() > kTipItems) {
            const qsizetype more = list->size() - kTipItems;
            list->resize(kTipItems);
            *list << QStringLiteral("and %1 more").arg(grouped(size_t(more)));
        }
    QStringList tip{elided(store.sourceName(source))};
    tip << (published.isEmpty() ? QStringLiteral("publishes nothing seen")
                                : QStringLiteral("publishes: %1").arg(published.join(QStringLiteral(", "))));
    tip << (reactsTo.isEmpty() ? QStringLiteral("reacts to nothing seen")
                               : QStringLiteral("reacts to: %1").arg(reactsTo.join(QStringLiteral(", "))));
    return tip.join(QLatin1Char('\n'));
}

QString typeTip(const EventStore &store, const Model &m, const Model::TypeNode &t)
{
    QStringList tip{
        QStringLiteral("%1 from %2").arg(elided(store.typeName(t.type)), elided(store.sourceName(t.producer)))};
    tip << QStringLiteral("published %1 time%2%3")
               .arg(count(t.published), t.published == 1 ? "" : "s",
                    m.spanSeconds > 0 ? QStringLiteral(" (%1)").arg(rateText(m.rate(t.published))) : QString());
    if (t.consumers.empty()) {
        tip << QStringLiteral("no consumer: nobody reacted to these events");
    } else {
        QStringList names;
        for (uint16_t c : t.consumers)
            names << elided(store.sourceName(c));
        tip << QStringLiteral("reacted to by: %1").arg(names.join(QStringLiteral(", ")));
    }
    return tip.join(QLatin1Char('\n'));
}

/// What the map holds, counted as eventlens-cli topology counts it: "5 services · 8 event
/// types · 7 reaction edges · 2 types nobody reacts to · rates over 2 s"; and, for a map too big
/// to draw whole, what was left out and where to see it.
QString captionOf(const Model &m)
{
    auto counted = [](size_t n, const char *one, const char *many) {
        return QStringLiteral("%1 %2").arg(grouped(n)).arg(QLatin1String(n == 1 ? one : many));
    };
    QStringList parts{QStringLiteral("<b>%1</b>").arg(counted(m.services.size(), "service", "services")),
                      counted(m.typeCount, "event type", "event types"),
                      counted(m.reactions.size(), "reaction edge", "reaction edges")};
    if (m.unconsumedTypeCount)
        parts << QStringLiteral("<span style=\"color:%1\">%2 nobody reacts to</span>")
                     .arg(QColor(palette::kUnconsumed).name())
                     .arg(grouped(m.unconsumedTypeCount));
    if (m.spanSeconds > 0)
        parts << QStringLiteral("rates over %1").arg(duration(static_cast<int64_t>(m.spanSeconds * 1e9)));
    return parts.join(QStringLiteral(" · "));
}

/// The note under the caption of a map too big to draw whole.
QString leftOutNote(const Model::LeftOut &leftOut)
{
    auto counted = [](size_t n, const char *one, const char *many) {
        return QStringLiteral("%1 %2").arg(grouped(n)).arg(QLatin1String(n == 1 ? one : many));
    };
    if (!leftOut.any())
        return QString();
    return QStringLiteral("<br><span style=\"color:%1\">Too big to lay out whole: showing the busiest %2; "
                          "left out %3, %4 and %5. <i>eventlens-cli topology</i> lists every edge; "
                          "a filter (source:NAME) shows one service's events.</span>")
        .arg(QColor(palette::kWarning).name(), counted(leftOut.keptReactions, "reaction edge", "reaction edges"),
             counted(leftOut.reactions, "reaction edge", "reaction edges"),
             counted(leftOut.types, "event-type node", "event-type nodes"),
             counted(leftOut.services, "service", "services"));
}

} // namespace

struct TopologyView::PendingMap {
    struct Edge {
        uint64_t key;
        EdgeLook look;
    };
    std::vector<std::unique_ptr<GraphNodeItem>> nodes; ///< in layout order
    std::vector<Edge> edges;                           ///< in layout order
    QString caption;
    QString note;              ///< what a map cut down to fit left out (rich text), or empty
    size_t reactionsDrawn = 0; ///< reaction edges given to dot
    bool hadMap = false;
    QPointF center;
    /// Superseded (clear(), a newer map) before its layout ran: the worker skips it.
    std::atomic<bool> dropped{false};
};

TopologyView::TopologyView(QWidget *parent) : GraphView(parent), m_reactionCap(kReactionCap)
{
    clear(QStringLiteral("No events yet: the service map appears as events arrive"));
}

TopologyView::~TopologyView()
{
    // They post to this view: let them finish first. Told to stop, they end their layout
    // process within milliseconds, so closing the window never waits for dot.
    if (m_pending)
        m_pending->dropped = true;
    if (m_job.valid())
        m_job.wait();
    for (std::future<void> &job : m_dropped)
        job.wait();
}

void TopologyView::dropPending()
{
    if (m_pending)
        m_pending->dropped = true; // a layout not started yet is skipped; one running is dropped when it arrives
    m_pending.reset();
    if (m_job.valid())
        m_dropped.push_back(std::move(m_job));
    std::erase_if(m_dropped, [](const std::future<void> &job) {
        return job.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
}

void TopologyView::clear(const QString &message)
{
    dropPending();
    m_nodes.clear();
    m_edges.clear();
    m_nodeOrder.clear();
    m_edgeOrder.clear();
    m_arrangements.clear();
    m_arranged = 0;
    m_structure.clear();
    m_note.clear();
    m_reactionCap = kReactionCap;
    showHint(message);
}

void TopologyView::setTopology(const EventStore &store, const TopologyAnalyzer &topology)
{
    Model m(store, topology);
    if (m.services.empty() && m.types.empty()) {
        clear(QStringLiteral("No events yet: the service map appears as events arrive"));
        return;
    }
    const QFont labelFont = pixelFont(11);
    std::vector<uint64_t> structure = m.structure();
    if (m_pending)
        return; // a layout is running; layoutFinished() asks for the next update

    if (structure == m_structure && !m_nodes.empty()) {
        // Same map: new numbers only. Labels stay centred where the layout put them. A map
        // too big to draw whole has edges and nodes that are not drawn.
        for (const Model::Publish &p : m.publishes) {
            const auto it = m_edges.find(edgeKey(p.producer, p.type, EventStore::kNoName));
            if (it == m_edges.end())
                continue;
            GraphEdgeItem *item = it->second;
            const EdgeLook look = publishLook(store, m, p);
            item->setStyle(look.style);
            item->setLabel(look.label, labelFont);
            item->setToolTip(look.tip);
        }
        for (const TopologyEdge &e : m.reactions) {
            const auto it = m_edges.find(edgeKey(e.producer, e.eventType, e.consumer));
            if (it == m_edges.end())
                continue;
            GraphEdgeItem *item = it->second;
            const EdgeLook look = reactionLook(store, m, e);
            item->setStyle(look.style);
            item->setLabel(look.label, labelFont);
            item->setMarks(look.marks);
            item->setToolTip(look.tip);
        }
        for (uint16_t s : m.services)
            if (const auto it = m_nodes.find(serviceKey(s)); it != m_nodes.end())
                it->second->setToolTip(serviceTip(store, m, s));
        for (const auto &[key, t] : m.types)
            if (const auto it = m_nodes.find(key); it != m_nodes.end())
                it->second->setToolTip(typeTip(store, m, t));
        setCaption(captionOf(m) + m_note);
        return;
    }

    const bool hadMap = !m_nodes.empty();
    // A map that keeps changing (a flood, time travel catching up) is laid out again only
    // after as long as its last layout took: dot takes at most half of a core. The window is
    // asked to call again then. (A small map's few tens of milliseconds are not held back.)
    if (hadMap && m_sinceLayout.isValid() && m_lastLayoutMs >= kUnthrottledLayoutMs
        && m_sinceLayout.elapsed() < m_lastLayoutMs) {
        if (!m_retryScheduled) {
            m_retryScheduled = true;
            QTimer::singleShot(int(m_lastLayoutMs - m_sinceLayout.elapsed()) + 1, this, [this] {
                m_retryScheduled = false;
                emit layoutFinished();
            });
        }
        return;
    }
    const QPointF center = visibleCenter();
    if (!hadMap)
        showHint(QStringLiteral("Laying out the service map…"));
    m_structure = std::move(structure); // the map drawn stays until the new one is placed

    // dot's time grows much faster than the map: thousands of edges take minutes. A map over
    // the cap is cut down to its busiest edges before dot sees it (the caption says what was
    // left out); the cap shrinks when even that took longer than the budget.
    const Model full = m;
    const Model::LeftOut leftOut = m.keepBusiest(m_reactionCap);

    // The items, by node key.
    std::unordered_map<uint64_t, std::unique_ptr<GraphNodeItem>> items;
    const QColor text(palette::kText);
    for (uint16_t s : m.services) {
        GraphNodeItem::Style style;
        style.fill = colorForSource(store.sourceName(s));
        style.outline = QColor(palette::kOutline);
        std::vector<GraphNodeItem::Line> lines(1);
        lines[0] = {elided(store.sourceName(s)), pixelFont(13, true), text};
        auto item = std::make_unique<GraphNodeItem>(std::move(lines), style);
        item->setKey(serviceKey(s));
        item->setMarks(Service);
        item->setToolTip(serviceTip(store, full, s));
        items.emplace(serviceKey(s), std::move(item));
    }
    for (const auto &[key, t] : m.types) {
        GraphNodeItem::Style style;
        style.shape = GraphNodeItem::Shape::Pill;
        style.fill = QColor(palette::kTypeFill);
        style.outline = colorForSource(store.sourceName(t.producer)).darker(135);
        style.outlineWidth = 1.5;
        std::vector<GraphNodeItem::Line> lines(1);
        lines[0] = {elided(store.typeName(t.type)), pixelFont(12), text};
        uint32_t marks = EventType;
        if (t.consumers.empty()) {
            style.outline = QColor(palette::kUnconsumed);
            style.dashed = true;
            lines.push_back({QStringLiteral("no consumer"), pixelFont(10, false, true), QColor(palette::kUnconsumed)});
            marks |= Unconsumed;
        }
        auto item = std::make_unique<GraphNodeItem>(std::move(lines), style, 220);
        item->setKey(key);
        item->setMarks(marks);
        item->setToolTip(typeTip(store, full, t));
        items.emplace(key, std::move(item));
    }

    // The edges, from node key to node key.
    struct PendingEdge {
        uint64_t key;
        uint64_t from, to;
        QSizeF labelRoom;
        int weight;
        EdgeLook look;
    };
    std::vector<PendingEdge> edges;
    for (const Model::Publish &p : m.publishes) {
        EdgeLook look = publishLook(store, m, p);
        const QSizeF room = GraphEdgeItem::labelSize(look.label, labelFont);
        edges.push_back({edgeKey(p.producer, p.type, EventStore::kNoName), serviceKey(p.producer),
                         typeKey(p.producer, p.type), room, 2, std::move(look)});
    }
    for (const TopologyEdge &e : m.reactions) {
        EdgeLook look = reactionLook(store, m, e);
        // Room for the widest label these numbers are likely to need, so that live updates
        // rarely outgrow the space the layout kept.
        QStringList widest = look.label;
        widest[0] = QStringLiteral("p95 999 ms");
        const QSizeF room =
            GraphEdgeItem::labelSize(widest, labelFont).expandedTo(GraphEdgeItem::labelSize(look.label, labelFont));
        edges.push_back({edgeKey(e.producer, e.eventType, e.consumer), typeKey(e.producer, e.eventType),
                         serviceKey(e.consumer), room, 1, std::move(look)});
    }

    // dot breaks cycles (a compensation reacting back) by the order it is given the nodes:
    // give them in causal order, from the services that start flows, so the map reads from
    // where flows begin and the edges that go back are the compensations.
    std::unordered_map<uint64_t, std::vector<uint64_t>> next;
    for (const PendingEdge &e : edges)
        next[e.from].push_back(e.to);
    std::vector<uint64_t> order;
    std::unordered_map<uint64_t, size_t> rank;
    auto visitFrom = [&](uint64_t start) {
        if (rank.count(start))
            return;
        std::vector<uint64_t> queue{start};
        rank.emplace(start, order.size());
        order.push_back(start);
        for (size_t q = 0; q < queue.size(); ++q)
            for (uint64_t n : next[queue[q]])
                if (rank.emplace(n, order.size()).second) {
                    order.push_back(n);
                    queue.push_back(n);
                }
    };
    for (uint16_t s : m.starters)
        visitFrom(serviceKey(s));
    for (uint16_t s : m.services)
        visitFrom(serviceKey(s));
    for (const auto &[key, t] : m.types)
        visitFrom(key);
    std::stable_sort(edges.begin(), edges.end(), [&](const PendingEdge &a, const PendingEdge &b) {
        return std::pair(rank.at(a.from), rank.at(a.to)) < std::pair(rank.at(b.from), rank.at(b.to));
    });

    GraphLayout layout;
    std::vector<std::unique_ptr<GraphNodeItem>> nodes;
    for (uint64_t key : order) {
        nodes.push_back(std::move(items.at(key)));
        layout.addNode({nodes.back()->size(), GraphLayout::Shape::Box});
    }
    for (const PendingEdge &e : edges)
        layout.addEdge({rank.at(e.from), rank.at(e.to), e.labelRoom, e.weight});

    // Both arrangements, to show the one that fits; dot takes from milliseconds (a demo's map)
    // to a second (hundreds of edges), so it runs on a worker thread and the map drawn so far
    // stays until the new one is ready.
    ++m_layouts;
    auto pending = std::make_shared<PendingMap>();
    pending->nodes = std::move(nodes);
    for (PendingEdge &e : edges)
        pending->edges.push_back({e.key, std::move(e.look)});
    pending->caption = captionOf(full) + leftOutNote(leftOut);
    pending->note = leftOutNote(leftOut);
    pending->reactionsDrawn = m.reactions.size();
    pending->hadMap = hadMap;
    pending->center = center;
    dropPending(); // (none is running: setTopology() returned early; but after clear(), one may be)
    m_pending = pending;
    layout.setBoundedEffort(m.reactions.size() + m.publishes.size() > kBoundedEffortEdges);
    m_job = std::async(std::launch::async, [this, pending, layout = std::move(layout)]() mutable {
        std::vector<Arrangement> arrangements;
        QString error;
        bool overBudget = false;
        QElapsedTimer took;
        took.start();
        for (const GraphLayout::Direction d :
             {GraphLayout::Direction::TopToBottom, GraphLayout::Direction::LeftToRight}) {
            const auto left = std::chrono::milliseconds(kLayoutBudgetMs - took.elapsed());
            if (pending->dropped || left.count() <= 0)
                break;
            const bool tb = d == GraphLayout::Direction::TopToBottom;
            layout.setDirection(d);
            layout.setNodeSeparation(tb ? 18 : 12);
            layout.setRankSeparation(tb ? 22 : 30);
            // In a process of its own: the flow graph keeps Graphviz meanwhile, and a layout
            // over the budget, or no longer wanted (a newer map, the window closing), ends now.
            const GraphLayout::Outcome outcome = layout.layoutIsolated(error, left, pending->dropped);
            if (outcome == GraphLayout::Outcome::Done)
                arrangements.push_back({d, layout.nodeCenters(), layout.edgeGeometry(), layout.boundingRect()});
            overBudget = overBudget || outcome == GraphLayout::Outcome::OverBudget;
        }
        if (pending->dropped)
            return; // nobody will see it
        // Posted to the view's thread; the destructor waits for this job, so `this` is alive.
        QMetaObject::invokeMethod(
            this,
            [this, pending, arrangements = std::move(arrangements), error, overBudget, ms = took.elapsed()]() mutable {
                m_lastLayoutMs = ms;
                placeMap(pending, std::move(arrangements), error, overBudget);
            },
            Qt::QueuedConnection);
    });
}

void TopologyView::placeMap(const std::shared_ptr<PendingMap> &pending, std::vector<Arrangement> arrangements,
                            const QString &error, bool overBudget)
{
    if (pending != m_pending)
        return; // superseded (clear() or a newer map)
    m_pending.reset();
    if (m_job.valid())
        m_job.wait(); // it is returning: it just posted this
    m_sinceLayout.start();
    if (arrangements.empty() && overBudget && pending->reactionsDrawn > kMinReactionCap) {
        // Even the cut-down map took too long: a smaller one, at once (the window calls again).
        m_reactionCap = std::max(kMinReactionCap,
                                 pending->reactionsDrawn > kReactionCap ? kReactionCap : pending->reactionsDrawn / 4);
        m_structure.clear();
        m_lastLayoutMs = 0;
        if (!pending->hadMap)
            showHint(QStringLiteral("The service map took longer than %1 s to lay out: laying out its busiest "
                                    "%2 reaction edges…")
                         .arg(kLayoutBudgetMs / 1000)
                         .arg(m_reactionCap));
        emit layoutFinished();
        return;
    }
    if (arrangements.empty()) {
        m_structure.clear();
        showHint(overBudget ? QStringLiteral("Cannot draw the service map: even its %1 busiest reaction edges took "
                                             "longer than %2 s to lay out. eventlens-cli topology lists every edge.")
                                  .arg(pending->reactionsDrawn)
                                  .arg(kLayoutBudgetMs / 1000)
                            : QStringLiteral("Cannot draw the service map.\n%1").arg(error));
        emit layoutFinished();
        return;
    }
    m_note = pending->note;
    // The previous map's items go; its structure was replaced when this one was asked for.
    scene()->clear();
    m_nodes.clear();
    m_edges.clear();
    m_nodeOrder.clear();
    m_edgeOrder.clear();
    m_arrangements = std::move(arrangements);
    m_arranged = 0;
    m_arranged = preferredArrangement();
    const Arrangement &a = m_arrangements[m_arranged];
    QGraphicsScene *s = scene();
    std::vector<std::unique_ptr<GraphNodeItem>> &nodes = pending->nodes;
    for (size_t i = 0; i < nodes.size(); ++i) {
        nodes[i]->setPos(a.centers[i]);
        nodes[i]->setCursor(Qt::PointingHandCursor);
        m_nodes.emplace(nodes[i]->key(), nodes[i].get());
        m_nodeOrder.push_back(nodes[i].get());
        s->addItem(nodes[i].release());
    }
    const QFont labelFont = pixelFont(11);
    for (size_t i = 0; i < pending->edges.size(); ++i) {
        const PendingMap::Edge &e = pending->edges[i];
        auto *item = new GraphEdgeItem(a.edges[i], e.look.style);
        item->setLabel(e.look.label, labelFont);
        item->setKey(e.key);
        item->setMarks(e.look.marks);
        item->setToolTip(e.look.tip);
        item->setHoverable(true);
        m_edges.emplace(e.key, item);
        m_edgeOrder.push_back(item);
        s->addItem(item);
    }
    hideHint();
    setCaption(pending->caption);
    updateSceneRect();
    if (pending->hadMap)
        keepView(pending->center);
    else
        presentNewGraph();
    emit layoutFinished();
}

bool TopologyView::isLayingOut() const
{
    return m_pending != nullptr;
}

bool TopologyView::waitForLayout(int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (m_pending && t.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return !m_pending;
}

GraphLayout::Direction TopologyView::direction() const
{
    return m_arrangements.empty() ? GraphLayout::Direction::TopToBottom : m_arrangements[m_arranged].direction;
}

size_t TopologyView::preferredArrangement() const
{
    // The one shown at the larger zoom; the current one unless the other is clearly better,
    // so that a small resize does not flip the map back and forth.
    size_t best = m_arranged < m_arrangements.size() ? m_arranged : 0;
    for (size_t i = 0; i < m_arrangements.size(); ++i)
        if (fitZoomFor(m_arrangements[i].bounds.size()) > 1.15 * fitZoomFor(m_arrangements[best].bounds.size()))
            best = i;
    return best;
}

void TopologyView::arrange(size_t arrangement)
{
    m_arranged = arrangement;
    const Arrangement &a = m_arrangements[arrangement];
    for (size_t i = 0; i < m_nodeOrder.size(); ++i)
        m_nodeOrder[i]->setPos(a.centers[i]);
    for (size_t i = 0; i < m_edgeOrder.size(); ++i)
        m_edgeOrder[i]->setGeometry(a.edges[i]);
    updateSceneRect();
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    if (m_arrangements.size() > 1 && showsWholeGraph()) {
        const size_t best = preferredArrangement();
        if (best != m_arranged) {
            arrange(best);
            presentNewGraph();
        }
    }
    GraphView::resizeEvent(event);
}

void TopologyView::activate(QGraphicsItem *item)
{
    for (; item; item = item->parentItem()) {
        if (item->type() == GraphEdgeItem::Type) {
            const uint64_t key = static_cast<GraphEdgeItem *>(item)->key();
            emit edgeActivated(static_cast<uint16_t>(key >> 32), static_cast<uint16_t>(key >> 16),
                               static_cast<uint16_t>(key));
            return;
        }
        if (item->type() == GraphNodeItem::Type) {
            const uint64_t key = static_cast<GraphNodeItem *>(item)->key();
            if ((key & kKindMask) == kServiceKey)
                emit serviceActivated(static_cast<uint16_t>(key));
            else if ((key & kKindMask) == kTypeKey)
                emit typeActivated(static_cast<uint16_t>(key));
            return;
        }
    }
}

int TopologyView::serviceCount() const
{
    return static_cast<int>(std::count_if(m_nodes.begin(), m_nodes.end(),
                                          [](const auto &n) { return (n.first & kKindMask) == kServiceKey; }));
}

int TopologyView::typeCount() const
{
    return static_cast<int>(
        std::count_if(m_nodes.begin(), m_nodes.end(), [](const auto &n) { return (n.first & kKindMask) == kTypeKey; }));
}

int TopologyView::edgeCount() const
{
    return static_cast<int>(m_edges.size());
}

GraphNodeItem *TopologyView::serviceItem(uint16_t source) const
{
    const auto it = m_nodes.find(serviceKey(source));
    return it == m_nodes.end() ? nullptr : it->second;
}

GraphNodeItem *TopologyView::typeItem(uint16_t producer, uint16_t eventType) const
{
    const auto it = m_nodes.find(typeKey(producer, eventType));
    return it == m_nodes.end() ? nullptr : it->second;
}

GraphEdgeItem *TopologyView::edgeItem(uint16_t producer, uint16_t eventType, uint16_t consumer) const
{
    const auto it = m_edges.find(edgeKey(producer, eventType, consumer));
    return it == m_edges.end() ? nullptr : it->second;
}

} // namespace eventlens
