#pragma once

#include "core/throughputanalyzer.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace eventlens {

class EventStore;
class TimeSeriesChart;

/// Events per second over time, one line per event type (or source, or topic) — the nine
/// busiest and "N others" summed when there are more than ten — or the same series as areas
/// stacked into the total, over a chosen window (1 min, 10 min, 1 h, or everything: then at
/// most one bin per two pixels of the chart), from the throughput analyzer; the bin width is
/// shown. GUI thread; call setThroughput() whenever the analyzer has more.
class ThroughputView : public QWidget {
    Q_OBJECT
public:
    explicit ThroughputView(QWidget *parent = nullptr);

    void setThroughput(const ThroughputAnalyzer &throughput);
    void clear();

    TimeSeriesChart *chart() const { return m_chart; } ///< (also a test hook)
    /// What the chart shows, for an exported image: "events/s per event type, by event time
    /// (bin 100 ms)".
    QString title() const;
    QString binText() const;             ///< e.g. "bin 100 ms · last 1 min"
    void setGrouping(ThroughputKey key); ///< what the combo does
    void setWindow(int seconds);         ///< 0 = everything
    /// Lines, or areas stacked in the order of the series (the busiest at the bottom), so the
    /// top edge is the total rate; what the "lines / stacked" combo does. Needs no new data.
    void setStacked(bool stacked);
    bool isStacked() const;

signals:
    /// The person changed the grouping or the window: call setThroughput() again.
    void settingsChanged();

private:
    TimeSeriesChart *m_chart;
    QComboBox *m_key, *m_window, *m_clock, *m_style;
    QLabel *m_bin;
};

} // namespace eventlens
