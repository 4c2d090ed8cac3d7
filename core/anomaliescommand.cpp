// The `anomalies` command, and the anomaly findings `stats` summarises.
#include "core/commands.h"

#include "core/analysis.h"
#include "core/anomalies.h"
#include "core/commandsupport.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/laganalyzer.h"
#include "core/textformat.h"

#include <ostream>

namespace eventlens::commands {

std::vector<Anomaly> findAnomalies(const EventStore &store, const std::vector<RecordingReport> &reports)
{
    Analysis analysis(store);
    LagAnalyzer lag;
    AnomalyAnalyzer anomalies([&lag](uint16_t consumer, uint16_t causeType) -> std::optional<int64_t> {
        const std::optional<LagStats> s = lag.statsOf(consumer, causeType);
        if (!s || s->count == s->skew)
            return std::nullopt;
        return s->p99Ns;
    });
    analysis.add(lag);
    analysis.add(anomalies);
    for (const RecordingReport &r : reports) {
        for (const RejectedLine &l : r.rejected)
            anomalies.addRejected(r.path + " line " + std::to_string(l.line), l.reason);
        if (r.truncatedTail)
            anomalies.addRejected(r.path + " line " + std::to_string(r.tail.line), r.tail.reason);
    }
    analysis.update();
    return anomalies.list(store);
}

Json anomalyCounts(const std::vector<Anomaly> &anomalies)
{
    std::array<uint64_t, Anomaly::kKinds> n{};
    for (const Anomaly &a : anomalies)
        n[static_cast<size_t>(a.kind)] += a.count;
    Json j = Json::object();
    for (int k = 0; k < Anomaly::kKinds; ++k)
        j[Anomaly::kindName(static_cast<Anomaly::Kind>(k))] = n[static_cast<size_t>(k)];
    return j;
}

int anomalies(const Input &input, Format format, std::ostream &out, std::ostream &err)
{
    EventStore store;
    std::vector<RecordingReport> reports;
    if (!loadAll(input, store, reports, err))
        return ExitUsage;
    const std::vector<Anomaly> list = findAnomalies(store, reports);

    if (format == Format::Json) {
        Json items = Json::array();
        for (const Anomaly &a : list)
            items.push_back({{"kind", Anomaly::kindName(a.kind)},
                             {"severity", Anomaly::severityName(a.severity)},
                             {"count", a.count},
                             {"eventIds", a.eventIds},
                             {"message", a.message}});
        out << dump(Json{{"anomalies", items}, {"counts", anomalyCounts(list)}}) << '\n';
        return ExitOk;
    }

    std::array<uint64_t, 3> bySeverity{};
    for (const Anomaly &a : list)
        ++bySeverity[static_cast<size_t>(a.severity)];
    if (list.empty()) {
        out << "No anomalies in " << formatCount(store.size()) << " events.\n";
        return ExitOk;
    }
    auto counted = [](uint64_t n, const char *one, const char *many) {
        return formatCount(n) + " " + (n == 1 ? one : many);
    };
    out << counted(list.size(), "finding", "findings") << ": " << counted(bySeverity[2], "error", "errors") << ", "
        << counted(bySeverity[1], "warning", "warnings") << ", " << formatCount(bySeverity[0]) << " info\n\n";
    TextTable table;
    table.setRightAligned(2);
    for (const Anomaly &a : list) {
        table.addRow({Anomaly::severityName(a.severity), Anomaly::kindName(a.kind), formatCount(a.count), a.message});
        if (!a.eventIds.empty()) {
            std::string ids;
            for (size_t i = 0; i < a.eventIds.size() && i < 5; ++i)
                ids += (i ? ", " : "") + a.eventIds[i];
            if (a.eventIds.size() > 5 || a.count > a.eventIds.size())
                ids += ", …";
            table.addRow({"", "", "", "  events: " + ids});
        }
    }
    table.print(out);
    return ExitOk;
}

} // namespace eventlens::commands
