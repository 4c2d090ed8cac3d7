#include "ui/lagtimelineview.h"

#include "core/eventstore.h"
#include "core/laganalyzer.h"
#include "core/textformat.h"
#include "ui/palette.h"
#include "ui/uitext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>

namespace eventlens {

namespace {

constexpr size_t kMaxPoints = 2000; ///< per series, however wide the chart
constexpr size_t kMinPoints = 200;  ///< however narrow
/// Reactions a window should hold on average for its percentiles to say more than its maximum.
constexpr int64_t kReactionsPerWindow = 20;

constexpr QRgb kWithinColor = 0xff90a4ae;
constexpr QRgb kP50Color = 0xff1565c0;
constexpr QRgb kP95Color = 0xff6a1b9a;
constexpr QRgb kP99Color = 0xff212121;

double ms(int64_t ns)
{
    return double(ns) / 1e6;
}

/// The percentiles' window: a round width, wide enough that windows hold kReactionsPerWindow
/// reactions on average and that the span takes at most `maxWindows` windows.
int64_t windowWidth(int64_t spanNs, size_t reactions, size_t maxWindows)
{
    constexpr int64_t msNs = 1'000'000, sNs = 1000 * msNs, minNs = 60 * sNs, hNs = 60 * minNs;
    static constexpr std::array<int64_t, 27> kWidths{
        msNs,       2 * msNs,   5 * msNs,   10 * msNs, 20 * msNs, 50 * msNs, 100 * msNs, 200 * msNs, 500 * msNs,
        sNs,        2 * sNs,    5 * sNs,    10 * sNs,  15 * sNs,  30 * sNs,  minNs,      2 * minNs,  5 * minNs,
        10 * minNs, 15 * minNs, 30 * minNs, hNs,       2 * hNs,   6 * hNs,   12 * hNs,   24 * hNs,   7 * 24 * hNs};
    const int64_t wanted = std::max(spanNs / int64_t(std::max<size_t>(maxWindows, 2) - 1),
                                    reactions ? spanNs * kReactionsPerWindow / int64_t(reactions) : spanNs);
    for (const int64_t w : kWidths)
        if (w >= wanted)
            return w;
    return kWidths.back() * (wanted / kWidths.back() + 1);
}

int64_t floorTo(int64_t t, int64_t width)
{
    const int64_t q = t / width;
    return (q - (t % width < 0 ? 1 : 0)) * width;
}

/// At most `cap` of `indexes` (into `reactions`, in time order): all of them when they fit,
/// else in each of cap / 2 time slices the fastest and the slowest — the envelope, and every
/// outlier that stands out, stay drawn.
std::vector<size_t> thin(const std::vector<Reaction> &reactions, std::vector<size_t> indexes, size_t cap)
{
    if (indexes.size() <= cap)
        return indexes;
    const int64_t from = reactions[indexes.front()].effectNs, to = reactions[indexes.back()].effectNs;
    const size_t slices = cap / 2;
    const double width = double(to - from + 1) / double(slices);
    std::vector<size_t> out;
    out.reserve(cap);
    size_t i = 0;
    for (size_t s = 0; s < slices && i < indexes.size(); ++s) {
        const double end = double(from) + width * double(s + 1);
        if (double(reactions[indexes[i]].effectNs) >= end)
            continue; // nothing in this slice
        size_t lo = indexes[i], hi = indexes[i];
        for (; i < indexes.size() && double(reactions[indexes[i]].effectNs) < end; ++i) {
            if (reactions[indexes[i]].lagNs < reactions[lo].lagNs)
                lo = indexes[i];
            if (reactions[indexes[i]].lagNs > reactions[hi].lagNs)
                hi = indexes[i];
        }
        out.push_back(std::min(lo, hi));
        if (hi != lo)
            out.push_back(std::max(lo, hi));
    }
    return out;
}

/// The SLA a consumer's lags suggest before a person sets one: their p95 rounded up to 1, 2 or
/// 5 × a power of ten (20–60 ms lags: 100 ms), so that the few slowest stand out.
double slaFor(double p95Ms)
{
    if (!(p95Ms > 0.001))
        return 1; // instant reactions: 1 ms
    const double decade = std::pow(10.0, std::floor(std::log10(p95Ms)));
    for (const double step : {1.0, 2.0, 5.0, 10.0})
        if (p95Ms <= step * decade * (1 + 1e-9))
            return step * decade;
    return 10 * decade;
}

/// Milliseconds as a person writes them: "250", "0.5", not "250.000".
class MsSpinBox : public QDoubleSpinBox {
public:
    using QDoubleSpinBox::QDoubleSpinBox;
    QString textFromValue(double value) const override { return locale().toString(value, 'g', 10); }
};

} // namespace

LagTimelineView::LagTimelineView(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto *bar = new QHBoxLayout;
    m_consumer = new QComboBox(this);
    m_consumer->setToolTip(tr("The service whose reactions are shown (the effects' source)"));
    m_consumer->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_causeType = new QComboBox(this);
    m_causeType->setToolTip(tr("Its reactions to one type of event, or to all"));
    m_causeType->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_sla = new MsSpinBox(this);
    m_sla->setRange(0.001, 24 * 3600 * 1000.0);
    m_sla->setDecimals(3);
    m_sla->setSuffix(tr(" ms"));
    m_sla->setPrefix(tr("SLA "));
    m_sla->setValue(kDefaultSlaMs);
    m_sla->setToolTip(tr("Reactions slower than this are marked; click one to select its flow.\n"
                         "Until you set one, it is chosen from the data (its p95, rounded up)."));
    m_log = new QCheckBox(tr("log scale"), this);
    m_window = new QLabel(this);
    m_window->setStyleSheet(QStringLiteral("color: #666"));
    bar->addWidget(m_consumer);
    bar->addWidget(m_causeType);
    bar->addWidget(m_sla);
    bar->addWidget(m_log);
    bar->addStretch();
    bar->addWidget(m_window);
    layout->addLayout(bar);

    auto *counts = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_overSla = new QLabel(this);
    m_overSla->setStyleSheet(QStringLiteral("color: %1").arg(QColor::fromRgb(palette::kWarning).darker(120).name()));
    m_skew = new QLabel(this);
    counts->addWidget(m_summary);
    counts->addSpacing(12);
    counts->addWidget(m_overSla);
    counts->addStretch();
    counts->addWidget(m_skew);
    layout->addLayout(counts);

    m_chart = new TimeSeriesChart(this);
    m_chart->setEmptyText(tr("No reactions yet: an event reacts to the event its causationId names"));
    layout->addWidget(m_chart, 1);
    m_skewChart = new TimeSeriesChart(this);
    m_skewChart->setMinimumHeight(150);
    m_skewChart->setMaximumHeight(190);
    m_skewChart->hide();
    // Both legends as wide: the two time axes line up, one above the other.
    for (TimeSeriesChart *c : {m_chart, m_skewChart})
        c->setLegendWidth(130);
    layout->addWidget(m_skewChart);

    connect(m_consumer, &QComboBox::activated, this, [this] {
        m_causeType->setCurrentIndex(0); // another consumer reacts to other types
        emit settingsChanged();
    });
    connect(m_causeType, &QComboBox::activated, this, &LagTimelineView::settingsChanged);
    connect(m_sla, &QDoubleSpinBox::valueChanged, this, [this] {
        m_slaChosen = true; // a person's SLA stays (and is remembered by the window)
        drawReactions();
    });
    connect(m_log, &QCheckBox::toggled, m_chart, &TimeSeriesChart::setLogScale);
    for (TimeSeriesChart *c : {m_chart, m_skewChart})
        connect(c, &TimeSeriesChart::pointActivated, this,
                [this](const QString &, uint32_t index) { emit eventActivated(index); });
}

void LagTimelineView::setConsumer(const QString &consumer)
{
    if (m_consumer->findData(consumer) < 0)
        m_consumer->addItem(elided(consumer), consumer); // chosen before the data has it: kept for setLag()
    m_consumer->setCurrentIndex(m_consumer->findData(consumer));
    m_causeType->setCurrentIndex(0);
    emit settingsChanged();
}

void LagTimelineView::setCauseType(const QString &causeType)
{
    const int i = causeType.isEmpty() ? 0 : m_causeType->findData(causeType);
    if (i < 0)
        m_causeType->addItem(elided(causeType), causeType);
    m_causeType->setCurrentIndex(i < 0 ? m_causeType->count() - 1 : i);
    emit settingsChanged();
}

void LagTimelineView::setSlaMs(double ms)
{
    m_slaChosen = true;
    m_sla->setValue(ms); // redraws (valueChanged)
}

void LagTimelineView::setLogScale(bool log)
{
    m_log->setChecked(log);
}

QString LagTimelineView::consumer() const
{
    return m_consumer->currentData().toString();
}

QString LagTimelineView::causeType() const
{
    return m_causeType->currentData().toString();
}

double LagTimelineView::slaMs() const
{
    return m_sla->value();
}

QString LagTimelineView::title() const
{
    const QString cause = causeType().isEmpty() ? tr("every cause type") : causeType();
    return tr("reaction lag of %1 to %2 (SLA %3 ms)").arg(consumer(), cause).arg(slaMs(), 0, 'g', 6);
}

QStringList LagTimelineView::consumers() const
{
    QStringList out;
    for (int i = 0; i < m_consumer->count(); ++i)
        out << m_consumer->itemData(i).toString();
    return out;
}

QStringList LagTimelineView::causeTypes() const
{
    QStringList out;
    for (int i = 1; i < m_causeType->count(); ++i)
        out << m_causeType->itemData(i).toString();
    return out;
}

QString LagTimelineView::windowText() const
{
    return m_window->text();
}

QString LagTimelineView::summaryText() const
{
    return m_summary->text();
}

QString LagTimelineView::overSlaText() const
{
    return m_overSla->text();
}

QString LagTimelineView::skewText() const
{
    return m_skew->text();
}

QString LagTimelineView::skewListText() const
{
    return m_skew->toolTip();
}

bool LagTimelineView::isSkewStripShown() const
{
    return !m_skewChart->isHidden();
}

void LagTimelineView::clear()
{
    m_reactions.clear();
    m_percentiles.clear();
    m_consumer->clear();
    m_causeType->clear();
    m_windowNs = 0;
    m_window->clear();
    m_summary->clear();
    drawReactions();
}

void LagTimelineView::fillChoices(const EventStore &store, const LagAnalyzer &lag)
{
    // Consumers by name (stats() is sorted so), the chosen one kept; its cause types likewise.
    // The combos show names elided (a combo lays its items out whole) and keep them whole as data.
    const QString consumer = m_consumer->currentData().toString(), causeType = m_causeType->currentData().toString();
    const std::vector<LagStats> stats = lag.stats();
    QStringList consumers;
    for (const LagStats &s : stats)
        if (consumers.isEmpty() || consumers.back() != qs(store.sourceName(s.consumer)))
            consumers << qs(store.sourceName(s.consumer));
    if (consumers != this->consumers()) {
        m_consumer->clear();
        for (const QString &c : consumers)
            m_consumer->addItem(elided(c), c);
    }
    m_consumer->setCurrentIndex(std::max(0, m_consumer->findData(consumer)));

    QStringList types;
    const uint16_t chosen = store.findSource(m_consumer->currentData().toString().toStdString());
    for (const LagStats &s : stats)
        if (s.consumer == chosen)
            types << qs(store.typeName(s.causeType));
    if (m_causeType->count() == 0 || types != causeTypes()) {
        m_causeType->clear();
        m_causeType->addItem(tr("to every cause type"), QString());
        for (const QString &t : types)
            m_causeType->addItem(tr("to %1").arg(elided(t)), t);
    }
    m_causeType->setCurrentIndex(std::max(0, m_causeType->findData(causeType)));
}

void LagTimelineView::setLag(const EventStore &store, const LagAnalyzer &lag)
{
    fillChoices(store, lag);
    const uint16_t consumer = m_consumer->count() ? store.findSource(m_consumer->currentData().toString().toStdString())
                                                  : EventStore::kNoName;
    const QString typeName = causeType();
    const uint16_t causeType = typeName.isEmpty() ? EventStore::kNoName : store.findType(typeName.toStdString());
    // The analyzer's own samples (in memory order, no lookups); a live store may have evicted
    // some of those events since.
    m_reactions = consumer == EventStore::kNoName ? std::vector<Reaction>{} : lag.reactions(consumer, causeType);
    std::erase_if(m_reactions,
                  [&store](const Reaction &r) { return !store.contains(r.effect) || !store.contains(r.cause); });

    // The percentiles over windows of the non-skewed reactions: the analyzer's timeline for
    // one cause type; for all of them, the same nearest-rank percentiles over the reactions.
    std::vector<int64_t> lags;
    int64_t first = 0, last = 0;
    for (const Reaction &r : m_reactions)
        if (!r.skew()) {
            if (lags.empty())
                first = r.effectNs;
            last = r.effectNs;
            lags.push_back(r.lagNs);
        }
    m_windowNs = windowWidth(last - first, lags.size(), pointsRoom());
    std::vector<LagWindow> windows;
    if (lags.empty()) {
        // nothing to draw
    } else if (causeType != EventStore::kNoName) {
        windows = lag.timeline(consumer, causeType, m_windowNs);
    } else {
        std::vector<int64_t> in;
        for (size_t i = 0; i < m_reactions.size();) {
            const int64_t start = floorTo(m_reactions[i].effectNs, m_windowNs);
            in.clear();
            for (; i < m_reactions.size() && floorTo(m_reactions[i].effectNs, m_windowNs) == start; ++i)
                if (!m_reactions[i].skew())
                    in.push_back(m_reactions[i].lagNs);
            if (in.empty())
                continue;
            LagWindow w;
            w.startNs = start;
            w.count = in.size();
            w.maxNs = *std::max_element(in.begin(), in.end());
            w.p50Ns = nearestRank(in, 50);
            w.p95Ns = nearestRank(in, 95);
            w.p99Ns = nearestRank(in, 99);
            windows.push_back(w);
        }
    }
    m_percentiles.clear();
    struct Line {
        const char *name;
        QRgb color;
        int64_t LagWindow::*value;
    };
    static constexpr std::array<Line, 3> kLines{{{"p50", kP50Color, &LagWindow::p50Ns},
                                                 {"p95", kP95Color, &LagWindow::p95Ns},
                                                 {"p99", kP99Color, &LagWindow::p99Ns}}};
    for (const Line &line : kLines) {
        TimeSeriesChart::Series s;
        s.name = QString::fromLatin1(line.name);
        s.color = QColor::fromRgb(line.color);
        s.points.reserve(windows.size());
        for (const LagWindow &w : windows) // at the window's middle, among its reactions
            s.points.emplace_back(double(w.startNs + m_windowNs / 2) / 1e6, ms(w.*line.value));
        m_percentiles.push_back(std::move(s));
    }
    m_window->setText(lags.empty() ? QString()
                                   : tr("p50 / p95 / p99 per %1 window").arg(qs(formatDuration(m_windowNs))));
    if (!m_slaChosen && !lags.empty()) {
        // No SLA set yet: one the data makes sense of (a fixed 1 s flattens 20–60 ms lags).
        std::vector<int64_t> all = lags;
        const QSignalBlocker quiet(m_sla); // not a person's choice; drawn below
        m_sla->setValue(slaFor(ms(nearestRank(all, 95))));
    }

    // Overall: the analyzer's figures for one pair; over every cause type, from the reactions.
    QString summary;
    if (!m_reactions.empty()) {
        LagDistribution::Percentiles q;
        if (causeType != EventStore::kNoName) {
            if (const auto s = lag.statsOf(consumer, causeType))
                q = {s->p50Ns, s->p95Ns, s->p99Ns, s->maxNs};
        } else {
            std::vector<int64_t> all = lags;
            q = {nearestRank(all, 50), nearestRank(all, 95), nearestRank(all, 99),
                 all.empty() ? 0 : *std::max_element(all.begin(), all.end())};
        }
        summary = m_reactions.size() == 1 ? tr("1 reaction") : tr("%1 reactions").arg(grouped(m_reactions.size()));
        if (!lags.empty())
            summary += tr(" · p50 %1 · p95 %2 · p99 %3 · max %4")
                           .arg(qs(formatDuration(q.p50)), qs(formatDuration(q.p95)), qs(formatDuration(q.p99)),
                                qs(formatDuration(q.max)));
    }
    m_summary->setText(summary);

    // The skewed ones, listed where the count is (at most 20: the strip shows them all).
    QStringList list;
    size_t skewed = 0;
    for (const Reaction &r : m_reactions)
        if (r.skew() && ++skewed <= 20)
            list << tr("%1 (%2) stamped %3 before its cause %4")
                        .arg(qs(store.eventId(r.effect)), qs(store.typeName(store.record(r.effect).type)),
                             qs(formatDuration(-r.lagNs)), qs(store.eventId(r.cause)));
    if (skewed > 20)
        list << tr("… and %1 more").arg(skewed - 20);
    m_skew->setToolTip(list.join(QLatin1Char('\n')));
    drawReactions();
}

size_t LagTimelineView::pointsRoom() const
{
    // One point every two pixels of the chart; a chart not laid out yet counts as wide.
    const int width = m_chart->width() > 100 ? m_chart->width() : 2 * int(kMaxPoints);
    return std::clamp<size_t>(size_t(width / 2), kMinPoints, kMaxPoints);
}

void LagTimelineView::drawReactions()
{
    const double slaMs = m_sla->value();
    std::vector<size_t> within, over, skewed;
    for (size_t i = 0; i < m_reactions.size(); ++i) {
        const Reaction &r = m_reactions[i];
        (r.skew() ? skewed : ms(r.lagNs) > slaMs ? over : within).push_back(i);
    }
    const size_t overCount = over.size(), skewCount = skewed.size();
    // Markers: about one per two pixels of the chart (each is an item to draw).
    within = thin(m_reactions, std::move(within), pointsRoom());
    over = thin(m_reactions, std::move(over), pointsRoom());
    skewed = thin(m_reactions, std::move(skewed), pointsRoom());

    auto scatter = [this](const QString &name, QRgb color, qreal size, const std::vector<size_t> &which, bool ids,
                          bool skew) {
        TimeSeriesChart::Series s;
        s.name = name;
        s.color = QColor::fromRgb(color);
        s.kind = TimeSeriesChart::Kind::Scatter;
        s.markerSize = size;
        for (const size_t i : which) {
            const Reaction &r = m_reactions[i];
            s.points.emplace_back(double(r.effectNs) / 1e6, skew ? ms(-r.lagNs) : ms(r.lagNs));
            if (ids)
                s.ids.push_back(r.effect);
        }
        return s;
    };
    std::vector<TimeSeriesChart::Series> series = m_percentiles;
    series.push_back(scatter(tr(kWithinSla), kWithinColor, 6, within, false, false));
    series.push_back(scatter(tr(kOverSla), palette::kWarning, 9, over, true, false));
    if (m_reactions.empty())
        series.clear();

    QString overText;
    if (!m_reactions.empty()) {
        overText = tr("%1 over SLA").arg(grouped(overCount));
        if (over.size() < overCount)
            overText += tr(" (%1 drawn: the slowest of each moment)").arg(grouped(over.size()));
    }
    m_overSla->setText(overText);

    // Skew apart: its own strip, on the same time axis, y = how long before its cause the
    // effect is stamped ("ms early": the strip is too low for a longer axis title).
    if (skewCount) {
        m_skew->setText((skewCount == 1
                             ? tr("1 skewed reaction (effect stamped before its cause)")
                             : tr("%1 skewed reactions (effect stamped before its cause)").arg(grouped(skewCount)))
                        + tr(": not in the percentiles, shown below"));
        m_skew->setStyleSheet(QStringLiteral("color: %1").arg(QColor::fromRgb(palette::kSkew).name()));
    } else {
        m_skew->setText(m_reactions.empty() ? QString() : tr("no skewed reactions"));
        m_skew->setStyleSheet(QStringLiteral("color: #666"));
    }
    std::vector<TimeSeriesChart::Series> skew;
    if (skewCount)
        skew.push_back(scatter(tr(kSkewed), palette::kSkew, 8, skewed, true, true));
    // Both charts on one time axis: every reaction and window, skewed or not.
    double from = 0, to = 0;
    bool any = false;
    for (const auto *list : {&series, &skew})
        for (const TimeSeriesChart::Series &s : *list)
            for (const QPointF &p : s.points) {
                from = any ? std::min(from, p.x()) : p.x();
                to = any ? std::max(to, p.x()) : p.x();
                any = true;
            }
    const qint64 fromMs = qint64(from), toMs = std::max(qint64(to) + 1, fromMs + 1000);
    m_chart->setTimeRange(fromMs, toMs);
    m_skewChart->setTimeRange(fromMs, toMs);
    m_chart->setEmptyText(skewCount && skewCount == m_reactions.size()
                              ? tr("Every reaction is skewed: see below")
                              : tr("No reactions yet: an event reacts to the event its causationId names"));
    // The range and the SLA first: then setSeries() draws each series once.
    m_chart->setThreshold(m_reactions.empty() ? std::nullopt : std::optional<double>(slaMs),
                          tr("SLA %1 ms").arg(slaMs, 0, 'g', 6));
    m_chart->setSeries(series, tr("lag (ms)")); // short: the bottom dock leaves the axis little height
    m_skewChart->setSeries(skew, tr("ms early"));
    m_skewChart->setVisible(skewCount > 0);
}

} // namespace eventlens
