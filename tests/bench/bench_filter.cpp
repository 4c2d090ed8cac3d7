// bench_filter: what the filter bar's queries cost on a big store.
//
// On the same realistic 1M-event recording as bench_open_recording (RecordingGenerator),
// loaded once, median of --runs each:
//   floor              one pass over every record reading its flags (what any filter pays)
//   naive text         std::string_view::find over every event's raw bytes (case-sensitive),
//                      the obvious way to search text, for the text query to compare with
//   7 queries          EventFilter::select over the whole store: a type glob, a source, a
//                      correlation prefix, a lag comparison, is:duplicate, a text search and
//                      a four-term combination
//   table              EventTableModel::setFilter (what the GUI does on Enter): the same
//                      type glob, and the empty filter (every row)
//   completion         EventFilter::completions for `type:or` and for `topic:` (which scans)
// and prints each in ms with its ratio to the issue's target (< 200 ms for 1M events).
// With --check the exit code is 1 when a query or setFilter misses the target; a broken
// load exits 2.

#include "benchrecording.h"

#include "core/eventfilter.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "ui/eventtablemodel.h"

#include <QCoreApplication>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

using namespace eventlens;

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kTargetMs = 200.0;

/// Median of `runs` timings of `f`, in ms.
double medianMs(int runs, const std::function<void()> &f)
{
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
        const auto start = Clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

EventFilter parsed(const std::string &query)
{
    EventFilter::Error error;
    auto f = EventFilter::parse(query, error);
    if (!f) {
        std::fprintf(stderr, "bench_filter: '%s': %s\n", query.c_str(), error.message.c_str());
        std::exit(2);
    }
    return *f;
}

} // namespace

int main(int argc, char **argv)
{
    bench::BenchOptions o;
    o.runs = 5;
    if (!bench::parseBenchOptions(argc, argv, "bench_filter", o))
        return 2;
    QCoreApplication app(argc, argv); // the table model is a QObject

    bench::BenchRecording recording;
    std::string error;
    if (!recording.prepare(o, "bench_filter", error)) {
        std::fprintf(stderr, "bench_filter: %s\n", error.c_str());
        return 2;
    }
    const std::string &path = recording.path();
    const bench::RecordingGenerator::Stats &gen = recording.stats();

    EventStore store;
    RecordingReport report;
    if (!JsonlReader().load(path, store, report, error) || !report.rejected.empty() || report.accepted != gen.events) {
        std::fprintf(stderr, "bench_filter: loading %s failed: %s (%zu rejected)\n", path.c_str(), error.c_str(),
                     report.rejected.size());
        return 2;
    }
    const uint32_t first = store.firstIndex(), end = store.endIndex();
    std::printf("bench_filter: %zu events (%.0f MB of JSON); median of %d runs each; target < %.0f ms\n\n",
                store.size(), double(report.bytes) / 1e6, o.runs, kTargetMs);

    // A correlation prefix that exists: the start of the middle event's correlationId.
    const std::string corrPrefix(store.correlationId(first + (end - first) / 2).substr(0, 4));

    bool ok = true;
    auto line = [](const char *what, double ms, size_t matches, bool timed) {
        if (timed)
            std::printf("  %-58s %9.1f ms  %5.2f of target  %8zu rows\n", what, ms, ms / kTargetMs, matches);
        else
            std::printf("  %-58s %9.1f ms  %5s            %8zu rows\n", what, ms, "", matches);
    };

    // Baselines.
    size_t floorCount = 0;
    const double floorMs = medianMs(o.runs, [&] {
        floorCount = 0;
        for (uint32_t i = first; i < end; ++i)
            floorCount += (store.record(i).flags & Duplicate) != 0;
    });
    line("floor: one pass over the records", floorMs, floorCount, false);
    size_t naiveCount = 0;
    const double naiveMs = medianMs(o.runs, [&] {
        naiveCount = 0;
        for (uint32_t i = first; i < end; ++i)
            naiveCount += store.raw(i).find("ord-17") != std::string_view::npos;
    });
    line("naive text: string_view::find(\"ord-17\") per event", naiveMs, naiveCount, false);
    std::printf("\n");

    const std::vector<std::string> queries = {
        "type:order.*",
        "source:payment-service",
        "corr:" + corrPrefix,
        "lag>200ms",
        "is:duplicate",
        R"(text:"ORD-17")",
        R"(type:payment.* lag>100ms version:1 text:"eur")",
    };
    std::vector<uint32_t> out;
    out.reserve(store.size());
    for (const std::string &q : queries) {
        const EventFilter filter = parsed(q);
        const double ms = medianMs(o.runs, [&] {
            out.clear();
            filter.select(store, first, end, out);
        });
        ok = ok && ms < kTargetMs;
        line(q.c_str(), ms, out.size(), true);
    }

    std::printf("\n");
    EventTableModel model;
    model.setSource(&store, nullptr);
    for (const char *q : {"type:order.*", ""}) {
        const EventFilter filter = parsed(q);
        const double ms = medianMs(o.runs, [&] { model.setFilter(filter); });
        ok = ok && ms < kTargetMs;
        const std::string what = std::string("table: setFilter(") + (*q ? q : "everything") + ")";
        line(what.c_str(), ms, model.matchedRows(), true);
    }

    std::printf("\n");
    for (const char *text : {"type:or", "topic:"}) {
        size_t n = 0;
        const double ms =
            medianMs(o.runs, [&] { n = EventFilter::completions(text, std::string_view(text).size(), store).size(); });
        const std::string what = std::string("completions for '") + text + "'";
        line(what.c_str(), ms, n, false);
    }

    std::printf("\n%s\n", ok ? "all within the target" : "MISSED THE TARGET");
    return o.check && !ok ? 1 : 0;
}
