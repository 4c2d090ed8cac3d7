#include "core/commandsupport.h"

#include "core/event.h"
#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "core/markcolors.h"
#include "core/textformat.h"

#include <map>
#include <ostream>

namespace eventlens::commands {

bool loadAll(const Input &input, EventStore &store, std::vector<RecordingReport> &reports, std::ostream &err)
{
    JsonlReader::Options options;
    options.decoder = input.decoder;
    JsonlReader reader(options);
    for (const std::string &path : input.files) {
        RecordingReport report;
        std::string error;
        if (!reader.load(path, store, report, error)) {
            err << "eventlens-cli: " << error << '\n';
            return false;
        }
        reports.push_back(std::move(report));
    }
    return true;
}

std::string dump(const Json &j)
{
    return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

Json timeOrNull(int64_t ns)
{
    return ns == kNoTime ? Json(nullptr) : Json(formatTime(ns));
}

std::string dotString(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out + '"';
}

void printFlowDot(const EventStore &store, const FlowGraph &g, std::ostream &out)
{
    static constexpr const char *kPalette[] = {"#cfe2f3", "#d9ead3", "#fff2cc", "#f4cccc", "#d9d2e9",
                                               "#fce5cd", "#d0e0e3", "#ead1dc", "#c9daf8", "#e6e6e6"};
    const std::string criticalColor = dotString(kCriticalPathHex); // the app's colour for it
    out << "digraph flow {\n"
        << "  label="
        << dotString("correlation " + g.correlationId + ", " + formatDuration(g.durationNs())
                     + (g.criticalPath.empty() ? "" : "; critical path in purple"))
        << ";\n"
        << "  labelloc=t;\n  rankdir=TB;\n"
        << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n"
        << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    auto label = [&](uint32_t event) {
        const EventRecord &r = store.record(event);
        return std::string(store.typeName(r.type)) + "\n" + std::string(store.sourceName(r.source)) + "\n"
               + formatClock(r.timestampNs);
    };
    for (const auto &n : g.nodes) {
        const std::string critical = n.critical ? std::string(", penwidth=2, color=") + criticalColor : "";
        if (n.ghost) {
            out << "  " << dotString(n.eventId) << " [label=" << dotString("unseen cause\n" + n.eventId)
                << ", style=\"rounded,dashed\", color=" << (n.critical ? criticalColor : "gray40")
                << ", fontcolor=gray40" << (n.critical ? ", penwidth=2" : "") << "];\n";
            continue;
        }
        const EventRecord &r = store.record(n.event);
        std::string text = label(n.event);
        if (n.redeliveries)
            text += "\ndelivered ×" + std::to_string(n.redeliveries + 1);
        if (n.collisions)
            text += "\nid reused ×" + std::to_string(n.collisions);
        if (!n.inFlow)
            text += "\nflow " + std::string(store.correlationId(n.event));
        out << "  " << dotString(n.eventId) << " [label=" << dotString(text)
            << ", fillcolor=" << dotString(kPalette[r.source % std::size(kPalette)])
            << (n.inFlow ? "" : ", style=\"rounded,filled,dotted\"") << (n.duplicates ? ", peripheries=2" : "")
            << critical << "];\n";
    }
    // Effects in other flows: dotted, outside the flow's own graph (unless one is also a cause here).
    std::map<uint32_t, bool> declared; // store index → has a node statement
    for (const auto &n : g.nodes)
        declared.emplace(n.event, true);
    for (const auto &link : g.crossFlow) {
        if (link.incoming || !declared.emplace(link.effect, true).second)
            continue;
        const std::string flow = link.correlationId.empty() ? "no flow" : "flow " + link.correlationId;
        out << "  " << dotString(store.eventId(link.effect))
            << " [label=" << dotString(label(link.effect) + "\n" + flow) << ", style=\"rounded,dotted\"];\n";
    }
    for (const auto &e : g.edges) {
        out << "  " << dotString(g.nodes[e.cause].eventId) << " -> " << dotString(g.nodes[e.effect].eventId);
        const std::string critical = e.critical ? std::string(", penwidth=2.5, color=") + criticalColor : "";
        if (!e.lagNs)
            out << " [style=dashed, color=" << (e.critical ? criticalColor : "gray40")
                << (e.critical ? ", penwidth=2.5" : "") << "]";
        else if (e.skew()) // effect stamped before its cause: dashed, its lag in orange
            out << " [label=" << dotString("−" + formatDuration(-*e.lagNs))
                << ", style=dashed, fontcolor=darkorange, color=" << (e.critical ? criticalColor : "darkorange")
                << (e.critical ? ", penwidth=2.5" : "") << "]";
        else
            out << " [label=" << dotString("+" + formatDuration(*e.lagNs)) << critical << "]";
        out << ";\n";
    }
    for (const auto &link : g.crossFlow)
        if (!link.incoming)
            out << "  " << dotString(store.eventId(link.cause)) << " -> " << dotString(store.eventId(link.effect))
                << " [style=dotted];\n";
    out << "}\n";
}

} // namespace eventlens::commands
