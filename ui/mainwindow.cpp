#include "ui/mainwindow.h"

#include "core/eventfilter.h"
#include "core/exports.h"
#include "core/flowcompare.h"
#include "core/flowgraph.h"
#include "core/textformat.h"
#include "core/timecursor.h"
#include "core/workspace.h"
#include "core/workspaceload.h"
#include "ui/compareview.h"
#include "ui/connectiondialog.h"
#include "ui/demopanel.h"
#include "ui/detailspane.h"
#include "ui/eventtablemodel.h"
#include "ui/filterbar.h"
#include "ui/flowgraphview.h"
#include "ui/lagtimelineview.h"
#include "ui/problemspane.h"
#include "ui/replaycontrols.h"
#include "ui/sequenceview.h"
#include "ui/sessionstatus.h"
#include "ui/throughputview.h"
#include "ui/timecursorbar.h"
#include "ui/timeserieschart.h"
#include "ui/topologyview.h"
#include "ui/uitext.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSlider>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace eventlens {

namespace {

constexpr int kTickMs = 33;                                ///< ≤ 30 Hz: polls the live session, repaints what changed
constexpr auto kPollBudget = std::chrono::milliseconds(6); ///< appending and analysing per tick, about
constexpr int kMaxRecent = 10;

/// Minimum time between two refreshes of a view while data keeps arriving (ms).
constexpr qint64 kRefreshEvery[] = {0, 250, 500, 500, 250, 500, 500};

} // namespace

MainWindow::MainWindow(const StartOptions &options, QWidget *parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    for (QElapsedTimer &t : m_lastRefresh)
        t.start();

    buildViews();
    buildActions();
    buildStatusBar();

    QSettings settings;
    const QSize available = screen() ? screen()->availableGeometry().size() : QSize(1600, 1000);
    resize(std::min(1600, available.width() * 9 / 10), std::min(1000, available.height() * 9 / 10));
    if (options.restoreLayout) {
        restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
        // The choices a person makes once and expects to find again.
        if (settings.contains(QStringLiteral("lag/slaMs"))) // else chosen from the data
            m_lag->setSlaMs(settings.value(QStringLiteral("lag/slaMs")).toDouble());
        m_throughput->setStacked(settings.value(QStringLiteral("throughput/stacked"), false).toBool());
    }
    rebuildRecentMenu();

    startLive(options);
    if (!options.file.isEmpty())
        openRecording(options.file);
    if (options.demo)
        startDemo(*options.demo);

    connect(&m_tick, &QTimer::timeout, this, &MainWindow::tick);
    m_tick.start(kTickMs);
}

MainWindow::~MainWindow()
{
    m_tick.stop();
    // Everything that reads a store stops before the store goes: the compare window reads
    // the compared workspace, the replayer the recording, the demo publishes onto the live bus.
    if (m_compare)
        m_compare->clear();
    m_load.reset();
    m_replay->setRecording(nullptr);
    m_demo.reset();
    m_model->setSource(nullptr, nullptr);
    m_live.reset();
    m_cursor.reset(); // reads the recording
    m_compareLoad.reset();
    m_compareOther.reset();
    m_recording.reset();
}

// --- sessions -----------------------------------------------------------------------------------

void MainWindow::startLive(const StartOptions &options)
{
    Session::Options o;
    // The app never slows the bus down for its other subscribers: if the GUI cannot keep up,
    // messages are dropped and counted in the status bar. (A recording switches to blocking.)
    o.ingest.overflow = Overflow::Drop;
    o.ingest.queueBytes = 512u * 1024 * 1024;
    QSettings settings;
    // The cap covers everything held for events (the Workspace shares it out).
    o.store.memoryCap = options.memoryCap.value_or(
        size_t(settings.value(QStringLiteral("live/memoryCapMiB"), 4096).toULongLong()) * 1024 * 1024);
    // A head start for the first million events: the store's indexes do not pause to grow
    // under a flood until then (costs about 32 MiB for the id table's slots).
    o.store.reserveEvents = 1'000'000;
    m_live = std::make_unique<Workspace>(std::move(o));
    m_live->session()->setCurve(options.curve);
    if (options.bus) {
        std::string error;
        if (!m_live->session()->startBus(options.busOptions, error)) {
            m_busError = QString::fromStdString(error);
            statusBar()->showMessage(tr("The embedded bus did not start: %1").arg(m_busError), 15000);
        }
        // Binds beyond loopback (and insecure mode) stay in the status bar: see SessionStatus::showSecurity.
    }
    if (const EmbeddedBus *bus = m_live->session()->bus(); bus && bus->isRunning())
        m_replay->setBus(m_live->context(), bus->publishersEndpoint());
    m_connections->setSession(m_live->session());
    for (const ZmqSource::Endpoint &e : options.connect)
        m_connections->addEndpoint(e);
    display(m_live.get());
}

void MainWindow::closeCompare()
{
    m_compare->hide();
    m_compare->clear(); // before the workspaces it shows go
    m_compareOther.reset();
    m_compared = nullptr;
}

void MainWindow::display(Workspace *workspace)
{
    m_shown = workspace;
    if (m_compare && m_compared && comparable() != m_compared) {
        // Its left side (and right, within one workspace) is a workspace no longer shown (time
        // travel over the compared recording still is that recording).
        closeCompare();
    }
    m_selectedEvent = EventStore::kNone;
    m_selectedCorrelation.clear();
    m_model->setSource(&workspace->store(), &workspace->rejects());
    m_filter->setStore(&workspace->store());
    m_details->clear();
    m_flow->clear(tr("Select an event to see its flow"));
    m_sequence->clear(tr("Select an event to see its flow as a sequence of services"));
    // Another store's numbers may look like the same map: start the map afresh.
    m_topology->clear(tr("No events yet: the service map appears as events arrive"));
    m_throughput->clear();
    m_lag->clear();
    for (bool &d : m_dirty)
        d = true;
    refreshViews(true);

    m_viewSelect->clear();
    m_viewSelect->addItem(tr("Live session"));
    if (m_recording)
        m_viewSelect->addItem(
            tr("Recording: %1").arg(QFileInfo(QString::fromStdString(m_recording->report().path)).fileName()));
    m_viewSelect->setCurrentIndex(workspace == m_live.get() ? 0 : 1);
    updateWelcome();
    updateTitle();
    m_replay->refresh();
}

void MainWindow::showLive(bool live)
{
    Workspace *w = live ? m_live.get() : m_cursor ? &m_cursor->view() : m_recording.get();
    if (w && w != m_shown)
        display(w);
}

void MainWindow::openRecording(const QString &path)
{
    m_load.reset(); // a load in progress is cancelled
    m_load = std::make_unique<WorkspaceLoad>(path.toStdString(), [this] {
        QMetaObject::invokeMethod(this, &MainWindow::loadFinished, Qt::QueuedConnection);
    });
    m_status->showLoading(QFileInfo(path).fileName());
}

void MainWindow::loadFinished()
{
    if (!m_load || !m_load->isFinished())
        return;
    std::string error;
    const QString path = QString::fromStdString(m_load->path());
    std::unique_ptr<Workspace> loaded = m_load->take(error);
    m_load.reset();
    m_status->hideLoading();
    if (!loaded) {
        if (error == "cancelled")
            statusBar()->showMessage(tr("Opening %1 was cancelled").arg(path), 5000);
        else
            showError(tr("Cannot open recording"), QString::fromStdString(error));
        emit recordingOpened(path, QString::fromStdString(error));
        return;
    }
    // A replay reads the old recording's store: it stops before that store goes.
    m_replay->setRecording(nullptr);
    if (m_shown == m_recording.get() || (m_cursor && m_shown == &m_cursor->view()))
        m_model->setSource(nullptr, nullptr);
    m_cursor.reset(); // it reads the old recording
    if (m_compare && m_compared && m_compared == m_recording.get())
        closeCompare(); // it reads the old recording too
    m_pendingSelection.clear();
    m_recording = std::move(loaded);
    m_replay->setRecording(&m_recording->store());
    {
        const EventStore &s = m_recording->store();
        int64_t start = 0, end = 0;
        for (uint32_t i = s.firstIndex(); i < s.endIndex(); ++i) {
            const int64_t t = s.record(i).timestampNs;
            start = i == s.firstIndex() ? t : std::min(start, t);
            end = i == s.firstIndex() ? t : std::max(end, t);
        }
        m_timeBar->setRange(start, end);
        m_timeBar->show();
        refreshTimeBar();
    }
    addRecent(path);
    display(m_recording.get());
    const RecordingReport &r = m_recording->report();
    QString message = tr("Opened %1: %2 events").arg(QFileInfo(path).fileName(), grouped(r.accepted));
    if (!r.rejected.empty() || r.truncatedTail) {
        message +=
            tr(", %n line(s) not loaded (see Problems)", nullptr, int(r.rejected.size() + (r.truncatedTail ? 1 : 0)));
        m_problemsDock->show();
        m_problemsDock->raise();
    }
    statusBar()->showMessage(message, 8000);
    emit recordingOpened(path, QString());
}

bool MainWindow::startDemo(DemoSystem::Scenario scenario)
{
    if (m_demo)
        return true;
    const EmbeddedBus *bus = m_live ? m_live->session()->bus() : nullptr;
    if (!bus || !bus->isRunning()) {
        showError(tr("Cannot start the demo"),
                  tr("The demo publishes on the embedded bus, which is not running%1.")
                      .arg(m_busError.isEmpty() ? QString() : QStringLiteral(": ") + m_busError));
        return false;
    }
    DemoSystem::Options o;
    o.scenario = scenario;
    o.publishers = bus->publishersEndpoint();
    o.subscribers = bus->subscribersEndpoint();
    m_demoPanel->setScenario(scenario);
    o.knobs = m_demoPanel->knobs();
    auto demo = std::make_unique<DemoSystem>(*m_live->context(), o);
    QApplication::setOverrideCursor(Qt::BusyCursor);
    const bool ok = demo->start(); // waits for the services' handshakes with the bus (milliseconds)
    QApplication::restoreOverrideCursor();
    if (!ok) {
        showError(tr("Cannot start the demo"), QString::fromStdString(demo->error()));
        return false;
    }
    m_demo = std::move(demo);
    m_demoPanel->setDemo(m_demo.get());
    m_demoAction->setText(tr("Stop &demo"));
    m_demoAction->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_demoDock->show();
    showLive(true);
    statusBar()->showMessage(
        tr("Demo %1 running on the embedded bus").arg(QString::fromLatin1(DemoSystem::scenarioName(scenario))), 5000);
    return true;
}

void MainWindow::stopDemo()
{
    if (!m_demo)
        return;
    m_demoPanel->setDemo(nullptr);
    m_demo.reset();
    m_demoAction->setText(tr("Start &demo"));
    m_demoAction->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
}

void MainWindow::toggleRecording(bool on)
{
    if (!on) {
        stopRecording();
        return;
    }
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString suggested = dir
                              + QStringLiteral("/eventlens-%1.jsonl")
                                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Record live session to"), suggested, tr("JSON Lines (*.jsonl)"));
    if (path.isEmpty() || !startRecording(path))
        m_recordAction->setChecked(false);
}

bool MainWindow::startRecording(const QString &path)
{
    Session *session = m_live ? m_live->session() : nullptr;
    std::string error;
    if (!session || !session->startRecording(path.toStdString(), error)) {
        showError(tr("Cannot record"), session ? QString::fromStdString(error) : tr("there is no live session"));
        return false;
    }
    const QSignalBlocker block(m_recordAction);
    m_recordAction->setChecked(true);
    m_status->showRecording(path);
    showLive(true);
    return true;
}

QString MainWindow::stopRecording()
{
    Session *session = m_live ? m_live->session() : nullptr;
    if (!session || (!session->isRecording() && session->recordingError().empty()))
        return {};
    const Session::RecordingResult r = session->stopRecording();
    const QSignalBlocker block(m_recordAction);
    m_recordAction->setChecked(false);
    if (!r.error.empty()) {
        // Stays in the status bar ("REC stopped", the reason in its tooltip) until the
        // next recording: a failure seen late is still seen.
        const QString error = QString::fromStdString(r.error);
        m_status->showRecordingFailed(QString::fromStdString(r.path), error);
        const QString message =
            tr("%1. %2 events were recorded; the session keeps running.").arg(error, grouped(r.events))
            + (r.eventsLost ? tr(" %1 events were not written.").arg(grouped(r.eventsLost)) : QString());
        showError(tr("The recording stopped"), message);
        return message;
    }
    m_status->hideRecording();
    QString message = tr("Recorded %1 events to %2%3")
                          .arg(grouped(r.events), QString::fromStdString(r.path),
                               r.rejected ? tr(" (%1 rejected messages beside it)").arg(r.rejected) : QString());
    if (r.rejectsNotWritten)
        message += tr("; %1 rejected messages (%2 bytes) over the rejects file's limit were not written")
                       .arg(grouped(r.rejectsNotWritten), grouped(r.rejectBytesNotWritten));
    statusBar()->showMessage(message, 10000);
    return message;
}

// --- the tick -----------------------------------------------------------------------------------

void MainWindow::tick()
{
    if (m_load)
        m_status->setLoadProgress(m_load->bytesDone(), m_load->bytesTotal(),
                                  m_load->phase() == WorkspaceLoad::Phase::Analysing);
    if (m_live) {
        // A recording that cannot be written stops at once, said in the status bar.
        if (m_recordAction->isChecked() && m_live->session() && !m_live->session()->isRecording())
            stopRecording();
        // Refusals at CURVE endpoints and new binds arrive without events: the status is due anyway.
        m_dirty[int(View::Status)] = true;
        const Workspace::Update u = m_live->poll(kPollBudget);
        if (m_shown == m_live.get() && !u.empty()) {
            m_model->appended(u.firstEvent, u.endEvent, u.newRejects, u.droppedRejects);
            for (int v = int(View::Flow); v < int(View::Count); ++v)
                m_dirty[v] = true;
            if (m_followAction->isChecked() && m_model->rowCount() > 0)
                m_table->scrollToBottom();
            updateWelcome();
        }
    }
    if (m_cursor && !m_cursor->caughtUp())
        pollTimeCursor();
    // The status bar follows the clock, not the arrivals: events/s must fall to 0 when the
    // traffic stops (its own interval keeps this to a few times a second).
    m_dirty[int(View::Status)] = true;
    refreshViews(false);
}

void MainWindow::refreshViews(bool force)
{
    if (!m_shown)
        return;
    auto due = [&](View v, bool visible) {
        const int i = int(v);
        if (!m_dirty[i] || !visible)
            return false;
        if (!force && m_lastRefresh[i].elapsed() < kRefreshEvery[i])
            return false;
        m_dirty[i] = false;
        m_lastRefresh[i].restart();
        return true;
    };
    if (due(View::Topology, m_topologyDock->isVisible() && !m_topology->visibleRegion().isEmpty()))
        m_topology->setTopology(m_shown->store(), m_shown->topology());
    if (due(View::Problems, m_problemsDock->isVisible() && !m_problems->visibleRegion().isEmpty()))
        m_problems->setProblems(m_shown->anomalies(), m_shown->rejects(), m_shown->rejectsForgotten());
    if (due(View::Throughput, m_throughputDock->isVisible() && !m_throughput->visibleRegion().isEmpty()))
        m_throughput->setThroughput(m_shown->throughput());
    if (due(View::Lag, m_lagDock->isVisible() && !m_lag->visibleRegion().isEmpty()))
        m_lag->setLag(m_shown->store(), m_shown->lag());
    if (due(View::Flow, m_flowDock->isVisible() || m_sequenceDock->isVisible()))
        refreshFlow();
    if (due(View::Status, true)) {
        refreshStatus();
        if (m_connections->isVisible())
            m_connections->refresh();
        if (m_demo && m_demoDock->isVisible())
            m_demoPanel->refresh();
        m_replay->refresh();
    }
}

void MainWindow::refreshFlow()
{
    if (m_selectedCorrelation.empty() || !m_shown)
        return;
    // Rebuild only when the selected flow grew, and only the views in sight.
    const FlowSummary *summary = m_shown->flows().summaryOf(m_selectedCorrelation);
    const uint64_t events = summary ? summary->events : 0;
    const bool flowDue = m_flowDock->isVisible() && events != m_flowEventsShown;
    const bool sequenceDue = m_sequenceDock->isVisible() && events != m_sequenceEventsShown;
    if (!flowDue && !sequenceDue)
        return;
    if (events == 0 && m_cursor && m_shown == &m_cursor->view()) {
        const QString none = tr("Flow %1 has no events yet as of %2 UTC: move the time cursor on to see it start.")
                                 .arg(qs(m_selectedCorrelation), qs(formatClock(m_cursor->cursorNs())));
        m_flow->clear(none);
        m_sequence->clear(none);
        m_flowEventsShown = m_sequenceEventsShown = 0;
        return;
    }
    const EventStore &store = m_shown->store();
    const FlowGraph graph = buildFlowGraph(store, m_selectedCorrelation);
    const bool selected = m_selectedEvent != EventStore::kNone && store.contains(m_selectedEvent);
    if (flowDue) {
        if (m_flow->setFlow(store, graph)) {
            m_flowEventsShown = events;
            if (selected)
                m_flow->setSelectedEvent(m_selectedEvent);
        } else {
            m_dirty[int(View::Flow)] = true; // Graphviz is busy with the service map: next refresh
        }
    }
    if (sequenceDue) {
        m_sequence->setFlow(store, graph);
        m_sequenceEventsShown = events;
        if (selected)
            m_sequence->setSelectedEvent(m_selectedEvent);
    }
}

void MainWindow::refreshStatus()
{
    if (!m_shown)
        return;
    const SessionStatus::Replay replay = !m_replay->isReplaying() ? SessionStatus::Replay::Off
                                         : m_replay->isPaused()   ? SessionStatus::Replay::Paused
                                                                  : SessionStatus::Replay::Playing;
    m_status->update(*m_shown, m_live ? m_live->session()->bus() : nullptr, m_busError, replay);
    if (m_live)
        m_status->showSecurity(m_live->session()->securityWarnings(), m_live->session()->curveStats());
    m_filter->setCounts(m_model->matchedRows(), m_model->totalRows());
}

// --- selection ------------------------------------------------------------------------------------

void MainWindow::currentRowChanged(int row)
{
    if (row < 0 || !m_shown)
        return;
    pauseFollowing();
    if (const std::optional<uint32_t> e = m_model->eventAt(row)) {
        selectEvent(*e);
        return;
    }
    if (const std::optional<size_t> r = m_model->rejectAt(row); r && *r < m_shown->rejects().size()) {
        m_selectedEvent = EventStore::kNone;
        m_pendingSelection.clear();
        m_selectedCorrelation.clear();
        m_details->showRejected(m_shown->rejects()[*r]);
        m_flow->clear(tr("Rejected input is not an event: it has no flow. Its bytes and the reason are in Details."));
        m_sequence->clear(tr("Rejected input is not an event: it has no flow."));
    }
}

void MainWindow::pauseFollowing()
{
    if (!m_followAction->isChecked() || !follows(m_shown))
        return;
    // A person looking at an event does not want it scrolled away by the next batch.
    m_followAction->setChecked(false);
    statusBar()->showMessage(tr("Following new events paused while an event is selected (Ctrl+T resumes)"), 6000);
}

void MainWindow::selectEvent(uint32_t index)
{
    if (!m_shown || !m_shown->store().contains(index))
        return;
    pauseFollowing();
    m_pendingSelection.clear();
    const EventStore &store = m_shown->store();
    m_selectedEvent = index;
    m_details->showEvent(store, index);
    const std::string correlation(store.correlationId(index));
    if (correlation.empty()) {
        m_selectedCorrelation.clear();
        m_flow->clear(tr("This event has no correlationId, so it belongs to no flow."));
        m_sequence->clear(tr("This event has no correlationId, so it belongs to no flow."));
    } else if (correlation != m_selectedCorrelation) {
        m_selectedCorrelation = correlation;
        m_flowEventsShown = m_sequenceEventsShown = UINT64_MAX; // rebuild now
        refreshFlow();
    } else {
        m_flow->setSelectedEvent(index);
        m_sequence->setSelectedEvent(index);
    }
    const int row = m_model->rowOfEvent(index);
    if (row >= 0 && m_table->currentIndex().row() != row) {
        QSignalBlocker block(m_table->selectionModel());
        m_table->setCurrentIndex(m_model->index(row, 0));
        m_table->selectRow(row);
        m_table->scrollTo(m_model->index(row, 0));
    } else if (row < 0) {
        statusBar()->showMessage(tr("The selected event is hidden by the filter"), 4000);
    }
}

bool MainWindow::exportTo(Export what, const QString &path, QString &error)
{
    if (!m_shown)
        return false;
    const EventStore &store = m_shown->store();
    std::string e;
    bool ok = false;
    switch (what) {
    case Export::TableJsonl:
        ok = exportJsonl(store, m_model->matchedEvents(), path.toStdString(), e);
        break;
    case Export::TableCsv:
        ok = exportCsv(store, m_model->matchedEvents(), path.toStdString(), e);
        break;
    case Export::FlowDot:
        if (m_selectedCorrelation.empty()) {
            error = tr("Select an event of a flow first.");
            return false;
        }
        ok = exportFlowDot(store, buildFlowGraph(store, m_selectedCorrelation), path.toStdString(), e);
        break;
    case Export::FlowImage:
        return m_flow->exportImage(path, error);
    case Export::SequenceImage:
        refreshFlow(); // a hidden dock is behind
        if (m_selectedCorrelation.empty()) {
            error = tr("Select an event of a flow first.");
            return false;
        }
        if (m_sequenceEventsShown == UINT64_MAX || !m_sequenceDock->isVisible()) {
            const FlowGraph graph = buildFlowGraph(store, m_selectedCorrelation);
            m_sequence->setFlow(store, graph);
        }
        return m_sequence->exportImage(path, error);
    case Export::TopologyImage:
        // The map may be behind (hidden docks are not refreshed): bring it up to date first.
        // A layout already running is waited for, then the map is asked for again.
        for (int pass = 0; pass < 2; ++pass) {
            m_topology->setTopology(store, m_shown->topology());
            if (!m_topology->waitForLayout(60000)) {
                error = tr("Laying out the service map took too long.");
                return false;
            }
        }
        return m_topology->exportImage(path, error);
    case Export::ThroughputImage:
        m_throughput->setThroughput(m_shown->throughput()); // hidden docks are not refreshed
        return m_throughput->chart()->exportImage(
            path, error, tr("Throughput of %1 — %2").arg(nameOf(m_shown), m_throughput->title()));
    case Export::LagImage:
        m_lag->setLag(store, m_shown->lag()); // hidden docks are not refreshed
        return m_lag->chart()->exportImage(path, error, tr("Lag of %1 — %2").arg(nameOf(m_shown), m_lag->title()));
    }
    error = QString::fromStdString(e);
    return ok;
}

void MainWindow::setFilterText(const QString &query)
{
    m_filter->setQuery(query);
}

// --- window -------------------------------------------------------------------------------------

void MainWindow::updateWelcome()
{
    const bool empty = m_shown && m_shown->isLive() && m_shown->store().endIndex() == 0 && m_shown->rejects().empty();
    if (empty) {
        const EmbeddedBus *bus = m_live->session()->bus();
        QString text = tr("<h2>No events yet</h2>");
        if (bus && bus->isRunning())
            text +=
                tr("<p>The embedded bus is listening. Publishers connect to <b>%1</b>, subscribers to <b>%2</b>.</p>"
                   "<p>Start the demo to watch an order saga happen, open a recording, or connect to your own "
                   "publishers.</p>")
                    .arg(QString::fromStdString(bus->publishersEndpoint()).toHtmlEscaped(),
                         QString::fromStdString(bus->subscribersEndpoint()).toHtmlEscaped());
        else
            text += tr("<p>The embedded bus is not running%1.</p><p>Open a recording or connect to publishers.</p>")
                        .arg(m_busError.isEmpty() ? QString() : QStringLiteral(": ") + m_busError.toHtmlEscaped());
        m_welcomeText->setText(text);
    }
    m_centre->setCurrentWidget(empty ? m_welcome : static_cast<QWidget *>(m_table));
}

void MainWindow::updateTitle()
{
    if (m_shown && !m_shown->isLive() && m_recording)
        setWindowTitle(
            tr("%1 — EventLens").arg(QFileInfo(QString::fromStdString(m_recording->report().path)).fileName()));
    else
        setWindowTitle(tr("Live session — EventLens"));
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::showError(const QString &title, const QString &message)
{
    statusBar()->showMessage(title + QStringLiteral(": ") + message, 15000);
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // not exec(): the window keeps ingesting while the message is up
}

void MainWindow::addRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (int i = 0; i < recent.size(); ++i) {
        QAction *a = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(recent[i]), this,
                                             [this, p = recent[i]] { openRecording(p); });
        a->setToolTip(recent[i]);
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (m_lag->isSlaChosen())
        settings.setValue(QStringLiteral("lag/slaMs"), m_lag->slaMs());
    settings.setValue(QStringLiteral("throughput/stacked"), m_throughput->isStacked());
    stopRecording(); // the file is completed, not cut
    m_tick.stop();
    m_load.reset();
    m_replay->stop();
    stopDemo();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().constFirst().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.constFirst().isLocalFile()) {
        openRecording(urls.constFirst().toLocalFile());
        event->acceptProposedAction();
    }
}

} // namespace eventlens
