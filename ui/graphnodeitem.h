#pragma once

#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QString>

#include <cstdint>
#include <vector>

namespace eventlens {

/// A node of a graph view: a rounded box or a pill with centred lines of text, badges on its
/// top-right corner and a halo while selected. One painted item per node and no QObject, so a
/// 500-node graph is cheap to build and to draw; when zoomed out too far to read, it draws
/// the box without text. The item's position is the node's centre (where the layout put it).
///
/// The owning view identifies nodes by key() and notes what it marked on them in marks()
/// (view-defined bits, which tests read). GUI thread only.
class GraphNodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 1 };
    enum class Shape { RoundedBox, Pill };

    struct Line {
        QString text; ///< elided to the node's maximum width (the full text belongs in the tooltip)
        QFont font;
        QColor color;
    };
    struct Badge {
        QString text;
        QColor fill;
        QColor textColor;
    };
    struct Style {
        Shape shape = Shape::RoundedBox;
        QColor fill = Qt::white;
        QColor outline = Qt::darkGray;
        qreal outlineWidth = 1;
        bool dashed = false;
    };

    /// Lines wider than `maxWidth` (points) are elided.
    GraphNodeItem(std::vector<Line> lines, const Style &style, qreal maxWidth = 240);

    /// The size a node with these lines takes: what to give the layout.
    QSizeF size() const { return m_size; }

    void setStyle(const Style &style);
    const Style &style() const { return m_style; }
    void setBadges(std::vector<Badge> badges);
    const std::vector<Badge> &badges() const { return m_badges; }
    /// The selection halo.
    void setHighlighted(bool on);
    bool isHighlighted() const { return m_highlighted; }

    /// The lines as drawn, one per line.
    QString text() const;
    /// The box in scene coordinates (the halo and badges aside).
    QRectF sceneBox() const { return mapRectToScene(box()); }

    void setKey(uint64_t key) { m_key = key; }
    uint64_t key() const { return m_key; }
    void setMarks(uint32_t marks) { m_marks = marks; }
    uint32_t marks() const { return m_marks; }

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QRectF box() const { return QRectF(-m_size.width() / 2, -m_size.height() / 2, m_size.width(), m_size.height()); }
    qreal radius() const;
    QRectF badgeRect(size_t i) const;

    std::vector<Line> m_lines;
    std::vector<qreal> m_lineHeights;
    std::vector<Badge> m_badges;
    std::vector<qreal> m_badgeWidths;
    Style m_style;
    QSizeF m_size;
    uint64_t m_key = 0;
    uint32_t m_marks = 0;
    bool m_highlighted = false;
};

} // namespace eventlens
