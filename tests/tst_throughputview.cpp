// The throughput view on known events: its chart's series hold the expected rates, the bin
// width is shown, hidden series stay hidden across refreshes. Offscreen.
#include "core/analysis.h"
#include "core/eventstore.h"
#include "core/throughputanalyzer.h"
#include "testsupport.h"
#include "ui/throughputview.h"
#include "ui/timeserieschart.h"

#include <QtTest>

using namespace eventlens;

namespace {

std::string line(const std::string &id, const std::string &type, const std::string &time)
{
    return "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"timestamp\":\"2026-11-26T10:00:" + time
           + "Z\",\"source\":\"svc\",\"correlationId\":\"c\"}";
}

/// Events (value × bin seconds) summed over a series: what the chart says happened.
double eventsIn(const std::vector<QPointF> &points, double binSeconds)
{
    double n = 0;
    for (const QPointF &p : points)
        n += p.y() * binSeconds;
    return n;
}

} // namespace

class TestThroughputView : public QObject {
    Q_OBJECT
private slots:
    void seriesHoldTheRatesOfTheEvents()
    {
        EventStore store;
        Analysis analysis(store);
        ThroughputAnalyzer throughput;
        analysis.add(throughput);
        std::string error;
        const std::vector<std::string> lines{line("a1", "order.placed", "00.000"), line("a2", "order.placed", "00.200"),
                                             line("a3", "order.placed", "00.400"),
                                             line("b1", "payment.failed", "01.500")};
        QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());
        analysis.update();

        ThroughputView view;
        view.resize(800, 300);
        view.setThroughput(throughput); // everything, per event type, by event time
        TimeSeriesChart *chart = view.chart();
        QCOMPARE(chart->seriesNames(), (QStringList{"order.placed", "payment.failed"}));
        // 1.5 s of events: 10 ms bins (at most 2 000 points a series).
        QCOMPARE(view.binText(), QStringLiteral("bin 10 ms"));
        const std::vector<QPointF> placed = chart->points(QStringLiteral("order.placed"));
        QCOMPARE(eventsIn(placed, 0.010), 3.0);
        QCOMPARE(eventsIn(chart->points(QStringLiteral("payment.failed")), 0.010), 1.0);
        // One event in a 10 ms bin is 100 events/s, at that bin's start.
        const qint64 t0 =
            QDateTime::fromString(QStringLiteral("2026-11-26T10:00:00.200Z"), Qt::ISODateWithMs).toMSecsSinceEpoch();
        const auto at =
            std::find_if(placed.begin(), placed.end(), [&](const QPointF &p) { return qint64(p.x()) == t0; });
        QVERIFY(at != placed.end());
        QCOMPARE(at->y(), 100.0);

        // A hidden series stays hidden when the data is refreshed.
        chart->setSeriesVisible(QStringLiteral("payment.failed"), false);
        view.setThroughput(throughput);
        QVERIFY(!chart->isSeriesVisible(QStringLiteral("payment.failed")));
        QVERIFY(chart->isSeriesVisible(QStringLiteral("order.placed")));

        // The last minute: the rolling 100 ms bins; the same events.
        view.setWindow(60);
        view.setThroughput(throughput);
        QCOMPARE(view.binText(), QStringLiteral("bin 100 ms"));
        QCOMPARE(eventsIn(chart->points(QStringLiteral("order.placed")), 0.1), 3.0);

        // Per source: one series.
        view.setGrouping(ThroughputKey::Source);
        view.setThroughput(throughput);
        QCOMPARE(chart->seriesNames(), QStringList{"svc"});
        QCOMPARE(eventsIn(chart->points(QStringLiteral("svc")), 0.1), 4.0);
    }
};

QTEST_MAIN(TestThroughputView)
#include "tst_throughputview.moc"
