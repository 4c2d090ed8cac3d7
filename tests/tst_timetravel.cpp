// Time travel in the window, offscreen, on a real recording: moving the time cursor changes
// the table, the flow graph, the topology and the charts to the state as of the cursor; the
// flow graph grows as the cursor moves on; the bar steps from event to event and plays.
#include "core/rfc3339.h"
#include "core/timecursor.h"
#include "core/workspace.h"
#include "ui/detailspane.h"
#include "ui/eventtablemodel.h"
#include "ui/flowgraphview.h"
#include "ui/mainwindow.h"
#include "ui/sequenceview.h"
#include "ui/throughputview.h"
#include "ui/timecursorbar.h"
#include "ui/timeserieschart.h"
#include "ui/topologyview.h"
#include "windowtestsupport.h"

#include <QDockWidget>
#include <QTableView>
#include <QtTest>

using namespace eventlens;

namespace {

int64_t at(const char *time) // "10:00:01.250" on saga.jsonl's day
{
    const std::optional<int64_t> ns = parseRfc3339(std::string("2026-03-02T") + time + "Z");
    if (!ns)
        qFatal("bad time %s", time);
    return *ns;
}

/// The ids of the table's rows, "rejected" for a bad line.
QStringList rowIds(const EventTableModel &m)
{
    QStringList ids;
    for (int r = 0; r < m.rowCount(); ++r)
        ids << (m.eventAt(r) ? m.index(r, EventTableModel::Correlation).data().toString() : QStringLiteral("rejected"));
    return ids;
}

bool caughtUp(const MainWindow &w)
{
    return w.timeCursor() && w.timeCursor()->caughtUp();
}

} // namespace

class TestTimeTravel : public QObject {
    Q_OBJECT
private slots:
    void movingTheCursorShowsTheStateAsOfIt();
    void stepsAndPlayMoveTheCursorFromTheBar();
};

void TestTimeTravel::movingTheCursorShowsTheStateAsOfIt()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    TimeCursorBar *bar = w.timeCursorBar();
    QVERIFY(bar->isVisible());
    QVERIFY(!bar->isActive());
    QVERIFY(bar->positionText().startsWith(QStringLiteral("all 14 events")));
    QCOMPARE(w.tableModel()->rowCount(), 17); // 14 events, 3 bad lines

    // e-8 (payment.failed of c-1002) selected in the whole recording.
    w.selectEvent(w.recordingWorkspace()->store().find("e-8"));
    QCOMPARE(w.flowView()->nodeCount(), 6);

    // As of 10:00:01.260: e-1 … e-8 (and the copies of e-2 and e-8), the bad lines after line 14.
    QVERIFY(w.moveTimeCursor(at("10:00:01.260")));
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.shownWorkspace(), &w.timeCursor()->view());
    QCOMPARE(w.tableModel()->rowCount(), 13);
    QCOMPARE(w.tableModel()->matchedEvents().size(), size_t(10));
    QVERIFY(bar->isActive());
    QCOMPARE(bar->positionText(), QStringLiteral("as of 10:00:01.260 UTC · 10 of 14 events"));
    // The selected event is still selected, in the view's store; its flow as it stood then.
    const EventStore &view = w.shownWorkspace()->store();
    QCOMPARE(w.detailsPane()->shownEvent(), view.find("e-8"));
    QTRY_COMPARE(w.flowView()->correlationId(), QStringLiteral("c-1002"));
    QTRY_COMPARE(w.flowView()->nodeCount(), 3); // e-6, e-7, e-8
    QVERIFY(w.flowView()->nodeItem(QStringLiteral("e-9")) == nullptr);
    w.findChild<QDockWidget *>(QStringLiteral("sequenceDock"))->raise();
    QTRY_COMPARE(w.sequenceView()->markCount(), 3); // the sequence view too
    w.findChild<QDockWidget *>(QStringLiteral("flowDock"))->raise();

    // The topology and the throughput chart, as of then: nothing reacted to payment.failed yet.
    w.findChild<QDockWidget *>(QStringLiteral("topologyDock"))->raise();
    // (type pills: order.placed, inventory.reserved, payment.authorized, shipment.scheduled,
    // notification.sent, payment.failed)
    QTRY_COMPARE(w.topologyView()->typeCount(), 6);
    w.findChild<QDockWidget *>(QStringLiteral("throughputDock"))->raise();
    QTRY_VERIFY(w.throughputView()->chart()->seriesNames().contains(QStringLiteral("payment.failed")));
    QVERIFY(!w.throughputView()->chart()->seriesNames().contains(QStringLiteral("order.cancelled")));

    // On to 10:00:01.320: the flow graph grew (e-9, e-10, and e-11 stamped before e-10).
    QVERIFY(w.moveTimeCursor(at("10:00:01.320")));
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(&w.shownWorkspace()->store(), &view); // forward: the same view, grown
    QTRY_COMPARE(w.flowView()->nodeCount(), 6);
    QCOMPARE(w.tableModel()->rowCount(), 16);
    w.findChild<QDockWidget *>(QStringLiteral("sequenceDock"))->raise();
    QTRY_COMPARE(w.sequenceView()->markCount(), 6);
    w.findChild<QDockWidget *>(QStringLiteral("flowDock"))->raise();
    QTRY_VERIFY(w.throughputView()->chart()->seriesNames().contains(QStringLiteral("order.cancelled")));
    w.findChild<QDockWidget *>(QStringLiteral("topologyDock"))->raise(); // (tabbed with the chart)
    QTRY_COMPARE(w.topologyView()->typeCount(), 8);                      // and stock.released, order.cancelled

    // Back to 10:00:01.000: a fresh view; c-1002 has only its order.placed; e-8 is not there
    // yet, so it is selected again when the cursor reaches it.
    QVERIFY(w.moveTimeCursor(at("10:00:01.000")));
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.tableModel()->rowCount(), 7 + 3);
    QTRY_COMPARE(w.flowView()->nodeCount(), 1);
    QCOMPARE(w.flowView()->correlationId(), QStringLiteral("c-1002"));
    QVERIFY(w.moveTimeCursor(at("10:00:01.250")));
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.detailsPane()->shownEvent(), w.shownWorkspace()->store().find("e-8"));
    QCOMPARE(w.tableView()->currentIndex().row(), w.tableModel()->rowOfEvent(w.shownWorkspace()->store().find("e-8")));

    // Show all: the whole recording again, e-8 still selected.
    w.showWholeRecording();
    QCOMPARE(w.shownWorkspace(), w.recordingWorkspace());
    QVERIFY(w.timeCursor() == nullptr);
    QVERIFY(!bar->isActive());
    QCOMPARE(w.tableModel()->rowCount(), 17);
    QCOMPARE(w.detailsPane()->shownEvent(), w.recordingWorkspace()->store().find("e-8"));
    QCOMPARE(w.flowView()->nodeCount(), 6);
}

void TestTimeTravel::stepsAndPlayMoveTheCursorFromTheBar()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    TimeCursorBar *bar = w.timeCursorBar();

    // "Next event" from the whole recording starts at the first event.
    bar->stepForward();
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.timeCursor()->cursorNs(), at("10:00:00.000"));
    QCOMPARE(rowIds(*w.tableModel()), QStringList{"c-1001"});
    bar->stepForward();
    bar->stepForward();
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.timeCursor()->cursorNs(), at("10:00:00.046"));
    QCOMPARE(rowIds(*w.tableModel()), (QStringList{"c-1001", "c-1001", "c-1001", "rejected", "rejected", "rejected"}));
    bar->stepBack();
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.timeCursor()->cursorNs(), at("10:00:00.045"));
    QCOMPARE(w.tableModel()->rowCount(), 2);

    // The slider: its middle is 10:00:01.000 (the recording spans two seconds).
    bar->setSliderValue(TimeCursorBar::sliderSteps() / 2);
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.timeCursor()->cursorNs(), at("10:00:01.000"));
    QCOMPARE(w.tableModel()->matchedEvents().size(), size_t(7));

    // Play at ×10: two seconds of recording in about a fifth of a second, then it stops at the end.
    bar->setSpeed(10);
    bar->play();
    QVERIFY(bar->isPlaying());
    QTRY_VERIFY_WITH_TIMEOUT(!bar->isPlaying(), 5000);
    QTRY_VERIFY(caughtUp(w));
    QCOMPARE(w.timeCursor()->cursorNs(), at("10:00:02.000"));
    QCOMPARE(w.tableModel()->rowCount(), 17);
    QCOMPARE(bar->positionText(), QStringLiteral("as of 10:00:02.000 UTC · 14 of 14 events"));
}

QTEST_MAIN(TestTimeTravel)
#include "tst_timetravel.moc"
