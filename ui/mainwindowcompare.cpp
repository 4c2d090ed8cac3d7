// MainWindow: comparing two flows (of the shown workspace, or with another recording).
#include "ui/mainwindow.h"

#include "core/flowcompare.h"
#include "core/timecursor.h"
#include "core/workspace.h"
#include "core/workspaceload.h"
#include "ui/compareview.h"
#include "ui/uitext.h"

#include <QFileInfo>
#include <QStatusBar>

namespace eventlens {

// --- compare ------------------------------------------------------------------------------------

CompareView *MainWindow::compareWindow()
{
    if (!m_compare) {
        m_compare = new CompareView(this);
        m_compare->setWindowFlag(Qt::Window);
        m_compare->setWindowTitle(tr("Compare flows — EventLens"));
        m_compare->resize(1400, 820);
        connect(m_compare, &CompareView::eventActivated, this, [this](CompareView::Side side, uint32_t index) {
            // An event of the compared workspace (the right side too, within one): selected in
            // the one shown, by id (time travel shows a copy of the recording).
            if ((side != CompareView::Left && m_compareOther) || !m_compared || !m_shown)
                return;
            if (&m_shown->store() == &m_compared->store()) {
                selectEvent(index);
                return;
            }
            const uint32_t shown = m_shown->store().find(m_compared->store().eventId(index));
            if (shown != EventStore::kNone)
                selectEvent(shown);
            else
                statusBar()->showMessage(tr("That event is not in the view yet: move the time cursor on"), 5000);
        });
    }
    return m_compare;
}

Workspace *MainWindow::comparable() const
{
    // Time travel shows a copy of the recording that moving back replaces: compare the
    // recording itself, which stays.
    return m_cursor && m_shown == &m_cursor->view() ? m_recording.get() : m_shown;
}

QString MainWindow::nameOf(const Workspace *workspace) const
{
    if (!workspace || workspace->isLive())
        return tr("Live session");
    return QFileInfo(qs(workspace->report().path)).fileName();
}

void MainWindow::compareFlows()
{
    Workspace *compared = comparable();
    if (!compared)
        return;
    const EventStore &store = compared->store();
    if (store.correlationCount() < 2) {
        showError(tr("Cannot compare"), tr("%1 has fewer than two flows.").arg(nameOf(compared)));
        return;
    }
    m_compareLoad.reset();
    CompareView *c = compareWindow();
    c->clearRight();
    m_compareOther.reset();
    m_compared = compared;
    const std::string left =
        m_selectedCorrelation.empty() ? std::string(store.correlationName(0)) : m_selectedCorrelation;
    c->setLeft(store, nameOf(compared));
    c->setRight(store, nameOf(compared));
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
    Workspace *compared = comparable();
    if (!m_compareLoad || !m_compareLoad->isFinished() || !compared)
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
    m_compared = compared;
    const EventStore &store = compared->store();
    const std::string left = m_selectedCorrelation.empty() && store.correlationCount()
                                 ? std::string(store.correlationName(0))
                                 : m_selectedCorrelation;
    c->setLeft(store, nameOf(compared));
    c->setRight(m_compareOther->store(), QFileInfo(path).fileName());
    c->setFlows(left, matchingFlow(store, left, m_compareOther->store()));
    c->show();
    c->raise();
    c->activateWindow();
    statusBar()->clearMessage();
    emit compareReady(QString());
}

} // namespace eventlens
