// eventlens_screenshots: takes the README's screenshots of the real window, on a real display
// (run under Xvfb: `Xvfb :99 -screen 0 1600x1000x24 & DISPLAY=:99 eventlens_screenshots DIR`).
// Not a test: it drives the app the way a person would and captures the screen.
//
//   demo.png       the order-saga demo running, a payment that failed selected
//   recording.png  tests/data/orders.jsonl opened, the saga of its first failed payment selected
//   throughput.png the demo's events per second, per event type
//   topology.png   the same recording's service map, its dock enlarged
//   timetravel.png the same recording as of the moment its first payment failed
//   sequence.png   that failed saga as a sequence diagram, one lane per service
//   lag.png        the recording's reaction lag for one consumer, with an SLA
//   compare.png    the failed saga beside the most similar flow, differences marked
#include "core/eventstore.h"
#include "core/workspace.h"
#include "ui/compareview.h"
#include "ui/eventtablemodel.h"
#include "ui/lagtimelineview.h"
#include "ui/mainwindow.h"
#include "ui/sequenceview.h"
#include "ui/topologyview.h"
#include "ui/uitext.h"

#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QScreen>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>

using namespace eventlens;

namespace {

void wait(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

bool shoot(QWidget &window, const QString &path)
{
    wait(600); // let the 30 Hz refresh and the graphs catch up
    const QPixmap shot = window.screen()->grabWindow(window.winId());
    const bool ok = !shot.isNull() && shot.save(path);
    std::printf("%s %s (%dx%d)\n", ok ? "wrote" : "FAILED", qPrintable(path), shot.width(), shot.height());
    return ok;
}

/// The first event of `type` in the shown workspace, selected everywhere.
bool selectFirst(MainWindow &w, std::string_view type)
{
    const EventStore &s = w.shownWorkspace()->store();
    const auto events = s.ofType(s.findType(type));
    if (events.empty())
        return false;
    w.selectEvent(events.front());
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // the user's saved layout stays out of it
    QApplication::setApplicationName(QStringLiteral("eventlens-screenshots"));
    const QString dir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(".");

    StartOptions options;
    options.busOptions = {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"};
    options.restoreLayout = false;
    MainWindow w(options);
    w.setGeometry(0, 0, 1600, 1000);
    w.show();
    wait(300);

    bool ok = true;
    // 1. The demo, running for a few seconds, a failed payment selected.
    if (!w.startDemo(DemoSystem::Scenario::OrderSaga))
        return 2;
    wait(6000);
    ok &= selectFirst(w, "payment.failed");
    wait(800); // the saga's compensation arrives
    ok &= shoot(w, dir + QStringLiteral("/demo.png"));
    // 1b. The same demo's throughput, per event type.
    for (QDockWidget *d : w.findChildren<QDockWidget *>())
        if (d->objectName() == QLatin1String("throughputDock"))
            d->raise();
    wait(1500);
    ok &= shoot(w, dir + QStringLiteral("/throughput.png"));
    w.stopDemo();

    // 2. A recording, the saga of its first failed payment selected.
    QSignalSpy opened(&w, &MainWindow::recordingOpened);
    w.openRecording(QStringLiteral(EVENTLENS_TEST_DATA "/orders.jsonl"));
    if (!opened.wait(20000))
        return 2;
    for (QDockWidget *d : w.findChildren<QDockWidget *>())
        d->setVisible(d->objectName() != QLatin1String("demoDock"));
    wait(300);
    ok &= selectFirst(w, "payment.failed");
    ok &= shoot(w, dir + QStringLiteral("/recording.png"));

    // 3. The topology, given most of the window.
    for (QDockWidget *d : w.findChildren<QDockWidget *>())
        if (d->objectName() == QLatin1String("topologyDock")) {
            d->raise();
            w.resizeDocks({d}, {620}, Qt::Vertical);
        }
    wait(300);
    w.topologyView()->fitToView(); // what F does
    ok &= shoot(w, dir + QStringLiteral("/topology.png"));

    // 4. Time travel: the recording as of the moment its first payment failed; the flow graph
    // shows the saga up to there (the compensation has not happened yet).
    for (QDockWidget *d : w.findChildren<QDockWidget *>())
        if (d->objectName() == QLatin1String("topologyDock"))
            w.resizeDocks({d}, {300}, Qt::Vertical);
    {
        const EventStore &s = w.recordingWorkspace()->store();
        const auto failed = s.ofType(s.findType("payment.failed"));
        if (failed.empty())
            return 2;
        w.selectEvent(failed.front());
        w.moveTimeCursor(s.record(failed.front()).timestampNs);
    }
    wait(500);
    ok &= shoot(w, dir + QStringLiteral("/timetravel.png"));
    w.showWholeRecording();

    // 5. The failed saga as a sequence diagram, its dock given room.
    QDockWidget *sequenceDock = w.findChild<QDockWidget *>(QStringLiteral("sequenceDock"));
    sequenceDock->raise();
    w.resizeDocks({sequenceDock}, {760}, Qt::Horizontal);
    wait(300);
    w.sequenceView()->fitToView(); // what F does
    wait(100);
    ok &= shoot(w, dir + QStringLiteral("/sequence.png"));
    w.resizeDocks({sequenceDock}, {480}, Qt::Horizontal);

    // 6. Reaction lag: the consumer with the slowest p99, over a 250 ms SLA.
    QDockWidget *lagDock = w.findChild<QDockWidget *>(QStringLiteral("lagDock"));
    lagDock->raise();
    w.resizeDocks({lagDock}, {560}, Qt::Vertical);
    wait(300);
    {
        LagTimelineView *lag = w.lagView();
        QString busiest;
        int64_t slowest = -1;
        for (const LagStats &st : w.recordingWorkspace()->lag().stats())
            if (st.p99Ns > slowest) {
                slowest = st.p99Ns;
                busiest = qs(w.recordingWorkspace()->store().sourceName(st.consumer));
            }
        lag->setConsumer(busiest);
        lag->setSlaMs(250);
    }
    wait(300);
    ok &= shoot(w, dir + QStringLiteral("/lag.png"));

    // 7. Compare: the failed saga beside the flow most like it.
    w.compareFlows();
    if (CompareView *compare = w.compareView()) {
        compare->setGeometry(0, 0, 1600, 900);
        wait(500);
        ok &= shoot(*compare, dir + QStringLiteral("/compare.png"));
    } else {
        ok = false;
    }
    return ok ? 0 : 1;
}
