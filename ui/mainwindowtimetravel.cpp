// MainWindow: time travel over the opened recording (core's TimeCursor, the TimeCursorBar).
#include "ui/mainwindow.h"

#include "core/textformat.h"
#include "core/timecursor.h"
#include "core/workspace.h"
#include "ui/eventtablemodel.h"
#include "ui/timecursorbar.h"

#include <QTableView>

namespace eventlens {

namespace {
/// Time travel catching up with a cursor moved far: more per tick (nothing else floods in).
constexpr auto kCursorBudget = std::chrono::milliseconds(12);
} // namespace

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

} // namespace eventlens
