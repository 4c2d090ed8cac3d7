// ThroughputAnalyzer and `eventlens-cli throughput`: counts per bin on hand-written recordings
// whose every timestamp is known, so every expected number below is worked out by hand.
#include "core/analysis.h"
#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/rfc3339.h"
#include "core/throughputanalyzer.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>

using namespace eventlens;
using namespace std::chrono_literals;

namespace {

using Result = ThroughputAnalyzer::Result;

const int64_t kT0 = *parseRfc3339("2026-11-26T10:00:00Z"); // on a whole hour
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1000 * kMs;
constexpr int64_t kNone = INT64_MIN;

/// One line of a recording; times in ms after kT0, the receive time and topic (the recorder's
/// member) only when given.
std::string line(const std::string &id, const std::string &type, const std::string &source, int64_t ms,
                 const std::string &topic = {}, int64_t rxMs = kNone)
{
    std::string s = "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"timestamp\":\""
                    + formatRfc3339(kT0 + ms * kMs) + "\",\"source\":\"" + source + "\",\"correlationId\":\"c\"";
    if (!topic.empty() || rxMs != kNone) {
        s += ",\"_eventlens\":{";
        if (rxMs != kNone)
            s += "\"receivedAt\":\"" + formatRfc3339(kT0 + rxMs * kMs) + "\"";
        if (!topic.empty())
            s += std::string(rxMs != kNone ? "," : "") + "\"topic\":\"" + topic + "\"";
        s += "}";
    }
    return s + "}";
}

/// The small saga every count test uses:
///   id  type            source     event ms  topic   receive ms
///   a   order.placed    order        0       orders    5
///   b   order.placed    order       40       orders   55
///   c   stock.reserved  inventory  120       stock   130
///   d   order.placed    order      250       orders    —
///   a   order.placed    order        0       orders  260   (redelivered: it counts)
///   e   payment.failed  payment     95       —       310   (late on the event clock)
QStringList saga()
{
    return {QString::fromStdString(line("a", "order.placed", "order", 0, "orders", 5)),
            QString::fromStdString(line("b", "order.placed", "order", 40, "orders", 55)),
            QString::fromStdString(line("c", "stock.reserved", "inventory", 120, "stock", 130)),
            QString::fromStdString(line("d", "order.placed", "order", 250, "orders")),
            QString::fromStdString(line("a", "order.placed", "order", 0, "orders", 260)),
            QString::fromStdString(line("e", "payment.failed", "payment", 95, "", 310))};
}

/// A result as one line: "100ms +0..+300 | order.placed 4: 3 0 1 | …", times in ms after kT0.
QString render(const Result &r)
{
    QString s = QStringLiteral("%1ms").arg(r.binNs / kMs);
    if (r.fromNs != kNoTime)
        s += QStringLiteral(" +%1..+%2").arg((r.fromNs - kT0) / kMs).arg((r.toNs - kT0) / kMs);
    if (r.widened)
        s += " widened";
    for (const auto &series : r.series) {
        s += QStringLiteral(" | %1 %2:").arg(QString::fromStdString(series.name)).arg(series.total);
        for (size_t i = 0; i < series.points.size(); ++i) {
            if (series.points[i].startNs != r.fromNs + static_cast<int64_t>(i) * r.binNs)
                return "bad point time in " + QString::fromStdString(series.name);
            s += QStringLiteral(" %1").arg(series.points[i].count);
        }
    }
    return s;
}

std::string writeFile(const QTemporaryDir &dir, const QStringList &lines, const char *name = "r.jsonl")
{
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream out(path);
    for (const QString &l : lines)
        out << l.toStdString() << '\n';
    return path;
}

/// Appends decoded lines to a store (live-style), running the analysis after each when asked.
void appendAll(EventStore &store, const std::vector<std::string> &lines, Analysis *analysis = nullptr)
{
    Decoder decoder;
    for (const std::string &l : lines) {
        DecodedEvent e;
        DecodeError error;
        if (!decoder.decode(l, e, error))
            qFatal("undecodable test line: %s", l.c_str());
        store.append(e);
        if (analysis)
            analysis->update();
    }
}

using Run = CliRun;

Run cli(const QStringList &args)
{
    return runCli(args);
}

} // namespace

Q_DECLARE_METATYPE(ThroughputKey)
Q_DECLARE_METATYPE(ThroughputClock)

class TstThroughput : public QObject {
    Q_OBJECT

private slots:
    void counts_data()
    {
        QTest::addColumn<QStringList>("lines");
        QTest::addColumn<ThroughputKey>("key");
        QTest::addColumn<ThroughputClock>("clock");
        QTest::addColumn<qint64>("binMs");
        QTest::addColumn<QString>("expected");
        const auto T = ThroughputKey::Type, S = ThroughputKey::Source, P = ThroughputKey::Topic;
        const auto E = ThroughputClock::Event, R = ThroughputClock::Received;
        // Event times 0 … 250 ms: three 100 ms bins; the redelivered `a` counts in bin 0.
        QTest::newRow("type, event time") << saga() << T << E << qint64(100)
                                          << "100ms +0..+300 | order.placed 4: 3 0 1 | payment.failed 1: 1 0 0"
                                             " | stock.reserved 1: 0 1 0";
        // Receive times 5 … 310 ms (d has none): four bins.
        QTest::newRow("type, receive time") << saga() << T << R << qint64(100)
                                            << "100ms +0..+400 | order.placed 3: 2 0 1 0 | payment.failed 1: 0 0 0 1"
                                               " | stock.reserved 1: 0 1 0 0";
        QTest::newRow("source, event time") << saga() << S << E << qint64(100)
                                            << "100ms +0..+300 | order 4: 3 0 1 | inventory 1: 0 1 0"
                                               " | payment 1: 1 0 0";
        QTest::newRow("source, receive time")
            << saga() << S << R << qint64(200) << "200ms +0..+400 | order 3: 2 1 | inventory 1: 1 0 | payment 1: 0 1";
        QTest::newRow("topic, event time") << saga() << P << E << qint64(100)
                                           << "100ms +0..+300 | orders 4: 3 0 1 | (no topic) 1: 1 0 0"
                                              " | stock 1: 0 1 0";
        QTest::newRow("topic, receive time")
            << saga() << P << R << qint64(1000) << "1000ms +0..+1000 | orders 3: 3 | (no topic) 1: 1 | stock 1: 1";
        // Auto: 0 … 250 ms fits 26 bins of 10 ms.
        QTest::newRow("auto width: 10 ms")
            << saga() << S << E << qint64(0)
            << "10ms +0..+260 | order 4: 2 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1"
               " | inventory 1: 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0"
               " | payment 1: 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0";
        // Bins start on whole multiples of their width: 1 050 ms … 3 020 ms in 1 s bins is 1 s … 4 s.
        QTest::newRow("bins aligned to the width") << QStringList{QString::fromStdString(line("x", "t", "s", 1050)),
                                                                  QString::fromStdString(line("y", "t", "s", 3020))}
                                                   << T << E << qint64(1000) << "1000ms +1000..+4000 | t 2: 1 0 1";
        // Empty bins between two events are there, as zeros: a chart line drops to 0.
        QTest::newRow("empty bins are zeros")
            << QStringList{QString::fromStdString(line("x", "t", "s", 0)),
                           QString::fromStdString(line("y", "u", "s", 1000))}
            << T << E << qint64(100) << "100ms +0..+1100 | t 1: 1 0 0 0 0 0 0 0 0 0 0 | u 1: 0 0 0 0 0 0 0 0 0 0 1";
        // 250 ms: not one of the nice widths, but a multiple of 10 ms, so exact.
        QTest::newRow("250 ms bins") << saga() << T << E << qint64(250)
                                     << "250ms +0..+500 | order.placed 4: 3 1 | payment.failed 1: 1 0"
                                        " | stock.reserved 1: 1 0";
        // 15 ms is finer than the 10 ms history can split: widened to 20 ms, and said so.
        QTest::newRow("15 ms rounds up to 20") << saga() << P << R << qint64(15)
                                               << "20ms +0..+320 widened | orders 3: 1 0 1 0 0 0 0 0 0 0 0 0 0 1 0 0"
                                                  " | (no topic) 1: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1"
                                                  " | stock 1: 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0";
        QTest::newRow("no receive times")
            << QStringList{QString::fromStdString(line("x", "t", "s", 0))} << T << R << qint64(100) << "100ms";
    }
    void counts()
    {
        QFETCH(QStringList, lines);
        QFETCH(ThroughputKey, key);
        QFETCH(ThroughputClock, clock);
        QFETCH(qint64, binMs);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        EventStore store;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(writeFile(dir, lines), store, report, error), error.c_str());
        QCOMPARE(report.rejected.size(), size_t(0));
        ThroughputAnalyzer analyzer;
        Analysis analysis(store);
        analysis.add(analyzer);
        analysis.update();
        QCOMPARE(render(analyzer.bins(key, clock, binMs * kMs)), expected);
    }

    void autoWidth_data()
    {
        QTest::addColumn<qint64>("spanMs");
        QTest::addColumn<qint64>("askedMs");
        QTest::addColumn<qint64>("binMs");
        QTest::addColumn<int>("bins");
        QTest::addColumn<bool>("widened");
        // The smallest nice width with at most 2 000 bins (both ends' bins included).
        QTest::newRow("0.5 s: 10 ms") << qint64(500) << qint64(0) << qint64(10) << 51 << false;
        QTest::newRow("30 s: 20 ms") << qint64(30'000) << qint64(0) << qint64(20) << 1501 << false;
        QTest::newRow("10 min: 500 ms") << qint64(600'000) << qint64(0) << qint64(500) << 1201 << false;
        QTest::newRow("3 h: 10 s") << qint64(3 * 3'600'000) << qint64(0) << qint64(10'000) << 1081 << false;
        QTest::newRow("30 days: 30 min") << qint64(30 * 86'400'000LL) << qint64(0) << qint64(1'800'000) << 1441
                                         << false;
        QTest::newRow("10 years: 2 days")
            << qint64(3653 * 86'400'000LL) << qint64(0) << qint64(2 * 86'400'000LL) << 1828 << false;
        // Asked for finer than 2 000 bins: the finest nice width at least as wide that fits.
        QTest::newRow("3 h at 10 ms: widened to 10 s")
            << qint64(3 * 3'600'000) << qint64(10) << qint64(10'000) << 1081 << true;
        QTest::newRow("3 h at 1 s: widened to 10 s")
            << qint64(3 * 3'600'000) << qint64(1000) << qint64(10'000) << 1081 << true;
        QTest::newRow("3 h at 5 s: widened to 10 s")
            << qint64(3 * 3'600'000) << qint64(5000) << qint64(10'000) << 1081 << true;
        QTest::newRow("3 h at 6 s: 1801 bins fit")
            << qint64(3 * 3'600'000) << qint64(6000) << qint64(6000) << 1801 << false;
        QTest::newRow("30 s at 250 ms") << qint64(30'000) << qint64(250) << qint64(250) << 121 << false;
    }
    void autoWidth()
    {
        QFETCH(qint64, spanMs);
        QFETCH(qint64, askedMs);
        QFETCH(qint64, binMs);
        QFETCH(int, bins);
        QFETCH(bool, widened);
        if (askedMs == 0)
            QCOMPARE(ThroughputAnalyzer::autoBinNs(kT0, kT0 + spanMs * kMs), binMs * kMs);
        EventStore store;
        ThroughputAnalyzer analyzer;
        Analysis analysis(store);
        analysis.add(analyzer);
        appendAll(store, {line("first", "t", "s", 0), line("last", "t", "s", spanMs)}, &analysis);
        const Result r = analyzer.bins(ThroughputKey::Type, ThroughputClock::Event, askedMs * kMs);
        QCOMPARE(r.binNs, binMs * kMs);
        QCOMPARE(r.widened, widened);
        QCOMPARE(r.series.size(), size_t(1));
        QCOMPARE(r.series[0].points.size(), size_t(bins));
        QVERIFY(r.series[0].points.size() <= ThroughputAnalyzer::kMaxPoints);
        QCOMPARE(r.bins(), size_t(bins));
        QCOMPARE(r.series[0].points.front().count + r.series[0].points.back().count, uint64_t(2));
        QCOMPARE(r.firstNs, kT0);
        QCOMPARE(r.lastNs, kT0 + spanMs * kMs);
    }

    /// More than an hour of a live feed without history: the 1 min / 10 min / 1 h windows hold
    /// the counts worked out below, agree with the same windows cut from the history, and
    /// memory stops growing once every series has been seen.
    void rollingWindows()
    {
        // A tick every second for 3 h (received 250 ms later), a "slow" event 500 ms after every
        // tenth second (no receive time).
        std::vector<std::string> lines;
        for (int64_t t = 0; t < 3 * 3600; ++t) {
            lines.push_back(line("t" + std::to_string(t), "tick", "clock", t * 1000, "", t * 1000 + 250));
            if (t % 10 == 0)
                lines.push_back(line("s" + std::to_string(t), "slow", "clock", t * 1000 + 500));
        }
        EventStore store;
        ThroughputAnalyzer rings(ThroughputAnalyzer::Options{false});
        ThroughputAnalyzer history;
        Analysis analysis(store);
        analysis.add(rings);
        analysis.add(history);
        std::vector<size_t> memory; // after each hour
        std::string error;
        QVERIFY2(appendOneByOne(lines, store,
                                [&](size_t i) {
                                    if (i % 97 == 0 || i + 1 == lines.size())
                                        analysis.update();   // in polls, as a session does
                                    if ((i + 1) % 3960 == 0) // 3 600 ticks + 360 slow: an hour
                                        memory.push_back(rings.memoryUsage());
                                },
                                error),
                 error.c_str());
        QCOMPARE(memory.size(), size_t(3));
        QCOMPARE(memory[1], memory[0]);
        QCOMPARE(memory[2], memory[0]);
        QVERIFY2(memory[0] < 200'000, QByteArray::number(qulonglong(memory[0])));
        QVERIFY(history.memoryUsage() > memory[0]);

        // The newest event time is the last tick's, 10 799 s.
        QCOMPARE(rings.newestNs(ThroughputClock::Event), kT0 + 10'799 * kS);
        auto sum = [](const ThroughputAnalyzer::Series &s) {
            uint64_t n = 0;
            for (const auto &p : s.points)
                n += p.count;
            return n;
        };

        // 1 min at 100 ms: bins 10 739.1 s … 10 799.1 s hold ticks 10 740 … 10 799 and slow
        // events 10 740.5 … 10 790.5.
        Result m = rings.window(ThroughputKey::Type, ThroughputClock::Event, 60s);
        QCOMPARE(m.binNs, 100 * kMs);
        QCOMPARE(m.fromNs, kT0 + 107'391 * 100 * kMs);
        QCOMPARE(m.toNs, kT0 + 107'991 * 100 * kMs);
        QCOMPARE(m.series.size(), size_t(2));
        QCOMPARE(m.series[0].name, std::string("tick"));
        QCOMPARE(m.series[0].total, uint64_t(10'800)); // totals: every event, in the window or not
        QCOMPARE(m.series[0].points.size(), size_t(600));
        QCOMPARE(sum(m.series[0]), uint64_t(60));
        QCOMPARE(m.series[0].points[8].count, uint64_t(0));
        QCOMPARE(m.series[0].points[9].count, uint64_t(1)); // 10 740 s
        QCOMPARE(m.series[1].name, std::string("slow"));
        QCOMPARE(m.series[1].total, uint64_t(1080));
        QCOMPARE(sum(m.series[1]), uint64_t(6));
        QCOMPARE(m.series[1].points[14].count, uint64_t(1)); // 10 740.5 s
        QCOMPARE(render(history.window(ThroughputKey::Type, ThroughputClock::Event, 60s)), render(m));

        // 10 min at 1 s: bins 10 200 … 10 799 s, a tick in each, a slow event in every tenth.
        Result ten = rings.window(ThroughputKey::Type, ThroughputClock::Event, 600s);
        QCOMPARE(ten.binNs, kS);
        QCOMPARE(ten.fromNs, kT0 + 10'200 * kS);
        QCOMPARE(ten.series[0].points.size(), size_t(600));
        QCOMPARE(sum(ten.series[0]), uint64_t(600));
        QCOMPARE(sum(ten.series[1]), uint64_t(60));
        QCOMPARE(ten.series[1].points[0].count, uint64_t(1));
        QCOMPARE(ten.series[1].points[1].count, uint64_t(0));
        QCOMPARE(render(history.window(ThroughputKey::Type, ThroughputClock::Event, 600s)), render(ten));

        // 1 h at 5 s: bins 7 200 … 10 795 s, five ticks in each, a slow event in every other.
        Result hour = rings.window(ThroughputKey::Source, ThroughputClock::Event, 3600s);
        QCOMPARE(hour.binNs, 5 * kS);
        QCOMPARE(hour.fromNs, kT0 + 7200 * kS);
        QCOMPARE(hour.toNs, kT0 + 10'800 * kS);
        QCOMPARE(hour.series.size(), size_t(1));
        QCOMPARE(hour.series[0].name, std::string("clock"));
        QCOMPARE(hour.series[0].points.size(), size_t(720));
        for (size_t i = 0; i < 720; ++i)
            QCOMPARE(hour.series[0].points[i].count, uint64_t(i % 2 == 0 ? 6 : 5));
        QCOMPARE(render(history.window(ThroughputKey::Source, ThroughputClock::Event, 3600s)), render(hour));

        // On the receive clock only the ticks count; "now" is the newest receive time.
        Result rx = rings.window(ThroughputKey::Type, ThroughputClock::Received, 60s);
        QCOMPARE(rx.series.size(), size_t(1));
        QCOMPARE(rx.fromNs, kT0 + 107'393 * 100 * kMs);
        QCOMPARE(sum(rx.series[0]), uint64_t(60));
        QCOMPARE(render(history.window(ThroughputKey::Type, ThroughputClock::Received, 60s)), render(rx));
        QCOMPARE(rings.total(ThroughputClock::Received), uint64_t(10'800));

        // A later "now": the last 30 s of the minute are empty.
        Result later = rings.window(ThroughputKey::Type, ThroughputClock::Event, 60s, kT0 + 10'829 * kS);
        QCOMPARE(sum(later.series[0]), uint64_t(30));
        QCOMPARE(render(history.window(ThroughputKey::Type, ThroughputClock::Event, 60s, kT0 + 10'829 * kS)),
                 render(later));

        // Other spans take the finest ring covering them.
        QCOMPARE(rings.window(ThroughputKey::Type, ThroughputClock::Event, 30s).series[0].points.size(), size_t(300));
        QCOMPARE(rings.window(ThroughputKey::Type, ThroughputClock::Event, 120s).binNs, kS);
        // Longer than an hour: the history re-bins (at most 2 000 points); the rings give the hour.
        const Result day = history.window(ThroughputKey::Type, ThroughputClock::Event, 86400s);
        QCOMPARE(day.binNs, 60 * kS);
        QCOMPARE(day.series[0].points.size(), size_t(1440));
        QCOMPARE(sum(day.series[0]), uint64_t(10'800));
        QCOMPARE(rings.window(ThroughputKey::Type, ThroughputClock::Event, 86400s).series[0].points.size(),
                 size_t(720));

        // Without history, bins() still names the series with their totals.
        const Result whole = rings.bins(ThroughputKey::Type, ThroughputClock::Event);
        QCOMPARE(whole.series.size(), size_t(2));
        QCOMPARE(whole.series[0].total, uint64_t(10'800));
        QVERIFY(whole.series[0].points.empty());
    }

    /// Late events land in the ring while it still holds their bin; older ones count in the
    /// totals only.
    void lateEventsInRings()
    {
        EventStore store;
        ThroughputAnalyzer rings(ThroughputAnalyzer::Options{false});
        Analysis analysis(store);
        analysis.add(rings);
        appendAll(store,
                  {line("a", "t", "s", 100'000), line("b", "t", "s", 70'000), line("c", "t", "s", 30'000),
                   line("d", "t", "s", 100'050)},
                  &analysis);
        const Result m = rings.window(ThroughputKey::Type, ThroughputClock::Event, 60s);
        // The minute up to 100.05 s is 40.1 … 100.1 s: a and d in the last bin, b 30 s earlier.
        QCOMPARE(m.fromNs, kT0 + 40'100 * kMs);
        QCOMPARE(m.series[0].total, uint64_t(4));
        QCOMPARE(m.series[0].points[599].count, uint64_t(2));
        QCOMPARE(m.series[0].points[299].count, uint64_t(1));
        uint64_t n = 0;
        for (const auto &p : m.series[0].points)
            n += p.count;
        QCOMPARE(n, uint64_t(3)); // c, 70 s before the newest, is past the minute ring
        // The 10 min ring still has c.
        const Result ten = rings.window(ThroughputKey::Type, ThroughputClock::Event, 600s);
        QCOMPARE(ten.series[0].points[599 - 70].count, uint64_t(1));
    }

    /// Opened at once or appended one by one with an update after each: the same numbers.
    void atOnceEqualsEventByEvent()
    {
        std::vector<std::string> lines;
        for (const QString &l : saga())
            lines.push_back(l.toStdString());
        // Plus a few hundred events out of order by up to a second, across topics and sources.
        for (int i = 0; i < 600; ++i) {
            const int64_t ms = (i * 37) % 900 + i * 50;
            lines.push_back(line("x" + std::to_string(i), i % 3 ? "tick" : "tock", "s" + std::to_string(i % 4), ms,
                                 i % 5 ? "topic" + std::to_string(i % 2) : "", i % 7 ? ms + 20 : kNone));
        }
        QTemporaryDir dir;
        QStringList qlines;
        for (const auto &l : lines)
            qlines << QString::fromStdString(l);
        EventStore atOnce;
        RecordingReport report;
        std::string error;
        QVERIFY2(JsonlReader().load(writeFile(dir, qlines), atOnce, report, error), error.c_str());
        ThroughputAnalyzer whole;
        Analysis wholeAnalysis(atOnce);
        wholeAnalysis.add(whole);
        wholeAnalysis.update();

        EventStore live;
        ThroughputAnalyzer incremental;
        Analysis liveAnalysis(live);
        liveAnalysis.add(incremental);
        appendAll(live, lines, &liveAnalysis);

        int compared = 0;
        for (auto key : {ThroughputKey::Type, ThroughputKey::Source, ThroughputKey::Topic})
            for (auto clock : {ThroughputClock::Event, ThroughputClock::Received})
                for (int64_t bin : {int64_t(0), 10 * kMs, 250 * kMs, kS}) {
                    const QString a = render(whole.bins(key, clock, bin));
                    QCOMPARE(render(incremental.bins(key, clock, bin)), a);
                    QVERIFY(!a.contains("bad"));
                    ++compared;
                }
        QCOMPARE(compared, 24);
        QCOMPARE(whole.total(ThroughputClock::Event), uint64_t(606));
        // Every event of a series is in its bins, the late ones too.
        const Result r = whole.bins(ThroughputKey::Type, ThroughputClock::Event, 10 * kMs);
        for (const auto &s : r.series) {
            uint64_t n = 0;
            for (const auto &p : s.points)
                n += p.count;
            QCOMPARE(n, s.total);
        }
    }

    /// Any arrival order gives exact counts: events shuffled over a minute (most of them late, so
    /// the history's late-bin path and its merges run) against counting by hand.
    void exactUnderAnyOrder()
    {
        std::vector<int64_t> ms(5000);
        uint32_t seed = 12345;
        auto next = [&] { return seed = seed * 1'103'515'245u + 12'345u; };
        for (int64_t &m : ms)
            m = (next() >> 8) % 60'000;
        std::vector<std::string> lines;
        for (size_t i = 0; i < ms.size(); ++i)
            lines.push_back(line("e" + std::to_string(i), i % 2 ? "odd" : "even", "s", ms[i]));
        EventStore store;
        ThroughputAnalyzer analyzer;
        Analysis analysis(store);
        analysis.add(analyzer);
        appendAll(store, lines);
        analysis.update();
        for (int64_t bin : {int64_t(40), int64_t(100), int64_t(1000), int64_t(6000)}) { // dividing 1 h: aligned on kT0
            const Result r = analyzer.bins(ThroughputKey::Type, ThroughputClock::Event, bin * kMs);
            QCOMPARE(r.binNs, bin * kMs);
            const int64_t first = *std::min_element(ms.begin(), ms.end()) / bin * bin;
            QCOMPARE(r.fromNs, kT0 + first * kMs);
            std::map<std::string, std::vector<uint64_t>> expected;
            for (const char *name : {"even", "odd"})
                expected[name].assign(r.bins(), 0);
            for (size_t i = 0; i < ms.size(); ++i)
                ++expected[i % 2 ? "odd" : "even"][static_cast<size_t>((ms[i] / bin * bin - first) / bin)];
            QCOMPARE(r.series.size(), size_t(2));
            for (const auto &series : r.series) {
                std::vector<uint64_t> got;
                for (const auto &p : series.points)
                    got.push_back(p.count);
                QVERIFY2(got == expected[series.name], series.name.c_str());
                QCOMPARE(series.total, uint64_t(2500));
            }
        }
    }

    // --- eventlens-cli throughput ------------------------------------------------------

    void cliJson()
    {
        QTemporaryDir dir;
        const QString path = QString::fromStdString(writeFile(dir, saga()));
        const Run r = cli({"throughput", path, "--bin", "100ms", "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value("by").toString(), QString("type"));
        QCOMPARE(j.value("clock").toString(), QString("event"));
        QCOMPARE(j.value("binMs").toInt(), 100);
        QCOMPARE(j.value("widened").toBool(), false);
        QCOMPARE(j.value("from").toString(), QString("2026-11-26T10:00:00.000Z"));
        QCOMPARE(j.value("to").toString(), QString("2026-11-26T10:00:00.300Z"));
        const QJsonArray series = j.value("series").toArray();
        QCOMPARE(series.size(), 3);
        const QJsonObject first = series[0].toObject();
        QCOMPARE(first.value("name").toString(), QString("order.placed"));
        QCOMPARE(first.value("total").toInt(), 4);
        const QJsonArray points = first.value("points").toArray();
        QCOMPARE(points.size(), 3);
        QCOMPARE(points[0].toObject().value("t").toString(), QString("2026-11-26T10:00:00.000Z"));
        QCOMPARE(points[0].toObject().value("count").toInt(), 3);
        QCOMPARE(points[1].toObject().value("t").toString(), QString("2026-11-26T10:00:00.100Z"));
        QCOMPARE(points[1].toObject().value("count").toInt(), 0);
        QCOMPARE(points[2].toObject().value("count").toInt(), 1);
        QCOMPARE(series[1].toObject().value("name").toString(), QString("payment.failed"));
        QCOMPARE(series[2].toObject().value("name").toString(), QString("stock.reserved"));
        // Member order as documented.
        QCOMPARE(j.keys().size(), 7);
        QVERIFY(r.out.indexOf("\"by\"") < r.out.indexOf("\"clock\""));
        QVERIFY(r.out.indexOf("\"binMs\"") < r.out.indexOf("\"from\""));
        QVERIFY(r.out.indexOf("\"to\"") < r.out.indexOf("\"series\""));

        const Run rx =
            cli({"throughput", path, "--by", "topic", "--clock", "received", "--bin", "1s", "--format", "json"});
        QCOMPARE(rx.exitCode, 0);
        const QJsonObject k = QJsonDocument::fromJson(rx.out).object();
        QCOMPARE(k.value("by").toString(), QString("topic"));
        QCOMPARE(k.value("clock").toString(), QString("received"));
        QCOMPARE(k.value("binMs").toInt(), 1000);
        const QJsonArray topics = k.value("series").toArray();
        QCOMPARE(topics.size(), 3);
        QCOMPARE(topics[0].toObject().value("name").toString(), QString("orders"));
        QCOMPARE(topics[0].toObject().value("total").toInt(), 3);
        QCOMPARE(topics[1].toObject().value("name").toString(), QString("(no topic)"));
    }

    void cliCsv()
    {
        QTemporaryDir dir;
        QStringList lines = saga();
        // A source whose name needs RFC 4180 quoting.
        lines << QString::fromStdString(line("f", "order.placed", "billing, \\\"eu\\\"", 180));
        const QString path = QString::fromStdString(writeFile(dir, lines));
        const Run r = cli({"throughput", path, "--by", "source", "--bin", "100ms", "--format", "csv"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QString::fromUtf8(r.out), QString("time,order,\"billing, \"\"eu\"\"\",inventory,payment\n"
                                                   "2026-11-26T10:00:00.000Z,3,0,0,1\n"
                                                   "2026-11-26T10:00:00.100Z,0,1,1,0\n"
                                                   "2026-11-26T10:00:00.200Z,1,0,0,0\n"));
    }

    void cliText()
    {
        QTemporaryDir dir;
        const QString path = QString::fromStdString(writeFile(dir, saga()));
        const Run r = cli({"throughput", path, "--bin", "100ms"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QString::fromUtf8(r.out),
                 QString::fromUtf8("Throughput by event type (event time): 6 events in 3 bins of 100 ms, "
                                   "2026-11-26T10:00:00.000Z → 2026-11-26T10:00:00.300Z\n"
                                   "\n"
                                   "TIME          order.placed  payment.failed  stock.reserved  all\n"
                                   "10:00:00.000             3               1               0    4\n"
                                   "10:00:00.100             0               0               1    1\n"
                                   "10:00:00.200             1               0               0    1\n"));

        // More than 60 bins: per series the mean and the peak, and where to get every bin. With
        // one more order at 2 s: 201 bins of 10 ms (2.01 s); order.placed peaks at 2 events in the
        // first bin (a and its redelivery): 200/s; 5 events / 2.01 s = 2.49/s.
        QStringList longer = saga();
        longer << QString::fromStdString(line("g", "order.placed", "order", 2000));
        const QString longPath = QString::fromStdString(writeFile(dir, longer, "long.jsonl"));
        const Run summary = cli({"throughput", longPath, "--bin", "10ms"});
        QCOMPARE(summary.exitCode, 0);
        QCOMPARE(QString::fromUtf8(summary.out),
                 QString::fromUtf8("Throughput by event type (event time): 7 events in 201 bins of 10 ms, "
                                   "2026-11-26T10:00:00.000Z → 2026-11-26T10:00:02.010Z\n"
                                   "\n"
                                   "EVENT TYPE      EVENTS  MEAN/S  PEAK/S  PEAK BIN\n"
                                   "order.placed         5    2.49     200  10:00:00.000\n"
                                   "payment.failed       1     0.5     100  10:00:00.090\n"
                                   "stock.reserved       1     0.5     100  10:00:00.120\n"
                                   "all                  7    3.48     200  10:00:00.000\n"
                                   "\n"
                                   "201 bins are too many to list here: every bin with --format csv, or fewer "
                                   "with --bin 50ms\n"));

        // Asked for finer bins than 2 000 can hold: widened, and the header says so.
        QStringList hours = saga();
        hours << QString::fromStdString(line("h", "order.placed", "order", 3 * 3'600'000));
        const Run widened = cli({"throughput", QString::fromStdString(writeFile(dir, hours, "hours.jsonl")), "--bin",
                                 "1s", "--by", "source"});
        QCOMPARE(widened.exitCode, 0);
        QVERIFY2(widened.out.startsWith("Throughput by source (event time): 7 events in 1,081 bins of 10 s, "
                                        "2026-11-26T10:00:00.000Z → 2026-11-26T13:00:10.000Z\n"
                                        "  (1 s bins would be more than 2,000: widened to 10 s)\n"),
                 widened.out.constData());

        // No receive times in the input: said in one line.
        const Run none = cli(
            {"throughput",
             QString::fromStdString(writeFile(dir, {QString::fromStdString(line("x", "t", "s", 0))}, "plain.jsonl")),
             "--clock", "received"});
        QCOMPARE(none.exitCode, 0);
        QCOMPARE(QString::fromUtf8(none.out),
                 QString("Throughput by event type (receive time): no events with a receive time (recordings made by "
                         "`eventlens-cli record` have them)\n"));
    }

    void cliBinErrorsExitTwo_data()
    {
        QTest::addColumn<QString>("bin");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no unit") << "10"
                                 << "not a bin width";
        QTest::newRow("unknown unit") << "2x"
                                      << "not a bin width";
        QTest::newRow("words") << "fast"
                               << "not a bin width";
        QTest::newRow("negative") << "-1s"
                                  << "not a bin width";
        QTest::newRow("dot without digits") << "1.s"
                                            << "not a bin width";
        QTest::newRow("zero") << "0s"
                              << "longer than 0";
        QTest::newRow("finer than 10 ms") << "5ms"
                                          << "finer than the finest bin";
        QTest::newRow("not 10 ms steps") << "15ms"
                                         << "10ms steps";
        QTest::newRow("fraction not 10 ms steps") << "1.005s"
                                                  << "10ms steps";
        QTest::newRow("too long") << "99999999999h"
                                  << "1000 days";
    }
    void cliBinErrorsExitTwo()
    {
        QFETCH(QString, bin);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        const QString path = QString::fromStdString(writeFile(dir, saga()));
        const Run r = cli({"throughput", path, "--bin", bin});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains("--bin"), r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(mentions), r.err.constData());
    }

    void cliBinWidths_data()
    {
        QTest::addColumn<QString>("bin");
        QTest::addColumn<int>("binMs");
        QTest::newRow("10ms") << "10ms" << 10;
        QTest::newRow("250ms") << "250ms" << 250;
        QTest::newRow("1s") << "1s" << 1000;
        QTest::newRow("1.5s") << "1.5s" << 1500;
        QTest::newRow("0.25s") << "0.25s" << 250;
        QTest::newRow("2m") << "2m" << 120'000;
        QTest::newRow("1min") << "1min" << 60'000;
        QTest::newRow("1h") << "1h" << 3'600'000;
        QTest::newRow("0.5h") << "0.5h" << 1'800'000;
    }
    void cliBinWidths()
    {
        QFETCH(QString, bin);
        QFETCH(int, binMs);
        QTemporaryDir dir;
        const QString path = QString::fromStdString(writeFile(dir, saga()));
        const Run r = cli({"throughput", path, "--bin", bin, "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value("binMs").toInt(), binMs);
    }

    /// csv is throughput's alone; every other command rejects it as a usage error.
    void csvOnlyForThroughput()
    {
        QTemporaryDir dir;
        const QString path = QString::fromStdString(writeFile(dir, saga()));
        const Run r = cli({"stats", path, "--format", "csv"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.contains("csv"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TstThroughput)
#include "tst_throughput.moc"
