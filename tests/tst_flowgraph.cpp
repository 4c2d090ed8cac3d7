// One flow's causation graph (roots, leaves, critical path, cycles, skew, cross-flow links,
// anomalies) and the incremental per-flow summaries, on small hand-written recordings in
// real files. Every expectation below was worked out by hand from the lines above it.
#include "core/analysis.h"
#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/flowanalyzer.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "core/rfc3339.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace eventlens;

namespace {

constexpr int64_t kMs = 1'000'000;
/// 2026-11-26T10:00:00Z, the time every test line counts from.
constexpr int64_t kTen = 1'795'687'200'000'000'000;

/// One line: id, time (ms after 10:00:00), correlation ("" for none), cause, and optionally
/// type, source and receive time (ms after 10:00:00; < 0 for none).
QString ev(const char *id, int ms, const char *corr, const char *cause = "", const char *type = "step.done",
           const char *source = "svc", int receivedMs = -1)
{
    auto time = [](int t) {
        char s[64];
        std::snprintf(s, sizeof s, "2026-11-26T10:%02d:%02d.%03dZ", t / 60000, t / 1000 % 60, t % 1000);
        return std::string(s);
    };
    std::string s = std::string("{\"eventId\":\"") + id + "\",\"eventType\":\"" + type + "\",\"timestamp\":\""
                    + time(ms) + "\",\"source\":\"" + source + "\"";
    if (*corr)
        s += std::string(",\"correlationId\":\"") + corr + "\"";
    if (*cause)
        s += std::string(",\"causationId\":\"") + cause + "\"";
    if (receivedMs >= 0)
        s += ",\"_eventlens\":{\"receivedAt\":\"" + time(receivedMs) + "\"}";
    return QString::fromStdString(s + "}");
}

QString str(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QStringList ids(const FlowGraph &g, const std::vector<size_t> &nodes)
{
    QStringList out;
    for (size_t n : nodes)
        out << QString::fromStdString(g.nodes[n].eventId);
    return out;
}

/// Opens `lines` as a recording in a real file, the way the CLI does.
bool openAtOnce(const QStringList &lines, EventStore &store)
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("r.jsonl").toStdString();
    {
        std::ofstream out(path);
        for (const QString &l : lines)
            out << l.toStdString() << '\n';
    }
    RecordingReport report;
    std::string error;
    return JsonlReader().load(path, store, report, error) && report.rejected.empty();
}

/// Appends `lines` one at a time, as a live session would, updating after each.
void appendOneByOne(const QStringList &lines, EventStore &store, Analysis *analysis)
{
    Decoder decoder;
    for (const QString &l : lines) {
        const std::string bytes = l.toStdString();
        DecodedEvent e;
        DecodeError error;
        if (!decoder.decode(bytes, e, error))
            qFatal("bad test line: %s", bytes.c_str());
        store.append(e);
        if (analysis)
            analysis->update();
    }
}

QString summaryText(const FlowSummary &f)
{
    return QStringLiteral("%1 first=%2 last=%3 events=%4 dup=%5 start=%6 end=%7 arrival=%8 skew=%9 in=%10 out=%11")
        .arg(QString::fromStdString(f.correlationId))
        .arg(f.firstEvent)
        .arg(f.lastEvent)
        .arg(f.events)
        .arg(f.duplicates)
        .arg(f.startNs)
        .arg(f.endNs)
        .arg(f.lastArrivalNs)
        .arg(f.skewEdges)
        .arg(f.crossFlowCauses)
        .arg(f.crossFlowEffects);
}

QStringList summaryTexts(const std::vector<FlowSummary> &flows)
{
    QStringList out;
    for (const FlowSummary &f : flows)
        out << summaryText(f);
    return out;
}

} // namespace

class TstFlowGraph : public QObject {
    Q_OBJECT

private slots:
    void graph_data()
    {
        QTest::addColumn<QStringList>("lines");
        QTest::addColumn<QString>("correlation");
        QTest::addColumn<QStringList>("nodes"); // in order: ghosts, then by time
        QTest::addColumn<QStringList>("roots");
        QTest::addColumn<QStringList>("leaves");
        QTest::addColumn<QStringList>("critical");
        QTest::addColumn<qint64>("durationMs");
        QTest::addColumn<qint64>("criticalMs");
        QTest::addColumn<QStringList>("cycles");    // "a>b>c", cause → effect from the earliest
        QTest::addColumn<QStringList>("skew");      // "cause>effect"
        QTest::addColumn<QStringList>("crossFlow"); // "cause>effect@other flow"
        QTest::addColumn<QStringList>("anomalies"); // "kind:ids"

        // placed → reserved → payment failed → {stock released, cancelled → notified}
        QTest::newRow("a saga with compensation")
            << QStringList{ev("p", 0, "c1", "", "order.placed", "order"),
                           ev("r", 30, "c1", "p", "stock.reserved", "inventory"),
                           ev("f", 250, "c1", "r", "payment.failed", "payment"),
                           ev("x", 300, "c1", "f", "stock.released", "inventory"),
                           ev("k", 340, "c1", "f", "order.cancelled", "order"),
                           ev("m", 360, "c1", "k", "notification.sent", "notification")}
            << "c1" << QStringList{"p", "r", "f", "x", "k", "m"} << QStringList{"p"} << QStringList{"x", "m"}
            << QStringList{"p", "r", "f", "k", "m"} << qint64(360) << qint64(360) << QStringList{} << QStringList{}
            << QStringList{} << QStringList{};
        // c and d both at 90 ms: d arrived later, so d is the latest event.
        QTest::newRow("a fan-out") << QStringList{ev("s", 0, "c1"),       ev("a", 40, "c1", "s"),
                                                  ev("b", 15, "c1", "s"), ev("c", 90, "c1", "s"),
                                                  ev("d", 90, "c1", "s"), ev("e", 60, "c1", "s"),
                                                  ev("b2", 50, "c1", "b")}
                                   << "c1" << QStringList{"s", "b", "a", "b2", "e", "c", "d"} << QStringList{"s"}
                                   << QStringList{"a", "b2", "e", "c", "d"} << QStringList{"s", "d"} << qint64(90)
                                   << qint64(90) << QStringList{} << QStringList{} << QStringList{} << QStringList{};
        QTest::newRow("a redelivery") << QStringList{ev("p", 0, "c1"), ev("e", 40, "c1", "p"), ev("e", 40, "c1", "p")}
                                      << "c1" << QStringList{"p", "e"} << QStringList{"p"} << QStringList{"e"}
                                      << QStringList{"p", "e"} << qint64(40) << qint64(40) << QStringList{}
                                      << QStringList{} << QStringList{} << QStringList{"redelivery:e"};
        // The copy (other type, 70 ms) is not the flow's event: the flow ends at 40 ms.
        QTest::newRow("an id collision") << QStringList{ev("p", 0, "c1"), ev("e", 40, "c1", "p"),
                                                        ev("e", 70, "c1", "p", "other.thing")}
                                         << "c1" << QStringList{"p", "e"} << QStringList{"p"} << QStringList{"e"}
                                         << QStringList{"p", "e"} << qint64(40) << qint64(40) << QStringList{}
                                         << QStringList{} << QStringList{} << QStringList{"id-collision:e"};
        // c2's p reuses an id c1 had first: still c2's event, a node of its own.
        QTest::newRow("an id collision across flows")
            << QStringList{ev("p", 0, "c1"), ev("q", 10, "c2"), ev("p", 20, "c2", "q", "other.thing")} << "c2"
            << QStringList{"q", "p"} << QStringList{"q"} << QStringList{"p"} << QStringList{"q", "p"} << qint64(10)
            << qint64(10) << QStringList{} << QStringList{} << QStringList{} << QStringList{"id-collision:p"};
        // s is stamped 40 ms before its cause; b is p's effect in another flow.
        QTest::newRow("skew") << QStringList{ev("p", 100, "c1"), ev("s", 60, "c1", "p"), ev("b", 900, "c2", "p")}
                              << "c1" << QStringList{"s", "p"} << QStringList{"p"} << QStringList{"s"}
                              << QStringList{"p"} << qint64(40) << qint64(0) << QStringList{} << QStringList{"p>s"}
                              << QStringList{"p>b@c2"} << QStringList{"skew:p,s", "cross-flow:p,b"};
        // Each names the other: no root; the walk back from b stops before repeating b.
        QTest::newRow("a 2-cycle") << QStringList{ev("a", 0, "c1", "b"), ev("b", 10, "c1", "a")} << "c1"
                                   << QStringList{"a", "b"} << QStringList{} << QStringList{} << QStringList{"a", "b"}
                                   << qint64(10) << qint64(10) << QStringList{"a>b"} << QStringList{"b>a"}
                                   << QStringList{} << QStringList{"skew:b,a", "cycle:a,b"};
        QTest::newRow("a 3-cycle with a tail")
            << QStringList{ev("a", 0, "c1", "c"), ev("b", 10, "c1", "a"), ev("c", 20, "c1", "b"),
                           ev("d", 30, "c1", "c")}
            << "c1" << QStringList{"a", "b", "c", "d"} << QStringList{} << QStringList{"d"}
            << QStringList{"a", "b", "c", "d"} << qint64(30) << qint64(30) << QStringList{"a>b>c"} << QStringList{"c>a"}
            << QStringList{} << QStringList{"skew:c,a", "cycle:a,b,c"};
        QTest::newRow("its own cause") << QStringList{ev("s", 0, "c1", "s")} << "c1" << QStringList{"s"}
                                       << QStringList{} << QStringList{} << QStringList{"s"} << qint64(0) << qint64(0)
                                       << QStringList{"s"} << QStringList{} << QStringList{} << QStringList{"cycle:s"};
        QTest::newRow("an unseen cause is a ghost root")
            << QStringList{ev("e", 0, "c1", "cmd-1"), ev("f", 20, "c1", "e"), ev("g", 30, "c1", "cmd-1")} << "c1"
            << QStringList{"cmd-1", "e", "f", "g"} << QStringList{"cmd-1"} << QStringList{"f", "g"}
            << QStringList{"cmd-1", "g"} << qint64(30) << qint64(0) << QStringList{} << QStringList{} << QStringList{}
            << QStringList{"unseen-cause:cmd-1,e,g"};
        // Order o (c1) starts billing i → j (c2); o's own s causes x, which has no correlation.
        const QStringList crossFlow{ev("o", 0, "c1"), ev("i", 50, "c2", "o"), ev("j", 80, "c2", "i"),
                                    ev("s", 100, "c1", "o"), ev("x", 120, "", "s")};
        QTest::newRow("a cross-flow cause")
            << crossFlow << "c2" << QStringList{"o", "i", "j"} << QStringList{"o"} << QStringList{"j"}
            << QStringList{"o", "i", "j"} << qint64(30) << qint64(80) << QStringList{} << QStringList{}
            << QStringList{"o>i@c1"} << QStringList{"cross-flow:o,i"};
        QTest::newRow("cross-flow effects")
            << crossFlow << "c1" << QStringList{"o", "s"} << QStringList{"o"} << QStringList{"s"}
            << QStringList{"o", "s"} << qint64(100) << qint64(100) << QStringList{} << QStringList{}
            << QStringList{"o>i@c2", "s>x@"} << QStringList{"cross-flow:o,i", "cross-flow:s,x"};
        QTest::newRow("no such flow") << QStringList{ev("p", 0, "c1")} << "c9" << QStringList{} << QStringList{}
                                      << QStringList{} << QStringList{} << qint64(0) << qint64(0) << QStringList{}
                                      << QStringList{} << QStringList{} << QStringList{};
    }
    void graph()
    {
        QFETCH(QStringList, lines);
        QFETCH(QString, correlation);
        EventStore store;
        QVERIFY(openAtOnce(lines, store));
        const FlowGraph g = buildFlowGraph(store, correlation.toStdString());

        QStringList nodes;
        for (const auto &n : g.nodes)
            nodes << QString::fromStdString(n.eventId);
        QTEST(nodes, "nodes");
        QTEST(ids(g, g.roots), "roots");
        QTEST(ids(g, g.leaves), "leaves");
        QTEST(ids(g, g.criticalPath), "critical");
        QTEST(qint64(g.durationNs() / kMs), "durationMs");
        QTEST(qint64(g.criticalPathNs(store) / kMs), "criticalMs");
        QStringList cycles;
        for (const auto &cycle : g.cycles)
            cycles << ids(g, cycle).join('>');
        QTEST(cycles, "cycles");
        QStringList skew;
        for (const auto &e : g.edges)
            if (e.skew())
                skew << QString::fromStdString(g.nodes[e.cause].eventId + ">" + g.nodes[e.effect].eventId);
        QTEST(skew, "skew");
        QStringList crossFlow;
        for (const auto &link : g.crossFlow)
            crossFlow << str(store.eventId(link.cause)) + ">" + str(store.eventId(link.effect)) + "@"
                             + QString::fromStdString(link.correlationId);
        QTEST(crossFlow, "crossFlow");
        QStringList anomalies;
        for (const FlowAnomaly &a : flowAnomalies(store, g)) {
            QStringList eventIds;
            for (const auto &id : a.eventIds)
                eventIds << QString::fromStdString(id);
            anomalies << str(anomalyKindName(a.kind)) + ":" + eventIds.join(',');
            QVERIFY2(!a.message.empty(), qPrintable(anomalies.back()));
        }
        QTEST(anomalies, "anomalies");

        // The per-node marks agree with the lists, and the critical edges join the path.
        size_t criticalEdges = 0;
        for (const auto &e : g.edges) {
            if (!e.critical)
                continue;
            ++criticalEdges;
            const auto at = std::find(g.criticalPath.begin(), g.criticalPath.end(), e.effect);
            QVERIFY(at != g.criticalPath.begin() && at != g.criticalPath.end());
            QCOMPARE(*(at - 1), e.cause);
        }
        QCOMPARE(criticalEdges, g.criticalPath.empty() ? 0 : g.criticalPath.size() - 1);
        for (size_t n = 0; n < g.nodes.size(); ++n) {
            QCOMPARE(g.nodes[n].root(), std::count(g.roots.begin(), g.roots.end(), n) == 1);
            QCOMPARE(g.nodes[n].leaf(), std::count(g.leaves.begin(), g.leaves.end(), n) == 1);
            QCOMPARE(g.nodes[n].critical, std::count(g.criticalPath.begin(), g.criticalPath.end(), n) == 1);
        }
    }

    void duplicatesAreCountedOnTheirNode()
    {
        // e delivered three times (twice again byte for byte), its id reused once with other content.
        EventStore store;
        QVERIFY(openAtOnce({ev("p", 0, "c1"), ev("e", 40, "c1", "p"), ev("e", 40, "c1", "p"), ev("e", 40, "c1", "p"),
                            ev("e", 45, "c1", "p", "other.thing")},
                           store));
        const FlowGraph g = buildFlowGraph(store, "c1");
        QCOMPARE(g.nodes.size(), size_t(2));
        QCOMPARE(g.edges.size(), size_t(1)); // copies are the same node: no second edge
        const FlowGraph::Node &e = g.nodes[*g.nodeOf("e")];
        QCOMPARE(e.duplicates, 3u);
        QCOMPARE(e.redeliveries, 2u);
        QCOMPARE(e.collisions, 1u);
        QCOMPARE(g.eventCount(), size_t(2));
        const std::vector<FlowAnomaly> anomalies = flowAnomalies(store, g);
        QCOMPARE(anomalies.size(), size_t(2));
        QCOMPARE(anomalies[0].message, std::string("e (step.done) was delivered 3 times with identical bytes"));
        QCOMPARE(anomalies[1].message,
                 std::string("e (step.done) shares its id with 1 later event with different content"));
    }

    void cyclesTerminateHoweverLong()
    {
        // A ring of 2 000 events, each caused by the one before, the first by the last.
        QStringList lines;
        for (int k = 0; k < 2000; ++k)
            lines << ev(qPrintable(QStringLiteral("r%1").arg(k)), k, "ring",
                        qPrintable(QStringLiteral("r%1").arg((k + 1999) % 2000)));
        EventStore store;
        QVERIFY(openAtOnce(lines, store));
        const FlowGraph g = buildFlowGraph(store, "ring");
        QCOMPARE(g.cycles.size(), size_t(1));
        QCOMPARE(g.cycles[0].size(), size_t(2000));
        QCOMPARE(g.nodes[g.cycles[0].front()].eventId, std::string("r0"));
        QCOMPARE(g.nodes[g.cycles[0][1]].eventId, std::string("r1"));
        QCOMPARE(g.criticalPath.size(), size_t(2000)); // r0 … r1999, then it would repeat
        QCOMPARE(g.nodes[g.criticalPath.front()].eventId, std::string("r0"));
        QVERIFY(g.roots.empty());
    }

    void summaries_data() { graph_data(); }
    void summaries()
    {
        QFETCH(QStringList, lines);

        // Opened at once: one update after loading.
        EventStore atOnce;
        QVERIFY(openAtOnce(lines, atOnce));
        Analysis whole(atOnce);
        FlowAnalyzer wholeFlows;
        whole.add(wholeFlows);
        whole.update();

        // Replayed event by event: identical summaries.
        EventStore live;
        Analysis incremental(live);
        FlowAnalyzer liveFlows;
        incremental.add(liveFlows);
        appendOneByOne(lines, live, &incremental);
        QCOMPARE(summaryTexts(liveFlows.summaries()), summaryTexts(wholeFlows.summaries()));

        // And they agree with each flow's graph.
        for (const FlowSummary &f : wholeFlows.summaries()) {
            const FlowGraph g = buildFlowGraph(atOnce, f.correlationId);
            QCOMPARE(f.startNs, g.startNs);
            QCOMPARE(f.endNs, g.endNs);
            QCOMPARE(f.events, atOnce.correlation(f.correlationId).size());
            uint64_t copies = 0;
            for (const auto &n : g.nodes)
                copies += n.redeliveries + n.collisions;
            QCOMPARE(f.duplicates, copies);
            QCOMPARE(f.skewEdges, uint64_t(g.skewCount()));
            QCOMPARE(f.crossFlowCauses, uint64_t(std::count_if(g.crossFlow.begin(), g.crossFlow.end(),
                                                               [](const auto &l) { return l.incoming; })));
            QCOMPARE(f.crossFlowEffects, uint64_t(std::count_if(g.crossFlow.begin(), g.crossFlow.end(),
                                                                [](const auto &l) { return !l.incoming; })));
            QCOMPARE(wholeFlows.summaryOf(f.correlationId), &f);
        }
    }

    void summariesOfTheSaga()
    {
        EventStore store;
        RecordingReport report;
        std::string error;
        QVERIFY(JsonlReader().load(EVENTLENS_TEST_DATA "/saga.jsonl", store, report, error));
        Analysis analysis(store);
        FlowAnalyzer flows;
        analysis.add(flows);
        analysis.update();

        QCOMPARE(flows.summaries().size(), size_t(3));
        QCOMPARE(flows.summaries()[0].correlationId, std::string("c-1001"));
        const FlowSummary *c1002 = flows.summaryOf("c-1002");
        QVERIFY(c1002);
        QCOMPARE(c1002->events, uint64_t(7)); // e-6 … e-11 and e-8 again
        QCOMPARE(c1002->duplicates, uint64_t(1));
        const int64_t second = *parseRfc3339("2026-03-02T10:00:01Z");
        QCOMPARE(c1002->startNs, second);
        QCOMPARE(c1002->endNs, second + 320 * kMs);
        QCOMPARE(c1002->durationNs(), 320 * kMs);
        QCOMPARE(c1002->lastArrivalNs, second + 320 * kMs); // no receive times: the newest event time
        QCOMPARE(c1002->skewEdges, uint64_t(1));            // e-11 before e-10
        QCOMPARE(c1002->crossFlowCauses + c1002->crossFlowEffects, uint64_t(0));
        const FlowSummary *c1001 = flows.summaryOf("c-1001");
        QCOMPARE(c1001->events, uint64_t(6)); // e-1 … e-5 and e-2 reused
        QCOMPARE(c1001->duplicates, uint64_t(1));
        QCOMPARE(c1001->durationNs(), 500 * kMs);
        QCOMPARE(flows.summaryOf("c-1003")->events, uint64_t(1));
        QCOMPARE(flows.summaryOf("c-9"), nullptr);
    }

    void stillOpen_data()
    {
        QTest::addColumn<qint64>("quietMs");
        QTest::addColumn<QStringList>("open");
        // a: last received at 5 s; b: at 9 s; c: no receive times, its newest event at 8 s.
        // Now is 10 s.
        QTest::newRow("quiet 3 s") << qint64(3000) << QStringList{"b", "c"};
        QTest::newRow("quiet 2 s: c's 8 s is just inside") << qint64(2000) << QStringList{"b", "c"};
        QTest::newRow("quiet 1.5 s") << qint64(1500) << QStringList{"b"};
        QTest::newRow("quiet 10 s") << qint64(10000) << QStringList{"a", "b", "c"};
        QTest::newRow("quiet 0") << qint64(0) << QStringList{};
    }
    void stillOpen()
    {
        QFETCH(qint64, quietMs);
        QFETCH(QStringList, open);
        const QStringList lines{ev("a1", 1000, "a", "", "t", "s", 1100),
                                ev("b1", 2000, "b", "", "t", "s", 2050),
                                ev("a2", 4900, "a", "a1", "t", "s", 5000),
                                ev("c1", 6000, "c"),
                                ev("b2", 8500, "b", "b1", "t", "s", 9000),
                                ev("c2", 8000, "c", "c1"),
                                ev("c0", 3000, "c")};
        for (bool eventByEvent : {false, true}) {
            EventStore store;
            Analysis analysis(store);
            FlowAnalyzer flows;
            analysis.add(flows);
            if (eventByEvent) {
                appendOneByOne(lines, store, &analysis);
            } else {
                QVERIFY(openAtOnce(lines, store));
                analysis.update();
            }
            QStringList got;
            for (const FlowSummary &f : flows.openFlows(kTen + 10'000 * kMs, quietMs * kMs))
                got << QString::fromStdString(f.correlationId);
            QCOMPARE(got, open);
            QCOMPARE(flows.summaryOf("b")->lastArrivalNs, kTen + 9000 * kMs);
            QCOMPARE(flows.summaryOf("c")->startNs, kTen + 3000 * kMs); // c0 arrived last, stamped first
        }
    }

    void evictionRenumbersIdsNotFlows()
    {
        // 20 000 events of ~1 KiB under an 8 MiB cap, one at a time: the store evicts its
        // oldest quarter again and again, renumbering its ids each time. Summaries are kept by
        // name, so each flow still counts only its own events.
        EventStore store(EventStore::Options{8u << 20});
        Analysis analysis(store);
        FlowAnalyzer flows;
        analysis.add(flows);
        const std::string payload = ",\"data\":{\"blob\":\"" + std::string(1000, 'x') + "\"}}";
        QStringList lines;
        for (int f = 0; f < 5000; ++f)
            for (int step = 0; step < 4; ++step) {
                QString l = ev(qPrintable(QStringLiteral("f%1-%2").arg(f).arg(step)), (f * 4 + step) % 60000,
                               qPrintable(QStringLiteral("flow-%1").arg(f)),
                               step ? qPrintable(QStringLiteral("f%1-%2").arg(f).arg(step - 1)) : "");
                l.chop(1);
                lines << l + QString::fromStdString(payload);
            }
        appendOneByOne(lines, store, &analysis);
        QVERIFY(store.evictedCount() > 0);

        // Wholly evicted flows are forgotten; the others stay, one summary each.
        QCOMPARE(flows.summaries().size(), store.correlationCount());
        QCOMPARE(flows.summaryOf("flow-0"), nullptr);
        size_t whole = 0;
        for (const FlowSummary &f : flows.summaries()) {
            QVERIFY(f.lastEvent >= store.firstIndex());
            if (f.firstEvent < store.firstIndex())
                continue; // cut by eviction: it counts what it saw, more than the store keeps
            ++whole;
            QCOMPARE(f.events, uint64_t(4));
            QCOMPARE(f.events, uint64_t(store.correlation(f.correlationId).size()));
            const FlowGraph g = buildFlowGraph(store, f.correlationId);
            QCOMPARE(f.startNs, g.startNs);
            QCOMPARE(f.endNs, g.endNs);
        }
        QVERIFY2(whole > 100,
                 qPrintable(QStringLiteral("%1 whole flows of %2 retained events").arg(whole).arg(store.size())));
        QCOMPARE(flows.summaryOf("flow-4999")->events, uint64_t(4));
    }

    void aBigFlowBuildsFastAfterABigLoad()
    {
        // 200 000 events: 39 900 five-event flows interleaved with one 500-event flow whose
        // event k is caused by event (k − 1) / 2 (a binary tree).
        QTemporaryDir dir;
        const std::string path = dir.filePath("big.jsonl").toStdString();
        {
            std::ofstream out(path);
            char line[512], cause[64];
            int big = 0;
            for (int k = 0; k < 199'500; ++k) {
                const int flow = k / 5, step = k % 5;
                cause[0] = 0;
                if (step > 0)
                    std::snprintf(cause, sizeof cause, ",\"causationId\":\"f%d-%d\"", flow, step - 1);
                std::snprintf(
                    line, sizeof line,
                    "{\"eventId\":\"f%d-%d\",\"eventType\":\"step.%d\",\"timestamp\":\"2026-11-26T10:%02d:%02d."
                    "%03dZ\",\"source\":\"svc-%d\",\"correlationId\":\"flow-%d\"%s}\n",
                    flow, step, step, k / 60'000 % 60, k / 1000 % 60, k % 1000, step, flow, cause);
                out << line;
                if (k % 399 == 0 && big < 500) {
                    cause[0] = 0;
                    if (big > 0)
                        std::snprintf(cause, sizeof cause, ",\"causationId\":\"big-%d\"", (big - 1) / 2);
                    std::snprintf(
                        line, sizeof line,
                        "{\"eventId\":\"big-%d\",\"eventType\":\"big.step\",\"timestamp\":\"2026-11-26T10:%02d:"
                        "%02d.%03dZ\",\"source\":\"big\",\"correlationId\":\"big\"%s}\n",
                        big, big / 60'000 % 60, big / 1000 % 60, big % 1000, cause);
                    out << line;
                    ++big;
                }
            }
        }
        EventStore store;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(path, store, report, error), error.c_str());
        QCOMPARE(store.size(), size_t(200'000));

        QElapsedTimer timer;
        timer.start();
        const FlowGraph g = buildFlowGraph(store, "big");
        const qint64 ns = timer.nsecsElapsed();
        qInfo("a 500-event flow after a 200 000-event load: %.3f ms", double(ns) / 1e6);
        QVERIFY2(ns < 50 * kMs, qPrintable(QStringLiteral("%1 ms").arg(double(ns) / 1e6)));

        QCOMPARE(g.nodes.size(), size_t(500));
        QCOMPARE(g.edges.size(), size_t(499));
        QCOMPARE(ids(g, g.roots), QStringList{"big-0"});
        QCOMPARE(g.leaves.size(), size_t(250)); // big-250 … big-499: no children
        // big-499's ancestors: 249, 124, 61, 30, 14, 6, 2, 0.
        QCOMPARE(ids(g, g.criticalPath), (QStringList{"big-0", "big-2", "big-6", "big-14", "big-30", "big-61",
                                                      "big-124", "big-249", "big-499"}));
        QCOMPARE(g.durationNs(), 499 * kMs);
    }
};

QTEST_GUILESS_MAIN(TstFlowGraph)
#include "tst_flowgraph.moc"
