// MainWindow: comparing two flows (of the shown workspace, or with another recording).
#include "ui/mainwindow.h"

#include "core/flowcompare.h"
#include "core/textformat.h"
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

} // namespace eventlens
