// Tests for the event decoder (core/decoder.h): what it accepts and the exact values it
// gives (contract JSON, CloudEvents 1.0, the recorder's member), and the exact sentence a
// user sees for every reason it refuses an input.

#include "core/decoder.h"
#include "core/event.h"
#include "core/rfc3339.h"

#include <QDate>
#include <QtTest>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

using namespace eventlens;

namespace {

constexpr qint64 kNs = 1'000'000'000;
constexpr int kDefaultFlags = NoCorrelation | RootEvent | DefaultVersion;
const qint64 kJan1 = 1'704'067'200 * kNs; // 2024-01-01T00:00:00Z

/// UTC nanoseconds of a civil date-time, computed with QDate's Julian day numbers.
qint64 utcNs(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0, qint64 ns = 0)
{
    const qint64 days = QDate(y, m, d).toJulianDay() - QDate(1970, 1, 1).toJulianDay();
    return ((days * 86400 + hh * 3600 + mm * 60 + ss) * kNs) + ns;
}

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), static_cast<size_t>(bytes.size()));
}

QByteArray bytes(std::string_view v)
{
    return QByteArray(v.data(), static_cast<qsizetype>(v.size()));
}

/// Whether `v` points into `input` (rather than into a copy).
bool within(std::string_view v, const char *input, size_t size)
{
    return v.data() >= input && v.data() + v.size() <= input + size;
}
bool within(std::string_view v, const QByteArray &input)
{
    return within(v, input.constData(), static_cast<size_t>(input.size()));
}

struct Change {
    const char *key;
    const char *raw; ///< the member's raw JSON value; nullptr leaves the member out
};

/// A JSON object from default members with `changes` applied in order: a default key gets
/// its value replaced (or is left out), any other key is appended.
QByteArray object(QList<QPair<QByteArray, QByteArray>> members, std::initializer_list<Change> changes)
{
    for (const Change &change : changes) {
        const auto it = std::find_if(
            members.begin(), members.end(), [&](const auto &member) { return member.first == change.key; });
        if (it == members.end()) {
            if (change.raw)
                members.append(qMakePair(QByteArray(change.key), QByteArray(change.raw)));
        } else if (change.raw) {
            it->second = change.raw;
        } else {
            members.erase(it);
        }
    }
    QByteArray out = "{";
    for (const auto &member : members) {
        if (out.size() > 1)
            out += ',';
        out += '"' + member.first + "\":" + member.second;
    }
    return out + '}';
}

/// {"eventId":"e1","eventType":"order.placed","timestamp":"2024-01-01T00:00:00Z","source":"orders"}
/// (96 bytes; the value of an appended member `"data"` starts at byte 104) with changes.
QByteArray contract(std::initializer_list<Change> changes = {})
{
    return object({{"eventId", "\"e1\""}, {"eventType", "\"order.placed\""}, {"timestamp", "\"2024-01-01T00:00:00Z\""},
                      {"source", "\"orders\""}},
        changes);
}

/// {"specversion":"1.0","id":"c1","type":"order.placed","source":"/orders","time":"2024-01-01T00:00:00Z"}
QByteArray cloudEvent(std::initializer_list<Change> changes = {})
{
    return object({{"specversion", "\"1.0\""}, {"id", "\"c1\""}, {"type", "\"order.placed\""},
                      {"source", "\"/orders\""}, {"time", "\"2024-01-01T00:00:00Z\""}},
        changes);
}

/// An event line without its closing brace plus the recorder's member, as a recording holds it.
QByteArray recorded(const QByteArray &event, const QByteArray &recorderObject)
{
    Q_ASSERT(event.endsWith('}'));
    return event.chopped(1) + ",\"_eventlens\":" + recorderObject + '}';
}

QByteArray nested(int depth, char open = '[', char close = ']')
{
    return QByteArray(depth, open) + QByteArray(depth, close);
}

QString text(const DecodeError &error)
{
    return QString::fromStdString(error.text());
}

} // namespace

class TestDecoder : public QObject {
    Q_OBJECT

private slots:
    void acceptsContract_data();
    void acceptsContract();
    void timestampToUtc_data();
    void timestampToUtc();
    void rejectsTimestamp_data();
    void rejectsTimestamp();
    void rejectsField_data();
    void rejectsField();
    void rejectsInput_data();
    void rejectsInput();
    void rejectsMalformedJson_data();
    void rejectsMalformedJson();
    void rejectsInvalidUtf8_data();
    void rejectsInvalidUtf8();
    void limitsNesting_data();
    void limitsNesting();
    void limitsSize();
    void limitsSizeByDefaultTo16MiB();
    void acceptsCloudEvent_data();
    void acceptsCloudEvent();
    void rejectsCloudEvent_data();
    void rejectsCloudEvent();
    void readsRecorderMember_data();
    void readsRecorderMember();
    void recordingsOfOneEventCompareEqual();
    void rejectsRecorderMember_data();
    void rejectsRecorderMember();
    void stringViews_data();
    void stringViews();
    void escapedStringsOutliveTheNextDecode();
    void paddedAndUnpaddedAgree_data();
    void paddedAndUnpaddedAgree();
    void reuseClearsThePreviousEvent();
};

// ---------------------------------------------------------------------------------------
// The contract

void TestDecoder::acceptsContract_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("eventId");
    QTest::addColumn<QByteArray>("eventType");
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("correlationId");
    QTest::addColumn<QByteArray>("causationId");
    QTest::addColumn<qint64>("timestampNs");
    QTest::addColumn<uint>("version");
    QTest::addColumn<int>("flags");

    QTest::newRow("every member") << contract(
        {{"eventVersion", "3"}, {"correlationId", "\"flow-7\""}, {"causationId", "\"e0\""},
            {"data", "{\"sku\":\"A1\",\"qty\":2}"}, {"metadata", "{\"tenant\":\"acme\",\"region\":\"eu\"}"}})
                                  << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders")
                                  << QByteArray("flow-7") << QByteArray("e0") << kJan1 << 3u << 0;
    QTest::newRow("required members only: version 1, all defaults flagged")
        << contract() << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders") << QByteArray()
        << QByteArray() << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("null correlationId, causationId and eventVersion count as missing")
        << contract({{"correlationId", "null"}, {"causationId", "null"}, {"eventVersion", "null"}}) << QByteArray("e1")
        << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray() << kJan1 << 1u
        << kDefaultFlags;
    QTest::newRow("correlationId only: a root event")
        << contract({{"correlationId", "\"flow-7\""}}) << QByteArray("e1") << QByteArray("order.placed")
        << QByteArray("orders") << QByteArray("flow-7") << QByteArray() << kJan1 << 1u
        << int(RootEvent | DefaultVersion);
    QTest::newRow("causationId only: no correlation")
        << contract({{"causationId", "\"e0\""}}) << QByteArray("e1") << QByteArray("order.placed")
        << QByteArray("orders") << QByteArray() << QByteArray("e0") << kJan1 << 1u
        << int(NoCorrelation | DefaultVersion);
    QTest::newRow("eventVersion 1 given is not flagged")
        << contract({{"eventVersion", "1"}}) << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders")
        << QByteArray() << QByteArray() << kJan1 << 1u << int(NoCorrelation | RootEvent);
    QTest::newRow("eventVersion 4294967295, the largest")
        << contract({{"eventVersion", "4294967295"}}) << QByteArray("e1") << QByteArray("order.placed")
        << QByteArray("orders") << QByteArray() << QByteArray() << kJan1 << 4294967295u
        << int(NoCorrelation | RootEvent);
    QTest::newRow("members in another order, spaces around tokens")
        << QByteArray("{ \"source\" : \"orders\" , \"data\" : [ 1 , 2 ] , \"timestamp\" : \"2024-01-01T00:00:00Z\" ,"
                      " \"eventType\" : \"order.placed\" , \"eventVersion\" : 2 , \"eventId\" : \"e1\" }")
        << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray()
        << kJan1 << 2u << int(NoCorrelation | RootEvent);
    QTest::newRow("pretty-printed over several lines")
        << QByteArray("{\n  \"eventId\": \"e1\",\n  \"eventType\": \"order.placed\",\n"
                      "  \"timestamp\": \"2024-01-01T00:00:00Z\",\n  \"source\": \"orders\",\n"
                      "  \"data\": {\n    \"qty\": 2\n  }\n}\n")
        << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray()
        << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("blanks before and after the object")
        << " \t" + contract() + "\r\n"
        << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray()
        << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("escaped member name") << QByteArray(
        R"({"event\u0049d":"e1","eventType":"order.placed","timestamp":"2024-01-01T00:00:00Z","source":"orders"})")
                                         << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders")
                                         << QByteArray() << QByteArray() << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("escaped values are unescaped")
        << contract({{"eventId", R"("ord\u0065r-1")"}, {"source", R"("svc\/orders")"},
               {"correlationId", R"("flow \"7\"")"}, {"causationId", R"("caf\u00e9\ud83d\ude9a")"}})
        << QByteArray("order-1") << QByteArray("order.placed") << QByteArray("svc/orders") << QByteArray("flow \"7\"")
        << QByteArray("café🚚") << kJan1 << 1u << int(DefaultVersion);
    QTest::newRow("non-ASCII text") << contract({{"source", "\"zürich-🚚\""}, {"eventType", "\"заказ.создан\""}})
                                    << QByteArray("e1") << QByteArray("заказ.создан") << QByteArray("zürich-🚚")
                                    << QByteArray() << QByteArray() << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("timestamp with offset and nanoseconds")
        << contract({{"timestamp", "\"2026-11-26T13:01:23.123456789+01:00\""}}) << QByteArray("e1")
        << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray()
        << utcNs(2026, 11, 26, 12, 1, 23, 123'456'789) << 1u << kDefaultFlags;

    // `data` may be any JSON; it is only checked to be well formed.
    const struct {
        const char *name;
        const char *raw;
    } data[] = {
        {"data: an object", R"({"sku":"A1","lines":[{"qty":2,"price":9.5}],"gift":false})"},
        {"data: an array", R"([1,"two",{"three":3},[4],null,true])"},
        {"data: a string", R"("plain")"},
        {"data: a string with escapes", R"("tab\t quote\" slash\/ \u00e9 \ud83d\ude9a")"},
        {"data: a number", "-12.5e-3"},
        {"data: zero", "0"},
        {"data: true", "true"},
        {"data: false", "false"},
        {"data: null", "null"},
        {"data: empty object", "{}"},
        {"data: empty array", "[]"},
        {"data: integer beyond 64 bits", "123456789012345678901234567890"},
        {"data: negative integer beyond 64 bits", "-123456789012345678901234567890"},
        {"data: exponent beyond a double", "1e400"},
        {"data: exponent below a double", "1e-400"},
        {"data: brackets and quotes inside strings", R"({"note":"[{\"}]"})"},
        {"data: 63 nested arrays (64 levels with the event)", nullptr},
    };
    for (const auto &d : data) {
        const QByteArray raw = d.raw ? QByteArray(d.raw) : nested(63);
        QTest::newRow(d.name) << contract({{"data", raw.constData()}}) << QByteArray("e1") << QByteArray("order.placed")
                              << QByteArray("orders") << QByteArray() << QByteArray() << kJan1 << 1u << kDefaultFlags;
    }

    QTest::newRow("metadata: object of strings")
        << contract({{"metadata", R"({"tenant":"acme","trace":"t-1"})"}}) << QByteArray("e1")
        << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray() << kJan1 << 1u
        << kDefaultFlags;
    QTest::newRow("metadata: empty object")
        << contract({{"metadata", "{}"}}) << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders")
        << QByteArray() << QByteArray() << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("metadata: null") << contract({{"metadata", "null"}}) << QByteArray("e1")
                                    << QByteArray("order.placed") << QByteArray("orders") << QByteArray()
                                    << QByteArray() << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("unknown members of every type are ignored")
        << contract({{"x", R"({"a":[1,{"b":null}]})"}, {"y", "[true,false]"}, {"z", "-1.5e-3"}, {"w", "\"s\""},
               {"v", "null"}, {"u", "99999999999999999999999"}})
        << QByteArray("e1") << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray()
        << kJan1 << 1u << kDefaultFlags;
    QTest::newRow("CloudEvents names without specversion are unknown members")
        << contract({{"id", "7"}, {"type", "[]"}, {"time", "\"never\""}, {"eventversion", "\"x\""}}) << QByteArray("e1")
        << QByteArray("order.placed") << QByteArray("orders") << QByteArray() << QByteArray() << kJan1 << 1u
        << kDefaultFlags;
}

void TestDecoder::acceptsContract()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, eventId);
    QFETCH(QByteArray, eventType);
    QFETCH(QByteArray, source);
    QFETCH(QByteArray, correlationId);
    QFETCH(QByteArray, causationId);
    QFETCH(qint64, timestampNs);
    QFETCH(uint, version);
    QFETCH(int, flags);

    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY2(decoder.decode(view(json), event, error), error.text().c_str());
    QCOMPARE(bytes(event.eventId), eventId);
    QCOMPARE(bytes(event.eventType), eventType);
    QCOMPARE(bytes(event.source), source);
    QCOMPARE(bytes(event.correlationId), correlationId);
    QCOMPARE(bytes(event.causationId), causationId);
    QCOMPARE(qint64(event.timestampNs), timestampNs);
    QCOMPARE(uint(event.version), version);
    QCOMPARE(int(event.flags), flags);
    QCOMPARE(qint64(event.receivedNs), qint64(kNoTime));
    QVERIFY(event.topic.empty());
    QVERIFY(event.raw.data() == json.constData());
    QCOMPARE(event.raw.size(), size_t(json.size()));
}

void TestDecoder::timestampToUtc_data()
{
    QTest::addColumn<QByteArray>("timestamp");
    QTest::addColumn<qint64>("expectedNs");

    QTest::newRow("Z") << QByteArray("2024-01-01T00:00:00Z") << kJan1;
    QTest::newRow("lower-case z") << QByteArray("2024-01-01T00:00:00z") << kJan1;
    QTest::newRow("lower-case t") << QByteArray("2024-01-01t00:00:00Z") << kJan1;
    QTest::newRow("space separator") << QByteArray("2024-01-01 00:00:00Z") << kJan1;
    QTest::newRow("offset +05:30") << QByteArray("2024-01-01T05:30:00+05:30") << kJan1;
    QTest::newRow("offset -08:00") << QByteArray("2023-12-31T16:00:00-08:00") << kJan1;
    QTest::newRow("offset -00:00") << QByteArray("2024-01-01T00:00:00-00:00") << kJan1;
    QTest::newRow("fraction: 0 digits") << QByteArray("2024-01-01T00:00:07Z") << kJan1 + 7 * kNs;
    QTest::newRow("fraction: 1 digit") << QByteArray("2024-01-01T00:00:00.5Z") << kJan1 + 500'000'000;
    QTest::newRow("fraction: 3 digits") << QByteArray("2024-01-01T00:00:00.123Z") << kJan1 + 123'000'000;
    QTest::newRow("fraction: 6 digits") << QByteArray("2024-01-01T00:00:00.123456Z") << kJan1 + 123'456'000;
    QTest::newRow("fraction: 9 digits") << QByteArray("2024-01-01T00:00:00.123456789Z") << kJan1 + 123'456'789;
    QTest::newRow("fraction: 12 digits, truncated")
        << QByteArray("2024-01-01T00:00:00.123456789999Z") << kJan1 + 123'456'789;
    QTest::newRow("fraction with offset") << QByteArray("2024-01-01T05:30:00.25+05:30") << kJan1 + 250'000'000;
    QTest::newRow("Feb 29 2024, a leap year") << QByteArray("2024-02-29T00:00:00Z") << utcNs(2024, 2, 29);
    QTest::newRow("leap second :60 is the next second") << QByteArray("2016-12-31T23:59:60Z") << 1'483'228'800 * kNs;
    QTest::newRow("before the epoch") << QByteArray("1969-12-31T23:59:59.5Z") << qint64(-500'000'000);
    QTest::newRow("earliest year 1678") << QByteArray("1678-01-01T00:00:00Z") << utcNs(1678, 1, 1);
    QTest::newRow("latest year 2261") << QByteArray("2261-12-31T23:59:59Z") << utcNs(2261, 12, 31, 23, 59, 59);
    QTest::newRow("written with JSON escapes") << QByteArray(R"(2024-01-01T00:00:00\u005a)") << kJan1;
}

void TestDecoder::timestampToUtc()
{
    QFETCH(QByteArray, timestamp);
    QFETCH(qint64, expectedNs);
    const QByteArray value = '"' + timestamp + '"';
    const QByteArray json = contract({{"timestamp", value.constData()}});
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY2(decoder.decode(view(json), event, error), error.text().c_str());
    QCOMPARE(qint64(event.timestampNs), expectedNs);
}

void TestDecoder::rejectsTimestamp_data()
{
    QTest::addColumn<QByteArray>("raw"); // the member's raw JSON value; null: no timestamp member
    QTest::addColumn<QString>("message");

    QTest::newRow("a word") << QByteArray(R"("yesterday")")
                            << R"(field 'timestamp': "yesterday" is not an RFC 3339 time)";
    QTest::newRow("no UTC offset")
        << QByteArray(R"("2024-01-01T00:00:00")")
        << QString::fromUtf8(
               R"(field 'timestamp': "2024-01-01T00:00:00" is not an RFC 3339 time (it has no UTC offset; add 'Z' or ±hh:mm))");
    QTest::newRow("no UTC offset after a fraction")
        << QByteArray(R"("2024-01-01 00:00:00.250")")
        << QString::fromUtf8(
               R"(field 'timestamp': "2024-01-01 00:00:00.250" is not an RFC 3339 time (it has no UTC offset; add 'Z' or ±hh:mm))");
    QTest::newRow("date only") << QByteArray(R"("2024-01-01")")
                               << R"(field 'timestamp': "2024-01-01" is not an RFC 3339 time)";
    QTest::newRow("month 13") << QByteArray(R"("2024-13-01T00:00:00Z")")
                              << R"(field 'timestamp': "2024-13-01T00:00:00Z" is not an RFC 3339 time)";
    QTest::newRow("day 32") << QByteArray(R"("2024-01-32T00:00:00Z")")
                            << R"(field 'timestamp': "2024-01-32T00:00:00Z" is not an RFC 3339 time)";
    QTest::newRow("hour 24") << QByteArray(R"("2024-01-01T24:00:00Z")")
                             << R"(field 'timestamp': "2024-01-01T24:00:00Z" is not an RFC 3339 time)";
    QTest::newRow("Feb 29 2023, not a leap year") << QByteArray(
        R"("2023-02-29T00:00:00Z")") << R"(field 'timestamp': "2023-02-29T00:00:00Z" is not an RFC 3339 time)";
    QTest::newRow("offset without colon") << QByteArray(R"("2024-01-01T00:00:00+0530")")
                                          << R"(field 'timestamp': "2024-01-01T00:00:00+0530" is not an RFC 3339 time)";
    QTest::newRow("year 1677")
        << QByteArray(R"("1677-12-31T23:59:59Z")")
        << QString::fromUtf8(
               R"(field 'timestamp': "1677-12-31T23:59:59Z" is not an RFC 3339 time (the year is outside 1678–2261))");
    QTest::newRow("year 2262")
        << QByteArray(R"("2262-01-01T00:00:00Z")")
        << QString::fromUtf8(
               R"(field 'timestamp': "2262-01-01T00:00:00Z" is not an RFC 3339 time (the year is outside 1678–2261))");
    QTest::newRow("empty string") << QByteArray(R"("")") << R"(field 'timestamp': "" is not an RFC 3339 time)";
    QTest::newRow("a long text is shortened") << '"' + QByteArray(100, 'x')
            + '"' << QString::fromUtf8("field 'timestamp': \"" + QByteArray(60, 'x') + "…\" is not an RFC 3339 time");
    QByteArray accents = "a";
    for (int i = 0; i < 40; ++i)
        accents += "é";
    QByteArray shortened = "a";
    for (int i = 0; i < 29; ++i)
        shortened += "é";
    QTest::newRow("a long text is not cut inside a character") << '"' + accents
            + '"' << QString::fromUtf8("field 'timestamp': \"" + shortened + "…\" is not an RFC 3339 time");
    QTest::newRow("a number (epoch seconds)")
        << QByteArray("1704067200") << "field 'timestamp': must be an RFC 3339 time string, got 1704067200";
    QTest::newRow("null") << QByteArray("null") << "field 'timestamp': must be an RFC 3339 time string, got null";
    QTest::newRow("an object") << QByteArray(R"({"s":1})")
                               << "field 'timestamp': must be an RFC 3339 time string, got an object";
    QTest::newRow("an array") << QByteArray(R"(["2024-01-01T00:00:00Z"])")
                              << "field 'timestamp': must be an RFC 3339 time string, got an array";
    QTest::newRow("missing") << QByteArray() << "field 'timestamp': required but missing";
}

void TestDecoder::rejectsTimestamp()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, message);
    const QByteArray json = contract({{"timestamp", raw.isNull() ? nullptr : raw.constData()}});
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY(!decoder.decode(view(json), event, error));
    QCOMPARE(QString::fromStdString(error.field), QStringLiteral("timestamp"));
    QCOMPARE(text(error), message);
}

void TestDecoder::rejectsField_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    for (const char *name : {"eventId", "eventType", "source"}) {
        const QString prefix = QStringLiteral("field '%1': ").arg(QLatin1String(name));
        QTest::addRow("%s: a number", name)
            << contract({{name, "42"}}) << name << prefix + "must be a non-empty string, got 42";
        QTest::addRow("%s: an array", name)
            << contract({{name, R"(["e1"])"}}) << name << prefix + "must be a non-empty string, got an array";
        QTest::addRow("%s: an object", name)
            << contract({{name, R"({"id":"e1"})"}}) << name << prefix + "must be a non-empty string, got an object";
        QTest::addRow("%s: null", name) << contract({{name, "null"}}) << name
                                        << prefix + "must be a non-empty string, got null";
        QTest::addRow("%s: a boolean", name)
            << contract({{name, "true"}}) << name << prefix + "must be a non-empty string, got true";
        QTest::addRow("%s: empty", name) << contract({{name, R"("")"}}) << name
                                         << prefix + R"(must be a non-empty string, got "")";
        QTest::addRow("%s: missing", name) << contract({{name, nullptr}}) << name << prefix + "required but missing";
    }
    for (const char *name : {"correlationId", "causationId"}) {
        const QString prefix = QStringLiteral("field '%1': ").arg(QLatin1String(name));
        QTest::addRow("%s: empty", name) << contract({{name, R"("")"}}) << name
                                         << prefix + R"(must be a non-empty string or absent, got "")";
        QTest::addRow("%s: a number", name)
            << contract({{name, "7"}}) << name << prefix + "must be a non-empty string, got 7";
        QTest::addRow("%s: an array", name)
            << contract({{name, R"(["e0"])"}}) << name << prefix + "must be a non-empty string, got an array";
        QTest::addRow("%s: false", name) << contract({{name, "false"}}) << name
                                         << prefix + "must be a non-empty string, got false";
    }

    const QString version = QString::fromUtf8("field 'eventVersion': must be an integer ≥ 1, got ");
    const QString versionRange = QStringLiteral("field 'eventVersion': must be an integer from 1 to 4294967295, got ");
    QTest::newRow("eventVersion: 0") << contract({{"eventVersion", "0"}}) << "eventVersion" << version + "0";
    QTest::newRow("eventVersion: -1") << contract({{"eventVersion", "-1"}}) << "eventVersion" << version + "-1";
    QTest::newRow("eventVersion: -0") << contract({{"eventVersion", "-0"}}) << "eventVersion" << version + "-0";
    QTest::newRow("eventVersion: 1.5") << contract({{"eventVersion", "1.5"}}) << "eventVersion" << version + "1.5";
    QTest::newRow("eventVersion: 2.0, not an integer")
        << contract({{"eventVersion", "2.0"}}) << "eventVersion" << version + "2.0";
    QTest::newRow("eventVersion: 1e2") << contract({{"eventVersion", "1e2"}}) << "eventVersion" << version + "1e2";
    QTest::newRow("eventVersion: 1e400") << contract({{"eventVersion", "1e400"}}) << "eventVersion"
                                         << version + "1e400";
    QTest::newRow("eventVersion: the string \"2\"")
        << contract({{"eventVersion", R"("2")"}}) << "eventVersion" << version + R"("2")";
    QTest::newRow("eventVersion: true") << contract({{"eventVersion", "true"}}) << "eventVersion" << version + "true";
    QTest::newRow("eventVersion: an array")
        << contract({{"eventVersion", "[2]"}}) << "eventVersion" << version + "an array";
    QTest::newRow("eventVersion: an object")
        << contract({{"eventVersion", R"({"major":2})"}}) << "eventVersion" << version + "an object";
    QTest::newRow("eventVersion: huge negative integer")
        << contract({{"eventVersion", "-99999999999999999999"}}) << "eventVersion" << version + "-99999999999999999999";
    QTest::newRow("eventVersion: 4294967296, one over 32 bits")
        << contract({{"eventVersion", "4294967296"}}) << "eventVersion" << versionRange + "4294967296";
    QTest::newRow("eventVersion: 5000000000")
        << contract({{"eventVersion", "5000000000"}}) << "eventVersion" << versionRange + "5000000000";
    QTest::newRow("eventVersion: 2^64, beyond 64 bits") << contract({{"eventVersion", "18446744073709551616"}})
                                                        << "eventVersion" << versionRange + "18446744073709551616";
    QTest::newRow("eventVersion: 30-digit integer")
        << contract({{"eventVersion", "123456789012345678901234567890"}}) << "eventVersion"
        << versionRange + "123456789012345678901234567890";

    QTest::newRow("metadata: a string") << contract({{"metadata", R"("tenant=acme")"}}) << "metadata"
                                        << R"(field 'metadata': must be an object of strings, got "tenant=acme")";
    QTest::newRow("metadata: an array") << contract({{"metadata", R"(["acme"])"}}) << "metadata"
                                        << "field 'metadata': must be an object of strings, got an array";
    QTest::newRow("metadata: a number") << contract({{"metadata", "42"}}) << "metadata"
                                        << "field 'metadata': must be an object of strings, got 42";
    QTest::newRow("metadata.x: a number") << contract({{"metadata", R"({"ok":"yes","x":42})"}}) << "metadata.x"
                                          << "field 'metadata.x': must be a string, got 42";
    QTest::newRow("metadata.x: null") << contract({{"metadata", R"({"x":null})"}}) << "metadata.x"
                                      << "field 'metadata.x': must be a string, got null";
    QTest::newRow("metadata.x: a boolean") << contract({{"metadata", R"({"x":false})"}}) << "metadata.x"
                                           << "field 'metadata.x': must be a string, got false";
    QTest::newRow("metadata.x: an object") << contract({{"metadata", R"({"x":{"y":"z"}})"}}) << "metadata.x"
                                           << "field 'metadata.x': must be a string, got an object";
    QTest::newRow("metadata.x: an array") << contract({{"metadata", R"({"x":["y"]})"}}) << "metadata.x"
                                          << "field 'metadata.x': must be a string, got an array";
    QTest::newRow("metadata: escaped key named unescaped")
        << contract({{"metadata", R"({"a\u002eb":1})"}}) << "metadata.a.b"
        << "field 'metadata.a.b': must be a string, got 1";

    QTest::newRow("eventId twice") << QByteArray(
        R"({"eventId":"e1","eventType":"order.placed","eventId":"e2","timestamp":"2024-01-01T00:00:00Z","source":"orders"})")
                                   << "eventId"
                                   << "field 'eventId': appears more than once";
    QTest::newRow("eventId twice, once escaped") << QByteArray(
        R"({"eventId":"e1","eventType":"order.placed","timestamp":"2024-01-01T00:00:00Z","source":"orders","even\u0074Id":"e1"})")
                                                 << "eventId"
                                                 << "field 'eventId': appears more than once";
    QTest::newRow("timestamp twice") << QByteArray(
        R"({"eventId":"e1","eventType":"order.placed","timestamp":"2024-01-01T00:00:00Z","source":"orders","timestamp":"2024-01-01T00:00:00Z"})")
                                     << "timestamp"
                                     << "field 'timestamp': appears more than once";
    QTest::newRow("correlationId twice, once null") << QByteArray(
        R"({"eventId":"e1","eventType":"order.placed","timestamp":"2024-01-01T00:00:00Z","source":"orders","correlationId":"f1","correlationId":null})")
                                                    << "correlationId"
                                                    << "field 'correlationId': appears more than once";
    QTest::newRow("metadata twice") << QByteArray(
        R"({"eventId":"e1","eventType":"order.placed","timestamp":"2024-01-01T00:00:00Z","source":"orders","metadata":{},"metadata":{}})")
                                    << "metadata"
                                    << "field 'metadata': appears more than once";
}

void TestDecoder::rejectsField()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(QString, message);
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY(!decoder.decode(view(json), event, error));
    QCOMPARE(QString::fromStdString(error.field), field);
    QCOMPARE(text(error), message);
}

// ---------------------------------------------------------------------------------------
// Problems of the whole input

void TestDecoder::rejectsInput_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");

    QTest::newRow("NUL byte inside a string")
        << QByteArray(R"({"eventId":"e)") + '\0' + contract().mid(14) << "contains a NUL byte at byte 14";
    QTest::newRow("NUL byte first") << '\0' + contract() << "contains a NUL byte at byte 1";
    QTest::newRow("NUL byte after the object") << contract() + '\0' << "contains a NUL byte at byte 97";

    QTest::newRow("an array") << QByteArray(R"([{"eventId":"e1"}])") << "an event must be a JSON object, got an array";
    QTest::newRow("a string") << QByteArray(R"("order.placed")") << "an event must be a JSON object, got a string";
    QTest::newRow("a number") << QByteArray("42") << "an event must be a JSON object, got a number";
    QTest::newRow("a boolean") << QByteArray("true") << "an event must be a JSON object, got a boolean";
    QTest::newRow("null") << QByteArray("null") << "an event must be a JSON object, got null";
    QTest::newRow("false with blanks") << QByteArray(" false\n") << "an event must be a JSON object, got a boolean";
    QTest::newRow("a negative number") << QByteArray("-1.5e3") << "an event must be a JSON object, got a number";
    QTest::newRow("an integer beyond 64 bits")
        << QByteArray("123456789012345678901234567890") << "an event must be a JSON object, got a number";

    QTest::newRow("trailing word") << contract() + " x"
                                   << "unexpected content after the JSON object at byte 98";
    QTest::newRow("trailing number") << contract() + " 1"
                                     << "unexpected content after the JSON object at byte 98";
    QTest::newRow("trailing string") << contract() + "\"x\""
                                     << "unexpected content after the JSON object at byte 97";
    QTest::newRow("trailing null") << contract() + " null"
                                   << "unexpected content after the JSON object at byte 98";
    QTest::newRow("trailing comma") << contract() + ","
                                    << "unexpected content after the JSON object at byte 97";
    QTest::newRow("trailing closing brace") << contract() + "}"
                                            << "unexpected content after the JSON object at byte 97";
    QTest::newRow("trailing closing bracket") << contract() + "]"
                                              << "unexpected content after the JSON object at byte 97";
    QTest::newRow("trailing empty object") << contract() + "{}"
                                           << "unexpected content after the JSON object at byte 97";
    QTest::newRow("a second event on the same line")
        << contract() + " " + contract() << "unexpected content after the JSON object at byte 98";
    QTest::newRow("a second event on the next line") << contract() + "\n" + contract() + "\n"
                                                     << "unexpected content after the JSON object at byte 98";
}

void TestDecoder::rejectsInput()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY(!decoder.decode(view(json), event, error));
    QVERIFY2(error.field.empty(), error.field.c_str());
    QCOMPARE(text(error), message);
}

void TestDecoder::rejectsMalformedJson_data()
{
    // The sentence starts with where the problem is; simdjson's explanation follows.
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("start");

    QTest::newRow("empty input") << QByteArray("") << "not valid JSON: ";
    QTest::newRow("blanks only") << QByteArray(" \n\t ") << "not valid JSON: ";
    QTest::newRow("a word") << QByteArray("hello") << "not valid JSON near byte 1: ";
    // The first byte looks like a literal or a number; the rest is not JSON.
    QTest::newRow("text starting like null") << QByteArray("not an event") << "not valid JSON near byte 1: ";
    QTest::newRow("text starting like true") << QByteArray("true story") << "not valid JSON near byte 1: ";
    QTest::newRow("text starting like false") << QByteArray("fals") << "not valid JSON near byte 1: ";
    QTest::newRow("text starting like a number") << QByteArray("1abc") << "not valid JSON near byte 1: ";
    QTest::newRow("text starting like a negative number") << QByteArray("-x") << "not valid JSON near byte 1: ";
    QTest::newRow("unclosed object") << QByteArray(R"({"eventId":"e1")") << "not valid JSON: the input ends before ";
    QTest::newRow("unclosed object after a comma")
        << QByteArray(R"({"eventId":"e1",)") << "not valid JSON: the input ends before ";
    QTest::newRow("a lone brace") << QByteArray("{") << "not valid JSON: the input ends before ";
    QTest::newRow("unquoted member name") << QByteArray(R"({eventId:"e1"})") << "not valid JSON near byte 2: ";
    QTest::newRow("member without value") << QByteArray(R"({"eventId"})") << "not valid JSON near byte 11: ";
    QTest::newRow("missing comma between members") << contract().chopped(1) + R"( "data":1})"
                                                   << "not valid JSON near byte 97: ";
    QTest::newRow("missing colon") << contract().chopped(1) + R"(,"data" 1})"
                                   << "not valid JSON near byte 104: ";
    QTest::newRow("trailing comma in the event") << contract().chopped(1) + ",}"
                                                 << "not valid JSON near byte 97: ";
    QTest::newRow("data: misspelt literal") << contract({{"data", "tru"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: misspelt null") << contract({{"data", "nul"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: trailing comma in array")
        << contract({{"data", "[1,2,]"}}) << "not valid JSON near byte 109: ";
    QTest::newRow("data: missing comma in array") << contract({{"data", "[1 2]"}}) << "not valid JSON near byte 107: ";
    QTest::newRow("data: trailing comma in object")
        << contract({{"data", R"({"a":1,})"}}) << "not valid JSON near byte 111: ";
    QTest::newRow("data: missing colon in object")
        << contract({{"data", R"({"a" 1})"}}) << "not valid JSON near byte 109: ";
    QTest::newRow("data: number as member name") << contract({{"data", "{1:2}"}}) << "not valid JSON near byte 105: ";
    QTest::newRow("data: leading zero") << contract({{"data", "01"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: lone minus") << contract({{"data", "-"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: dot without digits") << contract({{"data", "1."}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: leading dot") << contract({{"data", ".5"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: plus sign") << contract({{"data", "+1"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: hexadecimal") << contract({{"data", "0x10"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: NaN") << contract({{"data", "NaN"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: single quotes") << contract({{"data", "'x'"}}) << "not valid JSON near byte 104: ";
    QTest::newRow("data: extra closing bracket") << contract({{"data", "[1,2]]"}}) << "not valid JSON near byte 109: ";
    QTest::newRow("data: unknown escape")
        << contract({{"data", R"("bad \q escape")"}}) << "not valid JSON near byte 119: ";
    QTest::newRow("data: lone surrogate escape")
        << contract({{"data", R"("\ud800")"}}) << "not valid JSON near byte 112: ";
    QTest::newRow("data: raw control character") << contract({{"data", "\"a\x01z\""}}) << "not valid JSON: ";
    QTest::newRow("unknown member: leading zero") << contract({{"x", "01"}}) << "not valid JSON near byte 101: ";
    QTest::newRow("eventVersion: leading zero")
        << contract({{"eventVersion", "01"}}) << "not valid JSON near byte 112: ";
    QTest::newRow("eventVersion: dot without digits")
        << contract({{"eventVersion", "1."}}) << "not valid JSON near byte 112: ";
    QTest::newRow("eventId: unknown escape") << contract({{"eventId", R"("e\x")"}}) << "not valid JSON near byte 17: ";
}

void TestDecoder::rejectsMalformedJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, start);
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY(!decoder.decode(view(json), event, error));
    QVERIFY2(error.field.empty(), error.field.c_str());
    QVERIFY2(text(error).startsWith(start), error.text().c_str());
    QVERIFY2(text(error).size() > start.size(), "the reason follows the location");
}

void TestDecoder::rejectsInvalidUtf8_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("message");

    // The `data` string's text starts at byte 105.
    const struct {
        const char *name;
        const char *bytes;
        int at;
    } rows[] = {
        {"lone continuation byte", "\x80", 105},
        {"overlong two-byte '/'", "\xC0\xAF", 105},
        {"overlong three-byte", "\xE0\x80\xAF", 105},
        {"overlong four-byte", "\xF0\x80\x80\xAF", 105},
        {"UTF-16 surrogate half", "\xED\xA0\x80", 105},
        {"beyond U+10FFFF", "\xF4\x90\x80\x80", 105},
        {"byte 0xFF", "\xFF", 105},
        {"two-byte sequence cut short", "\xC3", 105},
        {"four-byte sequence cut short", "\xF0\x9F\x98", 105},
        {"lead byte followed by ASCII",
            "\xE2"
            "abc",
            105},
        {"after valid multi-byte text, counted in bytes", "\xC3\xA9\xF0\x9F\x9A\x9A\x80", 111},
    };
    for (const auto &row : rows) {
        const QByteArray value = '"' + QByteArray(row.bytes) + '"';
        QTest::newRow(row.name) << contract({{"data", value.constData()}})
                                << QStringLiteral("invalid UTF-8 at byte %1").arg(row.at);
    }
    QTest::newRow("in a member name") << QByteArray("{\"\xFFx\":1}") << "invalid UTF-8 at byte 3";
    QTest::newRow("sequence cut by the end of the input") << contract() + "\xE2\x82"
                                                          << "invalid UTF-8 at byte 97";
}

void TestDecoder::rejectsInvalidUtf8()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, message);
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY(!decoder.decode(view(json), event, error));
    QVERIFY2(error.field.empty(), error.field.c_str());
    QCOMPARE(text(error), message);
}

void TestDecoder::limitsNesting_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<uint>("maxDepth"); // 0: the default
    QTest::addColumn<QString>("message"); // empty: accepted

    QTest::newRow("64 levels: accepted by default") << contract({{"data", nested(63).constData()}}) << 0u << QString();
    QTest::newRow("65 levels of arrays") << contract({{"data", nested(64).constData()}}) << 0u
                                         << "nesting is 65 levels deep, over the limit of 64";
    QByteArray objects;
    for (int i = 0; i < 64; ++i)
        objects += "{\"a\":";
    objects += "1" + QByteArray(64, '}');
    QTest::newRow("65 levels of objects")
        << contract({{"data", objects.constData()}}) << 0u << "nesting is 65 levels deep, over the limit of 64";
    QTest::newRow("many siblings are not depth")
        << contract({{"data", ("[" + QByteArray("[],").repeated(500) + "[]]").constData()}}) << 0u << QString();
    const QByteArray brackets = '"' + QByteArray(200, '[') + QByteArray(200, '{') + '"';
    QTest::newRow("brackets inside strings do not count")
        << contract({{"data", brackets.constData()}}) << 0u << QString();
    const QByteArray quoted = R"("\")" + QByteArray(200, '[') + '"';
    QTest::newRow("an escaped quote does not end the string")
        << contract({{"data", quoted.constData()}}) << 0u << QString();
    QTest::newRow("100000 open brackets, no crash")
        << QByteArray(100000, '[') << 0u << "nesting is 100000 levels deep, over the limit of 64";
    QTest::newRow("100000 open brackets in data")
        << "{\"data\":" + QByteArray(100000, '[') << 0u << "nesting is 100001 levels deep, over the limit of 64";
    QTest::newRow("100000 balanced levels in data") << contract({{"data", nested(100000).constData()}}) << 0u
                                                    << "nesting is 100001 levels deep, over the limit of 64";
    QTest::newRow("limit 3: 3 levels accepted") << contract({{"data", "[[1]]"}}) << 3u << QString();
    QTest::newRow("limit 3: 4 levels") << contract({{"data", "[[[1]]]"}}) << 3u
                                       << "nesting is 4 levels deep, over the limit of 3";
    QTest::newRow("limit 3: deep metadata") << contract({{"metadata", R"({"a":{"b":{"c":"d"}}})"}}) << 3u
                                            << "nesting is 4 levels deep, over the limit of 3";
}

void TestDecoder::limitsNesting()
{
    QFETCH(QByteArray, json);
    QFETCH(uint, maxDepth);
    QFETCH(QString, message);
    DecoderOptions options;
    if (maxDepth)
        options.maxDepth = maxDepth;
    else
        QCOMPARE(options.maxDepth, 64u);
    Decoder decoder(options);
    DecodedEvent event;
    DecodeError error;
    const bool ok = decoder.decode(view(json), event, error);
    if (message.isEmpty()) {
        QVERIFY2(ok, error.text().c_str());
        QCOMPARE(bytes(event.eventId), QByteArray("e1"));
    } else {
        QVERIFY(!ok);
        QVERIFY2(error.field.empty(), error.field.c_str());
        QCOMPARE(text(error), message);
    }
}

void TestDecoder::limitsSize()
{
    DecoderOptions options;
    options.maxEventBytes = 100;
    Decoder decoder(options);
    DecodedEvent event;
    DecodeError error;

    const QByteArray atLimit = contract() + QByteArray(4, ' ');
    QCOMPARE(atLimit.size(), 100);
    QVERIFY2(decoder.decode(view(atLimit), event, error), error.text().c_str());

    const QByteArray overLimit = atLimit + ' ';
    QVERIFY(!decoder.decode(view(overLimit), event, error));
    QVERIFY(error.field.empty());
    QCOMPARE(text(error), QStringLiteral("event is 101 bytes, over the limit of 100 bytes"));

    // The size is checked first: a huge broken input gets this sentence, not a parse error.
    const QByteArray hugeBroken(5000, '[');
    QVERIFY(!decoder.decode(view(hugeBroken), event, error));
    QCOMPARE(text(error), QStringLiteral("event is 5000 bytes, over the limit of 100 bytes"));
}

void TestDecoder::limitsSizeByDefaultTo16MiB()
{
    constexpr qsizetype limit = 16 * 1024 * 1024;
    const QByteArray head = contract().chopped(1) + ",\"data\":\"";
    const QByteArray tail = "\"}";
    QByteArray atLimit = head + QByteArray(limit - head.size() - tail.size(), 'a') + tail;
    QCOMPARE(atLimit.size(), limit);

    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY2(decoder.decode(view(atLimit), event, error), error.text().c_str());
    QCOMPARE(bytes(event.eventId), QByteArray("e1"));

    atLimit.insert(head.size(), 'a');
    QVERIFY(!decoder.decode(view(atLimit), event, error));
    QCOMPARE(text(error), QStringLiteral("event is 16777217 bytes, over the limit of 16777216 bytes"));
}

// ---------------------------------------------------------------------------------------
// CloudEvents 1.0 structured JSON

void TestDecoder::acceptsCloudEvent_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("eventId");
    QTest::addColumn<QByteArray>("eventType");
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("correlationId");
    QTest::addColumn<QByteArray>("causationId");
    QTest::addColumn<qint64>("timestampNs");
    QTest::addColumn<uint>("version");
    QTest::addColumn<int>("flags");

    const int ce = CloudEvent;
    QTest::newRow("required attributes only")
        << cloudEvent() << QByteArray("c1") << QByteArray("order.placed") << QByteArray("/orders") << QByteArray()
        << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("correlation and causation extensions")
        << cloudEvent({{"correlationid", "\"flow-7\""}, {"causationid", "\"c0\""}}) << QByteArray("c1")
        << QByteArray("order.placed") << QByteArray("/orders") << QByteArray("flow-7") << QByteArray("c0") << kJan1
        << 1u << (ce | DefaultVersion);
    QTest::newRow("null correlation and causation count as missing")
        << cloudEvent({{"correlationid", "null"}, {"causationid", "null"}}) << QByteArray("c1")
        << QByteArray("order.placed") << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 1u
        << (ce | kDefaultFlags);
    QTest::newRow("eventversion extension, integer")
        << cloudEvent({{"eventversion", "3"}}) << QByteArray("c1") << QByteArray("order.placed")
        << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 3u << (ce | NoCorrelation | RootEvent);
    QTest::newRow("eventversion extension, digit string")
        << cloudEvent({{"eventversion", "\"3\""}}) << QByteArray("c1") << QByteArray("order.placed")
        << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 3u << (ce | NoCorrelation | RootEvent);
    QTest::newRow("type suffix .v2") << cloudEvent({{"type", "\"order.placed.v2\""}}) << QByteArray("c1")
                                     << QByteArray("order.placed") << QByteArray("/orders") << QByteArray()
                                     << QByteArray() << kJan1 << 2u << (ce | NoCorrelation | RootEvent);
    QTest::newRow("type suffix .v10") << cloudEvent({{"type", "\"com.shop.order.placed.v10\""}}) << QByteArray("c1")
                                      << QByteArray("com.shop.order.placed") << QByteArray("/orders") << QByteArray()
                                      << QByteArray() << kJan1 << 10u << (ce | NoCorrelation | RootEvent);
    QTest::newRow("null eventversion, suffix used")
        << cloudEvent({{"type", "\"order.placed.v2\""}, {"eventversion", "null"}}) << QByteArray("c1")
        << QByteArray("order.placed") << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 2u
        << (ce | NoCorrelation | RootEvent);
    QTest::newRow("eventversion extension wins over the suffix")
        << cloudEvent({{"type", "\"order.placed.v2\""}, {"eventversion", "5"}}) << QByteArray("c1")
        << QByteArray("order.placed.v2") << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 5u
        << (ce | NoCorrelation | RootEvent);
    QTest::newRow("suffix .v0 is no version")
        << cloudEvent({{"type", "\"order.placed.v0\""}}) << QByteArray("c1") << QByteArray("order.placed.v0")
        << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("suffix .vip is no version")
        << cloudEvent({{"type", "\"order.vip\""}}) << QByteArray("c1") << QByteArray("order.vip")
        << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("suffix .v2x is no version")
        << cloudEvent({{"type", "\"order.v2x\""}}) << QByteArray("c1") << QByteArray("order.v2x")
        << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow(".v2 inside the type is no version")
        << cloudEvent({{"type", "\"order.v2.placed\""}}) << QByteArray("c1") << QByteArray("order.v2.placed")
        << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("v2 without a dot is no version")
        << cloudEvent({{"type", "\"orderv2\""}}) << QByteArray("c1") << QByteArray("orderv2") << QByteArray("/orders")
        << QByteArray() << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("a type that is only .v2 keeps it")
        << cloudEvent({{"type", "\".v2\""}}) << QByteArray("c1") << QByteArray(".v2") << QByteArray("/orders")
        << QByteArray() << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("other extensions and optional attributes are accepted")
        << cloudEvent({{"traceparent", "\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\""},
               {"tracestate", "\"rojo=00f067aa0ba902b7\""}, {"subject", "\"order/42\""}, {"sequence", "\"17\""},
               {"partitionkey", "\"42\""}, {"dataschema", "\"https://example.com/order.json\""},
               {"datacontenttype", "\"application/json\""}, {"data", R"({"orderId":42,"lines":[{"sku":"A1"}]})"}})
        << QByteArray("c1") << QByteArray("order.placed") << QByteArray("/orders") << QByteArray() << QByteArray()
        << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("data_base64") << cloudEvent({{"data_base64", "\"aGVsbG8=\""}}) << QByteArray("c1")
                                 << QByteArray("order.placed") << QByteArray("/orders") << QByteArray() << QByteArray()
                                 << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("time with offset and fraction")
        << cloudEvent({{"time", "\"2024-01-01T05:30:00.5+05:30\""}}) << QByteArray("c1") << QByteArray("order.placed")
        << QByteArray("/orders") << QByteArray() << QByteArray() << kJan1 + 500'000'000 << 1u << (ce | kDefaultFlags);
    QTest::newRow("contract member names are extensions, not read")
        << cloudEvent(
               {{"eventId", "\"x\""}, {"timestamp", "\"never\""}, {"eventVersion", "0"}, {"correlationId", "\"f\""}})
        << QByteArray("c1") << QByteArray("order.placed") << QByteArray("/orders") << QByteArray() << QByteArray()
        << kJan1 << 1u << (ce | kDefaultFlags);
    QTest::newRow("specversion last") << QByteArray(
        R"({"id":"c1","source":"/orders","type":"order.placed","time":"2024-01-01T00:00:00Z","specversion":"1.0"})")
                                      << QByteArray("c1") << QByteArray("order.placed") << QByteArray("/orders")
                                      << QByteArray() << QByteArray() << kJan1 << 1u << (ce | kDefaultFlags);
}

void TestDecoder::acceptsCloudEvent()
{
    acceptsContract();
}

void TestDecoder::rejectsCloudEvent_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    QTest::newRow("specversion 0.3") << cloudEvent({{"specversion", "\"0.3\""}}) << "specversion"
                                     << R"(field 'specversion': "0.3" is not supported (expected "1.0"))";
    QTest::newRow("specversion as a number") << cloudEvent({{"specversion", "1.0"}}) << "specversion"
                                             << R"(field 'specversion': 1.0 is not supported (expected "1.0"))";
    QTest::newRow("specversion null") << cloudEvent({{"specversion", "null"}}) << "specversion"
                                      << R"(field 'specversion': null is not supported (expected "1.0"))";
    QTest::newRow("specversion empty") << cloudEvent({{"specversion", R"("")"}}) << "specversion"
                                       << R"(field 'specversion': "" is not supported (expected "1.0"))";
    QTest::newRow("specversion an object") << cloudEvent({{"specversion", R"({"v":"1.0"})"}}) << "specversion"
                                           << R"(field 'specversion': an object is not supported (expected "1.0"))";
    QTest::newRow("time missing") << cloudEvent({{"time", nullptr}}) << "time"
                                  << "field 'time': required but missing (EventLens needs the event time)";
    QTest::newRow("time not RFC 3339") << cloudEvent({{"time", R"("soon")"}}) << "time"
                                       << R"(field 'time': "soon" is not an RFC 3339 time)";
    QTest::newRow("time without offset")
        << cloudEvent({{"time", R"("2024-01-01T00:00:00")"}}) << "time"
        << QString::fromUtf8(
               R"(field 'time': "2024-01-01T00:00:00" is not an RFC 3339 time (it has no UTC offset; add 'Z' or ±hh:mm))");
    QTest::newRow("time a number") << cloudEvent({{"time", "0"}}) << "time"
                                   << "field 'time': must be an RFC 3339 time string, got 0";
    QTest::newRow("id missing") << cloudEvent({{"id", nullptr}}) << "id"
                                << "field 'id': required but missing";
    QTest::newRow("id empty") << cloudEvent({{"id", R"("")"}}) << "id"
                              << R"(field 'id': must be a non-empty string, got "")";
    QTest::newRow("id a number") << cloudEvent({{"id", "17"}}) << "id"
                                 << "field 'id': must be a non-empty string, got 17";
    QTest::newRow("type missing") << cloudEvent({{"type", nullptr}}) << "type"
                                  << "field 'type': required but missing";
    QTest::newRow("type an array") << cloudEvent({{"type", R"(["a"])"}}) << "type"
                                   << "field 'type': must be a non-empty string, got an array";
    QTest::newRow("source missing") << cloudEvent({{"source", nullptr}}) << "source"
                                    << "field 'source': required but missing";
    QTest::newRow("source null") << cloudEvent({{"source", "null"}}) << "source"
                                 << "field 'source': must be a non-empty string, got null";
    QTest::newRow("correlationid empty") << cloudEvent({{"correlationid", R"("")"}}) << "correlationid"
                                         << R"(field 'correlationid': must be a non-empty string or absent, got "")";
    QTest::newRow("causationid a number") << cloudEvent({{"causationid", "3"}}) << "causationid"
                                          << "field 'causationid': must be a non-empty string, got 3";
    const QString version = QString::fromUtf8("field 'eventversion': must be an integer ≥ 1, got ");
    QTest::newRow("eventversion not digits")
        << cloudEvent({{"eventversion", R"("x")"}}) << "eventversion" << version + R"("x")";
    QTest::newRow("eventversion \"0\"") << cloudEvent({{"eventversion", R"("0")"}}) << "eventversion"
                                        << version + R"("0")";
    QTest::newRow("eventversion 0") << cloudEvent({{"eventversion", "0"}}) << "eventversion" << version + "0";
    QTest::newRow("eventversion \"2.5\"")
        << cloudEvent({{"eventversion", R"("2.5")"}}) << "eventversion" << version + R"("2.5")";
    QTest::newRow("eventversion \" 2\"") << cloudEvent({{"eventversion", R"(" 2")"}}) << "eventversion"
                                         << version + R"(" 2")";
    QTest::newRow("eventversion \"-2\"") << cloudEvent({{"eventversion", R"("-2")"}}) << "eventversion"
                                         << version + R"("-2")";
    QTest::newRow("eventversion empty") << cloudEvent({{"eventversion", R"("")"}}) << "eventversion"
                                        << version + R"("")";
    QTest::newRow("eventversion \"5000000000\"")
        << cloudEvent({{"eventversion", R"("5000000000")"}}) << "eventversion"
        << R"(field 'eventversion': must be an integer from 1 to 4294967295, got "5000000000")";
    QTest::newRow("eventversion 5000000000")
        << cloudEvent({{"eventversion", "5000000000"}}) << "eventversion"
        << "field 'eventversion': must be an integer from 1 to 4294967295, got 5000000000";
}

void TestDecoder::rejectsCloudEvent()
{
    rejectsField();
}

// ---------------------------------------------------------------------------------------
// The recorder's member

void TestDecoder::readsRecorderMember_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("receivedNs");
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<QByteArray>("eventBytes"); // raw.substr(0, eventLength)

    const QByteArray event = contract();
    const QByteArray prefix = event.chopped(1);
    QTest::newRow("plain line") << event << qint64(kNoTime) << QByteArray() << prefix;
    QTest::newRow("plain line with newline") << event + "\n" << qint64(kNoTime) << QByteArray() << prefix;
    QTest::newRow("plain line, blanks before the brace") << prefix + " \n}\r\n"
                                                         << qint64(kNoTime) << QByteArray() << prefix;
    QTest::newRow("receive time and topic")
        << recorded(event, R"({"receivedAt":"2024-01-01T00:00:01.5Z","topic":"orders.eu"})") << kJan1 + 1'500'000'000
        << QByteArray("orders.eu") << prefix;
    QTest::newRow("receive time with an offset") << recorded(event, R"({"receivedAt":"2024-01-01T01:00:02+01:00"})")
                                                 << kJan1 + 2 * kNs << QByteArray() << prefix;
    QTest::newRow("topic only") << recorded(event, R"({"topic":"orders"})") << qint64(kNoTime) << QByteArray("orders")
                                << prefix;
    QTest::newRow("empty member") << recorded(event, "{}") << qint64(kNoTime) << QByteArray() << prefix;
    QTest::newRow("unknown recorder fields are ignored")
        << recorded(event, R"({"receivedAt":"2024-01-01T00:00:03Z","replica":3,"via":{"host":"a"}})") << kJan1 + 3 * kNs
        << QByteArray() << prefix;
    QTest::newRow("escaped topic") << recorded(event, R"({"topic":"orders\u002eeu"})") << qint64(kNoTime)
                                   << QByteArray("orders.eu") << prefix;
    QTest::newRow("blanks around the member")
        << prefix + R"( ,  "_eventlens" : { "receivedAt" : "2024-01-01T00:00:01Z" , "topic" : "t" } })" + "\n"
        << kJan1 + kNs << QByteArray("t") << prefix;
    QTest::newRow("pretty-printed recorded event")
        << QByteArray("{\n  \"eventId\": \"e1\",\n  \"eventType\": \"order.placed\",\n"
                      "  \"timestamp\": \"2024-01-01T00:00:00Z\",\n  \"source\": \"orders\",\n"
                      "  \"_eventlens\": {\"topic\": \"t\"}\n}\n")
        << qint64(kNoTime) << QByteArray("t")
        << QByteArray("{\n  \"eventId\": \"e1\",\n  \"eventType\": \"order.placed\",\n"
                      "  \"timestamp\": \"2024-01-01T00:00:00Z\",\n  \"source\": \"orders\"");
    QTest::newRow("recorded CloudEvent") << recorded(cloudEvent(), R"({"receivedAt":"2024-01-01T00:00:01Z"})")
                                         << kJan1 + kNs << QByteArray() << cloudEvent().chopped(1);
    QTest::newRow("recorded twice, the last member wins")
        << recorded(recorded(event, R"({"topic":"old"})"), R"({"receivedAt":"2024-01-01T00:00:04Z","topic":"new"})")
        << kJan1 + 4 * kNs << QByteArray("new") << prefix + R"(,"_eventlens":{"topic":"old"})";
}

void TestDecoder::readsRecorderMember()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, receivedNs);
    QFETCH(QByteArray, topic);
    QFETCH(QByteArray, eventBytes);
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY2(decoder.decode(view(json), event, error), error.text().c_str());
    QCOMPARE(bytes(event.eventId), QByteArray(json.contains("specversion") ? "c1" : "e1"));
    QCOMPARE(qint64(event.receivedNs), receivedNs);
    QCOMPARE(bytes(event.topic), topic);
    QCOMPARE(qint64(event.timestampNs), kJan1);
    QCOMPARE(bytes(event.raw.substr(0, event.eventLength)), eventBytes);
}

void TestDecoder::recordingsOfOneEventCompareEqual()
{
    // A redelivery is told by comparing the event's own bytes: the receive time the recorder
    // added must not be part of them, and a plain line must match its recorded form.
    const QByteArray event = contract({{"correlationId", "\"flow-7\""}, {"data", R"({"qty":2})"}});
    const QByteArray plain = event + "\n";
    const QByteArray first = recorded(event, R"({"receivedAt":"2024-01-01T00:00:01Z","topic":"orders"})") + "\n";
    const QByteArray second = recorded(event, R"({"receivedAt":"2024-01-01T00:00:09.123Z","topic":"orders"})") + "\n";
    const QByteArray other = recorded(contract({{"correlationId", "\"flow-7\""}, {"data", R"({"qty":3})"}}),
        R"({"receivedAt":"2024-01-01T00:00:01Z","topic":"orders"})");

    Decoder decoder;
    DecodeError error;
    DecodedEvent a, b, p, o;
    QVERIFY2(decoder.decode(view(first), a, error), error.text().c_str());
    QVERIFY2(decoder.decode(view(second), b, error), error.text().c_str());
    QVERIFY2(decoder.decode(view(plain), p, error), error.text().c_str());
    QVERIFY2(decoder.decode(view(other), o, error), error.text().c_str());

    QVERIFY(a.receivedNs != b.receivedNs);
    QCOMPARE(bytes(a.raw.substr(0, a.eventLength)), bytes(b.raw.substr(0, b.eventLength)));
    QCOMPARE(bytes(p.raw.substr(0, p.eventLength)), bytes(a.raw.substr(0, a.eventLength)));
    QCOMPARE(bytes(a.raw.substr(0, a.eventLength)), event.chopped(1));
    QVERIFY(bytes(o.raw.substr(0, o.eventLength)) != bytes(a.raw.substr(0, a.eventLength)));
}

void TestDecoder::rejectsRecorderMember_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    const QByteArray event = contract();
    QTest::newRow("a number") << recorded(event, "5") << "_eventlens"
                              << "field '_eventlens': must be an object, got 5";
    QTest::newRow("a string") << recorded(event, R"("x")") << "_eventlens"
                              << R"(field '_eventlens': must be an object, got "x")";
    QTest::newRow("an array") << recorded(event, "[]") << "_eventlens"
                              << "field '_eventlens': must be an object, got an array";
    QTest::newRow("receivedAt not RFC 3339") << recorded(event, R"({"receivedAt":"x"})") << "_eventlens.receivedAt"
                                             << R"(field '_eventlens.receivedAt': "x" is not an RFC 3339 time)";
    QTest::newRow("receivedAt without offset")
        << recorded(event, R"({"receivedAt":"2024-01-01T00:00:00"})") << "_eventlens.receivedAt"
        << R"(field '_eventlens.receivedAt': "2024-01-01T00:00:00" is not an RFC 3339 time)";
    QTest::newRow("receivedAt a number") << recorded(event, R"({"receivedAt":1704067200})") << "_eventlens.receivedAt"
                                         << "field '_eventlens.receivedAt': must be a string, got 1704067200";
    QTest::newRow("receivedAt null") << recorded(event, R"({"receivedAt":null})") << "_eventlens.receivedAt"
                                     << "field '_eventlens.receivedAt': must be a string, got null";
    QTest::newRow("topic a number") << recorded(event, R"({"topic":7})") << "_eventlens.topic"
                                    << "field '_eventlens.topic': must be a string, got 7";
    QTest::newRow("topic an object") << recorded(event, R"({"topic":{"name":"t"}})") << "_eventlens.topic"
                                     << "field '_eventlens.topic': must be a string, got an object";
}

void TestDecoder::rejectsRecorderMember()
{
    rejectsField();
}

// ---------------------------------------------------------------------------------------
// Where the strings live, and buffers

void TestDecoder::stringViews_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("field");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("inInput"); // a view of the input bytes, or else the event's unescaped copy

    const QByteArray plain
        = recorded(contract({{"correlationId", "\"flow-7\""}, {"causationId", "\"e0\""}}), R"({"topic":"orders"})");
    QTest::newRow("eventId without escapes") << plain << QByteArray("eventId") << QByteArray("e1") << true;
    QTest::newRow("eventType without escapes")
        << plain << QByteArray("eventType") << QByteArray("order.placed") << true;
    QTest::newRow("source without escapes") << plain << QByteArray("source") << QByteArray("orders") << true;
    QTest::newRow("correlationId without escapes")
        << plain << QByteArray("correlationId") << QByteArray("flow-7") << true;
    QTest::newRow("causationId without escapes") << plain << QByteArray("causationId") << QByteArray("e0") << true;
    QTest::newRow("topic without escapes") << plain << QByteArray("topic") << QByteArray("orders") << true;

    const QByteArray escaped
        = recorded(contract({{"eventId", R"("ord\u0065r-1")"}, {"eventType", R"("order\u002eplaced")"},
                       {"source", R"("svc\/orders")"}, {"correlationId", R"("flow \"7\"")"},
                       {"causationId", R"("\u00e9\ud83d\ude9a")"}}),
            R"({"topic":"orders\t"})");
    QTest::newRow("eventId with escapes") << escaped << QByteArray("eventId") << QByteArray("order-1") << false;
    QTest::newRow("eventType with escapes")
        << escaped << QByteArray("eventType") << QByteArray("order.placed") << false;
    QTest::newRow("source with escapes") << escaped << QByteArray("source") << QByteArray("svc/orders") << false;
    QTest::newRow("correlationId with escapes")
        << escaped << QByteArray("correlationId") << QByteArray("flow \"7\"") << false;
    QTest::newRow("causationId with escapes") << escaped << QByteArray("causationId") << QByteArray("é🚚") << false;
    QTest::newRow("topic with escapes") << escaped << QByteArray("topic") << QByteArray("orders\t") << false;

    QTest::newRow("escaped value, its neighbours still in the input")
        << contract({{"eventId", R"("ord\u0065r-1")"}}) << QByteArray("source") << QByteArray("orders") << true;
    QTest::newRow("CloudEvent type without its .v2 suffix")
        << cloudEvent({{"type", "\"order.placed.v2\""}}) << QByteArray("eventType") << QByteArray("order.placed")
        << true;
    QTest::newRow("CloudEvent escaped type without its .v2 suffix")
        << cloudEvent({{"type", R"("order.placed\u002ev2")"}}) << QByteArray("eventType") << QByteArray("order.placed")
        << false;
}

void TestDecoder::stringViews()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, field);
    QFETCH(QByteArray, value);
    QFETCH(bool, inInput);

    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY2(decoder.decode(view(json), event, error), error.text().c_str());
    const std::string_view got = field == "eventId" ? event.eventId
        : field == "eventType"                      ? event.eventType
        : field == "source"                         ? event.source
        : field == "correlationId"                  ? event.correlationId
        : field == "causationId"                    ? event.causationId
                                                    : event.topic;
    QCOMPARE(bytes(got), value);
    if (inInput) {
        QVERIFY2(within(got, json), "the view should point into the input bytes");
        QCOMPARE(bytes(got), json.mid(got.data() - json.constData(), value.size()));
    } else {
        QVERIFY2(!within(got, json), "an unescaped string cannot be a view of the input");
        QVERIFY2(within(got, event.unescaped.data(), event.unescaped.size()),
            "an unescaped string should live in the event itself");
    }
}

void TestDecoder::escapedStringsOutliveTheNextDecode()
{
    // Unescaped text must belong to the event, not to the decoder's parser, which the next
    // decode() reuses.
    const QByteArray first = recorded(
        contract({{"eventId", R"("ord\u0065r-1")"}, {"causationId", R"("c\u0061use")"}}), R"({"topic":"t\u006fpic"})");
    const QByteArray second = contract({{"eventId", R"("\u0078\u0078\u0078\u0078\u0078\u0078\u0078")"},
        {"causationId", R"("\u0079\u0079\u0079\u0079\u0079")"}});
    Decoder decoder;
    DecodedEvent a, b;
    DecodeError error;
    QVERIFY2(decoder.decode(view(first), a, error), error.text().c_str());
    QVERIFY2(decoder.decode(view(second), b, error), error.text().c_str());
    QCOMPARE(bytes(a.eventId), QByteArray("order-1"));
    QCOMPARE(bytes(a.causationId), QByteArray("cause"));
    QCOMPARE(bytes(a.topic), QByteArray("topic"));
    QCOMPARE(bytes(b.eventId), QByteArray("xxxxxxx"));
    QCOMPARE(bytes(b.causationId), QByteArray("yyyyy"));
}

void TestDecoder::paddedAndUnpaddedAgree_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("after"); // the bytes that follow the input in the padded buffer

    const QByteArray full = recorded(contract({{"eventVersion", "2"}, {"correlationId", "\"flow-7\""},
                                         {"causationId", R"("c\u0061use")"}, {"data", R"({"qty":[1,2,{"n":null}]})"}}),
        R"({"receivedAt":"2024-01-01T00:00:01Z","topic":"orders"})");
    QTest::newRow("event, then closing braces") << full << QByteArray(64, '}');
    QTest::newRow("event, then quotes") << full << QByteArray(64, '"');
    QTest::newRow("event, then the next line of a file") << full << "\n" + contract().repeated(2) + "\n";
    QTest::newRow("CloudEvent, then spaces") << cloudEvent({{"type", "\"order.placed.v2\""}}) << QByteArray(64, ' ');
    QTest::newRow("unclosed object, then closing braces")
        << QByteArray(R"({"eventId":"e1","eventType":"t")") << QByteArray(64, '}');
    QTest::newRow("unclosed object, then the rest of an event")
        << QByteArray(R"({"eventId":"e1","eventType":"t")")
        << QByteArray(R"(,"timestamp":"2024-01-01T00:00:00Z","source":"orders"})") + QByteArray(64, ' ');
    QTest::newRow("unclosed string, then its end") << contract().left(20) << "\"}" + QByteArray(64, ' ');
    QTest::newRow("trailing content, then brackets") << contract() + " x" << QByteArray(64, ']');
    QTest::newRow("bad field, then NUL bytes") << contract({{"eventId", "42"}}) << QByteArray(64, '\0');
}

void TestDecoder::paddedAndUnpaddedAgree()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, after);
    QVERIFY(after.size() >= qsizetype(Decoder::kPadding));
    const size_t size = static_cast<size_t>(json.size());

    // Unpadded: a heap block of exactly the input's size, so reading past it is a bug the
    // sanitizers see. The decoder has to copy.
    const std::unique_ptr<char[]> exact(new char[size]);
    std::memcpy(exact.get(), json.constData(), size);
    const std::string_view unpadded(exact.get(), size);

    // Padded: the input is followed by other bytes the caller says may be read.
    const QByteArray buffer = json + after;
    const std::string_view padded(buffer.constData(), size);

    Decoder decoder;
    DecodedEvent a, b;
    DecodeError errorA, errorB;
    const bool okA = decoder.decode(unpadded, size, a, errorA);
    const bool okB = decoder.decode(padded, static_cast<size_t>(buffer.size()), b, errorB);
    QCOMPARE(okB, okA);
    if (!okA) {
        QCOMPARE(text(errorB), text(errorA));
        QCOMPARE(QString::fromStdString(errorB.field), QString::fromStdString(errorA.field));
        return;
    }
    for (auto [x, y] : {std::pair {a.eventId, b.eventId}, std::pair {a.eventType, b.eventType},
             std::pair {a.source, b.source}, std::pair {a.correlationId, b.correlationId},
             std::pair {a.causationId, b.causationId}, std::pair {a.topic, b.topic}})
        QCOMPARE(bytes(y), bytes(x));
    QCOMPARE(b.timestampNs, a.timestampNs);
    QCOMPARE(b.receivedNs, a.receivedNs);
    QCOMPARE(b.version, a.version);
    QCOMPARE(b.flags, a.flags);
    QCOMPARE(b.eventLength, a.eventLength);
    QVERIFY(a.raw.data() == unpadded.data());
    QVERIFY(b.raw.data() == padded.data());
    // Views point into each caller's own bytes, never into the decoder's copy.
    QVERIFY(within(a.eventId, unpadded.data(), size));
    QVERIFY(within(b.eventId, padded.data(), size));
    if (!a.topic.empty()) {
        QVERIFY(within(a.topic, unpadded.data(), size));
        QVERIFY(within(b.topic, padded.data(), size));
    }
}

void TestDecoder::reuseClearsThePreviousEvent()
{
    // One DecodedEvent reused for every line (as a reader does): nothing of the previous
    // event may leak into the next.
    const QByteArray full = recorded(
        contract({{"eventVersion", "3"}, {"correlationId", "\"flow-7\""}, {"causationId", R"("c\u0061use")"}}),
        R"({"receivedAt":"2024-01-01T00:00:01Z","topic":"orders"})");
    const QByteArray minimal = cloudEvent();
    Decoder decoder;
    DecodedEvent event;
    DecodeError error;
    QVERIFY2(decoder.decode(view(full), event, error), error.text().c_str());
    QCOMPARE(uint(event.version), 3u);
    QCOMPARE(int(event.flags), 0);

    QVERIFY2(decoder.decode(view(minimal), event, error), error.text().c_str());
    QCOMPARE(bytes(event.eventId), QByteArray("c1"));
    QVERIFY(event.correlationId.empty());
    QVERIFY(event.causationId.empty());
    QVERIFY(event.topic.empty());
    QCOMPARE(qint64(event.receivedNs), qint64(kNoTime));
    QCOMPARE(uint(event.version), 1u);
    QCOMPARE(int(event.flags), CloudEvent | kDefaultFlags);
    QCOMPARE(event.eventLength, size_t(minimal.size() - 1));
    QVERIFY(event.unescaped.empty());
}

QTEST_GUILESS_MAIN(TestDecoder)
#include "tst_decoder.moc"
