// The lag timeline on a recording whose lags are known (tests/data/lags.jsonl, written by
// make_lags.py): the p50 / p95 / p99 lines hold each window's percentiles, the scatter holds
// every reaction, the SLA splits them and a click on a slow one asks for that event (and its
// flow), the log scale draws 0 ms reactions on its bottom edge, skewed reactions are shown
// apart. Offscreen.
#include "core/analysis.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/laganalyzer.h"
#include "core/lagreactions.h"
#include "testsupport.h"
#include "ui/lagtimelineview.h"
#include "ui/timeserieschart.h"
#include "ui/uitext.h"

#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace eventlens;

namespace {

/// The recording, opened the way the app opens one, and its lag analysis.
struct Recording {
    EventStore store;
    LagAnalyzer lag;
    Analysis analysis{store};

    Recording()
    {
        RecordingReport report;
        std::string error;
        if (!JsonlReader().load(EVENTLENS_TEST_DATA "/lags.jsonl", store, report, error))
            qFatal("cannot open lags.jsonl: %s", error.c_str());
        analysis.add(lag);
        analysis.update();
    }
};

/// ms since the epoch of a time on 2026-11-26 ("10:00:00.500").
double at(const char *time)
{
    return double(QDateTime::fromString(QStringLiteral("2026-11-26T%1Z").arg(QLatin1String(time)), Qt::ISODateWithMs)
                      .toMSecsSinceEpoch());
}

std::vector<double> ys(const std::vector<QPointF> &points)
{
    std::vector<double> out;
    for (const QPointF &p : points)
        out.push_back(p.y());
    return out;
}

std::vector<double> sorted(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

/// 10, 20, … 200 and 50, 100, … 1 000: inventory-service's lags to order.placed, in ms.
std::vector<double> inventoryLags()
{
    std::vector<double> out;
    for (int i = 1; i <= 20; ++i)
        out.insert(out.end(), {10.0 * i, 50.0 * i});
    return sorted(out);
}

int64_t lagOf(const EventStore &store, uint32_t effect)
{
    return store.record(effect).timestampNs - store.record(store.cause(effect)).timestampNs;
}

} // namespace

class TestLagTimelineView : public QObject {
    Q_OBJECT
private slots:
    void reactionsAreTheCausationEdgesOfAConsumer()
    {
        Recording r;
        const uint16_t inventory = r.store.findSource("inventory-service"),
                       payment = r.store.findSource("payment-service");
        const std::vector<Reaction> toOrders = reactionsOf(r.store, inventory, r.store.findType("order.placed"));
        QCOMPARE(toOrders.size(), size_t(41));
        QCOMPARE(std::count_if(toOrders.begin(), toOrders.end(), [](const Reaction &x) { return x.skew(); }), 1);
        QCOMPARE(reactionsOf(r.store, payment, EventStore::kNoName).size(), size_t(7));
        QCOMPARE(reactionsOf(r.store, payment, r.store.findType("inventory.reserved")).size(), size_t(5));
        // The analyzer counts the same edges.
        QCOMPARE(r.lag.statsOf(inventory, r.store.findType("order.placed"))->count, uint64_t(41));

        // A redelivered effect is the same reaction; an effect of an unseen cause has no lag.
        EventStore store;
        std::string error;
        const std::string cause = "{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":\"2026-11-26T10:00:00.000Z\","
                                  "\"source\":\"p\"}";
        const std::string effect = "{\"eventId\":\"b\",\"eventType\":\"u\",\"timestamp\":\"2026-11-26T10:00:00.250Z\","
                                   "\"source\":\"c\",\"causationId\":\"a\"}";
        const std::string orphan = "{\"eventId\":\"d\",\"eventType\":\"u\",\"timestamp\":\"2026-11-26T10:00:00.300Z\","
                                   "\"source\":\"c\",\"causationId\":\"never-seen\"}";
        QVERIFY2(appendOneByOne(std::vector<std::string>{cause, effect, effect, orphan}, store, {}, error),
                 error.c_str());
        const std::vector<Reaction> reactions = reactionsOf(store, store.findSource("c"), EventStore::kNoName);
        QCOMPARE(reactions.size(), size_t(1));
        QCOMPARE(reactions[0].effect, store.find("b"));
        QCOMPARE(reactions[0].cause, store.find("a"));
        QCOMPARE(reactions[0].lagNs, int64_t(250'000'000));
    }

    void percentileLinesHoldEachWindowsPercentiles()
    {
        Recording r;
        LagTimelineView view;
        view.resize(1000, 600);
        QSignalSpy changed(&view, &LagTimelineView::settingsChanged);
        view.setLag(r.store, r.lag);
        QCOMPARE(view.consumers(), (QStringList{"inventory-service", "payment-service"}));
        QCOMPARE(view.consumer(), QStringLiteral("inventory-service"));
        QCOMPARE(view.causeTypes(), QStringList{"order.placed"});
        QCOMPARE(view.causeType(), QString()); // every cause type

        // 40 reactions over 1.9 s: 1 s windows (about 20 reactions each), drawn at their middle.
        QCOMPARE(view.windowNs(), int64_t(1'000'000'000));
        QCOMPARE(view.windowText(), QStringLiteral("p50 / p95 / p99 per 1 s window"));
        auto expectLines = [&] {
            TimeSeriesChart *chart = view.chart();
            const double first = at("10:00:00.500"), second = at("10:00:01.500");
            QCOMPARE(chart->points(QStringLiteral("p50")), (std::vector<QPointF>{{first, 100}, {second, 500}}));
            QCOMPARE(chart->points(QStringLiteral("p95")), (std::vector<QPointF>{{first, 190}, {second, 950}}));
            QCOMPARE(chart->points(QStringLiteral("p99")), (std::vector<QPointF>{{first, 200}, {second, 1000}}));
            QCOMPARE(chart->shownPoints(QStringLiteral("p99")), chart->points(QStringLiteral("p99")));
        };
        expectLines();
        // One cause type: the analyzer's own timeline, the same figures.
        view.setCauseType(QStringLiteral("order.placed"));
        QCOMPARE(changed.count(), 1);
        view.setLag(r.store, r.lag);
        QCOMPARE(view.causeType(), QStringLiteral("order.placed"));
        expectLines();
        QVERIFY2(view.summaryText().startsWith(QStringLiteral("41 reactions · p50 170 ms")),
                 qPrintable(view.summaryText()));

        // payment-service: 0–20 ms to inventory.reserved, 300 and 400 ms to order.placed.
        view.setConsumer(QStringLiteral("payment-service"));
        view.setLag(r.store, r.lag);
        QCOMPARE(view.consumer(), QStringLiteral("payment-service"));
        QCOMPARE(view.causeTypes(), (QStringList{"inventory.reserved", "order.placed"}));
        QCOMPARE(view.causeType(), QString());
        const double middle = at("10:00:00.500");
        QCOMPARE(view.chart()->points(QStringLiteral("p50")), (std::vector<QPointF>{{middle, 15}}));
        QCOMPARE(view.chart()->points(QStringLiteral("p95")), (std::vector<QPointF>{{middle, 400}}));
        view.setCauseType(QStringLiteral("inventory.reserved"));
        view.setLag(r.store, r.lag);
        QCOMPARE(view.chart()->points(QStringLiteral("p50")), (std::vector<QPointF>{{middle, 10}}));
        QCOMPARE(view.chart()->points(QStringLiteral("p99")), (std::vector<QPointF>{{middle, 20}}));
        // A refresh keeps the choice.
        view.setLag(r.store, r.lag);
        QCOMPARE(view.consumer(), QStringLiteral("payment-service"));
        QCOMPARE(view.causeType(), QStringLiteral("inventory.reserved"));

        view.clear();
        QVERIFY(view.chart()->seriesNames().isEmpty());
        QVERIFY(view.consumers().isEmpty());
    }

    void scatterHoldsEveryReaction()
    {
        Recording r;
        LagTimelineView view;
        view.resize(1000, 600);
        view.setLag(r.store, r.lag);
        TimeSeriesChart *chart = view.chart();
        // No SLA set: chosen from the data, its p95 (900 ms) rounded up to 1 s: the 1 000 ms
        // reaction is not over it.
        QCOMPARE(view.slaMs(), 1000.0);
        QCOMPARE(chart->threshold(), std::optional<double>(1000));
        QCOMPARE(view.overSlaText(), QStringLiteral("0 over SLA"));
        const std::vector<QPointF> within = chart->points(QString::fromLatin1(LagTimelineView::kWithinSla));
        QCOMPARE(sorted(ys(within)), inventoryLags());
        QVERIFY(chart->points(QString::fromLatin1(LagTimelineView::kOverSla)).empty());
        // Each point is a reaction at its effect's time.
        for (int i = 0; i < 20; ++i)
            for (const char *second : {"A", "B"}) {
                const uint32_t effect = r.store.find(QStringLiteral("inv-%1-%2").arg(second).arg(i).toStdString());
                const QPointF p(double(r.store.record(effect).timestampNs / 1'000'000),
                                double(lagOf(r.store, effect)) / 1e6);
                QVERIFY2(std::find(within.begin(), within.end(), p) != within.end(),
                         qPrintable(QStringLiteral("inv-%1-%2").arg(second).arg(i)));
            }
    }

    void slaFollowsTheDataUntilAPersonSetsOne()
    {
        // Issue 12, defect 6: a fixed default of 1 000 ms drew 20–60 ms lags as a flat line at
        // the bottom of a 0–1 100 ms axis. Reactions of 20 to 60 ms (1 ms apart).
        EventStore store;
        Analysis analysis(store);
        LagAnalyzer lag;
        analysis.add(lag);
        std::vector<std::string> lines;
        for (int i = 0; i <= 40; ++i) {
            const QString t0 = QStringLiteral("10:00:%1.000").arg(i, 2, 10, QChar('0'));
            const QString t1 = QStringLiteral("10:00:%1.%2").arg(i, 2, 10, QChar('0')).arg(20 + i, 3, 10, QChar('0'));
            lines.push_back(
                QStringLiteral(R"({"eventId":"o-%1","eventType":"order.placed","timestamp":"2026-11-26T%2Z",)"
                               R"("source":"order-service","correlationId":"c-%1"})")
                    .arg(i)
                    .arg(t0)
                    .toStdString());
            lines.push_back(QStringLiteral(R"({"eventId":"p-%1","eventType":"payment.authorized","timestamp":)"
                                           R"("2026-11-26T%2Z","source":"payment-service","correlationId":"c-%1",)"
                                           R"("causationId":"o-%1"})")
                                .arg(i)
                                .arg(t1)
                                .toStdString());
        }
        std::string error;
        QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());
        analysis.update();

        LagTimelineView view;
        view.resize(1000, 600);
        QVERIFY(!view.isSlaChosen());
        view.setLag(store, lag);
        QCOMPARE(view.consumer(), QStringLiteral("payment-service"));
        // p95 58 ms, rounded up: 100 ms. The axis reaches a little past it, the lags fill it.
        QCOMPARE(view.slaMs(), 100.0);
        QCOMPARE(view.chart()->threshold(), std::optional<double>(100));
        QVERIFY(!view.isSlaChosen());
        QVERIFY2(view.chart()->valueRange().second <= 150,
                 qPrintable(QString::number(view.chart()->valueRange().second)));
        QCOMPARE(view.overSlaText(), QStringLiteral("0 over SLA"));

        // A person's SLA stays whatever the data does.
        view.setSlaMs(45);
        QVERIFY(view.isSlaChosen());
        view.setLag(store, lag);
        QCOMPARE(view.slaMs(), 45.0);
        QCOMPARE(view.overSlaText(), QStringLiteral("15 over SLA")); // 46 … 60 ms
    }

    void slaMarksSlowReactionsAndAClickSelectsOne()
    {
        Recording r;
        LagTimelineView view;
        view.resize(1000, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setLag(r.store, r.lag);
        QSignalSpy activated(&view, &LagTimelineView::eventActivated);

        view.setSlaMs(600);
        TimeSeriesChart *chart = view.chart();
        const QString over = QString::fromLatin1(LagTimelineView::kOverSla),
                      within = QString::fromLatin1(LagTimelineView::kWithinSla);
        QCOMPARE(chart->threshold(), std::optional<double>(600));
        QCOMPARE(chart->thresholdLabel(), QStringLiteral("SLA 600 ms"));
        QCOMPARE(view.overSlaText(), QStringLiteral("8 over SLA"));
        QCOMPARE(sorted(ys(chart->points(over))), (std::vector<double>{650, 700, 750, 800, 850, 900, 950, 1000}));
        const std::vector<QPointF> fast = chart->points(within);
        QCOMPARE(fast.size(), size_t(32));
        QVERIFY(std::all_of(fast.begin(), fast.end(), [](const QPointF &p) { return p.y() <= 600; }));
        // Each slow point carries its effect: the event whose flow a click selects.
        const std::vector<QPointF> slow = chart->points(over);
        const std::vector<uint32_t> ids = chart->ids(over);
        QCOMPARE(ids.size(), slow.size());
        for (size_t i = 0; i < ids.size(); ++i)
            QCOMPARE(double(lagOf(r.store, ids[i])) / 1e6, slow[i].y());

        // A real click on the slowest reaction's marker.
        const int slowest = int(
            std::max_element(slow.begin(), slow.end(), [](const QPointF &a, const QPointF &b) { return a.y() < b.y(); })
            - slow.begin());
        const QPoint pos = chart->pointPosition(over, slowest);
        QVERIFY(chart->plotWidget()->rect().contains(pos));
        QTest::mouseClick(chart->plotWidget(), Qt::LeftButton, {}, pos);
        QCOMPARE(activated.count(), 1);
        const uint32_t selected = activated.takeFirst().at(0).value<uint32_t>();
        QCOMPARE(lagOf(r.store, selected), int64_t(1'000'000'000));
        QVERIFY(r.store.eventId(selected).starts_with("inv-B-"));
        // Its flow: the order it reacted to.
        QCOMPARE(r.store.correlationId(selected), r.store.correlationId(r.store.cause(selected)));

        // Reactions within the SLA are not for clicking.
        QVERIFY(chart->clickPoint(within, 0));
        QCOMPARE(activated.count(), 0);
        QVERIFY(chart->clickPoint(over, 0));
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.takeFirst().at(0).value<uint32_t>(), ids[0]);

        // A higher SLA: fewer marked.
        view.setSlaMs(900);
        QCOMPARE(view.overSlaText(), QStringLiteral("2 over SLA"));
        QCOMPARE(sorted(ys(chart->points(over))), (std::vector<double>{950, 1000}));
    }

    void logScaleDrawsZeroLagsOnItsBottomEdge()
    {
        Recording r;
        LagTimelineView view;
        view.resize(1000, 600);
        view.setConsumer(QStringLiteral("payment-service"));
        view.setLag(r.store, r.lag);
        TimeSeriesChart *chart = view.chart();
        const QString within = QString::fromLatin1(LagTimelineView::kWithinSla);
        QVERIFY(!chart->isLogScale());
        QCOMPARE(chart->valueRange().first, 0.0);
        QVERIFY(chart->noteText().isEmpty());

        view.setLogScale(true);
        QVERIFY(chart->isLogScale());
        // The smallest lag above 0 is 5 ms: the axis starts at 1 ms, where the 0 ms reaction is drawn.
        QCOMPARE(chart->valueRange().first, 1.0);
        QCOMPARE(view.slaMs(), 500.0);             // chosen from the data: p95 400 ms, rounded up
        QVERIFY(chart->valueRange().second > 500); // the SLA line is in sight
        QCOMPARE(sorted(ys(chart->shownPoints(within))), (std::vector<double>{1, 5, 10, 15, 20, 300, 400}));
        QCOMPARE(sorted(ys(chart->points(within))), (std::vector<double>{0, 5, 10, 15, 20, 300, 400}));
        QCOMPARE(chart->noteText(), QStringLiteral("1 value ≤ 0 drawn on the bottom edge (log scale)"));
        // The p50 line, 15 ms, is drawn as it is.
        QCOMPARE(ys(chart->shownPoints(QStringLiteral("p50"))), std::vector<double>{15});

        view.setLogScale(false);
        QVERIFY(!chart->isLogScale());
        QCOMPARE(sorted(ys(chart->shownPoints(within))), (std::vector<double>{0, 5, 10, 15, 20, 300, 400}));
        QVERIFY(chart->noteText().isEmpty());
    }

    void manyReactionsAreThinnedKeepingTheSlowest()
    {
        // 6 000 reactions of "c", one a millisecond, lags 0–99 ms; three take 5 s.
        const QDateTime t0 = QDateTime::fromString(QStringLiteral("2026-11-26T10:01:00.000Z"), Qt::ISODateWithMs);
        auto event = [&](const QString &id, const char *source, qint64 ms, const QString &cause) {
            QString s = QStringLiteral("{\"eventId\":\"%1\",\"eventType\":\"t\",\"timestamp\":\"%2\",\"source\":\"%3\"")
                            .arg(id, t0.addMSecs(ms).toString(Qt::ISODateWithMs), QLatin1String(source));
            if (!cause.isEmpty())
                s += QStringLiteral(",\"causationId\":\"%1\"").arg(cause);
            return s + QLatin1Char('}');
        };
        QStringList lines;
        for (int i = 0; i < 6000; ++i) {
            const int lag = (i == 1000 || i == 3000 || i == 5000) ? 5000 : i % 100;
            lines << event(QStringLiteral("p%1").arg(i), "p", i - lag, QString())
                  << event(QStringLiteral("e%1").arg(i), "c", i, QStringLiteral("p%1").arg(i));
        }
        EventStore store;
        std::string error;
        QVERIFY2(appendOneByOne(lines, store, {}, error), error.c_str());
        Analysis analysis(store);
        LagAnalyzer lag;
        analysis.add(lag);
        analysis.update();

        LagTimelineView view;
        view.resize(1000, 600);
        view.setLag(store, lag);
        TimeSeriesChart *chart = view.chart();
        const QString within = QString::fromLatin1(LagTimelineView::kWithinSla),
                      over = QString::fromLatin1(LagTimelineView::kOverSla);
        // 20 ms windows (about 20 reactions each): 300 points a line.
        QCOMPARE(view.windowNs(), int64_t(20'000'000));
        QCOMPARE(chart->points(QStringLiteral("p99")).size(), size_t(300));
        // The fast ones: at most 2 000 points, still from 0 to 99 ms.
        const std::vector<double> fast = sorted(ys(chart->points(within)));
        QVERIFY(fast.size() <= 2000 && fast.size() > 1000);
        QCOMPARE(fast.front(), 0.0);
        QCOMPARE(fast.back(), 99.0);
        // Every slow one is drawn, and clickable.
        QCOMPARE(view.overSlaText(), QStringLiteral("3 over SLA"));
        QCOMPARE(ys(chart->points(over)), (std::vector<double>{5000, 5000, 5000}));
        QCOMPARE(chart->ids(over),
                 (std::vector<uint32_t>{store.find("e1000"), store.find("e3000"), store.find("e5000")}));

        // An SLA of 50 ms: 2 943 over it, thinned too — the three slowest still among them.
        view.setSlaMs(50);
        QVERIFY2(view.overSlaText().startsWith(grouped(2943) + QStringLiteral(" over SLA (")),
                 qPrintable(view.overSlaText()));
        const std::vector<double> slow = ys(chart->points(over));
        QVERIFY(slow.size() <= 2000);
        QCOMPARE(std::count(slow.begin(), slow.end(), 5000.0), 3);
        QVERIFY(std::all_of(slow.begin(), slow.end(), [](double y) { return y > 50; }));
    }

    void skewedReactionsAreShownApart()
    {
        Recording r;
        LagTimelineView view;
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setLag(r.store, r.lag); // inventory-service: one effect stamped 30 ms before its cause
        QSignalSpy activated(&view, &LagTimelineView::eventActivated);

        QCOMPARE(view.skewText(), QStringLiteral("1 skewed reaction (effect stamped before its cause): not in the "
                                                 "percentiles, shown below"));
        QVERIFY(view.isSkewStripShown());
        QVERIFY2(view.skewListText().contains(QStringLiteral("inv-skew (inventory.reserved) stamped 30 ms before its "
                                                             "cause o-skew")),
                 qPrintable(view.skewListText()));
        TimeSeriesChart *strip = view.skewChart();
        const QString skewed = QString::fromLatin1(LagTimelineView::kSkewed);
        QCOMPARE(strip->points(skewed), (std::vector<QPointF>{{at("10:00:01.950"), 30}}));
        QCOMPARE(strip->ids(skewed), std::vector<uint32_t>{r.store.find("inv-skew")});
        // Not among the reactions above, nor in the percentiles (p99 of the second second is still 1 s).
        QCOMPARE(sorted(ys(view.chart()->points(QString::fromLatin1(LagTimelineView::kWithinSla)))), inventoryLags());
        QCOMPARE(ys(view.chart()->points(QStringLiteral("p99"))), (std::vector<double>{200, 1000}));
        // The strip and the chart share their time axis.
        QCOMPARE(strip->timeRange(), view.chart()->timeRange());
        // Clickable: its flow is the one to look at.
        const QPoint pos = strip->pointPosition(skewed, 0);
        QVERIFY(strip->plotWidget()->rect().contains(pos));
        QTest::mouseClick(strip->plotWidget(), Qt::LeftButton, {}, pos);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.takeFirst().at(0).value<uint32_t>(), r.store.find("inv-skew"));

        // payment-service has none: the strip goes, the count says so.
        view.setConsumer(QStringLiteral("payment-service"));
        view.setLag(r.store, r.lag);
        QCOMPARE(view.skewText(), QStringLiteral("no skewed reactions"));
        QVERIFY(!view.isSkewStripShown());
    }
};

QTEST_MAIN(TestLagTimelineView)
#include "tst_lagtimelineview.moc"
