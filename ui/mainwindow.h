#pragma once

#include "core/demo.h"
#include "core/embeddedbus.h"
#include "core/eventstore.h"
#include "core/zmqsource.h"
#include "ui/startoptions.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QStackedWidget;
class QTableView;

namespace eventlens {

class ConnectionDialog;
class DemoPanel;
class DetailsPane;
class EventTableModel;
class FilterBar;
class CompareView;
class FlowGraphView;
class LagTimelineView;
class ProblemsPane;
class ReplayControls;
class SequenceView;
class SessionStatus;
class ThroughputView;
class TimeCursor;
class TimeCursorBar;
class TopologyView;
class Workspace;
class WorkspaceLoad;

/// The EventLens window: the event table in the centre with its filter bar; Details, Flow
/// graph, Topology, Problems and Demo as dockable panes; toolbar and status bar. It shows
/// one workspace at a time — the live session (embedded bus, ZeroMQ endpoints, demo) or an
/// opened recording — and can replay the recording onto the bus.
///
/// GUI thread. It never decodes and never touches a socket: the live session is polled on a
/// 30 Hz timer with a time budget, recordings load on a thread of their own (WorkspaceLoad),
/// and views repaint only when their data changed and they are visible.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const StartOptions &options = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a recording in the background (progress in the status bar, cancellable).
    void openRecording(const QString &path);
    /// Starts a demo on the embedded bus; false (with a message shown) when it cannot.
    bool startDemo(DemoSystem::Scenario scenario);
    void stopDemo();
    /// Records everything the live session receives to `path` (what Record does after asking
    /// where); false, with a message shown, when the file cannot be written.
    bool startRecording(const QString &path);
    /// Completes the recording; returns what the status bar says about it (empty if none).
    QString stopRecording();
    enum class Export {
        TableJsonl,
        TableCsv,
        FlowDot,
        FlowImage,
        SequenceImage,
        TopologyImage,
        ThroughputImage,
        LagImage
    };
    /// Writes what the window shows: the table's rows (as filtered), the selected flow, the
    /// service map, a chart. Images take their format from the file name (the graphs: .svg or
    /// .png; charts: .png). False, with `error`, when there is nothing to write or the file fails.
    bool exportTo(Export what, const QString &path, QString &error);
    /// Selects an event everywhere: table row, details, flow graph.
    void selectEvent(uint32_t index);
    /// Sets the table's filter as if typed in the filter bar.
    void setFilterText(const QString &query);
    /// Shows the live session (true) or the opened recording (false; as of the time cursor
    /// when one is set).
    void showLive(bool live);
    /// Time travel: shows the opened recording as of `ns` (TimeCursor) in every view, keeping
    /// the selected event (or its flow) in view; what is stamped up to there arrives over the
    /// next ticks when it is a lot. False when no recording is open.
    bool moveTimeCursor(int64_t ns);
    /// Leaves time travel: shows the whole recording again.
    void showWholeRecording();
    /// Compare: the selected flow (or the first) beside the most similar other flow of the
    /// shown workspace (during time travel: of the whole recording), differences marked, in a
    /// window of its own (CompareView). It closes when the window shows another workspace.
    void compareFlows();
    /// Compare: the selected flow beside the most similar flow of another recording, opened
    /// in the background (compareReady() when it is shown).
    void compareWithRecording(const QString &path);

    // --- for tests and the benchmark ---------------------------------------------------------
    EventTableModel *tableModel() const { return m_model; }
    QTableView *tableView() const { return m_table; }
    FilterBar *filterBar() const { return m_filter; }
    DetailsPane *detailsPane() const { return m_details; }
    FlowGraphView *flowView() const { return m_flow; }
    SequenceView *sequenceView() const { return m_sequence; }
    TopologyView *topologyView() const { return m_topology; }
    ThroughputView *throughputView() const { return m_throughput; }
    LagTimelineView *lagView() const { return m_lag; }
    ProblemsPane *problemsPane() const { return m_problems; }
    DemoPanel *demoPanel() const { return m_demoPanel; }
    ConnectionDialog *connectionDialog() const { return m_connections; }
    Workspace *liveWorkspace() const { return m_live.get(); }
    Workspace *recordingWorkspace() const { return m_recording.get(); }
    Workspace *shownWorkspace() const { return m_shown; }
    TimeCursor *timeCursor() const { return m_cursor.get(); } ///< nullptr outside time travel
    TimeCursorBar *timeCursorBar() const { return m_timeBar; }
    CompareView *compareView() const { return m_compare; } ///< nullptr until a comparison was asked for
    DemoSystem *demo() const { return m_demo.get(); }
    bool isLoading() const { return m_load != nullptr; }
    /// The status bar's text, joined (what a person reads there).
    QString statusText() const;
    /// The bus's error when it could not start (empty when it runs or was not asked for).
    QString busError() const { return m_busError; }

signals:
    /// A recording finished loading (or failed: `error` says why).
    void recordingOpened(const QString &path, const QString &error);
    /// The recording to compare with was opened and compared (or not: `error` says why).
    void compareReady(const QString &error);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    enum class View { Table, Flow, Topology, Problems, Status, Throughput, Lag, Count };

    void buildActions();
    void buildViews();
    void buildStatusBar();
    void startLive(const StartOptions &options);
    void display(Workspace *workspace);
    void closeCompare(); ///< hides the compare window and lets go of what it compares
    void displayKeepingSelection(Workspace *workspace);
    CompareView *compareWindow();
    void compareLoadFinished();
    Workspace *comparable() const;                    ///< what a comparison takes as its left side
    QString nameOf(const Workspace *workspace) const; ///< "Live session", or the recording's file name
    void selectPending();
    void pollTimeCursor();
    void refreshTimeBar();
    bool follows(const Workspace *workspace) const;
    void tick();
    void refreshViews(bool force);
    void refreshFlow();
    void refreshStatus();
    void loadFinished();
    void toggleRecording(bool on);
    void currentRowChanged(int row);
    void pauseFollowing();
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void updateWelcome();
    void updateTitle();
    void showError(const QString &title, const QString &message);
    void bringPaneToFront(QDockWidget *pane);
    static bool isPaneInFront(const QDockWidget *pane);

    std::unique_ptr<Workspace> m_live;
    std::unique_ptr<Workspace> m_recording;
    Workspace *m_shown = nullptr;
    std::unique_ptr<DemoSystem> m_demo;
    std::unique_ptr<WorkspaceLoad> m_load;
    std::unique_ptr<TimeCursor> m_cursor;      ///< time travel over m_recording
    std::unique_ptr<Workspace> m_compareOther; ///< the recording compared with (right side)
    Workspace *m_compared = nullptr;           ///< the compare window's left side (and right, within one)
    std::unique_ptr<WorkspaceLoad> m_compareLoad;
    std::string m_pendingSelection; ///< an eventId to select once the time-travel view holds it
    QString m_busError;

    // views
    EventTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QStackedWidget *m_centre = nullptr;
    QWidget *m_welcome = nullptr;
    QLabel *m_welcomeText = nullptr;
    FilterBar *m_filter = nullptr;
    DetailsPane *m_details = nullptr;
    FlowGraphView *m_flow = nullptr;
    SequenceView *m_sequence = nullptr;
    TopologyView *m_topology = nullptr;
    ThroughputView *m_throughput = nullptr;
    LagTimelineView *m_lag = nullptr;
    CompareView *m_compare = nullptr;
    ProblemsPane *m_problems = nullptr;
    DemoPanel *m_demoPanel = nullptr;
    ConnectionDialog *m_connections = nullptr;
    QDockWidget *m_detailsDock = nullptr, *m_flowDock = nullptr, *m_topologyDock = nullptr, *m_problemsDock = nullptr,
                *m_demoDock = nullptr, *m_throughputDock = nullptr, *m_sequenceDock = nullptr, *m_lagDock = nullptr;

    // actions and controls
    QAction *m_recordAction = nullptr, *m_demoAction = nullptr, *m_followAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QComboBox *m_viewSelect = nullptr;
    ReplayControls *m_replay = nullptr;
    TimeCursorBar *m_timeBar = nullptr;

    SessionStatus *m_status = nullptr;

    // what is selected and what needs repainting
    uint32_t m_selectedEvent = EventStore::kNone;
    std::string m_selectedCorrelation;
    uint64_t m_flowEventsShown = 0;     ///< the selected flow's size when its graph was built
    uint64_t m_sequenceEventsShown = 0; ///< the same for the sequence view
    bool m_dirty[int(View::Count)] = {};
    QElapsedTimer m_lastRefresh[int(View::Count)];
    QTimer m_tick;
};

} // namespace eventlens
