// What the details view shows: the envelope of real events (tests/data/saga.jsonl, whose
// expectations are worked out in tst_cli.cpp and tst_anomalies.cpp), the JSON tree with its
// pointers, escapes, bad UTF-8, caps and depth limit, the indented text, and rejected bytes.
#include "core/decoder.h"
#include "core/eventdetails.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/rejectedinput.h"

#include <QtTest>

#include <string>

using namespace eventlens;

namespace {

/// The tree in preorder, one "pointer kind value" line per node below the root.
QStringList flatten(const JsonNode &root)
{
    QStringList out;
    std::vector<const JsonNode *> stack;
    for (auto it = root.children.rbegin(); it != root.children.rend(); ++it)
        stack.push_back(&*it);
    while (!stack.empty()) {
        const JsonNode *n = stack.back();
        stack.pop_back();
        out << QStringLiteral("%1 %2 %3")
                   .arg(QString::fromStdString(n->pointer), QString::fromLatin1(JsonNode::kindName(n->kind)),
                        QString::fromStdString(n->value))
                   .trimmed();
        for (auto it = n->children.rbegin(); it != n->children.rend(); ++it)
            stack.push_back(&*it);
    }
    return out;
}

const JsonNode *child(const JsonNode &n, const std::string &key)
{
    for (const JsonNode &c : n.children)
        if (c.key == key)
            return &c;
    return nullptr;
}

/// saga.jsonl loaded once: 14 events (indexes 0..13, file lines 1..14), 3 rejected lines.
struct Saga {
    EventStore store;
    RecordingReport report;
    Saga()
    {
        std::string error;
        if (!JsonlReader().load(EVENTLENS_TEST_DATA "/saga.jsonl", store, report, error))
            qFatal("saga.jsonl: %s", error.c_str());
    }
};

Saga &saga()
{
    static Saga s;
    return s;
}

std::string effectsOf(const EventEnvelope &e)
{
    std::string out;
    for (const EventEnvelope::Effect &f : e.effects)
        out += (out.empty() ? "" : " ") + f.eventId + "@" + std::to_string(f.index) + "+" + f.lag;
    return out;
}

} // namespace

class TstEventDetails : public QObject {
    Q_OBJECT

private slots:
    void envelope_data()
    {
        QTest::addColumn<uint>("index");
        QTest::addColumn<QString>("expected"); // id type version source time corr
        QTest::addColumn<QString>("cause");    // causationId [-> type source lag]
        QTest::addColumn<QString>("effects");
        QTest::addColumn<QString>("flags");
        QTest::addColumn<QString>("duplicates"); // later copies, first occurrence
        QTest::addColumn<QString>("where");

        QTest::newRow("an unseen cause (a command)")
            << 0u << "e-1 order.placed v1 order-service 2026-03-02T10:00:00.000000000Z c-1001"
            << "cmd-checkout-1 unseen"
            << "e-2@1+45 ms"
            << ""
            << "0 0"
            << "saga.jsonl line 1";
        QTest::newRow("a seen cause, 45 ms before; its effect 135 ms after; a later id collision")
            << 1u << "e-2 inventory.reserved v1 inventory-service 2026-03-02T10:00:00.045000000Z c-1001"
            << "e-1 -> order.placed order-service 45 ms"
            << "e-3@2+135 ms"
            << ""
            << "1 1"
            << "saga.jsonl line 2";
        QTest::newRow("an offset time is shown in UTC")
            << 2u << "e-3 payment.authorized v1 payment-service 2026-03-02T10:00:00.180000000Z c-1001"
            << "e-2 -> inventory.reserved inventory-service 135 ms"
            << "e-4@3+240 ms"
            << ""
            << "0 2"
            << "saga.jsonl line 3";
        QTest::newRow("a root with an effect")
            << 5u << "e-6 order.placed v1 order-service 2026-03-02T10:00:01.000000000Z c-1002"
            << ""
            << "e-7@6+30 ms"
            << "root (no causationId)"
            << "0 5"
            << "saga.jsonl line 6";
        QTest::newRow("a failure with two reactions, delivered twice")
            << 7u << "e-8 payment.failed v1 payment-service 2026-03-02T10:00:01.250000000Z c-1002"
            << "e-7 -> inventory.reserved inventory-service 220 ms"
            << "e-9@8+50 ms e-10@9+70 ms"
            << ""
            << "1 7"
            << "saga.jsonl line 8";
        QTest::newRow("the redelivery") << 10u
                                        << "e-8 payment.failed v1 payment-service 2026-03-02T10:00:01.250000000Z c-1002"
                                        << "e-7 -> inventory.reserved inventory-service 220 ms"
                                        << "e-9@8+50 ms e-10@9+70 ms"
                                        << "redelivery (same bytes as an earlier event)"
                                        << "0 7"
                                        << "saga.jsonl line 11";
        QTest::newRow("stamped 30 ms before its cause")
            << 11u << "e-11 notification.sent v1 notification-service 2026-03-02T10:00:01.290000000Z c-1002"
            << "e-10 -> order.cancelled order-service -30 ms"
            << ""
            << "stamped before its cause (clock skew)"
            << "0 11"
            << "saga.jsonl line 12";
        QTest::newRow("a CloudEvent, v2 from its type's suffix")
            << 12u << "e-12 order.placed v2 order-service 2026-03-02T10:00:02.000000000Z c-1003"
            << ""
            << ""
            << "root (no causationId), CloudEvents 1.0"
            << "0 12"
            << "saga.jsonl line 13";
        QTest::newRow("the id collision")
            << 13u << "e-2 inventory.reserved v1 inventory-service 2026-03-02T10:00:00.046000000Z c-1001"
            << "e-1 -> order.placed order-service 46 ms"
            << "e-3@2+134 ms"
            << "id collision (an earlier event has this eventId)"
            << "0 1"
            << "saga.jsonl line 14";
    }
    void envelope()
    {
        QFETCH(uint, index);
        QFETCH(QString, expected);
        QFETCH(QString, cause);
        QFETCH(QString, effects);
        QFETCH(QString, flags);
        QFETCH(QString, duplicates);
        QFETCH(QString, where);

        const EventEnvelope e = EventEnvelope::of(saga().store, index);
        QCOMPARE(e.index, index);
        QCOMPARE(QString::fromStdString(e.eventId + " " + e.eventType + " v" + std::to_string(e.version) + " "
                                        + e.source + " " + e.time + " " + e.correlationId),
                 expected);
        std::string c = e.causationId;
        if (e.cause.seen())
            c += " -> " + e.cause.eventType + " " + e.cause.source + " " + e.cause.lag;
        else if (!e.causationId.empty())
            c += " unseen";
        QCOMPARE(QString::fromStdString(c), cause);
        QCOMPARE(QString::fromStdString(effectsOf(e)), effects);
        QCOMPARE(QString::fromStdString(e.flagsText()), flags);
        QCOMPARE(QStringLiteral("%1 %2").arg(e.duplicates).arg(e.firstOccurrence), duplicates);
        QCOMPARE(QString::fromStdString(e.where()), where);
        QVERIFY(e.origin.ends_with("/saga.jsonl"));
        QCOMPARE(e.received, std::string()); // saga.jsonl has no receive times
        QCOMPARE(e.ingestLag, std::string());
        QCOMPARE(e.rawBytes, uint64_t(saga().store.raw(index).size()));
    }

    void envelopeOfARecordedLiveEvent()
    {
        // A recorder line: receive time and topic in the reserved member; no version, no correlation.
        const std::string line = "{\"eventId\":\"r-1\",\"eventType\":\"scan.made\",\"timestamp\":\"2026-03-02T10:00:00."
                                 "100Z\",\"source\":\"scanner\","
                                 "\"causationId\":\"e-404\",\"data\":{\"parcel\":\"P-1\"},\"_eventlens\":{"
                                 "\"receivedAt\":\"2026-03-02T10:00:00.112500Z\",\"topic\":\"scans\"}}";
        EventStore store;
        Decoder decoder;
        DecodedEvent d;
        DecodeError error;
        QVERIFY2(decoder.decode(line, d, error), error.text().c_str());
        const uint32_t i = store.append(d, store.addOrigin("tcp://127.0.0.1:5556"), 0);
        const EventEnvelope e = EventEnvelope::of(store, i);
        QCOMPARE(e.received, std::string("2026-03-02T10:00:00.112500000Z"));
        QCOMPARE(e.ingestLag, std::string("12.5 ms"));
        QCOMPARE(e.topic, std::string("scans"));
        QCOMPARE(e.where(), std::string("tcp://127.0.0.1:5556"));
        QCOMPARE(e.correlationId, std::string());
        QCOMPARE(e.flagsText(), std::string("no correlationId, no eventVersion (taken as 1)"));
        QVERIFY(e.defaultVersion);
        QVERIFY(!e.cause.seen());
        // The whole details: the tree has the recorder's member too, as received.
        const EventDetails details = EventDetails::of(store, i);
        QVERIFY(details.tree.ok());
        QVERIFY(child(details.tree.root, "_eventlens"));
        QCOMPARE(details.tree.copyText("/data/parcel"), std::string("P-1"));
    }

    void manyEffectsAreCounted()
    {
        EventStore store;
        Decoder decoder;
        auto add = [&](const std::string &json) {
            DecodedEvent d;
            DecodeError error;
            QVERIFY2(decoder.decode(json, d, error), error.text().c_str());
            store.append(d);
        };
        add("{\"eventId\":\"root\",\"eventType\":\"t\",\"timestamp\":\"2026-03-02T10:00:00Z\",\"source\":\"s\","
            "\"correlationId\":\"c\"}");
        for (int i = 0; i < 60; ++i)
            add("{\"eventId\":\"x" + std::to_string(i)
                + "\",\"eventType\":\"u\",\"timestamp\":\"2026-03-02T10:00:01Z\",\"source\":\"s\",\"correlationId\":"
                  "\"c\",\"causationId\":\"root\"}");
        const EventEnvelope e = EventEnvelope::of(store, 0);
        QCOMPARE(e.effects.size(), EventEnvelope::kMaxEffects);
        QCOMPARE(e.moreEffects, size_t(10));
        QCOMPARE(e.effects.front().eventId, std::string("x0")); // arrival order
        QCOMPARE(e.effects.front().lag, std::string("1 s"));
    }

    void tree_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<bool>("replaced");

        QTest::newRow("nested objects and arrays, in the order received")
            << QByteArray("{\"z\":1,\"a\":{\"b\":[1,\"x\",true,null,{\"c\":2.5}]},\"e\":[],\"o\":{}}")
            << QStringList{"/z number 1",          "/a object {1 member}",
                           "/a/b array [5 items]", "/a/b/0 number 1",
                           "/a/b/1 string \"x\"",  "/a/b/2 bool true",
                           "/a/b/3 null null",     "/a/b/4 object {1 member}",
                           "/a/b/4/c number 2.5",  "/e array []",
                           "/o object {}"}
            << false;
        QTest::newRow("escapes are shown as JSON escapes, other characters as themselves")
            << QByteArray("{\"s\":\"a\\\"b\\\\c\\nd\\u00e9\\t\\u263a\"}")
            << QStringList{"/s string \"a\\\"b\\\\c\\nd\u00e9\\t\u263a\""} << false;
        QTest::newRow("pointer tokens escape ~ and /")
            << QByteArray("{\"a/b\":{\"c~d\":0},\"\":1}")
            << QStringList{"/a~1b object {1 member}", "/a~1b/c~0d number 0", "/ number 1"} << false;
        QTest::newRow("invalid UTF-8 in a value is replaced") << QByteArray("{\"s\":\"a\xff"
                                                                            "b\xc3\"}")
                                                              << QStringList{"/s string \"a\uFFFDb\uFFFD\""} << true;
        QTest::newRow("lone surrogate escapes are replaced")
            << QByteArray("{\"s\":\"x\\ud800y\",\"t\":\"\\udc00\",\"pair\":\"\\ud83d\\ude00\"}")
            << QStringList{"/s string \"x\uFFFDy\"", "/t string \"\uFFFD\"", "/pair string \"\U0001F600\""} << true;
        QTest::newRow("numbers") << QByteArray(
            "{\"i\":-7,\"u\":18446744073709551615,\"f\":59.9,\"e\":1e3,\"big\":18446744073709551616}")
                                 << QStringList{"/i number -7", "/u number 18446744073709551615", "/f number 59.9",
                                                "/e number 1000.0", "/big number 1.8446744073709552e+19"}
                                 << false;
        QTest::newRow("duplicate members: the last value wins, in the first place")
            << QByteArray("{\"a\":1,\"b\":2,\"a\":3}") << QStringList{"/a number 3", "/b number 2"} << false;
        QTest::newRow("a CloudEvent") << QByteArray(
            "{\"specversion\":\"1.0\",\"id\":\"e-12\",\"type\":\"order.placed.v2\",\"source\":\"order-service\","
            "\"time\":\"2026-03-02T10:00:02Z\",\"traceparent\":\"00-4b-01\",\"data\":{\"orderId\":\"ORD-1003\","
            "\"total\":99}}")
                                      << QStringList{"/specversion string \"1.0\"",
                                                     "/id string \"e-12\"",
                                                     "/type string \"order.placed.v2\"",
                                                     "/source string \"order-service\"",
                                                     "/time string \"2026-03-02T10:00:02Z\"",
                                                     "/traceparent string \"00-4b-01\"",
                                                     "/data object {2 members}",
                                                     "/data/orderId string \"ORD-1003\"",
                                                     "/data/total number 99"}
                                      << false;
        QTest::newRow("a document that is not an object")
            << QByteArray("[1,[2]]") << QStringList{"/0 number 1", "/1 array [1 item]", "/1/0 number 2"} << false;
    }
    void tree()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, expected);
        QFETCH(bool, replaced);
        const JsonTree tree = JsonTree::parse(json.toStdString());
        QVERIFY2(tree.ok(), tree.error.c_str());
        QCOMPARE(flatten(tree.root), expected);
        QCOMPARE(tree.replacedUtf8, replaced);
        QCOMPARE(tree.nodes, size_t(expected.size() + 1));
        QVERIFY(isValidUtf8(tree.pretty));
    }

    void keysAndCopyText()
    {
        const JsonTree tree = JsonTree::parse(
            "{\"data\":{\"items\":[{\"sku\":\"A\\\"1\\n\"},{\"sku\":\"B\"}],\"n\":1.10,\"ok\":false,\"none\":null}}");
        QVERIFY(tree.ok());
        const JsonNode *data = child(tree.root, "data");
        QVERIFY(data);
        const JsonNode *items = child(*data, "items");
        QVERIFY(items);
        QCOMPARE(items->children[1].key, std::string("[1]"));
        QCOMPARE(items->children[1].pointer, std::string("/data/items/1"));
        // A string's text, unescaped; anything else as compact JSON.
        QCOMPARE(tree.copyText("/data/items/0/sku"), std::string("A\"1\n"));
        QCOMPARE(tree.copyText("/data/items/1"), std::string("{\"sku\":\"B\"}"));
        QCOMPARE(tree.copyText("/data/n"), std::string("1.1"));
        QCOMPARE(tree.copyText("/data/ok"), std::string("false"));
        QCOMPARE(tree.copyText("/data/none"), std::string("null"));
        QCOMPARE(tree.copyText(""), std::string("{\"data\":{\"items\":[{\"sku\":\"A\\\"1\\n\"},{\"sku\":\"B\"}],\"n\":"
                                                "1.1,\"ok\":false,\"none\":null}}"));
        QCOMPARE(tree.copyText("/data/nothing"), std::string());
        QCOMPARE(tree.copyText("not a pointer"), std::string());
    }

    void pretty()
    {
        // Indented two spaces a level; tokens (number spelling, escapes) exactly as received.
        const JsonTree tree =
            JsonTree::parse("{\"a\" : [1.10, {\"b\":\"x\\u00e9,:{\"}], \"e\":{ }, \"f\":[ ] ,\"g\":{\"h\":null}}");
        QVERIFY(tree.ok());
        QCOMPARE(QString::fromStdString(tree.pretty), QStringLiteral("{\n"
                                                                     "  \"a\": [\n"
                                                                     "    1.10,\n"
                                                                     "    {\n"
                                                                     "      \"b\": \"x\\u00e9,:{\"\n"
                                                                     "    }\n"
                                                                     "  ],\n"
                                                                     "  \"e\": {},\n"
                                                                     "  \"f\": [],\n"
                                                                     "  \"g\": {\n"
                                                                     "    \"h\": null\n"
                                                                     "  }\n"
                                                                     "}"));
        std::string out;
        QVERIFY(!indentJson("{\"a\":[1}", 64, out));
        QVERIFY(out.empty());
        QVERIFY(!indentJson("{\"a\":\"unterminated}", 64, out));
        QVERIFY(!indentJson("[[[1]]]", 2, out));
        QVERIFY(indentJson("[[[1]]]", 3, out));
    }

    void notJson_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("error");
        QTest::newRow("prose") << QByteArray("this is not json")
                               << "not shown as a tree: parse error at line 1, column 2";
        QTest::newRow("torn") << QByteArray("{\"eventId\":\"e-13\",\"eventType\":\"order.pl")
                              << "not shown as a tree: parse error";
        QTest::newRow("trailing garbage") << QByteArray("{\"a\":1} x") << "not shown as a tree: parse error";
        QTest::newRow("a number beyond a double")
            << QByteArray("{\"a\":1e400}") << "not shown as a tree: number overflow";
    }
    void notJson()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, error);
        const JsonTree tree = JsonTree::parse(bytes.toStdString());
        QVERIFY(!tree.ok());
        QVERIFY2(QString::fromStdString(tree.error).startsWith(error), tree.error.c_str());
        QVERIFY(tree.root.children.empty());
        QCOMPARE(tree.copyText(""), std::string());
        QVERIFY(!tree.pretty.empty());
    }

    void hugeContainersAreCapped()
    {
        std::string json = "{\"data\":[";
        for (int i = 0; i < 25'000; ++i)
            json += (i ? "," : "") + std::to_string(i);
        json += "],\"s\":\"" + std::string(5000, 'x') + "\"}";
        const JsonTree tree = JsonTree::parse(json);
        QVERIFY(tree.ok());
        const JsonNode *data = child(tree.root, "data");
        QVERIFY(data);
        QCOMPARE(data->size, uint64_t(25'000));
        QCOMPARE(data->value, std::string("[25,000 items]"));
        QCOMPARE(data->children.size(), size_t(10'001));
        const JsonNode &more = data->children.back();
        QCOMPARE(more.kind, JsonNode::Kind::More);
        QCOMPARE(more.key, std::string("… 15,000 more"));
        QCOMPARE(more.size, uint64_t(15'000));
        QCOMPARE(data->children[9'999].pointer, std::string("/data/9999"));
        // Copying still gives everything.
        QCOMPARE(tree.copyText("/data").size(), json.find("],") - json.find('[') + 1);
        const JsonNode *s = child(tree.root, "s");
        QVERIFY(s && s->cut);
        QCOMPARE(s->value, "\"" + std::string(1000, 'x') + "\"…");
        QCOMPARE(tree.copyText("/s"), std::string(5000, 'x'));
    }

    void nodeBudget()
    {
        // 3 000 arrays of 100 items: 303 001 nodes in full; the budget stops at about 200 000,
        // breadth first, so every array is there and the last ones stand behind More nodes.
        std::string json = "[";
        for (int i = 0; i < 3000; ++i) {
            json += i ? ",[" : "[";
            for (int k = 0; k < 100; ++k)
                json += k ? ",1" : "1";
            json += "]";
        }
        json += "]";
        const JsonTree tree = JsonTree::parse(json);
        QVERIFY(tree.ok());
        QCOMPARE(tree.root.children.size(), size_t(3000));
        QVERIFY2(tree.nodes <= JsonTree::Limits{}.maxNodes + 3000, qPrintable(QString::number(tree.nodes)));
        const JsonNode &last = tree.root.children.back();
        QCOMPARE(last.children.size(), size_t(1));
        QCOMPARE(last.children[0].kind, JsonNode::Kind::More);
        QCOMPARE(last.children[0].size, uint64_t(100));
        QCOMPARE(tree.root.children.front().children.size(), size_t(100));
    }

    void deepNesting_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("tree");
        auto nest = [](int depth, const char *open, const char *inner, const char *close) {
            QByteArray s;
            for (int i = 0; i < depth; ++i)
                s += open;
            s += inner;
            for (int i = 0; i < depth; ++i)
                s += close;
            return s;
        };
        QTest::newRow("200 arrays") << nest(200, "[", "1", "]") << true;
        QTest::newRow("100 000 arrays") << nest(100'000, "[", "1", "]") << false;
        QTest::newRow("100 000 objects") << nest(100'000, "{\"a\":", "1", "}") << false;
        QTest::newRow("100 000 unclosed") << nest(100'000, "[", "", "") << false;
    }
    void deepNesting()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, tree);
        const JsonTree t = JsonTree::parse(json.toStdString());
        QCOMPARE(t.ok(), tree);
        if (!tree) {
            QVERIFY2(t.error.find("too deep") != std::string::npos, t.error.c_str());
            QCOMPARE(t.pretty, json.toStdString()); // the bytes, not 100 000 indented lines
        } else {
            const JsonNode *n = &t.root;
            int depth = 0;
            while (!n->children.empty()) {
                n = &n->children.front();
                ++depth;
            }
            QCOMPARE(depth, 200);
            QCOMPARE(n->value, std::string("1"));
        }
    }

    void utf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QByteArray>("replaced");
        QTest::newRow("ascii") << QByteArray("abc") << true << QByteArray("abc");
        QTest::newRow("2, 3 and 4 bytes") << QByteArray("\xc3\xa9\xe2\x98\xba\xf0\x9f\x98\x80") << true
                                          << QByteArray("\xc3\xa9\xe2\x98\xba\xf0\x9f\x98\x80");
        QTest::newRow("a lone continuation byte") << QByteArray("a\x80z") << false << QByteArray("a\xef\xbf\xbdz");
        QTest::newRow("an overlong") << QByteArray("\xc0\xaf") << false << QByteArray("\xef\xbf\xbd\xef\xbf\xbd");
        QTest::newRow("a surrogate") << QByteArray("\xed\xa0\x80") << false
                                     << QByteArray("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        QTest::newRow("cut short: one replacement") << QByteArray("\xe2\x98z") << false << QByteArray("\xef\xbf\xbdz");
        QTest::newRow("cut at the end") << QByteArray("ok\xf0\x9f\x98") << false << QByteArray("ok\xef\xbf\xbd");
        QTest::newRow("beyond U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false
                                         << QByteArray("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    }
    void utf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QFETCH(QByteArray, replaced);
        QCOMPARE(isValidUtf8(bytes.toStdString()), valid);
        QCOMPARE(QByteArray::fromStdString(toValidUtf8(bytes.toStdString())), replaced);
    }

    void rejectDetails()
    {
        RejectedInput r;
        r.origin = "/tmp/x/orders.jsonl";
        r.line = 12;
        r.reason = "field 'timestamp': \"yesterday\" is not an RFC 3339 time";
        r.frames = {std::string("{\"eventId\":\"e-bad\",\n\"timestamp\":\"yesterday\"}"), std::string("\x00\xff\x10"
                                                                                                      "abc",
                                                                                                      6)};
        r.bytes = 100'000;
        const RejectDetails d = RejectDetails::of(r);
        QCOMPARE(d.where, std::string("orders.jsonl line 12"));
        QCOMPARE(d.reason, r.reason);
        QCOMPARE(d.received, std::string());
        QVERIFY(d.cut);
        QCOMPARE(d.frames.size(), size_t(2));
        QVERIFY(!d.frames[0].hex);
        QCOMPARE(d.frames[0].text, r.frames[0]);
        QVERIFY(d.frames[1].hex);
        QCOMPARE(d.frames[1].bytes, size_t(6));
        QCOMPARE(d.frames[1].text,
                 std::string("00000000  00 ff 10 61 62 63                                 |...abc|\n"));
        // Valid UTF-8 with control characters is binary too.
        RejectedInput live;
        live.origin = "tcp://127.0.0.1:5556";
        live.topic = "orders";
        live.frames = {"orders", std::string("a\x01"
                                             "b")};
        live.bytes = 9;
        live.receivedNs = 1'772'445'600'000'000'000;
        const RejectDetails l = RejectDetails::of(live);
        QCOMPARE(l.where, std::string("tcp://127.0.0.1:5556"));
        QCOMPARE(l.topic, std::string("orders"));
        QCOMPARE(l.received, std::string("2026-03-02T10:00:00.000000000Z"));
        QVERIFY(!l.cut);
        QVERIFY(!l.frames[0].hex);
        QVERIFY(l.frames[1].hex);
    }

    void hexDumpLines()
    {
        std::string bytes;
        for (int i = 0; i < 20; ++i)
            bytes.push_back(static_cast<char>(0x41 + i));
        QCOMPARE(QString::fromStdString(hexDump(bytes)),
                 QStringLiteral("00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n"
                                "00000010  51 52 53 54                                       |QRST|\n"));
        QCOMPARE(hexDump(""), std::string());
    }
};

QTEST_GUILESS_MAIN(TstEventDetails)
#include "tst_eventdetails.moc"
