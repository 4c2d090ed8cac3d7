// Analysis: the causation edges every analyzer is fed, on real recordings in real files.
#include "core/analysis.h"
#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"

#include "testsupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace eventlens;

namespace {

/// One line of a recording: id, type, source, time (ms after 10:00:00), correlation, cause.
std::string line(const std::string &id, const std::string &type, const std::string &source, int ms,
                 const std::string &corr, const std::string &cause = {})
{
    char time[64];
    std::snprintf(time, sizeof time, "2026-11-26T10:00:%02d.%03dZ", ms / 1000, ms % 1000);
    std::string s = "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"timestamp\":\"" + time
                  + "\",\"source\":\"" + source + "\"";
    if (!corr.empty())
        s += ",\"correlationId\":\"" + corr + "\"";
    if (!cause.empty())
        s += ",\"causationId\":\"" + cause + "\"";
    return s + "}";
}

/// Writes the edges it is fed as "cause>effect lag cross" with ids, lag in ms.
class EdgeLog : public Analyzer {
public:
    void edge(const EventStore &s, const CausalEdge &e) override
    {
        edges << QStringLiteral("%1>%2 %3%4")
                     .arg(QString::fromUtf8(s.eventId(e.cause).data(), int(s.eventId(e.cause).size())))
                     .arg(QString::fromUtf8(s.eventId(e.effect).data(), int(s.eventId(e.effect).size())))
                     .arg(double(e.lagNs) / 1e6)
                     .arg(e.crossFlow ? " cross" : "");
    }
    void event(const EventStore &, uint32_t) override { ++events; }
    QStringList edges;
    int events = 0;
};

} // namespace

class TstAnalysis : public QObject {
    Q_OBJECT

private slots:
    void edges_data()
    {
        QTest::addColumn<QStringList>("lines");
        QTest::addColumn<QStringList>("edges"); // sorted
        QTest::newRow("a saga with compensation")
            << QStringList{QString::fromStdString(line("p", "order.placed", "order", 0, "c1")),
                           QString::fromStdString(line("r", "stock.reserved", "inventory", 30, "c1", "p")),
                           QString::fromStdString(line("f", "payment.failed", "payment", 250, "c1", "r")),
                           QString::fromStdString(line("x", "stock.released", "inventory", 300, "c1", "f")),
                           QString::fromStdString(line("k", "order.cancelled", "order", 320, "c1", "f"))}
            << QStringList{"f>k 70", "f>x 50", "p>r 30", "r>f 220"};
        QTest::newRow("effect arrives before its cause")
            << QStringList{QString::fromStdString(line("e", "stock.reserved", "inventory", 40, "c1", "p")),
                           QString::fromStdString(line("p", "order.placed", "order", 0, "c1"))}
            << QStringList{"p>e 40"};
        QTest::newRow("duplicates are the same node: no second edge")
            << QStringList{QString::fromStdString(line("p", "order.placed", "order", 0, "c1")),
                           QString::fromStdString(line("e", "stock.reserved", "inventory", 40, "c1", "p")),
                           QString::fromStdString(line("e", "stock.reserved", "inventory", 40, "c1", "p")),
                           QString::fromStdString(line("p", "order.placed", "order", 5, "c1"))}
            << QStringList{"p>e 40"};
        QTest::newRow("skew and a cross-flow cause")
            << QStringList{QString::fromStdString(line("p", "order.placed", "order", 100, "c1")),
                           QString::fromStdString(line("s", "shipment.scheduled", "shipping", 60, "c1", "p")),
                           QString::fromStdString(line("b", "invoice.batched", "billing", 900, "c2", "p"))}
            << QStringList{"p>b 800 cross", "p>s -40"};
        QTest::newRow("an unseen cause makes no edge")
            << QStringList{QString::fromStdString(line("e", "order.placed", "order", 0, "c1", "cmd-1"))}
            << QStringList{};
        QTest::newRow("a cycle: both edges, once each")
            << QStringList{QString::fromStdString(line("a", "x.happened", "s1", 0, "c1", "b")),
                           QString::fromStdString(line("b", "y.happened", "s2", 10, "c1", "a"))}
            << QStringList{"a>b 10", "b>a -10"};
    }
    void edges()
    {
        QFETCH(QStringList, lines);
        QFETCH(QStringList, edges);
        QTemporaryDir dir;
        const std::string path = dir.filePath("r.jsonl").toStdString();
        {
            std::ofstream out(path);
            for (const QString &l : lines)
                out << l.toStdString() << '\n';
        }

        // Opened at once: one update after loading.
        EventStore atOnce;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(path, atOnce, report, error), error.c_str());
        QVERIFY(report.rejected.empty());
        Analysis whole(atOnce);
        EdgeLog wholeLog;
        whole.add(wholeLog);
        whole.update();
        QCOMPARE(wholeLog.events, int(lines.size()));
        QStringList got = wholeLog.edges;
        got.sort();
        QCOMPARE(got, edges);

        // Replayed event by event: an update after every append gives the same edges, in
        // the same order.
        EventStore live;
        Analysis incremental(live);
        EdgeLog liveLog;
        incremental.add(liveLog);
        QVERIFY2(appendOneByOne(lines, live, [&](size_t) { incremental.update(); }, error), error.c_str());
        QCOMPARE(liveLog.edges, wholeLog.edges);
        QCOMPARE(incremental.edges(), uint64_t(edges.size()));
        QCOMPARE(incremental.skewEdges(), uint64_t(edges.filter(" -").size()));
        QCOMPARE(incremental.crossFlowEdges(), uint64_t(edges.filter("cross").size()));
    }

    void aBigUpdateOnTwoThreadsFeedsTheSameAsSmallOnes()
    {
        // 120 000 events (over Analysis::kParallelFrom): sagas whose effects sometimes arrive
        // before their cause, with redeliveries and unseen causes. Opened at once, the
        // analyzers are fed on two threads; in updates of 1 000 events, on one. Each analyzer
        // must see the same events and edges in the same order either way.
        QTemporaryDir dir;
        const std::string path = dir.filePath("big.jsonl").toStdString();
        std::vector<std::string> lines;
        for (int f = 0; f < 20'000; ++f) {
            const std::string c = "c" + std::to_string(f), p = "p" + std::to_string(f), r = "r" + std::to_string(f);
            const std::string root = line(p, "order.placed", "order", f % 50'000, c, f % 7 == 0 ? "cmd" + std::to_string(f) : "");
            const std::string reserved = line(r, "stock.reserved", "inventory", f % 50'000 + 30, c, p);
            if (f % 5 == 0) { // the effect first
                lines.push_back(reserved);
                lines.push_back(root);
            } else {
                lines.push_back(root);
                lines.push_back(reserved);
            }
            lines.push_back(line("x" + std::to_string(f), "payment.failed", "payment", f % 50'000 + 90, c, r));
            if (f % 11 == 0)
                lines.push_back(reserved); // a redelivery
            lines.push_back(line("k" + std::to_string(f), "order.cancelled", "order", f % 50'000 + 95, c, "x" + std::to_string(f)));
            lines.push_back(line("a" + std::to_string(f), "analytics.recorded", "analytics", f % 50'000 + 5, c, p));
            lines.push_back(line("n" + std::to_string(f), "notification.sent", "notify", f % 50'000 + 99, c, "k" + std::to_string(f)));
        }
        {
            std::ofstream out(path);
            for (const std::string &l : lines)
                out << l << '\n';
        }
        QVERIFY(lines.size() > Analysis::kParallelFrom);

        EventStore whole;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(path, whole, report, error), error.c_str());
        Analysis atOnce(whole);
        EdgeLog a1, a2, a3;
        atOnce.add(a1);
        atOnce.add(a2);
        atOnce.add(a3);
        atOnce.update();

        EventStore live;
        Analysis stepwise(live);
        EdgeLog b1;
        stepwise.add(b1);
        QVERIFY2(appendOneByOne(lines, live,
                                [&](size_t i) {
                                    if (i % 1000 == 999 || i + 1 == lines.size())
                                        stepwise.update();
                                },
                                error),
                 error.c_str());
        QCOMPARE(a1.events, int(lines.size()));
        QCOMPARE(a2.events, int(lines.size()));
        QCOMPARE(b1.edges.size(), qsizetype(100'000)); // five per flow
        QCOMPARE(a1.edges, b1.edges);
        QCOMPARE(a2.edges, b1.edges);
        QCOMPARE(a3.edges, b1.edges);
        QCOMPARE(atOnce.edges(), stepwise.edges());
        QCOMPARE(atOnce.skewEdges(), stepwise.skewEdges());
    }

    void nearestRank_data()
    {
        QTest::addColumn<QList<qint64>>("values");
        QTest::addColumn<double>("p");
        QTest::addColumn<qint64>("expected");
        // The smallest value with at least p % of the values at or below it.
        const QList<qint64> ten{10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
        QTest::newRow("p50 of 10") << ten << 50.0 << qint64(50);
        QTest::newRow("p95 of 10") << ten << 95.0 << qint64(100);
        QTest::newRow("p90 of 10") << ten << 90.0 << qint64(90);
        QTest::newRow("p10 of 10") << ten << 10.0 << qint64(10);
        QTest::newRow("p1 of 10") << ten << 1.0 << qint64(10);
        QTest::newRow("p100 of 10") << ten << 100.0 << qint64(100);
        QTest::newRow("unsorted p50") << QList<qint64>{5, 1, 4, 2, 3} << 50.0 << qint64(3);
        QTest::newRow("one value") << QList<qint64>{7} << 99.0 << qint64(7);
        QTest::newRow("none") << QList<qint64>{} << 50.0 << qint64(0);
    }
    void nearestRank()
    {
        QFETCH(QList<qint64>, values);
        QFETCH(double, p);
        QFETCH(qint64, expected);
        std::vector<int64_t> v(values.begin(), values.end());
        QCOMPARE(qint64(eventlens::nearestRank(v, p)), expected);
    }
};

QTEST_GUILESS_MAIN(TstAnalysis)
#include "tst_analysis.moc"
