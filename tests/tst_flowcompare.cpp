// Comparing two flows by shape (compareFlows, listDifferences, matchingFlow) and
// `eventlens-cli compare`. tests/data/compare-a.jsonl and compare-b.jsonl are two runs of an
// order saga with different ids: the succeeded flows (ord-1, run2-ord-1) have the same shape
// and lags within a few ms; in the failed ones (ord-2, run2-ord-2) B retries the payment twice,
// fails after 900 ms instead of 40 ms and no longer releases the stock. Every expectation
// below was worked out by hand from those lines (or from the lines written in the test).
#include "core/eventstore.h"
#include "core/flowcompare.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace eventlens;

namespace {

using Match = FlowComparison::Match;
using Verdict = FlowComparison::Verdict;
constexpr int64_t kMs = 1'000'000;

QString dataPath(const char *name)
{
    return QStringLiteral(EVENTLENS_TEST_DATA "/") + QLatin1String(name);
}

std::unique_ptr<EventStore> open(const char *name)
{
    auto store = std::make_unique<EventStore>();
    RecordingReport report;
    std::string error;
    if (!JsonlReader().load(dataPath(name).toStdString(), *store, report, error))
        qFatal("cannot open %s: %s", name, error.c_str());
    return store;
}

/// A line: id, time (ms after 10:00:00 UTC), correlation, cause, type, source.
QString ev(const char *id, int ms, const char *corr, const char *cause, const char *type, const char *source = "svc")
{
    QString s = QStringLiteral("{\"eventId\":\"%1\",\"eventType\":\"%2\",\"timestamp\":\"2026-11-26T10:00:%3.%4Z\","
                               "\"source\":\"%5\",\"correlationId\":\"%6\"")
                    .arg(QLatin1String(id), QLatin1String(type))
                    .arg(ms / 1000, 2, 10, QLatin1Char('0'))
                    .arg(ms % 1000, 3, 10, QLatin1Char('0'))
                    .arg(QLatin1String(source), QLatin1String(corr));
    if (*cause)
        s += QStringLiteral(",\"causationId\":\"%1\"").arg(QLatin1String(cause));
    return s + QLatin1Char('}');
}

std::unique_ptr<EventStore> storeOf(const QStringList &lines)
{
    auto store = std::make_unique<EventStore>();
    std::string error;
    if (!appendOneByOne(lines, *store, nullptr, error))
        qFatal("bad test line: %s", error.c_str());
    return store;
}

QStringList texts(const FlowComparison &c)
{
    QStringList out;
    for (const FlowDifference &d : listDifferences(c))
        out << QString::fromStdString(d.text);
    return out;
}

size_t node(const FlowGraph &g, const char *eventId)
{
    const auto n = g.nodeOf(eventId);
    if (!n)
        qFatal("no node %s", eventId);
    return *n;
}

/// The edge into `effectId`.
size_t edgeInto(const FlowGraph &g, const char *effectId)
{
    const size_t n = node(g, effectId);
    size_t e = 0;
    while (e < g.edges.size() && g.edges[e].effect != n)
        ++e;
    if (e == g.edges.size())
        qFatal("no edge into %s", effectId);
    return e;
}

const FlowComparison::EdgeDiff &link(const FlowComparison &c, const char *cause, const char *effect)
{
    const auto it = std::find_if(c.edges.begin(), c.edges.end(), [&](const FlowComparison::EdgeDiff &e) {
        return e.causeType == cause && e.effectType == effect;
    });
    if (it == c.edges.end())
        qFatal("no link %s -> %s", cause, effect);
    return *it;
}

const FlowComparison::TypeDiff &type(const FlowComparison &c, const char *name)
{
    const auto it =
        std::find_if(c.types.begin(), c.types.end(), [&](const FlowComparison::TypeDiff &t) { return t.type == name; });
    if (it == c.types.end())
        qFatal("no type %s", name);
    return *it;
}

} // namespace

class TstFlowCompare : public QObject {
    Q_OBJECT

private slots:
    void sameShapeIsSame();
    void failedPaymentDiffers();
    void comparedTheOtherWay();
    void twoFlowsOfOneRecording();
    void countsMatchInTimeOrder();
    void rewiredLinkIsListed();
    void lagsAreMedians();
    void edgesBySource();
    void verdicts_data();
    void verdicts();
    void matchingFlowPicksTheMostAlike();
    void cliCompare();
};

void TstFlowCompare::sameShapeIsSame()
{
    const auto left = open("compare-a.jsonl"), right = open("compare-b.jsonl");
    const FlowGraph a = buildFlowGraph(*left, "ord-1"), b = buildFlowGraph(*right, "run2-ord-1");
    const FlowComparison c = compareFlows(*left, a, *right, b);

    QVERIFY(c.same());
    QVERIFY(listDifferences(c).empty());
    QCOMPARE(c.types.size(), size_t(6));
    QCOMPARE(c.edges.size(), size_t(5));
    QCOMPARE(c.left.durationNs, 330 * kMs);
    QCOMPARE(c.right.durationNs, 345 * kMs);
    QCOMPARE(link(c, "payment.authorized", "shipment.scheduled").leftLagNs, 200 * kMs);
    QCOMPARE(link(c, "payment.authorized", "shipment.scheduled").rightLagNs, 202 * kMs);
    // Ids differ, types match: a-14 is b-14's counterpart. The unseen commands are not compared.
    QCOMPARE(c.left.nodes[node(a, "a-14")], Match::Matched);
    QCOMPARE(c.left.partner[node(a, "a-14")], node(b, "b-14"));
    QCOMPARE(c.right.partner[node(b, "b-16")], node(a, "a-16"));
    QCOMPARE(c.left.nodes[node(a, "cmd-checkout-1")], Match::NotCompared);
    QCOMPARE(c.right.nodes[node(b, "cmd-checkout-9")], Match::NotCompared);
    QCOMPARE(c.left.edgeMatch[edgeInto(a, "a-11")], Match::NotCompared);
    QCOMPARE(c.left.edgeMatch[edgeInto(a, "a-15")], Match::Matched);
}

void TstFlowCompare::failedPaymentDiffers()
{
    const auto left = open("compare-a.jsonl"), right = open("compare-b.jsonl");
    const FlowGraph a = buildFlowGraph(*left, "ord-2"), b = buildFlowGraph(*right, "run2-ord-2");
    const FlowComparison c = compareFlows(*left, a, *right, b);

    QVERIFY(!c.same());
    QCOMPARE(texts(c),
             QStringList({QStringLiteral("missing: stock.released"), QStringLiteral("extra: payment.retried ×2"),
                          QStringLiteral("slower: payment.requested → payment.failed 40 ms → 900 ms (×22.5)"),
                          QStringLiteral("duration: 130 ms → 990 ms (×7.62)")}));
    QVERIFY(type(c, "stock.released").missing());
    QVERIFY(type(c, "payment.retried").extra());
    QCOMPARE(type(c, "payment.retried").right, 2u);
    QVERIFY(!type(c, "payment.failed").differs());
    QCOMPARE(link(c, "payment.requested", "payment.failed").verdict, Verdict::Slower);
    QCOMPARE(*link(c, "payment.requested", "payment.failed").ratio(), 22.5);
    QCOMPARE(link(c, "payment.failed", "order.cancelled").verdict, Verdict::Similar);
    QCOMPARE(link(c, "payment.failed", "stock.released").verdict, Verdict::Missing);
    QCOMPARE(link(c, "payment.retried", "payment.retried").verdict, Verdict::Extra);
    QCOMPARE(c.duration, Verdict::Slower);

    // Per node and edge, for the views: what only one side has, and the slower link on both.
    QCOMPARE(c.left.nodes[node(a, "a-25")], Match::Missing);
    QCOMPARE(c.right.nodes[node(b, "b-24")], Match::Extra);
    QCOMPARE(c.right.nodes[node(b, "b-25")], Match::Extra);
    QCOMPARE(c.right.nodes[node(b, "b-26")], Match::Matched);
    QCOMPARE(c.left.edgeMatch[edgeInto(a, "a-25")], Match::Missing);
    QCOMPARE(c.right.edgeMatch[edgeInto(b, "b-24")], Match::Extra);
    QCOMPARE(c.right.edgeMatch[edgeInto(b, "b-26")], Match::Matched);
    QCOMPARE(c.edges[c.left.edges[edgeInto(a, "a-24")]].verdict, Verdict::Slower);
    QCOMPARE(c.right.edges[edgeInto(b, "b-26")], c.left.edges[edgeInto(a, "a-24")]);
}

void TstFlowCompare::comparedTheOtherWay()
{
    const auto left = open("compare-b.jsonl"), right = open("compare-a.jsonl");
    const FlowGraph a = buildFlowGraph(*left, "run2-ord-2"), b = buildFlowGraph(*right, "ord-2");
    const FlowComparison c = compareFlows(*left, a, *right, b);
    QCOMPARE(texts(c),
             QStringList({QStringLiteral("missing: payment.retried ×2"), QStringLiteral("extra: stock.released"),
                          QStringLiteral("faster: payment.requested → payment.failed 900 ms → 40 ms (÷22.5)"),
                          QStringLiteral("duration: 990 ms → 130 ms (÷7.62)")}));
    QCOMPARE(c.duration, Verdict::Faster);
}

void TstFlowCompare::twoFlowsOfOneRecording()
{
    // saga.jsonl: c-1001 succeeded (after an unseen command), c-1002 failed payment and
    // compensated; both notify, c-1002's notification stamped 30 ms before its cause.
    const auto saga = open("saga.jsonl");
    const FlowGraph a = buildFlowGraph(*saga, "c-1001"), b = buildFlowGraph(*saga, "c-1002");
    const FlowComparison c = compareFlows(*saga, a, *saga, b);
    QCOMPARE(texts(c),
             QStringList({QStringLiteral("missing: payment.authorized"), QStringLiteral("missing: shipment.scheduled"),
                          QStringLiteral("extra: payment.failed"), QStringLiteral("extra: stock.released"),
                          QStringLiteral("extra: order.cancelled"),
                          QStringLiteral("faster: order.placed → inventory.reserved 45 ms → 30 ms (÷1.5)"),
                          QStringLiteral("duration: 500 ms → 320 ms (÷1.56)")}));
    // Both notify, so the notifications match, but each flow reaches it by a link the other lacks.
    QCOMPARE(c.left.nodes[node(a, "e-5")], Match::Matched);
    QCOMPARE(c.right.nodes[node(b, "e-11")], Match::Matched);
    QCOMPARE(c.left.edgeMatch[edgeInto(a, "e-5")], Match::Missing);
    QCOMPARE(c.right.edgeMatch[edgeInto(b, "e-11")], Match::Extra);
    QCOMPARE(c.left.nodes[node(a, "e-3")], Match::Missing);
    QCOMPARE(c.right.nodes[node(b, "e-8")], Match::Extra);
    // e-2 came twice (an id collision): one inventory.reserved on each side all the same.
    QCOMPARE(type(c, "inventory.reserved").left, 1u);
}

void TstFlowCompare::countsMatchInTimeOrder()
{
    const auto left = storeOf({ev("p", 0, "x", "", "payment.requested"), ev("r1", 100, "x", "p", "payment.retried"),
                               ev("r2", 200, "x", "r1", "payment.retried"), ev("ok", 300, "x", "r2", "payment.ok")});
    const auto right = storeOf({ev("P", 0, "y", "", "payment.requested"), ev("R1", 100, "y", "P", "payment.retried"),
                                ev("OK", 200, "y", "R1", "payment.ok")});
    const FlowGraph a = buildFlowGraph(*left, "x"), b = buildFlowGraph(*right, "y");
    const FlowComparison c = compareFlows(*left, a, *right, b);
    QCOMPARE(texts(c), QStringList({QStringLiteral("fewer: payment.retried 2 → 1"),
                                    QStringLiteral("duration: 300 ms → 200 ms (÷1.5)")}));
    // The first retry on each side match; the second of A's has no counterpart.
    QCOMPARE(c.left.partner[node(a, "r1")], node(b, "R1"));
    QCOMPARE(c.left.nodes[node(a, "r2")], Match::Missing);
    QCOMPARE(c.left.edgeMatch[edgeInto(a, "r2")], Match::Missing);
    QCOMPARE(c.left.edgeMatch[edgeInto(a, "ok")], Match::Matched); // retried → ok: both have it
    QVERIFY(std::count(c.right.nodes.begin(), c.right.nodes.end(), Match::Matched) == 3);

    // And the other way: "more".
    const FlowComparison back = compareFlows(*right, b, *left, a);
    QCOMPARE(texts(back).first(), QStringLiteral("more: payment.retried 1 → 2"));
    QCOMPARE(back.right.nodes[node(a, "r2")], Match::Extra);
}

void TstFlowCompare::rewiredLinkIsListed()
{
    // Same types, but in B the audit reacts to the check, not to the order.
    const auto left = storeOf({ev("o", 0, "x", "", "order.placed"), ev("c", 10, "x", "o", "order.checked"),
                               ev("a", 20, "x", "o", "audit.logged")});
    const auto right = storeOf({ev("O", 0, "y", "", "order.placed"), ev("C", 10, "y", "O", "order.checked"),
                                ev("A", 20, "y", "C", "audit.logged")});
    const FlowGraph a = buildFlowGraph(*left, "x"), b = buildFlowGraph(*right, "y");
    const FlowComparison c = compareFlows(*left, a, *right, b);
    QCOMPARE(texts(c), QStringList({QStringLiteral("missing link: order.placed → audit.logged"),
                                    QStringLiteral("extra link: order.checked → audit.logged")}));
    QCOMPARE(c.left.nodes[node(a, "a")], Match::Matched);
    QCOMPARE(c.left.edgeMatch[edgeInto(a, "a")], Match::Missing);
    QCOMPARE(c.right.edgeMatch[edgeInto(b, "A")], Match::Extra);
    QCOMPARE(c.right.edgeMatch[edgeInto(b, "C")], Match::Matched);
}

void TstFlowCompare::lagsAreMedians()
{
    // Three items reserved in A (10, 20, 300 ms: median 20), two in B (30 and 50: 40).
    const auto left = storeOf({ev("o", 0, "x", "", "order.placed"), ev("i1", 10, "x", "o", "item.reserved"),
                               ev("i2", 20, "x", "o", "item.reserved"), ev("i3", 300, "x", "o", "item.reserved")});
    const auto right = storeOf({ev("O", 0, "y", "", "order.placed"), ev("I1", 30, "y", "O", "item.reserved"),
                                ev("I2", 50, "y", "O", "item.reserved")});
    const FlowGraph a = buildFlowGraph(*left, "x"), b = buildFlowGraph(*right, "y");
    const FlowComparison c = compareFlows(*left, a, *right, b);
    const FlowComparison::EdgeDiff &d = link(c, "order.placed", "item.reserved");
    QCOMPARE(d.left, 3u);
    QCOMPARE(d.right, 2u);
    QCOMPARE(d.leftLagNs, 20 * kMs);
    QCOMPARE(d.rightLagNs, 40 * kMs);
    QCOMPARE(d.verdict, Verdict::Slower); // ×2 and 20 ms more
    QVERIFY(texts(c).contains(QStringLiteral("slower: order.placed → item.reserved 20 ms → 40 ms (×2)")));
}

void TstFlowCompare::edgesBySource()
{
    // Two services answer the same event with the same type; B's fraud check got slow.
    const auto left =
        storeOf({ev("o", 0, "x", "", "order.placed", "shop"), ev("k1", 20, "x", "o", "check.done", "stock"),
                 ev("k2", 30, "x", "o", "check.done", "fraud")});
    const auto right =
        storeOf({ev("O", 0, "y", "", "order.placed", "shop"), ev("K1", 20, "y", "O", "check.done", "stock"),
                 ev("K2", 500, "y", "O", "check.done", "fraud")});
    const FlowGraph a = buildFlowGraph(*left, "x"), b = buildFlowGraph(*right, "y");
    // By type only the medians (25 ms, 260 ms) hide which consumer it was.
    QCOMPARE(compareFlows(*left, a, *right, b).edges.size(), size_t(1));
    FlowCompareOptions bySource;
    bySource.edgesBySource = true;
    const FlowComparison c = compareFlows(*left, a, *right, b, bySource);
    QCOMPARE(c.edges.size(), size_t(2));
    QVERIFY(texts(c).contains(QStringLiteral("slower: order.placed → check.done (fraud) 30 ms → 500 ms (×16.7)")));
    QCOMPARE(c.edges[0].consumer, std::string("stock"));
    QCOMPARE(c.edges[0].verdict, Verdict::Similar);
}

void TstFlowCompare::verdicts_data()
{
    QTest::addColumn<int>("leftMs");
    QTest::addColumn<int>("rightMs");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<int>("minMs");
    QTest::addColumn<int>("verdict");
    const int similar = int(Verdict::Similar), slower = int(Verdict::Slower), faster = int(Verdict::Faster);
    QTest::newRow("40 → 900") << 40 << 900 << 1.5 << 10 << slower;
    QTest::newRow("900 → 40") << 900 << 40 << 1.5 << 10 << faster;
    QTest::newRow("1 → 3: ×3 but only 2 ms") << 1 << 3 << 1.5 << 10 << similar;
    QTest::newRow("10 s → 10.5 s: 500 ms but ×1.05") << 10000 << 10500 << 1.5 << 10 << similar;
    QTest::newRow("20 → 30: exactly ×1.5 and 10 ms") << 20 << 30 << 1.5 << 10 << slower;
    QTest::newRow("20 → 29") << 20 << 29 << 1.5 << 10 << similar;
    QTest::newRow("0 → 20") << 0 << 20 << 1.5 << 10 << slower;
    QTest::newRow("40 → 900 under ×30") << 40 << 900 << 30.0 << 10 << similar;
    QTest::newRow("40 → 900 under 1 s") << 40 << 900 << 1.5 << 1000 << similar;
}

void TstFlowCompare::verdicts()
{
    QFETCH(int, leftMs);
    QFETCH(int, rightMs);
    QFETCH(double, ratio);
    QFETCH(int, minMs);
    QFETCH(int, verdict);
    const auto left = storeOf({ev("o", 0, "x", "", "order.placed"), ev("i", leftMs, "x", "o", "item.reserved")});
    const auto right = storeOf({ev("O", 0, "y", "", "order.placed"), ev("I", rightMs, "y", "O", "item.reserved")});
    FlowCompareOptions options;
    options.slowerRatio = ratio;
    options.minDifferenceNs = minMs * kMs;
    const FlowComparison c =
        compareFlows(*left, buildFlowGraph(*left, "x"), *right, buildFlowGraph(*right, "y"), options);
    QCOMPARE(int(c.edges.at(0).verdict), verdict);
    QCOMPARE(int(c.duration), verdict); // two events: the duration is that one lag
}

void TstFlowCompare::matchingFlowPicksTheMostAlike()
{
    const auto a = open("compare-a.jsonl"), b = open("compare-b.jsonl");
    // B's ids are its own: the failed flow is found by its types.
    QCOMPARE(matchingFlow(*a, "ord-2", *b), std::string("run2-ord-2"));
    QCOMPARE(matchingFlow(*a, "ord-1", *b), std::string("run2-ord-1"));
    QCOMPARE(matchingFlow(*b, "run2-ord-2", *a), std::string("ord-2"));
    // The same recording opened twice: the same id.
    const auto saga = open("saga.jsonl"), saga2 = open("saga.jsonl");
    QCOMPARE(matchingFlow(*saga, "c-1002", *saga2), std::string("c-1002"));
    // One store: another flow, the one most alike (c-1003 is a lone order.placed).
    QCOMPARE(matchingFlow(*saga, "c-1001", *saga), std::string("c-1002"));
    const EventStore empty;
    QCOMPARE(matchingFlow(*saga, "c-1001", empty), std::string());
}

void TstFlowCompare::cliCompare()
{
    const QString a = dataPath("compare-a.jsonl"), b = dataPath("compare-b.jsonl");

    // No --flow: A's first flow, and B's most like it. Same shape: exit 0.
    CliRun same = runCli({QStringLiteral("compare"), a, b});
    QCOMPARE(same.exitCode, 0);
    QVERIFY2(same.out.contains("flow ord-1: 6 events in 330 ms"), same.out.constData());
    QVERIFY(same.out.contains("flow run2-ord-1: 6 events in 345 ms"));
    QVERIFY(same.out.contains("Differences: none"));

    // Differences: exit 1, listed as the window lists them, then every link side by side.
    CliRun differ = runCli({QStringLiteral("compare"), a, b, QStringLiteral("--flow"), QStringLiteral("ord-2")});
    QCOMPARE(differ.exitCode, 1);
    QVERIFY2(differ.out.contains("Differences of B from A (4)\n"
                                 "  missing: stock.released\n"
                                 "  extra: payment.retried ×2\n"
                                 "  slower: payment.requested → payment.failed 40 ms → 900 ms (×22.5)\n"
                                 "  duration: 130 ms → 990 ms (×7.62)\n"),
             differ.out.constData());
    QVERIFY(differ.out.contains("B has no flow ord-2"));
    QVERIFY(differ.out.contains("payment.requested → payment.failed      40 ms  900 ms  slower"));

    // Two flows of one recording, as JSON.
    const QString saga = dataPath("saga.jsonl");
    CliRun json = runCli({QStringLiteral("compare"), saga, saga, QStringLiteral("--flow"), QStringLiteral("c-1001"),
                          QStringLiteral("--flow-b"), QStringLiteral("c-1002"), QStringLiteral("--format"),
                          QStringLiteral("json")});
    QCOMPARE(json.exitCode, 1);
    const QJsonObject j = json.json();
    QCOMPARE(j.value("left").toObject().value("correlationId").toString(), QStringLiteral("c-1001"));
    QCOMPARE(j.value("right").toObject().value("durationMs").toDouble(), 320.0);
    QCOMPARE(j.value("same").toBool(), false);
    const QJsonArray differences = j.value("differences").toArray();
    QCOMPARE(differences.size(), 7);
    QCOMPARE(differences.at(0).toObject().value("kind").toString(), QStringLiteral("missing"));
    QCOMPARE(differences.at(0).toObject().value("text").toString(), QStringLiteral("missing: payment.authorized"));
    QCOMPARE(j.value("duration").toString(), QStringLiteral("faster"));
    bool sawFaster = false;
    for (const QJsonValue &l : j.value("links").toArray())
        if (l.toObject().value("cause").toString() == QStringLiteral("order.placed")) {
            QCOMPARE(l.toObject().value("leftLagMs").toDouble(), 45.0);
            QCOMPARE(l.toObject().value("rightLagMs").toDouble(), 30.0);
            QCOMPARE(l.toObject().value("verdict").toString(), QStringLiteral("faster"));
            sawFaster = true;
        }
    QVERIFY(sawFaster);

    // A flow that is not there: a usage error naming it.
    CliRun missing = runCli({QStringLiteral("compare"), a, b, QStringLiteral("--flow-b"), QStringLiteral("nope")});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains("nope"));
}

QTEST_GUILESS_MAIN(TstFlowCompare)
#include "tst_flowcompare.moc"
