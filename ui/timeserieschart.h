#pragma once

#include <QColor>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <vector>

namespace eventlens {

/// The one place that knows the chart library (Qt Charts today; Qt Graphs later: only this
/// file changes). A line chart of series over time: x in milliseconds since the epoch (UTC),
/// y a value. Each refresh replaces each series' points in one call; a legend entry clicked
/// hides or shows its series; hovering a line shows the value. GUI thread.
class TimeSeriesChart : public QWidget {
    Q_OBJECT
public:
    struct Series {
        QString name;
        QColor color;
        std::vector<QPointF> points; ///< (ms since the epoch, value), in time order
    };

    explicit TimeSeriesChart(QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    /// Replaces the chart's data. Series are matched by name: one kept across refreshes keeps
    /// whether the person hid it.
    void setSeries(const std::vector<Series> &series, const QString &yTitle);
    /// Writes the chart as shown (legend, axes, hidden lines left out) as an image; the format
    /// follows the file name. False, with `error`, when there is no chart or no file.
    bool exportImage(const QString &path, QString &error) const;
    /// Shown instead of a chart when there is nothing to draw.
    void setEmptyText(const QString &text);

    // --- test hooks ------------------------------------------------------------------------------
    QStringList seriesNames() const;
    std::vector<QPointF> points(const QString &name) const;
    bool isSeriesVisible(const QString &name) const;
    void setSeriesVisible(const QString &name, bool visible); ///< what a legend click does
    QString hoverText() const { return m_hoverText; }

protected:
    void showEvent(QShowEvent *event) override;

private:
    void relayoutAxes();

    struct Private;
    Private *d;
    QString m_hoverText;
};

} // namespace eventlens
