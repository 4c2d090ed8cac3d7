#include "ui/timeserieschart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFont>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGridLayout>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPainter>
#include <QScatterSeries>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

namespace eventlens {

/// One series as given, and what draws it. The Qt series in the chart is owned by the chart;
/// a stacked area's top edge (`xy`, not in the chart itself) is owned by the Entry.
struct TimeSeriesChart::Entry {
    Series data;
    bool visible = true;
    QXYSeries *xy = nullptr;     ///< the line or scatter; in stacked mode the area's top edge
    bool xyInChart = false;      ///< false: a stacked area's edge, deleted with the Entry
    QAreaSeries *area = nullptr; ///< stacked mode, Kind::Line
    QAbstractSeries *shown() const { return area ? static_cast<QAbstractSeries *>(area) : xy; }
};

struct TimeSeriesChart::Private {
    QChart *chart = nullptr;
    QChartView *view = nullptr;
    QDateTimeAxis *x = nullptr;
    QValueAxis *yLinear = nullptr;
    QLogValueAxis *yLog = nullptr;
    QAbstractAxis *y = nullptr; ///< the one in the chart (the other is ours)
    QLabel *empty = nullptr;
    QLabel *note = nullptr;
    /// The legend on screen: a widget beside the chart that lists every series, scrolling when
    /// it must (Qt Charts' own legend drops the entries it has no room for). Qt's legend stays
    /// for exports, where the chart is laid out large enough.
    QScrollArea *legend = nullptr;
    QWidget *legendBox = nullptr;
    qreal legendWidth = 0; ///< fixed by setLegendWidth(); 0: as wide as the names (at most 220)
    QString legendShown;   ///< what the legend was built from, to rebuild it only on change
    QLineSeries *threshold = nullptr;
    QGraphicsSimpleTextItem *thresholdText = nullptr;
    std::vector<std::unique_ptr<Entry>> entries; ///< in the order given (the stacking order)
    std::vector<const Entry *> stack;            ///< the areas as built, bottom first
    qint64 fixedFrom = 0, fixedTo = 0;
    qint64 fromMs = 0, toMs = 0; ///< the time axis as last set
    double minY = 0, maxY = 1;
    size_t clipped = 0;    ///< log scale: values ≤ 0 drawn at the bottom
    double drawnFloor = 0; ///< the log axis' bottom edge the points were drawn for

    Entry *find(const QString &name) const
    {
        for (const auto &e : entries)
            if (e->data.name == name)
                return e.get();
        return nullptr;
    }
    void attach(QAbstractSeries *s) const
    {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    /// Removes a series from the chart and deletes it (the chart gives up ownership).
    void discard(QAbstractSeries *s) const
    {
        chart->removeSeries(s);
        delete s;
    }
    /// Takes every stacked area, with its top edge, off the chart. Qt Charts 6.4 deletes an
    /// area's drawing later (deleteLater), and that drawing still listens to the area and to
    /// its edges until then: both are deleted later too, and a new area gets a new edge.
    /// `now` (the chart is going): deleted at once, every area before any edge.
    void dropAreas(bool now = false)
    {
        std::vector<QXYSeries *> edges;
        for (const auto &e : entries) {
            if (!e->area)
                continue;
            chart->removeSeries(e->area);
            if (now)
                delete e->area;
            else
                e->area->deleteLater();
            e->area = nullptr;
            if (e->xy && !e->xyInChart) {
                edges.push_back(e->xy);
                e->xy = nullptr;
            }
        }
        for (QXYSeries *edge : edges) {
            if (now)
                delete edge;
            else
                edge->deleteLater();
        }
        stack.clear();
    }
    void destroy(Entry &e)
    {
        if (e.area) {
            discard(e.area);
            e.area = nullptr;
        }
        if (e.xy) {
            if (e.xyInChart)
                discard(e.xy);
            else
                delete e.xy;
            e.xy = nullptr;
        }
    }
};

namespace {

constexpr QRgb kThresholdColor = 0xffc62828;

QString timeText(double ms)
{
    return QDateTime::fromMSecsSinceEpoch(qint64(ms), Qt::UTC).toString(QStringLiteral("HH:mm:ss.zzz"));
}

/// The index of the point of `points` nearest to x (points in time order); -1 for none.
int nearestByX(const std::vector<QPointF> &points, double x)
{
    if (points.empty())
        return -1;
    const auto it =
        std::lower_bound(points.begin(), points.end(), x, [](const QPointF &p, double v) { return p.x() < v; });
    if (it == points.end())
        return int(points.size()) - 1;
    if (it != points.begin() && x - std::prev(it)->x() < it->x() - x)
        return int(std::prev(it) - points.begin());
    return int(it - points.begin());
}

/// One line of the chart's legend: a swatch (line, dot or dashed threshold) and the name,
/// elided when the legend is narrower than it (the whole name in the tooltip). A click toggles
/// the series; a hidden series' entry stays, dimmed, to be clicked back.
class LegendEntry : public QWidget {
public:
    enum class Swatch { Line, Dot, Dashed };
    LegendEntry(const QString &name, QColor color, Swatch swatch, bool shown, std::function<void()> clicked,
                QWidget *parent)
        : QWidget(parent), m_name(name), m_color(color), m_swatch(swatch), m_shown(shown), m_clicked(std::move(clicked))
    {
        setToolTip(m_clicked ? tr("%1 — click to hide or show it").arg(name) : name);
        if (m_clicked)
            setCursor(Qt::PointingHandCursor);
        setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    }
    QString name() const { return m_name; }
    QSize sizeHint() const override
    {
        const QFontMetrics fm(font());
        return {kSwatch + 6 + fm.horizontalAdvance(m_name) + 4, fm.height() + 3};
    }
    QSize minimumSizeHint() const override { return {kSwatch + 6 + 24, sizeHint().height()}; }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        QColor c = m_color;
        if (!m_shown)
            c.setAlphaF(0.35);
        const qreal mid = height() / 2.0;
        switch (m_swatch) {
        case Swatch::Line:
            p.fillRect(QRectF(2, mid - 4, kSwatch - 4, 8), c);
            break;
        case Swatch::Dot:
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            p.drawEllipse(QPointF(kSwatch / 2.0, mid), 4, 4);
            break;
        case Swatch::Dashed:
            p.setPen(QPen(c, 1.5, Qt::DashLine));
            p.drawLine(QPointF(1, mid), QPointF(kSwatch - 1, mid));
            break;
        }
        QColor text = palette().color(QPalette::WindowText);
        if (!m_shown)
            text.setAlphaF(0.45);
        p.setPen(text);
        const QRect room(kSwatch + 6, 0, width() - kSwatch - 6, height());
        p.drawText(room, Qt::AlignVCenter | Qt::AlignLeft,
                   fontMetrics().elidedText(m_name, Qt::ElideMiddle, room.width()));
    }
    void mouseReleaseEvent(QMouseEvent *event) override
    {
        if (m_clicked && event->button() == Qt::LeftButton && rect().contains(event->position().toPoint()))
            m_clicked();
    }

private:
    static constexpr int kSwatch = 18;
    QString m_name;
    QColor m_color;
    Swatch m_swatch;
    bool m_shown;
    std::function<void()> m_clicked;
};

} // namespace

TimeSeriesChart::TimeSeriesChart(QWidget *parent) : QWidget(parent), d(new Private)
{
    d->chart = new QChart;
    d->chart->legend()->setAlignment(Qt::AlignRight);
    d->chart->setMargins(QMargins(4, 4, 4, 4));
    d->x = new QDateTimeAxis;
    d->x->setFormat(QStringLiteral("HH:mm:ss"));
    d->x->setTitleText(tr("time (UTC)"));
    d->x->setTickCount(6);
    d->x->setLabelsVisible(true);
    d->yLinear = new QValueAxis;
    d->yLinear->setLabelFormat(QStringLiteral("%g"));
    d->yLog = new QLogValueAxis;
    d->yLog->setBase(10);
    d->yLog->setLabelFormat(QStringLiteral("%g"));
    d->yLog->setMinorTickCount(8); // 2, 3, … 9 between the powers of ten
    d->y = d->yLinear;
    d->chart->addAxis(d->x, Qt::AlignBottom);
    d->chart->addAxis(d->y, Qt::AlignLeft);
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing);

    d->threshold = new QLineSeries;
    QPen pen(QColor::fromRgb(kThresholdColor), 1.5, Qt::DashLine);
    d->threshold->setPen(pen);
    d->chart->addSeries(d->threshold);
    d->attach(d->threshold);
    d->threshold->setVisible(false);
    for (QLegendMarker *m : d->chart->legend()->markers(d->threshold))
        m->setVisible(false);
    d->thresholdText = new QGraphicsSimpleTextItem(d->chart);
    d->thresholdText->setBrush(QColor::fromRgb(kThresholdColor));
    d->thresholdText->setZValue(100);
    d->thresholdText->setVisible(false);
    connect(d->chart, &QChart::plotAreaChanged, this, [this] { placeThresholdLabel(); });

    d->empty = new QLabel(this);
    d->empty->setAlignment(Qt::AlignCenter);
    d->empty->setStyleSheet(QStringLiteral("color: #777; background: white"));
    d->note = new QLabel(this);
    d->note->setStyleSheet(QStringLiteral("color: #666; background: transparent; padding: 2px 6px"));
    d->note->setAttribute(Qt::WA_TransparentForMouseEvents);
    d->note->hide();
    // The "nothing yet" text lies over the chart view (which stays in the layout); the note
    // (what the log scale cannot draw) in its bottom-left corner.
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(0);
    grid->addWidget(d->view, 0, 0);
    grid->addWidget(d->note, 0, 0, Qt::AlignLeft | Qt::AlignBottom);
    grid->addWidget(d->empty, 0, 0, 1, 2);
    d->chart->legend()->hide(); // ours, beside the chart (exportImage() shows Qt's)
    d->legend = new QScrollArea(this);
    d->legend->setObjectName(QStringLiteral("chartLegend"));
    d->legend->setFrameShape(QFrame::NoFrame);
    d->legend->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    d->legend->setWidgetResizable(true);
    d->legend->setBackgroundRole(QPalette::Base);
    d->legend->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Preferred);
    d->legendBox = new QWidget(d->legend);
    d->legendBox->setBackgroundRole(QPalette::Base);
    auto *entries = new QVBoxLayout(d->legendBox);
    entries->setContentsMargins(4, 6, 4, 6);
    entries->setSpacing(1);
    entries->addStretch();
    d->legend->setWidget(d->legendBox);
    d->legend->hide();
    grid->addWidget(d->legend, 0, 1);
    setEmptyText(tr("No events yet"));
}

TimeSeriesChart::~TimeSeriesChart()
{
    // Areas first: an area may use another series' edge as its bottom.
    d->dropAreas(true);
    for (auto &e : d->entries)
        d->destroy(*e);
    if (d->y != d->yLinear)
        delete d->yLinear;
    if (d->y != d->yLog)
        delete d->yLog;
    delete d;
}

void TimeSeriesChart::setEmptyText(const QString &text)
{
    d->empty->setText(text);
}

void TimeSeriesChart::setSeries(const std::vector<Series> &series, const QString &yTitle)
{
    d->yLinear->setTitleText(yTitle);
    d->yLog->setTitleText(yTitle);
    // Series that are gone go; the others keep their drawing (and whether they are hidden),
    // in the new order. When one goes, the stacked areas go first, while every entry is still
    // in place: an area may sit on the edge of a series that goes, and after the moves below
    // the old list has holes.
    const bool removed = std::any_of(d->entries.begin(), d->entries.end(), [&](const std::unique_ptr<Entry> &e) {
        return std::none_of(series.begin(), series.end(), [&](const Series &s) { return s.name == e->data.name; });
    });
    if (removed)
        d->dropAreas();
    std::vector<std::unique_ptr<Entry>> entries;
    entries.reserve(series.size());
    for (const Series &s : series) {
        auto it = std::find_if(d->entries.begin(), d->entries.end(),
                               [&](const std::unique_ptr<Entry> &e) { return e && e->data.name == s.name; });
        if (it != d->entries.end()) {
            entries.push_back(std::move(*it));
        } else {
            entries.push_back(std::make_unique<Entry>());
        }
        entries.back()->data = s;
    }
    for (auto &e : d->entries)
        if (e)
            d->destroy(*e); // gone
    d->entries = std::move(entries);
    draw();
}

void TimeSeriesChart::setStacked(bool stacked)
{
    if (m_stacked == stacked)
        return;
    m_stacked = stacked;
    draw();
}

void TimeSeriesChart::setLogScale(bool log)
{
    if (m_log == log)
        return;
    m_log = log;
    QAbstractAxis *next = log ? static_cast<QAbstractAxis *>(d->yLog) : d->yLinear;
    // The chart gives up the axis it loses; we keep it for the way back. The points are
    // redrawn in between: a log axis must never see a value ≤ 0.
    d->chart->removeAxis(d->y);
    d->y = next;
    draw();
    d->chart->addAxis(d->y, Qt::AlignLeft);
    for (const auto &e : d->entries)
        if (QAbstractSeries *s = e->shown(); s && s->chart())
            s->attachAxis(d->y);
    d->threshold->attachAxis(d->y);
    placeThresholdLabel(); // now on the new axis
}

void TimeSeriesChart::setThreshold(std::optional<double> value, const QString &label)
{
    m_threshold = value;
    m_thresholdLabel = label;
    draw(false);
}

void TimeSeriesChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    d->fixedFrom = fromMs;
    d->fixedTo = toMs;
    draw(false);
}

void TimeSeriesChart::setLegendWidth(qreal pixels)
{
    QLegend *legend = d->chart->legend();
    legend->setMinimumWidth(pixels > 0 ? pixels : -1);
    legend->setMaximumWidth(pixels > 0 ? pixels : QWIDGETSIZE_MAX);
    d->legendWidth = pixels;
    d->legendShown.clear();
    updateLegend();
}

void TimeSeriesChart::updateLegend()
{
    // Every series in the order given, then the threshold when it has a label.
    struct Item {
        QString name;
        QColor color;
        LegendEntry::Swatch swatch;
        bool shown;
        bool series;
    };
    std::vector<Item> items;
    const bool any = !d->empty->isVisible();
    if (any) {
        for (const auto &e : d->entries)
            items.push_back({e->data.name, e->data.color,
                             e->data.kind == Kind::Scatter ? LegendEntry::Swatch::Dot : LegendEntry::Swatch::Line,
                             e->visible, true});
        if (d->threshold->isVisible() && !m_thresholdLabel.isEmpty())
            items.push_back(
                {m_thresholdLabel, QColor::fromRgb(kThresholdColor), LegendEntry::Swatch::Dashed, true, false});
    }
    QString signature = QString::number(d->legendWidth);
    for (const Item &i : items)
        signature += QLatin1Char('\x1f') + i.name + i.color.name() + QChar(i.shown ? '1' : '0');
    if (signature == d->legendShown)
        return;
    d->legendShown = signature;
    auto *layout = static_cast<QVBoxLayout *>(d->legendBox->layout());
    for (LegendEntry *old : d->legendBox->findChildren<LegendEntry *>(Qt::FindDirectChildrenOnly))
        delete old;
    int widest = 0;
    for (const Item &i : items) {
        std::function<void()> clicked;
        if (i.series)
            clicked = [this, name = i.name] {
                // Queued: a toggle in stacked mode rebuilds this legend.
                QMetaObject::invokeMethod(
                    this, [this, name] { setSeriesVisible(name, !isSeriesVisible(name)); }, Qt::QueuedConnection);
            };
        auto *entry = new LegendEntry(i.name, i.color, i.swatch, i.shown, std::move(clicked), d->legendBox);
        layout->insertWidget(layout->count() - 1, entry); // above the stretch
        widest = std::max(widest, entry->sizeHint().width());
    }
    const int margins = 8 + d->legend->verticalScrollBar()->sizeHint().width();
    d->legend->setFixedWidth(d->legendWidth > 0 ? int(d->legendWidth) : std::min(widest + margins, 220));
    d->legend->setVisible(!items.empty());
}

QStringList TimeSeriesChart::legendNames() const
{
    QStringList names;
    for (const LegendEntry *e : d->legendBox->findChildren<LegendEntry *>(Qt::FindDirectChildrenOnly))
        names << e->name();
    return names;
}

QStringList TimeSeriesChart::legendNamesInView() const
{
    // Entries a person sees without scrolling: wholly inside the legend's viewport.
    QStringList names;
    if (!d->legend->isVisible())
        return names;
    const QRect viewport = d->legend->viewport()->rect();
    for (const LegendEntry *e : d->legendBox->findChildren<LegendEntry *>(Qt::FindDirectChildrenOnly)) {
        const QRect at(e->mapTo(d->legend->viewport(), QPoint(0, 0)), e->size());
        if (viewport.contains(at))
            names << e->name();
    }
    return names;
}

std::pair<qint64, qint64> TimeSeriesChart::timeRange() const
{
    return {d->x->min().toMSecsSinceEpoch(), d->x->max().toMSecsSinceEpoch()};
}

void TimeSeriesChart::ensureShape(Entry &e)
{
    // Called with the stacked areas either intact or all dropped (draw()).
    const bool scatter = e.data.kind == Kind::Scatter;
    if (e.xy && scatter != bool(qobject_cast<QScatterSeries *>(e.xy)))
        d->destroy(e); // a line became a scatter or back
    if (!e.xy) {
        if (scatter) {
            auto *s = new QScatterSeries;
            s->setMarkerShape(QScatterSeries::MarkerShapeCircle);
            e.xy = s;
        } else {
            e.xy = new QLineSeries;
        }
        e.xy->setName(e.data.name);
        e.xyInChart = false;
    }
    if (!scatter && m_stacked) {
        // The line becomes a stacked area's top edge; buildAreas() makes the area.
        if (e.xyInChart) {
            d->chart->removeSeries(e.xy);
            e.xyInChart = false;
        }
    } else if (!e.xyInChart) {
        d->chart->addSeries(e.xy);
        d->attach(e.xy);
        e.xyInChart = true;
        connectEntry(e);
    }
}

void TimeSeriesChart::connectEntry(Entry &e)
{
    QAbstractSeries *shown = e.shown();
    Entry *entry = &e;                        // entries are heap-allocated: the pointer outlives moves of the vector
    disconnect(e.xy, nullptr, this, nullptr); // it may have been in the chart before
    if (e.area) {
        connect(e.area, &QAreaSeries::hovered, this,
                [this, entry](const QPointF &p, bool state) { showHover(*entry, p, state); });
    } else {
        connect(e.xy, &QXYSeries::hovered, this,
                [this, entry](const QPointF &p, bool state) { showHover(*entry, p, state); });
        if (e.data.kind == Kind::Scatter)
            connect(e.xy, &QXYSeries::clicked, this, [this, entry](const QPointF &p) {
                const QList<QPointF> points = entry->xy->points();
                for (qsizetype i = 0; i < points.size(); ++i)
                    if (qFuzzyCompare(points[i].x(), p.x()) && qFuzzyCompare(points[i].y() + 1, p.y() + 1)) {
                        if (size_t(i) < entry->data.ids.size())
                            emit pointActivated(entry->data.name, entry->data.ids[size_t(i)]);
                        return;
                    }
            });
    }
    // Queued: in stacked mode the toggle rebuilds the areas, and with them this marker.
    for (QLegendMarker *m : d->chart->legend()->markers(shown))
        connect(
            m, &QLegendMarker::clicked, this,
            [this, name = e.data.name] { setSeriesVisible(name, !isSeriesVisible(name)); }, Qt::QueuedConnection);
}

void TimeSeriesChart::showHover(const Entry &e, const QPointF &at, bool state)
{
    QWidget *mouse = d->view->viewport();
    if (!state) {
        QToolTip::hideText();
        mouse->unsetCursor();
        return;
    }
    // The value given (not a stacked sum, not an interpolated spot on the line): for a
    // scatter the very point hovered, otherwise the nearest in time.
    int i = -1;
    if (e.data.kind == Kind::Scatter) {
        const QList<QPointF> shown = e.xy->points();
        for (qsizetype k = 0; k < shown.size() && i < 0; ++k)
            if (qFuzzyCompare(shown[k].x(), at.x()) && qFuzzyCompare(shown[k].y() + 1, at.y() + 1))
                i = int(k);
    }
    if (i < 0)
        i = nearestByX(e.data.points, at.x());
    if (i < 0 || size_t(i) >= e.data.points.size())
        return;
    const QPointF p = e.data.points[size_t(i)];
    m_hoverText = tr("%1: %2 at %3").arg(e.data.name).arg(p.y(), 0, 'g', 4).arg(timeText(p.x()));
    const bool clickable = e.data.kind == Kind::Scatter && size_t(i) < e.data.ids.size();
    if (clickable) {
        m_hoverText += tr(" — click to select it");
        mouse->setCursor(Qt::PointingHandCursor);
    }
    QToolTip::showText(QCursor::pos(), m_hoverText, this);
}

void TimeSeriesChart::buildAreas(std::vector<const Entry *> stack)
{
    // Each area's bottom is the top edge of the shown series below it; a hidden series keeps
    // an area (and its legend entry) outside the stack.
    QLineSeries *below = nullptr;
    for (const auto &e : d->entries) {
        if (e->data.kind != Kind::Line)
            continue;
        auto *top = static_cast<QLineSeries *>(e->xy);
        auto *area = new QAreaSeries;
        area->setName(e->data.name);
        area->setUpperSeries(top);
        if (e->visible && below)
            area->setLowerSeries(below);
        e->area = area;
        d->chart->addSeries(area);
        d->attach(area);
        connectEntry(*e);
        if (e->visible)
            below = top;
    }
    d->stack = std::move(stack);
}

void TimeSeriesChart::draw(bool movePoints)
{
    // The areas are rebuilt whole when what is stacked changes (rare: a series comes, goes,
    // changes kind or is hidden, or the mode changes); otherwise only their points change.
    std::vector<const Entry *> stack;
    bool intact = true;
    for (const auto &e : d->entries) {
        const bool stacked = m_stacked && e->data.kind == Kind::Line;
        if (stacked && e->visible)
            stack.push_back(e.get());
        intact = intact && stacked == bool(e->area);
    }
    intact = intact && stack == d->stack;
    if (!intact)
        d->dropAreas();
    for (const auto &e : d->entries)
        ensureShape(*e);
    if (m_stacked && !intact)
        buildAreas(std::move(stack));

    // What each series draws: its values, or in stacked mode its area's top edge.
    std::map<const Entry *, std::vector<QPointF>> drawn;
    if (m_stacked) {
        std::vector<double> xs;
        for (const Entry *e : d->stack)
            for (const QPointF &p : e->data.points)
                xs.push_back(p.x());
        std::sort(xs.begin(), xs.end());
        xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
        std::vector<double> sum(xs.size(), 0.0);
        for (const Entry *e : d->stack) {
            std::vector<QPointF> top;
            top.reserve(xs.size());
            size_t k = 0;
            for (size_t i = 0; i < xs.size(); ++i) {
                while (k < e->data.points.size() && e->data.points[k].x() < xs[i])
                    ++k;
                for (; k < e->data.points.size() && e->data.points[k].x() == xs[i]; ++k)
                    sum[i] += e->data.points[k].y();
                top.emplace_back(xs[i], sum[i]);
            }
            drawn[e] = std::move(top);
        }
    }
    auto pointsOf = [&](const Entry &e) -> const std::vector<QPointF> & {
        const auto it = drawn.find(&e);
        return it != drawn.end() ? it->second : e.data.points;
    };

    // Axes: the time the data covers, values from 0 (or below) to above the highest and the
    // threshold; a log axis from the power of ten below the smallest positive value.
    qreal minX = 0, maxX = 0, minY = 0, maxY = 0, minPositive = 0;
    bool any = false;
    for (const auto &e : d->entries) {
        const bool counts = e->visible || !m_stacked || e->data.kind != Kind::Line;
        for (const QPointF &p : counts ? pointsOf(*e) : e->data.points) {
            if (!any) {
                minX = maxX = p.x();
                any = true;
            }
            minX = std::min(minX, p.x());
            maxX = std::max(maxX, p.x());
            minY = std::min(minY, p.y());
            maxY = std::max(maxY, p.y());
            if (p.y() > 0 && (minPositive == 0 || p.y() < minPositive))
                minPositive = p.y();
        }
    }
    if (m_threshold) {
        maxY = std::max(maxY, *m_threshold);
        minY = std::min(minY, *m_threshold);
        if (*m_threshold > 0 && (minPositive == 0 || *m_threshold < minPositive))
            minPositive = *m_threshold;
    }
    double logFloor = 1, logTop = 10;
    if (minPositive > 0) {
        logFloor = std::pow(10.0, std::floor(std::log10(minPositive)));
        logTop = std::max(maxY * 1.5, logFloor * 10);
    }

    // Only what changed is replaced: a new threshold or time range moves no point, unless it
    // moves the log axis' bottom edge, where values ≤ 0 are drawn.
    const bool replace = movePoints || (m_log && logFloor != d->drawnFloor);
    if (replace)
        d->clipped = 0;
    d->drawnFloor = logFloor;
    // Qt Charts redoes every series' geometry (a stroked outline of each line) whenever an
    // axis range changes: empty the series first, set the axes, then give each its points, so
    // that each series is outlined once per refresh, not once per range change.
    if (replace && any)
        for (const auto &e : d->entries)
            if (e->xy->count() > 0)
                e->xy->clear();
    if (any)
        setAxes(minX, maxX, minY, maxY, logFloor, logTop);
    for (const auto &e : d->entries) {
        if (!replace)
            break;
        const std::vector<QPointF> &points = pointsOf(*e);
        QList<QPointF> out(points.begin(), points.end());
        if (m_log)
            for (QPointF &p : out)
                if (p.y() <= 0) {
                    p.setY(logFloor);
                    if (e->visible)
                        ++d->clipped;
                }
        // (Each of these redoes the geometry too: only when it changes.)
        if (e->xy->color() != e->data.color)
            e->xy->setColor(e->data.color);
        if (auto *scatter = qobject_cast<QScatterSeries *>(e->xy)) {
            if (scatter->markerSize() != e->data.markerSize)
                scatter->setMarkerSize(e->data.markerSize);
            if (scatter->borderColor() != e->data.color)
                scatter->setBorderColor(e->data.color);
        }
        if (e->area && e->area->color() != e->data.color) {
            // Opaque fills outlined in their own colour: a darker outline zigzagging over
            // spiky rates would hide the fills; none would hide one-bin spikes.
            e->area->setColor(e->data.color);
            e->area->setPen(QPen(e->data.color, 1));
        }
        if (auto *line = qobject_cast<QLineSeries *>(e->xy); line && e->xyInChart) {
            const bool few = out.size() <= 60; // a few points: a single one has no line
            if (line->pointsVisible() != few)
                line->setPointsVisible(few);
        }
        e->xy->replace(out); // one replace() per series
        setSeriesVisible(e->data.name, e->visible);
    }

    const bool wasEmpty = d->empty->isVisible();
    d->empty->setVisible(!any);
    if (any && wasEmpty)
        relayoutAxes();
    if (any && m_threshold) {
        // The threshold spans the time axis.
        const double t = m_log && *m_threshold <= 0 ? logFloor : *m_threshold;
        d->threshold->replace(QList<QPointF>{{double(d->fromMs), t}, {double(d->toMs), t}});
    }
    const bool threshold = any && m_threshold;
    d->threshold->setVisible(threshold);
    d->threshold->setName(m_thresholdLabel);
    for (QLegendMarker *m : d->chart->legend()->markers(d->threshold))
        m->setVisible(threshold && !m_thresholdLabel.isEmpty());
    d->thresholdText->setText(m_thresholdLabel);
    placeThresholdLabel();

    d->note->setText(d->clipped == 1 ? tr("1 value ≤ 0 drawn on the bottom edge (log scale)")
                     : d->clipped    ? tr("%1 values ≤ 0 drawn on the bottom edge (log scale)").arg(d->clipped)
                                     : QString());
    d->note->setVisible(any && d->clipped > 0);
    updateLegend();
}

void TimeSeriesChart::setAxes(qreal minX, qreal maxX, qreal minY, qreal maxY, double logFloor, double logTop)
{
    qint64 from = qint64(minX), to = qint64(std::max(maxX, minX + 1000));
    if (d->fixedFrom < d->fixedTo) {
        from = d->fixedFrom;
        to = d->fixedTo;
    }
    d->fromMs = from;
    d->toMs = to;
    const QDateTime fromTime = QDateTime::fromMSecsSinceEpoch(from, Qt::UTC),
                    toTime = QDateTime::fromMSecsSinceEpoch(to, Qt::UTC);
    if (d->x->min() != fromTime || d->x->max() != toTime)
        d->x->setRange(fromTime, toTime);
    if (m_log) {
        if (d->yLog->min() != logFloor || d->yLog->max() != logTop)
            d->yLog->setRange(logFloor, logTop);
        d->minY = logFloor;
        d->maxY = logTop;
    } else {
        // Nice numbers worked out on a spare axis: applying them to the shown one would be a
        // second range change (another outline of every series).
        QValueAxis nice;
        nice.setTickCount(d->yLinear->tickCount());
        nice.setRange(minY < 0 ? minY * 1.1 : 0, maxY > 0 ? maxY * 1.1 : 1);
        nice.applyNiceNumbers();
        if (d->yLinear->min() != nice.min() || d->yLinear->max() != nice.max()
            || d->yLinear->tickCount() != nice.tickCount()) {
            d->yLinear->setTickCount(nice.tickCount());
            d->yLinear->setRange(nice.min(), nice.max());
        }
        d->minY = d->yLinear->min();
        d->maxY = d->yLinear->max();
    }
}

void TimeSeriesChart::placeThresholdLabel()
{
    const bool shown = d->threshold->isVisible() && !m_thresholdLabel.isEmpty() && d->threshold->count() == 2;
    d->thresholdText->setVisible(shown);
    if (!shown)
        return;
    // Right-aligned just above the line, inside the plot area.
    const QRectF plot = d->chart->plotArea();
    const QPointF at = d->chart->mapToPosition(d->threshold->at(1), d->threshold);
    const QRectF text = d->thresholdText->boundingRect();
    d->thresholdText->setPos(plot.right() - text.width() - 4, std::max(plot.top(), at.y() - text.height() - 1));
}

bool TimeSeriesChart::exportImage(const QString &path, QString &error, const QString &title) const
{
    if (d->entries.empty() || d->empty->isVisible()) {
        error = tr("There is no chart to export.");
        return false;
    }
    // Laid out at a readable size of its own (the dock may be small or hidden), drawn at
    // twice that for sharp text, then given back to the view.
    const QSizeF layout = QSizeF(d->view->size()).expandedTo(QSizeF(1000, 400));
    const QSizeF shown = d->chart->size();
    d->chart->legend()->show(); // the file has no widget beside it: Qt's legend, with room
    // A file leaves the window behind: it says what it shows and when, as its title.
    const auto [fromMs, toMs] = timeRange();
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs, Qt::UTC),
                    to = QDateTime::fromMSecsSinceEpoch(toMs, Qt::UTC);
    const QString day = QStringLiteral("yyyy-MM-dd "), clock = QStringLiteral("HH:mm:ss");
    const QString range =
        tr("%1 – %2 UTC").arg(from.toString(day + clock), to.toString(from.date() == to.date() ? clock : day + clock));
    const QString heading = title.isEmpty() ? range : title + QLatin1Char('\n') + range;
    QFont titleFont = d->chart->titleFont();
    titleFont.setPointSizeF(std::max<qreal>(titleFont.pointSizeF(), 11));
    titleFont.setBold(true);
    d->chart->setTitleFont(titleFont);
    d->chart->setTitle(title.isEmpty()
                           ? range.toHtmlEscaped()
                           : title.toHtmlEscaped() + QStringLiteral("<br><span style=\"font-weight:normal\">")
                                 + range.toHtmlEscaped() + QStringLiteral("</span>"));
    d->chart->resize(layout);
    const_cast<TimeSeriesChart *>(this)->relayoutAxes();
    const_cast<TimeSeriesChart *>(this)->placeThresholdLabel();
    QImage image((layout * 2).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        d->chart->scene()->render(&painter, QRectF(QPointF(0, 0), layout * 2), d->chart->sceneBoundingRect());
    }
    d->chart->legend()->hide();
    d->chart->setTitle(QString());
    d->chart->resize(shown);
    const_cast<TimeSeriesChart *>(this)->placeThresholdLabel();
    image.setText(QStringLiteral("Title"), heading);
    image.setText(QStringLiteral("Software"), QStringLiteral("EventLens"));
    if (!image.save(path)) {
        error = tr("Cannot write %1.").arg(path);
        return false;
    }
    return true;
}

void TimeSeriesChart::relayoutAxes()
{
    // Qt Charts 6.4 drops the bottom axis (labels and title) of a chart that was laid out
    // while its view was hidden — a tabbed dock, a view not shown yet. Hiding and showing the
    // axis makes the chart lay it out again.
    d->x->setVisible(false);
    d->x->setVisible(true);
}

void TimeSeriesChart::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    relayoutAxes();
}

QStringList TimeSeriesChart::seriesNames() const
{
    QStringList names;
    for (const auto &e : d->entries)
        names << e->data.name;
    names.sort();
    return names;
}

std::vector<QPointF> TimeSeriesChart::points(const QString &name) const
{
    const Entry *e = d->find(name);
    return e ? e->data.points : std::vector<QPointF>{};
}

std::vector<uint32_t> TimeSeriesChart::ids(const QString &name) const
{
    const Entry *e = d->find(name);
    return e ? e->data.ids : std::vector<uint32_t>{};
}

QColor TimeSeriesChart::seriesColor(const QString &name) const
{
    const Entry *e = d->find(name);
    return e ? e->data.color : QColor();
}

std::vector<QPointF> TimeSeriesChart::shownPoints(const QString &name) const
{
    const Entry *e = d->find(name);
    if (!e || !e->xy)
        return {};
    const QList<QPointF> p = e->xy->points();
    return {p.begin(), p.end()};
}

bool TimeSeriesChart::isSeriesVisible(const QString &name) const
{
    const Entry *e = d->find(name);
    return e && e->visible;
}

void TimeSeriesChart::setSeriesVisible(const QString &name, bool visible)
{
    Entry *e = d->find(name);
    if (!e)
        return;
    const bool restacks = m_stacked && e->data.kind == Kind::Line && e->visible != visible;
    e->visible = visible;
    if (restacks) {
        draw(); // the stack closes up (or opens) where this series was
        return;
    }
    QAbstractSeries *s = e->shown();
    if (!s)
        return;
    s->setVisible(visible);
    // The legend entry stays (so it can be clicked back), dimmed while its line is hidden.
    for (QLegendMarker *m : d->chart->legend()->markers(s)) {
        m->setVisible(true);
        QColor c = m->labelBrush().color();
        c.setAlphaF(visible ? 1.0 : 0.4);
        m->setLabelBrush(c);
    }
    updateLegend();
}

bool TimeSeriesChart::clickPoint(const QString &name, int index)
{
    const Entry *e = d->find(name);
    if (!e || e->data.kind != Kind::Scatter || !e->xy || index < 0 || index >= e->xy->count())
        return false;
    emit e->xy->clicked(e->xy->at(index));
    return true;
}

QPoint TimeSeriesChart::pointPosition(const QString &name, int index) const
{
    const Entry *e = d->find(name);
    if (!e || !e->xy || index < 0 || index >= e->xy->count())
        return {-1, -1};
    const QPointF inChart = d->chart->mapToPosition(e->xy->at(index), e->shown());
    return d->view->mapFromScene(d->chart->mapToScene(inChart));
}

QWidget *TimeSeriesChart::plotWidget() const
{
    return d->view->viewport();
}

QString TimeSeriesChart::noteText() const
{
    return d->note->isVisibleTo(this) ? d->note->text() : QString();
}

std::pair<double, double> TimeSeriesChart::valueRange() const
{
    return {d->minY, d->maxY};
}

} // namespace eventlens
