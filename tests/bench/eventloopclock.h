#pragma once

// What the GUI benchmarks share: samples in milliseconds with their nearest-rank
// percentiles, and the event loop's lateness measured by a 16 ms timer on the GUI thread
// (how long a repaint or a keystroke would have waited).

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace eventlens::bench {

struct Samples {
    std::vector<double> ms;
    /// The nearest-rank p-th percentile (p in (0, 100]); 0 when empty.
    double at(double p)
    {
        if (ms.empty())
            return 0;
        std::sort(ms.begin(), ms.end());
        const size_t rank = size_t(std::ceil(p / 100.0 * double(ms.size())));
        return ms[std::clamp<size_t>(rank, 1, ms.size()) - 1];
    }
};

inline constexpr int kTimerMs = 16;

/// Runs the event loop for `ms` (or until `done`), measuring a 16 ms timer's lateness.
inline Samples measureLateness(int ms, const std::function<bool()> &done = {})
{
    Samples l;
    QElapsedTimer since, total;
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    QEventLoop loop;
    QObject::connect(&timer, &QTimer::timeout, &loop, [&] {
        const double interval = double(since.nsecsElapsed()) / 1e6;
        since.restart();
        l.ms.push_back(std::max(0.0, interval - kTimerMs));
        if (total.elapsed() > ms || (done && done()))
            loop.quit();
    });
    since.start();
    total.start();
    timer.start(kTimerMs);
    loop.exec();
    return l;
}

} // namespace eventlens::bench
