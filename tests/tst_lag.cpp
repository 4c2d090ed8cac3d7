// LagAnalyzer and TopologyAnalyzer: hand-computed numbers on small hand-written recordings in
// real files, opened at once and replayed event by event; the bounded-memory mode against the
// exact one; and eventlens-cli lag / topology end to end.
#include "core/analysis.h"
#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/laganalyzer.h"
#include "core/rfc3339.h"
#include "core/topologyanalyzer.h"
#include "testsupport.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <graphviz/cgraph.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <random>

using namespace eventlens;

namespace {

constexpr int64_t kMs = 1'000'000;
const int64_t kBase = *parseRfc3339("2026-11-26T10:00:00Z");

/// One line of a recording: id, type, source, time (ns after 10:00:00), correlation, cause,
/// and the recorder's receive time (ns after 10:00:00) when `received` is set.
std::string eventAt(const std::string &id, const std::string &type, const std::string &source, int64_t ns,
                    const std::string &corr, const std::string &cause = {},
                    std::optional<int64_t> received = std::nullopt)
{
    std::string s = "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"timestamp\":\""
                    + formatRfc3339(kBase + ns, 9) + "\",\"source\":\"" + source + "\"";
    if (!corr.empty())
        s += ",\"correlationId\":\"" + corr + "\"";
    if (!cause.empty())
        s += ",\"causationId\":\"" + cause + "\"";
    if (received)
        s += ",\"_eventlens\":{\"receivedAt\":\"" + formatRfc3339(kBase + *received, 9) + "\"}";
    return s + "}";
}

/// The same with the time in milliseconds, as a row of a data table.
QString line(const std::string &id, const std::string &type, const std::string &source, int ms, const std::string &corr,
             const std::string &cause = {})
{
    return QString::fromStdString(eventAt(id, type, source, ms * kMs, corr, cause));
}

QString num(int64_t ns)
{
    return QString::number(double(ns) / 1e6, 'g', 12);
}

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

/// "consumer cause count | p50 p95 p99 max | skew", times in ms.
QStringList lagRows(const EventStore &s, const LagAnalyzer &lag)
{
    QStringList rows;
    for (const LagStats &l : lag.stats())
        rows << QStringLiteral("%1 %2 %3 | %4 %5 %6 %7 | %8")
                    .arg(str(s.sourceName(l.consumer)), str(s.typeName(l.causeType)))
                    .arg(l.count)
                    .arg(num(l.p50Ns), num(l.p95Ns), num(l.p99Ns), num(l.maxNs))
                    .arg(l.skew);
    return rows;
}

/// "producer type consumer count | p50 p95 p99 | skew", times in ms.
QStringList edgeRows(const EventStore &s, const TopologyAnalyzer &t)
{
    QStringList rows;
    for (const TopologyEdge &e : t.edges())
        rows << QStringLiteral("%1 %2 %3 %4 | %5 %6 %7 | %8")
                    .arg(str(s.sourceName(e.producer)), str(s.typeName(e.eventType)), str(s.sourceName(e.consumer)))
                    .arg(e.count)
                    .arg(num(e.p50Ns), num(e.p95Ns), num(e.p99Ns))
                    .arg(e.skew);
    return rows;
}

/// "type: producer*n,… -> consumer*n,…"
QStringList typeRows(const EventStore &s, const TopologyAnalyzer &t)
{
    QStringList rows;
    auto list = [&](const std::vector<TopologyParticipant> &ps) {
        QStringList l;
        for (const TopologyParticipant &p : ps)
            l << QStringLiteral("%1*%2").arg(str(s.sourceName(p.source))).arg(p.count);
        return l.join(',');
    };
    for (const TopologyType &type : t.types())
        rows << QStringLiteral("%1: %2 -> %3")
                    .arg(str(s.typeName(type.eventType)), list(type.producers), list(type.consumers));
    return rows;
}

QStringList unconsumedRows(const EventStore &s, const TopologyAnalyzer &t)
{
    QStringList rows;
    for (uint16_t type : t.unconsumedTypes())
        rows << str(s.typeName(type));
    return rows;
}

/// Everything both analyzers answer, rates and timelines included: what must not depend on
/// how the events were grouped into updates.
QStringList fingerprint(const EventStore &s, const LagAnalyzer &lag, const TopologyAnalyzer &t)
{
    QStringList all = lagRows(s, lag) + edgeRows(s, t) + typeRows(s, t) + unconsumedRows(s, t);
    all << QStringLiteral("skew %1 edges %2 span %3").arg(lag.skewCount()).arg(lag.edgeCount()).arg(t.spanNs());
    for (const TopologyEdge &e : t.edges())
        all << QString::number(e.ratePerSecond, 'g', 17);
    for (const LagStats &l : lag.stats())
        for (int64_t width : {int64_t(100 * kMs), int64_t(1000 * kMs)})
            for (const LagWindow &w : lag.timeline(l.consumer, l.causeType, width))
                all << QStringLiteral("%1 %2 %3 %4 %5 %6")
                           .arg(w.startNs)
                           .arg(w.count)
                           .arg(w.p50Ns)
                           .arg(w.p95Ns)
                           .arg(w.p99Ns)
                           .arg(w.maxNs);
    for (const IngestLag &i : lag.ingestLag())
        all << QStringLiteral("ingest %1 %2 %3 %4 %5 %6")
                   .arg(str(s.sourceName(i.source)))
                   .arg(i.count)
                   .arg(i.p50Ns)
                   .arg(i.p95Ns)
                   .arg(i.p99Ns)
                   .arg(i.maxNs);
    return all;
}

bool writeLines(const QString &path, const QStringList &lines)
{
    std::ofstream out(path.toStdString());
    for (const QString &l : lines)
        out << l.toStdString() << '\n';
    return bool(out);
}

/// A recording opened at once: loaded, then one update, as the CLI does.
struct Opened {
    EventStore store;
    LagAnalyzer lag;
    TopologyAnalyzer topology;
    explicit Opened(const QString &path, LagAnalyzer::Options lagOptions = {},
                    TopologyAnalyzer::Options topologyOptions = {})
        : lag(lagOptions), topology(topologyOptions)
    {
        RecordingReport report;
        std::string error;
        if (!JsonlReader().load(path.toStdString(), store, report, error) || !report.rejected.empty())
            qFatal("cannot load %s: %s", qPrintable(path), error.c_str());
        Analysis analysis(store);
        analysis.add(lag);
        analysis.add(topology);
        analysis.update();
    }
};

using Run = CliRun;

Run cli(const QStringList &args)
{
    return runCli(args);
}

/// Members in the order the JSON text has them.
QStringList keysOf(const nlohmann::ordered_json &j)
{
    QStringList keys;
    for (const auto &[key, value] : j.items())
        keys << QString::fromStdString(key);
    return keys;
}

} // namespace

class TstLag : public QObject {
    Q_OBJECT

private slots:
    void analyzers_data()
    {
        QTest::addColumn<QStringList>("lines");
        QTest::addColumn<QStringList>("lags");       // consumer cause count | p50 p95 p99 max | skew
        QTest::addColumn<int>("skew");               // over all pairs
        QTest::addColumn<QStringList>("edges");      // producer type consumer count | p50 p95 p99 | skew
        QTest::addColumn<QStringList>("types");      // type: producers -> consumers
        QTest::addColumn<QStringList>("unconsumed"); // types nobody reacts to

        // Flow c1 fails payment and compensates (stock released, order cancelled); c2 succeeds.
        QTest::newRow("a saga with compensation")
            << QStringList{line("p", "order.placed", "order", 0, "c1"),
                           line("r", "stock.reserved", "inventory", 30, "c1", "p"),
                           line("f", "payment.failed", "payment", 250, "c1", "r"),
                           line("x", "stock.released", "inventory", 300, "c1", "f"),
                           line("k", "order.cancelled", "order", 320, "c1", "f"),
                           line("p2", "order.placed", "order", 1000, "c2"),
                           line("r2", "stock.reserved", "inventory", 1040, "c2", "p2"),
                           line("a2", "payment.authorized", "payment", 1100, "c2", "r2"),
                           line("s2", "shipment.created", "shipping", 1200, "c2", "a2")}
            << QStringList{"inventory order.placed 2 | 30 40 40 40 | 0", // nearest rank of {30, 40}
                           "inventory payment.failed 1 | 50 50 50 50 | 0", "order payment.failed 1 | 70 70 70 70 | 0",
                           "payment stock.reserved 2 | 60 220 220 220 | 0",
                           "shipping payment.authorized 1 | 100 100 100 100 | 0"}
            << 0
            << QStringList{"inventory stock.reserved payment 2 | 60 220 220 | 0",
                           "order order.placed inventory 2 | 30 40 40 | 0",
                           "payment payment.authorized shipping 1 | 100 100 100 | 0",
                           "payment payment.failed inventory 1 | 50 50 50 | 0",
                           "payment payment.failed order 1 | 70 70 70 | 0"}
            << QStringList{"order.cancelled: order*1 -> ",
                           "order.placed: order*2 -> inventory*2",
                           "payment.authorized: payment*1 -> shipping*1",
                           "payment.failed: payment*1 -> inventory*1,order*1",
                           "shipment.created: shipping*1 -> ",
                           "stock.released: inventory*1 -> ",
                           "stock.reserved: inventory*2 -> payment*2"}
            << QStringList{"order.cancelled", "shipment.created", "stock.released"};

        QTest::newRow("a fan-out to many consumers")
            << QStringList{line("s", "package.scanned", "scanner", 0, "c1"),
                           line("e", "eta.updated", "eta", 10, "c1", "s"),
                           line("cu", "customs.checked", "customs", 25, "c1", "s"),
                           line("b", "invoice.line", "billing", 40, "c1", "s"),
                           line("n", "customer.notified", "notification", 5, "c1", "s"),
                           line("an", "scan.recorded", "analytics", 100, "c1", "s"),
                           line("s2", "package.scanned", "scanner", 1000, "c2"),
                           line("e2", "eta.updated", "eta", 1030, "c2", "s2"),
                           line("an2", "scan.recorded", "analytics", 1100, "c2", "s2")}
            << QStringList{"analytics package.scanned 2 | 100 100 100 100 | 0",
                           "billing package.scanned 1 | 40 40 40 40 | 0", "customs package.scanned 1 | 25 25 25 25 | 0",
                           "eta package.scanned 2 | 10 30 30 30 | 0", "notification package.scanned 1 | 5 5 5 5 | 0"}
            << 0
            << QStringList{"scanner package.scanned analytics 2 | 100 100 100 | 0",
                           "scanner package.scanned billing 1 | 40 40 40 | 0",
                           "scanner package.scanned customs 1 | 25 25 25 | 0",
                           "scanner package.scanned eta 2 | 10 30 30 | 0",
                           "scanner package.scanned notification 1 | 5 5 5 | 0"}
            << QStringList{"customer.notified: notification*1 -> ",
                           "customs.checked: customs*1 -> ",
                           "eta.updated: eta*2 -> ",
                           "invoice.line: billing*1 -> ",
                           "package.scanned: scanner*2 -> analytics*2,billing*1,customs*1,eta*2,notification*1",
                           "scan.recorded: analytics*2 -> "}
            << QStringList{"customer.notified", "customs.checked", "eta.updated", "invoice.line", "scan.recorded"};

        QTest::newRow("duplicates count once")
            << QStringList{line("p", "order.placed", "order", 0, "c1"),
                           line("e", "stock.reserved", "inventory", 40, "c1", "p"),
                           line("e", "stock.reserved", "inventory", 40, "c1", "p"), // redelivery
                           line("p", "order.placed", "order", 5, "c1")}             // id collision
            << QStringList{"inventory order.placed 1 | 40 40 40 40 | 0"} << 0
            << QStringList{"order order.placed inventory 1 | 40 40 40 | 0"}
            << QStringList{"order.placed: order*1 -> inventory*1", "stock.reserved: inventory*1 -> "}
            << QStringList{"stock.reserved"};

        // Skew edges count (per pair and in total) but stay out of the percentiles: billing
        // has only a skewed reaction, so no lag at all.
        QTest::newRow("skew is counted apart")
            << QStringList{line("p", "order.placed", "order", 100, "c1"),
                           line("s", "shipment.scheduled", "shipping", 60, "c1", "p"),
                           line("p2", "order.placed", "order", 200, "c2"),
                           line("s2", "shipment.scheduled", "shipping", 230, "c2", "p2"),
                           line("b", "invoice.created", "billing", 50, "c1", "p")}
            << QStringList{"billing order.placed 1 | 0 0 0 0 | 1", "shipping order.placed 2 | 30 30 30 30 | 1"} << 2
            << QStringList{"order order.placed billing 1 | 0 0 0 | 1", "order order.placed shipping 2 | 30 30 30 | 1"}
            << QStringList{"invoice.created: billing*1 -> ", "order.placed: order*2 -> billing*1,shipping*2",
                           "shipment.scheduled: shipping*2 -> "}
            << QStringList{"invoice.created", "shipment.scheduled"};

        QTest::newRow("an unseen cause makes no edge")
            << QStringList{line("e", "order.placed", "order", 0, "c1", "cmd-1"),
                           line("f", "stock.reserved", "inventory", 20, "c1", "cmd-2")}
            << QStringList{} << 0 << QStringList{}
            << QStringList{"order.placed: order*1 -> ", "stock.reserved: inventory*1 -> "}
            << QStringList{"order.placed", "stock.reserved"};

        QTest::newRow("a cross-flow cause is still an edge")
            << QStringList{line("p", "order.placed", "order", 100, "c1"),
                           line("b", "invoice.batched", "billing", 900, "c2", "p")}
            << QStringList{"billing order.placed 1 | 800 800 800 800 | 0"} << 0
            << QStringList{"order order.placed billing 1 | 800 800 800 | 0"}
            << QStringList{"invoice.batched: billing*1 -> ", "order.placed: order*1 -> billing*1"}
            << QStringList{"invoice.batched"};

        QTest::newRow("the effect arrives before its cause")
            << QStringList{line("e", "stock.reserved", "inventory", 40, "c1", "p"),
                           line("p", "order.placed", "order", 0, "c1")}
            << QStringList{"inventory order.placed 1 | 40 40 40 40 | 0"} << 0
            << QStringList{"order order.placed inventory 1 | 40 40 40 | 0"}
            << QStringList{"order.placed: order*1 -> inventory*1", "stock.reserved: inventory*1 -> "}
            << QStringList{"stock.reserved"};

        // 20 lags (ms) whose sorted order is 2 3 5 7 8 9 11 12 14 16 | 19 22 25 27 31 38 44 47 60 90,
        // plus one skewed edge (−5 ms) that must not count. Nearest rank over n = 20:
        // p50 → rank 10 = 16, p95 → rank 19 = 60, p99 → rank 20 = 90.
        {
            const int lags[] = {12, 3, 47, 8, 25, 31, 19, 2, 60, 14, 7, 38, 22, 5, 90, 11, 27, 16, 44, 9, -5};
            QStringList lines;
            for (int i = 0; i < int(std::size(lags)); ++i) {
                const std::string n = std::to_string(i);
                lines << line("q" + n, "job.queued", "queue", i * 1000, "c" + n)
                      << line("d" + n, "job.done", "worker", i * 1000 + lags[i], "c" + n, "q" + n);
            }
            QTest::newRow("percentiles by nearest rank")
                << lines << QStringList{"worker job.queued 21 | 16 60 90 90 | 1"} << 1
                << QStringList{"queue job.queued worker 21 | 16 60 90 | 1"}
                << QStringList{"job.done: worker*21 -> ", "job.queued: queue*21 -> worker*21"}
                << QStringList{"job.done"};
        }

        QTest::newRow("a cycle: both edges, once")
            << QStringList{line("a", "x.happened", "s1", 0, "c1", "b"), line("b", "y.happened", "s2", 10, "c1", "a")}
            << QStringList{"s1 y.happened 1 | 0 0 0 0 | 1", "s2 x.happened 1 | 10 10 10 10 | 0"} << 1
            << QStringList{"s1 x.happened s2 1 | 10 10 10 | 0", "s2 y.happened s1 1 | 0 0 0 | 1"}
            << QStringList{"x.happened: s1*1 -> s2*1", "y.happened: s2*1 -> s1*1"} << QStringList{};
    }

    void analyzers()
    {
        QFETCH(QStringList, lines);
        QFETCH(QStringList, lags);
        QFETCH(int, skew);
        QFETCH(QStringList, edges);
        QFETCH(QStringList, types);
        QFETCH(QStringList, unconsumed);
        QTemporaryDir dir;
        const QString path = dir.filePath("r.jsonl");
        QVERIFY(writeLines(path, lines));

        const Opened at(path);
        QCOMPARE(lagRows(at.store, at.lag), lags);
        QCOMPARE(at.lag.skewCount(), uint64_t(skew));
        QCOMPARE(edgeRows(at.store, at.topology), edges);
        QCOMPARE(typeRows(at.store, at.topology), types);
        QCOMPARE(unconsumedRows(at.store, at.topology), unconsumed);
        for (const LagStats &l : at.lag.stats()) {
            const std::optional<LagStats> one = at.lag.statsOf(l.consumer, l.causeType);
            QVERIFY(one);
            QCOMPARE(one->count, l.count);
            QCOMPARE(one->p95Ns, l.p95Ns);
        }
        QVERIFY(!at.lag.statsOf(EventStore::kNoName, EventStore::kNoName));

        // Replayed event by event, an update after each append: the very same answers.
        EventStore live;
        LagAnalyzer lag;
        TopologyAnalyzer topology;
        Analysis analysis(live);
        analysis.add(lag);
        analysis.add(topology);
        std::string error;
        QVERIFY2(appendOneByOne(lines, live, [&](size_t) { analysis.update(); }, error), error.c_str());
        QCOMPARE(fingerprint(live, lag, topology), fingerprint(at.store, at.lag, at.topology));
    }

    void rateOverTheSpan()
    {
        // Events from 10:00:00.000 to 10:00:01.200: 1.2 s; two order.placed → inventory edges.
        QTemporaryDir dir;
        const QString path = dir.filePath("r.jsonl");
        QVERIFY(writeLines(path, {line("p", "order.placed", "order", 0, "c1"),
                                  line("r", "stock.reserved", "inventory", 30, "c1", "p"),
                                  line("p2", "order.placed", "order", 1000, "c2"),
                                  line("r2", "stock.reserved", "inventory", 1040, "c2", "p2"),
                                  line("s2", "shipment.created", "shipping", 1200, "c2")}));
        const Opened at(path);
        QCOMPARE(at.topology.spanNs(), 1200 * kMs);
        const auto e = at.topology.edgeOf(at.store.findSource("order"), at.store.findType("order.placed"),
                                          at.store.findSource("inventory"));
        QVERIFY(e);
        QCOMPARE(e->count, uint64_t(2));
        QVERIFY(std::abs(e->ratePerSecond - 2 / 1.2) < 1e-9);
        QVERIFY(!at.topology.edgeOf(at.store.findSource("inventory"), at.store.findType("order.placed"),
                                    at.store.findSource("order")));
        QCOMPARE(at.topology.services().size(), size_t(3));
    }

    void timeline_data()
    {
        QTest::addColumn<qint64>("widthMs");
        QTest::addColumn<qulonglong>("maxExact");
        QTest::addColumn<QStringList>("windows"); // startMs count p50 p95 p99 max (ms after 10:00:00)
        // Reactions at (effect time ms, lag ms): (100, 10) (500, 30) (900, 20) (1500, −5: skew)
        // (2100, 50) (2500, 70) (3200, 15).
        QTest::newRow("1 s windows; the one with only a skewed edge is left out")
            << qint64(1000) << qulonglong(0)
            << QStringList{"0 3 20 30 30 30", "2000 2 50 70 70 70", "3000 1 15 15 15 15"};
        QTest::newRow("500 ms windows") << qint64(500) << qulonglong(0)
                                        << QStringList{"0 1 10 10 10 10", "500 2 20 30 30 30", "2000 1 50 50 50 50",
                                                       "2500 1 70 70 70 70", "3000 1 15 15 15 15"};
        // Sorted lags 10 15 20 30 50 70: p50 → rank 3, p95 and p99 → rank 6.
        QTest::newRow("one 10 s window") << qint64(10000) << qulonglong(0) << QStringList{"0 6 20 70 70 70"};
        // Bounded to the newest 2 lags (2500 and 3200): the windows at or before the newest
        // evicted reaction (2100) may have lost some, so only the 3000 one is shown.
        QTest::newRow("bounded: only whole windows")
            << qint64(1000) << qulonglong(2) << QStringList{"3000 1 15 15 15 15"};
    }

    void timeline()
    {
        QFETCH(qint64, widthMs);
        QFETCH(qulonglong, maxExact);
        QFETCH(QStringList, windows);
        QTemporaryDir dir;
        const QString path = dir.filePath("r.jsonl");
        QStringList lines;
        const int reactions[][2] = {{100, 10}, {500, 30}, {900, 20}, {1500, -5}, {2100, 50}, {2500, 70}, {3200, 15}};
        int n = 0;
        for (const auto &[at, lag] : reactions) {
            const std::string id = std::to_string(n++);
            lines << line("t" + id, "tick", "clock", at - lag, "c")
                  << line("w" + id, "work.done", "worker", at, "c", "t" + id);
        }
        QVERIFY(writeLines(path, lines));
        const Opened at(path, LagAnalyzer::Options{size_t(maxExact)});
        const uint16_t worker = at.store.findSource("worker"), tick = at.store.findType("tick");
        QStringList got;
        for (const LagWindow &w : at.lag.timeline(worker, tick, widthMs * kMs))
            got << QStringLiteral("%1 %2 %3 %4 %5 %6")
                       .arg(num(w.startNs - kBase))
                       .arg(w.count)
                       .arg(num(w.p50Ns), num(w.p95Ns), num(w.p99Ns), num(w.maxNs));
        QCOMPARE(got, windows);
        QVERIFY(at.lag.timeline(tick, worker, widthMs * kMs).empty()); // no such pair
        QVERIFY(at.lag.timeline(worker, tick, 0).empty());

        // The pair's stats whatever the mode: 7 edges, 1 skewed, sorted lags 10 15 20 30 50 70.
        const std::optional<LagStats> s = at.lag.statsOf(worker, tick);
        QVERIFY(s);
        QCOMPARE(s->count, uint64_t(7));
        QCOMPARE(s->skew, uint64_t(1));
        QCOMPARE(s->maxNs, 70 * kMs);
        QVERIFY(std::abs(s->p50Ns - 20 * kMs) <= 20 * kMs / 100);
        QVERIFY(std::abs(s->p95Ns - 70 * kMs) <= 70 * kMs / 100);
        if (maxExact)
            QVERIFY(at.lag.retainedSamples() <= 2 * maxExact);
    }

    void ingestLag()
    {
        // receive − event time per source, first occurrences only: order 5, 15, 2 ms (the
        // redelivery of o1, received later, does not count); inventory −2 ms (its clock is
        // ahead); i2 has no receive time; analytics none at all.
        QTemporaryDir dir;
        const QString path = dir.filePath("r.jsonl");
        QStringList lines;
        for (const std::string &l : {eventAt("o1", "order.placed", "order", 0, "c1", {}, 5 * kMs),
                                     eventAt("o2", "order.placed", "order", 100 * kMs, "c2", {}, 115 * kMs),
                                     eventAt("o1", "order.placed", "order", 0, "c1", {}, 300 * kMs),
                                     eventAt("o3", "order.placed", "order", 200 * kMs, "c3", {}, 202 * kMs),
                                     eventAt("i1", "stock.reserved", "inventory", 300 * kMs, "c1", "o1", 298 * kMs),
                                     eventAt("i2", "stock.reserved", "inventory", 400 * kMs, "c2", "o2"),
                                     eventAt("a1", "order.seen", "analytics", 500 * kMs, "c1", "o1")})
            lines << QString::fromStdString(l);
        QVERIFY(writeLines(path, lines));
        const Opened at(path);
        QCOMPARE(at.store.redeliveryCount(), uint64_t(1));
        QStringList got;
        for (const IngestLag &i : at.lag.ingestLag())
            got << QStringLiteral("%1 %2 | %3 %4 %5 %6")
                       .arg(str(at.store.sourceName(i.source)))
                       .arg(i.count)
                       .arg(num(i.p50Ns), num(i.p95Ns), num(i.p99Ns), num(i.maxNs));
        // order: sorted 2 5 15 → p50 rank 2 = 5, p95 and p99 rank 3 = 15.
        QCOMPARE(got, (QStringList{"inventory 1 | -2 -2 -2 -2", "order 3 | 5 15 15 15"}));
    }

    void distributionWithinOnePercent()
    {
        // 100 000 random values spanning ns to seconds, a tenth of them negative: the bounded
        // histogram answers every percentile within 1 % of the exact nearest rank.
        std::mt19937_64 rng(20261126);
        std::lognormal_distribution<double> lognormal(std::log(20e6), 2.0);
        std::uniform_int_distribution<int64_t> small(0, 300);
        LagDistribution exact, bounded(1000);
        for (int i = 0; i < 100'000; ++i) {
            int64_t v = i % 7 == 0 ? small(rng) : int64_t(std::min(lognormal(rng), 3.6e12));
            if (i % 10 == 3)
                v = -v;
            exact.add(v);
            bounded.add(v);
        }
        QVERIFY(exact.exact());
        QVERIFY(!bounded.exact());
        QCOMPARE(bounded.exactValues(), size_t(0));
        QCOMPARE(bounded.count(), exact.count());
        QCOMPARE(bounded.max(), exact.max());
        QCOMPARE(bounded.min(), exact.min());
        for (double p : {0.001, 0.1, 1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
            const int64_t e = exact.percentile(p), b = bounded.percentile(p);
            QVERIFY2(std::abs(double(b) - double(e)) <= std::abs(double(e)) / 128,
                     qPrintable(QStringLiteral("p%1: exact %2, bounded %3").arg(p).arg(e).arg(b)));
        }
    }

    void boundedAnalyzersWithinOnePercent()
    {
        // 100 000 reactions of 3 workers to 2 job types (random lags, 5 % skewed), through the
        // whole path: file, store, Analysis. Bounded to 1 000 values a pair, the analyzers agree
        // with the exact ones within 1 % and hold at most 2 × 1 000 values a pair.
        QTemporaryDir dir;
        const QString path = dir.filePath("r.jsonl");
        {
            std::ofstream out(path.toStdString());
            std::mt19937_64 rng(7);
            std::lognormal_distribution<double> lognormal(std::log(15e6), 1.5);
            for (int i = 0; i < 100'000; ++i) {
                const std::string n = std::to_string(i);
                const int64_t cause = int64_t(i) * kMs;
                int64_t lag = int64_t(std::min(lognormal(rng), 3e10));
                if (i % 20 == 1)
                    lag = -lag;
                out << eventAt("q" + n, "job." + std::to_string(i % 2), "queue", cause, "c" + n) << '\n'
                    << eventAt("d" + n, "job.done", "worker-" + std::to_string(i % 3), cause + lag, "c" + n, "q" + n)
                    << '\n';
            }
        }
        EventStore store;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(path.toStdString(), store, report, error), error.c_str());
        QCOMPARE(report.accepted, uint64_t(200'000));
        LagAnalyzer exactLag, boundedLag(LagAnalyzer::Options{1000});
        TopologyAnalyzer exactTopology, boundedTopology(TopologyAnalyzer::Options{1000});
        Analysis analysis(store);
        analysis.add(exactLag);
        analysis.add(boundedLag);
        analysis.add(exactTopology);
        analysis.add(boundedTopology);
        analysis.update();

        auto close = [](int64_t bounded, int64_t exact) {
            return std::abs(double(bounded) - double(exact)) <= std::abs(double(exact)) / 100;
        };
        const std::vector<LagStats> exact = exactLag.stats(), bounded = boundedLag.stats();
        QCOMPARE(exact.size(), size_t(6));
        QCOMPARE(bounded.size(), exact.size());
        QCOMPARE(boundedLag.skewCount(), uint64_t(5000));
        QCOMPARE(exactLag.skewCount(), uint64_t(5000));
        for (size_t i = 0; i < exact.size(); ++i) {
            const LagStats &e = exact[i], &b = bounded[i];
            QCOMPARE(b.consumer, e.consumer);
            QCOMPARE(b.causeType, e.causeType);
            QCOMPARE(b.count, e.count);
            QCOMPARE(b.skew, e.skew);
            QCOMPARE(b.maxNs, e.maxNs);
            QVERIFY(close(b.p50Ns, e.p50Ns));
            QVERIFY(close(b.p95Ns, e.p95Ns));
            QVERIFY(close(b.p99Ns, e.p99Ns));
            QVERIFY(e.p50Ns < e.p95Ns && e.p95Ns < e.p99Ns && e.p99Ns < e.maxNs);
        }
        QVERIFY(boundedLag.retainedSamples() <= 6 * 2 * 1000);
        QVERIFY(exactLag.retainedSamples() >= 95'000);

        const std::vector<TopologyEdge> exactEdges = exactTopology.edges(), boundedEdges = boundedTopology.edges();
        QCOMPARE(boundedEdges.size(), size_t(6));
        for (size_t i = 0; i < exactEdges.size(); ++i) {
            QCOMPARE(boundedEdges[i].count, exactEdges[i].count);
            QCOMPARE(boundedEdges[i].skew, exactEdges[i].skew);
            QVERIFY(close(boundedEdges[i].p50Ns, exactEdges[i].p50Ns));
            QVERIFY(close(boundedEdges[i].p95Ns, exactEdges[i].p95Ns));
            QVERIFY(close(boundedEdges[i].p99Ns, exactEdges[i].p99Ns));
            // One producer: the same lags as the lag analyzer's (consumer, cause type) pair.
            const std::optional<LagStats> pair = exactLag.statsOf(exactEdges[i].consumer, exactEdges[i].eventType);
            QVERIFY(pair);
            QCOMPARE(exactEdges[i].p95Ns, pair->p95Ns);
            QCOMPARE(exactEdges[i].count, pair->count);
        }
    }

    // --- eventlens-cli lag / topology -----------------------------------------------------

    void cliLagJson()
    {
        QTemporaryDir dir;
        const QString path = cliRecording(dir);
        const Run r = cli({"lag", path, "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty());
        const auto j = nlohmann::ordered_json::parse(r.out.toStdString());
        QCOMPARE(keysOf(j), (QStringList{"lags", "skew"}));
        QCOMPARE(j["skew"].get<int>(), 1);
        const auto &lags = j["lags"];
        QCOMPARE(lags.size(), size_t(3));
        QCOMPARE(keysOf(lags[0]),
                 (QStringList{"consumer", "cause", "count", "p50Ms", "p95Ms", "p99Ms", "maxMs", "skew"}));
        auto row = [&](size_t i) {
            const auto &l = lags[i];
            return QStringLiteral("%1 %2 %3 | %4 %5 %6 %7 | %8")
                .arg(QString::fromStdString(l["consumer"].get<std::string>()),
                     QString::fromStdString(l["cause"].get<std::string>()))
                .arg(l["count"].get<int>())
                .arg(l["p50Ms"].get<double>())
                .arg(l["p95Ms"].get<double>())
                .arg(l["p99Ms"].get<double>())
                .arg(l["maxMs"].get<double>())
                .arg(l["skew"].get<int>());
        };
        QCOMPARE(row(0), QStringLiteral("inventory order.placed 2 | 12.346 12.346 12.346 12.346 | 1"));
        QCOMPARE(row(1), QStringLiteral("inventory payment.failed 1 | 50 50 50 50 | 0"));
        QCOMPARE(row(2), QStringLiteral("payment stock.reserved 1 | 237.654 237.654 237.654 237.654 | 0"));
        QVERIFY2(r.out.contains("\"p50Ms\": 12.346,"), r.out.constData()); // µs precision, as a number
    }

    void cliLagText()
    {
        QTemporaryDir dir;
        const Run r = cli({"lag", cliRecording(dir)});
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.startsWith("Reaction lag"), qPrintable(text));
        QVERIFY(text.contains("4 edges, 3 pairs, 1 skewed"));
        QVERIFY(text.contains("CONSUMER"));
        QVERIFY(text.contains("12.3 ms"));
        QVERIFY(text.contains("238 ms"));
    }

    void cliTopologyJson()
    {
        QTemporaryDir dir;
        const Run r = cli({"topology", cliRecording(dir), "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::ordered_json::parse(r.out.toStdString());
        QCOMPARE(keysOf(j), (QStringList{"edges", "types"}));
        const auto &edges = j["edges"];
        QCOMPARE(edges.size(), size_t(3));
        QCOMPARE(keysOf(edges[0]),
                 (QStringList{"producer", "eventType", "consumer", "count", "p50Ms", "p95Ms", "p99Ms"}));
        QStringList got;
        for (const auto &e : edges)
            got << QStringLiteral("%1 %2 %3 %4 | %5 %6 %7")
                       .arg(QString::fromStdString(e["producer"].get<std::string>()),
                            QString::fromStdString(e["eventType"].get<std::string>()),
                            QString::fromStdString(e["consumer"].get<std::string>()))
                       .arg(e["count"].get<int>())
                       .arg(e["p50Ms"].get<double>())
                       .arg(e["p95Ms"].get<double>())
                       .arg(e["p99Ms"].get<double>());
        QCOMPARE(got, (QStringList{"inventory stock.reserved payment 1 | 237.654 237.654 237.654",
                                   "order order.placed inventory 2 | 12.346 12.346 12.346",
                                   "payment payment.failed inventory 1 | 50 50 50"}));
        const auto &types = j["types"];
        QCOMPARE(types.size(), size_t(4));
        QCOMPARE(QString::fromStdString(types[0].dump()),
                 QStringLiteral(R"({"eventType":"order.placed","producers":["order"],"consumers":["inventory"]})"));
        QCOMPARE(QString::fromStdString(types[2].dump()),
                 QStringLiteral(R"({"eventType":"stock.released","producers":["inventory"],"consumers":[]})"));
    }

    void cliTopologyText()
    {
        QTemporaryDir dir;
        const Run r = cli({"topology", cliRecording(dir)});
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.startsWith("Service topology: 3 services, 3 edges"), qPrintable(text));
        QVERIFY(text.contains("PRODUCER"));
        QVERIFY(text.contains("stock.released"));
        QVERIFY(text.contains("(nobody reacts)"));
    }

    void cliTopologyDot()
    {
        QTemporaryDir dir;
        const Run r = cli({"topology", cliRecording(dir), "--format", "dot"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("digraph"));
        QVERIFY(r.out.contains("nobody reacts"));
        QVERIFY(r.out.contains("1 skewed"));
        // Graphviz reads it: 3 services and the unconsumed type; 3 edges and the dashed one to it.
        Agraph_t *graph = agmemread(r.out.constData());
        QVERIFY2(graph, "Graphviz could not parse the DOT output");
        QCOMPARE(agnnodes(graph), 4);
        QCOMPARE(agnedges(graph), 4);
        agclose(graph);
    }

    void cliUnreadableFile_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("lag") << QStringList{"lag", "/nonexistent/x.jsonl"};
        QTest::newRow("topology") << QStringList{"topology", "/nonexistent/x.jsonl", "--format", "dot"};
        QTest::newRow("lag has no dot") << QStringList{"lag", "/nonexistent/x.jsonl", "--format", "dot"};
    }
    void cliUnreadableFile()
    {
        QFETCH(QStringList, args);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(r.out.isEmpty());
    }

private:
    /// inventory reacts to order.placed in 12.345678 ms and, in flow c2, 10 ms before it (skew);
    /// payment to stock.reserved in 237.654322 ms; inventory to payment.failed in 50 ms;
    /// nobody to stock.released.
    static QString cliRecording(const QTemporaryDir &dir)
    {
        const QString path = dir.filePath("cli.jsonl");
        QStringList lines;
        for (const std::string &l : {eventAt("p", "order.placed", "order", 0, "c1"),
                                     eventAt("r", "stock.reserved", "inventory", 12'345'678, "c1", "p"),
                                     eventAt("f", "payment.failed", "payment", 250 * kMs, "c1", "r"),
                                     eventAt("x", "stock.released", "inventory", 300 * kMs, "c1", "f"),
                                     eventAt("p2", "order.placed", "order", 1000 * kMs, "c2"),
                                     eventAt("r2", "stock.reserved", "inventory", 990 * kMs, "c2", "p2")})
            lines << QString::fromStdString(l);
        if (!writeLines(path, lines))
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }
};

QTEST_GUILESS_MAIN(TstLag)
#include "tst_lag.moc"
