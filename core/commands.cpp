#include "core/commands.h"

#include "core/commandsupport.h"

#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "core/rfc3339.h"
#include "core/textformat.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <ostream>

namespace eventlens::commands {

// --- validate -------------------------------------------------------------------------

int validate(const Input &input, Format format, std::ostream &out, std::ostream &err)
{
    EventStore store;
    std::vector<RecordingReport> reports;
    if (!loadAll(input, store, reports, err))
        return ExitUsage;

    bool clean = true;
    for (const RecordingReport &r : reports)
        clean = clean && r.rejected.empty() && !r.truncatedTail;

    if (format == Format::Json) {
        Json list = Json::array();
        for (const RecordingReport &r : reports) {
            Json rejected = Json::array();
            for (const RejectedLine &line : r.rejected)
                rejected.push_back({{"line", line.line}, {"reason", line.reason}});
            Json file = {{"path", r.path},
                         {"lines", r.lines},
                         {"accepted", r.accepted},
                         {"rejected", rejected},
                         {"truncatedTail", r.truncatedTail}};
            if (r.truncatedTail)
                file["tail"] = {{"line", r.tail.line}, {"reason", r.tail.reason}};
            list.push_back(file);
        }
        out << dump(Json{{"files", list}}) << '\n';
    } else {
        for (const RecordingReport &r : reports) {
            const bool ok = r.rejected.empty() && !r.truncatedTail;
            out << r.path << ": " << (ok ? "ok" : "problems") << " — " << formatCount(r.lines)
                << (r.lines == 1 ? " line, " : " lines, ") << formatCount(r.accepted) << " accepted, "
                << formatCount(r.rejected.size()) << " rejected" << (r.truncatedTail ? ", truncated tail" : "") << '\n';
            for (const RejectedLine &line : r.rejected)
                out << "  line " << line.line << ": " << line.reason << '\n';
            if (r.truncatedTail)
                out << "  line " << r.tail.line << ": " << r.tail.reason << '\n';
        }
    }
    return clean ? ExitOk : ExitRejected;
}

// --- stats ----------------------------------------------------------------------------

int stats(const Input &input, Format format, std::ostream &out, std::ostream &err)
{
    EventStore store;
    std::vector<RecordingReport> reports;
    if (!loadAll(input, store, reports, err))
        return ExitUsage;

    uint64_t accepted = 0, rejected = 0, tails = 0;
    for (const RecordingReport &r : reports) {
        accepted += r.accepted;
        rejected += r.rejected.size();
        tails += r.truncatedTail;
    }
    int64_t first = kNoTime, last = kNoTime;
    for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i) {
        const int64_t t = store.record(i).timestampNs;
        if (first == kNoTime || t < first)
            first = t;
        if (last == kNoTime || t > last)
            last = t;
    }
    // Sorted by count (most first), then name: what a reader scans for.
    auto counted = [](auto count, auto name, size_t n) {
        std::vector<std::pair<std::string, uint64_t>> rows;
        for (size_t i = 0; i < n; ++i)
            if (const uint64_t c = count(i))
                rows.emplace_back(std::string(name(i)), c);
        std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        return rows;
    };
    const auto types = counted([&](size_t i) { return store.ofType(static_cast<uint16_t>(i)).size(); },
                               [&](size_t i) { return store.typeName(static_cast<uint16_t>(i)); }, store.typeCount());
    const auto sources =
        counted([&](size_t i) { return store.ofSource(static_cast<uint16_t>(i)).size(); },
                [&](size_t i) { return store.sourceName(static_cast<uint16_t>(i)); }, store.sourceCount());
    const uint64_t duplicates = store.duplicateCount();
    const size_t unseen = store.unseenCauses().size();
    const std::vector<Anomaly> anomalies = findAnomalies(store, reports);

    if (format == Format::Json) {
        Json typeCounts = Json::object(), sourceCounts = Json::object();
        for (const auto &[name, c] : types)
            typeCounts[name] = c;
        for (const auto &[name, c] : sources)
            sourceCounts[name] = c;
        Json j = {{"accepted", accepted},
                  {"unique", accepted - duplicates},
                  {"duplicates", duplicates},
                  {"redeliveries", store.redeliveryCount()},
                  {"idCollisions", store.collisionCount()},
                  {"rejected", rejected},
                  {"truncatedTails", tails},
                  {"correlations", store.correlationCount()},
                  {"unseenCauses", unseen},
                  {"eventTypes", typeCounts},
                  {"sources", sourceCounts},
                  {"first", timeOrNull(first)},
                  {"last", timeOrNull(last)},
                  {"anomalies", anomalyCounts(anomalies)}};
        out << dump(j) << '\n';
        return ExitOk;
    }

    TextTable summary;
    summary.addRow({"Events", formatCount(accepted) + " accepted",
                    "(" + formatCount(accepted - duplicates) + " unique, " + formatCount(duplicates) + " duplicates: "
                        + formatCount(store.redeliveryCount()) + " redelivered, " + formatCount(store.collisionCount())
                        + (store.collisionCount() == 1 ? " id collision)" : " id collisions)")});
    summary.addRow({"Rejected", formatCount(rejected) + " lines",
                    tails ? "(+ " + formatCount(tails) + " truncated tail" + (tails > 1 ? "s)" : ")") : ""});
    summary.addRow({"Flows", formatCount(store.correlationCount()) + " correlations", ""});
    summary.addRow({"Unseen causes", formatCount(unseen), unseen ? "(causationIds naming no event in the input)" : ""});
    if (first != kNoTime)
        summary.addRow(
            {"Time span", formatDuration(last - first), "(" + formatTime(first) + " → " + formatTime(last) + ")"});
    summary.print(out);

    auto section = [&](const char *title, const auto &rows) {
        out << '\n' << title << " (" << rows.size() << ")\n";
        TextTable table;
        table.setRightAligned(1);
        for (const auto &[name, c] : rows)
            table.addRow({"  " + name, formatCount(c), percent(c, accepted)});
        table.setRightAligned(2);
        table.print(out);
    };
    section("Event types", types);
    section("Sources", sources);

    // What `eventlens-cli anomalies` lists, counted by kind (most severe first).
    std::vector<std::pair<std::string, uint64_t>> kinds;
    const Json counts = anomalyCounts(anomalies);
    for (auto it = counts.begin(); it != counts.end(); ++it)
        if (const uint64_t n = it.value().get<uint64_t>())
            kinds.emplace_back(it.key(), n);
    out << "\nAnomalies (" << kinds.size() << (kinds.size() == 1 ? " kind" : " kinds") << ")"
        << (kinds.empty() ? ": none\n" : "; eventlens-cli anomalies lists them\n");
    TextTable table;
    table.setRightAligned(1);
    for (const auto &[kind, n] : kinds)
        table.addRow({"  " + kind, formatCount(n)});
    table.print(out);
    return ExitOk;
}

// --- flow -----------------------------------------------------------------------------

bool resolveCorrelation(const EventStore &store, const std::string &wanted, std::string &found, std::ostream &err)
{
    if (!store.correlation(wanted).empty()) {
        found = wanted;
        return true;
    }
    std::vector<std::string> matches;
    for (size_t n = 0; n < store.correlationCount(); ++n)
        if (store.correlationName(n).starts_with(wanted))
            matches.emplace_back(store.correlationName(n));
    if (matches.size() == 1 && !wanted.empty()) {
        found = matches.front();
        return true;
    }
    if (matches.empty()) {
        err << "eventlens-cli: no event in the input has correlationId '" << wanted << "' (" << store.correlationCount()
            << " correlations; `eventlens-cli stats` lists the input)\n";
    } else {
        err << "eventlens-cli: '" << wanted << "' matches " << matches.size() << " correlations:";
        for (size_t i = 0; i < std::min<size_t>(matches.size(), 5); ++i)
            err << ' ' << matches[i];
        err << (matches.size() > 5 ? " …\n" : "\n");
    }
    return false;
}

namespace {

/// A node as people scan for it: its type and a short id, e.g. `payment.failed (e-8)` or
/// `order.placed (c34de07e…)`; a ghost is its id.
std::string nodeLabel(const EventStore &store, const FlowGraph::Node &n)
{
    const std::string id = n.eventId.size() > 12 ? n.eventId.substr(0, 8) + "…" : n.eventId;
    if (n.ghost || n.event == UINT32_MAX)
        return id + " (unseen)";
    return std::string(store.typeName(store.record(n.event).type)) + " (" + id + ")";
}

/// Some nodes, at most `limit` of them ("a, b, c … 12 more, z").
std::string nodeList(const EventStore &store, const FlowGraph &g, const std::vector<size_t> &nodes,
                     const char *separator, size_t limit = 12)
{
    if (nodes.empty())
        return "none";
    std::string s;
    for (size_t k = 0; k < nodes.size(); ++k) {
        if (k == limit && nodes.size() > limit + 1) {
            s += std::string(separator) + "… " + std::to_string(nodes.size() - k - 1) + " more" + separator
                 + nodeLabel(store, g.nodes[nodes.back()]);
            break;
        }
        s += (k ? separator : "") + nodeLabel(store, g.nodes[nodes[k]]);
    }
    return s;
}

/// "a → b → a"
std::string cycleText(const FlowGraph &g, const std::vector<size_t> &cycle)
{
    std::string s;
    for (size_t n : cycle)
        s += g.nodes[n].eventId + " → ";
    return s + g.nodes[cycle.front()].eventId;
}

void printFlowText(const EventStore &store, const FlowGraph &g, std::ostream &out)
{
    // The summary counts what the tree below shows: the flow's events and the events of
    // other flows that caused (or were caused by) them, each once.
    size_t duplicates = 0, events = 0, foreign = 0;
    int64_t start = kNoTime, end = kNoTime;
    std::vector<std::string_view> services;
    for (const auto &n : g.nodes) {
        if (n.ghost)
            continue;
        ++events;
        foreign += !n.inFlow;
        duplicates += n.duplicates;
        const EventRecord &r = store.record(n.event);
        const std::string_view s = store.sourceName(r.source);
        if (std::find(services.begin(), services.end(), s) == services.end())
            services.push_back(s);
        start = start == kNoTime ? r.timestampNs : std::min(start, r.timestampNs);
        end = end == kNoTime ? r.timestampNs : std::max(end, r.timestampNs);
    }
    const size_t ghosts = g.ghostCount();
    out << "Flow " << g.correlationId << '\n';
    out << "  " << events << (events == 1 ? " event from " : " events from ") << services.size()
        << (services.size() == 1 ? " service" : " services");
    if (foreign)
        out << " (" << foreign << " of them from " << (foreign == 1 ? "another flow)" : "other flows)");
    if (events)
        out << ", " << formatDuration(end - start) << " (" << formatTime(start) << " → " << formatTime(end) << ")";
    if (duplicates)
        out << ", " << duplicates << " duplicate" << (duplicates > 1 ? "s" : "");
    if (ghosts)
        out << ", " << ghosts << " unseen cause" << (ghosts > 1 ? "s" : "");
    out << '\n';
    out << "  Roots: " << nodeList(store, g, g.roots, ", ") << "   Leaves: " << nodeList(store, g, g.leaves, ", ")
        << '\n';
    out << "  Critical path (*): " << nodeList(store, g, g.criticalPath, " → ") << ", "
        << formatDuration(g.criticalPathNs(store)) << "\n\n";

    // Causation tree: roots are nodes nothing in the graph caused (ghosts included).
    std::vector<std::vector<size_t>> children(g.nodes.size());
    std::vector<std::optional<int64_t>> lagInto(g.nodes.size());
    for (const auto &e : g.edges) {
        children[e.cause].push_back(e.effect);
        lagInto[e.effect] = e.lagNs;
    }
    std::vector<std::string> cycleOf(g.nodes.size());
    for (const auto &cycle : g.cycles)
        for (size_t n : cycle)
            cycleOf[n] = "cycle: " + cycleText(g, cycle);
    std::map<uint32_t, std::string> causedElsewhere; // cause event → "caused x in flow y"
    for (const auto &link : g.crossFlow) {
        if (link.incoming)
            continue;
        std::string &s = causedElsewhere[link.cause];
        s += (s.empty() ? "caused " : ", ") + std::string(store.eventId(link.effect)) + " in "
             + (link.correlationId.empty() ? std::string("no flow") : "flow " + link.correlationId);
    }
    TextTable table;
    table.setHeader({"", "TIME", "EVENT", "SOURCE", "LAG", "NOTES"});
    table.setRightAligned(4);
    std::vector<bool> printed(g.nodes.size(), false);
    auto row = [&](auto &&self, size_t n, const std::string &prefix, const std::string &branch) -> void {
        if (printed[n])
            return; // a cycle: each node once
        printed[n] = true;
        const auto &node = g.nodes[n];
        std::vector<std::string> cells;
        const std::string mark = node.critical ? "*" : "";
        if (node.ghost) {
            cells = {mark, "", branch + "? " + node.eventId, "", "", "unseen cause"};
        } else {
            const EventRecord &r = store.record(node.event);
            std::string notes;
            auto note = [&](const std::string &s) { notes += notes.empty() ? s : ", " + s; };
            if (node.redeliveries)
                note("delivered ×" + std::to_string(node.redeliveries + 1));
            if (node.collisions)
                note("id reused by " + std::to_string(node.collisions) + " other event"
                     + (node.collisions > 1 ? "s" : ""));
            if (node.reusedId)
                note("id first used in another flow");
            if (!node.inFlow)
                note("from flow " + std::string(store.correlationId(node.event)));
            if (lagInto[n] && *lagInto[n] < 0)
                note("effect before cause (clock skew?)");
            if (!cycleOf[n].empty())
                note(cycleOf[n]);
            if (const auto it = causedElsewhere.find(node.event); it != causedElsewhere.end() && node.inFlow)
                note(it->second);
            if (r.version != 1)
                note("v" + std::to_string(r.version));
            cells = {mark,
                     formatClock(r.timestampNs),
                     branch + std::string(store.typeName(r.type)),
                     std::string(store.sourceName(r.source)),
                     lagInto[n] ? "+" + formatDuration(*lagInto[n]) : "",
                     notes};
            if (lagInto[n] && *lagInto[n] < 0)
                cells[4] = "−" + formatDuration(-*lagInto[n]);
        }
        table.addRow(std::move(cells));
        const auto &kids = children[n];
        for (size_t k = 0; k < kids.size(); ++k) {
            const bool lastKid = k + 1 == kids.size();
            self(self, kids[k], prefix + (lastKid ? "   " : "│  "), prefix + (lastKid ? "└─ " : "├─ "));
        }
    };
    for (size_t n : g.roots)
        row(row, n, "", "");
    for (const auto &cycle : g.cycles) // what no root leads to hangs off a cycle
        row(row, cycle.front(), "", "↻ ");
    table.print(out);

    const std::vector<FlowAnomaly> anomalies = flowAnomalies(store, g);
    out << "\nAnomalies" << (anomalies.empty() ? ": none\n" : " (" + std::to_string(anomalies.size()) + ")\n");
    TextTable list;
    for (const FlowAnomaly &a : anomalies)
        list.addRow({"  " + std::string(anomalyKindName(a.kind)), a.message});
    list.print(out);
}

} // namespace

int flow(const Input &input, const std::string &correlation, Format format, std::ostream &out, std::ostream &err)
{
    EventStore store;
    std::vector<RecordingReport> reports;
    if (!loadAll(input, store, reports, err))
        return ExitUsage;
    std::string id;
    if (!resolveCorrelation(store, correlation, id, err))
        return ExitUsage;
    const FlowGraph g = buildFlowGraph(store, id);

    if (format == Format::Json) {
        Json nodes = Json::array(), edges = Json::array();
        for (const auto &n : g.nodes) {
            if (n.ghost) {
                nodes.push_back({{"eventId", n.eventId},
                                 {"eventType", nullptr},
                                 {"source", nullptr},
                                 {"timestamp", nullptr},
                                 {"ghost", true},
                                 {"duplicates", 0}});
                continue;
            }
            const EventRecord &r = store.record(n.event);
            Json node = {{"eventId", n.eventId},
                         {"eventType", store.typeName(r.type)},
                         {"source", store.sourceName(r.source)},
                         {"timestamp", formatTime(r.timestampNs)},
                         {"ghost", false},
                         {"duplicates", n.duplicates}};
            if (!n.inFlow)
                node["correlationId"] = store.correlationId(n.event);
            nodes.push_back(node);
        }
        for (const auto &e : g.edges)
            edges.push_back({{"cause", g.nodes[e.cause].eventId},
                             {"effect", g.nodes[e.effect].eventId},
                             {"lagMs", e.lagNs ? Json(static_cast<double>(*e.lagNs) / 1e6) : Json(nullptr)},
                             {"skew", e.skew()},
                             {"critical", e.critical}});
        auto ids = [&](const std::vector<size_t> &list) {
            Json a = Json::array();
            for (size_t n : list)
                a.push_back(g.nodes[n].eventId);
            return a;
        };
        Json cycles = Json::array(), crossFlow = Json::array(), anomalies = Json::array();
        for (const auto &cycle : g.cycles)
            cycles.push_back(ids(cycle));
        for (const auto &link : g.crossFlow)
            crossFlow.push_back(
                {{"cause", store.eventId(link.cause)},
                 {"effect", store.eventId(link.effect)},
                 {"correlationId", link.correlationId.empty() ? Json(nullptr) : Json(link.correlationId)}});
        for (const FlowAnomaly &a : flowAnomalies(store, g))
            anomalies.push_back({{"kind", anomalyKindName(a.kind)}, {"eventIds", a.eventIds}, {"message", a.message}});
        out << dump(Json{{"correlationId", g.correlationId},
                         {"nodes", nodes},
                         {"edges", edges},
                         {"start", timeOrNull(g.startNs)},
                         {"end", timeOrNull(g.endNs)},
                         {"durationMs", static_cast<double>(g.durationNs()) / 1e6},
                         {"roots", ids(g.roots)},
                         {"leaves", ids(g.leaves)},
                         {"criticalPath", ids(g.criticalPath)},
                         {"cycles", cycles},
                         {"crossFlow", crossFlow},
                         {"anomalies", anomalies}})
            << '\n';
    } else if (format == Format::Dot) {
        printFlowDot(store, g, out);
    } else {
        printFlowText(store, g, out);
    }
    return ExitOk;
}

} // namespace eventlens::commands
