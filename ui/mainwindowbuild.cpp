// MainWindow: its views, docks, menus, toolbars and status bar, and how they are connected.
#include "ui/mainwindow.h"

#include "core/eventfilter.h"
#include "core/flowgraph.h"
#include "core/textformat.h"
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
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace eventlens {

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
    // What a person selects (a click, the arrow keys), not the table's current row: a table
    // that gets the focus puts its current row on the first one without selecting it (as it
    // appears at the start of a demo), and that must neither select an event nor stop following.
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this](const QItemSelection &selected) {
                if (!selected.isEmpty())
                    currentRowChanged(selected.indexes().constFirst().row());
            });
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
                        std::pair{m_topologyDock, View::Topology}, std::pair{m_problemsDock, View::Problems},
                        std::pair{m_throughputDock, View::Throughput}, std::pair{m_lagDock, View::Lag}})
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
                    setFilterText(
                        QStringLiteral("source:%1 type:%2")
                            .arg(FilterBar::quoted(s.sourceName(producer)), FilterBar::quoted(s.typeName(eventType))));
                else
                    setFilterText(QStringLiteral("source:%1 cause.type:%2 cause.source:%3")
                                      .arg(FilterBar::quoted(s.sourceName(consumer)),
                                           FilterBar::quoted(s.typeName(eventType)),
                                           FilterBar::quoted(s.sourceName(producer))));
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
        setFilterText(QStringLiteral("source:%1").arg(FilterBar::quoted(m_shown->store().sourceName(source))));
    });
    connect(m_topology, &TopologyView::typeActivated, this, [this](uint16_t type) {
        setFilterText(QStringLiteral("type:%1").arg(FilterBar::quoted(m_shown->store().typeName(type))));
    });
    connect(m_problems, &ProblemsPane::eventsRequested, this, [this](const QStringList &ids) {
        if (ids.isEmpty() || !m_shown)
            return;
        // Jump to the events: the table shows exactly them, the first one selected.
        QStringList values;
        for (const QString &id : ids)
            values << FilterBar::quoted(id.toStdString());
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
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Compare with recording"), QString(),
                                         tr("Event recordings (*.jsonl *.json *.ndjson);;All files (*)"));
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
    // Alt+N brings its pane to the front: shown if it was closed, raised if it was tabbed
    // behind another, focused if it floats; pressed on the pane already in front, it closes it
    // (as Qt Creator's Alt+N does with its output panes). A dock's own toggleViewAction()
    // would close a pane that is merely tabbed behind another one.
    int key = Qt::Key_1;
    for (QDockWidget *d : {m_flowDock, m_detailsDock, m_topologyDock, m_problemsDock, m_demoDock, m_throughputDock,
                           m_sequenceDock, m_lagDock}) {
        auto *pane = new QAction(d->windowTitle(), this);
        pane->setObjectName(d->objectName() + QStringLiteral("Action"));
        pane->setCheckable(true);
        pane->setChecked(!d->isHidden());
        pane->setShortcut(QKeySequence(Qt::ALT | Qt::Key(key++)));
        pane->setToolTip(
            tr("Bring the %1 pane to the front; close it when it is in front already").arg(d->windowTitle().toLower()));
        connect(pane, &QAction::triggered, this, [this, d] { bringPaneToFront(d); });
        // The tick says whether the pane is open (in front or tabbed behind).
        connect(d->toggleViewAction(), &QAction::toggled, pane, &QAction::setChecked);
        view->addAction(pane);
    }

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
        const QString path = QString::fromStdString(m_recording->report().path);
        statusBar()->showMessage(
            m_replay->restamps()
                ? tr("Replaying %1 onto the embedded bus, restamped: each event gets the time it is replayed, "
                     "so the live session's times stay in order (untick restamp to keep the recorded times)")
                      .arg(path)
                : tr("Replaying %1 onto the embedded bus with its recorded timestamps").arg(path),
            8000);
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

bool MainWindow::isPaneInFront(const QDockWidget *pane)
{
    // A dock tabbed behind another is not drawn: nothing of it is visible on screen.
    return pane->isVisible() && !pane->visibleRegion().isEmpty();
}

void MainWindow::bringPaneToFront(QDockWidget *pane)
{
    if (isPaneInFront(pane) && (!pane->isFloating() || pane->isActiveWindow())) {
        pane->close();
        return;
    }
    pane->show();
    pane->raise(); // its tab becomes the current one
    if (pane->isFloating())
        pane->activateWindow();
}

void MainWindow::buildStatusBar()
{
    m_status = new SessionStatus(statusBar());
    connect(m_status, &SessionStatus::cancelLoadRequested, this, [this] {
        if (m_load)
            m_load->cancel();
    });
}

} // namespace eventlens
