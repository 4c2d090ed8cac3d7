#include "ui/flowviews.h"

#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/textformat.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"

#include <QColor>
#include <QDateTime>
#include <QStringList>

#include <algorithm>
#include <functional>
#include <unordered_set>

namespace eventlens {

QString signedDuration(int64_t ns)
{
    QString s = QString::fromStdString(formatDuration(ns));
    if (s.startsWith(QLatin1Char('-')))
        s.replace(0, 1, QChar(0x2212));
    return s;
}

QString timesText(uint32_t n)
{
    return n == 1 ? QStringLiteral("once") : QStringLiteral("%1 times").arg(n);
}

QString flowTimeRange(const EventStore &store, const FlowGraph &graph)
{
    int64_t from = 0, to = 0;
    bool any = false;
    for (const FlowGraph::Node &n : graph.nodes) {
        if (n.ghost || !store.contains(n.event))
            continue;
        const int64_t t = store.record(n.event).timestampNs;
        from = any ? std::min(from, t) : t;
        to = any ? std::max(to, t) : t;
        any = true;
    }
    if (!any)
        return {};
    const QDateTime a = QDateTime::fromMSecsSinceEpoch(from / 1'000'000, Qt::UTC),
                    b = QDateTime::fromMSecsSinceEpoch(to / 1'000'000, Qt::UTC);
    const QString day = QStringLiteral("yyyy-MM-dd "), clock = QStringLiteral("HH:mm:ss.zzz");
    return QStringLiteral("%1 – %2 UTC")
        .arg(a.toString(day + clock), b.toString(a.date() == b.date() ? clock : day + clock));
}

std::vector<uint64_t> flowSignature(const FlowGraph &g)
{
    std::vector<uint64_t> s;
    s.reserve(g.nodes.size() * 3 + g.edges.size() * 3 + g.crossFlow.size() + 4);
    s.push_back(std::hash<std::string>()(g.correlationId));
    s.push_back(g.nodes.size());
    for (const FlowGraph::Node &n : g.nodes) {
        s.push_back(n.ghost ? std::hash<std::string>()(n.eventId) : n.event);
        s.push_back(uint64_t{n.duplicates} << 32 | uint64_t{n.redeliveries} << 16 | n.collisions);
        s.push_back(uint64_t{n.ghost} | uint64_t{n.inFlow} << 1 | uint64_t{n.reusedId} << 2 | uint64_t{n.critical} << 3
                    | uint64_t{n.inCycle} << 4);
    }
    s.push_back(g.edges.size());
    for (const FlowGraph::Edge &e : g.edges) {
        s.push_back(e.cause << 32 | e.effect);
        s.push_back(e.lagNs ? static_cast<uint64_t>(*e.lagNs) : UINT64_MAX);
        s.push_back(e.critical);
    }
    s.push_back(g.crossFlow.size());
    for (const FlowGraph::CrossFlowLink &l : g.crossFlow)
        s.push_back(uint64_t{l.cause} << 32 | l.effect);
    return s;
}

QString flowCaption(const EventStore &store, const FlowGraph &g, bool services)
{
    auto colored = [](QRgb color, const QString &text) {
        return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(QColor(color).name(), text);
    };
    auto counted = [](size_t n, const char *one, const char *many) {
        return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
    };
    QStringList parts{QStringLiteral("<b>Flow %1</b>").arg(QString::fromStdString(g.correlationId).toHtmlEscaped())};
    QString size = counted(g.eventCount(), "event", "events");
    if (services) {
        std::unordered_set<uint16_t> sources;
        for (const FlowGraph::Node &n : g.nodes)
            if (!n.ghost)
                sources.insert(store.record(n.event).source);
        size += QStringLiteral(", %1").arg(counted(sources.size(), "service", "services"));
    }
    if (g.eventCount() >= 2) // a duration of one event says nothing
        size += QStringLiteral("%1%2").arg(services ? QStringLiteral(", ") : QStringLiteral(" in "),
                                           QString::fromStdString(formatDuration(g.durationNs())));
    parts << size;
    if (!g.criticalPath.empty())
        parts << colored(
            palette::kCritical,
            QStringLiteral("critical path %1").arg(QString::fromStdString(formatDuration(g.criticalPathNs(store)))));
    uint32_t redelivered = 0, collisions = 0;
    for (const FlowGraph::Node &n : g.nodes) {
        redelivered += n.redeliveries ? 1 : 0;
        collisions += n.collisions ? 1 : 0;
        collisions += n.reusedId ? 1 : 0;
    }
    if (g.ghostCount())
        parts << colored(palette::kGhost, counted(g.ghostCount(), "unseen cause", "unseen causes"));
    if (g.skewCount())
        parts << colored(palette::kSkew, counted(g.skewCount(), "skewed", "skewed"));
    if (redelivered)
        parts << colored(palette::kWarning, counted(redelivered, "redelivered", "redelivered"));
    if (collisions)
        parts << colored(palette::kIdCollision, counted(collisions, "id collision", "id collisions"));
    if (!g.cycles.empty())
        parts << colored(palette::kCycle, counted(g.cycles.size(), "cycle", "cycles"));
    if (!g.crossFlow.empty())
        parts << counted(g.crossFlow.size(), "link to other flows", "links to other flows");
    return parts.join(QStringLiteral(" · "));
}

std::unordered_map<uint32_t, size_t> nodesOfEvents(const EventStore &store, const FlowGraph &graph)
{
    std::unordered_map<uint32_t, size_t> out;
    for (size_t i = 0; i < graph.nodes.size(); ++i)
        if (!graph.nodes[i].ghost)
            out.emplace(graph.nodes[i].event, i);
    for (uint32_t i : store.correlation(graph.correlationId))
        if (!out.count(i))
            if (const auto it = out.find(store.find(store.eventId(i))); it != out.end())
                out.emplace(i, it->second);
    return out;
}

GraphNodeItem *moveHighlight(GraphNodeItem *current, uint32_t selected,
                             const std::unordered_map<uint32_t, size_t> &nodeOfEvent,
                             const std::vector<GraphNodeItem *> &nodes)
{
    GraphNodeItem *item = nullptr;
    if (const auto it = nodeOfEvent.find(selected); it != nodeOfEvent.end() && it->second < nodes.size())
        item = nodes[it->second];
    if (current != item) {
        if (current)
            current->setHighlighted(false);
        if (item)
            item->setHighlighted(true);
    }
    return item;
}

} // namespace eventlens
