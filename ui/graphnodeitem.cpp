#include "ui/graphnodeitem.h"

#include "ui/palette.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace eventlens {

namespace {

constexpr qreal kPadX = 10;
constexpr qreal kPadY = 6;
constexpr qreal kHalo = 4; ///< selection halo outside the box
constexpr qreal kBadgeHeight = 16;
constexpr qreal kBadgePadX = 5;
constexpr qreal kTextLevelOfDetail = 0.3; ///< below this zoom text is unreadable: boxes only

QFont badgeFont()
{
    QFont f;
    f.setPixelSize(11);
    f.setBold(true);
    return f;
}

} // namespace

GraphNodeItem::GraphNodeItem(std::vector<Line> lines, const Style &style, qreal maxWidth)
    : m_lines(std::move(lines)), m_style(style)
{
    qreal width = 0, height = 0;
    const qreal textRoom = maxWidth - 2 * kPadX;
    for (Line &line : m_lines) {
        const QFontMetricsF fm(line.font);
        line.text = fm.elidedText(line.text, Qt::ElideMiddle, textRoom);
        width = std::max(width, fm.horizontalAdvance(line.text));
        m_lineHeights.push_back(fm.height());
        height += fm.height();
    }
    m_size = QSizeF(std::ceil(width + 2 * kPadX), std::ceil(height + 2 * kPadY));
    if (m_style.shape == Shape::Pill) // room for the round ends
        m_size.rwidth() += m_size.height() / 2;
    setAcceptedMouseButtons(Qt::NoButton); // the view handles clicks, so a drag on a node pans
    setZValue(1);                          // above the edges
}

void GraphNodeItem::setStyle(const Style &style)
{
    m_style = style;
    update();
}

void GraphNodeItem::setBadges(std::vector<Badge> badges)
{
    prepareGeometryChange();
    m_badges = std::move(badges);
    m_badgeWidths.clear();
    const QFontMetricsF fm(badgeFont());
    for (const Badge &b : m_badges)
        m_badgeWidths.push_back(std::max(kBadgeHeight, fm.horizontalAdvance(b.text) + 2 * kBadgePadX));
}

void GraphNodeItem::setHighlighted(bool on)
{
    if (on == m_highlighted)
        return;
    m_highlighted = on;
    update();
}

QString GraphNodeItem::text() const
{
    QStringList lines;
    for (const Line &l : m_lines)
        lines << l.text;
    return lines.join(QLatin1Char('\n'));
}

qreal GraphNodeItem::radius() const
{
    return m_style.shape == Shape::Pill ? m_size.height() / 2 : 6;
}

QRectF GraphNodeItem::badgeRect(size_t i) const
{
    // Right to left along the top edge, the first badge over the top-right corner.
    qreal right = box().right() + 6;
    for (size_t k = 0; k < i; ++k)
        right -= m_badgeWidths[k] + 3;
    return QRectF(right - m_badgeWidths[i], box().top() - kBadgeHeight / 2 - 2, m_badgeWidths[i], kBadgeHeight);
}

QRectF GraphNodeItem::boundingRect() const
{
    QRectF r = box().adjusted(-kHalo - 2, -kHalo - 2, kHalo + 2, kHalo + 2);
    for (size_t i = 0; i < m_badges.size(); ++i)
        r |= badgeRect(i).adjusted(-1, -1, 1, 1);
    return r;
}

QPainterPath GraphNodeItem::shape() const
{
    QPainterPath p;
    p.addRoundedRect(box(), radius(), radius());
    for (size_t i = 0; i < m_badges.size(); ++i)
        p.addRect(badgeRect(i));
    return p;
}

void GraphNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget)
{
    Q_UNUSED(widget);
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const QRectF b = box();
    const qreal r = radius();
    if (m_highlighted) {
        QColor halo(palette::kSelection);
        painter->setPen(QPen(halo, 3));
        halo.setAlpha(40);
        painter->setBrush(halo);
        painter->drawRoundedRect(b.adjusted(-kHalo, -kHalo, kHalo, kHalo), r + kHalo, r + kHalo);
    }
    QPen outline(m_style.outline, m_style.outlineWidth);
    if (m_style.dashed)
        outline.setStyle(Qt::DashLine);
    painter->setPen(outline);
    painter->setBrush(m_style.fill);
    painter->drawRoundedRect(b, r, r);

    if (lod >= kTextLevelOfDetail) {
        qreal y = b.top() + kPadY;
        for (size_t i = 0; i < m_lines.size(); ++i) {
            const Line &line = m_lines[i];
            painter->setFont(line.font);
            painter->setPen(line.color);
            painter->drawText(QRectF(b.left(), y, b.width(), m_lineHeights[i]), Qt::AlignCenter, line.text);
            y += m_lineHeights[i];
        }
    }
    if (!m_badges.empty()) {
        painter->setFont(badgeFont());
        for (size_t i = 0; i < m_badges.size(); ++i) {
            const QRectF br = badgeRect(i);
            painter->setPen(QPen(Qt::white, 1.5));
            painter->setBrush(m_badges[i].fill);
            painter->drawRoundedRect(br, kBadgeHeight / 2, kBadgeHeight / 2);
            if (lod >= kTextLevelOfDetail) {
                painter->setPen(m_badges[i].textColor);
                painter->drawText(br, Qt::AlignCenter, m_badges[i].text);
            }
        }
    }
}

} // namespace eventlens
