// bench_analysis: what the analyses cost on top of opening a recording.
//
// On the same realistic 1M-event recording as bench_open_recording (RecordingGenerator),
// measured in the same run, best of --runs each:
//   load               JsonlReader into a fresh EventStore (the baseline)
//   analyses           after a load, one Analysis::update() feeding every analyzer (flow,
//                      lag, topology, throughput, anomalies) and asking each for its results
//   lag                after a load, the lag analyzer alone and the percentiles of every pair
//   flow               FlowGraph of one correlation after the load, for the largest flow and
//                      200 others
// and prints the ratios the issue holds us to: analyses ≤ 1.5× load (aim 1.2×); flow < 10 ms;
// lag ≤ 2× load. With --check the exit code is 1 when a must fails; a broken load exits 2.

#include "benchrecording.h"

#include "core/analysis.h"
#include "core/anomalies.h"
#include "core/eventstore.h"
#include "core/flowanalyzer.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "core/laganalyzer.h"
#include "core/throughputanalyzer.h"
#include "core/topologyanalyzer.h"

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

constexpr double kMustAnalyses = 1.5, kAimAnalyses = 1.2, kMustLag = 2.0, kMustFlowMs = 10.0;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Loads `path` into `store`; exits 2 on any error or rejected line.
void load(const std::string &path, EventStore &store, uint64_t expected)
{
    RecordingReport report;
    std::string error;
    if (!JsonlReader().load(path, store, report, error) || !report.rejected.empty() || report.accepted != expected) {
        std::fprintf(stderr, "bench_analysis: loading %s failed: %s (%zu rejected, %" PRIu64 " of %" PRIu64 ")\n",
                     path.c_str(), error.c_str(), report.rejected.size(), report.accepted, expected);
        std::exit(2);
    }
}

/// Best of `runs` of `f`, each on a fresh store; `f` returns the seconds of the part it times.
double best(int runs, const std::function<double(EventStore &)> &f)
{
    double b = 1e9;
    for (int r = 0; r < runs; ++r) {
        auto store = std::make_unique<EventStore>();
        b = std::min(b, f(*store));
    }
    return b;
}

} // namespace

int main(int argc, char **argv)
{
    bench::BenchOptions o;
    o.runs = 3;
    if (!bench::parseBenchOptions(argc, argv, "bench_analysis", o))
        return 2;
    bench::BenchRecording recording;
    std::string error;
    if (!recording.prepare(o, "bench_analysis", error)) {
        std::fprintf(stderr, "bench_analysis: %s\n", error.c_str());
        return 2;
    }
    const std::string &path = recording.path();
    const bench::RecordingGenerator::Stats &gen = recording.stats();
    std::printf("bench_analysis: %" PRIu64 " events in %s; best of %d runs each\n\n", gen.events, path.c_str(), o.runs);

    // The load and what the analyses add to it are each timed on their own, best of the
    // runs, so the load's own variation (it keeps both CPUs busy) does not land in the ratio.
    const double loadS = best(o.runs, [&](EventStore &s) {
        const auto start = Clock::now();
        load(path, s, gen.events);
        return secondsSince(start);
    });

    uint64_t edges = 0, anomalies = 0, lagPairs = 0, topologyEdges = 0;
    double updateS = 0;
    const double analysesS = best(o.runs, [&](EventStore &s) {
        load(path, s, gen.events);
        const auto start = Clock::now();
        Analysis analysis(s);
        FlowAnalyzer flows;
        LagAnalyzer lag;
        TopologyAnalyzer topology;
        ThroughputAnalyzer throughput;
        AnomalyAnalyzer anomaly([&lag](uint16_t consumer, uint16_t cause) -> std::optional<int64_t> {
            const auto st = lag.statsOf(consumer, cause);
            return st && st->count > st->skew ? std::optional<int64_t>(st->p99Ns) : std::nullopt;
        });
        for (Analyzer *a : std::initializer_list<Analyzer *>{&flows, &lag, &topology, &throughput, &anomaly})
            analysis.add(*a);
        analysis.update();
        updateS = secondsSince(start);
        edges = analysis.edges();
        lagPairs = lag.stats().size();
        topologyEdges = topology.edges().size();
        (void)throughput.bins(ThroughputKey::Type, ThroughputClock::Event);
        anomalies = anomaly.list(s).size();
        return secondsSince(start);
    });

    const double lagS = best(o.runs, [&](EventStore &s) {
        load(path, s, gen.events);
        const auto start = Clock::now();
        Analysis analysis(s);
        LagAnalyzer lag;
        analysis.add(lag);
        analysis.update();
        (void)lag.stats();
        return secondsSince(start);
    });

    // Flow queries on one loaded store: the largest flow and 200 spread over the rest.
    EventStore store;
    load(path, store, gen.events);

    // Where the analyses' time goes: each analyzer alone on the loaded store (update + results).
    auto timed = [&](Analyzer &a, const std::function<void()> &results) {
        const auto start = Clock::now();
        Analysis analysis(store);
        analysis.add(a);
        analysis.update();
        results();
        return secondsSince(start) * 1e3;
    };
    const double edgesOnlyMs = [&] {
        const auto start = Clock::now();
        Analysis analysis(store);
        analysis.update();
        return secondsSince(start) * 1e3;
    }();
    std::vector<std::pair<const char *, double>> parts;
    {
        FlowAnalyzer a;
        parts.emplace_back("flow summaries", timed(a, [&] { (void)a.openFlows(0, 1); }));
    }
    {
        LagAnalyzer a;
        parts.emplace_back("lag", timed(a, [&] { (void)a.stats(); }));
    }
    {
        TopologyAnalyzer a;
        parts.emplace_back("topology", timed(a, [&] { (void)a.edges(); }));
    }
    {
        ThroughputAnalyzer a;
        parts.emplace_back("throughput", timed(a, [&] { (void)a.bins(ThroughputKey::Type, ThroughputClock::Event); }));
    }
    {
        AnomalyAnalyzer a([](uint16_t, uint16_t) { return std::optional<int64_t>(); });
        parts.emplace_back("anomalies", timed(a, [&] { (void)a.list(store); }));
    }
    size_t largest = 0;
    for (size_t c = 1; c < store.correlationCount(); ++c)
        if (store.correlationSize(c) > store.correlationSize(largest))
            largest = c;
    std::vector<double> flowMs;
    std::vector<size_t> picks{largest};
    for (size_t k = 0; k < 200 && store.correlationCount(); ++k)
        picks.push_back(k * 7919 % store.correlationCount());
    size_t largestNodes = 0;
    for (size_t c : picks) {
        const auto start = Clock::now();
        const FlowGraph g = buildFlowGraph(store, store.correlationName(c));
        flowMs.push_back(secondsSince(start) * 1e3);
        if (c == largest)
            largestNodes = g.nodes.size();
    }
    const double largestMs = flowMs.front();
    std::sort(flowMs.begin(), flowMs.end());
    const double maxFlowMs = flowMs.back(), medianFlowMs = flowMs[flowMs.size() / 2];

    const double analysesRatio = (loadS + analysesS) / loadS, lagRatio = (loadS + lagS) / loadS;
    std::printf("  %-46s %9.0f ms\n", "load (decode + store + indexes)", loadS * 1e3);
    std::printf("  %-46s %9.0f ms   load + analyses = %.2fx load   (must <= %.1fx, aim %.1fx)\n",
                "all analyses + their results, after the load", analysesS * 1e3, analysesRatio, kMustAnalyses,
                kAimAnalyses);
    std::printf("  %-46s %9.0f ms   (%" PRIu64 " edges, %" PRIu64 " lag pairs, %" PRIu64 " topology edges, %" PRIu64
                " anomaly items)\n",
                "  of which Analysis::update (last run)", updateS * 1e3, edges, lagPairs, topologyEdges, anomalies);
    std::printf("  %-46s %9.0f ms   load + lag = %.2fx load   (must <= %.1fx)\n", "lag percentiles of every pair, after",
                lagS * 1e3, lagRatio, kMustLag);
    std::printf("  %-46s %9.3f ms   (largest flow, %zu nodes: %.3f ms; median %.3f ms; must < %.0f ms)\n",
                "flow for one correlation, slowest of 201", maxFlowMs, largestNodes, largestMs, medianFlowMs, kMustFlowMs);
    std::printf("\n  breakdown on the loaded store, each alone (update + results), ms: edges only %.0f", edgesOnlyMs);
    for (const auto &[name, ms] : parts)
        std::printf(", %s %.0f", name, ms);
    std::printf("\n");
    const bool ok = analysesRatio <= kMustAnalyses && lagRatio <= kMustLag && maxFlowMs < kMustFlowMs;
    if (o.check && !ok) {
        std::printf("\nFAIL: a must is not met\n");
        return 1;
    }
    return 0;
}
