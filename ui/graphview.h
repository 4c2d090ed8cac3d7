#pragma once

#include <QGraphicsView>
#include <QPoint>
#include <QString>

#include <optional>

class QGraphicsItem;
class QLabel;

namespace eventlens {

/// What the graph views (flow graph, topology) share: a scene of their own, zoom (Ctrl+wheel,
/// + and - keys, 0 for 1:1), pan by dragging anywhere, fit (F, a double-click on the
/// background, and the first show of a new graph), clicks on items told to the subclass,
/// and a centred hint that replaces the graph ("Select an event…", a layout error).
///
/// A drag pans even when it starts on a node; a press and release without moving is a click
/// (activate()). While the view shows the whole graph (fitted, not zoomed by hand since), a
/// resize fits again.
///
/// GUI thread only, like every widget.
class GraphView : public QGraphicsView {
    Q_OBJECT

public:
    explicit GraphView(QWidget *parent = nullptr);
    ~GraphView() override;

    /// Writes the whole graph (not just what is in view) as an image; the format follows the
    /// file name: .svg is vector (text stays text), others (.png, .jpg, …) are drawn at twice
    /// the layout's size for sharp text. Written whole or not at all. False, with `error`,
    /// when there is no graph or the file cannot be written.
    bool exportImage(const QString &path, QString &error);
    /// The hint shown instead of a graph; empty when a graph is shown. (Also a test hook.)
    QString hint() const;
    /// The caption over the graph's top-left corner, as plain text. (Also a test hook.)
    QString caption() const;
    /// What an exported image carries as its title: the caption, and the time range the graph
    /// covers on a second line when the view gave one (setTimeRangeText()).
    virtual QString exportTitle() const;
    /// The current zoom: 1 is one pixel per point of the layout. (Also a test hook.)
    qreal zoom() const;
    /// Zooms by `factor` around the viewport's centre, within the allowed range.
    void zoomBy(qreal factor);

public slots:
    /// Shows the whole graph, at most at 1:1; a graph that would need a zoom too small to read
    /// (below minimumFitZoom(), one half unless set) is shown at that zoom from its top-left
    /// corner, and scrolls.
    void fitToView();

public:
    /// The least zoom fitToView() uses (0: always the whole graph, however small).
    void setMinimumFitZoom(qreal zoom) { m_minFitZoom = zoom; }
    qreal minimumFitZoom() const { return m_minFitZoom; }

protected:
    /// Clears the scene and shows `message` centred in its place.
    void showHint(const QString &message);
    /// Hides the hint. Call after filling the scene.
    void hideHint();
    /// A line of rich text that stays at the viewport's top-left corner while the graph
    /// scrolls and zooms under it (what the graph is, and a legend of its marks); empty hides
    /// it. Escape user strings (toHtmlEscaped()).
    void setCaption(const QString &richText);
    /// The time range the graph covers, as plain text ("2026-03-02 10:00:00.000 – … UTC"),
    /// for exported images; empty for none.
    void setTimeRangeText(const QString &text);
    /// A new graph is in the scene: fit it (as soon as the view has its real size), not below
    /// `minZoom`. When that is not enough, show it at `minZoom` with `focus` (a scene point,
    /// e.g. where the graph starts) at the top centre, or the drawing's top centre without one.
    void presentNewGraph(qreal minZoom = 0.5, std::optional<QPointF> focus = std::nullopt);
    /// The scene point at the viewport's centre: take it before refilling the scene with an
    /// updated graph, and give it to keepView() after.
    QPointF visibleCenter() const;
    /// The scene was refilled with the same graph, updated: keep the zoom and what the person
    /// was looking at (or keep showing the whole graph, when it was fitted).
    void keepView(QPointF previousCenter);
    /// Sets the scene rectangle to the items' bounds with a margin (and room above them for
    /// the caption at the current zoom).
    void updateSceneRect();
    /// Where the caption ends, in viewport pixels from the top; 0 without a caption.
    int captionBottom() const;
    /// Whether the whole graph is shown (fitted, or about to be presented), not a part the
    /// person zoomed or panned to.
    bool showsWholeGraph() const { return m_fitted || m_presentPending; }
    /// The zoom at which a drawing of this size (points) would fit the viewport, at most 1.
    qreal fitZoomFor(QSizeF drawing) const;

    /// A click (press and release without dragging) on `item`, the topmost item under the
    /// pointer, or nullptr on the background.
    virtual void activate(QGraphicsItem *item) = 0;
    /// A new graph has just been given its first zoom and position (see presentNewGraph()).
    virtual void presented() { }

    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void applyPresentation();
    void setZoom(qreal zoom);
    void layoutOverlays();
    void reserveCaptionRoom(qreal zoom);

    QLabel *m_hint;
    QLabel *m_caption;
    QString m_timeRange;
    QRectF m_drawing; ///< the items' bounds with a margin (the scene rect may add room for the caption)
    QPoint m_pressPos;
    bool m_pressed = false;
    bool m_fitted = false;         ///< showing the whole graph; refit on resize
    qreal m_minFitZoom = 0.5;      ///< see setMinimumFitZoom()
    bool m_presentPending = false; ///< a new graph waits for the view's real size
    qreal m_presentMinZoom = 0.5;
    std::optional<QPointF> m_presentFocus;
};

} // namespace eventlens
