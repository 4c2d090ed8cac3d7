// Tests for JsonlReader: a JSON Lines recording goes in, the store holds every valid
// line (found by eventId, with its line number) and the report names every other line.

#include "core/eventstore.h"
#include "core/jsonlreader.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <utility>
#include <vector>

using namespace eventlens;

namespace QTest {
template<> char *toString(const std::string &s)
{
    return qstrdup(s.c_str());
}
} // namespace QTest

namespace {

const QByteArray kBom = QByteArrayLiteral("\xEF\xBB\xBF");

/// A valid event line (no line end). `padding` bytes of data make it as long as needed.
QByteArray eventLine(const QByteArray &id, qsizetype padding = 0)
{
    QByteArray line = R"({"eventId":")" + id
        + R"(","eventType":"test.happened","timestamp":"2026-03-01T12:00:00Z","source":"tst","correlationId":"flow-1")";
    if (padding > 0)
        line += R"(,"data":{"pad":")" + QByteArray(padding, 'x') + R"("})";
    return line + '}';
}

/// A valid event line of exactly `size` bytes.
QByteArray eventLineOfSize(const QByteArray &id, qsizetype size)
{
    const qsizetype fixed = eventLine(id, 1).size() - 1;
    Q_ASSERT(size > fixed);
    return eventLine(id, size - fixed);
}

/// A line that is one JSON object but not an event (timestamp missing).
QByteArray badLine(const QByteArray &id)
{
    return R"({"eventId":")" + id + R"(","eventType":"test.happened","source":"tst"})";
}

QByteArray bytesOf(std::string_view s)
{
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

struct Loaded {
    std::unique_ptr<EventStore> store = std::make_unique<EventStore>();
    RecordingReport report;
    std::string error;
    bool ok = false;
};

Loaded load(const QString &path, JsonlReader::Options options = {})
{
    Loaded l;
    l.ok = JsonlReader(std::move(options)).load(QFile::encodeName(path).toStdString(), *l.store, l.report, l.error);
    return l;
}

/// "id@line" for each id, looked up through the store's eventId index.
QStringList located(const EventStore &store, const QStringList &ids)
{
    QStringList out;
    for (const QString &id : ids) {
        const QByteArray utf8 = id.toUtf8();
        const uint32_t i = store.find(std::string_view(utf8.constData(), static_cast<size_t>(utf8.size())));
        out << id + QLatin1Char('@')
                + (i == EventStore::kNone ? QStringLiteral("missing") : QString::number(store.record(i).line));
    }
    return out;
}

/// The ids of a list of "id@line" entries.
QStringList idsOf(const QStringList &entries)
{
    QStringList ids;
    for (const QString &e : entries)
        ids << e.section(QLatin1Char('@'), 0, 0);
    return ids;
}

/// Every stored event in store order, as "id@line".
QStringList stored(const EventStore &store)
{
    QStringList out;
    for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i)
        out << QString::fromUtf8(bytesOf(store.eventId(i))) + QLatin1Char('@') + QString::number(store.record(i).line);
    return out;
}

QList<quint64> rejectedLines(const RecordingReport &report)
{
    QList<quint64> lines;
    for (const RejectedLine &r : report.rejected)
        lines << r.line;
    return lines;
}

QString reasons(const RecordingReport &report)
{
    QStringList out;
    for (const RejectedLine &r : report.rejected)
        out << QString::number(r.line) + QStringLiteral(": ") + QString::fromStdString(r.reason);
    return out.join(QLatin1Char('\n'));
}

/// Checks a finished load: exactly `expected` ("id@line", in file order) was loaded, each
/// found by its eventId at its line, and exactly the lines `rejected` were reported; no
/// torn tail, not cancelled. A macro so that failures point at the calling test.
#define VERIFY_LOADED(l, expected, rejected)                                                                           \
    do {                                                                                                               \
        QVERIFY2((l).ok, (l).error.c_str());                                                                           \
        if (rejectedLines((l).report) != QList<quint64>(rejected))                                                     \
            qWarning("rejected:\n%s", qPrintable(reasons((l).report)));                                                \
        QCOMPARE(rejectedLines((l).report), QList<quint64>(rejected));                                                 \
        QCOMPARE(located(*(l).store, idsOf(expected)), QStringList(expected));                                         \
        QCOMPARE(stored(*(l).store), QStringList(expected));                                                           \
        QCOMPARE((l).report.accepted, quint64(QStringList(expected).size()));                                          \
        QVERIFY(!(l).report.truncatedTail);                                                                            \
        QVERIFY(!(l).report.cancelled);                                                                                \
    } while (false)

} // namespace

class TstJsonlReader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    // Bad lines are reported by number and reason; the rest load.
    void mixedRecordingFixture();
    void badLineAmongGood_data();
    void badLineAmongGood();
    void deepNestingIsRejected_data();
    void deepNestingIsRejected();
    void invalidUtf8IsRejected_data();
    void invalidUtf8IsRejected();
    void nulByteIsRejected_data();
    void nulByteIsRejected();

    // Framing: BOM, line ends, blank lines, torn tails, empty files.
    void utf8BomAtStart_data();
    void utf8BomAtStart();
    void emptyFiles_data();
    void emptyFiles();
    void crlfLineEnds();
    void blankLinesAreSkipped();
    void tornFinalLine_data();
    void tornFinalLine();
    void completeFinalLineWithoutNewline_data();
    void completeFinalLineWithoutNewline();

    // Sizes and blocks.
    void fiveMegabyteLine_data();
    void fiveMegabyteLine();
    void lineOverEventLimit_data();
    void lineOverEventLimit();
    void lineAtTheLimit_data();
    void lineAtTheLimit();
    void oversizedTornTail_data();
    void oversizedTornTail();
    void manyEventsAcrossSmallBlocks_data();
    void manyEventsAcrossSmallBlocks();
    void degenerateBlockSize_data();
    void degenerateBlockSize();

    // Inputs that cannot be read; progress and cancel.
    void unreadableInput_data();
    void unreadableInput();
    void progressReportsGrowingByteCounts_data();
    void progressReportsGrowingByteCounts();
    void progressCanCancel_data();
    void progressCanCancel();
    void compressedFileIsOneClearError_data();
    void compressedFileIsOneClearError();

private:
    QString write(const QByteArray &bytes);

    QTemporaryDir m_dir;
    int m_files = 0;
};

void TstJsonlReader::initTestCase()
{
    QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
}

QString TstJsonlReader::write(const QByteArray &bytes)
{
    const QString path = m_dir.filePath(QStringLiteral("recording-%1.jsonl").arg(++m_files));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

// --- bad lines -------------------------------------------------------------------------

void TstJsonlReader::mixedRecordingFixture()
{
    const Loaded l = load(QStringLiteral(EVENTLENS_TEST_DATA "/reader/mixed.jsonl"));
    QVERIFY2(l.ok, l.error.c_str());
    QCOMPARE(rejectedLines(l.report), (QList<quint64> {3, 4, 6, 8, 9, 10}));
    QCOMPARE(l.report.lines, quint64(12));
    QVERIFY(!l.report.truncatedTail);
    // Line 11 redelivers ord-1: it is loaded (and flagged), while the index keeps line 1.
    QCOMPARE(stored(*l.store), (QStringList {"ord-1@1", "inv-1@2", "ce-1@7", "ord-1@11", "ana-1@12"}));
    QCOMPARE(located(*l.store, {"ord-1", "inv-1", "ce-1", "ana-1"}),
        (QStringList {"ord-1@1", "inv-1@2", "ce-1@7", "ana-1@12"}));
    QCOMPARE(l.report.accepted, quint64(5));
    QVERIFY(l.store->record(l.store->endIndex() - 2).flags & Redelivery);

    const auto &r = l.report.rejected;
    QCOMPARE(r[0].reason, std::string(R"(field 'timestamp': "yesterday" is not an RFC 3339 time)"));
    QCOMPARE(r[1].reason, std::string("field 'source': required but missing"));
    QVERIFY2(r[2].reason.starts_with("not valid JSON"), r[2].reason.c_str());
    QVERIFY2(r[3].reason.starts_with("not valid JSON"), r[3].reason.c_str());
    QCOMPARE(r[4].reason, std::string("an event must be a JSON object, got an array"));
    QVERIFY2(r[5].reason.starts_with("field 'eventVersion': "), r[5].reason.c_str());
    QCOMPARE(r[3].bytes, std::string("garbage, not an event"));

    // The recorder's member is read, not mistaken for the event.
    const uint32_t inv = l.store->find("inv-1");
    QCOMPARE(bytesOf(l.store->topicName(l.store->record(inv).topic)), QByteArray("inventory"));
    QVERIFY(l.store->record(inv).receivedNs != kNoTime);
}

void TstJsonlReader::badLineAmongGood_data()
{
    QTest::addColumn<QByteArray>("line");
    // Exact where the wording is the contract; a prefix (ending in "…") naming the field otherwise.
    QTest::addColumn<QString>("reason");

    QTest::newRow("invalid JSON") << QByteArray(R"({"eventId":"x","eventType":)") << QStringLiteral("not valid JSON…");
    QTest::newRow("trailing garbage") << eventLine("x") + " trailing"
                                      << QStringLiteral("unexpected content after the JSON object…");
    QTest::newRow("two objects on a line")
        << eventLine("x") + eventLine("y") << QStringLiteral("unexpected content after the JSON object…");
    QTest::newRow("a string") << QByteArray(R"("eventId")") << QStringLiteral("an event must be a JSON object…");
    QTest::newRow("missing eventId") << QByteArray(
        R"({"eventType":"t","timestamp":"2026-03-01T12:00:00Z","source":"s"})")
                                     << QStringLiteral("field 'eventId': required but missing");
    QTest::newRow("missing timestamp") << badLine("x") << QStringLiteral("field 'timestamp': required but missing");
    QTest::newRow("bad timestamp") << QByteArray(
        R"({"eventId":"x","eventType":"t","timestamp":"yesterday","source":"s"})")
                                   << QStringLiteral(R"(field 'timestamp': "yesterday" is not an RFC 3339 time)");
    QTest::newRow("timestamp without offset")
        << QByteArray(R"({"eventId":"x","eventType":"t","timestamp":"2026-03-01T12:00:00","source":"s"})")
        << QStringLiteral(R"(field 'timestamp': "2026-03-01T12:00:00" is not an RFC 3339 time…)");
    QTest::newRow("numeric eventId") << QByteArray(
        R"({"eventId":42,"eventType":"t","timestamp":"2026-03-01T12:00:00Z","source":"s"})")
                                     << QStringLiteral("field 'eventId': must be a non-empty string…");
    QTest::newRow("empty source") << QByteArray(
        R"({"eventId":"x","eventType":"t","timestamp":"2026-03-01T12:00:00Z","source":""})")
                                  << QStringLiteral("field 'source': must be a non-empty string…");
    QTest::newRow("metadata not strings") << QByteArray(
        R"({"eventId":"x","eventType":"t","timestamp":"2026-03-01T12:00:00Z","source":"s","metadata":{"k":1}})")
                                          << QStringLiteral("field 'metadata.k': must be a string…");
    QTest::newRow("bad JSON inside data")
        << QByteArray(R"({"eventId":"x","eventType":"t","timestamp":"2026-03-01T12:00:00Z","source":"s","data":[1,}]})")
        << QStringLiteral("not valid JSON…");
    QTest::newRow("plain text") << QByteArray("garbage, not an event") << QStringLiteral("not valid JSON…");
    QTest::newRow("plain text starting like a literal")
        << QByteArray("not an event") << QStringLiteral("not valid JSON…");
}

void TstJsonlReader::badLineAmongGood()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, reason);

    const Loaded l = load(write(eventLine("before") + '\n' + line + '\n' + eventLine("after") + '\n'));
    VERIFY_LOADED(l, (QStringList {"before@1", "after@3"}), (QList<quint64> {2}));
    QCOMPARE(l.report.lines, quint64(3));
    const QString got = QString::fromStdString(l.report.rejected[0].reason);
    if (reason.endsWith(QChar(0x2026)))
        QVERIFY2(got.startsWith(reason.chopped(1)), qPrintable(got));
    else
        QCOMPARE(got, reason);
    QCOMPARE(QByteArray::fromStdString(l.report.rejected[0].bytes), line);
}

void TstJsonlReader::deepNestingIsRejected_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("parallel");

    const QByteArray head
        = R"({"eventId":"deep","eventType":"t","timestamp":"2026-03-01T12:00:00Z","source":"s","data":)";
    const QByteArray balanced = head + QByteArray(100000, '[') + QByteArray(100000, ']') + '}';
    const QByteArray unclosed = head + QByteArray(100000, '[');
    const QByteArray objects = head + QByteArray("{\"a\":").repeated(100000) + '1' + QByteArray(100000, '}') + '}';
    QTest::newRow("100000 arrays") << balanced << true;
    QTest::newRow("100000 arrays, sequential") << balanced << false;
    QTest::newRow("100000 unclosed arrays") << unclosed << true;
    QTest::newRow("100000 objects") << objects << true;
}

void TstJsonlReader::deepNestingIsRejected()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, parallel);

    JsonlReader::Options options;
    options.parallel = parallel;
    options.blockSize = 64 * 1024; // the deep line spans several blocks
    const Loaded l = load(write(eventLine("before") + '\n' + line + '\n' + eventLine("after") + '\n'), options);
    VERIFY_LOADED(l, (QStringList {"before@1", "after@3"}), (QList<quint64> {2}));
    const std::string &reason = l.report.rejected[0].reason;
    QVERIFY2(
        reason.starts_with("nesting is 1000") && reason.ends_with("levels deep, over the limit of 64"), reason.c_str());
}

void TstJsonlReader::invalidUtf8IsRejected_data()
{
    QTest::addColumn<QByteArray>("bad"); ///< put inside the source string

    QTest::newRow("Latin-1 byte") << QByteArray("caf\xE9");
    QTest::newRow("lone continuation byte") << QByteArray("a\x80z");
    QTest::newRow("truncated sequence") << QByteArray("euro \xE2\x82");
    QTest::newRow("overlong slash") << QByteArray("\xC0\xAF");
    QTest::newRow("UTF-16 surrogate") << QByteArray("\xED\xA0\x80");
    QTest::newRow("beyond U+10FFFF") << QByteArray("\xF4\x90\x80\x80");
}

void TstJsonlReader::invalidUtf8IsRejected()
{
    QFETCH(QByteArray, bad);

    const QByteArray line
        = R"({"eventId":"x","eventType":"t","timestamp":"2026-03-01T12:00:00Z","source":")" + bad + R"("})";
    // The first byte that is not ASCII (or the byte after the ASCII prefix) is the bad one.
    qsizetype at = 0;
    while (static_cast<unsigned char>(line[at]) < 0x80)
        ++at;
    const Loaded l = load(write(eventLine("before") + '\n' + line + '\n' + eventLine("after") + '\n'));
    VERIFY_LOADED(l, (QStringList {"before@1", "after@3"}), (QList<quint64> {2}));
    QCOMPARE(l.report.rejected[0].reason, "invalid UTF-8 at byte " + std::to_string(at + 1));
    QCOMPARE(QByteArray::fromStdString(l.report.rejected[0].bytes), line); // kept as read
}

void TstJsonlReader::nulByteIsRejected_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("at"); ///< 1-based byte of the NUL

    QByteArray inString = eventLine("x");
    inString.insert(inString.indexOf("\"tst\"") + 2, '\0');
    QTest::newRow("inside a string") << inString << int(inString.indexOf('\0') + 1);
    QTest::newRow("between tokens") << QByteArray("{\0", 2) + eventLine("x").mid(1) << 2;
    QTest::newRow("a lone NUL") << QByteArray(1, '\0') << 1;
}

void TstJsonlReader::nulByteIsRejected()
{
    QFETCH(QByteArray, line);
    QFETCH(int, at);

    const Loaded l = load(write(eventLine("before") + '\n' + line + '\n' + eventLine("after") + '\n'));
    VERIFY_LOADED(l, (QStringList {"before@1", "after@3"}), (QList<quint64> {2}));
    QCOMPARE(l.report.rejected[0].reason, "contains a NUL byte at byte " + std::to_string(at));
    QCOMPARE(QByteArray::fromStdString(l.report.rejected[0].bytes), line);
}

// --- framing ---------------------------------------------------------------------------

void TstJsonlReader::utf8BomAtStart_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<qsizetype>("blockSize");

    QTest::newRow("short first line") << eventLine("first") << qsizetype(8 * 1024 * 1024);
    QTest::newRow("first line longer than a block") << eventLine("first", 10000) << qsizetype(4096);
}

void TstJsonlReader::utf8BomAtStart()
{
    QFETCH(QByteArray, first);
    QFETCH(qsizetype, blockSize);

    JsonlReader::Options options;
    options.blockSize = static_cast<size_t>(blockSize);
    const Loaded l = load(write(kBom + first + '\n' + eventLine("second") + '\n'), options);
    VERIFY_LOADED(l, (QStringList {"first@1", "second@2"}), QList<quint64> {});
    QCOMPARE(bytesOf(l.store->raw(l.store->find("first"))), first); // the BOM is not part of the event
}

void TstJsonlReader::emptyFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<quint64>("lines");

    QTest::newRow("empty") << QByteArray() << quint64(0);
    QTest::newRow("only a BOM") << kBom << quint64(0);
    QTest::newRow("a BOM and a newline") << kBom + '\n' << quint64(1);
    QTest::newRow("only newlines") << QByteArray("\n\r\n\n") << quint64(3);
}

void TstJsonlReader::emptyFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(quint64, lines);

    for (bool parallel : {true, false}) {
        JsonlReader::Options options;
        options.parallel = parallel;
        const Loaded l = load(write(content), options);
        VERIFY_LOADED(l, QStringList {}, QList<quint64> {});
        QCOMPARE(l.report.lines, lines);
        QCOMPARE(l.store->size(), size_t(0));
        QCOMPARE(l.report.bytes, quint64(content.size()));
    }
}

void TstJsonlReader::crlfLineEnds()
{
    const QByteArray bad = badLine("bad");
    const QByteArray content = eventLine("a") + "\r\n" + bad + "\r\n" + "\r\n" + eventLine("b")
        + "\n" // a stray LF-only line
        + eventLine("c") + "\r\n";
    const Loaded l = load(write(content));
    VERIFY_LOADED(l, (QStringList {"a@1", "b@4", "c@5"}), (QList<quint64> {2}));
    QCOMPARE(l.report.lines, quint64(5));
    QCOMPARE(bytesOf(l.store->raw(l.store->find("a"))), eventLine("a")); // no '\r' kept
    QCOMPARE(bytesOf(l.store->raw(l.store->find("c"))), eventLine("c"));
    QCOMPARE(QByteArray::fromStdString(l.report.rejected[0].bytes), bad);
}

void TstJsonlReader::blankLinesAreSkipped()
{
    const QByteArray content = "\n" + eventLine("a") + "\n\n   \n\t\n \r\n" + eventLine("b") + "\n\n";
    const Loaded l = load(write(content));
    VERIFY_LOADED(l, (QStringList {"a@2", "b@7"}), QList<quint64> {});
    QCOMPARE(l.report.lines, quint64(8));
}

void TstJsonlReader::tornFinalLine_data()
{
    QTest::addColumn<QByteArray>("before"); ///< whole lines ahead of the torn one
    QTest::addColumn<QByteArray>("torn");
    QTest::addColumn<QStringList>("loaded");
    QTest::addColumn<quint64>("tornLine");
    QTest::addColumn<qsizetype>("blockSize");

    const QByteArray twoLines = eventLine("a") + '\n' + eventLine("b") + '\n';
    const qsizetype big = 8 * 1024 * 1024;
    QTest::newRow("cut inside a string") << twoLines << eventLine("c").left(30) << QStringList {"a@1", "b@2"}
                                         << quint64(3) << big;
    QTest::newRow("cut after a comma") << twoLines << eventLine("c").left(eventLine("c").indexOf(',') + 1)
                                       << QStringList {"a@1", "b@2"} << quint64(3) << big;
    QTest::newRow("cut before the closing brace")
        << twoLines << eventLine("c").chopped(1) << QStringList {"a@1", "b@2"} << quint64(3) << big;
    QTest::newRow("only line") << QByteArray() << QByteArray(R"({"eventId":"c")") << QStringList {} << quint64(1)
                               << big;
    QTest::newRow("after a blank line") << eventLine("a") + "\n\n"
                                        << QByteArray("{") << QStringList {"a@1"} << quint64(3) << big;
    QTest::newRow("CRLF file") << eventLine("a") + "\r\n"
                               << eventLine("c").left(50) << QStringList {"a@1"} << quint64(2) << big;
    QTest::newRow("longer than a block") << twoLines << eventLine("c", 20000).left(15000) << QStringList {"a@1", "b@2"}
                                         << quint64(3) << qsizetype(4096);
    QTest::newRow("after a BOM") << kBom << eventLine("c").left(20) << QStringList {} << quint64(1) << big;
}

void TstJsonlReader::tornFinalLine()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, torn);
    QFETCH(QStringList, loaded);
    QFETCH(quint64, tornLine);
    QFETCH(qsizetype, blockSize);

    for (bool parallel : {true, false}) {
        JsonlReader::Options options;
        options.parallel = parallel;
        options.blockSize = static_cast<size_t>(blockSize);
        const Loaded l = load(write(before + torn), options);
        QVERIFY2(l.ok, l.error.c_str());
        QVERIFY2(l.report.truncatedTail, qPrintable(reasons(l.report)));
        QCOMPARE(l.report.tail.line, tornLine);
        QCOMPARE(QByteArray::fromStdString(l.report.tail.bytes), torn);
        QVERIFY2(l.report.tail.reason.starts_with("truncated final line"), l.report.tail.reason.c_str());
        QVERIFY2(l.report.rejected.empty(), qPrintable(reasons(l.report))); // a torn tail is not corruption
        QCOMPARE(l.report.lines, tornLine);
        QCOMPARE(stored(*l.store), loaded);
        QCOMPARE(located(*l.store, idsOf(loaded)), loaded);
        QCOMPARE(l.report.accepted, quint64(loaded.size()));
    }
}

void TstJsonlReader::completeFinalLineWithoutNewline_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<qsizetype>("blockSize");

    const QByteArray first = eventLine("a") + '\n';
    QTest::newRow("LF file") << first + eventLine("last") << qsizetype(8 * 1024 * 1024);
    QTest::newRow("CRLF file") << eventLine("a") + "\r\n" + eventLine("last") << qsizetype(8 * 1024 * 1024);
    QTest::newRow("ends in a lone CR") << first + eventLine("last") + '\r' << qsizetype(8 * 1024 * 1024);
    QTest::newRow("trailing spaces") << first + eventLine("last") + "  " << qsizetype(8 * 1024 * 1024);
    QTest::newRow("longer than a block") << first + eventLine("last", 20000) << qsizetype(4096);
}

void TstJsonlReader::completeFinalLineWithoutNewline()
{
    QFETCH(QByteArray, content);
    QFETCH(qsizetype, blockSize);

    JsonlReader::Options options;
    options.blockSize = static_cast<size_t>(blockSize);
    const Loaded l = load(write(content), options);
    VERIFY_LOADED(l, (QStringList {"a@1", "last@2"}), QList<quint64> {});
    QCOMPARE(l.report.lines, quint64(2));
}

// --- sizes and blocks ------------------------------------------------------------------

void TstJsonlReader::fiveMegabyteLine_data()
{
    QTest::addColumn<qsizetype>("blockSize");
    QTest::addColumn<bool>("parallel");

    QTest::newRow("default blocks") << qsizetype(8 * 1024 * 1024) << true;
    QTest::newRow("default blocks, sequential") << qsizetype(8 * 1024 * 1024) << false;
    QTest::newRow("4 KiB blocks") << qsizetype(4096) << true;
    QTest::newRow("4 KiB blocks, sequential") << qsizetype(4096) << false;
}

void TstJsonlReader::fiveMegabyteLine()
{
    QFETCH(qsizetype, blockSize);
    QFETCH(bool, parallel);

    const QByteArray big = eventLineOfSize("big", 5 * 1024 * 1024);
    JsonlReader::Options options;
    options.blockSize = static_cast<size_t>(blockSize);
    options.parallel = parallel;
    const Loaded l = load(write(eventLine("a") + '\n' + big + '\n' + eventLine("b") + '\n'), options);
    VERIFY_LOADED(l, (QStringList {"a@1", "big@2", "b@3"}), QList<quint64> {});
    QVERIFY(bytesOf(l.store->raw(l.store->find("big"))) == big);
}

void TstJsonlReader::lineOverEventLimit_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<qsizetype>("blockSize");
    QTest::addColumn<QByteArray>("lineEnd");
    QTest::addColumn<bool>("parallel");

    const qsizetype wholeBlock = 8 * 1024 * 1024;
    QTest::newRow("inside one block") << qsizetype(3000) << wholeBlock << QByteArray("\n") << true;
    QTest::newRow("inside one block, CRLF") << qsizetype(3000) << wholeBlock << QByteArray("\r\n") << true;
    QTest::newRow("across blocks") << qsizetype(20000) << qsizetype(4096) << QByteArray("\n") << true;
    QTest::newRow("across blocks, sequential") << qsizetype(20000) << qsizetype(4096) << QByteArray("\n") << false;
    QTest::newRow("across blocks, CRLF") << qsizetype(20000) << qsizetype(4096) << QByteArray("\r\n") << true;
    QTest::newRow("longer than the kept bytes") << qsizetype(200000) << qsizetype(4096) << QByteArray("\n") << true;
}

void TstJsonlReader::lineOverEventLimit()
{
    QFETCH(qsizetype, size);
    QFETCH(qsizetype, blockSize);
    QFETCH(QByteArray, lineEnd);
    QFETCH(bool, parallel);

    JsonlReader::Options options;
    options.decoder.maxEventBytes = 1000;
    options.blockSize = static_cast<size_t>(blockSize);
    options.parallel = parallel;
    const QByteArray big1 = eventLineOfSize("big1", size);
    const QByteArray big2 = eventLineOfSize("big2", size + 1);
    // Two oversized lines in a row, then one more after a good line.
    const QByteArray content = eventLine("a") + lineEnd + big1 + lineEnd + big2 + lineEnd + eventLine("b") + lineEnd
        + big1 + lineEnd + eventLine("c") + lineEnd;
    const Loaded l = load(write(content), options);
    VERIFY_LOADED(l, (QStringList {"a@1", "b@4", "c@6"}), (QList<quint64> {2, 3, 5}));
    QCOMPARE(l.report.lines, quint64(6));

    const auto expectedReason
        = [](qsizetype n) { return "event is " + std::to_string(n) + " bytes, over the limit of 1000 bytes"; };
    QCOMPARE(l.report.rejected[0].reason, expectedReason(size));
    QCOMPARE(l.report.rejected[1].reason, expectedReason(size + 1));
    QCOMPARE(l.report.rejected[2].reason, expectedReason(size));
    const auto kept = [](const QByteArray &line) { return line.left(qsizetype(RejectedLine::kKeptBytes)); };
    QCOMPARE(QByteArray::fromStdString(l.report.rejected[0].bytes), kept(big1));
    QCOMPARE(QByteArray::fromStdString(l.report.rejected[1].bytes), kept(big2));
}

void TstJsonlReader::lineAtTheLimit_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<QByteArray>("lineEnd");

    // With 4096-byte blocks and a 4095-byte limit, the first block ends right after the
    // first line (LF) or between its CR and LF.
    QTest::newRow("at the limit, LF") << qsizetype(4095) << QByteArray("\n");
    QTest::newRow("at the limit, CRLF split between blocks") << qsizetype(4095) << QByteArray("\r\n");
    QTest::newRow("one over, LF") << qsizetype(4096) << QByteArray("\n");
    QTest::newRow("one over, CRLF") << qsizetype(4096) << QByteArray("\r\n");
    QTest::newRow("two over, CRLF") << qsizetype(4097) << QByteArray("\r\n");
}

void TstJsonlReader::lineAtTheLimit()
{
    QFETCH(qsizetype, size);
    QFETCH(QByteArray, lineEnd);

    for (bool parallel : {true, false}) {
        JsonlReader::Options options;
        options.decoder.maxEventBytes = 4095;
        options.blockSize = 4096;
        options.parallel = parallel;
        const QByteArray first = eventLineOfSize("first", size);
        const Loaded l = load(write(first + lineEnd + eventLine("next") + lineEnd), options);
        if (size <= 4095) {
            VERIFY_LOADED(l, (QStringList {"first@1", "next@2"}), QList<quint64> {});
            QCOMPARE(bytesOf(l.store->raw(l.store->find("first"))), first);
        } else {
            VERIFY_LOADED(l, (QStringList {"next@2"}), (QList<quint64> {1}));
            QCOMPARE(l.report.rejected[0].reason,
                "event is " + std::to_string(size) + " bytes, over the limit of 4095 bytes");
        }
    }
}

void TstJsonlReader::oversizedTornTail_data()
{
    QTest::addColumn<qsizetype>("blockSize");
    QTest::addColumn<bool>("parallel");

    QTest::newRow("inside one block") << qsizetype(8 * 1024 * 1024) << true;
    QTest::newRow("across blocks") << qsizetype(4096) << true;
    QTest::newRow("across blocks, sequential") << qsizetype(4096) << false;
}

void TstJsonlReader::oversizedTornTail()
{
    QFETCH(qsizetype, blockSize);
    QFETCH(bool, parallel);

    // A crash while writing a line that was over the limit anyway: still a torn tail.
    JsonlReader::Options options;
    options.decoder.maxEventBytes = 1000;
    options.blockSize = static_cast<size_t>(blockSize);
    options.parallel = parallel;
    const QByteArray torn = eventLine("big", 30000).left(20000);
    const Loaded l = load(write(eventLine("a") + '\n' + torn), options);
    QVERIFY2(l.ok, l.error.c_str());
    QVERIFY2(l.report.rejected.empty(), qPrintable(reasons(l.report)));
    QVERIFY(l.report.truncatedTail);
    QCOMPARE(l.report.tail.line, quint64(2));
    QVERIFY2(l.report.tail.reason.starts_with("truncated final line"), l.report.tail.reason.c_str());
    QVERIFY2(l.report.tail.reason.find("20000 bytes") != std::string::npos, l.report.tail.reason.c_str());
    QCOMPARE(QByteArray::fromStdString(l.report.tail.bytes), torn);
    QCOMPARE(l.report.lines, quint64(2));
    QCOMPARE(stored(*l.store), QStringList {"a@1"});
}

void TstJsonlReader::manyEventsAcrossSmallBlocks_data()
{
    QTest::addColumn<qsizetype>("blockSize");
    QTest::addColumn<bool>("parallel");
    QTest::addColumn<bool>("bom");

    QTest::newRow("4 KiB blocks") << qsizetype(4096) << true << false;
    QTest::newRow("4 KiB blocks, sequential") << qsizetype(4096) << false << false;
    QTest::newRow("4 KiB blocks, BOM") << qsizetype(4096) << true << true;
    QTest::newRow("odd 1000-byte blocks") << qsizetype(1000) << true << false;
    QTest::newRow("odd 1000-byte blocks, sequential") << qsizetype(1000) << false << true;
}

void TstJsonlReader::manyEventsAcrossSmallBlocks()
{
    QFETCH(qsizetype, blockSize);
    QFETCH(bool, parallel);
    QFETCH(bool, bom);

    // Lines of every length from short to several blocks, so that block boundaries fall at
    // every offset within a line, and at CR/LF; bad and blank lines in between.
    QByteArray content = bom ? kBom : QByteArray();
    QStringList expected;
    QList<quint64> rejected;
    std::vector<std::pair<QString, QByteArray>> lines; // id → raw line
    quint64 line = 0;
    for (int i = 0; i < 5000; ++i) {
        ++line;
        const QByteArray id = "e-" + QByteArray::number(i);
        const QByteArray lineEnd = i % 13 == 0 ? "\r\n" : "\n";
        if (i % 101 == 50) {
            content += (i % 2 ? "  " : "") + lineEnd;
        } else if (i % 97 == 3) {
            content += badLine(id) + lineEnd;
            rejected << line;
        } else {
            const QByteArray text = eventLine(id, i % 89 == 7 ? 9000 + i : i % 311);
            content += text + lineEnd;
            expected << QString::fromLatin1(id) + QLatin1Char('@') + QString::number(line);
            lines.emplace_back(QString::fromLatin1(id), text);
        }
    }

    JsonlReader::Options options;
    options.blockSize = static_cast<size_t>(blockSize);
    options.parallel = parallel;
    const Loaded l = load(write(content), options);
    VERIFY_LOADED(l, expected, rejected);
    QCOMPARE(l.report.lines, line);
    QCOMPARE(l.report.bytes, quint64(content.size()));
    for (const auto &[id, text] : lines) {
        const QByteArray utf8 = id.toUtf8();
        QCOMPARE(bytesOf(l.store->raw(l.store->find(utf8.toStdString()))), text);
    }
}

void TstJsonlReader::degenerateBlockSize_data()
{
    QTest::addColumn<qsizetype>("blockSize");
    QTest::addColumn<bool>("parallel");

    QTest::newRow("zero") << qsizetype(0) << true;
    QTest::newRow("zero, sequential") << qsizetype(0) << false;
    QTest::newRow("one byte") << qsizetype(1) << true;
}

void TstJsonlReader::degenerateBlockSize()
{
    QFETCH(qsizetype, blockSize);
    QFETCH(bool, parallel);

    // A silly block size still reads the whole file (and does not spin on empty blocks).
    QByteArray content = kBom;
    QStringList expected;
    for (int i = 0; i < 50; ++i) {
        content += eventLine("e-" + QByteArray::number(i), i * 7) + (i % 2 ? "\r\n" : "\n");
        expected << QStringLiteral("e-%1@%2").arg(i).arg(i + 1);
    }
    JsonlReader::Options options;
    options.blockSize = static_cast<size_t>(blockSize);
    options.parallel = parallel;
    const Loaded l = load(write(content), options);
    VERIFY_LOADED(l, expected, QList<quint64> {});
}

// --- inputs, progress, cancel ----------------------------------------------------------

void TstJsonlReader::unreadableInput_data()
{
    QTest::addColumn<QString>("path");

    QTest::newRow("missing file") << m_dir.filePath(QStringLiteral("no such recording.jsonl"));
    QTest::newRow("a directory") << m_dir.path();
}

void TstJsonlReader::unreadableInput()
{
    QFETCH(QString, path);

    const Loaded l = load(path);
    QVERIFY(!l.ok);
    const QString error = QString::fromStdString(l.error);
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1Char('\n')), qPrintable(error));
    QCOMPARE(l.store->size(), size_t(0));
    QCOMPARE(l.report.accepted, quint64(0));
}

void TstJsonlReader::progressReportsGrowingByteCounts_data()
{
    QTest::addColumn<bool>("parallel");
    QTest::newRow("parallel") << true;
    QTest::newRow("sequential") << false;
}

void TstJsonlReader::progressReportsGrowingByteCounts()
{
    QFETCH(bool, parallel);

    QByteArray content;
    for (int i = 0; i < 2000; ++i)
        content += eventLine("e-" + QByteArray::number(i), i % 200) + '\n';
    std::vector<std::pair<quint64, quint64>> calls;
    JsonlReader::Options options;
    options.blockSize = 4096;
    options.parallel = parallel;
    options.progress = [&](uint64_t done, uint64_t total) {
        calls.emplace_back(done, total);
        return true;
    };
    const Loaded l = load(write(content), options);
    QVERIFY2(l.ok, l.error.c_str());
    QCOMPARE(l.report.accepted, quint64(2000));
    QVERIFY2(calls.size() >= size_t(content.size() / 4096), qPrintable(QString::number(calls.size())));
    for (size_t i = 0; i < calls.size(); ++i) {
        QCOMPARE(calls[i].second, quint64(content.size()));
        if (i > 0)
            QVERIFY2(calls[i].first >= calls[i - 1].first, qPrintable(QStringLiteral("call %1").arg(i)));
    }
    QVERIFY(calls.front().first > 0);
    QVERIFY(calls.front().first < calls.back().first);
    QCOMPARE(calls.back().first, quint64(content.size()));
}

void TstJsonlReader::progressCanCancel_data()
{
    QTest::addColumn<bool>("parallel");
    QTest::addColumn<int>("cancelAt"); ///< the progress call that returns false (1-based)

    QTest::newRow("first block") << true << 1;
    QTest::newRow("third block") << true << 3;
    QTest::newRow("third block, sequential") << false << 3;
}

void TstJsonlReader::progressCanCancel()
{
    QFETCH(bool, parallel);
    QFETCH(int, cancelAt);

    QByteArray content;
    for (int i = 0; i < 5000; ++i)
        content += eventLine("e-" + QByteArray::number(i)) + '\n';
    int calls = 0;
    JsonlReader::Options options;
    options.blockSize = 4096;
    options.parallel = parallel;
    options.progress = [&](uint64_t, uint64_t) { return ++calls < cancelAt; };
    const Loaded l = load(write(content), options); // the reader thread must not be left blocked
    QVERIFY(l.report.cancelled);
    QVERIFY2(l.ok, l.error.c_str()); // cancelling is not a read error
    QCOMPARE(calls, cancelAt);
    QVERIFY(l.report.accepted > 0);
    QVERIFY(l.report.accepted < 5000);
    // What was loaded is a prefix of the file, with its line numbers.
    QStringList prefix;
    for (quint64 i = 0; i < l.report.accepted; ++i)
        prefix << QStringLiteral("e-%1@%2").arg(i).arg(i + 1);
    QCOMPARE(stored(*l.store), prefix);
}

void TstJsonlReader::compressedFileIsOneClearError_data()
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

void TstJsonlReader::compressedFileIsOneClearError()
{
    // A compressed recording (a real one, made by the tool) is not read as hundreds of
    // NUL-byte and invalid-UTF-8 lines: one error says what it is and what to do.
    QFETCH(QString, tool);
    QFETCH(QString, suffix);
    QFETCH(QString, hint);
    if (QStandardPaths::findExecutable(tool).isEmpty())
        QSKIP(qPrintable(tool + " is not installed"));
    QByteArray lines;
    for (int i = 0; i < 2000; ++i)
        lines += "{\"eventId\":\"e-" + QByteArray::number(i)
                 + "\",\"eventType\":\"t\",\"timestamp\":\"2026-03-02T10:00:00Z\",\"source\":\"s\"}\n";
    const QString plain = write(lines);
    QCOMPARE(QProcess::execute(tool, {"-q", "-k", plain}), 0);
    const std::string path = (plain + suffix).toStdString();
    EventStore store;
    RecordingReport report;
    std::string error;
    QVERIFY(!JsonlReader().load(path, store, report, error));
    QCOMPARE(error, "cannot read '" + path + "': it " + hint.toStdString() + path + ")");
    QVERIFY(report.rejected.empty());
    QCOMPARE(store.size(), size_t(0));
}

QTEST_GUILESS_MAIN(TstJsonlReader)
#include "tst_jsonlreader.moc"
