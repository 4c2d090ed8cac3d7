// The window's lag and compare views as a person uses them, offscreen, on recordings whose
// lags and differences are known: a click on a reaction over the SLA selects its event and
// flow everywhere; File → Compare shows two flows side by side with what differs.
#include "core/timecursor.h"
#include "core/workspace.h"
#include "ui/compareview.h"
#include "ui/detailspane.h"
#include "ui/flowgraphview.h"
#include "ui/lagtimelineview.h"
#include "ui/mainwindow.h"
#include "ui/timeserieschart.h"
#include "windowtestsupport.h"

#include <QDockWidget>
#include <QSignalSpy>
#include <QtTest>

using namespace eventlens;

class TestAnalysisViews : public QObject {
    Q_OBJECT
private slots:
    void aReactionOverTheSlaSelectsItsFlow();
    void comparesTwoFlowsOfTheShownRecording();
    void comparesWithAnotherRecording();
    void openingAnotherRecordingLetsGoOfTheCompared();
};

void TestAnalysisViews::aReactionOverTheSlaSelectsItsFlow()
{
    MainWindow w(testOptions());
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/lags.jsonl")));
    w.findChild<QDockWidget *>(QStringLiteral("lagDock"))->raise();
    LagTimelineView *lag = w.lagView();
    QTRY_VERIFY(lag->consumers().contains(QStringLiteral("inventory-service")));
    lag->setConsumer(QStringLiteral("inventory-service"));
    lag->setSlaMs(900);
    // lags.jsonl: inventory-service reacts to order.placed in 0 … 1 000 ms; two over 900 ms.
    TimeSeriesChart *chart = lag->chart();
    const QString over = QString::fromLatin1(LagTimelineView::kOverSla);
    QTRY_COMPARE(chart->points(over).size(), size_t(2));
    QCOMPARE(lag->overSlaText(), QStringLiteral("2 over SLA"));
    const std::vector<QPointF> slow = chart->points(over);
    const int slowest = slow[0].y() > slow[1].y() ? 0 : 1;
    QCOMPARE(slow[size_t(slowest)].y(), 1000.0);

    // A real click on the slowest one: that reaction is selected, with its flow.
    const QPoint at = chart->pointPosition(over, slowest);
    QVERIFY(chart->plotWidget()->rect().contains(at));
    QTest::mouseClick(chart->plotWidget(), Qt::LeftButton, {}, at);
    const EventStore &store = w.shownWorkspace()->store();
    const uint32_t selected = w.detailsPane()->shownEvent();
    QCOMPARE(selected, chart->ids(over)[size_t(slowest)]);
    QVERIFY(store.eventId(selected).starts_with("inv-B-"));
    const QString flow =
        QString::fromUtf8(store.correlationId(selected).data(), qsizetype(store.correlationId(selected).size()));
    QTRY_COMPARE(w.flowView()->correlationId(), flow);
    QCOMPARE(w.flowView()->nodeCount() >= 2, true); // the order and its late reservation
    QVERIFY(w.flowView()->nodeItem(
        QString::fromUtf8(store.eventId(selected).data(), qsizetype(store.eventId(selected).size()))));
}

void TestAnalysisViews::comparesTwoFlowsOfTheShownRecording()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    // The failed saga selected, compared with the flow most like it: the one that shipped.
    w.selectEvent(w.shownWorkspace()->store().find("e-8"));
    w.compareFlows();
    CompareView *compare = w.compareView();
    QVERIFY(compare);
    QVERIFY(compare->isVisible());
    QCOMPARE(compare->leftCorrelation(), std::string("c-1002"));
    QCOMPARE(compare->rightCorrelation(), std::string("c-1001"));
    const QStringList differences = compare->differences();
    QVERIFY2(differences.contains(QStringLiteral("missing: payment.failed")), qPrintable(differences.join('\n')));
    QVERIFY2(differences.contains(QStringLiteral("extra: shipment.scheduled")), qPrintable(differences.join('\n')));
    // A click on the left graph selects that event in the window.
    emit compare->graph(CompareView::Left)->eventActivated(w.shownWorkspace()->store().find("e-10"));
    QCOMPARE(w.detailsPane()->shownEvent(), w.shownWorkspace()->store().find("e-10"));
    // Time travel over the same recording keeps it; a click selects that event in the view
    // as of the cursor (a copy of the recording, by id).
    const EventStore &recording = w.recordingWorkspace()->store();
    QVERIFY(w.moveTimeCursor(recording.record(recording.find("e-8")).timestampNs));
    QTRY_VERIFY(w.timeCursor()->caughtUp());
    QVERIFY(compare->isVisible());
    emit compare->graph(CompareView::Left)->eventActivated(recording.find("e-7"));
    QCOMPARE(w.detailsPane()->shownEvent(), w.shownWorkspace()->store().find("e-7"));
    QVERIFY(&w.shownWorkspace()->store() != &recording);
    // Showing another workspace closes it (its flows were the recording's).
    w.showLive(true);
    QVERIFY(!compare->isVisible());
}

void TestAnalysisViews::comparesWithAnotherRecording()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/compare-a.jsonl")));
    w.selectEvent(w.shownWorkspace()->store().find("a-24")); // payment.failed of ord-2
    QSignalSpy ready(&w, &MainWindow::compareReady);
    w.compareWithRecording(QStringLiteral(EVENTLENS_TEST_DATA "/compare-b.jsonl"));
    QVERIFY(ready.wait(10000));
    QCOMPARE(ready.at(0).at(0).toString(), QString());
    CompareView *compare = w.compareView();
    QCOMPARE(compare->leftCorrelation(), std::string("ord-2"));
    QCOMPARE(compare->rightCorrelation(), std::string("run2-ord-2"));
    QCOMPARE(compare->differences(),
             QStringList({QStringLiteral("missing: stock.released"), QStringLiteral("extra: payment.retried ×2"),
                          QStringLiteral("slower: payment.requested → payment.failed 40 ms → 900 ms (×22.5)"),
                          QStringLiteral("duration: 130 ms → 990 ms (×7.62)")}));

    // A file that cannot be read says so, and the comparison shown stays.
    ready.clear();
    w.compareWithRecording(QStringLiteral("/nonexistent/other.jsonl"));
    QVERIFY(ready.wait(10000));
    QVERIFY2(ready.at(0).at(0).toString().contains(QStringLiteral("/nonexistent/other.jsonl")),
             qPrintable(ready.at(0).at(0).toString()));
    QCOMPARE(compare->rightCorrelation(), std::string("run2-ord-2"));
}

// The monkey test's seed 1 crashed here: a recording opened while its flows were compared
// left the compare window reading the closed recording's store (Ctrl+M again, or the window
// hiding it, then read freed memory).
void TestAnalysisViews::openingAnotherRecordingLetsGoOfTheCompared()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    w.selectEvent(w.shownWorkspace()->store().find("e-8"));
    w.compareFlows();
    CompareView *compare = w.compareView();
    QVERIFY(compare && compare->isVisible());
    QCOMPARE(compare->leftCorrelation(), std::string("c-1002"));

    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/compare-a.jsonl")));
    QVERIFY(!compare->isVisible());
    QCOMPARE(compare->leftCorrelation(), std::string()); // nothing of saga.jsonl is kept
    QCOMPARE(compare->rightCorrelation(), std::string());

    // Compare again: the new recording's flows, both sides.
    w.selectEvent(w.shownWorkspace()->store().find("a-24"));
    w.compareFlows();
    QVERIFY(compare->isVisible());
    QCOMPARE(compare->leftCorrelation(), std::string("ord-2"));
    // And closing the window with the comparison open reads nothing that has gone.
}

QTEST_MAIN(TestAnalysisViews)
#include "tst_analysisviews.moc"
