// eventlens-cli compare: one flow of a recording against one of another, by shape.
#include "core/commands.h"

#include "core/commandsupport.h"

#include "core/eventstore.h"
#include "core/flowcompare.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "core/textformat.h"

#include <ostream>

namespace eventlens::commands {

namespace {

std::string_view verdictName(FlowComparison::Verdict v)
{
    switch (v) {
    case FlowComparison::Verdict::Similar:
        return "similar";
    case FlowComparison::Verdict::Slower:
        return "slower";
    case FlowComparison::Verdict::Faster:
        return "faster";
    case FlowComparison::Verdict::Missing:
        return "missing";
    case FlowComparison::Verdict::Extra:
        return "extra";
    }
    return "similar";
}

std::string_view kindName(FlowDifference::Kind k)
{
    using Kind = FlowDifference::Kind;
    switch (k) {
    case Kind::Missing:
        return "missing";
    case Kind::Extra:
        return "extra";
    case Kind::Fewer:
        return "fewer";
    case Kind::More:
        return "more";
    case Kind::MissingLink:
        return "missing-link";
    case Kind::ExtraLink:
        return "extra-link";
    case Kind::Slower:
        return "slower";
    case Kind::Faster:
        return "faster";
    case Kind::Longer:
        return "longer";
    case Kind::Shorter:
        return "shorter";
    }
    return "missing";
}

Json msOrNull(const std::optional<int64_t> &ns)
{
    return ns ? Json(static_cast<double>(*ns) / 1e6) : Json(nullptr);
}

/// Loads one recording; on an unreadable file says so and returns false.
bool loadOne(const std::string &path, const DecoderOptions &decoder, EventStore &store, std::ostream &err)
{
    Input input;
    input.files = {path};
    input.decoder = decoder;
    std::vector<RecordingReport> reports;
    return loadAll(input, store, reports, err);
}

} // namespace

int compare(const CompareArgs &args, Format format, std::ostream &out, std::ostream &err)
{
    EventStore left, right;
    if (!loadOne(args.left, args.decoder, left, err) || !loadOne(args.right, args.decoder, right, err))
        return ExitUsage;
    std::string leftFlow, rightFlow;
    if (args.leftFlow.empty()) {
        if (left.correlationCount() == 0) {
            err << "eventlens-cli: " << args.left << " has no flow (no event with a correlationId)\n";
            return ExitUsage;
        }
        leftFlow = std::string(left.correlationName(0));
    } else if (!resolveCorrelation(left, args.leftFlow, leftFlow, err)) {
        return ExitUsage;
    }
    if (args.rightFlow.empty()) {
        rightFlow = matchingFlow(left, leftFlow, right);
        if (rightFlow.empty()) {
            err << "eventlens-cli: " << args.right << " has no flow (no event with a correlationId)\n";
            return ExitUsage;
        }
    } else if (!resolveCorrelation(right, args.rightFlow, rightFlow, err)) {
        return ExitUsage;
    }

    const FlowGraph a = buildFlowGraph(left, leftFlow), b = buildFlowGraph(right, rightFlow);
    const FlowComparison c = compareFlows(left, a, right, b);
    const std::vector<FlowDifference> differences = listDifferences(c);
    const int exitCode = c.same() ? ExitOk : ExitDifferent;

    if (format == Format::Json) {
        auto side = [](const std::string &file, const FlowComparison::Side &s) {
            return Json{{"file", file},
                        {"correlationId", s.correlationId},
                        {"events", s.events},
                        {"durationMs", static_cast<double>(s.durationNs) / 1e6}};
        };
        Json list = Json::array(), types = Json::array(), links = Json::array();
        for (const FlowDifference &d : differences)
            list.push_back({{"kind", kindName(d.kind)}, {"text", d.text}});
        for (const FlowComparison::TypeDiff &t : c.types)
            types.push_back({{"type", t.type}, {"left", t.left}, {"right", t.right}});
        for (const FlowComparison::EdgeDiff &e : c.edges) {
            Json link = {{"cause", e.causeType}, {"effect", e.effectType}};
            if (!e.consumer.empty())
                link["consumer"] = e.consumer;
            link["left"] = e.left;
            link["right"] = e.right;
            link["leftLagMs"] = msOrNull(e.leftLagNs);
            link["rightLagMs"] = msOrNull(e.rightLagNs);
            link["verdict"] = verdictName(e.verdict);
            links.push_back(std::move(link));
        }
        out << dump(Json{{"left", side(args.left, c.left)},
                         {"right", side(args.right, c.right)},
                         {"same", c.same()},
                         {"differences", list},
                         {"duration", verdictName(c.duration)},
                         {"types", types},
                         {"links", links}})
            << '\n';
        return exitCode;
    }

    auto header = [&](const char *name, const std::string &file, const FlowComparison::Side &s) {
        out << name << ": " << file << ", flow " << s.correlationId << ": " << s.events
            << (s.events == 1 ? " event" : " events") << " in " << formatDuration(s.durationNs) << '\n';
    };
    header("A", args.left, c.left);
    header("B", args.right, c.right);
    if (args.rightFlow.empty() && rightFlow != leftFlow)
        out << "   (B's flow most like A's: B has no flow " << leftFlow << ")\n";
    if (differences.empty())
        out << "\nDifferences: none (same event types and links, lags within ×1.5 or 10 ms)\n";
    else
        out << "\nDifferences of B from A (" << differences.size() << ")\n";
    for (const FlowDifference &d : differences)
        out << "  " << d.text << '\n';

    out << '\n';
    TextTable types;
    types.setHeader({"EVENT TYPE", "A", "B", ""});
    types.setRightAligned(1);
    types.setRightAligned(2);
    for (const FlowComparison::TypeDiff &t : c.types)
        types.addRow({t.type, std::to_string(t.left), std::to_string(t.right),
                      t.missing()   ? "missing"
                      : t.extra()   ? "extra"
                      : t.differs() ? "count differs"
                                    : ""});
    types.print(out);

    out << '\n';
    TextTable links;
    links.setHeader({"LINK", "A LAG", "B LAG", ""});
    links.setRightAligned(1);
    links.setRightAligned(2);
    auto lag = [](const std::optional<int64_t> &ns) { return ns ? formatDuration(*ns) : std::string("—"); };
    for (const FlowComparison::EdgeDiff &e : c.edges) {
        const std::string verdict(verdictName(e.verdict));
        links.addRow({e.causeType + " → " + e.effectType + (e.consumer.empty() ? "" : " (" + e.consumer + ")"),
                      lag(e.leftLagNs), lag(e.rightLagNs), verdict == "similar" ? "" : verdict});
    }
    links.print(out);
    return exitCode;
}

} // namespace eventlens::commands
