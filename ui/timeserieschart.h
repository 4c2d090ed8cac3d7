#pragma once

#include <QColor>
#include <QPoint>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

namespace eventlens {

/// The one place that knows the chart library (Qt Charts today; Qt Graphs later: only this
/// file changes). A chart of series over time: x in milliseconds since the epoch (UTC), y a
/// value. Series are lines — or stacked areas, one on top of the other — or scatters of points
/// that may carry an id (a store index): clicking such a point emits pointActivated(). The y
/// axis may be logarithmic, and one horizontal threshold line (an SLA) may be drawn. Each
/// refresh replaces each series' points in one call; a legend entry clicked hides or shows its
/// series; hovering a line or a point shows the value. GUI thread.
class TimeSeriesChart : public QWidget {
    Q_OBJECT
public:
    enum class Kind {
        Line,    ///< a line through the points (a stacked area in stacked mode)
        Scatter, ///< one marker per point, never stacked
    };
    struct Series {
        QString name;
        QColor color;
        std::vector<QPointF> points; ///< (ms since the epoch, value), in time order
        Kind kind = Kind::Line;
        /// Scatter: one id per point (a store index), or none. Points with an id are clickable.
        std::vector<uint32_t> ids;
        qreal markerSize = 7; ///< scatter: the markers' diameter in pixels
    };

    explicit TimeSeriesChart(QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    /// Replaces the chart's data. Series are matched by name: one kept across refreshes keeps
    /// whether the person hid it. At most a few thousand points a series are meant to be given
    /// (callers bin or thin to ≤ 2 000).
    void setSeries(const std::vector<Series> &series, const QString &yTitle);
    /// Writes the chart as shown (legend, axes, hidden lines left out) as an image; the format
    /// follows the file name. Its title is `title` (what the chart shows) over the time range
    /// drawn, also stored as the image's "Title" text. False, with `error`, when there is no
    /// chart or no file.
    bool exportImage(const QString &path, QString &error, const QString &title = QString()) const;
    /// Shown instead of a chart when there is nothing to draw.
    void setEmptyText(const QString &text);

    /// Line series drawn as areas stacked in the order given (each on top of the series before
    /// it that is shown): the top edge of a series is the sum of its value and those below it.
    /// Points are matched by x; a series without a point at an x counts 0 there. A series the
    /// person hides leaves the stack.
    void setStacked(bool stacked);
    bool isStacked() const { return m_stacked; }

    /// A logarithmic (base 10) y axis. Values ≤ 0 cannot be drawn on it: they are drawn on the
    /// axis' bottom edge, and noteText() says how many there are.
    void setLogScale(bool log);
    bool isLogScale() const { return m_log; }

    /// A horizontal dashed line at `value` across the chart, labelled `label` (e.g. an SLA);
    /// the y axis always reaches it. std::nullopt removes it.
    void setThreshold(std::optional<double> value, const QString &label = QString());
    std::optional<double> threshold() const { return m_threshold; }
    QString thresholdLabel() const { return m_thresholdLabel; }

    /// Fixes the time axis to [fromMs, toMs] (to line up with another chart); fromMs >= toMs
    /// goes back to following the data.
    void setTimeRange(qint64 fromMs, qint64 toMs);
    /// The time axis' range as drawn (ms since the epoch).
    std::pair<qint64, qint64> timeRange() const;
    /// Gives the legend this width (0: as wide as its text): charts stacked one above the
    /// other, each with its own legend, then line up their time axes.
    void setLegendWidth(qreal pixels);

signals:
    /// A person clicked a point that carries an id (Series::ids).
    void pointActivated(const QString &series, uint32_t id);

public:
    // --- test hooks ------------------------------------------------------------------------------
    QStringList seriesNames() const;
    std::vector<QPointF> points(const QString &name) const; ///< the values given to setSeries()
    std::vector<uint32_t> ids(const QString &name) const;   ///< the ids given to setSeries()
    QColor seriesColor(const QString &name) const;          ///< the colour given to setSeries()
    /// The legend's entries, top down (every series, then a labelled threshold).
    QStringList legendNames() const;
    /// The entries a person sees in the legend without scrolling it.
    QStringList legendNamesInView() const;
    /// What the chart draws for a series: in stacked mode its area's top edge, on a log axis
    /// values ≤ 0 moved to the bottom edge.
    std::vector<QPointF> shownPoints(const QString &name) const;
    bool isSeriesVisible(const QString &name) const;
    void setSeriesVisible(const QString &name, bool visible); ///< what a legend click does
    /// What a click on point `index` of a scatter series does (the chart library's own click
    /// signal). False when there is no such point.
    bool clickPoint(const QString &name, int index);
    /// Where point `index` of a series is drawn, in plotWidget() coordinates; for a real mouse
    /// click. (-1, -1) when there is no such point.
    QPoint pointPosition(const QString &name, int index) const;
    QWidget *plotWidget() const; ///< the widget that takes the mouse
    QString hoverText() const { return m_hoverText; }
    QString noteText() const;                     ///< e.g. "3 values ≤ 0 drawn at the bottom (log scale)"
    std::pair<double, double> valueRange() const; ///< the y axis' range as drawn

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Entry;
    void draw(bool movePoints = true); ///< false: the axes and threshold only, when no point moves
    void buildAreas(std::vector<const Entry *> stack);
    void ensureShape(Entry &e);
    void connectEntry(Entry &e);
    void showHover(const Entry &e, const QPointF &at, bool state);
    void placeThresholdLabel();
    /// Sets the axes for data spanning these values, changing only what differs.
    void setAxes(qreal minX, qreal maxX, qreal minY, qreal maxY, double logFloor, double logTop);
    void relayoutAxes();
    void updateLegend(); ///< the legend beside the chart, rebuilt when what it lists changed

    struct Private;
    Private *d;
    QString m_hoverText;
    bool m_stacked = false;
    bool m_log = false;
    std::optional<double> m_threshold;
    QString m_thresholdLabel;
};

} // namespace eventlens
