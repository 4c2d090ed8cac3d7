#include "ui/timeserieschart.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsScene>
#include <QGridLayout>
#include <QImage>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <map>

namespace eventlens {

struct TimeSeriesChart::Private {
    QChart *chart = nullptr;
    QChartView *view = nullptr;
    QDateTimeAxis *x = nullptr;
    QValueAxis *y = nullptr;
    QLabel *empty = nullptr;
    std::map<QString, QLineSeries *> series;
};

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
    d->y = new QValueAxis;
    d->y->setLabelFormat(QStringLiteral("%g"));
    d->chart->addAxis(d->x, Qt::AlignBottom);
    d->chart->addAxis(d->y, Qt::AlignLeft);
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing);
    d->empty = new QLabel(this);
    d->empty->setAlignment(Qt::AlignCenter);
    d->empty->setStyleSheet(QStringLiteral("color: #777; background: white"));
    // The "nothing yet" text lies over the chart view (which stays in the layout).
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(d->view, 0, 0);
    grid->addWidget(d->empty, 0, 0);
    setEmptyText(tr("No events yet"));
}

TimeSeriesChart::~TimeSeriesChart()
{
    delete d;
}

void TimeSeriesChart::setEmptyText(const QString &text)
{
    d->empty->setText(text);
}

void TimeSeriesChart::setSeries(const std::vector<Series> &series, const QString &yTitle)
{
    d->y->setTitleText(yTitle);
    // Series that are gone go; the others keep their line (and whether they are hidden).
    for (auto it = d->series.begin(); it != d->series.end();) {
        const bool kept =
            std::any_of(series.begin(), series.end(), [&](const Series &s) { return s.name == it->first; });
        if (kept) {
            ++it;
            continue;
        }
        d->chart->removeSeries(it->second);
        delete it->second;
        it = d->series.erase(it);
    }
    qreal minX = 0, maxX = 0, maxY = 0;
    bool any = false;
    for (const Series &s : series) {
        QLineSeries *line = nullptr;
        if (auto it = d->series.find(s.name); it != d->series.end()) {
            line = it->second;
        } else {
            line = new QLineSeries;
            line->setName(s.name);
            d->chart->addSeries(line);
            line->attachAxis(d->x);
            line->attachAxis(d->y);
            connect(line, &QLineSeries::hovered, this, [this, line](const QPointF &p, bool state) {
                if (!state) {
                    QToolTip::hideText();
                    return;
                }
                m_hoverText = tr("%1: %2 at %3")
                                  .arg(line->name())
                                  .arg(p.y(), 0, 'g', 4)
                                  .arg(QDateTime::fromMSecsSinceEpoch(qint64(p.x()), Qt::UTC)
                                           .toString(QStringLiteral("HH:mm:ss.zzz")));
                QToolTip::showText(QCursor::pos(), m_hoverText, this);
            });
            const auto markers = d->chart->legend()->markers(line);
            for (QLegendMarker *m : markers)
                connect(m, &QLegendMarker::clicked, this,
                        [this, name = s.name] { setSeriesVisible(name, !isSeriesVisible(name)); });
            d->series.emplace(s.name, line);
        }
        line->setColor(s.color);
        line->replace(QList<QPointF>(s.points.begin(), s.points.end())); // one replace() per series
        for (const QPointF &p : s.points) {
            if (!any) {
                minX = maxX = p.x();
                any = true;
            }
            minX = std::min(minX, p.x());
            maxX = std::max(maxX, p.x());
            maxY = std::max(maxY, p.y());
        }
    }
    const bool wasEmpty = d->empty->isVisible();
    d->empty->setVisible(!any);
    if (any && wasEmpty)
        relayoutAxes();
    if (any) {
        d->x->setRange(QDateTime::fromMSecsSinceEpoch(qint64(minX), Qt::UTC),
                       QDateTime::fromMSecsSinceEpoch(qint64(std::max(maxX, minX + 1000)), Qt::UTC));
        d->y->setRange(0, maxY > 0 ? maxY * 1.1 : 1);
        d->y->applyNiceNumbers();
    }
}

bool TimeSeriesChart::exportImage(const QString &path, QString &error) const
{
    if (d->series.empty() || d->empty->isVisible()) {
        error = tr("There is no chart to export.");
        return false;
    }
    // Laid out at a readable size of its own (the dock may be small or hidden), drawn at
    // twice that for sharp text, then given back to the view.
    const QSizeF layout = QSizeF(d->view->size()).expandedTo(QSizeF(1000, 400));
    const QSizeF shown = d->chart->size();
    d->chart->resize(layout);
    const_cast<TimeSeriesChart *>(this)->relayoutAxes();
    QImage image((layout * 2).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        d->chart->scene()->render(&painter, QRectF(QPointF(0, 0), layout * 2), d->chart->sceneBoundingRect());
    }
    d->chart->resize(shown);
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
    for (const auto &[name, line] : d->series)
        names << name;
    return names;
}

std::vector<QPointF> TimeSeriesChart::points(const QString &name) const
{
    const auto it = d->series.find(name);
    if (it == d->series.end())
        return {};
    const QList<QPointF> p = it->second->points();
    return {p.begin(), p.end()};
}

bool TimeSeriesChart::isSeriesVisible(const QString &name) const
{
    const auto it = d->series.find(name);
    return it != d->series.end() && it->second->isVisible();
}

void TimeSeriesChart::setSeriesVisible(const QString &name, bool visible)
{
    const auto it = d->series.find(name);
    if (it == d->series.end())
        return;
    it->second->setVisible(visible);
    // The legend entry stays (so it can be clicked back), dimmed while its line is hidden.
    for (QLegendMarker *m : d->chart->legend()->markers(it->second)) {
        m->setVisible(true);
        QColor c = m->labelBrush().color();
        c.setAlphaF(visible ? 1.0 : 0.4);
        m->setLabelBrush(c);
    }
}

} // namespace eventlens
