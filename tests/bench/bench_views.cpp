// bench_views: do the charts and the time cursor stay interactive on a big recording?
//
// The case: a 10-minute recording at 2 000 events/s (1.2M events, generated, about
// 330 bytes a line). Opened in a workspace, then:
//
//  1. Chart refresh: the throughput view redrawn from its analyzer (one replace() per series,
//     then a synchronous paint of the widget), for every window (1 min, 10 min, 1 h,
//     everything) and grouping (type, source, topic), and the lag timeline for every
//     consumer, --runs times each. Baseline, in the same run: the throughput points handed to
//     a bare Qt Charts chart (QLineSeries::replace() and a paint), what any chart of that data
//     costs at least. The must: p99 < 30 ms over all refreshes.
//  2. Time travel in the real window (every dock shown): how long the view takes to catch up
//     with a cursor moved to the middle, then the event loop's lateness (a 16 ms timer) while
//     the cursor plays at ×10.
//
// With --check the exit code is 1 when the must fails.

#include "benchrecording.h"
#include "eventloopclock.h"

#include "core/timecursor.h"
#include "core/workspace.h"
#include "ui/lagtimelineview.h"
#include "ui/mainwindow.h"
#include "ui/throughputview.h"
#include "ui/timecursorbar.h"
#include "ui/timeserieschart.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QDockWidget>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QValueAxis>

#include <cstdio>

using namespace eventlens;

namespace {

constexpr double kMustP99Ms = 30;

double msSince(const QElapsedTimer &t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

/// The baseline: a bare Qt Charts line chart given the same series, refreshed the same way.
struct BareChart {
    QChart *chart = new QChart;
    QChartView view{chart};
    QDateTimeAxis *x = new QDateTimeAxis;
    QValueAxis *y = new QValueAxis;
    std::vector<QLineSeries *> series;

    BareChart()
    {
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        view.resize(1200, 420);
        view.show();
    }
    double refresh(const TimeSeriesChart &from)
    {
        const QStringList names = from.seriesNames();
        std::vector<QList<QPointF>> points;
        for (const QString &n : names) {
            const std::vector<QPointF> p = from.points(n);
            points.emplace_back(p.begin(), p.end());
        }
        QElapsedTimer t;
        t.start();
        while (series.size() < size_t(names.size())) {
            series.push_back(new QLineSeries);
            chart->addSeries(series.back());
            series.back()->attachAxis(x);
            series.back()->attachAxis(y);
        }
        double minX = 0, maxX = 0, maxY = 0;
        for (size_t i = 0; i < series.size(); ++i) {
            const QList<QPointF> &p = i < points.size() ? points[i] : QList<QPointF>();
            series[i]->replace(p);
            for (const QPointF &q : p) {
                minX = (minX == 0 || q.x() < minX) ? q.x() : minX;
                maxX = std::max(maxX, q.x());
                maxY = std::max(maxY, q.y());
            }
        }
        x->setRange(QDateTime::fromMSecsSinceEpoch(qint64(minX), Qt::UTC),
                    QDateTime::fromMSecsSinceEpoch(qint64(maxX), Qt::UTC));
        y->setRange(0, maxY * 1.1);
        view.repaint();
        return msSince(t);
    }
};

} // namespace

int main(int argc, char **argv)
{
    bench::BenchOptions o;
    o.events = 1'200'000;
    o.rate = 2000;
    o.runs = 10;
    if (!bench::parseBenchOptions(argc, argv, "bench_views", o))
        return 2;
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("EventLens-bench"));
    QStandardPaths::setTestModeEnabled(true);

    bench::BenchRecording recording;
    std::string error;
    if (!recording.prepare(o, "bench_views", error)) {
        std::fprintf(stderr, "bench_views: %s\n", error.c_str());
        return 2;
    }
    Workspace workspace;
    QElapsedTimer t;
    t.start();
    if (!workspace.loadRecording(recording.path(), {}, error)) {
        std::fprintf(stderr, "bench_views: %s\n", error.c_str());
        return 2;
    }
    const double loadMs = msSince(t);
    const EventStore &store = workspace.store();
    TimeCursor span(workspace);
    std::printf("bench_views: %zu events over %.0f s (%.0f events/s recorded), opened with its analyses in %.0f ms\n\n",
                store.size(), double(span.endNs() - span.startNs()) / 1e9,
                double(store.size()) / (double(span.endNs() - span.startNs()) / 1e9), loadMs);

    // --- 1. chart refresh ------------------------------------------------------------------------
    ThroughputView view;
    view.resize(1200, 460);
    view.show();
    BareChart bare;
    QCoreApplication::processEvents();
    bench::Samples ours, baseline;
    std::printf("  throughput view refresh (setThroughput + paint)   series  points    p50        p99        max\n");
    for (const ThroughputKey key : {ThroughputKey::Type, ThroughputKey::Source, ThroughputKey::Topic}) {
        view.setGrouping(key);
        for (const int window : {60, 600, 3600, 0}) {
            view.setWindow(window);
            bench::Samples one;
            for (int run = 0; run < o.runs; ++run) {
                t.restart();
                view.setThroughput(workspace.throughput());
                view.repaint();
                one.ms.push_back(msSince(t));
                baseline.ms.push_back(bare.refresh(*view.chart()));
            }
            ours.ms.insert(ours.ms.end(), one.ms.begin(), one.ms.end());
            size_t points = 0;
            for (const QString &n : view.chart()->seriesNames())
                points = std::max(points, view.chart()->points(n).size());
            const char *keyName = key == ThroughputKey::Type     ? "type"
                                  : key == ThroughputKey::Source ? "source"
                                                                 : "topic";
            std::printf("    per %-6s %-26s %6lld %7zu %7.2f ms %7.2f ms %7.2f ms\n", keyName,
                        qPrintable(view.binText()), static_cast<long long>(view.chart()->seriesNames().size()), points,
                        one.at(50), one.at(99), one.at(100));
            QCoreApplication::processEvents();
        }
    }
    // The lag timeline: percentile lines over time and a scatter of one consumer's reactions.
    LagTimelineView lagView;
    lagView.resize(1200, 460);
    lagView.show();
    lagView.setLag(store, workspace.lag());
    QCoreApplication::processEvents();
    std::printf("  lag timeline refresh (setLag + paint)    reactions drawn / of     p50        p99        max\n");
    for (const QString &consumer : lagView.consumers()) {
        lagView.setConsumer(consumer);
        bench::Samples one;
        for (int run = 0; run < o.runs; ++run) {
            t.restart();
            lagView.setLag(store, workspace.lag());
            lagView.repaint();
            one.ms.push_back(msSince(t));
        }
        ours.ms.insert(ours.ms.end(), one.ms.begin(), one.ms.end());
        std::printf("    %-24s %-30s %7.2f ms %7.2f ms %7.2f ms\n", qPrintable(consumer),
                    qPrintable(lagView.summaryText().left(30)), one.at(50), one.at(99), one.at(100));
        QCoreApplication::processEvents();
    }

    const double p99 = ours.at(99), baseP99 = baseline.at(99);
    std::printf("    all %zu chart refreshes (both views)                          %7.2f ms %7.2f ms %7.2f ms\n",
                ours.ms.size(), ours.at(50), p99, ours.at(100));
    std::printf("    bare Qt Charts, the throughput points (baseline)              %7.2f ms %7.2f ms %7.2f ms\n",
                baseline.at(50), baseP99, baseline.at(100));
    std::printf("    p99 ratio to the baseline: %.2fx\n\n", baseP99 > 0 ? p99 / baseP99 : 0);

    // --- 2. time travel in the window ------------------------------------------------------------
    StartOptions options;
    options.busOptions = {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"};
    options.restoreLayout = false;
    MainWindow window(options);
    window.resize(1600, 1000);
    window.show();
    QSignalSpy opened(&window, &MainWindow::recordingOpened);
    window.openRecording(QString::fromStdString(recording.path()));
    if (!opened.wait(600'000) || !opened.at(0).at(1).toString().isEmpty()) {
        std::fprintf(stderr, "bench_views: the window could not open the recording\n");
        return 2;
    }
    for (QDockWidget *d : window.findChildren<QDockWidget *>())
        if (d->objectName() != QLatin1String("demoDock"))
            d->show();
    bench::measureLateness(500);
    t.restart();
    window.moveTimeCursor(span.startNs() + (span.endNs() - span.startNs()) / 2);
    bench::Samples catchingUp =
        bench::measureLateness(600'000, [&] { return window.timeCursor() && window.timeCursor()->caughtUp(); });
    const double catchUpMs = msSince(t);
    const size_t half = window.timeCursor()->eventsAsOf();
    window.timeCursorBar()->setSpeed(10);
    window.timeCursorBar()->play();
    t.restart();
    bench::Samples playing = bench::measureLateness(5000);
    const size_t played = window.timeCursor()->eventsAsOf() - half;
    window.timeCursorBar()->pause();
    std::printf("  time travel in the window (every dock shown; a %d ms timer's lateness)  p50        p99        max\n",
                bench::kTimerMs);
    std::printf("    cursor to the middle: %zu events caught up in %.0f ms         %7.2f ms %7.2f ms %7.2f ms\n", half,
                catchUpMs, catchingUp.at(50), catchingUp.at(99), catchingUp.at(100));
    std::printf("    playing at x10 for %.1f s: %zu events                        %7.2f ms %7.2f ms %7.2f ms\n\n",
                msSince(t) / 1000, played, playing.at(50), playing.at(99), playing.at(100));

    const bool ok = p99 < kMustP99Ms;
    std::printf("  must: chart refresh p99 < %.0f ms on %zu events: %s (p99 %.2f ms)\n", kMustP99Ms, store.size(),
                ok ? "met" : "NOT met", p99);
    window.close();
    return o.check && !ok ? 1 : 0;
}
