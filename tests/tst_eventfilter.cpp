// The filter bar's query language: parsing (and every error, with its span), matching on
// real decoded events (duplicates, skew, ghost causes, CloudEvents, topics), rejected input,
// completion, and select() agreeing with matches() on ranges big enough to use two threads.
#include "core/eventfilter.h"
#include "core/eventstore.h"
#include "core/rejectedinput.h"
#include "testsupport.h"

#include <QtTest>

#include <string>
#include <vector>

using namespace eventlens;

namespace {

/// One event at `ms` after 2026-03-02T10:00:00Z.
std::string ev(const std::string &id, const std::string &type, const std::string &source, int ms,
               const std::string &corr, const std::string &cause = {}, int version = 1, const std::string &data = "{}",
               const std::string &topic = {})
{
    char time[64];
    std::snprintf(time, sizeof time, "2026-03-02T10:00:%02d.%03dZ", ms / 1000, ms % 1000);
    std::string s = "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"eventVersion\":"
                    + std::to_string(version) + ",\"timestamp\":\"" + time + "\",\"source\":\"" + source + "\"";
    if (!corr.empty())
        s += ",\"correlationId\":\"" + corr + "\"";
    if (!cause.empty())
        s += ",\"causationId\":\"" + cause + "\"";
    s += ",\"data\":" + data;
    if (!topic.empty())
        s += ",\"_eventlens\":{\"topic\":\"" + topic + "\"}";
    return s + "}";
}

/// The fixture, one line per store index (the comments say what each one is for).
std::vector<std::string> fixtureLines()
{
    const std::string inventory = ev("e-2", "inventory.reserved", "inventory-service", 45, "c-1001", "e-1");
    return {
        // 0: a root with a topic and an order id
        ev("e-1", "order.placed", "order-service", 0, "c-1001", {}, 1, R"({"orderId":"ORD-1701"})", "orders"),
        // 1: lag 45 ms
        inventory,
        // 2: v2, lag 255 ms (its cause is the first e-2)
        ev("e-3", "payment.authorized", "payment-service", 300, "c-1001", "e-2", 2),
        // 3: a ghost cause (cmd-9 is no event)
        ev("e-4", "payment.failed", "payment-service", 400, "c-1002", "cmd-9", 1, R"({"reason":"card declined"})"),
        // 4: skew: stamped 50 ms before its cause e-3
        ev("e-5", "shipment.scheduled", "shipping-service", 250, "c-1001", "e-3"),
        // 5: a redelivery of 1 (same bytes), lag 45 ms
        inventory,
        // 6: an id collision with 2 (other content), lag 265 ms
        ev("e-3", "payment.authorized", "payment-service", 310, "c-1001", "e-2", 2, R"({"retry":true})"),
        // 7: a CloudEvent without correlation: a root
        R"({"specversion":"1.0","id":"e-6","type":"order.cancelled","source":"order-service","time":"2026-03-02T10:00:01Z","data":{}})",
        // 8: a source with a blank, v3, lag 1.1 s, another topic
        ev("e-7", "notification.sent", "notification service", 1500, "c-2001", "e-4", 3, "{}", "notify.email"),
        // 9: lower-case order id, non-ASCII text
        ev("e-8", "order.placed", "order-service", 2000, "c-2002", {}, 1, R"({"orderId":"ord-1702","note":"Straße"})",
           "orders"),
    };
}

/// The fixture's rejected line: `saga.jsonl line 15`, before event 5.
RejectedInput fixtureReject()
{
    RejectedInput r;
    r.origin = "/data/saga.jsonl";
    r.line = 15;
    r.reason = R"(field 'timestamp': "yesterday" is not an RFC 3339 time)";
    r.frames = {R"({"eventId":"e-bad","eventType":"order.placed","timestamp":"yesterday"})"};
    r.bytes = r.frames[0].size();
    r.beforeEvent = 5;
    return r;
}

QString indexes(const std::vector<uint32_t> &v)
{
    QStringList s;
    for (uint32_t i : v)
        s << QString::number(i);
    return s.join(',');
}

EventFilter parsed(const QString &query)
{
    EventFilter::Error error;
    const auto f = EventFilter::parse(query.toStdString(), error);
    if (!f)
        qFatal("query '%s' does not parse: %s", qPrintable(query), error.message.c_str());
    return *f;
}

} // namespace

class TstEventFilter : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void matchesEvents_data();
    void matchesEvents();
    void matchesRejects_data();
    void matchesRejects();
    void textSearch_data();
    void textSearch();
    void parseErrors_data();
    void parseErrors();
    void emptyQueryMatchesEverything();
    void selectRanges();
    void selectAgreesWithMatchesOnBigStores();
    void evictedEventsAreNotSelected();
    void completions_data();
    void completions();
    void tokenAt_data();
    void tokenAt();

private:
    EventStore m_store;
};

void TstEventFilter::initTestCase()
{
    std::string error;
    QVERIFY2(appendOneByOne(fixtureLines(), m_store, {}, error), error.c_str());
    QCOMPARE(m_store.size(), 10u);
    // The fixture is what its comments say.
    QVERIFY(m_store.record(5).flags & Redelivery);
    QVERIFY(m_store.record(6).flags & IdCollision);
    QVERIFY(m_store.record(7).flags & CloudEvent);
    QCOMPARE(m_store.cause(3), EventStore::kNone);
    QCOMPARE(m_store.topicName(m_store.record(8).topic), std::string_view("notify.email"));
}

void TstEventFilter::matchesEvents_data()
{
    // clang-format off
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("expected"); // store indexes

    QTest::newRow("empty") << "" << "0,1,2,3,4,5,6,7,8,9";
    QTest::newRow("blanks") << "  \t " << "0,1,2,3,4,5,6,7,8,9";
    // type: exact, case-sensitive; globs; lists; negation
    QTest::newRow("type exact") << "type:order.placed" << "0,9";
    QTest::newRow("type is not a prefix") << "type:order" << "";
    QTest::newRow("type is case-sensitive") << "type:Order.placed" << "";
    QTest::newRow("type glob") << "type:order.*" << "0,7,9";
    QTest::newRow("type glob in front") << "type:*.placed" << "0,9";
    QTest::newRow("type glob in the middle") << "type:p*.a*d" << "2,6";
    QTest::newRow("type list") << "type:order.placed,order.cancelled" << "0,7,9";
    QTest::newRow("type negated") << "-type:order.*" << "1,2,3,4,5,6,8";
    QTest::newRow("field name case") << "TYPE:order.placed" << "0,9";
    QTest::newRow("alias eventType") << "eventType:order.placed" << "0,9";
    // source
    QTest::newRow("source") << "source:payment-service" << "2,3,6";
    QTest::newRow("source glob") << "source:payment-*" << "2,3,6";
    QTest::newRow("source quoted with a blank") << R"(source:"notification service")" << "8";
    QTest::newRow("source list with a quoted value") << R"(source:"notification service",shipping-service)" << "4,8";
    // topic
    QTest::newRow("topic") << "topic:orders" << "0,9";
    QTest::newRow("topic glob") << "topic:notify.*" << "8";
    QTest::newRow("topic negated includes no topic") << "-topic:orders" << "1,2,3,4,5,6,7,8";
    // ids: prefixes, globs, the table's ellipsis
    QTest::newRow("id prefix") << "id:e-3" << "2,6";
    QTest::newRow("id prefix of all") << "id:e-" << "0,1,2,3,4,5,6,7,8,9";
    QTest::newRow("id is case-sensitive") << "id:E-3" << "";
    QTest::newRow("corr prefix") << "corr:c-10" << "0,1,2,3,4,5,6";
    QTest::newRow("corr whole") << "corr:c-1001" << "0,1,2,4,5,6";
    QTest::newRow("corr shortened by the table") << "corr:c-100\u2026" << "0,1,2,3,4,5,6";
    QTest::newRow("corr glob") << "corr:*01" << "0,1,2,4,5,6,8";
    QTest::newRow("corr list") << "corr:c-1002,c-2" << "3,8,9";
    QTest::newRow("alias correlation") << "correlation:c-2" << "8,9";
    QTest::newRow("cause prefix") << "cause:e-2" << "2,6";
    QTest::newRow("cause unseen") << "cause:cmd" << "3";
    // the cause's type and source (a topology edge click)
    QTest::newRow("cause.type") << "cause.type:order.placed" << "1,5";
    QTest::newRow("cause.source") << "cause.source:payment-service" << "4,8";
    QTest::newRow("cause.source glob and source") << "source:shipping-service cause.source:pay*" << "4";
    QTest::newRow("cause.type of a ghost") << "cause.type:*" << "1,2,4,5,6,8";
    // version
    QTest::newRow("version") << "version:2" << "2,6";
    QTest::newRow("version =") << "version=3" << "8";
    QTest::newRow("version >=") << "version>=2" << "2,6,8";
    QTest::newRow("version >") << "version>2" << "8";
    QTest::newRow("version <") << "version<2" << "0,1,3,4,5,7,9";
    QTest::newRow("version <=") << "version<=2" << "0,1,2,3,4,5,6,7,9";
    QTest::newRow("version list") << "version:1,3" << "0,1,3,4,5,7,8,9";
    // lag: operators and units; no cause in the store, no lag
    QTest::newRow("lag >") << "lag>200ms" << "2,6,8";
    QTest::newRow("lag >=") << "lag>=255ms" << "2,6,8";
    QTest::newRow("lag =") << "lag=45ms" << "1,5";
    QTest::newRow("lag :") << "lag:45ms" << "1,5";
    QTest::newRow("lag < 0") << "lag<0" << "4";
    QTest::newRow("lag negative") << "lag<-40ms" << "4";
    QTest::newRow("lag <= negative") << "lag<=-50ms" << "4";
    QTest::newRow("lag < negative, strict") << "lag<-50ms" << "";
    QTest::newRow("lag <") << "lag<100ms" << "1,4,5";
    QTest::newRow("lag s") << "lag>1s" << "8";
    QTest::newRow("lag fraction") << "lag>1.2s" << "";
    QTest::newRow("lag m") << "lag>0.001m" << "2,6,8";
    QTest::newRow("lag min") << "lag<0.01min" << "1,2,4,5,6";
    QTest::newRow("lag us") << "lag>255000us" << "6,8";
    QTest::newRow("lag µs") << "lag>255000µs" << "6,8";
    QTest::newRow("lag ns") << "lag>254999999ns" << "2,6,8";
    QTest::newRow("lag negated includes no lag") << "-lag>200ms" << "0,1,3,4,5,7,9";
    // is:
    QTest::newRow("is duplicate") << "is:duplicate" << "5,6";
    QTest::newRow("is redelivery") << "is:redelivery" << "5";
    QTest::newRow("is collision") << "is:collision" << "6";
    QTest::newRow("is skew") << "is:skew" << "4";
    QTest::newRow("is ghost") << "is:ghost" << "3";
    QTest::newRow("is root") << "is:root" << "0,7,9";
    QTest::newRow("is cloudevent") << "is:cloudevent" << "7";
    QTest::newRow("is nocorr") << "is:nocorr" << "7";
    QTest::newRow("is rejected: no event") << "is:rejected" << "";
    QTest::newRow("is list") << "is:ghost,skew" << "3,4";
    QTest::newRow("is value case") << "is:Ghost" << "3";
    QTest::newRow("is negated") << "-is:root" << "1,2,3,4,5,6,8";
    // text: raw bytes, ASCII case ignored
    QTest::newRow("text") << "text:ORD-17" << "0,9";
    QTest::newRow("bare word") << "ord-17" << "0,9";
    QTest::newRow("text quoted") << R"(text:"card declined")" << "3";
    QTest::newRow("bare quoted") << R"("card declined")" << "3";
    QTest::newRow("text with an escaped quote") << R"(text:"\"orderId\":\"ord")" << "0,9";
    QTest::newRow("text non-ASCII exact") << "Straße" << "9";
    QTest::newRow("text non-ASCII case is not folded") << "STRASSE" << "";
    QTest::newRow("text list") << "text:declined,Straße" << "3,9";
    QTest::newRow("text negated") << "-ORD-17" << "1,2,3,4,5,6,7,8";
    QTest::newRow("text with quotes inside") << R"(text:"\"retry\":true")" << "6";
    QTest::newRow("a=b is text") << "a=b" << "";
    QTest::newRow("text matches field names too") << "eventVersion" << "0,1,2,3,4,5,6,8,9";
    QTest::newRow("text of a recorder member") << "notify.email" << "8";
    // combinations (AND)
    QTest::newRow("type and lag") << "type:payment.* lag>260ms" << "6";
    QTest::newRow("source and not duplicate") << "source:payment-service -is:duplicate" << "2,3";
    QTest::newRow("the issue's example") << R"(type:order.* source:payment-service corr:8f6d lag>200ms version:2 is:duplicate is:skew text:"ORD-17")"
                                        << "";
    QTest::newRow("four terms") << "corr:c-1001 lag>40ms version:1 -is:duplicate" << "1";
    QTest::newRow("blanks between terms") << "  type:order.*\t\tis:root  " << "0,7,9";
    // clang-format on
}

void TstEventFilter::matchesEvents()
{
    QFETCH(QString, query);
    QFETCH(QString, expected);
    const EventFilter filter = parsed(query);
    QCOMPARE(QString::fromStdString(filter.query()), query);

    std::vector<uint32_t> selected;
    filter.select(m_store, m_store.firstIndex(), m_store.endIndex(), selected);
    QCOMPARE(indexes(selected), expected);

    std::vector<uint32_t> one;
    for (uint32_t i = m_store.firstIndex(); i < m_store.endIndex(); ++i)
        if (filter.matches(m_store, i))
            one.push_back(i);
    QCOMPARE(indexes(one), expected);
}

void TstEventFilter::matchesRejects_data()
{
    // clang-format off
    QTest::addColumn<QString>("query");
    QTest::addColumn<bool>("matches");

    QTest::newRow("empty") << "" << true;
    QTest::newRow("is rejected") << "is:rejected" << true;
    QTest::newRow("is rejected negated") << "-is:rejected" << false;
    QTest::newRow("is list with rejected") << "is:duplicate,rejected" << true;
    QTest::newRow("is other") << "is:duplicate" << false;
    QTest::newRow("text in the bytes") << "text:e-bad" << true;
    QTest::newRow("text in the reason") << "\"RFC 3339\"" << true;
    QTest::newRow("text in the origin") << "saga.jsonl" << true;
    QTest::newRow("text nowhere") << "ORD-17" << false;
    QTest::newRow("text negated") << "-yesterday" << false;
    QTest::newRow("a field") << "type:order.placed" << false;
    QTest::newRow("a field negated") << "-type:order.placed" << true;
    QTest::newRow("lag") << "lag>1ms" << false;
    QTest::newRow("id") << "id:e-bad" << false;
    QTest::newRow("rejected and text") << "is:rejected yesterday" << true;
    QTest::newRow("rejected and a field") << "is:rejected source:x" << false;
    // clang-format on
}

void TstEventFilter::matchesRejects()
{
    QFETCH(QString, query);
    QFETCH(bool, matches);
    QCOMPARE(parsed(query).matches(fixtureReject()), matches);
}

void TstEventFilter::textSearch_data()
{
    // clang-format off
    // The searcher checks 16 positions at a time and the last ones with an overlapping
    // block: needles at every edge, haystacks around 16 bytes long.
    QTest::addColumn<QString>("hay");
    QTest::addColumn<QString>("needle");
    QTest::addColumn<bool>("found");

    const QString alphabet = QStringLiteral("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    QTest::newRow("one char, start") << "xyz" << "x" << true;
    QTest::newRow("one char, end") << "xyz" << "Z" << true;
    QTest::newRow("one char, absent") << "xyz" << "w" << false;
    QTest::newRow("whole") << "abc" << "ABC" << true;
    QTest::newRow("longer than the hay") << "abc" << "abcd" << false;
    QTest::newRow("15 bytes, end") << alphabet.left(15) << "mno" << true;
    QTest::newRow("16 bytes, end") << alphabet.left(16) << "nop" << true;
    QTest::newRow("17 bytes, end") << alphabet.left(17) << "opq" << true;
    QTest::newRow("18 bytes, start") << alphabet.left(18) << "abc" << true;
    QTest::newRow("31 bytes, end") << alphabet.left(31) << "34" << true;
    QTest::newRow("33 bytes, end") << alphabet.left(33) << "456" << true;
    QTest::newRow("33 bytes, next to the end") << alphabet.left(33) << "345" << true;
    QTest::newRow("33 bytes, absent") << alphabet.left(33) << "678" << false;
    QTest::newRow("62 bytes, whole") << alphabet << alphabet.toLower() << true;
    QTest::newRow("ends agree, middle not") << "xxxxxxxxxxxxxxxxxxxxoarxoyrxxxxx" << "oZr" << false;
    QTest::newRow("ends agree, middle too") << "xxxxxxxxxxxxxxxxxxxxoarxozrxxxxx" << "oZr" << true;
    QTest::newRow("case folded in the middle") << "xxxxxxxxxxxxxxxxxxxxxxxxORDER-17xxxxx" << "order-17" << true;
    QTest::newRow("@ is not `") << "xxxxxxxxxxxxxxxxxxxxxxxx`a`xxxxxxxxxx" << "@a@" << false;
    QTest::newRow("[ is not {") << "xxxxxxxxxxxxxxxxxxxxxxxx{a}xxxxxxxxxx" << "[a]" << false;
    QTest::newRow("UTF-8") << "xxxxxxxxxxxxxxxxxxxxxxxxZürich-Mülligen" << "zürich" << true;
    QTest::newRow("UTF-8 case not folded") << "xxxxxxxxxxxxxxxxxxxxxxxxZÜRICH" << "zürich" << false;
    // clang-format on
}

void TstEventFilter::textSearch()
{
    QFETCH(QString, hay);
    QFETCH(QString, needle);
    QFETCH(bool, found);
    RejectedInput r;
    r.frames = {hay.toStdString()};
    QCOMPARE(parsed("text:\"" + needle + "\"").matches(r), found);
}

void TstEventFilter::parseErrors_data()
{
    // clang-format off
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("offset"); // bytes
    QTest::addColumn<int>("length");

    const QString fields = "type, source, topic, id, corr, cause, cause.type, cause.source, version, lag, is, text";
    const QString isValues = "duplicate, redelivery, collision, skew, ghost, root, rejected, cloudevent, nocorr";
    QTest::newRow("unknown field, a guess") << "sorce:x" << "unknown field 'sorce' at 1 (did you mean 'source'?)" << 0
                                            << 5;
    QTest::newRow("unknown field, later") << "type:a corr:b sorce:x"
                                          << "unknown field 'sorce' at 15 (did you mean 'source'?)" << 14 << 5;
    QTest::newRow("unknown field, a prefix") << "ty:x" << "unknown field 'ty' at 1 (did you mean 'type'?)" << 0 << 2;
    QTest::newRow("unknown field, a dotted one") << "cause.typ:x"
                                                 << "unknown field 'cause.typ' at 1 (did you mean 'cause.type'?)" << 0
                                                 << 9;
    QTest::newRow("unknown field, no guess") << "type:a foo:b"
                                             << "unknown field 'foo' at 8 (fields: " + fields + ")" << 7 << 3;
    QTest::newRow("unknown field, negated") << "-sorce:x" << "unknown field 'sorce' at 2 (did you mean 'source'?)"
                                            << 1 << 5;
    QTest::newRow("columns count characters") << "µs sorce:x"
                                              << "unknown field 'sorce' at 4 (did you mean 'source'?)" << 4 << 5;
    QTest::newRow("no duration") << "lag>" << "expected a duration after 'lag>' at 4" << 3 << 1;
    QTest::newRow("no duration, two-char op") << "lag>= type:x" << "expected a duration after 'lag>=' at 4" << 3 << 2;
    QTest::newRow("no unit") << "lag>200" << "'200' needs a unit (ns, us, ms, s or m) at 5" << 4 << 3;
    QTest::newRow("not a duration") << "lag>abc" << "'abc' is not a duration (e.g. 200ms, 1.5s) at 5" << 4 << 3;
    QTest::newRow("two points") << "lag>1.2.3s" << "'1.2.3s' is not a duration (e.g. 200ms, 1.5s) at 5" << 4 << 6;
    QTest::newRow("unknown unit") << "lag>5parsecs" << "unknown unit 'parsecs' (ns, us, ms, s or m) at 6" << 5 << 7;
    QTest::newRow("lag list with <") << "lag<1ms,2ms" << "'lag<' takes one value, not a list at 8" << 7 << 1;
    QTest::newRow("no value") << "type:" << "expected a value after 'type:' at 5" << 4 << 1;
    QTest::newRow("no value, a blank") << "type: order.placed" << "expected a value after 'type:' at 5" << 4 << 1;
    QTest::newRow("no is value") << "is:" << "expected one of " + isValues + " after 'is:' at 3" << 2 << 1;
    QTest::newRow("trailing comma") << "type:a," << "expected a value after ',' at 7" << 6 << 1;
    QTest::newRow("empty list item") << "type:a,,b" << "expected a value after ',' at 7" << 6 << 1;
    QTest::newRow("empty quotes") << R"(type:"")" << "empty quotes at 6" << 5 << 2;
    QTest::newRow("a bare comma") << ",x" << "unexpected ',' at 1" << 0 << 1;
    QTest::newRow("unterminated quote") << R"(text:"ORD-17)" << "unterminated quote at 6" << 5 << 7;
    QTest::newRow("unterminated quote, bare") << R"(type:a "card declined)" << "unterminated quote at 8" << 7 << 14;
    QTest::newRow("escaped closing quote") << R"("a\")" << "unterminated quote at 1" << 0 << 4;
    QTest::newRow("version not a number") << "version:x" << "'x' is not a version number (1 or more) at 9" << 8
                                          << 1;
    QTest::newRow("version 0") << "version>=0" << "'0' is not a version number (1 or more) at 10" << 9 << 1;
    QTest::newRow("version too big") << "version:123456" << "'123456' is not a version number (1 or more) at 9"
                                     << 8 << 6;
    QTest::newRow("version list with >") << "version>1,2" << "'version>' takes one value, not a list at 10" << 9
                                         << 1;
    QTest::newRow("is, a guess") << "is:dupe" << "unknown value 'dupe' for 'is:' at 4 (did you mean 'duplicate'?)"
                                 << 3 << 4;
    QTest::newRow("is, a typo") << "is:gohst" << "unknown value 'gohst' for 'is:' at 4 (did you mean 'ghost'?)" << 3
                                << 5;
    QTest::newRow("is, no guess") << "is:foo"
                                  << "unknown value 'foo' for 'is:' at 4 (one of " + isValues + ")" << 3 << 3;
    QTest::newRow("is, second of a list") << "is:root,foo"
                                          << "unknown value 'foo' for 'is:' at 9 (one of " + isValues + ")" << 8 << 3;
    QTest::newRow("type does not compare") << "type>x" << "'type' does not compare with '>' (write type:VALUE) at 5"
                                           << 4 << 1;
    QTest::newRow("a lone minus") << "-" << "expected a term after '-' at 1" << 0 << 1;
    QTest::newRow("a minus before a blank") << "type:a - b" << "expected a term after '-' at 8" << 7 << 1;
    QTest::newRow("the first error wins") << "sorce:x lag>" << "unknown field 'sorce' at 1 (did you mean 'source'?)"
                                          << 0 << 5;
    // clang-format on
}

void TstEventFilter::parseErrors()
{
    QFETCH(QString, query);
    QFETCH(QString, message);
    QFETCH(int, offset);
    QFETCH(int, length);
    EventFilter::Error error;
    const auto filter = EventFilter::parse(query.toStdString(), error);
    QVERIFY(!filter);
    QCOMPARE(QString::fromStdString(error.message), message);
    QCOMPARE(int(error.offset), offset);
    QCOMPARE(int(error.length), length);
}

void TstEventFilter::emptyQueryMatchesEverything()
{
    QVERIFY(EventFilter().matchesEverything());
    QVERIFY(parsed("").matchesEverything());
    QVERIFY(parsed("   ").matchesEverything());
    QVERIFY(!parsed("is:root").matchesEverything());
    QVERIFY(parsed(" is:root ") == parsed("is:root"));
    QVERIFY(!(parsed("is:root") == parsed("is:ghost")));
    QVERIFY(EventFilter() == parsed(""));
}

void TstEventFilter::selectRanges()
{
    std::vector<uint32_t> out{42}; // select() appends
    EventFilter().select(m_store, 3, 7, out);
    QCOMPARE(indexes(out), QStringLiteral("42,3,4,5,6"));
    out.clear();
    parsed("is:duplicate").select(m_store, 6, 100, out);
    QCOMPARE(indexes(out), QStringLiteral("6"));
    out.clear();
    parsed("is:duplicate").select(m_store, 7, 3, out);
    QVERIFY(out.empty());
    QVERIFY(!EventFilter().matches(m_store, 10));
}

void TstEventFilter::selectAgreesWithMatchesOnBigStores()
{
    // Enough events for select() to split the range over two threads (64 Ki and up).
    EventStore store;
    std::vector<std::string> lines;
    const int n = 80'000;
    lines.reserve(n);
    const char *types[] = {"order.placed", "payment.authorized", "payment.failed", "shipment.created"};
    const char *sources[] = {"order-service", "payment-service", "shipping-service"};
    for (int i = 0; i < n; ++i) {
        const std::string corr = "c-" + std::to_string(i / 7);
        const std::string cause = i % 7 == 0 ? std::string() : (i % 97 == 0 ? "cmd-" : "e-") + std::to_string(i - 1);
        const int ms = (i * 37) % 59'000 + (i % 211 == 0 ? -30 : 0);
        const std::string data = i % 13 == 0 ? R"({"orderId":"ORD-)" + std::to_string(i) + "\"}" : "{}";
        lines.push_back(
            ev("e-" + std::to_string(i), types[i % 4], sources[i % 3], std::max(ms, 0), corr, cause, 1 + i % 2, data));
        if (i % 1000 == 999)
            lines.push_back(lines.back()); // a redelivery
    }
    std::string error;
    QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());

    for (const char *query : {"type:payment.*", "source:order-service", "corr:c-11", "lag>36ms", "lag<0",
                              "is:duplicate", "text:ORD-1", "type:payment.* -source:order-service lag>=0 text:ORD",
                              "is:skew,ghost", "cause.type:order.placed version:2"}) {
        const EventFilter filter = parsed(query);
        std::vector<uint32_t> selected, expected;
        filter.select(store, store.firstIndex(), store.endIndex(), selected);
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i)
            if (filter.matches(store, i))
                expected.push_back(i);
        QVERIFY2(selected == expected, query);
        QVERIFY2(!expected.empty(), query);
    }
}

void TstEventFilter::evictedEventsAreNotSelected()
{
    EventStore store(EventStore::Options{64 * 1024});
    std::vector<std::string> lines;
    for (int i = 0; i < 3000; ++i)
        lines.push_back(ev("e-" + std::to_string(i), "order.placed", "order-service", i % 50'000, "c-1"));
    std::string error;
    QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());
    QVERIFY(store.firstIndex() > 0);
    std::vector<uint32_t> out;
    parsed("type:order.placed").select(store, 0, store.endIndex(), out);
    QCOMPARE(out.size(), store.size());
    QCOMPARE(out.front(), store.firstIndex());
    QVERIFY(!parsed("").matches(store, 0));
}

void TstEventFilter::completions_data()
{
    // clang-format off
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("cursor"); // -1: the end
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("nothing typed: every field")
        << "" << -1
        << QStringList{"cause.source:", "cause.type:", "cause:", "corr:", "id:", "is:", "lag<", "lag>", "source:",
                       "text:", "topic:", "type:", "version:"};
    QTest::newRow("a field") << "ty" << -1 << QStringList{"type:"};
    QTest::newRow("fields") << "t" << -1 << QStringList{"text:", "topic:", "type:"};
    QTest::newRow("upper case") << "So" << -1 << QStringList{"source:"};
    QTest::newRow("negated") << "-so" << -1 << QStringList{"-source:"};
    QTest::newRow("after a term") << "type:a l" << -1 << QStringList{"lag<", "lag>"};
    QTest::newRow("type names") << "type:or" << -1 << QStringList{"type:order.cancelled", "type:order.placed"};
    QTest::newRow("type names, ASCII case ignored") << "type:OR" << -1
                                                    << QStringList{"type:order.cancelled", "type:order.placed"};
    QTest::newRow("every type") << "type:" << -1
                                << QStringList{"type:inventory.reserved",   "type:notification.sent",
                                               "type:order.cancelled",      "type:order.placed",
                                               "type:payment.authorized",   "type:payment.failed",
                                               "type:shipment.scheduled"};
    QTest::newRow("type list") << "type:order.placed,pay" << -1
                               << QStringList{"type:order.placed,payment.authorized",
                                              "type:order.placed,payment.failed"};
    QTest::newRow("cause.type") << "cause.type:sh" << -1 << QStringList{"cause.type:shipment.scheduled"};
    QTest::newRow("source quoted when needed") << "source:n" << -1 << QStringList{R"(source:"notification service")"};
    QTest::newRow("source in quotes") << R"(source:"n)" << -1 << QStringList{R"(source:"notification service")"};
    QTest::newRow("topics") << "topic:" << -1 << QStringList{"topic:notify.email", "topic:orders"};
    QTest::newRow("is values") << "is:d" << -1 << QStringList{"is:duplicate"};
    QTest::newRow("is values, negated") << "-is:r" << -1 << QStringList{"-is:redelivery", "-is:rejected", "-is:root"};
    QTest::newRow("the token at the cursor") << "type:ord source:pay" << 8
                                             << QStringList{"type:order.cancelled", "type:order.placed"};
    QTest::newRow("the second token") << "type:ord source:pay" << -1 << QStringList{"source:payment-service"};
    QTest::newRow("unknown field") << "zzz:" << -1 << QStringList{};
    QTest::newRow("no field starts so") << "q" << -1 << QStringList{};
    QTest::newRow("ids are not completed") << "corr:c" << -1 << QStringList{};
    // clang-format on
}

void TstEventFilter::completions()
{
    QFETCH(QString, text);
    QFETCH(int, cursor);
    QFETCH(QStringList, expected);
    const std::string t = text.toStdString();
    QStringList got;
    for (const std::string &c : EventFilter::completions(t, cursor < 0 ? t.size() : size_t(cursor), m_store))
        got << QString::fromStdString(c);
    QCOMPARE(got, expected);
}

void TstEventFilter::tokenAt_data()
{
    // clang-format off
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("cursor");
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("second");

    QTest::newRow("empty") << "" << 0 << 0 << 0;
    QTest::newRow("first token") << "type:a source:b" << 3 << 0 << 6;
    QTest::newRow("second token") << "type:a source:b" << 9 << 7 << 15;
    QTest::newRow("after a blank") << "type:a " << 7 << 7 << 7;
    QTest::newRow("quoted blank") << R"(text:"a b" x)" << 8 << 0 << 10;
    QTest::newRow("cursor past the end") << "ab" << 9 << 0 << 2;
    // clang-format on
}

void TstEventFilter::tokenAt()
{
    QFETCH(QString, text);
    QFETCH(int, cursor);
    QFETCH(int, first);
    QFETCH(int, second);
    const auto [a, b] = EventFilter::tokenAt(text.toStdString(), size_t(cursor));
    QCOMPARE(int(a), first);
    QCOMPARE(int(b), second);
}

QTEST_GUILESS_MAIN(TstEventFilter)
#include "tst_eventfilter.moc"
