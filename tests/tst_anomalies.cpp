// Anomalies: each kind on a small hand-written recording, worked out by hand.
#include "core/anomalies.h"
#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include "testsupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace eventlens;

namespace {

/// One event: id, type, source, time in ms after 10:00:00, correlation, cause, version, data.
std::string ev(const std::string &id, const std::string &type, const std::string &source, int ms,
               const std::string &corr = "c1", const std::string &cause = {}, int version = 1,
               const std::string &data = "{}")
{
    char time[64];
    std::snprintf(time, sizeof time, "2026-11-26T10:%02d:%02d.%03dZ", ms / 60000, ms / 1000 % 60, ms % 1000);
    std::string s = "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"eventVersion\":"
                  + std::to_string(version) + ",\"timestamp\":\"" + time + "\",\"source\":\"" + source
                  + "\",\"correlationId\":\"" + corr + "\"";
    if (!cause.empty())
        s += ",\"causationId\":\"" + cause + "\"";
    return s + ",\"data\":" + data + "}";
}

/// The p99 the lag analysis would give: 50 ms for every pair that ever reacted.
AnomalyAnalyzer::LagP99 fixedP99()
{
    return [](uint16_t, uint16_t) { return std::optional<int64_t>(50'000'000); };
}

/// "kind count id,id" per anomaly, in list order.
QStringList summary(const std::vector<Anomaly> &list)
{
    QStringList out;
    for (const Anomaly &a : list) {
        QStringList ids;
        for (const std::string &id : a.eventIds)
            ids << QString::fromStdString(id);
        out << QStringLiteral("%1 %2 %3").arg(Anomaly::kindName(a.kind)).arg(a.count).arg(ids.join(','));
    }
    return out;
}

} // namespace

class TstAnomalies : public QObject {
    Q_OBJECT

private slots:
    void kinds_data()
    {
        QTest::addColumn<QStringList>("lines");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<QString>("sentence"); // in the first anomaly's message

        auto l = [](std::initializer_list<std::string> events) {
            QStringList out;
            for (const std::string &e : events)
                out << QString::fromStdString(e);
            return out;
        };
        QTest::newRow("a saga with compensation: nothing wrong")
            << l({ev("p", "order.placed", "order", 0), ev("r", "stock.reserved", "inventory", 30, "c1", "p"),
                  ev("f", "payment.failed", "payment", 250, "c1", "r"),
                  ev("x", "stock.released", "inventory", 300, "c1", "f"),
                  ev("k", "order.cancelled", "order", 320, "c1", "f")})
            << QStringList{} << QString();
        QTest::newRow("a redelivery")
            << l({ev("p", "order.placed", "order", 0), ev("p", "order.placed", "order", 0)})
            << QStringList{"redelivery 1 p"} << "order.placed: 1 event was delivered again";
        QTest::newRow("an id collision")
            << l({ev("p", "order.placed", "order", 0), ev("p", "payment.failed", "payment", 10)})
            << QStringList{"id-collision 1 p"} << "eventId p is used again by a different event (payment.failed";
        QTest::newRow("an unseen cause with two effects")
            << l({ev("a", "order.placed", "order", 0, "c1", "cmd-1"), ev("b", "order.placed", "order", 5, "c2", "cmd-1")})
            << QStringList{"unseen-cause 2 a,b"} << "2 order.placed events name causes not in the input (cmd-1)";
        QTest::newRow("unseen causes, grouped by the type naming them")
            << l({ev("a", "order.placed", "order", 0, "c1", "cmd-1"), ev("b", "audit.logged", "audit", 5, "c1", "cmd-2"),
                  ev("c", "order.placed", "order", 9, "c3", "cmd-3")})
            << QStringList{"unseen-cause 2 a,c", "unseen-cause 1 b"}
            << "2 order.placed events name causes not in the input (cmd-1, cmd-3): commands, or lost events";
        QTest::newRow("a cause that arrives late is not unseen")
            << l({ev("e", "stock.reserved", "inventory", 40, "c1", "p"), ev("p", "order.placed", "order", 0)})
            << QStringList{} << QString();
        QTest::newRow("skew")
            << l({ev("p", "order.placed", "order", 100), ev("s", "shipment.scheduled", "shipping", 60, "c1", "p"),
                  ev("t", "shipment.scheduled", "shipping", 90, "c1", "p")})
            << QStringList{"skew 2 s,t"} << "2 reactions of shipping to order.placed stamped before the cause";
        QTest::newRow("a 3-cycle")
            << l({ev("a", "x.happened", "s1", 0, "c1", "c"), ev("b", "y.happened", "s2", 10, "c1", "a"),
                  ev("c", "z.happened", "s3", 20, "c1", "b")})
            << QStringList{"cycle 1 a,b,c", "skew 1 a"} << "events cause each other: a → b → c → a";
        QTest::newRow("a cross-flow cause")
            << l({ev("p", "order.placed", "order", 0, "c1"), ev("b", "invoice.batched", "billing", 900, "c2", "p")})
            << QStringList{"cross-flow 1 b"} << "1 event of type invoice.batched caused by order.placed in another";
        QTest::newRow("a schema mix")
            << l({ev("p1", "order.placed", "order", 0, "c1", {}, 1), ev("p2", "order.placed", "order-v2", 10, "c2", {}, 2),
                  ev("p3", "order.placed", "order", 20, "c3", {}, 1)})
            << QStringList{"schema-mix 3 p1,p2"} << "order.placed comes in 2 versions: v1 from order (2); v2 from order-v2 (1)";

        // Inventory reacts (50 ms) to the first five orders, one a second, then to none of
        // the next five: with a p99 of 50 ms, each is due 150 ms after its order; the last
        // order (9 s) is due at 9.15 s, before the newest event (9.2 s). K = 5: o5..o9.
        QStringList stops;
        for (int i = 0; i < 10; ++i) {
            stops << QString::fromStdString(ev("o" + std::to_string(i), "order.placed", "order", i * 1000, "c" + std::to_string(i)));
            if (i < 5)
                stops << QString::fromStdString(ev("r" + std::to_string(i), "stock.reserved", "inventory", i * 1000 + 50,
                                                   "c" + std::to_string(i), "o" + std::to_string(i)));
        }
        stops << QString::fromStdString(ev("late", "heartbeat", "monitor", 9200, "h"));
        QTest::newRow("a consumer that stops") << stops << QStringList{"consumer-stopped 5 o9,o8,o7,o6,o5"}
                                               << "inventory stopped reacting to order.placed: the last 5 got no reaction within 150 ms (3 × its p99 of 50 ms)";
        QStringList notDue = stops;
        notDue.removeLast(); // the newest event is o9 itself: not due yet; o5..o8 missed, then o4 was answered
        QTest::newRow("a consumer that is merely slow") << notDue << QStringList{} << QString();
    }
    void kinds()
    {
        QFETCH(QStringList, lines);
        QFETCH(QStringList, expected);
        QFETCH(QString, sentence);
        QTemporaryDir dir;
        const std::string path = dir.filePath("r.jsonl").toStdString();
        {
            std::ofstream out(path);
            for (const QString &l : lines)
                out << l.toStdString() << '\n';
        }
        EventStore store;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(path, store, report, error), error.c_str());
        QVERIFY(report.rejected.empty());
        Analysis analysis(store);
        AnomalyAnalyzer anomalies(fixedP99());
        analysis.add(anomalies);
        analysis.update();
        const std::vector<Anomaly> list = anomalies.list(store);
        QCOMPARE(summary(list), expected);
        if (!sentence.isEmpty())
            QVERIFY2(QString::fromStdString(list.front().message).contains(sentence), list.front().message.c_str());

        // The same events appended one by one, with an update after each: the same list.
        EventStore live;
        Analysis incremental(live);
        AnomalyAnalyzer liveAnomalies(fixedP99());
        incremental.add(liveAnomalies);
        QVERIFY2(appendOneByOne(lines, live, [&](size_t) { incremental.update(); }, error), error.c_str());
        QCOMPARE(summary(liveAnomalies.list(live)), expected);
        // counts() says the same, per kind.
        const auto counts = anomalies.counts(store);
        uint64_t total = 0;
        for (uint64_t n : counts)
            total += n;
        uint64_t listed = 0;
        for (const Anomaly &a : list)
            listed += a.count;
        QCOMPARE(total, listed);
    }

    void rejectedInputIsListedFirst()
    {
        EventStore store;
        AnomalyAnalyzer anomalies(fixedP99());
        anomalies.addRejected("orders.jsonl line 121", "field 'timestamp': \"yesterday\" is not an RFC 3339 time");
        const auto list = anomalies.list(store);
        QCOMPARE(list.size(), size_t(1));
        QCOMPARE(list[0].kind, Anomaly::Kind::Rejected);
        QCOMPARE(list[0].severity, Anomaly::Severity::Error);
        QCOMPARE(list[0].message, std::string("orders.jsonl line 121: field 'timestamp': \"yesterday\" is not an RFC 3339 time"));
    }

    void cliListsAndStatsCounts()
    {
        // tests/data/saga.jsonl, by hand: lines 15, 16 and the torn line 18 are rejected; e-2
        // is reused by a different event; e-1 names cmd-checkout-1; e-11 is stamped 30 ms
        // before its cause; order.placed comes as v1 (e-1, e-6) and v2 (e-12); e-8 is redelivered.
        QProcess p;
        p.start(QStringLiteral(EVENTLENS_CLI), {"anomalies", QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl"), "--format", "json"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QJsonObject json = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QStringList got;
        for (const QJsonValue &v : json.value("anomalies").toArray()) {
            const QJsonObject a = v.toObject();
            QStringList ids;
            for (const QJsonValue &id : a.value("eventIds").toArray())
                ids << id.toString();
            got << QStringLiteral("%1 %2 %3 %4")
                       .arg(a.value("severity").toString(), a.value("kind").toString())
                       .arg(a.value("count").toInt())
                       .arg(ids.join(','));
        }
        QCOMPARE(got, (QStringList{"error rejected 1 ", "error rejected 1 ", "error rejected 1 ", "error id-collision 1 e-2",
                                   "warning unseen-cause 1 e-1", "warning skew 1 e-11", "warning schema-mix 3 e-1,e-12",
                                   "info redelivery 1 e-8"}));
        const QJsonObject counts = json.value("counts").toObject();
        QCOMPARE(counts.size(), Anomaly::kKinds);
        QCOMPARE(counts.value("rejected").toInt(), 3);
        QCOMPARE(counts.value("cycle").toInt(), 0);

        QProcess stats;
        stats.start(QStringLiteral(EVENTLENS_CLI), {"stats", QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl"), "--format", "json"});
        QVERIFY(stats.waitForFinished(10000));
        QCOMPARE(QJsonDocument::fromJson(stats.readAllStandardOutput()).object().value("anomalies").toObject(), counts);
    }

    void boundedWhileTheStoreEvicts()
    {
        // A live session's store has a memory cap: the anomalies follow what it keeps, and
        // what was found before the eviction is still listed with its ids.
        EventStore::Options options;
        options.memoryCap = 16u << 20;
        EventStore store(options);
        Analysis analysis(store);
        AnomalyAnalyzer anomalies(fixedP99());
        analysis.add(anomalies);
        Decoder decoder;
        auto append = [&](const std::string &json) {
            DecodedEvent e;
            DecodeError de;
            QVERIFY(decoder.decode(json, e, de));
            store.append(e);
        };
        append(ev("dup", "order.placed", "order", 0));
        append(ev("dup", "payment.failed", "payment", 1)); // an id collision, soon evicted
        size_t mostTracked = 0;
        for (int i = 0; i < 150'000; ++i) {
            append(ev("o" + std::to_string(i), "order.placed", "order", 2 + i % 3'000'000, "c" + std::to_string(i),
                      i % 10 == 0 ? "cmd-" + std::to_string(i) : std::string()));
            if (i % 500 == 0) {
                analysis.update();
                mostTracked = std::max(mostTracked, anomalies.trackedEvents());
            }
        }
        analysis.update();
        QVERIFY2(store.evictedCount() > 50'000, qPrintable(QString::number(store.evictedCount())));
        QVERIFY2(mostTracked <= 2 * store.size() + 1000,
                 qPrintable(QStringLiteral("%1 tracked for %2 kept").arg(mostTracked).arg(store.size())));
        const auto list = anomalies.list(store);
        QCOMPARE(summary(list).filter("id-collision"), QStringList{"id-collision 1 dup"});
        // Unseen causes only for effects still in the store.
        uint64_t unseen = 0;
        for (const Anomaly &a : list)
            if (a.kind == Anomaly::Kind::UnseenCause)
                unseen += a.count;
        QVERIFY(unseen > 0);
        QVERIFY2(unseen <= store.size() / 10 + 1, qPrintable(QString::number(unseen)));
    }

    void severitiesOrderTheList()
    {
        // Errors first (a cycle), then warnings (skew), then information (a redelivery).
        QTemporaryDir dir;
        const std::string path = dir.filePath("r.jsonl").toStdString();
        {
            std::ofstream out(path);
            out << ev("p", "order.placed", "order", 100) << '\n'
                << ev("p", "order.placed", "order", 100) << '\n'
                << ev("s", "shipment.scheduled", "shipping", 60, "c1", "p") << '\n'
                << ev("a", "x.happened", "s1", 0, "c2", "b") << '\n'
                << ev("b", "y.happened", "s2", 10, "c2", "a") << '\n';
        }
        EventStore store;
        RecordingReport report;
        std::string error;
        QVERIFY(JsonlReader().load(path, store, report, error));
        Analysis analysis(store);
        AnomalyAnalyzer anomalies(fixedP99());
        analysis.add(anomalies);
        analysis.update();
        QCOMPARE(summary(anomalies.list(store)), (QStringList{"cycle 1 a,b", "skew 1 s", "skew 1 a", "redelivery 1 p"}));
    }
};

QTEST_GUILESS_MAIN(TstAnomalies)
#include "tst_anomalies.moc"
