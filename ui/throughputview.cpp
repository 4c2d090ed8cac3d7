#include "ui/throughputview.h"

#include "core/textformat.h"
#include "ui/palette.h"
#include "ui/timeserieschart.h"
#include "ui/uitext.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <chrono>

namespace eventlens {

namespace {
constexpr size_t kMaxLines = 10; ///< the busiest 9 and "N others" past that
constexpr int kMinBins = 200;    ///< however narrow the chart
} // namespace

ThroughputView::ThroughputView(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto *bar = new QHBoxLayout;
    m_key = new QComboBox(this);
    m_key->addItem(tr("per event type"), int(ThroughputKey::Type));
    m_key->addItem(tr("per source"), int(ThroughputKey::Source));
    m_key->addItem(tr("per topic"), int(ThroughputKey::Topic));
    m_window = new QComboBox(this);
    m_window->addItem(tr("last minute"), 60);
    m_window->addItem(tr("last 10 minutes"), 600);
    m_window->addItem(tr("last hour"), 3600);
    m_window->addItem(tr("everything"), 0);
    m_window->setCurrentIndex(3);
    m_clock = new QComboBox(this);
    m_clock->addItem(tr("by event time"), int(ThroughputClock::Event));
    m_clock->addItem(tr("by receive time"), int(ThroughputClock::Received));
    m_style = new QComboBox(this);
    m_style->addItem(tr("lines"), false);
    m_style->addItem(tr("stacked areas"), true);
    m_style->setToolTip(tr("Stacked: each series on top of the busier ones, the top edge is the total"));
    m_bin = new QLabel(this);
    m_bin->setStyleSheet(QStringLiteral("color: #666"));
    bar->addWidget(m_key);
    bar->addWidget(m_window);
    bar->addWidget(m_clock);
    bar->addWidget(m_style);
    bar->addStretch();
    bar->addWidget(m_bin);
    layout->addLayout(bar);
    m_chart = new TimeSeriesChart(this);
    layout->addWidget(m_chart, 1);
    for (QComboBox *c : {m_key, m_window, m_clock})
        connect(c, &QComboBox::activated, this, &ThroughputView::settingsChanged);
    connect(m_style, &QComboBox::activated, this, [this] { m_chart->setStacked(m_style->currentData().toBool()); });
}

void ThroughputView::setStacked(bool stacked)
{
    m_style->setCurrentIndex(m_style->findData(stacked));
    m_chart->setStacked(stacked);
}

bool ThroughputView::isStacked() const
{
    return m_chart->isStacked();
}

void ThroughputView::setGrouping(ThroughputKey key)
{
    m_key->setCurrentIndex(m_key->findData(int(key)));
    emit settingsChanged();
}

void ThroughputView::setWindow(int seconds)
{
    m_window->setCurrentIndex(m_window->findData(seconds));
    emit settingsChanged();
}

QString ThroughputView::title() const
{
    QString t = tr("events/s %1, %2").arg(m_key->currentText(), m_clock->currentText());
    if (m_chart->isStacked())
        t += tr(", stacked");
    if (!m_bin->text().isEmpty())
        t += QStringLiteral(" (%1)").arg(m_bin->text());
    return t;
}

QString ThroughputView::binText() const
{
    return m_bin->text();
}

void ThroughputView::clear()
{
    m_chart->setSeries({}, QString());
    m_bin->clear();
}

void ThroughputView::setThroughput(const ThroughputAnalyzer &throughput)
{
    const auto key = static_cast<ThroughputKey>(m_key->currentData().toInt());
    const auto clock = static_cast<ThroughputClock>(m_clock->currentData().toInt());
    const int seconds = m_window->currentData().toInt();
    // A live session keeps rolling windows only (bounded memory): there "everything" is the
    // shortest window that holds all it has seen, up to the last hour.
    const bool capped = seconds == 0 && !throughput.options().keepHistory;
    ThroughputAnalyzer::Result r;
    if (capped) {
        for (const int s : {60, 600, 3600}) {
            r = throughput.window(key, clock, std::chrono::seconds(s));
            if (r.firstNs == kNoTime || r.firstNs >= r.fromNs)
                break;
        }
    } else {
        // No more bins than the chart has room for: one every two pixels.
        const size_t room = size_t(std::max(kMinBins, m_chart->width() / 2));
        r = seconds > 0 ? throughput.window(key, clock, std::chrono::seconds(seconds))
                        : throughput.bins(key, clock, 0, room);
    }
    std::vector<TimeSeriesChart::Series> series;
    if (r.binNs > 0) {
        const double perSecond = 1e9 / double(r.binNs);
        // "Everything" of a live session starts with its first event, not with the window
        // that holds it: the bins before are empty by definition.
        const int64_t fromNs = capped && r.firstNs != kNoTime ? r.firstNs - r.binNs : INT64_MIN;
        auto keep = [fromNs](const ThroughputAnalyzer::Point &p) { return p.startNs > fromNs; };
        // The busiest lines, and the rest summed as one: forty lines are read by nobody (and
        // drawn slowly). r.series is sorted by total, most first.
        const size_t shown = r.series.size() > kMaxLines ? kMaxLines - 1 : r.series.size();
        for (size_t i = 0; i < shown; ++i) {
            const ThroughputAnalyzer::Series &s = r.series[i];
            TimeSeriesChart::Series out;
            out.name = elided(s.name); // a legend lays its names out whole
            // A service has its colour everywhere (darker: the palette is for fills, lines need
            // depth); event types and topics have colours of their own, never a service's.
            out.color = key == ThroughputKey::Source ? colorForSource(s.name).darker(160) : colorForSeries(s.name);
            out.points.reserve(s.points.size());
            for (const ThroughputAnalyzer::Point &p : s.points)
                if (keep(p))
                    out.points.emplace_back(double(p.startNs / 1'000'000), double(p.count) * perSecond);
            series.push_back(std::move(out));
        }
        if (shown < r.series.size()) {
            TimeSeriesChart::Series other;
            other.name = tr("%1 others").arg(r.series.size() - shown); // at least two
            other.color = QColor(0x75, 0x75, 0x75);
            std::vector<uint64_t> counts(r.series[shown].points.size(), 0);
            for (size_t i = shown; i < r.series.size(); ++i)
                for (size_t b = 0; b < counts.size() && b < r.series[i].points.size(); ++b)
                    counts[b] += r.series[i].points[b].count;
            other.points.reserve(counts.size());
            for (size_t b = 0; b < counts.size(); ++b)
                if (keep(r.series[shown].points[b]))
                    other.points.emplace_back(double(r.series[shown].points[b].startNs / 1'000'000),
                                              double(counts[b]) * perSecond);
            series.push_back(std::move(other));
        }
    }
    m_chart->setSeries(series, tr("events/s"));
    QString bin = r.binNs > 0 ? tr("bin %1").arg(qs(formatDuration(r.binNs))) : QString();
    if (capped && !bin.isEmpty())
        bin += tr(" · live: the last %1").arg(qs(formatDuration(r.toNs - r.fromNs)));
    m_bin->setText(bin);
}

} // namespace eventlens
