// The EventLens window as a person uses it, offscreen: start-up, the demo on the embedded bus
// (real sockets on tcp://127.0.0.1:*), opening a recording with bad lines, selecting, filtering,
// replaying onto the bus, closing while a demo runs; and the command line.
#include "core/embeddedbus.h"
#include "core/session.h"
#include "core/textformat.h"
#include "core/workspace.h"
#include "ui/connectiondialog.h"
#include "ui/demopanel.h"
#include "ui/detailspane.h"
#include "ui/eventtablemodel.h"
#include "ui/filterbar.h"
#include "ui/flowgraphview.h"
#include "ui/graphnodeitem.h"
#include "ui/lagtimelineview.h"
#include "ui/mainwindow.h"
#include "ui/problemspane.h"
#include "ui/sequenceview.h"
#include "ui/startoptions.h"
#include "ui/throughputview.h"
#include "ui/topologyview.h"
#include "ui/uitext.h"
#include "windowtestsupport.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QXmlStreamReader>
#include <QtTest>

#include <zmq.hpp>

#include <fstream>
#include <memory>

using namespace eventlens;

namespace {

/// Rows of the table whose Type column reads `type`.
int rowsOfType(const EventTableModel &m, const QString &type)
{
    int n = 0;
    for (int r = 0; r < m.rowCount(); ++r)
        n += m.index(r, EventTableModel::Type).data().toString() == type;
    return n;
}

/// Every text a tree widget inside `w` shows (all columns, all items, expanded or not).
QStringList treeTexts(const QWidget *w)
{
    QStringList out;
    for (const QTreeWidget *tree : w->findChildren<QTreeWidget *>()) {
        std::function<void(const QTreeWidgetItem *)> walk = [&](const QTreeWidgetItem *item) {
            for (int c = 0; c < item->columnCount(); ++c)
                out << item->text(c);
            for (int i = 0; i < item->childCount(); ++i)
                walk(item->child(i));
        };
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            walk(tree->topLevelItem(i));
    }
    return out;
}

/// What a pane shows in labels and text views.
QString paneText(const QWidget *w)
{
    QStringList out;
    for (const QLabel *l : w->findChildren<QLabel *>())
        out << l->text();
    for (const QPlainTextEdit *e : w->findChildren<QPlainTextEdit *>())
        out << e->toPlainText();
    return out.join('\n');
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void startsOnAnEmptyLiveSessionWithTheBusAndAStartDemoAction();
    void demoFillsTableFlowGraphAndTopologyWithinSeconds();
    void recordingWithBadLinesShowsThemInProblemsAndTheTable();
    void selectingARowShowsItsFlowAndDetails();
    void filterGivesTheRightRows();
    void topologyAndProblemsJumpToTheirEvents();
    void replayPublishesTheRecordingOntoTheBus();
    void unreadableRecordingSaysWhy();
    void closesPromptlyWhileADemoRuns();
    void recordsTheLiveSessionToAFile();
    void recordingOntoAFullDiskStopsAtOnceAndSaysWhy();
    void connectionManagerSubscribesWithTopicFilters();
    void demoKnobsAndConsumersApplyWhileItRuns();
    void bigRecordingLoadsInTheBackgroundAndCanBeCancelled();
    void exportsWhatTheWindowShows();
    void anotherRecordingOfTheSameShapeShowsItsOwnNames();
    void busInUseIsShownNotFatal();
    void slaAndStackedAreasAreRememberedAcrossRuns();
    void altNBringsItsPaneToTheFront();
    void eventsPerSecondFallsToZeroWhenTrafficStops();
    void demoAtStartFollowsNewEventsWithNothingSelected();
    void replayIsRestampedByDefaultAndSaysWhenPaused();
    void hugeStringsShowElidedWithTheFullValueACopyAway();
    void commandLine_data();
    void commandLine();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings and recent files stay out of the user's
    QCoreApplication::setOrganizationName(QStringLiteral("EventLens-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
}

void TestMainWindow::startsOnAnEmptyLiveSessionWithTheBusAndAStartDemoAction()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(w.liveWorkspace());
    QCOMPARE(w.shownWorkspace(), w.liveWorkspace());
    QVERIFY(w.busError().isEmpty());
    QVERIFY(w.liveWorkspace()->session()->bus()->isRunning());
    // Nothing yet: the centre offers the demo instead of an empty table.
    auto *start = w.findChild<QPushButton *>(QStringLiteral("welcomeStartDemo"));
    QVERIFY(start);
    QVERIFY(start->isVisible());
    QVERIFY(!w.tableView()->isVisible());
    QTRY_VERIFY(w.statusText().contains(QStringLiteral("bus tcp://127.0.0.1:")));
    QVERIFY(w.statusText().contains(QStringLiteral("0 events")));
    QCOMPARE(w.windowTitle(), QStringLiteral("Live session — EventLens"));
}

void TestMainWindow::demoFillsTableFlowGraphAndTopologyWithinSeconds()
{
    MainWindow w(testOptions());
    // The window's own model, checked through every live batch it inserts.
    QAbstractItemModelTester tester(w.tableModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    w.show();
    auto *start = w.findChild<QPushButton *>(QStringLiteral("welcomeStartDemo"));
    QVERIFY(start);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(w.demo());
    QVERIFY(w.demo()->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(w.tableModel()->rowCount() > 30, 10000);
    QVERIFY(w.tableView()->isVisible());
    // The topology fills in by itself (it is visible in the default layout).
    QTRY_VERIFY_WITH_TIMEOUT(w.topologyView()->serviceCount() >= 4, 10000);
    QVERIFY(w.topologyView()->edgeCount() >= 4);
    // Selecting a row draws its flow and shows the event.
    w.tableView()->selectRow(0);
    const std::optional<uint32_t> first = w.tableModel()->eventAt(0);
    QVERIFY(first);
    QCOMPARE(w.detailsPane()->shownEvent(), *first);
    QTRY_VERIFY(w.flowView()->nodeCount() >= 1);
    const std::string corr(w.liveWorkspace()->store().correlationId(*first));
    QCOMPARE(w.flowView()->correlationId(), QString::fromStdString(corr));
    // The flow graph grows as its flow does (the order saga's flows take ~100 ms).
    QTRY_VERIFY_WITH_TIMEOUT(w.flowView()->nodeCount() >= 4, 10000);
    QVERIFY(w.statusText().contains(QStringLiteral("events/s")));
}

void TestMainWindow::recordingWithBadLinesShowsThemInProblemsAndTheTable()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    QVERIFY(w.recordingWorkspace());
    QCOMPARE(w.shownWorkspace(), w.recordingWorkspace());
    QCOMPARE(w.windowTitle(), QStringLiteral("saga.jsonl — EventLens"));
    // 14 events, then the three lines that were not (15, 16 and the torn 18), as rows.
    QCOMPARE(w.tableModel()->rowCount(), 17);
    for (int row : {14, 15, 16})
        QVERIFY(w.tableModel()->rejectAt(row).has_value());
    QCOMPARE(rowsOfType(*w.tableModel(), QStringLiteral("rejected")), 3);
    // Problems lists each bad line with where and why.
    QTRY_VERIFY(treeTexts(w.problemsPane()).join('\n').contains(QStringLiteral("saga.jsonl line 16")));
    const QString problems = treeTexts(w.problemsPane()).join('\n');
    QVERIFY2(problems.contains(QStringLiteral("not valid JSON")), qPrintable(problems));
    QVERIFY(problems.contains(QStringLiteral("saga.jsonl line 15")));
    QVERIFY(problems.contains(QStringLiteral("saga.jsonl line 18")));
    QVERIFY(w.statusText().contains(QStringLiteral("3 rejected")));
    // Selecting a bad line shows its bytes and reason; it has no flow.
    w.tableView()->selectRow(15);
    QVERIFY(paneText(w.detailsPane()).contains(QStringLiteral("this is not json")));
    QVERIFY(w.flowView()->nodeCount() == 0);
}

void TestMainWindow::selectingARowShowsItsFlowAndDetails()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    const EventStore &store = w.recordingWorkspace()->store();
    // e-8: payment.failed in c-1002, the saga that failed payment and compensated.
    const uint32_t e8 = store.find("e-8");
    const int row = w.tableModel()->rowOfEvent(e8);
    QVERIFY(row >= 0);
    w.tableView()->selectRow(row);
    QCOMPARE(w.detailsPane()->shownEvent(), e8);
    QCOMPARE(w.flowView()->correlationId(), QStringLiteral("c-1002"));
    QCOMPARE(w.flowView()->nodeCount(), 6); // e-6, e-7, e-8, e-9, e-10, e-11 (e-8's redelivery is a badge)
    // Clicking a node in the flow graph selects that event everywhere.
    const uint32_t e10 = store.find("e-10");
    emit w.flowView()->eventActivated(e10);
    QCOMPARE(w.detailsPane()->shownEvent(), e10);
    QCOMPARE(w.tableView()->currentIndex().row(), w.tableModel()->rowOfEvent(e10));
    // The same flow as a sequence of services (its dock is tabbed with the graph's).
    w.findChild<QDockWidget *>(QStringLiteral("sequenceDock"))->raise();
    QTRY_COMPARE(w.sequenceView()->correlationId(), QStringLiteral("c-1002"));
    QCOMPARE(w.sequenceView()->laneNames(),
             (QStringList{"order-service", "inventory-service", "payment-service", "notification-service"}));
    QCOMPARE(w.sequenceView()->markCount(), 6);
    QVERIFY(w.sequenceView()->markItem(QStringLiteral("e-10")));
    emit w.sequenceView()->eventActivated(store.find("e-9"));
    QCOMPARE(w.detailsPane()->shownEvent(), store.find("e-9"));
    // Another flow: both follow.
    w.tableView()->selectRow(w.tableModel()->rowOfEvent(store.find("e-3")));
    QTRY_COMPARE(w.sequenceView()->correlationId(), QStringLiteral("c-1001"));
    w.findChild<QDockWidget *>(QStringLiteral("flowDock"))->raise();
    QTRY_COMPARE(w.flowView()->correlationId(), QStringLiteral("c-1001"));
}

void TestMainWindow::filterGivesTheRightRows()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    w.setFilterText(QStringLiteral("source:payment-service"));
    QTRY_COMPARE(w.tableModel()->rowCount(), 3); // e-3, e-8 and its redelivery
    w.setFilterText(QStringLiteral("is:rejected"));
    QTRY_COMPARE(w.tableModel()->rowCount(), 3);
    w.setFilterText(QStringLiteral("corr:c-1002 -type:payment.*"));
    QTRY_COMPARE(w.tableModel()->rowCount(), 5); // e-6, e-7, e-9, e-10, e-11: not e-8 nor its redelivery
}

void TestMainWindow::topologyAndProblemsJumpToTheirEvents()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    const EventStore &store = w.recordingWorkspace()->store();
    // A reaction edge of the topology: inventory-service reacting to order.placed from order-service.
    emit w.topologyView()->edgeActivated(store.findSource("order-service"), store.findType("order.placed"),
                                         store.findSource("inventory-service"));
    QTRY_COMPARE(w.tableModel()->rowCount(), 3); // e-2, its collision copy and e-7
    for (int r = 0; r < 3; ++r)
        QCOMPARE(w.tableModel()->index(r, EventTableModel::Type).data().toString(),
                 QStringLiteral("inventory.reserved"));
    // A problem: the skewed reaction e-11.
    emit w.problemsPane()->eventsRequested({QStringLiteral("e-11")});
    QTRY_COMPARE(w.tableModel()->rowCount(), 1);
    QCOMPARE(w.detailsPane()->shownEvent(), store.find("e-11"));
    QCOMPARE(w.flowView()->correlationId(), QStringLiteral("c-1002"));
}

void TestMainWindow::replayPublishesTheRecordingOntoTheBus()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    // Replay: the window switches to the live session, which receives the 14 events.
    const QList<QAction *> actions = w.findChildren<QAction *>();
    QAction *replay = nullptr;
    for (QAction *a : actions)
        if (a->text() == QStringLiteral("Replay"))
            replay = a;
    QVERIFY(replay);
    QVERIFY(replay->isEnabled());
    // Unticked, restamp leaves the recorded timestamps as they are.
    auto *restamp = w.findChild<QCheckBox *>(QStringLiteral("replayRestamp"));
    QVERIFY(restamp);
    restamp->setChecked(false);
    replay->trigger();
    QCOMPARE(w.shownWorkspace(), w.liveWorkspace());
    QTRY_COMPARE_WITH_TIMEOUT(w.liveWorkspace()->store().size(), size_t(14), 10000);
    QCOMPARE(w.liveWorkspace()->store().find("e-8") != EventStore::kNone, true);
    const EventStore &live = w.liveWorkspace()->store();
    QCOMPARE(live.record(live.find("e-8")).timestampNs,
             w.recordingWorkspace()->store().record(w.recordingWorkspace()->store().find("e-8")).timestampNs);
    QTRY_COMPARE(w.tableModel()->rowCount(), 14);
}

void TestMainWindow::unreadableRecordingSaysWhy()
{
    MainWindow w(testOptions());
    w.show();
    QSignalSpy opened(&w, &MainWindow::recordingOpened);
    w.openRecording(QStringLiteral("/nonexistent/missing.jsonl"));
    QVERIFY(opened.count() || opened.wait(10000));
    QVERIFY(opened.at(0).at(1).toString().contains(QStringLiteral("/nonexistent/missing.jsonl")));
    QCOMPARE(w.shownWorkspace(), w.liveWorkspace()); // nothing changed
}

void TestMainWindow::closesPromptlyWhileADemoRuns()
{
    auto w = std::make_unique<MainWindow>(testOptions());
    w->show();
    QVERIFY(w->startDemo(DemoSystem::Scenario::Logistics));
    QTRY_VERIFY_WITH_TIMEOUT(w->tableModel()->rowCount() > 10, 10000);
    QElapsedTimer t;
    t.start();
    QVERIFY(w->close());
    w.reset();
    QVERIFY2(t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
}

void TestMainWindow::recordsTheLiveSessionToAFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("session.jsonl"));
    MainWindow w(testOptions());
    w.show();
    QVERIFY(w.startDemo(DemoSystem::Scenario::OrderSaga));
    QTRY_VERIFY_WITH_TIMEOUT(w.liveWorkspace()->store().size() > 10, 10000);
    QVERIFY(w.startRecording(path));
    QVERIFY(w.statusText().contains(QStringLiteral("REC session.jsonl")));
    const size_t from = w.liveWorkspace()->store().size();
    QTRY_VERIFY_WITH_TIMEOUT(w.liveWorkspace()->store().size() > from + 150, 15000);
    w.stopDemo();
    const QString message = w.stopRecording();
    QVERIFY2(message.startsWith(QStringLiteral("Recorded ")), qPrintable(message));
    QVERIFY(!w.statusText().contains(QStringLiteral("REC")));
    // The file holds whole events, as many as the message says, and opens again.
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.last(), QByteArray()); // ends in a newline
    const qsizetype events = lines.size() - 1;
    QVERIFY(events > 50);
    QVERIFY2(message.contains(grouped(uint64_t(events))), qPrintable(message));
    QVERIFY(openAndWait(w, path));
    QCOMPARE(qsizetype(w.recordingWorkspace()->store().size()), events);
    QCOMPARE(w.recordingWorkspace()->rejectedTotal(), uint64_t(0));
}

void TestMainWindow::recordingOntoAFullDiskStopsAtOnceAndSaysWhy()
{
    // /dev/full fails every write with ENOSPC, like a full disk.
    MainWindow w(testOptions());
    w.show();
    QVERIFY(w.startDemo(DemoSystem::Scenario::OrderSaga));
    QTRY_VERIFY_WITH_TIMEOUT(w.liveWorkspace()->store().size() > 10, 10000);
    QVERIFY(w.startRecording(QStringLiteral("/dev/full")));
    QVERIFY(w.statusText().contains(QStringLiteral("REC full")));
    // Stops within moments (the first write out), while the demo runs on: the status bar
    // says so and why, and the session keeps receiving.
    QTRY_VERIFY_WITH_TIMEOUT(w.statusText().contains(QStringLiteral("REC stopped: full not written")), 5000);
    QVERIFY2(
        w.statusBar()->currentMessage().contains(QStringLiteral("cannot write '/dev/full': No space left on device")),
        qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(!w.liveWorkspace()->session()->isRecording());
    const size_t from = w.liveWorkspace()->store().size();
    QTRY_VERIFY_WITH_TIMEOUT(w.liveWorkspace()->store().size() > from + 20, 15000);
    QVERIFY(w.stopRecording().isEmpty()); // nothing left to stop
    QVERIFY(w.statusText().contains(QStringLiteral("REC stopped")));
}

void TestMainWindow::connectionManagerSubscribesWithTopicFilters()
{
    StartOptions o = testOptions();
    o.bus = false; // only what the endpoint sends
    MainWindow w(o);
    w.show();
    zmq::context_t ctx;
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.bind("tcp://127.0.0.1:*");
    ZmqSource::Endpoint e;
    e.address = pub.get(zmq::sockopt::last_endpoint);
    e.topics = {"order."};
    w.connectionDialog()->addEndpoint(e);
    // Publish until the subscription has arrived (the slow joiner), then check what came in.
    int n = 0;
    auto publish = [&](const std::string &topic, const std::string &type) {
        const std::string json =
            "{\"eventId\":\"x-" + std::to_string(n++) + "\",\"eventType\":\"" + type
            + "\",\"timestamp\":\"2026-11-26T10:00:00Z\",\"source\":\"s\",\"correlationId\":\"c\"}";
        pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
        pub.send(zmq::buffer(json));
    };
    QTRY_VERIFY_WITH_TIMEOUT((publish("order.placed", "order.placed"), publish("payment.failed", "payment.failed"),
                              w.liveWorkspace()->store().size() >= 3),
                             10000);
    const EventStore &store = w.liveWorkspace()->store();
    QCOMPARE(store.ofType(store.findType("payment.failed")).size(), size_t(0)); // filtered out by topic
    QTRY_VERIFY(w.tableModel()->rowCount() >= 3);
    // The dialog shows the endpoint and its state as the socket monitor reports it.
    w.connectionDialog()->refresh();
    const QString rows = treeTexts(w.connectionDialog()).join('|');
    QVERIFY2(rows.contains(QString::fromStdString(e.address)) && rows.contains(QStringLiteral("connected"))
                 && rows.contains(QStringLiteral("order.")),
             qPrintable(rows));
    w.connectionDialog()->removeEndpoint(QString::fromStdString(e.address));
    QVERIFY(w.connectionDialog()->endpoints().empty());
}

void TestMainWindow::demoKnobsAndConsumersApplyWhileItRuns()
{
    MainWindow w(testOptions());
    w.show();
    QVERIFY(w.startDemo(DemoSystem::Scenario::OrderSaga));
    auto *rate = w.demoPanel()->findChild<QDoubleSpinBox *>(QStringLiteral("demoRate"));
    auto *failures = w.demoPanel()->findChild<QDoubleSpinBox *>(QStringLiteral("demoFailures"));
    QVERIFY(rate && failures);
    failures->setValue(100);
    QCOMPARE(w.demo()->knobs().failureRate, 1.0);
    rate->setValue(50);
    QCOMPARE(w.demo()->knobs().rate, 50.0);
    // Tick an optional consumer: it joins while the demo runs, and its reactions arrive.
    auto *services = w.demoPanel()->findChild<QTreeWidget *>(QStringLiteral("demoServices"));
    QVERIFY(services);
    QTreeWidgetItem *fraud = nullptr;
    for (int i = 0; i < services->topLevelItemCount(); ++i)
        if (services->topLevelItem(i)->data(0, Qt::UserRole).toString() == QStringLiteral("fraud-service"))
            fraud = services->topLevelItem(i);
    QVERIFY(fraud);
    QCOMPARE(fraud->checkState(0), Qt::Unchecked);
    fraud->setCheckState(0, Qt::Checked);
    bool running = false;
    for (const DemoSystem::ServiceInfo &s : w.demo()->services())
        running |= s.name == "fraud-service" && s.running;
    QVERIFY(running);
    const EventStore &store = w.liveWorkspace()->store();
    QTRY_VERIFY_WITH_TIMEOUT(store.ofSource(store.findSource("fraud-service")).size() > 0, 10000);
    // All flows fail now: cancellations keep coming.
    QTRY_VERIFY_WITH_TIMEOUT(store.ofType(store.findType("order.cancelled")).size() > 5, 10000);
    rate->setValue(0);
    QCOMPARE(w.demo()->knobs().rate, 0.0);
}

void TestMainWindow::bigRecordingLoadsInTheBackgroundAndCanBeCancelled()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.jsonl"));
    {
        std::ofstream out(path.toStdString());
        for (int i = 0; i < 600'000; ++i)
            out << "{\"eventId\":\"e-" << i
                << "\",\"eventType\":\"order.placed\",\"timestamp\":\"2026-11-26T10:00:00Z\","
                << "\"source\":\"orders\",\"correlationId\":\"c-" << i / 4 << "\",\"data\":{\"n\":" << i << "}}\n";
    }
    MainWindow w(testOptions());
    w.show();
    QSignalSpy opened(&w, &MainWindow::recordingOpened);
    w.openRecording(path);
    QVERIFY(w.isLoading());
    auto *progress = w.findChild<QProgressBar *>();
    QVERIFY(progress && progress->isVisible());
    // The window keeps handling events meanwhile: a timer fires on time.
    QElapsedTimer t;
    t.start();
    int ticks = 0;
    QTimer timer;
    connect(&timer, &QTimer::timeout, [&] { ++ticks; });
    timer.start(10);
    QTRY_VERIFY(ticks >= 3);
    QVERIFY(w.isLoading()); // still loading: 600 000 lines take longer than that
    // Cancel (the Cancel button beside the progress bar).
    QToolButton *cancel = nullptr;
    for (QToolButton *b : w.findChildren<QToolButton *>())
        if (b->text() == QStringLiteral("Cancel"))
            cancel = b;
    QVERIFY(cancel && cancel->isVisible());
    cancel->click();
    QVERIFY(opened.count() || opened.wait(10000));
    QCOMPARE(opened.at(0).at(1).toString(), QStringLiteral("cancelled"));
    QVERIFY(!w.isLoading());
    QVERIFY(!progress->isVisible());
    QCOMPARE(w.shownWorkspace(), w.liveWorkspace());
    QVERIFY(!w.recordingWorkspace());
    // Loaded to the end, it shows.
    opened.clear();
    w.openRecording(path);
    QVERIFY(opened.wait(60000));
    QCOMPARE(opened.at(0).at(1).toString(), QString());
    QCOMPARE(w.recordingWorkspace()->store().size(), size_t(600'000));
    QCOMPARE(w.tableModel()->rowCount(), 600'000);
}

void TestMainWindow::exportsWhatTheWindowShows()
{
    MainWindow w(testOptions());
    w.show();
    QTemporaryDir dir;
    QString error;
    // An empty live session: no flow to export, and the message says so.
    QVERIFY(!w.exportTo(MainWindow::Export::FlowDot, dir.filePath(QStringLiteral("none.dot")), error));
    QCOMPARE(error, QStringLiteral("Select an event of a flow first."));
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    // The table as filtered.
    w.setFilterText(QStringLiteral("corr:c-1002"));
    QTRY_COMPARE(w.tableModel()->rowCount(), 7);
    const QString jsonl = dir.filePath(QStringLiteral("rows.jsonl")), csv = dir.filePath(QStringLiteral("rows.csv"));
    QVERIFY2(w.exportTo(MainWindow::Export::TableJsonl, jsonl, error), qPrintable(error));
    QVERIFY2(w.exportTo(MainWindow::Export::TableCsv, csv, error), qPrintable(error));
    QFile j(jsonl), c(csv);
    QVERIFY(j.open(QIODevice::ReadOnly) && c.open(QIODevice::ReadOnly));
    QCOMPARE(j.readAll().count('\n'), 7);
    QCOMPARE(c.readAll().count('\n'), 8); // the header and seven rows
    // The selected flow, as .dot and as a picture; the topology as a picture.
    w.selectEvent(w.recordingWorkspace()->store().find("e-8"));
    const QString dot = dir.filePath(QStringLiteral("flow.dot")), flowPng = dir.filePath(QStringLiteral("flow.png")),
                  topologyPng = dir.filePath(QStringLiteral("topology.png"));
    QVERIFY2(w.exportTo(MainWindow::Export::FlowDot, dot, error), qPrintable(error));
    QFile d(dot);
    QVERIFY(d.open(QIODevice::ReadOnly));
    const QByteArray dotText = d.readAll();
    QVERIFY(dotText.startsWith("digraph flow {"));
    QVERIFY(dotText.contains("correlation c-1002"));
    QVERIFY2(w.exportTo(MainWindow::Export::FlowImage, flowPng, error), qPrintable(error));
    QVERIFY2(w.exportTo(MainWindow::Export::TopologyImage, topologyPng, error), qPrintable(error));
    const QString throughputPng = dir.filePath(QStringLiteral("throughput.png"));
    QVERIFY2(w.exportTo(MainWindow::Export::ThroughputImage, throughputPng, error), qPrintable(error));
    const QImage flowImage(flowPng), topologyImage(topologyPng), throughputImage(throughputPng);
    QVERIFY(flowImage.width() > 200 && flowImage.height() > 200);
    QVERIFY(topologyImage.width() > 200);
    QVERIFY(throughputImage.width() >= 1600 && throughputImage.height() >= 600);
    // Each image says what it shows and when (issue 12, defect 6: exported PNGs had no title).
    QVERIFY2(flowImage.text(QStringLiteral("Title")).startsWith(QStringLiteral("Flow c-1002")),
             qPrintable(flowImage.text(QStringLiteral("Title"))));
    const QString throughputTitle = throughputImage.text(QStringLiteral("Title"));
    QVERIFY2(throughputTitle.startsWith(QStringLiteral("Throughput of saga.jsonl — events/s per event type"))
                 && throughputTitle.contains(QStringLiteral("2026-03-02 "))
                 && throughputTitle.endsWith(QStringLiteral(" UTC")),
             qPrintable(throughputTitle));
    // As SVG: XML whose text holds the flow's event types and the lags on its edges.
    const QString flowSvg = dir.filePath(QStringLiteral("flow.svg")),
                  topologySvg = dir.filePath(QStringLiteral("topology.svg"));
    QVERIFY2(w.exportTo(MainWindow::Export::FlowImage, flowSvg, error), qPrintable(error));
    QVERIFY2(w.exportTo(MainWindow::Export::TopologyImage, topologySvg, error), qPrintable(error));
    const QString sequenceSvg = dir.filePath(QStringLiteral("sequence.svg"));
    QVERIFY2(w.exportTo(MainWindow::Export::SequenceImage, sequenceSvg, error), qPrintable(error));
    for (const QString &path : {flowSvg, topologySvg, sequenceSvg}) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&f);
        QStringList texts;
        bool inText = false;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == QLatin1String("text"))
                inText = true;
            else if (xml.isEndElement() && xml.name() == QLatin1String("text"))
                inText = false;
            else if (inText && xml.isCharacters())
                texts << xml.text().toString().trimmed();
        }
        QVERIFY2(!xml.hasError(), qPrintable(path + QStringLiteral(": ") + xml.errorString()));
        QVERIFY2(texts.contains(QStringLiteral("payment.failed")), qPrintable(texts.join(QLatin1Char('|'))));
        if (path != topologySvg)
            QVERIFY2(texts.contains(QStringLiteral("order.cancelled")), qPrintable(texts.join(QLatin1Char('|'))));
    }
    QVERIFY(!w.exportTo(MainWindow::Export::FlowImage, QStringLiteral("/nonexistent/dir/flow.svg"), error));
    QVERIFY2(error.contains(QStringLiteral("/nonexistent/dir/flow.svg")), qPrintable(error));
    QVERIFY(!w.exportTo(MainWindow::Export::TableCsv, QStringLiteral("/nonexistent/dir/x.csv"), error));
    QVERIFY2(error.contains(QStringLiteral("/nonexistent/dir/x.csv")), qPrintable(error));
}

void TestMainWindow::anotherRecordingOfTheSameShapeShowsItsOwnNames()
{
    // Two recordings whose services and types get the same numbers in their stores.
    QTemporaryDir dir;
    auto write = [&](const QString &name, const std::string &producer, const std::string &type,
                     const std::string &consumer) {
        const QString path = dir.filePath(name);
        std::ofstream out(path.toStdString());
        out << "{\"eventId\":\"a\",\"eventType\":\"" << type << "\",\"timestamp\":\"2026-11-26T10:00:00Z\","
            << "\"source\":\"" << producer << "\",\"correlationId\":\"c\"}\n"
            << "{\"eventId\":\"b\",\"eventType\":\"" << type << ".seen\",\"timestamp\":\"2026-11-26T10:00:01Z\","
            << "\"source\":\"" << consumer << "\",\"correlationId\":\"c\",\"causationId\":\"a\"}\n";
        return path;
    };
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, write(QStringLiteral("one.jsonl"), "alpha", "x.happened", "beta")));
    QVERIFY(w.topologyView()->waitForLayout());
    QTRY_VERIFY(w.topologyView()->serviceItem(0));
    QCOMPARE(w.topologyView()->serviceItem(0)->text(), QStringLiteral("alpha"));
    QVERIFY(openAndWait(w, write(QStringLiteral("two.jsonl"), "gamma", "y.happened", "delta")));
    QTRY_VERIFY(w.topologyView()->serviceItem(0) && w.topologyView()->waitForLayout());
    QCOMPARE(w.topologyView()->serviceItem(0)->text(), QStringLiteral("gamma"));
}

void TestMainWindow::busInUseIsShownNotFatal()
{
    MainWindow first(testOptions());
    const EmbeddedBus *bus = first.liveWorkspace()->session()->bus();
    StartOptions o = testOptions();
    o.busOptions.publishers = bus->publishersEndpoint(); // taken
    MainWindow second(o);
    second.show();
    QVERIFY(second.busError().contains(QStringLiteral("Address already in use")));
    QTRY_VERIFY(second.statusText().contains(QStringLiteral("bus failed")));
    QVERIFY(!second.startDemo(DemoSystem::Scenario::OrderSaga)); // says why, does not crash
    // A recording still opens.
    QVERIFY(openAndWait(second, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
}

void TestMainWindow::slaAndStackedAreasAreRememberedAcrossRuns()
{
    StartOptions o = testOptions();
    o.restoreLayout = true; // what a person's start does (the settings are the test's own)
    {
        MainWindow w(o);
        w.show();
        w.lagView()->setSlaMs(321);
        w.throughputView()->setStacked(true);
        w.close();
    }
    MainWindow w(o);
    QCOMPARE(w.lagView()->slaMs(), 321.0);
    QVERIFY(w.throughputView()->isStacked());
    w.lagView()->setSlaMs(LagTimelineView::kDefaultSlaMs);
    w.throughputView()->setStacked(false);
    w.close(); // leaves the defaults for the tests that follow
}

void TestMainWindow::altNBringsItsPaneToTheFront()
{
    // Issue 12, defect 3: Alt+6, Alt+7 and Alt+8 closed the pane they name (each starts tabbed
    // behind another). Real key presses on the window, for every Alt+N.
    MainWindow w(testOptions());
    w.resize(1400, 900);
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    const std::vector<std::pair<Qt::Key, QString>> panes{
        {Qt::Key_1, QStringLiteral("flowDock")},     {Qt::Key_2, QStringLiteral("detailsDock")},
        {Qt::Key_3, QStringLiteral("topologyDock")}, {Qt::Key_4, QStringLiteral("problemsDock")},
        {Qt::Key_5, QStringLiteral("demoDock")},     {Qt::Key_6, QStringLiteral("throughputDock")},
        {Qt::Key_7, QStringLiteral("sequenceDock")}, {Qt::Key_8, QStringLiteral("lagDock")}};
    auto inFront = [](const QDockWidget *d) { return d->isVisible() && !d->visibleRegion().isEmpty(); };
    // As the window starts: throughput, sequence and lag are tabbed behind another pane, the
    // demo pane is closed.
    for (const char *behind : {"throughputDock", "sequenceDock", "lagDock", "demoDock"}) {
        auto *d = w.findChild<QDockWidget *>(QLatin1String(behind));
        QVERIFY(d);
        QVERIFY2(!inFront(d), behind);
    }
    for (const auto &[key, name] : panes) {
        auto *d = w.findChild<QDockWidget *>(name);
        QVERIFY(d);
        if (!inFront(d)) {
            QTest::keyClick(&w, key, Qt::AltModifier);
            QTRY_VERIFY2(inFront(d), qPrintable(name + QStringLiteral(": not brought to the front")));
        }
        // Again, on the pane in front: it closes; once more: it is back in front.
        QTest::keyClick(&w, key, Qt::AltModifier);
        QTRY_VERIFY2(d->isHidden(), qPrintable(name + QStringLiteral(": not closed")));
        QTest::keyClick(&w, key, Qt::AltModifier);
        QTRY_VERIFY2(inFront(d), qPrintable(name + QStringLiteral(": not back in front")));
    }
    // A pane tabbed behind the one in front comes to the front, and the other goes behind.
    auto *throughput = w.findChild<QDockWidget *>(QStringLiteral("throughputDock"));
    auto *lag = w.findChild<QDockWidget *>(QStringLiteral("lagDock"));
    QTest::keyClick(&w, Qt::Key_6, Qt::AltModifier);
    QTRY_VERIFY(inFront(throughput));
    if (w.tabifiedDockWidgets(throughput).contains(lag))
        QTRY_VERIFY(!inFront(lag));
    QTest::keyClick(&w, Qt::Key_8, Qt::AltModifier);
    QTRY_VERIFY(inFront(lag));
    QVERIFY(!lag->isHidden() && !throughput->isHidden()); // raising one closes none
}

void TestMainWindow::eventsPerSecondFallsToZeroWhenTrafficStops()
{
    // Issue 12, defect 4: the status bar's events/s froze at the last rate seen when traffic
    // stopped. A real publisher on the window's embedded bus (127.0.0.1), then silence.
    MainWindow w(testOptions());
    w.show();
    const EmbeddedBus *bus = w.liveWorkspace()->session()->bus();
    QVERIFY(bus && bus->isRunning());
    zmq::context_t ctx;
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.connect(bus->publishersEndpoint());
    int n = 0;
    auto publish = [&] {
        for (int k = 0; k < 20; ++k) {
            const std::string json = "{\"eventId\":\"r-" + std::to_string(n++)
                                     + "\",\"eventType\":\"tick\",\"timestamp\":\"2026-11-26T10:00:00Z\","
                                       "\"source\":\"s\",\"correlationId\":\"c\"}";
            pub.send(zmq::buffer(json));
        }
        return true;
    };
    // What the status bar says events/s is.
    auto rate = [&]() -> qint64 {
        for (QString part : w.statusText().split(QStringLiteral(" | ")))
            if (part.endsWith(QStringLiteral(" events/s")))
                return part.chopped(9).remove(QChar(' ')).remove(QChar(0x202f)).remove(QChar(0xa0)).toLongLong();
        return -1;
    };
    // Traffic (20 events every ~50 ms) until the status bar shows a rate.
    QTRY_VERIFY_WITH_TIMEOUT((publish(), QTest::qWait(50), rate() > 0), 10000);
    // The publisher stops: silence starts (the first batches may have gone before the
    // subscription reached the publisher, the slow joiner: nothing more is coming either way).
    QElapsedTimer silence;
    silence.start();
    QTRY_COMPARE_WITH_TIMEOUT(rate(), qint64(0), 2000);
    QVERIFY2(silence.elapsed() <= 2000, qPrintable(QString::number(silence.elapsed())));
    QVERIFY(w.statusText().contains(QStringLiteral("0 events/s")));
}

void TestMainWindow::demoAtStartFollowsNewEventsWithNothingSelected()
{
    // Issue 12, defect 6: `eventlens --demo order-saga` selected the first event as the table
    // appeared (the table took the focus), which paused following: the table stood still.
    StartOptions o = testOptions();
    o.demo = DemoSystem::Scenario::OrderSaga;
    MainWindow w(o);
    w.resize(1400, 900);
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QTRY_VERIFY_WITH_TIMEOUT(w.tableModel()->rowCount() > 80, 15000);
    QAction *follow = nullptr;
    for (QAction *a : w.findChildren<QAction *>())
        if (a->text() == QStringLiteral("&Follow new events"))
            follow = a;
    QVERIFY(follow);
    QVERIFY(follow->isChecked());
    QCOMPARE(w.detailsPane()->shownEvent(), EventStore::kNone);
    QVERIFY(!w.tableView()->selectionModel()->hasSelection());
    // The table keeps the newest rows in view as they arrive.
    QScrollBar *bar = w.tableView()->verticalScrollBar();
    const int before = bar->maximum();
    QTRY_VERIFY_WITH_TIMEOUT(bar->maximum() > before && bar->value() == bar->maximum(), 10000);
    // A person's click still selects (and pauses following).
    const QRect row = w.tableView()->visualRect(w.tableModel()->index(bar->value() + 1, 1));
    QTest::mouseClick(w.tableView()->viewport(), Qt::LeftButton, {}, row.center());
    QTRY_VERIFY(w.detailsPane()->shownEvent() != EventStore::kNone);
    QVERIFY(!follow->isChecked());
}

void TestMainWindow::replayIsRestampedByDefaultAndSaysWhenPaused()
{
    // Issue 12, defect 6: replaying an old recording into the live session mixed its old
    // timestamps with the new ones, with no option in the window; the status bar said "Live ·
    // replaying" while the replay was paused.
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl")));
    auto *restamp = w.findChild<QCheckBox *>(QStringLiteral("replayRestamp"));
    QVERIFY(restamp);
    QVERIFY(restamp->isChecked()); // on by default: the replay goes into the live session
    QVERIFY(restamp->isEnabled());
    QVERIFY(restamp->toolTip().contains(QStringLiteral("live session")));
    QAction *replay = nullptr;
    for (QAction *a : w.findChildren<QAction *>())
        if (a->text() == QStringLiteral("Replay"))
            replay = a;
    QVERIFY(replay);
    const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
    replay->trigger();
    QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("restamped")),
             qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(!restamp->isEnabled()); // for the next replay
    replay->trigger();              // pause
    QTRY_VERIFY2(w.statusText().contains(QStringLiteral("Live · replay paused")), qPrintable(w.statusText()));
    QVERIFY(!w.statusText().contains(QStringLiteral("replaying")));
    replay->trigger(); // resume
    QTRY_VERIFY(w.statusText().contains(QStringLiteral("Live · replaying")) || w.liveWorkspace()->store().size() == 14);
    QTRY_COMPARE_WITH_TIMEOUT(w.liveWorkspace()->store().size(), size_t(14), 10000);
    // Every event arrived stamped with the time it was replayed, not March's.
    const EventStore &store = w.liveWorkspace()->store();
    const qint64 endMs = QDateTime::currentMSecsSinceEpoch();
    for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i) {
        const qint64 ms = store.record(i).timestampNs / 1'000'000;
        QVERIFY2(ms >= startedMs - 1000 && ms <= endMs + 1000, store.eventId(i).data());
    }
}

void TestMainWindow::commandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("endpoints"); // "address|topic,topic"
    QTest::addColumn<QString>("demo");
    QTest::addColumn<bool>("bus");
    QTest::addColumn<QString>("error");

    QTest::newRow("nothing") << QStringList{} << QString() << QStringList{} << QString() << true << QString();
    QTest::newRow("file") << QStringList{"orders.jsonl"} << "orders.jsonl" << QStringList{} << QString() << true
                          << QString();
    QTest::newRow("connect with topics") << QStringList{"--connect", "tcp://127.0.0.1:6000",
                                                        "--topic",   "order.",
                                                        "--topic",   "payment.",
                                                        "--connect", "tcp://127.0.0.1:6001"}
                                         << QString()
                                         << QStringList{"tcp://127.0.0.1:6000|order.,payment.", "tcp://127.0.0.1:6001|"}
                                         << QString() << true << QString();
    QTest::newRow("topics before connect apply to all")
        << QStringList{"--topic", "order.", "--connect", "tcp://a:1", "--connect", "tcp://b:2", "--topic", "x"}
        << QString() << QStringList{"tcp://a:1|order.", "tcp://b:2|x"} << QString() << true << QString();
    QTest::newRow("demo") << QStringList{"--demo", "logistics"} << QString() << QStringList{} << "logistics" << true
                          << QString();
    QTest::newRow("no bus") << QStringList{"--no-bus"} << QString() << QStringList{} << QString() << false << QString();
    QTest::newRow("bad demo") << QStringList{"--demo", "banking"} << QString() << QStringList{} << QString() << true
                              << "--demo: unknown scenario 'banking' (order-saga or logistics)";
    QTest::newRow("missing value") << QStringList{"--connect"} << QString() << QStringList{} << QString() << true
                                   << "--connect needs a value";
    QTest::newRow("unknown option") << QStringList{"--colour"} << QString() << QStringList{} << QString() << true
                                    << "unknown option '--colour'";
    QTest::newRow("two files") << QStringList{"a.jsonl", "b.jsonl"} << "a.jsonl" << QStringList{} << QString() << true
                               << "one recording at a time: 'a.jsonl' and 'b.jsonl'";
}

void TestMainWindow::commandLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, file);
    QFETCH(QStringList, endpoints);
    QFETCH(QString, demo);
    QFETCH(bool, bus);
    QFETCH(QString, error);
    const StartRequest r = parseStartOptions(args);
    QCOMPARE(r.error, error);
    if (!error.isEmpty())
        return;
    QCOMPARE(r.options.file, file);
    QStringList got;
    for (const ZmqSource::Endpoint &e : r.options.connect) {
        QStringList topics;
        for (const std::string &t : e.topics)
            topics << QString::fromStdString(t);
        got << QString::fromStdString(e.address) + '|' + topics.join(',');
    }
    QCOMPARE(got, endpoints);
    QCOMPARE(r.options.demo ? QString::fromLatin1(DemoSystem::scenarioName(*r.options.demo)) : QString(), demo);
    QCOMPARE(r.options.bus, bus);
}

void TestMainWindow::hugeStringsShowElidedWithTheFullValueACopyAway()
{
    // Legal but huge strings (the event limit is 16 MiB): a 12 MiB source, a 15 MiB string in
    // data. Laid out whole in a label, a cell or a node, either froze the window for minutes.
    QTemporaryDir dir;
    const QString path = dir.filePath("huge.jsonl");
    const std::string source = "svc-" + std::string(12u << 20, 'x');
    const std::string blob(15u << 20, 'y');
    {
        std::ofstream f(path.toStdString(), std::ios::binary);
        f << R"({"eventId":"e1","eventType":"order.placed","timestamp":"2026-03-02T10:00:00Z","source":"shop",)"
          << R"("correlationId":"c1"})" << '\n'
          << R"({"eventId":"e2","eventType":"order.seen","timestamp":"2026-03-02T10:00:01Z","source":")" << source
          << R"(","correlationId":"c1","causationId":"e1"})" << '\n'
          << R"({"eventId":"e3","eventType":"blob.stored","timestamp":"2026-03-02T10:00:02Z","source":"shop",)"
          << R"("correlationId":"c1","causationId":"e1","data":{"blob":")" << blob << R"("}})" << '\n';
    }
    QElapsedTimer took;
    took.start();
    MainWindow w(testOptions());
    w.show();
    QVERIFY(openAndWait(w, path));
    const EventStore &store = w.recordingWorkspace()->store();
    QCOMPARE(store.size(), size_t(3));
    const uint32_t e2 = store.find("e2");
    w.tableView()->selectRow(w.tableModel()->rowOfEvent(e2));
    QCOMPARE(w.detailsPane()->shownEvent(), e2);
    const QString shownSource = w.detailsPane()->findChild<QLabel *>(QStringLiteral("source"))->text();
    QVERIFY2(shownSource.size() < 400, qPrintable(QString::number(shownSource.size())));
    QVERIFY(shownSource.startsWith(QStringLiteral("svc-xxxx")));
    QVERIFY2(shownSource.endsWith(QStringLiteral("\u2026 (12.6 MB)")), qPrintable(shownSource.right(20)));
    // The views refresh with it: the flow graph, the service map.
    QTRY_COMPARE(w.flowView()->nodeCount(), 3);
    w.findChild<QDockWidget *>(QStringLiteral("topologyDock"))->raise();
    QTRY_VERIFY(w.topologyView()->serviceCount() == 2 && !w.topologyView()->isLayingOut());
    // The Lag view's consumer choice: elided in the combo, the whole name kept for the lookup.
    w.findChild<QDockWidget *>(QStringLiteral("lagDock"))->raise();
    QTRY_VERIFY(w.lagView()->consumers().contains(QString::fromStdString(source)));
    for (const QComboBox *combo : w.lagView()->findChildren<QComboBox *>())
        for (int i = 0; i < combo->count(); ++i)
            QVERIFY2(combo->itemText(i).size() < 400, qPrintable(QString::number(combo->itemText(i).size())));
    // The whole value is a click away.
    w.detailsPane()->findChild<QAction *>(QStringLiteral("copyEvent"))->trigger();
    QVERIFY(QGuiApplication::clipboard()->text().contains(QString::fromStdString(source)));

    const uint32_t e3 = store.find("e3");
    w.tableView()->selectRow(w.tableModel()->rowOfEvent(e3));
    QCOMPARE(w.detailsPane()->shownEvent(), e3);
    QVERIFY2(paneText(w.detailsPane()).size() < 2u << 20,
             qPrintable(QString::number(paneText(w.detailsPane()).size())));
    w.detailsPane()->findChild<QAction *>(QStringLiteral("copyEvent"))->trigger();
    QVERIFY(QGuiApplication::clipboard()->text().contains(QString::fromStdString(blob)));
    QVERIFY2(took.elapsed() < 20000, qPrintable(QString::number(took.elapsed())));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
