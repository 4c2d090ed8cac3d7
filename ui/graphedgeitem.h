#pragma once

#include "ui/graphlayout.h"

#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QPainterPath>
#include <QStringList>

#include <cstdint>

namespace eventlens {

/// An edge of a graph view: the spline the layout routed, an arrow head, and an optional
/// label of a few lines on a light plate at the place the layout kept for it. Its clickable
/// shape is wider than the line (and includes the label), so thin edges are easy to hit.
/// Label and pen change in place (a live view updates numbers without a new layout); the
/// label stays centred where the layout put it.
///
/// The owning view identifies edges by key() and notes what it marked on them in marks()
/// (view-defined bits, which tests read). GUI thread only.
class GraphEdgeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 2 };

    struct Style {
        QColor color = Qt::darkGray;
        qreal width = 1.2; ///< points
        bool dashed = false;
        QColor labelColor = Qt::black;
    };

    GraphEdgeItem(const GraphLayout::EdgeGeometry &geometry, const Style &style);

    /// The room a label of these lines needs: what to give the layout.
    static QSizeF labelSize(const QStringList &lines, const QFont &font);

    /// A new route (the graph was arranged anew); style and label stay.
    void setGeometry(const GraphLayout::EdgeGeometry &geometry);
    void setStyle(const Style &style);
    const Style &style() const { return m_style; }
    void setLabel(const QStringList &lines, const QFont &font);
    /// Replaces the label keeping its left edge where it is (the centre moves by half the
    /// growth): dot puts a label to the right of its edge, so a longer label then grows away
    /// from the line instead of over it. Without a label before, as setLabel().
    void setLabelKeepingLeft(const QStringList &lines, const QFont &font);
    /// The label's lines joined with '\n'; empty without a label.
    QString labelText() const { return m_label.join(QLatin1Char('\n')); }
    /// Where the label is drawn, in scene coordinates (empty without a label).
    QRectF sceneLabelRect() const { return m_label.isEmpty() ? QRectF() : mapRectToScene(labelRect()); }
    /// A point on the line halfway along it, in scene coordinates.
    QPointF sceneMidpoint() const { return mapToScene(m_path.pointAtPercent(0.5)); }
    /// The first and last point of the route, in scene coordinates (the arrow tip for the last).
    QPointF sceneStart() const;
    QPointF sceneEnd() const;
    /// Draws it a little stronger while the pointer is over it (for clickable edges).
    void setHoverable(bool on);

    void setKey(uint64_t key) { m_key = key; }
    uint64_t key() const { return m_key; }
    void setMarks(uint32_t marks) { m_marks = marks; }
    uint32_t marks() const { return m_marks; }

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    QRectF labelRect() const;
    QPolygonF arrowHead() const;
    void updateBounds();

    QPainterPath m_path;
    QPointF m_arrowBase, m_arrowTip;
    bool m_hasArrow = false;
    QPointF m_labelCenter;
    QStringList m_label;
    QFont m_labelFont;
    QSizeF m_labelSize;
    Style m_style;
    QRectF m_bounds;
    uint64_t m_key = 0;
    uint32_t m_marks = 0;
    bool m_hovered = false;
};

} // namespace eventlens
