// eventlens-cli lag and topology: the LagAnalyzer and TopologyAnalyzer over recordings.
#include "core/commands.h"

#include "core/commandsupport.h"

#include "core/analysis.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/laganalyzer.h"
#include "core/textformat.h"
#include "core/topologyanalyzer.h"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace eventlens::commands {

namespace {

/// Milliseconds as a JSON number with microsecond precision: 12345678 ns → 12.346.
Json millis(int64_t ns)
{
    return std::round(static_cast<double>(ns) / 1e3) / 1e3;
}

std::string name(std::string_view s)
{
    return std::string(s);
}

/// "order.placed ×2 · p95 40 ms" style rates: "1.67/s", "12.5/s", "120/s", "0.0231/s".
std::string formatRate(double perSecond)
{
    char buf[32];
    if (perSecond >= 100)
        std::snprintf(buf, sizeof buf, "%.0f/s", perSecond);
    else if (perSecond >= 10)
        std::snprintf(buf, sizeof buf, "%.1f/s", perSecond);
    else
        std::snprintf(buf, sizeof buf, "%.3g/s", perSecond);
    return buf;
}

std::string plural(uint64_t n, const char *one, const char *many)
{
    return formatCount(n) + " " + (n == 1 ? one : many);
}

/// Loads the input and runs the analyzer over it, as a session does after opening a recording.
bool analyze(const Input &input, EventStore &store, Analyzer &analyzer, std::ostream &err)
{
    std::vector<RecordingReport> reports;
    if (!loadAll(input, store, reports, err))
        return false;
    Analysis analysis(store);
    analysis.add(analyzer);
    analysis.update();
    return true;
}

} // namespace

// --- lag ------------------------------------------------------------------------------

int lag(const Input &input, Format format, std::ostream &out, std::ostream &err)
{
    EventStore store;
    LagAnalyzer lags;
    if (!analyze(input, store, lags, err))
        return ExitUsage;
    const std::vector<LagStats> stats = lags.stats();

    if (format == Format::Json) {
        Json list = Json::array();
        for (const LagStats &s : stats)
            list.push_back({{"consumer", name(store.sourceName(s.consumer))},
                            {"cause", name(store.typeName(s.causeType))},
                            {"count", s.count},
                            {"p50Ms", millis(s.p50Ns)},
                            {"p95Ms", millis(s.p95Ns)},
                            {"p99Ms", millis(s.p99Ns)},
                            {"maxMs", millis(s.maxNs)},
                            {"skew", s.skew}});
        out << dump(Json{{"lags", list}, {"skew", lags.skewCount()}}) << '\n';
        return ExitOk;
    }

    if (stats.empty()) {
        out << "Reaction lag: no causation edges (no causationId names another event in the input)\n";
    } else {
        out << "Reaction lag (effect − cause timestamp) by consumer and cause type\n"
            << plural(lags.edgeCount(), "edge", "edges") << ", " << plural(stats.size(), "pair", "pairs") << ", "
            << formatCount(lags.skewCount()) << " skewed"
            << (lags.skewCount() ? " (effect stamped before its cause: left out of the percentiles)" : "") << "\n\n";
        TextTable table;
        table.setHeader({"CONSUMER", "CAUSE TYPE", "COUNT", "P50", "P95", "P99", "MAX", "SKEW"});
        for (size_t c = 2; c < 8; ++c)
            table.setRightAligned(c);
        for (const LagStats &s : stats) {
            const bool none = s.count == s.skew; // only skew edges: no lag to show
            auto lagCell = [none](int64_t ns) { return none ? std::string("–") : formatDuration(ns); };
            table.addRow({name(store.sourceName(s.consumer)), name(store.typeName(s.causeType)), formatCount(s.count),
                          lagCell(s.p50Ns), lagCell(s.p95Ns), lagCell(s.p99Ns), lagCell(s.maxNs),
                          s.skew ? formatCount(s.skew) : ""});
        }
        table.print(out);
    }

    const std::vector<IngestLag> ingest = lags.ingestLag();
    if (!ingest.empty()) {
        out << "\nIngest lag (receive − event time) by source\n\n";
        TextTable table;
        table.setHeader({"SOURCE", "COUNT", "P50", "P95", "P99", "MAX"});
        for (size_t c = 1; c < 6; ++c)
            table.setRightAligned(c);
        for (const IngestLag &s : ingest)
            table.addRow({name(store.sourceName(s.source)), formatCount(s.count), formatDuration(s.p50Ns),
                          formatDuration(s.p95Ns), formatDuration(s.p99Ns), formatDuration(s.maxNs)});
        table.print(out);
    }
    return ExitOk;
}

// --- topology -------------------------------------------------------------------------

namespace {

void printTopologyDot(const EventStore &store, const TopologyAnalyzer &topology, std::ostream &out)
{
    // Node ids are numbers (s3, t7) so that no service or type name can collide with another.
    out << "digraph topology {\n"
        << "  label=\"service topology (producer → consumer, by the event type it reacted to)\";\n"
        << "  labelloc=t;\n  rankdir=LR;\n"
        << "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#cfe2f3\", fontname=\"Helvetica\", "
           "fontsize=10];\n"
        << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (uint16_t s : topology.services())
        out << "  s" << s << " [label=" << dotString(store.sourceName(s)) << "];\n";
    for (const TopologyEdge &e : topology.edges()) {
        std::string label = name(store.typeName(e.eventType)) + "\n×" + formatCount(e.count);
        if (e.count > e.skew)
            label += " · p95 " + formatDuration(e.p95Ns);
        if (e.skew)
            label += "\n" + formatCount(e.skew) + " skewed";
        out << "  s" << e.producer << " -> s" << e.consumer << " [label=" << dotString(label)
            << (e.skew ? ", color=red, fontcolor=red" : "") << "];\n";
    }
    // An event type nobody reacts to: a dashed node its producers point at.
    for (const TopologyType &t : topology.types()) {
        if (!t.consumers.empty())
            continue;
        out << "  t" << t.eventType << " [label=" << dotString(name(store.typeName(t.eventType)) + "\nnobody reacts")
            << ", shape=note, style=dashed, color=gray40, fontcolor=gray40];\n";
        for (const TopologyParticipant &p : t.producers)
            out << "  s" << p.source << " -> t" << t.eventType << " [label=" << dotString("×" + formatCount(p.count))
                << ", style=dashed, color=gray40, fontcolor=gray40];\n";
    }
    out << "}\n";
}

} // namespace

int topology(const Input &input, Format format, std::ostream &out, std::ostream &err)
{
    EventStore store;
    TopologyAnalyzer topology;
    if (!analyze(input, store, topology, err))
        return ExitUsage;
    const std::vector<TopologyEdge> edges = topology.edges();
    const std::vector<TopologyType> types = topology.types();
    auto names = [&](const std::vector<TopologyParticipant> &list) {
        Json j = Json::array();
        for (const TopologyParticipant &p : list)
            j.push_back(name(store.sourceName(p.source)));
        return j;
    };

    if (format == Format::Json) {
        Json list = Json::array(), typeList = Json::array();
        for (const TopologyEdge &e : edges)
            list.push_back({{"producer", name(store.sourceName(e.producer))},
                            {"eventType", name(store.typeName(e.eventType))},
                            {"consumer", name(store.sourceName(e.consumer))},
                            {"count", e.count},
                            {"p50Ms", millis(e.p50Ns)},
                            {"p95Ms", millis(e.p95Ns)},
                            {"p99Ms", millis(e.p99Ns)}});
        for (const TopologyType &t : types)
            typeList.push_back({{"eventType", name(store.typeName(t.eventType))},
                                {"producers", names(t.producers)},
                                {"consumers", names(t.consumers)}});
        out << dump(Json{{"edges", list}, {"types", typeList}}) << '\n';
        return ExitOk;
    }
    if (format == Format::Dot) {
        printTopologyDot(store, topology, out);
        return ExitOk;
    }

    const size_t unconsumed = topology.unconsumedTypes().size();
    out << "Service topology: " << plural(topology.services().size(), "service", "services") << ", "
        << plural(edges.size(), "edge", "edges") << " (producer →event type→ consumer), "
        << plural(types.size(), "event type", "event types") << ", " << formatCount(unconsumed)
        << " that nobody reacts to";
    if (topology.spanNs() > 0)
        out << "; rates over " << formatDuration(topology.spanNs());
    out << "\n\n";
    if (!edges.empty()) {
        TextTable table;
        table.setHeader({"PRODUCER", "EVENT TYPE", "CONSUMER", "COUNT", "RATE", "P50", "P95", "P99", "SKEW"});
        for (size_t c = 3; c < 9; ++c)
            table.setRightAligned(c);
        for (const TopologyEdge &e : edges) {
            const bool none = e.count == e.skew;
            auto lagCell = [none](int64_t ns) { return none ? std::string("–") : formatDuration(ns); };
            table.addRow({name(store.sourceName(e.producer)), name(store.typeName(e.eventType)),
                          name(store.sourceName(e.consumer)), formatCount(e.count), formatRate(e.ratePerSecond),
                          lagCell(e.p50Ns), lagCell(e.p95Ns), lagCell(e.p99Ns), e.skew ? formatCount(e.skew) : ""});
        }
        table.print(out);
        out << '\n';
    }
    out << "Event types\n\n";
    TextTable table;
    table.setHeader({"EVENT TYPE", "PRODUCERS", "CONSUMERS"});
    auto counted = [&](const std::vector<TopologyParticipant> &list) {
        std::string s;
        for (const TopologyParticipant &p : list)
            s += (s.empty() ? "" : ", ") + name(store.sourceName(p.source)) + " ×" + formatCount(p.count);
        return s;
    };
    for (const TopologyType &t : types)
        table.addRow({name(store.typeName(t.eventType)), t.producers.empty() ? "–" : counted(t.producers),
                      t.consumers.empty() ? "(nobody reacts)" : counted(t.consumers)});
    table.print(out);
    return ExitOk;
}

} // namespace eventlens::commands
