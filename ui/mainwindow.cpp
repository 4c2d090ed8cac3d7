#include "ui/mainwindow.h"

#include "core/eventfilter.h"
#include "core/exports.h"
#include "core/flowcompare.h"
#include "core/flowgraph.h"
#include "core/textformat.h"
#include "core/timecursor.h"
#include "core/workspace.h"
#include "core/workspaceload.h"
#include "ui/connectiondialog.h"
#include "ui/compareview.h"
#include "ui/demopanel.h"
#include "ui/detailspane.h"
#include "ui/eventtablemodel.h"
#include "ui/filterbar.h"
#include "ui/lagtimelineview.h"
#include "ui/flowgraphview.h"
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
/// Time travel catching up with a cursor moved far: more per tick (nothing else floods in).
constexpr auto kCursorBudget = std::chrono::milliseconds(12);
constexpr int kMaxRecent = 10;

/// Minimum time between two refreshes of a view while data keeps arriving (ms).
constexpr qint64 kRefreshEvery[] = {0, 250, 500, 500, 250, 500, 500};

/// A filter value, quoted when it needs to be.
QString filterValue(std::string_view name)
{
    QString v = qs(name);
    if (v.contains(QLatin1Char(' ')) || v.contains(QLatin1Char('"')) || v.contains(QLatin1Char(','))
        || v.contains(QLatin1Char(':'))) {
        v.replace(QLatin1Char('"'), QStringLiteral("\\\""));
        return QLatin1Char('"') + v + QLatin1Char('"');
    }
    return v;
}

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
    // Everything that reads a store stops before the store goes: the replayer reads the
    // recording, the demo publishes onto the live bus.
    m_load.reset();
    m_replay->setRecording(nullptr);
    m_demo.reset();
    m_model->setSource(nullptr, nullptr);
    m_live.reset();
    m_cursor.reset(); // reads the recording
    m_compareLoad.reset();
    if (m_compare)
        m_compare->clearRight();
    m_compareOther.reset();
    m_recording.reset();
}

// --- building ---------------------------------------------------------------------------------

void MainWindow::buildViews()
{
    m_model = new EventTableModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("eventTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed); // millions of rows: no per-row sizing
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    const int charWidth = m_table->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    const int widths[] = {13, 22, 4, 19, 12, 12, 9};
    for (int c = 0; c < int(std::size(widths)); ++c)
        m_table->setColumnWidth(c, widths[c] * charWidth);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { currentRowChanged(current.isValid() ? current.row() : -1); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // A new filter or source: keep the selected event in view when it is still a row.
        if (m_selectedEvent == EventStore::kNone)
            return;
        const int row = m_model->rowOfEvent(m_selectedEvent);
        if (row >= 0) {
            QSignalBlocker block(m_table->selectionModel());
            m_table->selectRow(row);
            m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
        }
    });

    m_filter = new FilterBar(this);
    connect(m_filter, &FilterBar::filterChanged, this, [this](const EventFilter &filter) {
        m_model->setFilter(filter);
        refreshStatus();
        updateWelcome();
    });

    // The welcome page stands in for the table while a live session has nothing yet.
    m_welcome = new QWidget(this);
    {
        auto *layout = new QVBoxLayout(m_welcome);
        layout->addStretch();
        m_welcomeText = new QLabel(m_welcome);
        m_welcomeText->setAlignment(Qt::AlignCenter);
        m_welcomeText->setWordWrap(true);
        m_welcomeText->setTextFormat(Qt::RichText);
        layout->addWidget(m_welcomeText);
        auto *buttons = new QHBoxLayout;
        buttons->addStretch();
        auto *demo = new QPushButton(tr("Start demo"), m_welcome);
        demo->setObjectName(QStringLiteral("welcomeStartDemo"));
        demo->setDefault(true);
        demo->setMinimumHeight(40);
        demo->setMinimumWidth(180);
        QFont f = demo->font();
        f.setPointSizeF(f.pointSizeF() * 1.2);
        f.setBold(true);
        demo->setFont(f);
        auto *open = new QPushButton(tr("Open recording…"), m_welcome);
        auto *connectTo = new QPushButton(tr("Connect…"), m_welcome);
        open->setMinimumHeight(40);
        connectTo->setMinimumHeight(40);
        buttons->addWidget(demo);
        buttons->addWidget(open);
        buttons->addWidget(connectTo);
        buttons->addStretch();
        layout->addLayout(buttons);
        layout->addStretch();
        connect(demo, &QPushButton::clicked, this, [this] { startDemo(m_demoPanel->scenario()); });
        connect(open, &QPushButton::clicked, this, [this] {
            const QString path = QFileDialog::getOpenFileName(
                this, tr("Open recording"), QString(), tr("Event recordings (*.jsonl *.json *.ndjson);;All files (*)"));
            if (!path.isEmpty())
                openRecording(path);
        });
        connect(connectTo, &QPushButton::clicked, this, [this] { m_connections->show(); });
    }
    m_centre = new QStackedWidget(this);
    m_centre->addWidget(m_welcome);
    m_centre->addWidget(m_table);
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(2);
    centralLayout->addWidget(m_filter);
    centralLayout->addWidget(m_centre, 1);
    setCentralWidget(central);

    auto dock = [this](const QString &title, const QString &name, QWidget *widget, Qt::DockWidgetArea area) {
        auto *d = new QDockWidget(title, this);
        d->setObjectName(name); // saveState() needs it
        d->setWidget(widget);
        addDockWidget(area, d);
        return d;
    };
    m_details = new DetailsPane(this);
    m_flow = new FlowGraphView(this);
    m_topology = new TopologyView(this);
    m_problems = new ProblemsPane(this);
    m_demoPanel = new DemoPanel(this);
    m_flowDock = dock(tr("Flow graph"), QStringLiteral("flowDock"), m_flow, Qt::RightDockWidgetArea);
    m_sequence = new SequenceView(this);
    m_sequenceDock = dock(tr("Sequence"), QStringLiteral("sequenceDock"), m_sequence, Qt::RightDockWidgetArea);
    m_detailsDock = dock(tr("Details"), QStringLiteral("detailsDock"), m_details, Qt::RightDockWidgetArea);
    m_topologyDock = dock(tr("Topology"), QStringLiteral("topologyDock"), m_topology, Qt::BottomDockWidgetArea);
    m_problemsDock = dock(tr("Problems"), QStringLiteral("problemsDock"), m_problems, Qt::BottomDockWidgetArea);
    m_throughput = new ThroughputView(this);
    m_throughputDock = dock(tr("Throughput"), QStringLiteral("throughputDock"), m_throughput, Qt::BottomDockWidgetArea);
    m_lag = new LagTimelineView(this);
    m_lagDock = dock(tr("Lag"), QStringLiteral("lagDock"), m_lag, Qt::BottomDockWidgetArea);
    m_demoDock = dock(tr("Demo"), QStringLiteral("demoDock"), m_demoPanel, Qt::LeftDockWidgetArea);
    tabifyDockWidget(m_flowDock, m_sequenceDock);
    tabifyDockWidget(m_sequenceDock, m_detailsDock);
    m_flowDock->raise();
    tabifyDockWidget(m_topologyDock, m_problemsDock);
    tabifyDockWidget(m_problemsDock, m_throughputDock);
    tabifyDockWidget(m_throughputDock, m_lagDock);
    m_topologyDock->raise();
    resizeDocks({m_flowDock}, {480}, Qt::Horizontal);
    resizeDocks({m_topologyDock}, {260}, Qt::Vertical);
    resizeDocks({m_demoDock}, {230}, Qt::Horizontal);
    m_demoDock->hide(); // shown when a demo starts, or from the View menu

    // A dock becoming visible again catches up with what it skipped while hidden.
    for (auto [d, v] : {std::pair{m_flowDock, View::Flow}, std::pair{m_sequenceDock, View::Flow},
                        std::pair{m_topologyDock, View::Topology},
                        std::pair{m_problemsDock, View::Problems}, std::pair{m_throughputDock, View::Throughput},
                        std::pair{m_lagDock, View::Lag}})
        connect(d, &QDockWidget::visibilityChanged, this, [this, v = v](bool visible) {
            if (visible) {
                m_dirty[int(v)] = true;
                refreshViews(true);
            }
        });

    m_flow->clear(tr("Select an event to see its flow"));
    m_sequence->clear(tr("Select an event to see its flow as a sequence of services"));
    m_details->clear();

    connect(m_flow, &FlowGraphView::eventActivated, this, &MainWindow::selectEvent);
    connect(m_sequence, &SequenceView::eventActivated, this, &MainWindow::selectEvent);
    connect(m_details, &DetailsPane::eventRequested, this, &MainWindow::selectEvent);
    connect(m_topology, &TopologyView::edgeActivated, this,
            [this](uint16_t producer, uint16_t eventType, uint16_t consumer) {
                const EventStore &s = m_shown->store();
                if (consumer == EventStore::kNoName)
                    setFilterText(QStringLiteral("source:%1 type:%2")
                                      .arg(filterValue(s.sourceName(producer)), filterValue(s.typeName(eventType))));
                else
                    setFilterText(QStringLiteral("source:%1 cause.type:%2 cause.source:%3")
                                      .arg(filterValue(s.sourceName(consumer)), filterValue(s.typeName(eventType)),
                                           filterValue(s.sourceName(producer))));
            });
    connect(m_lag, &LagTimelineView::eventActivated, this, &MainWindow::selectEvent);
    connect(m_lag, &LagTimelineView::settingsChanged, this, [this] {
        m_dirty[int(View::Lag)] = true;
        refreshViews(true);
    });
    connect(m_throughput, &ThroughputView::settingsChanged, this, [this] {
        m_dirty[int(View::Throughput)] = true;
        refreshViews(true);
    });
    // Changes that arrived while the map was being laid out are drawn next.
    connect(m_topology, &TopologyView::layoutFinished, this, [this] { m_dirty[int(View::Topology)] = true; });
    connect(m_topology, &TopologyView::serviceActivated, this, [this](uint16_t source) {
        setFilterText(QStringLiteral("source:%1").arg(filterValue(m_shown->store().sourceName(source))));
    });
    connect(m_topology, &TopologyView::typeActivated, this, [this](uint16_t type) {
        setFilterText(QStringLiteral("type:%1").arg(filterValue(m_shown->store().typeName(type))));
    });
    connect(m_problems, &ProblemsPane::eventsRequested, this, [this](const QStringList &ids) {
        if (ids.isEmpty() || !m_shown)
            return;
        // Jump to the events: the table shows exactly them, the first one selected.
        QStringList values;
        for (const QString &id : ids)
            values << filterValue(id.toStdString());
        setFilterText(QStringLiteral("id:") + values.join(QLatin1Char(',')));
        const uint32_t first = m_shown->store().find(ids.front().toStdString());
        if (first != EventStore::kNone)
            selectEvent(first);
        else
            statusBar()->showMessage(tr("%1 is not in the store (an unseen cause, or evicted)").arg(ids.front()), 5000);
    });
    connect(m_problems, &ProblemsPane::rejectRequested, this, [this](size_t n) {
        if (!m_shown || n >= m_shown->rejects().size())
            return;
        setFilterText(QStringLiteral("is:rejected"));
        const int row = m_model->rowOfReject(n);
        if (row >= 0) {
            m_table->selectRow(row);
            m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
        }
        m_details->showRejected(m_shown->rejects()[n]);
        m_detailsDock->raise();
    });

    m_connections = new ConnectionDialog(this);
    connect(m_demoPanel, &DemoPanel::startRequested, this,
            [this](DemoSystem::Scenario scenario, const DemoSystem::Knobs &) { startDemo(scenario); });
    connect(m_demoPanel, &DemoPanel::stopRequested, this, &MainWindow::stopDemo);
    connect(m_demoPanel, &DemoPanel::failed, this, [this](const QString &m) { statusBar()->showMessage(m, 8000); });
}

void MainWindow::buildActions()
{
    auto *file = menuBar()->addMenu(tr("&File"));
    auto *session = menuBar()->addMenu(tr("&Session"));
    auto *view = menuBar()->addMenu(tr("&View"));
    auto *help = menuBar()->addMenu(tr("&Help"));

    QAction *open = file->addAction(tr("&Open recording…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open recording"), QString(), tr("Event recordings (*.jsonl *.json *.ndjson);;All files (*)"));
        if (!path.isEmpty())
            openRecording(path);
    });
    open->setShortcut(QKeySequence::Open);
    open->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    m_recordAction = file->addAction(tr("&Record live session…"));
    m_recordAction->setCheckable(true);
    m_recordAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_recordAction->setToolTip(tr("Record everything the live session receives to a JSON Lines file (Ctrl+R)"));
    connect(m_recordAction, &QAction::triggered, this, &MainWindow::toggleRecording);
    file->addAction(m_recordAction);
    file->addSeparator();
    QAction *compare = file->addAction(tr("Co&mpare flows…"), this, &MainWindow::compareFlows);
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    compare->setToolTip(tr("The selected flow beside the most similar other flow, differences marked (Ctrl+M)"));
    file->addAction(tr("Compare &with recording…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Compare with recording"), QString(), tr("Event recordings (*.jsonl *.json *.ndjson);;All files (*)"));
        if (!path.isEmpty())
            compareWithRecording(path);
    });
    QMenu *exports = file->addMenu(tr("&Export"));
    struct ExportAction {
        Export what;
        QString text, filter, suffix;
    };
    for (const ExportAction &e : {
             ExportAction{Export::TableJsonl, tr("Table rows as &JSON Lines…"), tr("JSON Lines (*.jsonl)"), "jsonl"},
             ExportAction{Export::TableCsv, tr("Table rows as &CSV…"), tr("CSV (*.csv)"), "csv"},
             ExportAction{Export::FlowDot, tr("Flow as Graphviz &.dot…"), tr("Graphviz (*.dot)"), "dot"},
             ExportAction{Export::FlowImage, tr("Flow graph as &SVG…"), tr("SVG image (*.svg)"), "svg"},
             ExportAction{Export::FlowImage, tr("Flow graph as &PNG…"), tr("PNG image (*.png)"), "png"},
             ExportAction{Export::SequenceImage, tr("Se&quence as SVG…"), tr("SVG image (*.svg)"), "svg"},
             ExportAction{Export::SequenceImage, tr("Seq&uence as PNG…"), tr("PNG image (*.png)"), "png"},
             ExportAction{Export::TopologyImage, tr("&Topology as SVG…"), tr("SVG image (*.svg)"), "svg"},
             ExportAction{Export::TopologyImage, tr("T&opology as PNG…"), tr("PNG image (*.png)"), "png"},
             ExportAction{Export::ThroughputImage, tr("T&hroughput chart as PNG…"), tr("PNG image (*.png)"), "png"},
             ExportAction{Export::LagImage, tr("&Lag chart as PNG…"), tr("PNG image (*.png)"), "png"},
         }) {
        exports->addAction(e.text, this, [this, e] {
            const QString path =
                QFileDialog::getSaveFileName(this, e.text.chopped(1).remove(QLatin1Char('&')),
                                             QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                                                 + QStringLiteral("/eventlens.") + e.suffix,
                                             e.filter);
            if (path.isEmpty())
                return;
            QString error;
            if (exportTo(e.what, path, error))
                statusBar()->showMessage(tr("Wrote %1").arg(path), 8000);
            else
                showError(tr("Cannot export"), error);
        });
    }
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QAction *connectAction = session->addAction(tr("&Connect…"), this, [this] {
        m_connections->show();
        m_connections->raise();
    });
    connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    connectAction->setToolTip(tr("Subscribe to ZeroMQ publishers (Ctrl+K)"));
    connectAction->setIcon(style()->standardIcon(QStyle::SP_DriveNetIcon));
    m_demoAction = session->addAction(tr("Start &demo"), this, [this] {
        if (m_demo)
            stopDemo();
        else
            startDemo(m_demoPanel->scenario());
    });
    m_demoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_demoAction->setToolTip(tr("Start or stop the demo system on the embedded bus (Ctrl+D)"));
    m_demoAction->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    session->addSeparator();
    QAction *live = session->addAction(tr("Show &live session"), this, [this] { showLive(true); });
    live->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction *recording = session->addAction(tr("Show opened re&cording"), this, [this] { showLive(false); });
    recording->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));

    QAction *filter = view->addAction(tr("&Filter…"), m_filter, &FilterBar::focusFilter);
    filter->setShortcut(QKeySequence::Find);
    m_followAction = view->addAction(tr("&Follow new events"));
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_followAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_followAction->setToolTip(tr("Keep the newest event in view as events arrive (Ctrl+T)"));
    m_followAction->setIcon(style()->standardIcon(QStyle::SP_ArrowDown));
    connect(m_followAction, &QAction::toggled, this, [this](bool on) {
        if (on && m_model->rowCount() > 0)
            m_table->scrollToBottom();
    });
    view->addSeparator();
    for (QDockWidget *d : {m_flowDock, m_detailsDock, m_topologyDock, m_problemsDock, m_throughputDock, m_demoDock,
                           m_sequenceDock, m_lagDock})
        view->addAction(d->toggleViewAction());
    m_flowDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_1));
    m_detailsDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_2));
    m_topologyDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_3));
    m_problemsDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_4));
    m_demoDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_5));
    m_throughputDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_6));
    m_sequenceDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_7));
    m_lagDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::Key_8));

    help->addAction(tr("&About EventLens"), this, [this] {
        QMessageBox::about(this, tr("About EventLens"),
                           tr("<b>EventLens %1</b><p>A debugger and visualizer for event-driven systems: "
                              "correlation and causation graphs, service topology, reaction lag, and what "
                              "people otherwise miss.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });

    auto *main = addToolBar(tr("Main"));
    main->setObjectName(QStringLiteral("mainToolBar"));
    main->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    main->addAction(connectAction);
    main->addAction(open);
    m_recordAction->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    main->addAction(m_recordAction);
    main->addAction(m_demoAction);
    main->addAction(m_followAction);
    main->addSeparator();
    main->addWidget(new QLabel(tr(" Showing "), main));
    m_viewSelect = new QComboBox(main);
    m_viewSelect->setToolTip(
        tr("Which events the window shows: the live session or the opened recording (Ctrl+1, Ctrl+2)"));
    m_viewSelect->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    main->addWidget(m_viewSelect);
    connect(m_viewSelect, &QComboBox::activated, this, [this](int i) { showLive(i == 0); });

    auto *replay = addToolBar(tr("Replay"));
    replay->setObjectName(QStringLiteral("replayToolBar"));
    m_replay = new ReplayControls(replay);
    connect(m_replay, &ReplayControls::started, this, [this] {
        showLive(true);
        statusBar()->showMessage(
            tr("Replaying %1 onto the embedded bus").arg(QString::fromStdString(m_recording->report().path)), 5000);
    });
    connect(m_replay, &ReplayControls::failed, this,
            [this](const QString &message) { showError(tr("Cannot replay"), message); });

    m_timeBar = new TimeCursorBar(this);
    addToolBar(Qt::BottomToolBarArea, m_timeBar);
    m_timeBar->hide(); // while no recording is open
    connect(m_timeBar, &TimeCursorBar::cursorRequested, this, &MainWindow::moveTimeCursor);
    connect(m_timeBar, &TimeCursorBar::showAllRequested, this, &MainWindow::showWholeRecording);
    view->addSeparator();
    view->addAction(m_timeBar->toggleViewAction());
}

void MainWindow::buildStatusBar()
{
    m_status = new SessionStatus(statusBar());
    connect(m_status, &SessionStatus::cancelLoadRequested, this, [this] {
        if (m_load)
            m_load->cancel();
    });
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
    o.store.memoryCap = size_t(settings.value(QStringLiteral("live/memoryCapMiB"), 4096).toULongLong()) * 1024 * 1024;
    // A head start for the first million events: the store's indexes do not pause to grow
    // under a flood until then (costs about 32 MiB for the id table's slots).
    o.store.reserveEvents = 1'000'000;
    m_live = std::make_unique<Workspace>(std::move(o));
    if (options.bus) {
        std::string error;
        if (!m_live->session()->startBus(options.busOptions, error)) {
            m_busError = QString::fromStdString(error);
            statusBar()->showMessage(tr("The embedded bus did not start: %1").arg(m_busError), 15000);
        } else {
            for (const std::string &w : m_live->session()->bus()->warnings())
                statusBar()->showMessage(QString::fromStdString(w), 15000);
        }
    }
    if (const EmbeddedBus *bus = m_live->session()->bus(); bus && bus->isRunning())
        m_replay->setBus(m_live->context(), bus->publishersEndpoint());
    m_connections->setSession(m_live->session());
    for (const ZmqSource::Endpoint &e : options.connect)
        m_connections->addEndpoint(e);
    display(m_live.get());
}

void MainWindow::display(Workspace *workspace)
{
    if (m_compare && m_shown && workspace != m_shown) {
        // Its left side (and right, within one workspace) is the workspace shown until now.
        m_compare->hide();
        m_compare->clearRight();
        m_compareOther.reset();
    }
    m_shown = workspace;
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

// --- compare ------------------------------------------------------------------------------------

CompareView *MainWindow::compareWindow()
{
    if (!m_compare) {
        m_compare = new CompareView(this);
        m_compare->setWindowFlag(Qt::Window);
        m_compare->setWindowTitle(tr("Compare flows — EventLens"));
        m_compare->resize(1400, 820);
        connect(m_compare, &CompareView::eventActivated, this, [this](CompareView::Side side, uint32_t index) {
            if (side == CompareView::Left || !m_compareOther) // an event of the shown workspace
                selectEvent(index);
        });
    }
    return m_compare;
}

QString MainWindow::shownName() const
{
    if (!m_shown || m_shown->isLive())
        return tr("Live session");
    const QString file = m_recording ? QFileInfo(qs(m_recording->report().path)).fileName() : QString();
    if (m_cursor && m_shown == &m_cursor->view())
        return tr("%1 as of %2").arg(file, qs(formatClock(m_cursor->cursorNs())));
    return file;
}

void MainWindow::compareFlows()
{
    if (!m_shown)
        return;
    const EventStore &store = m_shown->store();
    if (store.correlationCount() < 2) {
        showError(tr("Cannot compare"), tr("%1 has fewer than two flows.").arg(shownName()));
        return;
    }
    m_compareLoad.reset();
    CompareView *c = compareWindow();
    c->clearRight();
    m_compareOther.reset();
    const std::string left =
        m_selectedCorrelation.empty() ? std::string(store.correlationName(0)) : m_selectedCorrelation;
    c->setLeft(store, shownName());
    c->setRight(store, shownName());
    c->setFlows(left, matchingFlow(store, left, store));
    c->show();
    c->raise();
    c->activateWindow();
}

void MainWindow::compareWithRecording(const QString &path)
{
    m_compareLoad = std::make_unique<WorkspaceLoad>(path.toStdString(), [this] {
        QMetaObject::invokeMethod(this, &MainWindow::compareLoadFinished, Qt::QueuedConnection);
    });
    statusBar()->showMessage(tr("Opening %1 to compare…").arg(QFileInfo(path).fileName()));
}

void MainWindow::compareLoadFinished()
{
    if (!m_compareLoad || !m_compareLoad->isFinished() || !m_shown)
        return;
    std::string error;
    const QString path = qs(m_compareLoad->path());
    std::unique_ptr<Workspace> other = m_compareLoad->take(error);
    m_compareLoad.reset();
    if (!other) {
        if (error != "cancelled")
            showError(tr("Cannot compare"), qs(error));
        emit compareReady(qs(error));
        return;
    }
    CompareView *c = compareWindow();
    c->clearRight(); // before the recording it shows goes
    m_compareOther = std::move(other);
    const EventStore &store = m_shown->store();
    const std::string left = m_selectedCorrelation.empty() && store.correlationCount()
                                 ? std::string(store.correlationName(0))
                                 : m_selectedCorrelation;
    c->setLeft(store, shownName());
    c->setRight(m_compareOther->store(), QFileInfo(path).fileName());
    c->setFlows(left, matchingFlow(store, left, m_compareOther->store()));
    c->show();
    c->raise();
    c->activateWindow();
    statusBar()->clearMessage();
    emit compareReady(QString());
}

// --- time travel --------------------------------------------------------------------------------

bool MainWindow::moveTimeCursor(int64_t ns)
{
    if (!m_recording)
        return false;
    const bool fresh = !m_cursor;
    if (fresh)
        m_cursor = std::make_unique<TimeCursor>(*m_recording);
    const bool restarted = m_cursor->moveTo(ns);
    if (fresh || restarted || m_shown != &m_cursor->view())
        displayKeepingSelection(&m_cursor->view());
    pollTimeCursor(); // what is near shows at once; a far move catches up over the next ticks
    return true;
}

void MainWindow::showWholeRecording()
{
    if (!m_recording)
        return;
    if (m_cursor) {
        if (m_shown == &m_cursor->view())
            displayKeepingSelection(m_recording.get());
        m_cursor.reset();
    }
    refreshTimeBar();
}

void MainWindow::displayKeepingSelection(Workspace *workspace)
{
    // The same event (by id) in the other store, or once it arrives there; else its flow.
    std::string id = m_pendingSelection;
    if (m_shown && m_selectedEvent != EventStore::kNone && m_shown->store().contains(m_selectedEvent))
        id = std::string(m_shown->store().eventId(m_selectedEvent));
    const std::string correlation = m_selectedCorrelation;
    display(workspace);
    m_pendingSelection = id;
    if (!correlation.empty()) {
        m_selectedCorrelation = correlation;
        m_flowEventsShown = m_sequenceEventsShown = UINT64_MAX;
        refreshFlow();
    }
    selectPending();
}

void MainWindow::selectPending()
{
    if (m_pendingSelection.empty() || !m_shown)
        return;
    const uint32_t index = m_shown->store().find(m_pendingSelection);
    if (index != EventStore::kNone)
        selectEvent(index); // clears m_pendingSelection
}

void MainWindow::pollTimeCursor()
{
    if (!m_cursor)
        return;
    const Workspace::Update u = m_cursor->poll(kCursorBudget);
    if (m_shown == &m_cursor->view() && !u.empty()) {
        m_model->appended(u.firstEvent, u.endEvent, u.newRejects, u.droppedRejects);
        for (int v = int(View::Flow); v < int(View::Count); ++v)
            m_dirty[v] = true;
        if (m_followAction->isChecked() && m_model->rowCount() > 0)
            m_table->scrollToBottom();
        selectPending();
    }
    refreshTimeBar();
}

void MainWindow::refreshTimeBar()
{
    if (!m_recording) {
        m_timeBar->hide();
        return;
    }
    if (!m_cursor) {
        m_timeBar->setInactive(m_recording->store().size());
        return;
    }
    m_timeBar->setPosition(m_cursor->cursorNs(), m_cursor->eventsInView(), m_cursor->eventsAsOf(),
                           m_cursor->totalEvents());
    m_timeBar->setNeighbours(m_cursor->previousEventNs(), m_cursor->nextEventNs());
}

bool MainWindow::follows(const Workspace *workspace) const
{
    // Rows arrive at the bottom of a live session and of a time-travel view.
    return workspace && (workspace->isLive() || (m_cursor && workspace == &m_cursor->view()));
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
    if (!session || !session->isRecording())
        return {};
    const Session::RecordingResult r = session->stopRecording();
    const QSignalBlocker block(m_recordAction);
    m_recordAction->setChecked(false);
    m_status->hideRecording();
    if (!r.error.empty()) {
        showError(tr("The recording is incomplete"), QString::fromStdString(r.error));
        return QString::fromStdString(r.error);
    }
    const QString message = tr("Recorded %1 events to %2%3")
                                .arg(grouped(r.events), QString::fromStdString(r.path),
                                     r.rejected ? tr(" (%1 rejected messages beside it)").arg(r.rejected) : QString());
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
    m_status->update(*m_shown, m_live ? m_live->session()->bus() : nullptr, m_busError, m_replay->isReplaying());
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
        return m_throughput->chart()->exportImage(path, error);
    case Export::LagImage:
        m_lag->setLag(store, m_shown->lag()); // hidden docks are not refreshed
        return m_lag->chart()->exportImage(path, error);
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
        setWindowTitle(tr("%1 — EventLens").arg(QFileInfo(QString::fromStdString(m_recording->report().path)).fileName()));
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
