// eventlens-cli end to end: runs the real binary on real recordings and reads what a user
// (or a script) reads: stdout, stderr and the exit code.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "core/curve.h"
#include "core/embeddedbus.h"
#include "testsupport.h"

#include <graphviz/cgraph.h>
#include <zmq.hpp>

#include <csignal>

#include <sys/stat.h>

namespace {

using Run = CliRun;

Run cli(const QStringList &args)
{
    return runCli(args);
}

QString data(const char *name)
{
    return QStringLiteral(EVENTLENS_TEST_DATA "/") + QLatin1String(name);
}

QJsonObject edge(const QJsonArray &edges, const QString &effect)
{
    for (const auto &e : edges)
        if (e.toObject().value("effect").toString() == effect)
            return e.toObject();
    return {};
}

/// `{"eventId":id,"eventType":type,"timestamp":…,"source":"s"` + `more` + `}`. (Plain
/// literals: moc loses the class when a raw string starts with a quote.)
std::string simpleEvent(const std::string &id, const std::string &type, const std::string &more = {})
{
    return "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type
           + "\",\"timestamp\":\"2026-03-02T10:00:00Z\",\"source\":\"s\"" + more + "}";
}

/// A PUB socket on a free loopback port, which it names in `endpoint`.
zmq::socket_t boundPublisher(zmq::context_t &ctx, QString &endpoint)
{
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.bind("tcp://127.0.0.1:*");
    endpoint = QString::fromStdString(pub.get(zmq::sockopt::last_endpoint));
    return pub;
}

/// Starts `eventlens-cli record` on a bus's subscriber side and returns once its
/// subscription has reached the bus, so nothing published afterwards can be missed.
bool startRecorder(QProcess &record, const eventlens::EmbeddedBus &bus, const QString &file, int count)
{
    record.start(QStringLiteral(EVENTLENS_CLI),
                 {"record", "--connect", QString::fromStdString(bus.subscribersEndpoint()), "-o", file, "--count",
                  QString::number(count)});
    if (!record.waitForStarted())
        return false;
    QByteArray err;
    QElapsedTimer timer;
    timer.start();
    while (!(err += record.readAllStandardError()).contains("connected") || bus.stats().subscriptions < 1) {
        if (timer.elapsed() > 10000)
            return false;
        record.waitForReadyRead(20);
    }
    return true;
}

/// A process's peak resident memory (VmHWM in /proc/PID/status), in bytes; -1 if unknown.
qint64 peakResidentBytes(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').front().toLongLong() * 1024;
    return -1;
}

/// The endpoints a running `eventlens-cli bus` printed in its banner ("publishers",
/// "subscribers"), waiting up to 10 s for it.
std::map<QString, std::string> busEndpoints(QProcess &bus, QByteArray &banner)
{
    std::map<QString, std::string> endpoints;
    const QRegularExpression endpoint(R"((publishers|subscribers) connect to\s+(tcp://127\.0\.0\.1:\d+))");
    QElapsedTimer timer;
    timer.start();
    while (endpoints.size() < 2 && timer.elapsed() < 10000) {
        bus.waitForReadyRead(50);
        banner += bus.readAllStandardOutput();
        for (auto it = endpoint.globalMatch(QString::fromUtf8(banner)); it.hasNext();) {
            const auto m = it.next();
            endpoints[m.captured(1)] = m.captured(2).toStdString();
        }
    }
    return endpoints;
}

} // namespace

class TstCli : public QObject {
    Q_OBJECT

private slots:
    void validateJson()
    {
        const Run r = cli({"validate", data("saga.jsonl"), "--format", "json"});
        QCOMPARE(r.exitCode, 1); // rejected lines
        const QJsonArray files = r.json().value("files").toArray();
        QCOMPARE(files.size(), 1);
        const QJsonObject f = files.first().toObject();
        QCOMPARE(f.value("path").toString(), data("saga.jsonl"));
        QCOMPARE(f.value("lines").toInt(), 18);
        QCOMPARE(f.value("accepted").toInt(), 14);
        QCOMPARE(f.value("truncatedTail").toBool(), true);
        const QJsonArray rejected = f.value("rejected").toArray();
        QCOMPARE(rejected.size(), 2);
        QCOMPARE(rejected[0].toObject().value("line").toInt(), 15);
        QCOMPARE(rejected[0].toObject().value("reason").toString(),
                 QString::fromUtf8(R"(field 'timestamp': "yesterday" is not an RFC 3339 time)"));
        QCOMPARE(rejected[1].toObject().value("line").toInt(), 16);
        QVERIFY(rejected[1].toObject().value("reason").toString().contains("JSON"));
    }

    void validateText()
    {
        const Run r = cli({"validate", data("orders.jsonl")});
        QCOMPARE(r.exitCode, 1);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains("1,759 lines, 1,756 accepted, 3 rejected"), qPrintable(text));
        QVERIFY(text.contains("line 121: field 'timestamp'"));
        QVERIFY(text.contains("line 641: field 'source': required but missing"));
        QVERIFY(text.contains("line 1101: "));
        QVERIFY(r.err.isEmpty());
    }

    void validateCleanFileExitsZero()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("clean.jsonl");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"eventId":"a","eventType":"t","timestamp":"2026-01-01T00:00:00Z","source":"s"})"
                "\n");
        f.close();
        const Run r = cli({"validate", path});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("ok"));
    }

    void limitsAreConfigurable()
    {
        // The saga's events are 200 to 330 bytes and nest data objects two levels deep.
        const Run small = cli({"validate", data("saga.jsonl"), "--max-event-size", "250", "--format", "json"});
        QCOMPARE(small.exitCode, 1);
        const QJsonArray rejected =
            small.json().value("files").toArray().first().toObject().value("rejected").toArray();
        QVERIFY(rejected.size() > 2);
        QVERIFY2(rejected.first().toObject().value("reason").toString().contains("over the limit of 250 bytes"),
                 small.out.constData());
        const Run kib = cli({"stats", data("saga.jsonl"), "--max-event-size", "1KiB", "--format", "json"});
        QCOMPARE(kib.json().value("accepted").toInt(), 14);

        const Run shallow = cli({"stats", data("saga.jsonl"), "--max-depth", "1", "--format", "json"});
        QCOMPARE(shallow.exitCode, 0);
        QCOMPARE(shallow.json().value("accepted").toInt(), 0);
        QCOMPARE(shallow.json().value("rejected").toInt(), 16);
    }

    void statsJson()
    {
        const Run r = cli({"stats", data("saga.jsonl"), "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = r.json();
        QCOMPARE(s.value("accepted").toInt(), 14);
        QCOMPARE(s.value("unique").toInt(), 12);
        QCOMPARE(s.value("duplicates").toInt(), 2);
        QCOMPARE(s.value("rejected").toInt(), 2);
        QCOMPARE(s.value("correlations").toInt(), 3);
        QCOMPARE(s.value("unseenCauses").toInt(), 1);
        const QJsonObject types = s.value("eventTypes").toObject();
        QCOMPARE(types.value("order.placed").toInt(), 3); // the CloudEvents "order.placed.v2" counts here
        QCOMPARE(types.value("inventory.reserved").toInt(), 3);
        QCOMPARE(types.value("payment.failed").toInt(), 2);
        QCOMPARE(types.size(), 8);
        QCOMPARE(s.value("sources").toObject().value("order-service").toInt(), 4);
        QCOMPARE(s.value("first").toString(), QStringLiteral("2026-03-02T10:00:00.000Z"));
        QCOMPARE(s.value("last").toString(), QStringLiteral("2026-03-02T10:00:02.000Z"));
    }

    void statsOnAFewHundredFlows()
    {
        // Known by construction (tests/data/make_orders.py).
        const Run r = cli({"stats", data("orders.jsonl"), "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject s = r.json();
        QCOMPARE(s.value("correlations").toInt(), 300);
        QCOMPARE(s.value("rejected").toInt(), 3);
        QCOMPARE(s.value("unseenCauses").toInt(), 75); // every 4th order came from a checkout command
        QCOMPARE(s.value("duplicates").toInt(), 10);   // every 25th payment delivered twice
        QCOMPARE(s.value("eventTypes").toObject().value("order.placed").toInt(), 300);
        QCOMPARE(s.value("accepted").toInt(), 1756);
    }

    void statsOverSeveralFiles()
    {
        const Run one = cli({"stats", data("orders.jsonl"), "--format", "json"});
        const Run two = cli({"stats", data("orders.jsonl"), data("saga.jsonl"), "--format", "json"});
        QCOMPARE(two.exitCode, 0);
        QCOMPARE(two.json().value("accepted").toInt(), one.json().value("accepted").toInt() + 14);
        QCOMPARE(two.json().value("correlations").toInt(), 303);
    }

    void statsText()
    {
        const Run r = cli({"stats", data("saga.jsonl")});
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains("14 accepted"), qPrintable(text));
        QVERIFY(text.contains("1 redelivered, 1 id collision"));
        QVERIFY(text.contains("Unseen causes  1"));
        // Aligned: every count column in "Event types" starts at the same position.
        const QStringList lines = text.split('\n');
        const int start = lines.indexOf("Event types (8)");
        QVERIFY(start > 0);
        QSet<qsizetype> ends;
        for (int i = start + 1; i < lines.size() && !lines[i].isEmpty(); ++i)
            ends.insert(lines[i].indexOf(" %"));
        QCOMPARE(ends.size(), 1);
    }

    void flowJson()
    {
        const Run r = cli({"flow", data("saga.jsonl"), "--correlation", "c-1002", "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject f = r.json();
        QCOMPARE(f.value("correlationId").toString(), QStringLiteral("c-1002"));
        const QJsonArray nodes = f.value("nodes").toArray();
        QStringList order;
        for (const auto &n : nodes)
            order << n.toObject().value("eventId").toString();
        QCOMPARE(order, QStringList({"e-6", "e-7", "e-8", "e-11", "e-9", "e-10"})); // by timestamp
        const QJsonObject failed = nodes[2].toObject();
        QCOMPARE(failed.value("eventType").toString(), QStringLiteral("payment.failed"));
        QCOMPARE(failed.value("source").toString(), QStringLiteral("payment-service"));
        QCOMPARE(failed.value("timestamp").toString(), QStringLiteral("2026-03-02T10:00:01.250Z"));
        QCOMPARE(failed.value("duplicates").toInt(), 1);
        QCOMPARE(failed.value("ghost").toBool(), false);

        const QJsonArray edges = f.value("edges").toArray();
        QCOMPARE(edges.size(), 5);
        QCOMPARE(edge(edges, "e-7").value("cause").toString(), QStringLiteral("e-6"));
        QCOMPARE(edge(edges, "e-7").value("lagMs").toDouble(), 30.0);
        QCOMPARE(edge(edges, "e-8").value("lagMs").toDouble(), 220.0);
        QCOMPARE(edge(edges, "e-9").value("cause").toString(), QStringLiteral("e-8"));
        QCOMPARE(edge(edges, "e-10").value("lagMs").toDouble(), 70.0);
        QCOMPARE(edge(edges, "e-11").value("lagMs").toDouble(), -30.0); // stamped before its cause
        QCOMPARE(edge(edges, "e-11").value("skew").toBool(), true);
        QCOMPARE(edge(edges, "e-9").value("skew").toBool(), false);

        // The latest event is e-10 (01.320); its causes back to the root are the critical path.
        QCOMPARE(f.value("start").toString(), QStringLiteral("2026-03-02T10:00:01.000Z"));
        QCOMPARE(f.value("end").toString(), QStringLiteral("2026-03-02T10:00:01.320Z"));
        QCOMPARE(f.value("durationMs").toDouble(), 320.0);
        QCOMPARE(f.value("roots").toArray(), QJsonArray({"e-6"}));
        QCOMPARE(f.value("leaves").toArray(), QJsonArray({"e-11", "e-9"})); // in node order
        QCOMPARE(f.value("criticalPath").toArray(), QJsonArray({"e-6", "e-7", "e-8", "e-10"}));
        for (const char *effect : {"e-7", "e-8", "e-10"})
            QVERIFY2(edge(edges, effect).value("critical").toBool(), effect);
        for (const char *effect : {"e-9", "e-11"})
            QVERIFY2(!edge(edges, effect).value("critical").toBool(), effect);
        QCOMPARE(f.value("cycles").toArray(), QJsonArray());
        QCOMPARE(f.value("crossFlow").toArray(), QJsonArray());
        const QJsonArray anomalies = f.value("anomalies").toArray();
        QCOMPARE(anomalies.size(), 2);
        QCOMPARE(anomalies[0].toObject().value("kind").toString(), QStringLiteral("redelivery"));
        QCOMPARE(anomalies[0].toObject().value("eventIds").toArray(), QJsonArray({"e-8"}));
        QCOMPARE(anomalies[1].toObject().value("kind").toString(), QStringLiteral("skew"));
        QCOMPARE(anomalies[1].toObject().value("eventIds").toArray(), QJsonArray({"e-10", "e-11"}));
        QVERIFY(anomalies[1].toObject().value("message").toString().contains("30 ms before its cause e-10"));

        // The new members come after the ones scripts already read, in the documented order.
        QStringList keys;
        for (const char *key :
             {"\"correlationId\"", "\"nodes\"", "\"edges\"", "\"start\"", "\"end\"", "\"durationMs\"", "\"roots\"",
              "\"leaves\"", "\"criticalPath\"", "\"cycles\"", "\"crossFlow\"", "\"anomalies\""})
            QVERIFY2(r.out.indexOf(QByteArray("\n  ") + key) >= 0, key);
        qsizetype previous = -1;
        for (const char *key :
             {"\n  \"edges\"", "\n  \"start\"", "\n  \"durationMs\"", "\n  \"criticalPath\"", "\n  \"anomalies\""}) {
            QVERIFY2(r.out.indexOf(key) > previous, key);
            previous = r.out.indexOf(key);
        }
    }

    void flowGhostCause()
    {
        const Run r = cli({"flow", data("saga.jsonl"), "-c", "c-1001", "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray nodes = r.json().value("nodes").toArray();
        QCOMPARE(nodes.size(), 6);
        const QJsonObject ghost = nodes[0].toObject();
        QCOMPARE(ghost.value("eventId").toString(), QStringLiteral("cmd-checkout-1"));
        QCOMPARE(ghost.value("ghost").toBool(), true);
        QVERIFY(ghost.value("timestamp").isNull());
        const QJsonObject e = edge(r.json().value("edges").toArray(), "e-1");
        QCOMPARE(e.value("cause").toString(), QStringLiteral("cmd-checkout-1"));
        QVERIFY(e.value("lagMs").isNull());
        // +01:00 offset converted to UTC: 11:00:00.180+01:00 is 45 + 135 ms after the root.
        QCOMPARE(edge(r.json().value("edges").toArray(), "e-3").value("lagMs").toDouble(), 135.0);

        // The ghost is the root, and the start of the critical path to e-5 (00.500).
        const QJsonObject f = r.json();
        QCOMPARE(f.value("roots").toArray(), QJsonArray({"cmd-checkout-1"}));
        QCOMPARE(f.value("leaves").toArray(), QJsonArray({"e-5"}));
        QCOMPARE(f.value("criticalPath").toArray(), QJsonArray({"cmd-checkout-1", "e-1", "e-2", "e-3", "e-4", "e-5"}));
        QCOMPARE(e.value("critical").toBool(), true);
        QCOMPARE(f.value("durationMs").toDouble(), 500.0);
        const QJsonArray anomalies = f.value("anomalies").toArray();
        QCOMPARE(anomalies.size(), 2);
        QCOMPARE(anomalies[0].toObject().value("kind").toString(), QStringLiteral("unseen-cause"));
        QCOMPARE(anomalies[0].toObject().value("eventIds").toArray(), QJsonArray({"cmd-checkout-1", "e-1"}));
        // The second e-2 has other content (another sku): an id collision, not a redelivery.
        QCOMPARE(anomalies[1].toObject().value("kind").toString(), QStringLiteral("id-collision"));
        QCOMPARE(anomalies[1].toObject().value("eventIds").toArray(), QJsonArray({"e-2"}));
    }

    void flowText()
    {
        const Run r = cli({"flow", data("saga.jsonl"), "-c", "c-1002"});
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains("6 events from 4 services, 320 ms"), qPrintable(text));
        QVERIFY(text.contains("└─ payment.failed"));
        QVERIFY(text.contains("delivered ×2"));
        QVERIFY(text.contains("clock skew"));
        QVERIFY2(text.contains("Roots: order.placed (e-6)   Leaves: notification.sent (e-11), stock.released (e-9)\n"),
                 qPrintable(text));
        QVERIFY(
            text.contains("Critical path (*): order.placed (e-6) → inventory.reserved (e-7) → payment.failed (e-8) → "
                          "order.cancelled (e-10), 320 ms\n"));
        // Rows on the critical path carry the mark; the others do not.
        const QStringList lines = text.split('\n');
        auto rowOf = [&](const QString &type) {
            for (const QString &l : lines)
                if (l.contains(type))
                    return l;
            return QString();
        };
        auto treeRowOf = [&](const QString &type) { // the tree's rows start with the mark and a time
            for (const QString &l : lines)
                if (l.size() > 3 && l[3].isDigit() && l.contains(type))
                    return l;
            return QString();
        };
        for (const char *type : {"order.placed", "inventory.reserved", "payment.failed", "order.cancelled"})
            QVERIFY2(treeRowOf(type).startsWith("*  "), type);
        for (const char *type : {"stock.released", "notification.sent"})
            QVERIFY2(treeRowOf(type).startsWith("   "), type);
        // One line per anomaly, naming the events.
        QVERIFY(text.contains("\nAnomalies (2)\n"));
        QVERIFY(rowOf("  redelivery").contains("e-8"));
        QVERIFY(rowOf("  skew").contains("e-11"));
        QVERIFY(rowOf("  skew").contains("e-10"));
    }

    void flowDot()
    {
        const Run r = cli({"flow", data("saga.jsonl"), "-c", "c-1001", "--format", "dot"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("digraph"));
        QVERIFY(r.out.contains(R"("cmd-checkout-1" -> "e-1" [style=dashed)"));
        // Every edge of c-1001 is on the critical path (to e-5): drawn bold, in the app's purple.
        QVERIFY(r.out.contains(R"("e-1" -> "e-2" [label="+45 ms", penwidth=2.5, color="#7b1fa2"])"));
        QCOMPARE(r.out.count('\n'), r.out.count(";\n") + 2); // one statement a line: "{" and "}" aside

        // Graphviz itself reads it: 6 nodes (the ghost included) and 5 edges.
        Agraph_t *graph = agmemread(r.out.constData());
        QVERIFY2(graph, "Graphviz could not parse the DOT output");
        QCOMPARE(agnnodes(graph), 6);
        QCOMPARE(agnedges(graph), 5);
        agclose(graph);

        // c-1002: off the critical path plain; skew dashed; critical bold.
        const Run other = cli({"flow", data("saga.jsonl"), "-c", "c-1002", "--format", "dot"});
        QVERIFY(other.out.contains(R"("e-8" -> "e-9" [label="+50 ms"];)"));
        QVERIFY(other.out.contains(R"("e-10" -> "e-11" [label="−30 ms", style=dashed)"));
        QVERIFY(other.out.contains(R"("e-8" -> "e-10" [label="+70 ms", penwidth=2.5)"));
    }

    void flowCycleAndCrossFlow()
    {
        // a and b name each other; b also causes x in another flow; y there is caused by a.
        QTemporaryDir dir;
        const QString path = dir.filePath("loop.jsonl");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            R"({"eventId":"a","eventType":"t.a","timestamp":"2026-03-02T10:00:00.000Z","source":"s1","correlationId":"c-1","causationId":"b"}
{"eventId":"b","eventType":"t.b","timestamp":"2026-03-02T10:00:00.010Z","source":"s2","correlationId":"c-1","causationId":"a"}
{"eventId":"x","eventType":"t.x","timestamp":"2026-03-02T10:00:00.020Z","source":"s3","correlationId":"c-2","causationId":"b"}
{"eventId":"y","eventType":"t.y","timestamp":"2026-03-02T10:00:00.030Z","source":"s3","correlationId":"c-2","causationId":"x"}
)");
        file.close();

        const Run r = cli({"flow", path, "-c", "c-1", "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject f = r.json();
        QCOMPARE(f.value("cycles").toArray(), QJsonArray({QJsonArray({"a", "b"})}));
        QCOMPARE(f.value("roots").toArray(), QJsonArray());
        QCOMPARE(f.value("criticalPath").toArray(), QJsonArray({"a", "b"})); // stops where it would repeat
        const QJsonArray crossFlow = f.value("crossFlow").toArray();
        QCOMPARE(crossFlow.size(), 1);
        QCOMPARE(crossFlow[0].toObject().value("cause").toString(), QStringLiteral("b"));
        QCOMPARE(crossFlow[0].toObject().value("effect").toString(), QStringLiteral("x"));
        QCOMPARE(crossFlow[0].toObject().value("correlationId").toString(), QStringLiteral("c-2"));

        // From the other side: b is a cause in another flow, a node of its own.
        const Run other = cli({"flow", path, "-c", "c-2", "--format", "json"});
        const QJsonArray otherCross = other.json().value("crossFlow").toArray();
        QCOMPARE(otherCross.size(), 1);
        QCOMPARE(otherCross[0].toObject().value("correlationId").toString(), QStringLiteral("c-1"));
        QCOMPARE(other.json().value("criticalPath").toArray(), QJsonArray({"b", "x", "y"}));

        const Run text = cli({"flow", path, "-c", "c-1"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("cycle: a → b → a"), text.out.constData());
        QVERIFY(text.out.contains("caused x in flow c-2"));
        QVERIFY(text.out.contains("Roots: none   Leaves: none\n"));
        QVERIFY(text.out.contains("\nAnomalies (3)\n")); // a cycle has a skew edge: its lags add up to 0
        QVERIFY(text.out.contains("\n  skew        a (t.a) is stamped 10 ms before its cause b"));
        QVERIFY(text.out.contains("\n  cycle       a → b → a"));
        QVERIFY(text.out.contains("\n  cross-flow  b caused x in flow c-2\n"));
        // Graphviz reads the cycle and the dotted effect in the other flow.
        const Run dot = cli({"flow", path, "-c", "c-1", "--format", "dot"});
        Agraph_t *graph = agmemread(dot.out.constData());
        QVERIFY2(graph, dot.out.constData());
        QCOMPARE(agnnodes(graph), 3);
        QCOMPARE(agnedges(graph), 3);
        agclose(graph);
    }

    void flowByUniquePrefix()
    {
        // People paste the first characters of a UUID from a log line.
        QFile file(data("orders.jsonl"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString id = QJsonDocument::fromJson(file.readLine()).object().value("correlationId").toString();
        QCOMPARE(id.size(), 36);
        const Run full = cli({"flow", data("orders.jsonl"), "-c", id, "--format", "json"});
        const Run prefix = cli({"flow", data("orders.jsonl"), "-c", id.left(8), "--format", "json"});
        QCOMPARE(prefix.exitCode, 0);
        QCOMPARE(prefix.json().value("correlationId").toString(), id);
        QCOMPARE(prefix.out, full.out);

        const Run ambiguous = cli({"flow", data("saga.jsonl"), "-c", "c-10"});
        QCOMPARE(ambiguous.exitCode, 2);
        QVERIFY(ambiguous.err.contains("matches 3 correlations"));
    }

    void usageErrorsExitTwoWithOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no command") << QStringList{} << "subcommand";
        QTest::newRow("missing file") << QStringList{"stats", "/nonexistent/x.jsonl"} << "/nonexistent/x.jsonl";
        QTest::newRow("directory") << QStringList{"validate", QStringLiteral(EVENTLENS_TEST_DATA)} << "directory";
        QTest::newRow("bad format") << QStringList{"stats", data("saga.jsonl"), "--format", "xml"} << "xml";
        QTest::newRow("dot only for flow") << QStringList{"stats", data("saga.jsonl"), "--format", "dot"} << "dot";
        QTest::newRow("csv only for throughput")
            << QStringList{"flow", data("saga.jsonl"), "-c", "c-1001", "--format", "csv"} << "csv";
        QTest::newRow("flow without correlation") << QStringList{"flow", data("saga.jsonl")} << "correlation";
        QTest::newRow("unknown correlation") << QStringList{"flow", data("saga.jsonl"), "-c", "nope"} << "nope";
        QTest::newRow("no files") << QStringList{"validate"} << "files";
        QTest::newRow("negative rcvhwm") << QStringList{"tail", "--connect", "tcp://127.0.0.1:1", "--rcvhwm", "-1"}
                                         << "--rcvhwm";
    }
    void usageErrorsExitTwoWithOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(mentions, Qt::CaseInsensitive), r.err.constData());
    }

    void busForwardsUntilCtrlC()
    {
        QProcess bus;
        bus.start(QStringLiteral(EVENTLENS_CLI),
                  {"bus", "--publishers", "tcp://127.0.0.1:*", "--subscribers", "tcp://127.0.0.1:*"});
        QVERIFY(bus.waitForStarted());
        QByteArray banner;
        QTRY_VERIFY_WITH_TIMEOUT((banner += bus.readAllStandardOutput()).count('\n') >= 3, 10000);
        const QString text = QString::fromUtf8(banner);
        const QRegularExpression endpoint(R"((publishers|subscribers) connect to\s+(tcp://127\.0\.0\.1:\d+))");
        std::map<QString, std::string> endpoints;
        for (auto it = endpoint.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            endpoints[m.captured(1)] = m.captured(2).toStdString();
        }
        QVERIFY2(endpoints.size() == 2, qPrintable(text));

        zmq::context_t ctx;
        zmq::socket_t pub(ctx, zmq::socket_type::pub), sub(ctx, zmq::socket_type::sub);
        pub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::rcvtimeo, 50);
        sub.set(zmq::sockopt::subscribe, "order.");
        pub.connect(endpoints["publishers"]);
        sub.connect(endpoints["subscribers"]);
        // Slow joiner: publish until the subscription has reached the publisher.
        QByteArray received;
        for (int i = 0; i < 200 && received.isEmpty(); ++i) {
            pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore);
            pub.send(zmq::str_buffer(R"({"eventId":"e-1"})"), zmq::send_flags::none);
            zmq::message_t topic, body;
            if (sub.recv(topic) && topic.more() && sub.recv(body))
                received = QByteArray(static_cast<const char *>(body.data()), int(body.size()));
        }
        QCOMPARE(received, QByteArray(R"({"eventId":"e-1"})"));

        ::kill(static_cast<pid_t>(bus.processId()), SIGINT); // what Ctrl-C sends
        QVERIFY2(bus.waitForFinished(5000), "the bus did not stop on Ctrl-C");
        QCOMPARE(bus.exitStatus(), QProcess::NormalExit);
        QCOMPARE(bus.exitCode(), 0);
        QVERIFY(bus.readAllStandardOutput().contains("messages"));
    }

    void tailPrintsEventsAndRejectsUntilCtrlC()
    {
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QProcess tail;
        tail.start(QStringLiteral(EVENTLENS_CLI), {"tail", "--connect", endpoint});
        QVERIFY(tail.waitForStarted());
        auto send = [&](const std::string &topic, const std::string &json) {
            pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(json), zmq::send_flags::none);
        };
        const std::string event =
            R"({"eventId":"e-1","eventType":"order.placed","eventVersion":2,"timestamp":"2026-03-02T10:00:00.045Z",)"
            R"("source":"order-service","correlationId":"c-1001-abcdef","causationId":"cmd-7"})";
        QByteArray out;
        for (int i = 0; i < 300 && !out.contains("order.placed"); ++i) { // slow joiner
            send("order.placed", event);
            tail.waitForReadyRead(20);
            out += tail.readAllStandardOutput();
        }
        QVERIFY2(out.contains("10:00:00.045  order.placed v2"), out.constData());
        QVERIFY(out.contains("order-service"));
        QVERIFY(out.contains("corr c-1001-a"));
        QVERIFY(out.contains("cause cmd-7"));

        send("order.placed", R"({"eventId":"e-2","eventType":"order.placed","timestamp":"yesterday","source":"s"})");
        pub.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
        pub.send(zmq::str_buffer("b"), zmq::send_flags::sndmore);
        pub.send(zmq::str_buffer("c"), zmq::send_flags::none);
        QTRY_VERIFY((out += tail.readAllStandardOutput()).contains("3 frames"));
        QVERIFY(out.contains("REJECTED from " + endpoint.toUtf8()
                             + " (topic order.placed): field 'timestamp': "
                               "\"yesterday\" is not an RFC 3339 time"));

        ::kill(static_cast<pid_t>(tail.processId()), SIGINT);
        QVERIFY2(tail.waitForFinished(5000), "tail did not stop on Ctrl-C");
        QCOMPARE(tail.exitCode(), 0);
        const QByteArray err = tail.readAllStandardError();
        QVERIFY2(err.contains(endpoint.toUtf8() + ": connected"), err.constData());
        QVERIFY(err.contains(" rejected"));
    }

    void recordStopsAtCountAndKeepsRejects()
    {
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QTemporaryDir dir;
        const QString file = dir.filePath("live.jsonl");
        QProcess record;
        record.start(QStringLiteral(EVENTLENS_CLI), {"record", "--connect", endpoint, "-o", file, "--count", "5"});
        QVERIFY(record.waitForStarted());
        // Publish a malformed message and an event, over and over, until five events are in.
        for (int i = 0; i < 1000 && record.state() != QProcess::NotRunning; ++i) {
            pub.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
            pub.send(zmq::str_buffer("b"), zmq::send_flags::sndmore);
            pub.send(zmq::str_buffer("c"), zmq::send_flags::none);
            const QJsonObject json{{"eventId", QStringLiteral("e-%1").arg(i)},
                                   {"eventType", "order.placed"},
                                   {"timestamp", "2026-03-02T10:00:00Z"},
                                   {"source", "order-service"},
                                   {"correlationId", "c-1"}};
            const std::string event = QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString();
            pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(event), zmq::send_flags::none);
            record.waitForFinished(10);
        }
        QVERIFY2(record.state() == QProcess::NotRunning || record.waitForFinished(5000),
                 "record did not stop at --count");
        QCOMPARE(record.exitCode(), 0);
        QVERIFY(record.readAllStandardOutput().contains("recorded 5 events"));

        // The recording is a valid one, with receive time and topic on every line.
        const Run validate = cli({"validate", file, "--format", "json"});
        QCOMPARE(validate.exitCode, 0);
        QCOMPARE(validate.json().value("files").toArray().first().toObject().value("accepted").toInt(), 5);
        QFile lines(file);
        QVERIFY(lines.open(QIODevice::ReadOnly));
        for (const QByteArray &line : lines.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject meta = QJsonDocument::fromJson(line).object().value("_eventlens").toObject();
            QCOMPARE(meta.value("topic").toString(), QStringLiteral("order.placed"));
            QVERIFY(meta.value("receivedAt").toString().endsWith('Z'));
        }
        // Nothing was dropped quietly: the malformed messages are kept with their reason.
        QFile rejects(file + ".rejected.jsonl");
        QVERIFY(rejects.open(QIODevice::ReadOnly));
        const QJsonObject first = QJsonDocument::fromJson(rejects.readLine()).object();
        QCOMPARE(first.value("reason").toString(), QStringLiteral("3 frames; expected [topic, json] or [json]"));
        QCOMPARE(first.value("frames").toArray().size(), 3);
        QCOMPARE(first.value("endpoint").toString(), endpoint);
    }

    void recordWritesOutDuringALull()
    {
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QTemporaryDir dir;
        const QString file = dir.filePath("lull.jsonl");
        QProcess record;
        record.start(QStringLiteral(EVENTLENS_CLI), {"record", "--connect", endpoint, "-o", file});
        QVERIFY(record.waitForStarted());
        auto send = [&](const QString &id) {
            const QJsonObject json{{"eventId", id},
                                   {"eventType", "order.placed"},
                                   {"timestamp", "2026-03-02T10:00:00Z"},
                                   {"source", "order-service"}};
            const std::string event = QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString();
            pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(event), zmq::send_flags::none);
        };
        auto contents = [&] {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        for (int i = 0; i < 200 && contents().isEmpty(); ++i) { // slow joiner, then the first flush
            send(QStringLiteral("probe-%1").arg(i));
            QTest::qWait(50);
        }
        QVERIFY(!contents().isEmpty());
        // A short burst, then silence: it reaches the file while record still runs.
        for (int i = 1; i <= 3; ++i)
            send(QStringLiteral("burst-%1").arg(i));
        QTRY_VERIFY_WITH_TIMEOUT(contents().contains("burst-3"), 2000);
        QVERIFY(record.state() == QProcess::Running);
        ::kill(static_cast<pid_t>(record.processId()), SIGINT);
        QVERIFY(record.waitForFinished(5000));
        QCOMPARE(record.exitCode(), 0);
    }

    void recordReplayRecordReproducesTheEvents()
    {
        // record (from a bus) -> replay (onto the bus) -> record again: the same events.
        zmq::context_t ctx;
        eventlens::EmbeddedBus bus(ctx, {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"});
        QVERIFY(bus.start());
        QTemporaryDir dir;
        const QString copy = dir.filePath("copy.jsonl");
        QProcess record;
        QVERIFY(startRecorder(record, bus, copy, 14));

        const Run replay = cli(
            {"replay", data("saga.jsonl"), "--to", QString::fromStdString(bus.publishersEndpoint()), "--speed", "20"});
        QCOMPARE(replay.exitCode, 0);
        QVERIFY(replay.out.contains("replayed 14 events"));
        QVERIFY(replay.err.contains("3 lines")); // the saga's bad lines are named, not replayed
        QVERIFY(record.state() == QProcess::NotRunning || record.waitForFinished(10000));
        QCOMPARE(record.exitCode(), 0);

        // Every event, byte for byte as in the original file, in the original order.
        auto events = [](const QString &path) {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            QList<QByteArray> out;
            for (QByteArray line : f.readAll().split('\n')) {
                const qsizetype member = line.indexOf(",\"_eventlens\"");
                if (member >= 0)
                    line = line.left(member) + "}";
                if (line.startsWith('{') && line.endsWith('}'))
                    out << line;
            }
            return out;
        };
        const QList<QByteArray> original = events(data("saga.jsonl")), copied = events(copy);
        QCOMPARE(copied.size(), 14);
        QList<QByteArray> valid;
        for (const QByteArray &line : original)
            if (!line.contains("yesterday") && !line.contains("e-13")) // the rejected ones
                valid << line;
        QCOMPARE(valid.size(), 14);
        // Replay goes by event time; the file's order differs only where timestamps do.
        auto sorted = [](QList<QByteArray> l) {
            std::sort(l.begin(), l.end());
            return l;
        };
        QCOMPARE(sorted(copied), sorted(valid));
        const Run stats = cli({"stats", copy, "--format", "json"});
        QCOMPARE(stats.json().value("redeliveries").toInt(), 1);
        QCOMPARE(stats.json().value("idCollisions").toInt(), 1);
    }

    void publisherFromAnotherBindingIsRecordedCompletely()
    {
        QVERIFY2(QFile::exists("/usr/bin/python3"), "python3-zmq from packaging/debian-packages.txt is needed");
        zmq::context_t ctx;
        eventlens::EmbeddedBus bus(ctx, {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"});
        QVERIFY(bus.start());
        QTemporaryDir dir;
        const QString file = dir.filePath("python.jsonl");
        QProcess record;
        QVERIFY(startRecorder(record, bus, file, 500));

        QProcess python;
        python.start("/usr/bin/python3", {QStringLiteral(EVENTLENS_TEST_DATA "/../pyzmq_publisher.py"),
                                          QString::fromStdString(bus.publishersEndpoint()), "500"});
        QVERIFY(python.waitForFinished(30000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        QVERIFY(record.state() == QProcess::NotRunning || record.waitForFinished(10000));
        QCOMPARE(record.exitCode(), 0);

        const Run stats = cli({"stats", file, "--format", "json"});
        QCOMPARE(stats.json().value("accepted").toInt(), 500);
        QCOMPARE(stats.json().value("unique").toInt(), 500);
        QCOMPARE(stats.json().value("correlations").toInt(), 100);
        QCOMPARE(stats.json().value("unseenCauses").toInt(), 0);
        QCOMPARE(stats.json().value("sources").toObject().value("python-scanner").toInt(), 500);
    }

    void busMemoryStaysBoundedUnderAStalledSubscriberAndAGiantMessage()
    {
        // A subscriber that never reads, 192 MiB published past it, then one 128 MiB
        // message: the bus's peak memory (read from /proc) stays near its bound, and what it
        // dropped is in its output, per reason.
        QProcess bus;
        bus.start(QStringLiteral(EVENTLENS_CLI), {"bus", "--publishers", "tcp://127.0.0.1:*", "--subscribers",
                                                  "tcp://127.0.0.1:*", "--sndhwm", "200"});
        QVERIFY(bus.waitForStarted());
        QByteArray banner;
        auto endpoints = busEndpoints(bus, banner);
        QVERIFY2(endpoints.size() == 2, banner.constData());
        QVERIFY2(banner.contains("200 messages per subscriber, 1,000 per publisher, frames up to 1 MiB"),
                 banner.constData());
        const qint64 startRss = peakResidentBytes(bus.processId());
        QVERIFY(startRss > 0);

        zmq::context_t ctx;
        zmq::socket_t pub(ctx, zmq::socket_type::pub), reader(ctx, zmq::socket_type::sub),
            stalled(ctx, zmq::socket_type::sub);
        for (zmq::socket_t *s : {&pub, &reader, &stalled})
            s->set(zmq::sockopt::linger, 0);
        pub.set(zmq::sockopt::sndhwm, 0); // the test's publisher drops nothing itself
        reader.set(zmq::sockopt::rcvtimeo, 50);
        stalled.set(zmq::sockopt::rcvtimeo, 50);
        stalled.set(zmq::sockopt::rcvhwm, 1);
        stalled.set(zmq::sockopt::rcvbuf, 4096);
        for (zmq::socket_t *s : {&reader, &stalled}) {
            s->set(zmq::sockopt::subscribe, "");
            s->connect(endpoints["subscribers"]);
        }
        pub.connect(endpoints["publishers"]);
        auto received = [](zmq::socket_t &sub, std::string &topic, size_t &bodySize) {
            zmq::message_t t, b;
            if (!sub.recv(t))
                return false;
            topic = t.to_string();
            bodySize = t.more() && sub.recv(b) ? b.size() : 0;
            return true;
        };
        // Slow joiner: probes until both subscribers hear the publisher; then one stops reading.
        bool readerJoined = false, stalledJoined = false;
        std::string topic;
        size_t bodySize = 0;
        for (int i = 0; i < 400 && !(readerJoined && stalledJoined); ++i) {
            pub.send(zmq::str_buffer("probe"), zmq::send_flags::sndmore);
            pub.send(zmq::str_buffer("{}"), zmq::send_flags::none);
            while (!readerJoined && received(reader, topic, bodySize))
                readerJoined = true;
            while (!stalledJoined && received(stalled, topic, bodySize))
                stalledJoined = true;
        }
        QVERIFY(readerJoined && stalledJoined);

        const std::string body(64 * 1024, 'x');
        size_t got = 0;
        for (int round = 0; round < 30; ++round) { // 3,000 × 64 KiB, paced by the reader
            for (int i = 0; i < 100; ++i) {
                pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore);
                pub.send(zmq::buffer(body), zmq::send_flags::none);
            }
            QElapsedTimer timer;
            timer.start();
            while (got < size_t(round + 1) * 100 && timer.elapsed() < 10000)
                if (received(reader, topic, bodySize) && topic == "order.placed")
                    ++got;
        }
        QCOMPARE(got, size_t(3000));
        const qint64 afterFlood = peakResidentBytes(bus.processId());
        // The bound: 200 messages × 64 KiB for the stalled subscriber, plus what any process holds.
        QVERIFY2(
            afterFlood - startRss < 64ll << 20,
            qPrintable(QStringLiteral("the bus grew from %1 to %2 MiB").arg(startRss >> 20).arg(afterFlood >> 20)));

        // One message of 128 MiB: cut at the 1 MiB limit, never held.
        {
            const std::string giant(128u << 20, 'g');
            pub.send(zmq::str_buffer("order.giant"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(giant), zmq::send_flags::none);
        }
        bool after = false;
        QElapsedTimer timer;
        timer.start();
        while (!after && timer.elapsed() < 20000) {
            pub.send(zmq::str_buffer("order.after"), zmq::send_flags::sndmore);
            pub.send(zmq::str_buffer("{}"), zmq::send_flags::none);
            while (received(reader, topic, bodySize)) {
                QVERIFY2(topic != "order.giant", "the bus forwarded a message over its size limit");
                after = after || topic == "order.after";
            }
        }
        QVERIFY(after);
        const qint64 afterGiant = peakResidentBytes(bus.processId());
        QVERIFY2(
            afterGiant - startRss < 64ll << 20,
            qPrintable(QStringLiteral("the bus grew from %1 to %2 MiB").arg(startRss >> 20).arg(afterGiant >> 20)));

        ::kill(static_cast<pid_t>(bus.processId()), SIGINT);
        QVERIFY(bus.waitForFinished(5000));
        QCOMPARE(bus.exitCode(), 0);
        const QString out = QString::fromUtf8(banner + bus.readAllStandardOutput());
        QVERIFY2(
            out.contains(QRegularExpression(
                R"(stopped after .*; [\d,]+× a subscriber fell 200 messages behind and missed messages until it caught up)")),
            qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(R"(1 publisher disconnects \(closed, or cut for a frame over 1 MiB)")),
                 qPrintable(out));
    }

    void busRecordsEverythingPublished()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("bus.jsonl");
        QProcess bus;
        bus.start(QStringLiteral(EVENTLENS_CLI),
                  {"bus", "--publishers", "tcp://127.0.0.1:*", "--subscribers", "tcp://127.0.0.1:*", "--record", file});
        QVERIFY(bus.waitForStarted());
        QByteArray banner;
        QTRY_VERIFY_WITH_TIMEOUT((banner += bus.readAllStandardOutput()).count('\n') >= 3, 10000);
        const QRegularExpression re(R"(publishers connect to\s+(tcp://127\.0\.0\.1:\d+))");
        const auto match = re.match(QString::fromUtf8(banner));
        QVERIFY(match.hasMatch());

        // No subscriber at all: the bus records regardless. An XPUB publisher waits until
        // the bus's own subscription arrived, so none of its events can be lost.
        zmq::context_t ctx;
        zmq::socket_t pub(ctx, zmq::socket_type::xpub);
        pub.set(zmq::sockopt::linger, 1000);
        pub.connect(match.captured(1).toStdString());
        zmq::message_t subscription;
        pub.set(zmq::sockopt::rcvtimeo, 5000);
        QVERIFY(pub.recv(subscription));
        for (int i = 0; i < 20; ++i) {
            const QJsonObject json{{"eventId", QStringLiteral("b-%1").arg(i)},
                                   {"eventType", "package.scanned"},
                                   {"timestamp", "2026-03-02T10:00:00Z"},
                                   {"source", "scanner"}};
            pub.send(zmq::str_buffer("package.scanned"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString()),
                     zmq::send_flags::none);
        }
        pub.send(zmq::str_buffer("package.scanned"), zmq::send_flags::sndmore);
        pub.send(zmq::str_buffer("{not json"), zmq::send_flags::none);
        QTRY_VERIFY(QFileInfo(file + ".rejected.jsonl").exists());

        ::kill(static_cast<pid_t>(bus.processId()), SIGINT);
        QVERIFY(bus.waitForFinished(5000));
        QCOMPARE(bus.exitCode(), 0);
        QVERIFY(bus.readAllStandardOutput().contains("recorded 20 events"));
        const Run validate = cli({"validate", file, "--format", "json"});
        QCOMPARE(validate.exitCode, 0);
        QCOMPARE(validate.json().value("files").toArray().first().toObject().value("accepted").toInt(), 20);
        QFile rejects(file + ".rejected.jsonl");
        QVERIFY(rejects.open(QIODevice::ReadOnly));
        const QJsonObject reject = QJsonDocument::fromJson(rejects.readLine()).object();
        QVERIFY(reject.value("reason").toString().startsWith("not valid JSON"));
        QCOMPARE(reject.value("frames").toArray().at(1).toString(), QStringLiteral("{not json"));
    }

    void busEndpointInUseExitsTwo()
    {
        zmq::context_t ctx;
        zmq::socket_t taken(ctx, zmq::socket_type::pub);
        taken.set(zmq::sockopt::linger, 0);
        taken.bind("tcp://127.0.0.1:*");
        const std::string used = taken.get(zmq::sockopt::last_endpoint);
        const Run r = cli({"bus", "--publishers", QString::fromStdString(used), "--subscribers", "tcp://127.0.0.1:*"});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains(QByteArray::fromStdString("cannot bind publishers endpoint " + used)),
                 r.err.constData());
    }

    // --- issue 12: recording that never fails silently, files the reader accepts, a safe terminal

    void busKeepsRunningWhenItsRecordingFails()
    {
        // /dev/full: every write fails with ENOSPC, like a full disk.
        QProcess bus;
        bus.start(QStringLiteral(EVENTLENS_CLI), {"bus", "--publishers", "tcp://127.0.0.1:*", "--subscribers",
                                                  "tcp://127.0.0.1:*", "--record", "/dev/full"});
        QVERIFY(bus.waitForStarted());
        QByteArray banner;
        QTRY_VERIFY_WITH_TIMEOUT((banner += bus.readAllStandardOutput()).count('\n') >= 3, 10000);
        const QRegularExpression endpoint("(publishers|subscribers) connect to\\s+(tcp://127\\.0\\.0\\.1:\\d+)");
        std::map<QString, std::string> endpoints;
        for (auto it = endpoint.globalMatch(QString::fromUtf8(banner)); it.hasNext();) {
            const auto m = it.next();
            endpoints[m.captured(1)] = m.captured(2).toStdString();
        }
        QVERIFY2(endpoints.size() == 2, banner.constData());

        zmq::context_t ctx;
        zmq::socket_t pub(ctx, zmq::socket_type::pub), sub(ctx, zmq::socket_type::sub);
        pub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::rcvtimeo, 20);
        sub.set(zmq::sockopt::subscribe, "");
        pub.connect(endpoints["publishers"]);
        sub.connect(endpoints["subscribers"]);
        int n = 0;
        auto publishAndReceive = [&] {
            const std::string event = simpleEvent("e-" + std::to_string(n++), "t");
            pub.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(event), zmq::send_flags::none);
            zmq::message_t topic, body;
            return sub.recv(topic) && topic.more() && sub.recv(body);
        };
        QByteArray err;
        // Publish until the recording has failed (its first write out, within 200 ms)...
        for (int i = 0; i < 500 && !err.contains("No space left on device"); ++i) {
            publishAndReceive();
            bus.waitForReadyRead(1); // reads stderr too
            err += bus.readAllStandardError();
        }
        QVERIFY2(err.contains("recording stopped: cannot write '/dev/full': No space left on device"), err.constData());
        QVERIFY2(err.contains("the bus keeps running"), err.constData());
        // ...and the bus still forwards to its subscribers.
        QCOMPARE(bus.state(), QProcess::Running);
        int received = 0;
        for (int i = 0; i < 50; ++i)
            received += publishAndReceive();
        QVERIFY2(received >= 45, qPrintable(QString::number(received)));
        QCOMPARE(bus.state(), QProcess::Running);

        ::kill(static_cast<pid_t>(bus.processId()), SIGINT);
        QVERIFY(bus.waitForFinished(5000));
        QCOMPARE(bus.exitCode(), 2); // the recording is incomplete
        err += bus.readAllStandardError();
        QVERIFY2(err.contains("the recording /dev/full is incomplete: 0 events recorded, "), err.constData());
        QVERIFY2(err.contains(" messages not written"), err.constData());
        QVERIFY(bus.readAllStandardOutput().contains("messages, "));
    }

    void hugeTopicIsRecordedAsALineTheReaderAccepts()
    {
        // A topic frame longer than the reader's line limit (16 MiB): the recorded line must
        // still be one that validate and stats (the reader replay uses too) take.
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QTemporaryDir dir;
        const QString file = dir.filePath("huge-topic.jsonl");
        QProcess record;
        record.start(QStringLiteral(EVENTLENS_CLI), {"record", "--connect", endpoint, "-o", file});
        QVERIFY(record.waitForStarted());
        auto contents = [&] {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        // Slow joiner: small events until one is in, then the huge topic.
        for (int i = 0; i < 200 && contents().isEmpty(); ++i) {
            pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(simpleEvent("small", "order.placed")), zmq::send_flags::none);
            QTest::qWait(50);
        }
        QVERIFY(!contents().isEmpty());
        const std::string topic(17u << 20, 'T');
        pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
        pub.send(zmq::buffer(simpleEvent("huge", "order.placed")), zmq::send_flags::none);
        // A topic over the limit (1 KiB) makes the message a reject: kept beside the recording
        // with its reason and the topic's first bytes, in a line the reader takes.
        auto rejects = [&] {
            const QStringList names = QDir(dir.path()).entryList({QStringLiteral("*rejected*")}, QDir::Files);
            if (names.isEmpty())
                return QByteArray();
            QFile f(dir.filePath(names.first()));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        QTRY_VERIFY_WITH_TIMEOUT(rejects().contains("over the limit"), 20000);
        ::kill(static_cast<pid_t>(record.processId()), SIGINT);
        QVERIFY(record.waitForFinished(5000));
        QCOMPARE(record.exitCode(), 0);
        QVERIFY(!contents().contains("\"eventId\":\"huge\""));
        const qsizetype lines = contents().count('\n');

        const Run validate = cli({"validate", file, "--format", "json"});
        QVERIFY2(validate.exitCode == 0, validate.out.left(2000).constData());
        QCOMPARE(validate.json().value("files").toArray().first().toObject().value("accepted").toInteger(), lines);
        const Run stats = cli({"stats", file, "--format", "json"});
        QCOMPARE(stats.exitCode, 0);
        QVERIFY2(!stats.out.contains("over the limit"), stats.out.left(2000).constData());
        // The reject keeps its frames (within the rejects file's own bounds, see tst_jsonlwriter).
        const QByteArray reject = rejects().trimmed().split('\n').last();
        QVERIFY2(reject.contains(QByteArray::number(qint64(topic.size())) + " bytes is over the limit"),
                 reject.left(300).constData());
    }

    void rejectedBinaryFramesAreKeptExactly()
    {
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QTemporaryDir dir;
        const QString file = dir.filePath("binary.jsonl");
        QProcess record;
        record.start(QStringLiteral(EVENTLENS_CLI), {"record", "--connect", endpoint, "-o", file, "--count", "1"});
        QVERIFY(record.waitForStarted());
        QByteArray binary;
        for (int i = 0; i < 256; ++i)
            binary.append(char(255 - i)); // every byte value, invalid UTF-8 at once
        const std::string event = "{\"eventId\":\"e-1\",\"eventType\":\"order.placed\",\"timestamp\":\"2026-03-02T10:"
                                  "00:00Z\",\"source\":\"s\"}";
        for (int i = 0; i < 200 && record.state() == QProcess::Running; ++i) {
            pub.send(zmq::str_buffer("bin\xff"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(binary.constData(), size_t(binary.size())), zmq::send_flags::none);
            pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(event), zmq::send_flags::none);
            record.waitForFinished(20);
        }
        QVERIFY(record.state() == QProcess::NotRunning || record.waitForFinished(5000));
        QCOMPARE(record.exitCode(), 0);
        QFile rejects(file + ".rejected.jsonl");
        QVERIFY(rejects.open(QIODevice::ReadOnly));
        const QJsonDocument doc = QJsonDocument::fromJson(rejects.readLine());
        QVERIFY(doc.isObject());
        const QJsonArray frames = doc.object().value("frames").toArray();
        QCOMPARE(frames.size(), 2);
        QCOMPARE(QByteArray::fromBase64(frames[0].toObject().value("base64").toString().toLatin1()),
                 QByteArray("bin\xff"));
        QCOMPARE(QByteArray::fromBase64(frames[1].toObject().value("base64").toString().toLatin1()), binary);
    }

    void terminalOutputEscapesControlCharacters()
    {
        // An OSC title change, a screen clear and a bell in JSON-escaped eventType/source,
        // and C1 CSI (U+009B) raw: none may reach the terminal as they are.
        QTemporaryDir dir;
        const QString path = dir.filePath("hostile.jsonl");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            "{\"eventId\":\"e-1\",\"eventType\":\"x\\u001b]0;pwned\\u0007\",\"timestamp\":\"2026-03-02T10:00:00Z\""
            ",\"source\":\"s\\u001b[2J\\u007f\\u009b31m\",\"correlationId\":\"c-1\"}"
            "\n");
        file.close();
        auto hasControl = [](const QByteArray &text) {
            for (int i = 0; i < text.size(); ++i) {
                const auto c = static_cast<unsigned char>(text[i]);
                if ((c < 0x20 && c != '\n') || c == 0x7f
                    || (c == 0xc2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xe0) == 0x80))
                    return true;
            }
            return false;
        };
        const Run stats = cli({"stats", path});
        QCOMPARE(stats.exitCode, 0);
        QVERIFY2(!hasControl(stats.out) && !hasControl(stats.err), stats.out.constData());
        QVERIFY2(stats.out.contains("x\\x1b]0;pwned\\x07"), stats.out.constData());
        QVERIFY2(stats.out.contains("s\\x1b[2J\\x7f\\u009b31m"), stats.out.constData());
        // JSON stays valid JSON, and says the same.
        const Run json = cli({"stats", path, "--format", "json"});
        QVERIFY(!hasControl(json.out));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, json.out.constData());
        QVERIFY(json.out.contains("\\u001b]0;pwned\\u0007"));
        QVERIFY2(json.out.contains("\\u007f\\u009b31m"), json.out.constData());
        // A newline in a name stays inside its table cell.
        QFile forged(path);
        QVERIFY(forged.open(QIODevice::WriteOnly));
        forged.write("{\"eventId\":\"e-1\",\"eventType\":\"a\\nb\",\"timestamp\":\"2026-03-02T10:00:00Z\","
                     "\"source\":\"s\"}\n");
        forged.close();
        const Run lines = cli({"stats", path});
        QVERIFY2(lines.out.contains("a\\x0ab"), lines.out.constData());
        QVERIFY(!lines.out.contains("\nb"));

        // tail: a topic frame with ESC and bytes that are not UTF-8.
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QProcess tail;
        tail.start(QStringLiteral(EVENTLENS_CLI), {"tail", "--connect", endpoint});
        QVERIFY(tail.waitForStarted());
        const std::string event =
            "{\"eventId\":\"e-1\",\"eventType\":\"t\\u001b[2J\",\"timestamp\":\"2026-03-02T10:00:00Z\""
            ",\"source\":\"s\",\"correlationId\":\"c-1\"}";
        QByteArray out;
        for (int i = 0; i < 300 && !out.contains("[topic"); ++i) { // slow joiner
            pub.send(zmq::str_buffer("topic\x1b]2;owned\x07\xff"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(event), zmq::send_flags::none);
            tail.waitForReadyRead(20);
            out += tail.readAllStandardOutput();
        }
        ::kill(static_cast<pid_t>(tail.processId()), SIGINT);
        QVERIFY(tail.waitForFinished(5000));
        out += tail.readAllStandardOutput();
        QVERIFY2(out.contains("[topic\\x1b]2;owned\\x07\\xff]"), out.constData());
        QVERIFY(out.contains("t\\x1b[2J"));
        QVERIFY2(!hasControl(out), out.constData());
        QVERIFY(!out.contains('\xff'));
    }

    void compressedRecordingSaysSoInOneLine_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QString>("hint");
        QTest::newRow("gzip") << "gzip"
                              << ".gz"
                              << "looks gzip-compressed: decompress it first (gunzip -k ";
        QTest::newRow("zstd") << "zstd"
                              << ".zst"
                              << "looks zstd-compressed: decompress it first (unzstd ";
    }
    void compressedRecordingSaysSoInOneLine()
    {
        QFETCH(QString, tool);
        QFETCH(QString, suffix);
        QFETCH(QString, hint);
        if (QStandardPaths::findExecutable(tool).isEmpty())
            QSKIP(qPrintable(tool + " is not installed"));
        QTemporaryDir dir;
        const QString plain = dir.filePath("saga.jsonl");
        QVERIFY(QFile::copy(data("saga.jsonl"), plain));
        QCOMPARE(QProcess::execute(tool, {"-q", "-k", plain}), 0);
        const QString compressed = plain + suffix;
        for (const char *command : {"validate", "stats"}) {
            const Run r = cli({command, compressed});
            QCOMPARE(r.exitCode, 2);
            QCOMPARE(r.err.count('\n'), 1);
            QVERIFY2(r.err.contains((hint + compressed + ")").toUtf8()), r.err.constData());
            QVERIFY(!r.out.contains("NUL byte") && !r.out.contains("invalid UTF-8"));
        }
    }

    void killedRecorderLosesAtMostTheFlushInterval()
    {
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QTemporaryDir dir;
        const QString file = dir.filePath("killed.jsonl");
        QProcess record;
        record.start(QStringLiteral(EVENTLENS_CLI), {"record", "--connect", endpoint, "-o", file});
        QVERIFY(record.waitForStarted());
        auto contents = [&] {
            QFile f(file);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        auto send = [&](const std::string &id) {
            const std::string event = simpleEvent(id, "t");
            pub.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(event), zmq::send_flags::none);
        };
        // Slow joiner: probes until the first is on disk (those sent before the subscription
        // arrived are lost to ZeroMQ, not to the recorder, so they are not counted).
        for (int i = 0; i < 200 && contents().isEmpty(); ++i) {
            send("probe-" + std::to_string(i));
            QTest::qWait(50);
        }
        QVERIFY(!contents().isEmpty());
        // A steady stream for a second; then 300 ms of silence (more than the 200 ms flush
        // interval)...
        int sent = 0;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 1000) {
            for (int k = 0; k < 20; ++k)
                send("k-" + std::to_string(sent++));
            QTest::qWait(5);
        }
        QTest::qWait(300);
        // ...then kill -9: nothing received more than 200 ms ago may be lost.
        ::kill(static_cast<pid_t>(record.processId()), SIGKILL);
        QVERIFY(record.waitForFinished(5000));
        const QByteArray recorded = contents();
        QVERIFY(recorded.endsWith('\n'));
        QCOMPARE(recorded.count("\"eventId\":\"k-"), qsizetype(sent));
    }

    void flowSummaryCountsWhatTheTreeShows()
    {
        // x (flow c-2) was caused by b of flow c-1: the tree of c-2 shows b, x and y.
        QTemporaryDir dir;
        const QString path = dir.filePath("cross.jsonl");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"eventId\":\"b\",\"eventType\":\"t.b\",\"timestamp\":\"2026-03-02T10:00:00.010Z\",\"source\":"
                   "\"s2\",\"correlationId\":\"c-1\"}\n"
                   "{\"eventId\":\"x\",\"eventType\":\"t.x\",\"timestamp\":\"2026-03-02T10:00:00.020Z\",\"source\":"
                   "\"s3\",\"correlationId\":\"c-2\",\"causationId\":\"b\"}\n"
                   "");
        file.close();
        const Run r = cli({"flow", path, "-c", "c-2"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("  2 events from 2 services (1 of them from another flow), 10 ms"), r.out.constData());
        QVERIFY(r.out.contains("t.b"));
        QVERIFY(r.out.contains("└─ t.x"));
    }

    void tailPrintsWholeCorrelationIds()
    {
        zmq::context_t ctx;
        QString endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        QProcess tail;
        tail.start(QStringLiteral(EVENTLENS_CLI), {"tail", "--connect", endpoint});
        QVERIFY(tail.waitForStarted());
        auto event = [](const char *corr, const char *cause) {
            return simpleEvent("e", "t",
                               std::string(",\"correlationId\":\"") + corr + "\",\"causationId\":\"" + cause + "\"");
        };
        QByteArray out;
        for (int i = 0; i < 300 && !out.contains("order-2026-0001"); ++i) { // slow joiner
            pub.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
            pub.send(zmq::buffer(event("order-2026-0001", "command-2026-0001")), zmq::send_flags::none);
            tail.waitForReadyRead(20);
            out += tail.readAllStandardOutput();
        }
        pub.send(zmq::str_buffer("t"), zmq::send_flags::sndmore);
        pub.send(zmq::buffer(event("order-2026-0002", "command-2026-0002")), zmq::send_flags::none);
        QTRY_VERIFY((out += tail.readAllStandardOutput()).contains("order-2026-0002"));
        ::kill(static_cast<pid_t>(tail.processId()), SIGINT);
        QVERIFY(tail.waitForFinished(5000));
        QVERIFY2(out.contains("corr order-2026-0001  cause command-2026-0001"), out.constData());
        QVERIFY(out.contains("corr order-2026-0002  cause command-2026-0002"));
    }

    void helpOnEveryCommand_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("top") << QStringList{"--help"};
        QTest::newRow("validate") << QStringList{"validate", "--help"};
        QTest::newRow("stats") << QStringList{"stats", "--help"};
        QTest::newRow("flow") << QStringList{"flow", "--help"};
        QTest::newRow("lag") << QStringList{"lag", "--help"};
        QTest::newRow("topology") << QStringList{"topology", "--help"};
        QTest::newRow("throughput") << QStringList{"throughput", "--help"};
        QTest::newRow("bus") << QStringList{"bus", "--help"};
        QTest::newRow("tail") << QStringList{"tail", "--help"};
        QTest::newRow("record") << QStringList{"record", "--help"};
        QTest::newRow("replay") << QStringList{"replay", "--help"};
        QTest::newRow("keygen") << QStringList{"keygen", "--help"};
    }
    void helpOnEveryCommand()
    {
        QFETCH(QStringList, args);
        const Run r = cli(args);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Usage:"));
        QVERIFY(r.out.contains("--format") || args.size() == 1 || args.first() == "bus" || args.first() == "tail"
                || args.first() == "record" || args.first() == "replay" || args.first() == "keygen");
    }

    // --- authentication beyond loopback (issue 12, defect 12) ----------------------------

    void keygenWritesKeyFilesWithAPrivateSecret()
    {
        QTemporaryDir dir;
        const QString base = dir.filePath("alice");
        const Run r = cli({"keygen", "--out", base});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile pub(base + ".key"), sec(base + ".key_secret");
        QVERIFY(pub.open(QIODevice::ReadOnly) && sec.open(QIODevice::ReadOnly));
        const QByteArray pubText = pub.readAll(), secText = sec.readAll();
        QVERIFY2(pubText.contains("public-key = \"") && !pubText.contains("secret-key"), pubText.constData());
        QVERIFY2(secText.contains("public-key = \"") && secText.contains("secret-key = \""), secText.constData());
        struct stat st = {};
        QCOMPARE(::stat(qPrintable(base + ".key_secret"), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QVERIFY(r.out.contains("alice.key_secret"));

        const Run again = cli({"keygen", "--out", base});
        QCOMPARE(again.exitCode, 2);
        QVERIFY2(again.err.contains("exists"), again.err.constData());
        QFile secAfter(base + ".key_secret");
        QVERIFY(secAfter.open(QIODevice::ReadOnly));
        QCOMPARE(secAfter.readAll(), secText); // never overwritten

        const Run printed = cli({"keygen"});
        QCOMPARE(printed.exitCode, 0);
        QVERIFY(printed.out.contains("public-key = \"") && printed.out.contains("secret-key = \""));
    }

    void busRefusesToBindBeyondLoopbackWithoutKeys()
    {
        // tcp://lo:* names the loopback interface: EventLens treats it as reaching other machines.
        const Run r = cli({"bus", "--publishers", "tcp://lo:*", "--subscribers", "tcp://127.0.0.1:*"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("refusing to bind the bus's publishers endpoint tcp://lo:*")
                     && r.err.contains("eventlens-cli keygen") && r.err.contains("--insecure"),
                 r.err.constData());
        QVERIFY(!r.out.contains("running"));
    }

    void busInsecureListsEveryBindAllAlong()
    {
        QProcess bus;
        bus.start(QStringLiteral(EVENTLENS_CLI),
                  {"bus", "--publishers", "tcp://lo:*", "--subscribers", "tcp://lo:*", "--insecure"});
        QVERIFY(bus.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += bus.readAllStandardOutput()).contains("INSECURE"), 10000);
        ::kill(static_cast<pid_t>(bus.processId()), SIGINT);
        QVERIFY(bus.waitForFinished(5000));
        const QByteArray err = bus.readAllStandardError();
        QCOMPARE(err.count("warning: INSECURE"), 2); // both endpoints, each named
        QVERIFY2(err.contains("publishers endpoint tcp://lo:*") && err.contains("subscribers endpoint tcp://lo:*"),
                 err.constData());
    }

    void busWithCurveLetsInOnlyAllowListedClients()
    {
        QTemporaryDir dir;
        for (const char *name : {"bus", "client", "stranger"})
            QCOMPARE(cli({"keygen", "--out", dir.filePath(name)}).exitCode, 0);
        QProcess bus;
        bus.start(QStringLiteral(EVENTLENS_CLI),
                  {"bus", "--publishers", "tcp://127.0.0.1:*", "--subscribers", "tcp://127.0.0.1:*", "--curve-key",
                   dir.filePath("bus.key_secret"), "--allow", dir.filePath("client.key")});
        QVERIFY(bus.waitForStarted());
        QByteArray banner;
        QTRY_VERIFY_WITH_TIMEOUT((banner += bus.readAllStandardOutput()).contains("CURVE"), 10000);
        const QRegularExpression endpoint(R"((publishers|subscribers) connect to\s+(tcp://127\.0\.0\.1:\d+))");
        std::map<QString, QString> endpoints;
        for (auto it = endpoint.globalMatch(QString::fromUtf8(banner)); it.hasNext();) {
            const auto m = it.next();
            endpoints[m.captured(1)] = m.captured(2);
        }
        QVERIFY2(endpoints.size() == 2, banner.constData());

        // The allowed client's tail receives what the allowed client publishes.
        QProcess tail;
        tail.start(QStringLiteral(EVENTLENS_CLI),
                   {"tail", "--connect", endpoints["subscribers"], "--server-key", dir.filePath("bus.key"), "--key",
                    dir.filePath("client.key_secret")});
        QVERIFY(tail.waitForStarted());
        eventlens::CurveKeyPair client, server;
        std::string error;
        QVERIFY(eventlens::readCurveKey(dir.filePath("client.key_secret").toStdString(), client, error));
        QVERIFY(eventlens::readCurveKey(dir.filePath("bus.key").toStdString(), server, error));
        zmq::context_t ctx;
        auto publisher = [&](const eventlens::CurveKeyPair *own) {
            zmq::socket_t pub(ctx, zmq::socket_type::pub);
            pub.set(zmq::sockopt::linger, 0);
            if (own) {
                pub.set(zmq::sockopt::curve_serverkey, server.publicKey);
                pub.set(zmq::sockopt::curve_publickey, own->publicKey);
                pub.set(zmq::sockopt::curve_secretkey, own->secretKey);
            }
            pub.connect(endpoints["publishers"].toStdString());
            return pub;
        };
        // Each publisher sends its own event type, so what got through tells who sent it.
        auto publishUntil = [&](zmq::socket_t &pub, const std::function<bool()> &done, const std::string &type) {
            const std::string event = "{\"eventId\":\"e1\",\"eventType\":\"" + type
                                      + "\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"source\":\"shop\"}";
            for (int i = 0; i < 500; ++i) {
                pub.send(zmq::buffer(type), zmq::send_flags::sndmore);
                pub.send(zmq::buffer(event), zmq::send_flags::none);
                if (done())
                    return true;
                QTest::qWait(20);
            }
            return false;
        };
        QByteArray tailOut, busErr;
        {
            zmq::socket_t pub = publisher(&client);
            QVERIFY(publishUntil(
                pub, [&] { return (tailOut += tail.readAllStandardOutput()).contains("order.placed"); },
                "order.placed"));
        }
        // A publisher without CURVE, and one with a key nobody allowed: refused, each told on stderr.
        {
            zmq::socket_t plain = publisher(nullptr);
            QVERIFY2(
                publishUntil(
                    plain, [&] { return (busErr += bus.readAllStandardError()).contains("no CURVE"); }, "plain.sent"),
                busErr.constData());
        }
        eventlens::CurveKeyPair stranger;
        QVERIFY(eventlens::readCurveKey(dir.filePath("stranger.key_secret").toStdString(), stranger, error));
        {
            zmq::socket_t pub = publisher(&stranger);
            QVERIFY(publishUntil(
                pub, [&] { return (busErr += bus.readAllStandardError()).contains("not on the allow-list"); },
                "stranger.sent"));
        }
        QVERIFY2(busErr.contains("refused a client at tcp://127.0.0.1:* from 127.0.0.1: client key "
                                 + QByteArray::fromStdString(stranger.publicKey.substr(0, 8))),
                 busErr.constData());
        QTest::qWait(200);
        tailOut += tail.readAllStandardOutput();
        QVERIFY2(!tailOut.contains("plain.sent") && !tailOut.contains("stranger.sent"), tailOut.constData());

        ::kill(static_cast<pid_t>(tail.processId()), SIGINT);
        QVERIFY(tail.waitForFinished(5000));
        ::kill(static_cast<pid_t>(bus.processId()), SIGINT);
        QVERIFY(bus.waitForFinished(5000));
        const QByteArray summary = bus.readAllStandardOutput();
        const auto refused = QRegularExpression(R"(clients let in, (\d+) refused)").match(QString::fromUtf8(summary));
        QVERIFY2(refused.hasMatch() && refused.captured(1).toInt() >= 2, summary.constData()); // clients retry
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
