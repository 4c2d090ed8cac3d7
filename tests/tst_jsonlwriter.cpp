#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/jsonlwriter.h"
#include "core/liverecorder.h"
#include "core/rfc3339.h"
#include "core/zmqsource.h"

#include <QtTest>

#include <string>
#include <vector>

using namespace eventlens;

namespace {

/// One event of the EventLens contract, as a producer would publish it.
std::string eventJson(const std::string &id, const std::string &extra = {})
{
    return "{\"eventId\":\"" + id
        + "\",\"eventType\":\"order.placed\",\"timestamp\":\"2026-03-01T10:00:00.250Z\",\"source\":\"orders\","
          "\"correlationId\":\"flow-1\",\"data\":{\"sku\":\"A-1\",\"qty\":2}"
        + extra + "}";
}

int64_t ns(const char *rfc3339)
{
    return *parseRfc3339(rfc3339);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

std::vector<std::string> linesOf(const QByteArray &content)
{
    std::vector<std::string> lines;
    qsizetype start = 0;
    for (qsizetype i = 0; i < content.size(); ++i)
        if (content[i] == '\n') {
            lines.emplace_back(content.constData() + start, size_t(i - start));
            start = i + 1;
        }
    if (start < content.size())
        lines.emplace_back(content.constData() + start, size_t(content.size() - start));
    return lines;
}

int occurrences(std::string_view text, std::string_view what)
{
    int n = 0;
    for (size_t at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

QJsonObject parsed(std::string_view line)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(line.data(), qsizetype(line.size())), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning() << "not JSON:" << error.errorString() << QByteArray(line.data(), qsizetype(line.size()));
    return doc.object();
}

QJsonObject withoutRecorder(QJsonObject o)
{
    o.remove(QLatin1String(kRecorderMember.data(), qsizetype(kRecorderMember.size())));
    return o;
}

QJsonObject recorderOf(const QJsonObject &o)
{
    return o.value(QLatin1String(kRecorderMember.data(), qsizetype(kRecorderMember.size()))).toObject();
}

struct Loaded {
    bool ok = false;
    std::string error;
    RecordingReport report;
};

Loaded load(const QString &path, EventStore &store)
{
    Loaded l;
    JsonlReader reader;
    l.ok = reader.load(path.toStdString(), store, l.report, l.error);
    return l;
}

} // namespace

class TstJsonlWriter : public QObject {
    Q_OBJECT

private slots:
    void init();
    void oneLinePerEventWithReceiveMetadata();
    void loadsBackThroughTheReader_data();
    void loadsBackThroughTheReader();
    void writesDecodedEvents();
    void reRecordingReplacesTheMember_data();
    void reRecordingReplacesTheMember();
    void prettyPrintedEventBecomesOneLine();
    void appendsAfterATornLine_data();
    void appendsAfterATornLine();
    void truncatesWhenNotAppending();
    void flushPolicies_data();
    void flushPolicies();
    void closingOrDestroyingFlushes();
    void unwritablePath_data();
    void unwritablePath();
    void writeErrorIsReportedAndNotCarriedOver();
    void fullDiskStopsTheWriterWithBoundedMemory();
    void everyLineFitsTheReadersLimit();
    void rejectsKeepBinaryFramesAndAreBounded();
    void refusesWhatIsNotAnEvent_data();
    void refusesWhatIsNotAnEvent();

private:
    QTemporaryDir m_dir;
    QString m_path;
};

void TstJsonlWriter::init()
{
    QVERIFY(m_dir.isValid());
    static int n = 0;
    m_path = m_dir.filePath(QStringLiteral("rec-%1.jsonl").arg(++n));
}

void TstJsonlWriter::oneLinePerEventWithReceiveMetadata()
{
    const std::vector<std::string> events = {eventJson("e1"), eventJson("e2", R"(,"metadata":{"tenant":"t\u00e9"})"),
                                             "{ \"eventId\" : \"e3\", \"eventType\":\"x\",\"timestamp\":"
                                             "\"2026-03-01T10:00:00Z\",\"source\":\"s\" }"};
    const std::vector<int64_t> received = {ns("2026-03-01T10:00:00.300000001Z"), ns("2026-03-01T10:00:01Z"),
                                           ns("2026-03-01T10:00:02.5Z")};
    const std::vector<std::string> topics = {"orders", "orders.eu", ""};
    {
        JsonlWriter writer;
        QVERIFY2(writer.open(m_path.toStdString()), writer.error().c_str());
        QVERIFY(writer.isOpen());
        QCOMPARE(writer.notice(), std::string());
        for (size_t i = 0; i < events.size(); ++i)
            QVERIFY2(writer.write(events[i], received[i], topics[i]), writer.error().c_str());
        QCOMPARE(writer.eventsWritten(), uint64_t(3));
        QVERIFY(writer.close());
        QVERIFY(!writer.isOpen());
    }

    const QByteArray content = readAll(m_path);
    QVERIFY(content.endsWith('\n'));
    const auto lines = linesOf(content);
    QCOMPARE(lines.size(), events.size());
    for (size_t i = 0; i < events.size(); ++i) {
        const std::string &line = lines[i];
        // The event as received, then our one member, then the event's closing brace.
        std::string received_ = events[i];
        received_.erase(received_.find_last_not_of(" }") + 1);
        QVERIFY2(line.starts_with(received_), line.c_str());
        QCOMPARE(occurrences(line, "\"_eventlens\""), 1);
        const QJsonObject object = parsed(line);
        QCOMPARE(withoutRecorder(object), parsed(events[i]));
        const QJsonObject rec = recorderOf(object);
        const auto at = parseRfc3339(rec.value("receivedAt").toString().toStdString());
        QVERIFY2(at.has_value(), line.c_str());
        QCOMPARE(*at, received[i]);
        QCOMPARE(rec.value("topic").toString().toStdString(), topics[i]);
        QCOMPARE(rec.contains("topic"), !topics[i].empty());
    }
}

void TstJsonlWriter::loadsBackThroughTheReader_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("receivedNs");
    QTest::addColumn<QByteArray>("topic");

    QTest::newRow("plain") << QByteArray::fromStdString(eventJson("m")) << qint64(ns("2026-03-01T10:00:00.75Z"))
                           << QByteArray("orders");
    QTest::newRow("nanoseconds") << QByteArray::fromStdString(eventJson("m")) << qint64(ns("2026-03-01T10:00:00.123456789Z"))
                                 << QByteArray("orders");
    QTest::newRow("no topic") << QByteArray::fromStdString(eventJson("m")) << qint64(ns("2026-03-01T10:00:00Z"))
                              << QByteArray();
    QTest::newRow("receive time unknown") << QByteArray::fromStdString(eventJson("m")) << qint64(kNoTime)
                                          << QByteArray("orders");
    QTest::newRow("topic needing escapes") << QByteArray::fromStdString(eventJson("m"))
                                           << qint64(ns("2026-03-01T10:00:00Z"))
                                           << QByteArray("bestellungen/\xC3\xBC \"eu\"\\x");
    QTest::newRow("cloudevent") << QByteArray(R"({"specversion":"1.0","id":"m","type":"order.placed","source":"/orders",)"
                                              R"("time":"2026-03-01T10:00:00Z","correlationid":"flow-1","data":{"a":[1,2]}})")
                                << qint64(ns("2026-03-01T10:00:03Z")) << QByteArray("ce");
    QTest::newRow("empty data object") << QByteArray::fromStdString(eventJson("m", R"(,"metadata":{})"))
                                       << qint64(ns("2026-03-01T10:00:00Z")) << QByteArray("t");
}

void TstJsonlWriter::loadsBackThroughTheReader()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, receivedNs);
    QFETCH(QByteArray, topic);

    const int64_t otherTime = ns("2026-03-01T09:00:00Z");
    {
        JsonlWriter writer;
        QVERIFY2(writer.open(m_path.toStdString()), writer.error().c_str());
        QVERIFY(writer.write(eventJson("before"), otherTime, "a"));
        QVERIFY2(writer.write(json.toStdString(), receivedNs, topic.toStdString()), writer.error().c_str());
        QVERIFY(writer.write(eventJson("after"), otherTime + 1, "b"));
    }

    EventStore store;
    const Loaded l = load(m_path, store);
    QVERIFY2(l.ok, l.error.c_str());
    QCOMPARE(l.report.lines, uint64_t(3));
    QCOMPARE(l.report.accepted, uint64_t(3));
    QVERIFY2(l.report.rejected.empty(), l.report.rejected.empty() ? "" : l.report.rejected[0].reason.c_str());
    QVERIFY(!l.report.truncatedTail);

    const uint32_t i = store.find("m");
    QCOMPARE(i, 1u);
    QCOMPARE(store.record(i).line, 2u);
    QCOMPARE(store.record(i).receivedNs, int64_t(receivedNs));
    QCOMPARE(store.topicName(store.record(i).topic), std::string_view(topic.constData(), size_t(topic.size())));
    QCOMPARE(store.correlationId(i), std::string_view("flow-1"));
    QCOMPARE(store.record(i).flags & Duplicate, 0);
    // The loaded bytes are the event as received, plus our member.
    QCOMPARE(withoutRecorder(parsed(store.raw(i))), parsed(json.toStdString()));
    QCOMPARE(store.record(store.find("before")).receivedNs, otherTime);
    QCOMPARE(store.topicName(store.record(store.find("after")).topic), std::string_view("b"));
}

void TstJsonlWriter::writesDecodedEvents()
{
    // The session's path: bytes from the transport, decoded, receive time and topic set.
    const std::string bytes = eventJson("live-1", R"(,"causationId":"cmd-9")");
    Decoder decoder;
    DecodedEvent decoded;
    DecodeError error;
    QVERIFY2(decoder.decode(bytes, decoded, error), error.text().c_str());
    decoded.receivedNs = ns("2026-03-01T10:00:00.5Z");
    decoded.topic = "orders";
    {
        JsonlWriter writer(JsonlWriter::Options{.flush = JsonlWriter::Flush::Manual});
        QVERIFY(writer.open(m_path.toStdString()));
        QVERIFY2(writer.write(decoded), writer.error().c_str());
    }
    const auto lines = linesOf(readAll(m_path));
    QCOMPARE(lines.size(), size_t(1));
    QVERIFY(lines[0].starts_with(bytes.substr(0, bytes.size() - 1)));

    EventStore store;
    const Loaded l = load(m_path, store);
    QVERIFY2(l.ok, l.error.c_str());
    QCOMPARE(l.report.accepted, uint64_t(1));
    QCOMPARE(store.record(0).receivedNs, decoded.receivedNs);
    QCOMPARE(store.topicName(store.record(0).topic), std::string_view("orders"));
    QCOMPARE(store.causationId(0), std::string_view("cmd-9"));
}

void TstJsonlWriter::reRecordingReplacesTheMember_data()
{
    QTest::addColumn<QByteArray>("recorded");
    QTest::addColumn<int>("nestedMembers"); // `"_eventlens"` keys inside data, which are the producer's

    const QByteArray head = R"({"eventId":"r","eventType":"order.placed","timestamp":"2026-03-01T10:00:00Z","source":"orders")";
    const QByteArray old = R"({"receivedAt":"2020-01-01T00:00:00Z","topic":"old"})";
    QTest::newRow("our own line") << head + R"(,"data":{"a":1},"_eventlens":)" + old + "}" << 0;
    QTest::newRow("spaces around it") << head + R"(,"data":{"a":1} , "_eventlens" : )" + old + " }" << 0;
    QTest::newRow("pretty-printed") << QByteArray("{\n  \"eventId\": \"r\",\n  \"eventType\": \"order.placed\",\n"
                                       "  \"timestamp\": \"2026-03-01T10:00:00Z\",\n  \"source\": \"orders\",\n"
                                       "  \"_eventlens\": {\n    \"receivedAt\": \"2020-01-01T00:00:00Z\"\n  }\n}\n")
                                    << 0;
    QTest::newRow("first member") << R"({"_eventlens":)" + old + "," + head.mid(1) + "}" << 0;
    QTest::newRow("middle member") << head + R"(,"_eventlens":)" + old + R"(,"data":{"a":1}})" << 0;
    QTest::newRow("twice") << head + R"(,"_eventlens":)" + old + R"(,"data":null,"_eventlens":)" + old + "}" << 0;
    QTest::newRow("only in data") << head + R"(,"data":{"a":1,"_eventlens":{"keep":true}}})" << 1;
    QTest::newRow("in data and ours") << head + R"(,"data":{"a":1,"_eventlens":"keep"},"_eventlens":)" + old + "}"
                                      << 1;
    QTest::newRow("in a string") << head + R"(,"data":",\"_eventlens\":{}}","_eventlens":)" + old + "}" << 0;
}

void TstJsonlWriter::reRecordingReplacesTheMember()
{
    QFETCH(QByteArray, recorded);
    QFETCH(int, nestedMembers);
    const std::string input = recorded.toStdString();
    const int64_t now = ns("2026-03-02T08:00:00.5Z");

    // As text (a replayed recording) and as a decoded event (the session's path).
    Decoder decoder;
    DecodedEvent decoded;
    DecodeError error;
    QVERIFY2(decoder.decode(input, decoded, error), error.text().c_str());
    decoded.receivedNs = now;
    decoded.topic = "replay";
    {
        JsonlWriter writer;
        QVERIFY(writer.open(m_path.toStdString()));
        QVERIFY2(writer.write(input, now, "replay"), writer.error().c_str());
        QVERIFY2(writer.write(decoded), writer.error().c_str());
    }

    const auto lines = linesOf(readAll(m_path));
    QCOMPARE(lines.size(), size_t(2));
    QJsonObject expected = withoutRecorder(parsed(input));
    for (const std::string &line : lines) {
        QCOMPARE(occurrences(line, "\"_eventlens\""), 1 + nestedMembers);
        const QJsonObject object = parsed(line);
        QCOMPARE(withoutRecorder(object), expected);
        QCOMPARE(recorderOf(object).value("topic").toString(), QStringLiteral("replay"));
        QCOMPARE(recorderOf(object).value("receivedAt").toString(), QStringLiteral("2026-03-02T08:00:00.500000000Z"));
    }

    EventStore store;
    const Loaded l = load(m_path, store);
    QVERIFY2(l.ok, l.error.c_str());
    QCOMPARE(l.report.accepted, uint64_t(2));
    for (uint32_t i = 0; i < 2; ++i) {
        QCOMPARE(store.record(i).receivedNs, now);
        QCOMPARE(store.topicName(store.record(i).topic), std::string_view("replay"));
    }
    // Recorded twice, it is still the same event: a redelivery, not an id collision.
    QCOMPARE(store.record(1).flags & (Redelivery | IdCollision), int(Redelivery));
}

void TstJsonlWriter::prettyPrintedEventBecomesOneLine()
{
    const std::string pretty = "\n{\r\n  \"eventId\": \"p1\",\n  \"eventType\": \"order.placed\",\n"
                               "  \"timestamp\": \"2026-03-01T10:00:00Z\",\n  \"source\": \"orders\",\n"
                               "  \"data\": {\n    \"note\": \"line 1\\nline 2\",\n    \"list\": [\n      1,\n      2\n"
                               "    ]\n  }\n}\n\n";
    {
        JsonlWriter writer;
        QVERIFY(writer.open(m_path.toStdString()));
        QVERIFY2(writer.write(pretty, ns("2026-03-01T10:00:01Z"), "t"), writer.error().c_str());
        QVERIFY(writer.write(eventJson("p2"), ns("2026-03-01T10:00:02Z"), "t"));
    }
    const auto lines = linesOf(readAll(m_path));
    QCOMPARE(lines.size(), size_t(2));
    QVERIFY(lines[0].find('\r') == std::string::npos);
    const QJsonObject object = parsed(lines[0]);
    QCOMPARE(withoutRecorder(object), parsed(pretty));
    QCOMPARE(object.value("data").toObject().value("note").toString(), QStringLiteral("line 1\nline 2"));

    EventStore store;
    const Loaded l = load(m_path, store);
    QVERIFY2(l.ok, l.error.c_str());
    QCOMPARE(l.report.accepted, uint64_t(2));
    QCOMPARE(store.find("p1"), 0u);
    QCOMPARE(store.record(0).line, 1u);
    QCOMPARE(store.find("p2"), 1u);
    QCOMPARE(store.record(1).line, 2u);
}

void TstJsonlWriter::appendsAfterATornLine_data()
{
    QTest::addColumn<QByteArray>("existing");
    QTest::addColumn<int>("tornLine");         // 0: the file ended cleanly
    QTest::addColumn<int>("eventsBefore");     // events in the file before appending
    QTest::addColumn<QList<int>>("rejected"); // lines the reader reports afterwards

    const QByteArray good1 = QByteArray::fromStdString(eventJson("old-1"));
    const QByteArray good2 = QByteArray::fromStdString(eventJson("old-2"));
    QTest::newRow("crash mid-line") << good1 + "\n" + good2 + "\n" + R"({"eventId":"torn","eventTy)" << 3 << 2
                                    << QList<int>{3};
    QTest::newRow("crash before the newline") << good1 + "\n" + good2 << 2 << 2 << QList<int>{};
    QTest::newRow("single torn line") << QByteArray(R"({"eventId":)") << 1 << 0 << QList<int>{1};
    QTest::newRow("clean file") << good1 + "\n" + good2 + "\n" << 0 << 2 << QList<int>{};
    QTest::newRow("CRLF file") << good1 + "\r\n" + good2 + "\r\n" << 0 << 2 << QList<int>{};
    QTest::newRow("empty file") << QByteArray() << 0 << 0 << QList<int>{};
}

void TstJsonlWriter::appendsAfterATornLine()
{
    QFETCH(QByteArray, existing);
    QFETCH(int, tornLine);
    QFETCH(int, eventsBefore);
    QFETCH(QList<int>, rejected);
    {
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(existing), existing.size());
    }

    {
        JsonlWriter writer;
        QVERIFY2(writer.open(m_path.toStdString()), writer.error().c_str());
        if (tornLine) {
            QVERIFY2(writer.notice().find("line " + std::to_string(tornLine)) != std::string::npos,
                     writer.notice().c_str());
            QVERIFY(writer.notice().find('\n') == std::string::npos);
        } else {
            QCOMPARE(writer.notice(), std::string());
        }
        QVERIFY(writer.write(eventJson("new-1"), ns("2026-03-01T11:00:00Z"), "t"));
        QVERIFY(writer.write(eventJson("new-2"), ns("2026-03-01T11:00:01Z"), "t"));
    }

    // What was there is untouched; the new records each start a line of their own.
    const QByteArray content = readAll(m_path);
    QVERIFY(content.startsWith(existing));
    const auto lines = linesOf(content);
    const size_t oldLines = size_t(linesOf(existing).size());
    QCOMPARE(lines.size(), oldLines + 2);
    QVERIFY(lines[oldLines].starts_with("{\"eventId\":\"new-1\""));
    QVERIFY(lines[oldLines + 1].starts_with("{\"eventId\":\"new-2\""));

    EventStore store;
    const Loaded l = load(m_path, store);
    QVERIFY2(l.ok, l.error.c_str());
    QVERIFY(!l.report.truncatedTail); // the torn line is terminated now: reported as a bad line
    QCOMPARE(l.report.accepted, uint64_t(eventsBefore + 2));
    QList<int> rejectedLines;
    for (const RejectedLine &r : l.report.rejected)
        rejectedLines.append(int(r.line));
    QCOMPARE(rejectedLines, rejected);
    QCOMPARE(store.record(store.find("new-1")).line, uint32_t(oldLines + 1));
    QCOMPARE(store.record(store.find("new-2")).line, uint32_t(oldLines + 2));
    if (eventsBefore)
        QCOMPARE(store.record(store.find("old-2")).line, 2u);

    // Appending again to the now clean file gives no notice.
    JsonlWriter again;
    QVERIFY(again.open(m_path.toStdString()));
    QCOMPARE(again.notice(), std::string());
}

void TstJsonlWriter::truncatesWhenNotAppending()
{
    {
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(eventJson("old") + "\n{\"torn"));
    }
    {
        JsonlWriter writer(JsonlWriter::Options{.append = false});
        QVERIFY(writer.open(m_path.toStdString()));
        QCOMPARE(writer.notice(), std::string());
        QVERIFY(writer.write(eventJson("new"), ns("2026-03-01T11:00:00Z"), "t"));
    }
    const auto lines = linesOf(readAll(m_path));
    QCOMPARE(lines.size(), size_t(1));
    QVERIFY(lines[0].starts_with("{\"eventId\":\"new\""));
}

void TstJsonlWriter::flushPolicies_data()
{
    QTest::addColumn<int>("policy");
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<bool>("visibleAfterWrite");

    QTest::newRow("every event") << int(JsonlWriter::Flush::EveryEvent) << 200 << true;
    QTest::newRow("manual") << int(JsonlWriter::Flush::Manual) << 200 << false;
    QTest::newRow("interval not yet due") << int(JsonlWriter::Flush::Interval) << 3'600'000 << false;
    QTest::newRow("interval due") << int(JsonlWriter::Flush::Interval) << 0 << true;
}

void TstJsonlWriter::flushPolicies()
{
    QFETCH(int, policy);
    QFETCH(int, intervalMs);
    QFETCH(bool, visibleAfterWrite);

    JsonlWriter::Options options;
    options.flush = JsonlWriter::Flush(policy);
    options.interval = std::chrono::milliseconds(intervalMs);
    JsonlWriter writer(options);
    QVERIFY(writer.open(m_path.toStdString()));

    // Another process (tail -f, jq) reads the file while we record.
    QVERIFY(writer.write(eventJson("f1"), ns("2026-03-01T11:00:00Z"), "t"));
    QCOMPARE(linesOf(readAll(m_path)).size(), size_t(visibleAfterWrite ? 1 : 0));
    QVERIFY(writer.write(eventJson("f2"), ns("2026-03-01T11:00:01Z"), "t"));
    QCOMPARE(linesOf(readAll(m_path)).size(), size_t(visibleAfterWrite ? 2 : 0));
    QVERIFY(writer.flush());
    QByteArray content = readAll(m_path);
    QCOMPARE(linesOf(content).size(), size_t(2));
    QVERIFY(content.endsWith('\n')); // never half a record
    QVERIFY(writer.flush());         // nothing new: nothing written twice
    QCOMPARE(readAll(m_path), content);

    QVERIFY(writer.write(eventJson("f3"), ns("2026-03-01T11:00:02Z"), "t"));
    QVERIFY(writer.close());
    const auto lines = linesOf(readAll(m_path));
    QCOMPARE(lines.size(), size_t(3));
    QVERIFY(lines[2].starts_with("{\"eventId\":\"f3\""));
}

void TstJsonlWriter::closingOrDestroyingFlushes()
{
    {
        JsonlWriter writer(JsonlWriter::Options{.flush = JsonlWriter::Flush::Manual});
        QVERIFY(writer.open(m_path.toStdString()));
        QVERIFY(writer.write(eventJson("d1"), ns("2026-03-01T11:00:00Z"), "t"));
        QCOMPARE(readAll(m_path), QByteArray());
    }
    QCOMPARE(linesOf(readAll(m_path)).size(), size_t(1));

    // Opening another file finishes the first one.
    const QString second = m_path + ".2";
    JsonlWriter writer(JsonlWriter::Options{.flush = JsonlWriter::Flush::Manual});
    QVERIFY(writer.open(m_path.toStdString()));
    QVERIFY(writer.write(eventJson("d2"), ns("2026-03-01T11:00:01Z"), "t"));
    QVERIFY(writer.open(second.toStdString()));
    QCOMPARE(linesOf(readAll(m_path)).size(), size_t(2));
    QCOMPARE(writer.eventsWritten(), uint64_t(0));
    QVERIFY(writer.write(eventJson("d3"), ns("2026-03-01T11:00:02Z"), "t"));
    QVERIFY(writer.close());
    QCOMPARE(linesOf(readAll(second)).size(), size_t(1));
    QCOMPARE(linesOf(readAll(m_path)).size(), size_t(2));
}

void TstJsonlWriter::unwritablePath_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("missing directory") << QStringLiteral("no/such/dir/rec.jsonl");
    QTest::newRow("a directory") << QStringLiteral(".");
    QTest::newRow("under a regular file") << QStringLiteral("plain.txt/rec.jsonl");
}

void TstJsonlWriter::unwritablePath()
{
    QFETCH(QString, path);
    {
        QFile plain(m_dir.filePath("plain.txt"));
        QVERIFY(plain.open(QIODevice::WriteOnly));
    }
    const std::string full = QDir::cleanPath(m_dir.filePath(path)).toStdString();

    JsonlWriter writer;
    QVERIFY(!writer.open(full));
    QVERIFY(!writer.isOpen());
    QVERIFY(!writer.error().empty());
    QVERIFY2(writer.error().find(full) != std::string::npos, writer.error().c_str());
    QVERIFY2(writer.error().find('\n') == std::string::npos, writer.error().c_str());
    QVERIFY(!writer.write(eventJson("x"), ns("2026-03-01T11:00:00Z"), "t"));
    QVERIFY(!writer.error().empty());
    QCOMPARE(writer.eventsWritten(), uint64_t(0));
}

void TstJsonlWriter::writeErrorIsReportedAndNotCarriedOver()
{
    // A full disk: every write fails.
    if (!QFileInfo::exists("/dev/full"))
        QSKIP("needs /dev/full");
    JsonlWriter writer(JsonlWriter::Options{.flush = JsonlWriter::Flush::EveryEvent});
    QVERIFY2(writer.open("/dev/full"), writer.error().c_str());
    QVERIFY(!writer.write(eventJson("lost"), ns("2026-03-01T11:00:00Z"), "t"));
    QVERIFY2(writer.error().find("/dev/full") != std::string::npos, writer.error().c_str());
    QVERIFY(writer.error().find('\n') == std::string::npos);
    QVERIFY(!writer.close());

    // The next recording holds its own events only.
    QVERIFY(writer.open(m_path.toStdString()));
    QVERIFY(writer.write(eventJson("kept"), ns("2026-03-01T11:00:01Z"), "t"));
    QVERIFY(writer.close());
    const auto lines = linesOf(readAll(m_path));
    QCOMPARE(lines.size(), size_t(1));
    QVERIFY(lines[0].starts_with("{\"eventId\":\"kept\""));
}

void TstJsonlWriter::refusesWhatIsNotAnEvent_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("blank") << QByteArray(" \n ");
    QTest::newRow("array") << QByteArray(R"([{"eventId":"a"}])");
    QTest::newRow("string") << QByteArray(R"("{}")");
    QTest::newRow("cut short") << QByteArray(R"({"eventId":"a")");
}

void TstJsonlWriter::refusesWhatIsNotAnEvent()
{
    QFETCH(QByteArray, bytes);
    JsonlWriter writer(JsonlWriter::Options{.flush = JsonlWriter::Flush::EveryEvent});
    QVERIFY(writer.open(m_path.toStdString()));
    QVERIFY(!writer.write(bytes.toStdString(), ns("2026-03-01T11:00:00Z"), "t"));
    QVERIFY(!writer.error().empty());
    QCOMPARE(writer.eventsWritten(), uint64_t(0));
    QVERIFY(writer.write(eventJson("ok"), ns("2026-03-01T11:00:00Z"), "t"));
    QVERIFY(writer.close());
    QCOMPARE(linesOf(readAll(m_path)).size(), size_t(1));
}

namespace {
/// The process's resident memory, from /proc.
qint64 residentBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    return -1;
}
} // namespace

void TstJsonlWriter::fullDiskStopsTheWriterWithBoundedMemory()
{
    // What the app saw: a recording onto a full disk kept buffering (480 MB) and lost
    // 99.6 % of the events in silence. The writer must fail at once and hold nothing more.
    if (!QFileInfo::exists("/dev/full"))
        QSKIP("needs /dev/full");
    JsonlWriter writer; // the flush policy the recorder uses
    QVERIFY2(writer.open("/dev/full"), writer.error().c_str());
    const std::string event = eventJson("e", ",\"pad\":\"" + std::string(1000, 'x') + "\"");
    const qint64 before = residentBytes();
    uint64_t refused = 0, firstFailure = 0;
    const uint64_t total = 100'000; // about 100 MB
    for (uint64_t i = 0; i < total; ++i)
        if (!writer.write(event, ns("2026-03-01T11:00:00Z"), "t") && refused++ == 0)
            firstFailure = i;
    const qint64 grown = residentBytes() - before;
    QVERIFY2(grown < 32 * 1024 * 1024, qPrintable(QString::number(grown)));
    // It failed as soon as it wrote (at most a buffer's worth in), and said why...
    QVERIFY2(firstFailure * event.size() <= 2 * JsonlWriter::kMaxBufferBytes,
             qPrintable(QString::number(firstFailure)));
    QVERIFY(writer.hasFailed());
    QVERIFY2(writer.error() == "cannot write '/dev/full': No space left on device", writer.error().c_str());
    // ...and counts what it lost: everything, here.
    QCOMPARE(refused, total - firstFailure);
    QCOMPARE(writer.eventsLost() + writer.eventsWritten(), total);
    QCOMPARE(writer.eventsWritten(), uint64_t(0));
    QVERIFY(!writer.flush());
    QVERIFY(!writer.close());
}

void TstJsonlWriter::everyLineFitsTheReadersLimit()
{
    // With the reader's line limit (maxEventBytes) the writer's member never makes a
    // line one the reader refuses: a huge topic is cut, and for an event at the limit the
    // member goes.
    const size_t limit = 64 * 1024;
    JsonlWriter writer(JsonlWriter::Options{.flush = JsonlWriter::Flush::Manual, .maxLineBytes = limit});
    QVERIFY(writer.open(m_path.toStdString()));
    const std::string topic = "\xC3\xA9" + std::string(200 * 1024, 't'); // a multi-byte start
    QVERIFY(writer.write(eventJson("huge-topic"), ns("2026-03-01T11:00:00Z"), topic));
    std::string big = eventJson("at-limit", ",\"pad\":\"");
    big.insert(big.size() - 1, std::string(limit - big.size() - 1, 'p') + "\"");
    QCOMPARE(big.size(), limit);
    QVERIFY(writer.write(big, ns("2026-03-01T11:00:01Z"), "order.placed"));
    std::string nearly = eventJson("near-limit", ",\"pad\":\"");
    nearly.insert(nearly.size() - 1, std::string(limit - nearly.size() - 80, 'p') + "\"");
    QVERIFY(writer.write(nearly, ns("2026-03-01T11:00:02Z"), "order.placed"));
    QVERIFY(writer.close());

    const auto lines = linesOf(readAll(m_path));
    QCOMPARE(lines.size(), size_t(3));
    for (const std::string &line : lines)
        QVERIFY2(line.size() <= limit, qPrintable(QString::number(line.size())));
    const QJsonObject meta = parsed(lines[0]).value("_eventlens").toObject();
    QCOMPARE(meta.value("topicTruncated").toBool(), true);
    QCOMPARE(meta.value("topicBytes").toInteger(), qint64(topic.size()));
    QVERIFY(meta.value("topic").toString().startsWith(QStringLiteral("\u00e9ttt")));
    QVERIFY(size_t(meta.value("topic").toString().toUtf8().size()) <= JsonlWriter::kMaxTopicBytes);
    QCOMPARE(lines[1], big); // as received: no room for the member
    QVERIFY(parsed(lines[2]).value("_eventlens").toObject().contains("receivedAt")); // the time fits, the topic not

    EventStore store;
    RecordingReport report;
    std::string error;
    JsonlReader::Options options;
    options.decoder.maxEventBytes = limit;
    QVERIFY2(JsonlReader(options).load(m_path.toStdString(), store, report, error), error.c_str());
    QVERIFY2(report.rejected.empty(), report.rejected.empty() ? "" : report.rejected.front().reason.c_str());
    QCOMPARE(store.size(), size_t(3));
}

void TstJsonlWriter::rejectsKeepBinaryFramesAndAreBounded()
{
    // At most 3 lines and 1 MiB of rejects: what is over is counted, not written.
    LiveRecorder recorder({}, LiveRecorder::RejectLimits{.lines = 3, .bytes = 1u << 20});
    QVERIFY(recorder.open(m_path.toStdString()));
    std::string binary;
    for (int i = 0; i < 256; ++i)
        binary.push_back(char(i));
    const std::string text = "{not json \xE2\x82\xAC";
    auto take = [&](const std::string &topic, const std::string &payload) {
        const std::string_view frames[] = {topic, payload};
        return recorder.take(classifyFrames(frames, "tcp://127.0.0.1:1", ns("2026-03-01T11:00:00Z")));
    };
    QVERIFY(take("bin", binary));
    QVERIFY(take("text", text));
    const std::string giant(2u << 20, '\xFF');
    QVERIFY(take("giant", giant)); // over the bytes: not written
    QVERIFY(take("bin", binary));
    QVERIFY(take("bin", binary)); // over the lines
    QVERIFY(recorder.close());
    QCOMPARE(recorder.rejected(), uint64_t(5));
    QCOMPARE(recorder.rejectsNotWritten(), uint64_t(2));
    QCOMPARE(recorder.rejectBytesNotWritten(), uint64_t(5 + giant.size() + 3 + binary.size()));

    const auto lines = linesOf(readAll(QString::fromStdString(recorder.rejectsPath())));
    QCOMPARE(lines.size(), size_t(3));
    const QJsonArray first = parsed(lines[0]).value("frames").toArray();
    QCOMPARE(first[0].toString(), QStringLiteral("bin")); // valid UTF-8: as a string
    QCOMPARE(QByteArray::fromBase64(first[1].toObject().value("base64").toString().toLatin1()),
             QByteArray::fromStdString(binary));
    QCOMPARE(parsed(lines[1]).value("frames").toArray()[1].toString().toStdString(), text);
}

QTEST_GUILESS_MAIN(TstJsonlWriter)
#include "tst_jsonlwriter.moc"
