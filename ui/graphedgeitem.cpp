#include "ui/graphedgeitem.h"

#include <QFontMetricsF>
#include <QLineF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace eventlens {

namespace {

constexpr qreal kLabelPadX = 4;
constexpr qreal kLabelPadY = 1;
constexpr qreal kHitWidth = 10;           ///< clickable band around the line, in points
constexpr qreal kTextLevelOfDetail = 0.3; ///< below this zoom labels are unreadable: not drawn
constexpr qreal kArrowLength = 10;        ///< what dot leaves for an arrow head

} // namespace

GraphEdgeItem::GraphEdgeItem(const GraphLayout::EdgeGeometry &geometry, const Style &style) : m_style(style)
{
    setAcceptedMouseButtons(Qt::NoButton); // the view handles clicks, so a drag on an edge pans
    setGeometry(geometry);
}

void GraphEdgeItem::setGeometry(const GraphLayout::EdgeGeometry &geometry)
{
    prepareGeometryChange();
    m_path = QPainterPath();
    m_hasArrow = false;
    const std::vector<QPointF> &s = geometry.spline;
    if (!s.empty()) {
        m_path.moveTo(s[0]);
        for (size_t k = 1; k + 2 < s.size(); k += 3)
            m_path.cubicTo(s[k], s[k + 1], s[k + 2]);
        m_arrowBase = s.back();
        if (geometry.arrowTip) {
            m_arrowTip = *geometry.arrowTip;
        } else {
            // No room was left for a head: put one on the last stretch of the line.
            QLineF back(m_arrowBase, m_path.pointAtPercent(0.95));
            m_arrowTip = m_arrowBase;
            if (back.length() > 0) {
                back.setLength(kArrowLength);
                m_arrowBase = back.p2();
            }
        }
        m_hasArrow = QLineF(m_arrowBase, m_arrowTip).length() > 0.5;
    }
    m_labelCenter = geometry.labelCenter ? *geometry.labelCenter : m_path.pointAtPercent(0.5);
    updateBounds();
    update();
}

QSizeF GraphEdgeItem::labelSize(const QStringList &lines, const QFont &font)
{
    if (lines.isEmpty())
        return QSizeF();
    const QFontMetricsF fm(font);
    qreal w = 0;
    for (const QString &l : lines)
        w = std::max(w, fm.horizontalAdvance(l));
    return QSizeF(std::ceil(w + 2 * kLabelPadX), std::ceil(fm.height() * lines.size() + 2 * kLabelPadY));
}

void GraphEdgeItem::setStyle(const Style &style)
{
    prepareGeometryChange();
    m_style = style;
    updateBounds();
    update();
}

void GraphEdgeItem::setLabel(const QStringList &lines, const QFont &font)
{
    prepareGeometryChange();
    m_label = lines;
    m_labelFont = font;
    m_labelSize = labelSize(lines, font);
    updateBounds();
    update();
}

void GraphEdgeItem::setLabelKeepingLeft(const QStringList &lines, const QFont &font)
{
    const qreal before = m_label.isEmpty() ? -1 : m_labelSize.width();
    setLabel(lines, font);
    if (before >= 0) {
        prepareGeometryChange();
        m_labelCenter.rx() += (m_labelSize.width() - before) / 2;
        updateBounds();
    }
}

void GraphEdgeItem::setHoverable(bool on)
{
    setAcceptHoverEvents(on);
    if (on)
        setCursor(Qt::PointingHandCursor);
    else
        unsetCursor();
}

QPointF GraphEdgeItem::sceneStart() const
{
    return mapToScene(m_path.elementCount() ? QPointF(m_path.elementAt(0)) : QPointF());
}

QPointF GraphEdgeItem::sceneEnd() const
{
    return mapToScene(m_hasArrow ? m_arrowTip : m_path.currentPosition());
}

QRectF GraphEdgeItem::labelRect() const
{
    return QRectF(m_labelCenter.x() - m_labelSize.width() / 2, m_labelCenter.y() - m_labelSize.height() / 2,
                  m_labelSize.width(), m_labelSize.height());
}

QPolygonF GraphEdgeItem::arrowHead() const
{
    const QLineF axis(m_arrowTip, m_arrowBase);
    QLineF normal = axis.normalVector();
    normal.setLength(std::max(4.0, 1.5 + m_style.width * 1.5));
    const QPointF side = normal.p2() - normal.p1();
    return QPolygonF({m_arrowTip, m_arrowBase + side, m_arrowBase - side});
}

void GraphEdgeItem::updateBounds()
{
    const qreal pad = std::max(kHitWidth, m_style.width + 6) / 2 + 1;
    m_bounds = m_path.boundingRect().adjusted(-pad, -pad, pad, pad);
    if (m_hasArrow)
        m_bounds |= arrowHead().boundingRect().adjusted(-2, -2, 2, 2);
    if (!m_label.isEmpty())
        m_bounds |= labelRect().adjusted(-1, -1, 1, 1);
}

QRectF GraphEdgeItem::boundingRect() const
{
    return m_bounds;
}

QPainterPath GraphEdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(std::max(kHitWidth, m_style.width + 6));
    QPainterPath p = stroker.createStroke(m_path);
    if (m_hasArrow)
        p.addPolygon(arrowHead());
    if (!m_label.isEmpty())
        p.addRect(labelRect());
    return p;
}

void GraphEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    Q_UNUSED(widget);
    const qreal width = m_style.width + (m_hovered ? 1.2 : 0);
    QPen pen(m_style.color, width, m_style.dashed ? Qt::DashLine : Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);
    if (m_hasArrow) {
        painter->setPen(QPen(m_style.color, 1, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        painter->setBrush(m_style.color);
        painter->drawPolygon(arrowHead());
    }
    if (m_label.isEmpty() || option->levelOfDetailFromTransform(painter->worldTransform()) < kTextLevelOfDetail)
        return;
    const QRectF r = labelRect();
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(255, 255, 255, 225));
    painter->drawRoundedRect(r, 3, 3);
    painter->setFont(m_labelFont);
    painter->setPen(m_style.labelColor);
    const QFontMetricsF fm(m_labelFont);
    qreal y = r.top() + kLabelPadY;
    for (const QString &line : m_label) {
        painter->drawText(QRectF(r.left(), y, r.width(), fm.height()), Qt::AlignCenter, line);
        y += fm.height();
    }
}

void GraphEdgeItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    Q_UNUSED(event);
    m_hovered = true;
    update();
}

void GraphEdgeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    Q_UNUSED(event);
    m_hovered = false;
    update();
}

} // namespace eventlens
