#pragma once

#include "core/lagreactions.h"
#include "ui/timeserieschart.h"

#include <QWidget>

#include <cstdint>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace eventlens {

class EventStore;
class LagAnalyzer;
/// How fast one consumer (a service that reacts to events) reacts, over time: for its reactions
/// to one cause type, or to all, the p50 / p95 / p99 reaction lag of each time window (from the
/// lag analyzer) and every reaction as a point (effect time, lag in ms). The person sets an SLA:
/// reactions slower than it are drawn apart, counted, and clickable — a click asks for that
/// event and its flow to be selected (eventActivated()). The lag axis can be logarithmic.
///
/// Skewed reactions (the effect stamped before its cause: a negative lag, left out of the
/// percentiles) are never hidden: they are counted, listed in the count's tooltip and drawn,
/// clickable too, in a strip of their own below the chart (how long before its cause each
/// effect is stamped), on the same time axis.
///
/// GUI thread. Call setLag() whenever the analyzer has more, and again on settingsChanged().
class LagTimelineView : public QWidget {
    Q_OBJECT
public:
    explicit LagTimelineView(QWidget *parent = nullptr);

    /// Redraws from the analyzer's pairs and the store's events (the store the analyzer is fed
    /// from). Keeps the chosen consumer and cause type while they exist.
    void setLag(const EventStore &store, const LagAnalyzer &lag);
    void clear();

    /// What the controls do (and test hooks). The consumer and cause type need setLag() again
    /// (settingsChanged() says so); the SLA and the scale redraw at once.
    void setConsumer(const QString &consumer);
    void setCauseType(const QString &causeType); ///< empty: every cause type
    void setSlaMs(double ms);
    void setLogScale(bool log);
    QString consumer() const;
    QString causeType() const; ///< empty: every cause type
    double slaMs() const;
    QStringList consumers() const; ///< the consumer choices, by name
    /// What the chart shows, for an exported image: "reaction lag of payment-service to
    /// order.placed (SLA 100 ms)".
    QString title() const;
    QStringList causeTypes() const; ///< the chosen consumer's cause types (without "all")

    /// Whether a person set the SLA (setSlaMs(), the spin box). Until then it follows the
    /// data: the shown reactions' p95 rounded up to 1, 2 or 5 × a power of ten.
    bool isSlaChosen() const { return m_slaChosen; }

    /// The SLA before there is data to choose one from.
    static constexpr double kDefaultSlaMs = 1000;

    // --- test hooks --------------------------------------------------------------------------------
    TimeSeriesChart *chart() const { return m_chart; }         ///< percentiles and reactions
    TimeSeriesChart *skewChart() const { return m_skewChart; } ///< the skew strip
    int64_t windowNs() const { return m_windowNs; }            ///< the percentiles' window width
    QString windowText() const;                                ///< e.g. "window 500 ms"
    QString summaryText() const;                               ///< count and overall percentiles
    QString overSlaText() const;                               ///< e.g. "3 over SLA"
    QString skewText() const;
    QString skewListText() const; ///< the skew count's tooltip: the skewed reactions, listed
    bool isSkewStripShown() const;

    /// Series names (the legend's words).
    static constexpr const char *kWithinSla = "within SLA";
    static constexpr const char *kOverSla = "over SLA";
    static constexpr const char *kSkewed = "skewed";

signals:
    /// A person clicked a reaction over the SLA (or a skewed one): select this event (the
    /// effect, a store index) and its flow.
    void eventActivated(uint32_t storeIndex);
    /// The person chose another consumer or cause type: call setLag() again.
    void settingsChanged();

private:
    void fillChoices(const EventStore &store, const LagAnalyzer &lag);
    void drawReactions();
    /// Points a series gets: about one per two pixels of the chart, 200 to 2 000.
    size_t pointsRoom() const;

    TimeSeriesChart *m_chart, *m_skewChart;
    QComboBox *m_consumer, *m_causeType;
    QDoubleSpinBox *m_sla;
    QCheckBox *m_log;
    QLabel *m_window, *m_summary, *m_overSla, *m_skew;
    int64_t m_windowNs = 0;
    bool m_slaChosen = false;
    /// What setLag() found for the chosen consumer, kept so that a new SLA or scale is drawn
    /// without the store.
    std::vector<Reaction> m_reactions;
    std::vector<TimeSeriesChart::Series> m_percentiles;
};

} // namespace eventlens
