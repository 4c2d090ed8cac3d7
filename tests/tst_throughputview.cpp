// The throughput view on known events: its chart's series hold the expected rates, the bin
// width is shown, hidden series stay hidden across refreshes. Offscreen.
#include "core/analysis.h"
#include "core/eventstore.h"
#include "core/throughputanalyzer.h"
#include "testsupport.h"
#include "ui/palette.h"
#include "ui/throughputview.h"
#include "ui/timeserieschart.h"

#include <QLayout>
#include <QScrollArea>
#include <QtTest>

#include <set>

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

    void liveEverythingStartsWithTheFirstEvent()
    {
        // A live session's analyzer keeps rolling windows only; "everything" is the shortest
        // that holds what it saw (here the last minute), drawn from the first event on.
        EventStore store;
        Analysis analysis(store);
        ThroughputAnalyzer throughput(ThroughputAnalyzer::Options{false});
        analysis.add(throughput);
        std::string error;
        QVERIFY2(appendOneByOne(std::vector<std::string>{line("a1", "order.placed", "10.000"),
                                                         line("a2", "order.placed", "11.000"),
                                                         line("a3", "order.placed", "12.050")},
                                store, {}, error),
                 error.c_str());
        analysis.update();
        ThroughputView view;
        view.resize(800, 300);
        view.setThroughput(throughput);
        QCOMPARE(view.binText(), QStringLiteral("bin 100 ms · live: the last 1 min 00 s"));
        const std::vector<QPointF> points = view.chart()->points(QStringLiteral("order.placed"));
        const qint64 first =
            QDateTime::fromString(QStringLiteral("2026-11-26T10:00:10.000Z"), Qt::ISODateWithMs).toMSecsSinceEpoch();
        QCOMPARE(qint64(points.front().x()), first); // not a minute of empty bins before it
        QCOMPARE(qint64(points.back().x()), first + 2000);
        QCOMPARE(points.size(), size_t(21));
    }

    void stackedAreasAddUpToTheTotal()
    {
        EventStore store;
        Analysis analysis(store);
        ThroughputAnalyzer throughput;
        analysis.add(throughput);
        std::string error;
        // order.placed: 3 events in the first 100 ms bin, 1 in the second; payment.failed: 1 in
        // each of the first two bins.
        const std::vector<std::string> lines{
            line("a1", "order.placed", "00.010"),   line("a2", "order.placed", "00.020"),
            line("a3", "order.placed", "00.030"),   line("a4", "order.placed", "00.150"),
            line("b1", "payment.failed", "00.050"), line("b2", "payment.failed", "00.160")};
        QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());
        analysis.update();

        ThroughputView view;
        view.resize(800, 300);
        view.setWindow(60); // 100 ms bins
        view.setThroughput(throughput);
        TimeSeriesChart *chart = view.chart();
        const QString placed = QStringLiteral("order.placed"), failed = QStringLiteral("payment.failed");
        QVERIFY(!view.isStacked());
        QCOMPARE(chart->shownPoints(failed), chart->points(failed)); // lines: each its own rate

        view.setStacked(true);
        QVERIFY(view.isStacked() && chart->isStacked());
        // The busiest series at the bottom: its top edge is its own rate; the next one's top
        // edge is the sum of both, bin by bin — the total rate.
        const qint64 t0 =
            QDateTime::fromString(QStringLiteral("2026-11-26T10:00:00.000Z"), Qt::ISODateWithMs).toMSecsSinceEpoch();
        auto rateAt = [&](const std::vector<QPointF> &points, qint64 ms) {
            const auto it =
                std::find_if(points.begin(), points.end(), [&](const QPointF &p) { return qint64(p.x()) == ms; });
            return it == points.end() ? -1.0 : it->y();
        };
        QCOMPARE(rateAt(chart->shownPoints(placed), t0), 30.0);
        QCOMPARE(rateAt(chart->shownPoints(placed), t0 + 100), 10.0);
        QCOMPARE(rateAt(chart->shownPoints(failed), t0), 40.0);
        QCOMPARE(rateAt(chart->shownPoints(failed), t0 + 100), 20.0);
        const std::vector<QPointF> top = chart->shownPoints(failed), bottom = chart->shownPoints(placed),
                                   own = chart->points(failed);
        QCOMPARE(top.size(), bottom.size());
        for (size_t i = 0; i < top.size(); ++i)
            QCOMPARE(top[i].y(), bottom[i].y() + rateAt(own, qint64(top[i].x())));
        QCOMPARE(eventsIn(top, 0.1), 6.0);
        // The values themselves are unchanged (what hovering reads).
        QCOMPARE(rateAt(chart->points(failed), t0), 10.0);
        // A refresh keeps the stack.
        view.setThroughput(throughput);
        QCOMPARE(rateAt(chart->shownPoints(failed), t0), 40.0);

        // Hiding the bottom series closes the stack up: the other one sits on the axis.
        chart->setSeriesVisible(placed, false);
        QCOMPARE(rateAt(chart->shownPoints(failed), t0), 10.0);
        chart->setSeriesVisible(placed, true);
        QCOMPARE(rateAt(chart->shownPoints(failed), t0), 40.0);

        // A stacked chart exports like a line chart.
        QTemporaryDir dir;
        QString exportError;
        QVERIFY2(chart->exportImage(dir.filePath(QStringLiteral("stacked.png")), exportError), qPrintable(exportError));
        QVERIFY(!QImage(dir.filePath(QStringLiteral("stacked.png"))).isNull());

        // Back to lines.
        view.setStacked(false);
        QCOMPARE(chart->shownPoints(failed), chart->points(failed));
        QCOMPARE(rateAt(chart->shownPoints(failed), t0), 10.0);
    }

    void seriesComeAndGoWhileStackedAreasAreOnScreen()
    {
        // Issue 12, defect 2: a new event type arriving while the Throughput view showed
        // stacked areas crashed the app. Series are added, removed and reordered, repeatedly,
        // with the chart on screen and the deferred deletions of the old areas run in between.
        TimeSeriesChart chart;
        chart.resize(800, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setStacked(true);
        const qint64 t0 = 1'800'000'000'000;
        auto series = [&](const QStringList &names) {
            std::vector<TimeSeriesChart::Series> out;
            for (int i = 0; i < names.size(); ++i) {
                TimeSeriesChart::Series s;
                s.name = names[i];
                s.color = QColor::fromHsv(i * 40, 120, 160);
                for (int b = 0; b < 20; ++b)
                    s.points.emplace_back(double(t0 + b * 100), double((b + i) % 5 + 1));
                out.push_back(std::move(s));
            }
            return out;
        };
        const std::vector<QStringList> steps{
            {"order.placed", "payment.authorized"},
            {"order.placed", "payment.authorized", "fraud.checked"},               // one comes
            {"order.placed", "fraud.checked"},                                     // one goes
            {"fraud.checked", "order.placed", "stock.reserved", "payment.failed"}, // new order, two come
            {"stock.reserved", "payment.failed"},                                  // two go
            {"payment.failed", "stock.reserved", "order.placed"},                  // reordered, one back
            {"a", "b", "c", "d", "e", "f", "g", "h", "i", "3 others"},             // all replaced
            {"b", "a", "x", "d", "e", "f", "g", "h", "i", "4 others"},             // one swapped, renamed
            {},                                                                    // nothing
            {"order.placed"},
        };
        for (int round = 0; round < 3; ++round) {
            for (const QStringList &names : steps) {
                chart.setSeries(series(names), QStringLiteral("events/s"));
                QStringList expected = names;
                expected.sort();
                QCOMPARE(chart.seriesNames(), expected);
                // Stacked: the last series' top edge is the sum of all of them.
                if (!names.isEmpty()) {
                    double total = 0;
                    for (const auto &s : series(names))
                        total += s.points.front().y();
                    const std::vector<QPointF> top = chart.shownPoints(names.back());
                    QVERIFY(!top.empty());
                    QCOMPARE(top.front().y(), total);
                }
                // The old areas' drawings go (deleteLater) and the chart paints the new ones.
                QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
                chart.repaint();
                QCoreApplication::processEvents();
                // Hiding and showing one series restacks, on top of the change.
                if (names.size() > 1) {
                    chart.setSeriesVisible(names.front(), false);
                    QVERIFY(!chart.isSeriesVisible(names.front()));
                    chart.setSeriesVisible(names.front(), true);
                    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
                }
            }
            chart.setStacked(round % 2 == 0 ? false : true); // and through lines and back
            chart.setStacked(true);
        }
    }

    void aNewEventTypeArrivesWhileStacked()
    {
        // The same through the view, as in the demo: the Throughput dock on screen, stacked,
        // and events of a type not seen before (fraud-service ticked in the Demo pane).
        EventStore store;
        Analysis analysis(store);
        ThroughputAnalyzer throughput;
        analysis.add(throughput);
        ThroughputView view;
        view.resize(800, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setStacked(true);
        std::vector<std::string> lines;
        std::string error;
        int id = 0;
        for (const char *type : {"order.placed", "payment.authorized", "fraud.checked", "fraud.cleared",
                                 "stock.reserved", "a.1", "a.2", "a.3", "a.4", "a.5", "a.6", "a.7"}) {
            for (int k = 0; k < 3; ++k, ++id)
                lines.push_back(line(
                    "e" + std::to_string(id), type,
                    QStringLiteral("%1.%2").arg(k, 2, 10, QChar('0')).arg(id % 1000, 3, 10, QChar('0')).toStdString()));
            QVERIFY2(appendOneByOne(std::vector<std::string>(lines.end() - 3, lines.end()), store, {}, error),
                     error.c_str());
            analysis.update();
            view.setThroughput(throughput);
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
            view.repaint();
            QCoreApplication::processEvents();
        }
        QCOMPARE(view.chart()->seriesNames().size(), 10); // the busiest 9 and "3 others"
    }

    void serviceColoursStayApartFromEventTypes()
    {
        // Issue 12, defect 6: the chart of event types took the services' colours, so that in
        // the demo fraud-service and payment-service were both #BFCAF7. Ten event types drawn,
        // then the services of the order saga and more: every service has its own colour.
        EventStore store;
        Analysis analysis(store);
        ThroughputAnalyzer throughput;
        analysis.add(throughput);
        std::vector<std::string> lines;
        for (const char *type :
             {"order.placed", "inventory.reserved", "payment.authorized", "payment.failed", "fraud.checked",
              "shipment.scheduled", "notification.sent", "order.confirmed", "order.cancelled", "inventory.released"})
            lines.push_back(line(std::string("t-") + type, type, "00.100"));
        std::string error;
        QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());
        analysis.update();
        ThroughputView view;
        view.resize(800, 300);
        view.setThroughput(throughput);
        QCOMPARE(view.chart()->seriesNames().size(), 10);
        std::set<QRgb> typeColors;
        for (const QString &name : view.chart()->seriesNames())
            typeColors.insert(view.chart()->seriesColor(name).rgb());
        QCOMPARE(typeColors.size(), size_t(10)); // the lines are told apart too

        std::set<QRgb> serviceColors;
        const std::vector<std::string> services{
            "order-service",     "inventory-service", "payment-service", "shipping-service", "notification-service",
            "analytics-service", "fraud-service",     "loyalty-service", "audit-service",    "email-service",
            "sms-service",       "warehouse-service", "billing-service", "refund-service",   "recommendation-service"};
        for (const std::string &s : services)
            serviceColors.insert(colorForSource(s).rgb());
        QCOMPARE(serviceColors.size(), services.size()); // fifteen services, fifteen colours
        QVERIFY(colorForSource("fraud-service") != colorForSource("payment-service"));
        for (QRgb c : serviceColors) // a service's fill is never an event type's line
            QVERIFY(!typeColors.count(c));
        QCOMPARE(colorForSource("fraud-service"), colorForSource("fraud-service")); // stable
    }

    void legendShowsEverySeriesInADockSizedChart()
    {
        // Issue 12, defect 6: in the bottom dock the legend showed 7 of 10 event types (Qt
        // Charts drops the entries it has no room for). Ten series and a dock's height.
        EventStore store;
        Analysis analysis(store);
        ThroughputAnalyzer throughput;
        analysis.add(throughput);
        std::vector<std::string> lines;
        int id = 0;
        for (const char *type : {"order.placed", "inventory.reserved", "payment.authorized", "payment.failed",
                                 "fraud.checked", "shipment.scheduled", "notification.sent", "order.confirmed",
                                 "order.cancelled", "inventory.released", "analytics.recorded", "refund.issued"})
            for (int k = 0; k <= id % 3; ++k, ++id)
                lines.push_back(line("l-" + std::to_string(id), type, "00." + std::to_string(100 + id)));
        std::string error;
        QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());
        analysis.update();
        ThroughputView view;
        view.resize(1100, 240); // the bottom dock's height
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setThroughput(throughput);
        TimeSeriesChart *chart = view.chart();
        QCOMPARE(chart->seriesNames().size(), 10); // the busiest 9 and "3 others"
        QCOMPARE(chart->legendNames().size(), 10);
        QTRY_COMPARE(chart->legendNamesInView().size(), 10);
        // A real click on a legend entry still hides its series, and another shows it again.
        auto *legend = chart->findChild<QScrollArea *>(QStringLiteral("chartLegend"));
        QVERIFY(legend && legend->widget());
        const QString name = chart->legendNames().at(0);
        QWidget *entry = legend->widget()->layout()->itemAt(0)->widget();
        QVERIFY(entry);
        QVERIFY(chart->isSeriesVisible(name));
        QTest::mouseClick(entry, Qt::LeftButton, {}, entry->rect().center());
        QTRY_VERIFY(!chart->isSeriesVisible(name));
        entry = legend->widget()->layout()->itemAt(0)->widget(); // the legend was rebuilt
        QTest::mouseClick(entry, Qt::LeftButton, {}, entry->rect().center());
        QTRY_VERIFY(chart->isSeriesVisible(name));
    }
};

QTEST_MAIN(TestThroughputView)
#include "tst_throughputview.moc"
