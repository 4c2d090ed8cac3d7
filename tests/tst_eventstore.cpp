#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/rfc3339.h"

#include <QtTest>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace eventlens;

namespace {

using Indexes = std::vector<uint32_t>;
constexpr uint32_t kNone = EventStore::kNone;

/// One event of the EventLens contract, as a producer would publish it.
struct Ev {
    std::string id = {};
    std::string type = "order.placed";
    std::string source = "orders";
    int second = 0; ///< timestamp: seconds after 2026-01-01T00:00:00Z
    std::string corr = {};
    std::string cause = {};
    std::string data = "{}";
    std::string recorder = {}; ///< the recorder's member value, e.g. {"receivedAt":"..."}; empty: none
};

int64_t baseNs()
{
    return *parseRfc3339("2026-01-01T00:00:00Z");
}

int64_t at(int second)
{
    return baseNs() + int64_t(second) * 1'000'000'000;
}

/// Ids are written as JSON string bodies, so a row can put escapes in them.
std::string json(const Ev &e)
{
    std::string s = "{\"eventId\":\"" + e.id + "\",\"eventType\":\"" + e.type + "\",\"timestamp\":\""
        + formatRfc3339(at(e.second), 3) + "\",\"source\":\"" + e.source + "\"";
    if (!e.corr.empty())
        s += ",\"correlationId\":\"" + e.corr + "\"";
    if (!e.cause.empty())
        s += ",\"causationId\":\"" + e.cause + "\"";
    s += ",\"data\":" + e.data;
    if (!e.recorder.empty())
        s += ",\"_eventlens\":" + e.recorder;
    return s + "}";
}

/// Feeds a store the way the session does: bytes → Decoder → append.
class Feeder {
public:
    explicit Feeder(EventStore &store)
        : m_store(store)
    {
    }

    uint32_t add(const std::string &bytes, uint16_t origin = 0, uint32_t line = 0)
    {
        DecodedEvent event;
        DecodeError error;
        if (!m_decoder.decode(bytes, event, error)) {
            QTest::qFail(("decoder refused test input: " + error.text() + "\n" + bytes).c_str(), __FILE__, __LINE__);
            return kNone;
        }
        return m_store.append(event, origin, line);
    }
    uint32_t add(const Ev &e) { return add(json(e)); }

private:
    EventStore &m_store;
    Decoder m_decoder;
};

/// Bytes are freed a chunk of raw bytes at a time, so the store may sit this much over its cap.
constexpr size_t kCapSlack = 1u << 20;

Indexes toVector(std::span<const uint32_t> s)
{
    return {s.begin(), s.end()};
}

} // namespace

namespace QTest {
template<>
char *toString(const Indexes &v)
{
    QByteArray s = "{";
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + QByteArray::number(v[i]);
    return qstrdup(s + "}");
}
} // namespace QTest

class TstEventStore : public QObject {
    Q_OBJECT

private slots:
    void findsEventsById();
    void rawIsTheBytesAsReceived();
    void idsWithEscapes_data();
    void idsWithEscapes();
    void correlationKeepsArrivalOrder();
    void causeAndEffects();
    void effectArrivingBeforeItsCause();
    void unseenCauses();
    void byTypeAndSource();
    void unknownTypeOrSourceIsEmpty();
    void manyDistinctTypesFoldIntoOther();
    void timeRange_data();
    void timeRange();
    void timeRangeAfterMoreEvents();
    void duplicates_data();
    void duplicates();
    void everyLaterCopyCounts();
    void adoptedBufferIsNotCopied();
    void memoryCapEvictsOldestFirst();
    void escapedIdsSurviveEviction();
    void escapedIdsAreKeptOnce();
    void memoryStaysBoundedUnderCap();
    void tinyCapKeepsTheNewestEvent();
};

void TstEventStore::findsEventsById()
{
    EventStore store;
    Feeder feed(store);
    const uint16_t file = store.addOrigin("/tmp/orders.jsonl");
    QCOMPARE(feed.add(Ev{.id = "a"}), 0u);
    QCOMPARE(feed.add(json(Ev{.id = "b"}), file, 7), 1u);
    QCOMPARE(feed.add(Ev{.id = "c", .corr = "flow", .cause = "a"}), 2u);

    QCOMPARE(store.size(), size_t(3));
    QCOMPARE(store.firstIndex(), 0u);
    QCOMPARE(store.endIndex(), 3u);
    QCOMPARE(store.find("a"), 0u);
    QCOMPARE(store.find("b"), 1u);
    QCOMPARE(store.find("c"), 2u);
    QCOMPARE(store.eventId(2), std::string_view("c"));
    // Names that are ids of other kinds, or nothing at all, are not events.
    QCOMPARE(store.find("flow"), kNone);
    QCOMPARE(store.find("missing"), kNone);
    QCOMPARE(store.find(""), kNone);

    // Where each event came from.
    QCOMPARE(store.originName(store.record(1).origin), std::string_view("/tmp/orders.jsonl"));
    QCOMPARE(store.record(1).line, 7u);
    QCOMPARE(store.originName(store.record(0).origin), std::string_view("live"));
    QCOMPARE(store.record(0).timestampNs, at(0));
    QCOMPARE(store.record(0).receivedNs, kNoTime);
    QVERIFY(store.record(0).flags & RootEvent);
    QVERIFY(store.record(0).flags & NoCorrelation);
    QVERIFY(!(store.record(2).flags & (RootEvent | NoCorrelation | Duplicate)));
}

void TstEventStore::rawIsTheBytesAsReceived()
{
    EventStore store;
    Feeder feed(store);
    // Odd spacing, member order, unicode and escapes are the producer's, and stay so.
    const std::string bytes = "  {\"source\" : \"billing\",\n\t\"eventId\":\"\xC3\xA9v-1\", \"eventType\":\"pay.ok\","
                              "\"timestamp\":\"2026-01-01T01:00:00+01:00\",\"data\":{\"note\":\"a\\nb \\u00e9\"} }  ";
    const uint32_t i = feed.add(bytes);
    QCOMPARE(store.raw(i), std::string_view(bytes));
    QCOMPARE(store.eventId(i), std::string_view("\xC3\xA9v-1"));
    QCOMPARE(store.sourceName(store.record(i).source), std::string_view("billing"));
    QCOMPARE(store.typeName(store.record(i).type), std::string_view("pay.ok"));
    QCOMPARE(store.record(i).timestampNs, at(0));

    // The store keeps its own copy of live bytes: the producer's buffer may be reused.
    std::string reused = json(Ev{.id = "x"});
    const std::string original = reused;
    const uint32_t j = feed.add(reused);
    std::fill(reused.begin(), reused.end(), '#');
    QCOMPARE(store.raw(j), std::string_view(original));
    QCOMPARE(store.eventId(j), std::string_view("x"));
}

void TstEventStore::idsWithEscapes_data()
{
    QTest::addColumn<QByteArray>("escaped");   // as written inside the JSON string
    QTest::addColumn<QByteArray>("unescaped"); // what users search for

    QTest::newRow("quote") << QByteArray(R"(ord\"1)") << QByteArray("ord\"1");
    QTest::newRow("backslash") << QByteArray(R"(C:\\tmp)") << QByteArray("C:\\tmp");
    QTest::newRow("slash") << QByteArray(R"(a\/b)") << QByteArray("a/b");
    QTest::newRow("unicode") << QByteArray(R"(caf\u00e9)") << QByteArray("caf\xC3\xA9");
    QTest::newRow("surrogate pair") << QByteArray(R"(\ud83d\ude00-1)") << QByteArray("\xF0\x9F\x98\x80-1");
    QTest::newRow("tab") << QByteArray(R"(x\ty)") << QByteArray("x\ty");
}

void TstEventStore::idsWithEscapes()
{
    QFETCH(QByteArray, escaped);
    QFETCH(QByteArray, unescaped);
    const std::string esc = escaped.toStdString();
    const std::string plain = unescaped.toStdString();

    EventStore store;
    Feeder feed(store);
    const uint32_t cause = feed.add(Ev{.id = "id-" + esc, .corr = "c-" + esc});
    const uint32_t effect = feed.add(Ev{.id = "e1", .corr = "c-" + esc, .cause = "id-" + esc});
    const uint32_t orphan = feed.add(Ev{.id = "e2", .cause = "gone-" + esc});
    // The same id written without escapes is the same id.
    const uint32_t again = feed.add(Ev{.id = "id-" + esc, .corr = "c-" + esc});

    QCOMPARE(store.find("id-" + plain), cause);
    QCOMPARE(store.eventId(cause), std::string_view("id-" + plain));
    QCOMPARE(store.correlationId(effect), std::string_view("c-" + plain));
    QCOMPARE(store.causationId(effect), std::string_view("id-" + plain));
    QCOMPARE(store.correlation("c-" + plain), (Indexes{cause, effect, again}));
    QCOMPARE(store.effects(cause), Indexes{effect});
    QCOMPARE(store.effectsOf("id-" + plain), Indexes{effect});
    QCOMPARE(store.cause(effect), cause);
    QCOMPARE(store.unseenCauses(), std::vector<std::string_view>{"gone-" + plain});
    QCOMPARE(store.effectsOf("gone-" + plain), Indexes{orphan});
    QCOMPARE(store.record(again).flags & (Duplicate | Redelivery), int(Duplicate | Redelivery));
    // The escaped spelling is not what the id is.
    if (esc != plain)
        QCOMPARE(store.find("id-" + esc), kNone);
}

void TstEventStore::correlationKeepsArrivalOrder()
{
    EventStore store;
    Feeder feed(store);
    // Two flows interleaved, with producer clocks out of order: arrival order wins.
    feed.add(Ev{.id = "a1", .second = 50, .corr = "A"});
    feed.add(Ev{.id = "b1", .second = 10, .corr = "B"});
    feed.add(Ev{.id = "a2", .second = 5, .corr = "A", .cause = "a1"});
    feed.add(Ev{.id = "n1", .second = 7});
    feed.add(Ev{.id = "a3", .second = 60, .corr = "A", .cause = "a2"});
    feed.add(Ev{.id = "b2", .second = 11, .corr = "B", .cause = "b1"});

    QCOMPARE(store.correlation("A"), (Indexes{0, 2, 4}));
    QCOMPARE(store.correlation("B"), (Indexes{1, 5}));
    QCOMPARE(store.correlation("C"), Indexes{});
    QCOMPARE(store.correlation("a1"), Indexes{}); // an event id is not a correlation
    QCOMPARE(store.correlationCount(), size_t(2));
    QVERIFY(store.record(3).flags & NoCorrelation);
    QCOMPARE(store.correlationId(3), std::string_view());

    std::set<std::pair<std::string, size_t>> flows;
    for (size_t n = 0; n < store.correlationCount(); ++n)
        flows.emplace(std::string(store.correlationName(n)), store.correlationSize(n));
    QCOMPARE(flows, (std::set<std::pair<std::string, size_t>>{{"A", 3}, {"B", 2}}));
}

void TstEventStore::causeAndEffects()
{
    EventStore store;
    Feeder feed(store);
    const uint32_t placed = feed.add(Ev{.id = "placed", .corr = "o1"});
    const uint32_t reserved = feed.add(Ev{.id = "reserved", .type = "stock.reserved", .corr = "o1", .cause = "placed"});
    const uint32_t charged = feed.add(Ev{.id = "charged", .type = "payment.charged", .corr = "o1", .cause = "placed"});
    const uint32_t shipped = feed.add(Ev{.id = "shipped", .type = "shipment.sent", .corr = "o1", .cause = "charged"});
    const uint32_t other = feed.add(Ev{.id = "other", .corr = "o2"});

    QCOMPARE(store.effects(placed), (Indexes{reserved, charged}));
    QCOMPARE(store.effectsOf("placed"), (Indexes{reserved, charged}));
    QCOMPARE(store.effects(charged), Indexes{shipped});
    QCOMPARE(store.effects(shipped), Indexes{});
    QCOMPARE(store.effects(other), Indexes{});
    QCOMPARE(store.effectsOf("nobody"), Indexes{});
    QCOMPARE(store.cause(placed), kNone);
    QCOMPARE(store.cause(reserved), placed);
    QCOMPARE(store.cause(charged), placed);
    QCOMPARE(store.cause(shipped), charged);
    QCOMPARE(store.causationId(shipped), std::string_view("charged"));
    QCOMPARE(store.causationId(placed), std::string_view());
    QVERIFY(store.unseenCauses().empty());
}

void TstEventStore::effectArrivingBeforeItsCause()
{
    EventStore store;
    Feeder feed(store);
    // Consumers can be faster than the path the cause takes to us.
    const uint32_t effect = feed.add(Ev{.id = "effect", .corr = "f", .cause = "cause"});
    QCOMPARE(store.cause(effect), kNone);
    QCOMPARE(store.unseenCauses(), std::vector<std::string_view>{"cause"});

    const uint32_t cause = feed.add(Ev{.id = "cause", .corr = "f"});
    QCOMPARE(store.cause(effect), cause);
    QCOMPARE(store.effects(cause), Indexes{effect});
    QVERIFY(store.unseenCauses().empty());
}

void TstEventStore::unseenCauses()
{
    EventStore store;
    Feeder feed(store);
    feed.add(Ev{.id = "seen"});
    feed.add(Ev{.id = "e1", .cause = "cmd-1"});
    feed.add(Ev{.id = "e2", .cause = "cmd-1"});
    feed.add(Ev{.id = "e3", .cause = "cmd-2"});
    feed.add(Ev{.id = "e4", .cause = "seen"});
    feed.add(Ev{.id = "e5", .corr = "lost-3"}); // a correlation id is not a cause

    const auto unseen = store.unseenCauses();
    QCOMPARE(std::set<std::string_view>(unseen.begin(), unseen.end()),
             (std::set<std::string_view>{"cmd-1", "cmd-2"}));
    QCOMPARE(unseen.size(), size_t(2)); // distinct
    QCOMPARE(store.effectsOf("cmd-1"), (Indexes{1, 2}));
}

void TstEventStore::byTypeAndSource()
{
    EventStore store;
    Feeder feed(store);
    feed.add(Ev{.id = "1", .type = "order.placed", .source = "orders"});
    feed.add(Ev{.id = "2", .type = "payment.charged", .source = "payments"});
    feed.add(Ev{.id = "3", .type = "order.placed", .source = "orders"});
    feed.add(Ev{.id = "4", .type = "order.placed", .source = "web"});
    feed.add(Ev{.id = "5", .type = "payment.charged", .source = "orders"});

    QCOMPARE(store.typeCount(), uint16_t(2));
    QCOMPARE(store.sourceCount(), uint16_t(3));
    const uint16_t placed = store.findType("order.placed");
    const uint16_t charged = store.findType("payment.charged");
    QVERIFY(placed != EventStore::kNoName && charged != EventStore::kNoName);
    QCOMPARE(store.typeName(placed), std::string_view("order.placed"));
    QCOMPARE(toVector(store.ofType(placed)), (Indexes{0, 2, 3}));
    QCOMPARE(toVector(store.ofType(charged)), (Indexes{1, 4}));
    QCOMPARE(store.record(1).type, charged);

    const uint16_t orders = store.findSource("orders");
    QCOMPARE(store.sourceName(orders), std::string_view("orders"));
    QCOMPARE(toVector(store.ofSource(orders)), (Indexes{0, 2, 4}));
    QCOMPARE(toVector(store.ofSource(store.findSource("payments"))), Indexes{1});
    QCOMPARE(toVector(store.ofSource(store.findSource("web"))), Indexes{3});
}

void TstEventStore::unknownTypeOrSourceIsEmpty()
{
    EventStore store;
    Feeder feed(store);
    feed.add(Ev{.id = "1"});
    QCOMPARE(store.findType("order.cancelled"), EventStore::kNoName);
    QCOMPARE(store.findSource("nobody"), EventStore::kNoName);
    // What a filter box does with a name nobody sent: an empty list, not a crash.
    QVERIFY(store.ofType(store.findType("order.cancelled")).empty());
    QVERIFY(store.ofSource(store.findSource("nobody")).empty());
}

void TstEventStore::manyDistinctTypesFoldIntoOther()
{
    // A misbehaving producer that puts ids into eventType must not break the store.
    EventStore store;
    Feeder feed(store);
    const int count = EventStore::kNoName + 10;
    for (int n = 0; n < count; ++n)
        feed.add(Ev{.id = "e" + std::to_string(n), .type = "t" + std::to_string(n), .source = "s" + std::to_string(n)});
    QCOMPARE(store.size(), size_t(count));
    const uint16_t other = store.findType("(other)");
    QVERIFY(other != EventStore::kNoName);
    QVERIFY(other < store.typeCount());
    QCOMPARE(store.ofType(other).size(), size_t(count - (EventStore::kNoName - 1)));
    QCOMPARE(store.ofType(other).back(), uint32_t(count - 1));
    QCOMPARE(store.typeName(store.record(uint32_t(count - 1)).type), std::string_view("(other)"));
    QCOMPARE(toVector(store.ofType(store.findType("t5"))), Indexes{5});
    const uint16_t otherSource = store.findSource("(other)");
    QVERIFY(otherSource != EventStore::kNoName);
    QCOMPARE(store.ofSource(otherSource).size(), size_t(count - (EventStore::kNoName - 1)));
    QCOMPARE(store.find("e" + std::to_string(count - 1)), uint32_t(count - 1));
}

void TstEventStore::timeRange_data()
{
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::addColumn<QList<uint>>("expected");

    // Arrival order: seconds 5, 1, 3, 1, 9, 3 (events 0..5).
    QTest::newRow("everything") << -100 << 100 << QList<uint>{1, 3, 2, 5, 0, 4};
    QTest::newRow("to is exclusive") << 1 << 5 << QList<uint>{1, 3, 2, 5};
    QTest::newRow("from is inclusive") << 3 << 4 << QList<uint>{2, 5};
    QTest::newRow("ties in arrival order") << 1 << 2 << QList<uint>{1, 3};
    QTest::newRow("last only") << 9 << 10 << QList<uint>{4};
    QTest::newRow("gap") << 6 << 9 << QList<uint>{};
    QTest::newRow("before all") << -10 << 1 << QList<uint>{};
    QTest::newRow("empty range") << 3 << 3 << QList<uint>{};
    QTest::newRow("reversed range") << 9 << 1 << QList<uint>{};
}

void TstEventStore::timeRange()
{
    QFETCH(int, from);
    QFETCH(int, to);
    QFETCH(QList<uint>, expected);

    EventStore store;
    Feeder feed(store);
    int n = 0;
    for (int second : {5, 1, 3, 1, 9, 3})
        feed.add(Ev{.id = "e" + std::to_string(n++), .second = second});
    const Indexes got = store.inTimeRange(at(from), at(to));
    QCOMPARE(got, Indexes(expected.begin(), expected.end()));
}

void TstEventStore::timeRangeAfterMoreEvents()
{
    // A live view asks, more events arrive (some late), it asks again.
    EventStore store;
    Feeder feed(store);
    feed.add(Ev{.id = "a", .second = 10});
    feed.add(Ev{.id = "b", .second = 20});
    QCOMPARE(store.inTimeRange(at(0), at(100)), (Indexes{0, 1}));
    feed.add(Ev{.id = "c", .second = 30});
    QCOMPARE(store.inTimeRange(at(0), at(100)), (Indexes{0, 1, 2}));
    feed.add(Ev{.id = "late", .second = 15});
    feed.add(Ev{.id = "d", .second = 40});
    QCOMPARE(store.inTimeRange(at(0), at(100)), (Indexes{0, 3, 1, 2, 4}));
    QCOMPARE(store.inTimeRange(at(15), at(30)), (Indexes{3, 1}));
    feed.add(Ev{.id = "early", .second = 1});
    QCOMPARE(store.inTimeRange(at(0), at(16)), (Indexes{5, 0, 3}));
}

void TstEventStore::duplicates_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<int>("kind"); // Redelivery or IdCollision

    const Ev base{.id = "dup", .corr = "flow", .cause = "root", .data = R"({"amount":10})"};
    auto bytes = [](Ev e) { return QByteArray::fromStdString(json(e)); };
    Ev recordedA = base, recordedB = base;
    recordedA.recorder = R"({"receivedAt":"2026-01-01T00:00:01Z","topic":"orders"})";
    recordedB.recorder = R"({"receivedAt":"2026-01-01T00:00:07.5Z","topic":"orders.retry"})";
    Ev otherData = base, otherType = base, otherCause = base, otherSpacing = base;
    otherData.data = R"({"amount":11})";
    otherType.type = "order.cancelled";
    otherCause.cause = "elsewhere";
    otherSpacing.data = R"({ "amount": 10 })";

    QTest::newRow("redelivery: same bytes") << bytes(base) << bytes(base) << int(Redelivery);
    QTest::newRow("redelivery: recorded twice, other receive metadata")
        << bytes(recordedA) << bytes(recordedB) << int(Redelivery);
    QTest::newRow("redelivery: recorded, then live") << bytes(recordedA) << bytes(base) << int(Redelivery);
    QTest::newRow("redelivery: live, then recorded") << bytes(base) << bytes(recordedB) << int(Redelivery);
    QTest::newRow("collision: other payload") << bytes(base) << bytes(otherData) << int(IdCollision);
    QTest::newRow("collision: other type") << bytes(base) << bytes(otherType) << int(IdCollision);
    QTest::newRow("collision: other cause") << bytes(base) << bytes(otherCause) << int(IdCollision);
    QTest::newRow("collision: recorded, other payload") << bytes(recordedA) << bytes(otherData) << int(IdCollision);
    QTest::newRow("collision: other bytes, same meaning") << bytes(base) << bytes(otherSpacing) << int(IdCollision);
}

void TstEventStore::duplicates()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(int, kind);

    EventStore store;
    Feeder feed(store);
    const uint32_t root = feed.add(Ev{.id = "root", .corr = "flow"});
    const uint32_t a = feed.add(first.toStdString());
    const uint32_t between = feed.add(Ev{.id = "between", .corr = "flow", .cause = "root"});
    const uint32_t b = feed.add(second.toStdString());

    QCOMPARE(store.find("dup"), a);
    QCOMPARE(store.record(a).flags & (Duplicate | Redelivery | IdCollision), 0);
    QCOMPARE(store.record(b).flags & (Duplicate | Redelivery | IdCollision), int(Duplicate) | kind);
    QCOMPARE(store.duplicatesOf(a), 1u);
    QCOMPARE(store.duplicatesOf(b), 0u);
    QCOMPARE(store.duplicatesOf(root), 0u);
    QCOMPARE(store.duplicateCount(), uint64_t(1));
    QCOMPARE(store.redeliveryCount(), uint64_t(kind == Redelivery ? 1 : 0));
    QCOMPARE(store.collisionCount(), uint64_t(kind == IdCollision ? 1 : 0));
    // The copy is kept (and listed in its flow), but it is the same node: not a second effect.
    QCOMPARE(store.raw(b), std::string_view(second.constData(), size_t(second.size())));
    QCOMPARE(store.correlation("flow"), (Indexes{root, a, between, b}));
    QCOMPARE(store.effects(root), (Indexes{a, between}));
    QCOMPARE(store.effectsOf("root"), (Indexes{a, between}));
    QVERIFY(store.effectsOf("elsewhere").empty());
    QCOMPARE(store.cause(b), store.causationId(b) == "root" ? root : kNone);
}

void TstEventStore::everyLaterCopyCounts()
{
    EventStore store;
    Feeder feed(store);
    const std::string event = json(Ev{.id = "x", .corr = "c"});
    feed.add(event);
    feed.add(Ev{.id = "y"});
    feed.add(event);
    feed.add(Ev{.id = "x", .data = "[1]"});
    feed.add(event);
    QCOMPARE(store.duplicatesOf(0), 3u);
    QCOMPARE(store.duplicatesOf(1), 0u);
    QCOMPARE(store.redeliveryCount(), uint64_t(2));
    QCOMPARE(store.collisionCount(), uint64_t(1));
    QCOMPARE(store.duplicateCount(), uint64_t(3));
    QCOMPARE(store.find("x"), 0u);
    QCOMPARE(store.record(3).flags & (Redelivery | IdCollision), int(IdCollision));
    QCOMPARE(store.record(4).flags & (Redelivery | IdCollision), int(Redelivery));
}

void TstEventStore::adoptedBufferIsNotCopied()
{
    // As the file reader does: one block of lines, handed to the store whole.
    const std::string lines = json(Ev{.id = "f1", .corr = "c", .data = R"({"blob":"0123456789"})"}) + "\n"
        + json(Ev{.id = "f2", .corr = "c", .cause = "f1"}) + "\n";
    auto buffer = std::make_unique<char[]>(lines.size() + Decoder::kPadding);
    std::memcpy(buffer.get(), lines.data(), lines.size());
    std::memset(buffer.get() + lines.size(), ' ', Decoder::kPadding);
    const char *block = buffer.get();

    EventStore store;
    Decoder decoder;
    DecodeError error;
    const size_t nl = lines.find('\n');
    const std::string_view line1(block, nl), line2(block + nl + 1, lines.size() - nl - 2);
    DecodedEvent e1, e2;
    QVERIFY2(decoder.decode(line1, lines.size() + Decoder::kPadding, e1, error), error.text().c_str());
    QVERIFY2(decoder.decode(line2, lines.size() + Decoder::kPadding - nl - 1, e2, error), error.text().c_str());
    store.adoptBuffer(std::move(buffer), lines.size());
    const uint32_t i1 = store.append(e1, 0, 1);
    const uint32_t i2 = store.append(e2, 0, 2);

    QCOMPARE(static_cast<const void *>(store.raw(i1).data()), static_cast<const void *>(block));
    QCOMPARE(static_cast<const void *>(store.raw(i2).data()), static_cast<const void *>(line2.data()));
    QCOMPARE(store.raw(i2), line2);
    QCOMPARE(store.find("f2"), i2);
    QCOMPARE(store.effects(i1), Indexes{i2});

    // A live event after it is copied: its producer's buffer is not the store's.
    Feeder feed(store);
    const std::string live = json(Ev{.id = "live", .corr = "c"});
    const uint32_t i3 = feed.add(live);
    QVERIFY(store.raw(i3).data() != live.data());
    QCOMPARE(store.raw(i3), std::string_view(live));
    QCOMPARE(store.correlation("c"), (Indexes{i1, i2, i3}));
}

void TstEventStore::memoryCapEvictsOldestFirst()
{
    EventStore::Options options;
    options.memoryCap = 8u << 20;
    EventStore store(options);
    Feeder feed(store);

    // Flows of 4 events with ~1 KiB payloads; each event caused by the one before it, so
    // wherever eviction cuts, the oldest retained event has lost its cause.
    const std::string payload = "{\"blob\":\"" + std::string(1000, 'x') + "\"}";
    std::vector<std::string> sent;
    const int flows = 5000;
    std::string previous;
    for (int f = 0; f < flows; ++f) {
        const std::string c = "flow-" + std::to_string(f);
        for (int step = 0; step < 4; ++step) {
            Ev e{.id = c + "-" + std::to_string(step), .type = "step" + std::to_string(step),
                 .second = (f * 4 + step) % 1000, .corr = c, .cause = previous, .data = payload};
            previous = e.id;
            sent.push_back(json(e));
            feed.add(sent.back());
        }
    }
    const uint32_t total = uint32_t(sent.size());
    QCOMPARE(store.endIndex(), total);
    QVERIFY(store.evictedCount() > 0);
    QCOMPARE(store.firstIndex(), uint32_t(store.evictedCount()));
    QCOMPARE(store.size() + store.evictedCount(), size_t(total));
    QVERIFY(!store.contains(0));
    QVERIFY(!store.contains(store.firstIndex() - 1));
    QVERIFY(store.contains(store.firstIndex()));
    QVERIFY(store.contains(total - 1));
    QVERIFY(store.memoryUsage() <= options.memoryCap + kCapSlack);

    const uint32_t first = store.firstIndex();
    for (uint32_t i = first; i < total; ++i) {
        QCOMPARE(store.raw(i), std::string_view(sent[i]));
        QCOMPARE(store.find(store.eventId(i)), i);
    }
    QCOMPARE(store.find("flow-0-0"), kNone);

    // Indexes still answer for retained events, also across the eviction boundary.
    std::set<std::string> flowsLeft;
    for (uint32_t i = first; i < total; ++i)
        flowsLeft.insert(std::string(store.correlationId(i)));
    QCOMPARE(store.correlationCount(), flowsLeft.size());
    const int boundaryFlow = int(first / 4);
    const int cut = int(first % 4); // steps of that flow already evicted
    const std::string bc = "flow-" + std::to_string(boundaryFlow);
    Indexes expected;
    for (uint32_t i = uint32_t(boundaryFlow * 4 + cut); i < uint32_t(boundaryFlow * 4 + 4); ++i)
        expected.push_back(i);
    QCOMPARE(store.correlation(bc), expected);
    // A retained effect whose cause was evicted: still named, no longer resolvable.
    const std::string evictedCause(store.causationId(first));
    QCOMPARE(evictedCause, cut ? bc + "-" + std::to_string(cut - 1) : "flow-" + std::to_string(boundaryFlow - 1) + "-3");
    QCOMPARE(store.find(evictedCause), kNone);
    QCOMPARE(store.cause(first), kNone);
    QCOMPARE(store.effectsOf(evictedCause), Indexes{first});
    QCOMPARE(store.cause(first + 1), first);
    QCOMPARE(store.effects(first), Indexes{first + 1});
    const uint32_t last = total - 1;
    QCOMPARE(store.cause(last), last - 1);
    QCOMPARE(store.effects(last - 1), Indexes{last});
    QCOMPARE(store.effects(last - 3), Indexes{last - 2});
    QCOMPARE(store.correlation("flow-" + std::to_string(flows - 1)), (Indexes{last - 3, last - 2, last - 1, last}));
    QVERIFY(store.correlation("flow-0").empty());

    // By type, by source and by time list retained events only.
    const auto step3 = store.ofType(store.findType("step3"));
    QVERIFY(!step3.empty());
    QVERIFY(step3.front() >= first);
    QCOMPARE(step3.back(), last);
    QCOMPARE(store.ofSource(store.findSource("orders")).size(), store.size());
    const Indexes all = store.inTimeRange(INT64_MIN, INT64_MAX);
    QCOMPARE(all.size(), store.size());
    QVERIFY(std::all_of(all.begin(), all.end(), [&](uint32_t i) { return store.contains(i); }));
    QVERIFY(std::is_sorted(all.begin(), all.end(), [&](uint32_t a, uint32_t b) {
        return store.record(a).timestampNs < store.record(b).timestampNs;
    }));

    // Duplicates of retained events are still told apart after eviction.
    feed.add(sent[last - 1]);
    QCOMPARE(store.record(total).flags & (Duplicate | Redelivery), int(Duplicate | Redelivery));
    QCOMPARE(store.duplicatesOf(last - 1), 1u);
    QCOMPARE(store.find(store.eventId(last - 1)), last - 1);
}

void TstEventStore::escapedIdsSurviveEviction()
{
    EventStore::Options options;
    options.memoryCap = 8u << 20;
    EventStore store(options);
    Feeder feed(store);
    const std::string payload = "{\"blob\":\"" + std::string(2000, 'y') + "\"}";
    // Every id holds an escape, so the store cannot point into the raw bytes for it.
    int n = 0;
    while (store.evictedCount() == 0 || n % 3 != 0) {
        const std::string c = "fl\\u00f6w-" + std::to_string(n / 3);
        Ev e{.id = "\\\"ev\\\"-" + std::to_string(n), .corr = c, .data = payload};
        if (n % 3)
            e.cause = "\\\"ev\\\"-" + std::to_string(n - 1);
        feed.add(e);
        ++n;
    }
    // Memory released by the eviction gets reused.
    std::vector<std::unique_ptr<char[]>> reuse;
    for (int k = 0; k < 64; ++k) {
        reuse.push_back(std::make_unique<char[]>(64 * 1024));
        std::memset(reuse.back().get(), '#', 64 * 1024);
    }
    for (int k = 0; k < 30; ++k, ++n)
        feed.add(Ev{.id = "\\\"ev\\\"-" + std::to_string(n), .corr = "fl\\u00f6w-" + std::to_string(n / 3),
                    .data = payload});

    QVERIFY(store.evictedCount() > 0);
    for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i) {
        const std::string id = "\"ev\"-" + std::to_string(i);
        QCOMPARE(store.eventId(i), std::string_view(id));
        QCOMPARE(store.find(id), i);
        QCOMPARE(store.correlationId(i), std::string_view("fl\xC3\xB6w-" + std::to_string(i / 3)));
    }
    const uint32_t last = store.endIndex() - 1;
    QCOMPARE(store.correlation("fl\xC3\xB6w-" + std::to_string(last / 3)).back(), last);
}

void TstEventStore::escapedIdsAreKeptOnce()
{
    // Some serializers escape every '/' (PHP's json_encode): a flow's correlation id and its
    // common cause then hold escapes in every one of the flow's events.
    // Same sizes on the wire, so only what the store keeps beside the raw bytes differs.
    auto usage = [](const std::string &root, const std::string &corr, const std::string &cause) {
        EventStore store;
        Feeder feed(store);
        feed.add(Ev{.id = root, .corr = corr});
        for (int n = 0; n < 20'000; ++n)
            feed.add(Ev{.id = "e" + std::to_string(n), .corr = corr, .cause = cause});
        return store.memoryUsage();
    };
    const std::string path(40, 'p');
    const size_t plain = usage("root-is-here-1", "tenant/p" + path, "root-is-here-1");
    const size_t escaped = usage("r\\u006f\\u006ft", "tenant\\/" + path, "r\\u006f\\u006ft");
    QVERIFY2(escaped < plain + 256 * 1024, qPrintable(QStringLiteral("%1 vs %2 bytes").arg(escaped).arg(plain)));
}

void TstEventStore::memoryStaysBoundedUnderCap()
{
    EventStore::Options options;
    options.memoryCap = 16u << 20;
    EventStore store(options);
    Feeder feed(store);
    const std::string payload = R"({"sku":"ABC-123","qty":2,"note":"a typical small payload of some size"})";
    const int count = 200'000;
    size_t peak = 0;
    std::string lastSent;
    for (int n = 0; n < count; ++n) {
        Ev e{.id = "evt-" + std::to_string(n), .type = n % 2 ? "order.placed" : "stock.reserved", .second = n % 3600,
             .corr = "corr-" + std::to_string(n / 5), .data = payload};
        if (n % 5)
            e.cause = "evt-" + std::to_string(n - 1);
        lastSent = json(e);
        feed.add(lastSent);
        peak = std::max(peak, store.memoryUsage());
    }
    QCOMPARE(store.endIndex(), uint32_t(count));
    QVERIFY(store.evictedCount() > 0);
    QVERIFY2(peak <= options.memoryCap + kCapSlack, qPrintable(QStringLiteral("peak %1 bytes, cap %2").arg(peak).arg(options.memoryCap)));
    // Evicting a quarter at a time: most of the allowance still holds events.
    QVERIFY2(store.size() > size_t(count) / 20, qPrintable(QString::number(store.size())));
    QCOMPARE(store.raw(count - 1), std::string_view(lastSent));
    QCOMPARE(store.find("evt-" + std::to_string(count - 1)), uint32_t(count - 1));
    QCOMPARE(store.cause(count - 1), uint32_t(count - 2));
}

void TstEventStore::tinyCapKeepsTheNewestEvent()
{
    // A cap below what the store needs for its first event: it keeps only the newest.
    EventStore::Options options;
    options.memoryCap = 64 * 1024;
    EventStore store(options);
    Feeder feed(store);
    for (int n = 0; n < 50; ++n) {
        const std::string bytes = json(Ev{.id = "t" + std::to_string(n), .corr = "c", .cause = "t0"});
        const uint32_t i = feed.add(bytes);
        QCOMPARE(i, uint32_t(n));
        QVERIFY(store.contains(i));
        QCOMPARE(store.raw(i), std::string_view(bytes));
        QCOMPARE(store.find("t" + std::to_string(n)), i);
        QCOMPARE(store.correlation("c").back(), i);
    }
    QCOMPARE(store.size(), size_t(1));
    QCOMPARE(store.evictedCount(), uint64_t(49));
    QCOMPARE(store.firstIndex(), 49u);
}

QTEST_GUILESS_MAIN(TstEventStore)
#include "tst_eventstore.moc"
