#include "ui/graphview.h"

#include "ui/palette.h"

#include <QApplication>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextDocument>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace eventlens {

namespace {

constexpr qreal kMinZoom = 0.02;
constexpr qreal kMaxZoom = 4.0;
constexpr qreal kSceneMargin = 16; ///< around the drawing, in points

} // namespace

GraphView::GraphView(QWidget *parent) : QGraphicsView(parent), m_hint(new QLabel(this)), m_caption(new QLabel(this))
{
    setScene(new QGraphicsScene(this));
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setBackgroundBrush(palette().color(QPalette::Base));
    setFocusPolicy(Qt::StrongFocus);

    // A sibling over the viewport, not its child: scrolling moves the viewport's children.
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_hint->setMargin(24);
    m_hint->hide();

    m_caption->setTextFormat(Qt::RichText);
    m_caption->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_caption->setAutoFillBackground(true);
    QPalette captionPalette = m_caption->palette();
    QColor plate = palette().color(QPalette::Base);
    plate.setAlpha(225);
    captionPalette.setColor(QPalette::Window, plate);
    m_caption->setPalette(captionPalette);
    m_caption->setMargin(4);
    m_caption->hide();
}

GraphView::~GraphView() = default;

bool GraphView::exportImage(const QString &path, QString &error)
{
    const QRectF bounds = scene()->itemsBoundingRect();
    if (scene()->items().isEmpty() || bounds.isEmpty()) {
        error = tr("There is no graph to export.");
        return false;
    }
    const QRectF source = bounds.adjusted(-16, -16, 16, 16);
    // A file leaves the window behind: it carries its caption (what it shows) and time range
    // as a title above the drawing, and as the image's own title.
    const QString title = exportTitle();
    QFont titleFont = font();
    titleFont.setPointSizeF(std::max<qreal>(titleFont.pointSizeF(), 10));
    const QFontMetricsF metrics(titleFont);
    const QStringList titleLines = title.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    qreal titleWidth = 0;
    for (const QString &line : titleLines)
        titleWidth = std::max(titleWidth, metrics.horizontalAdvance(line));
    const qreal band = titleLines.isEmpty() ? 0 : metrics.lineSpacing() * qreal(titleLines.size()) + 12;
    const QSizeF page(std::max(source.width(), titleWidth + 24), source.height() + band);
    auto paint = [&](QPainter &painter, qreal scale) {
        painter.fillRect(QRectF(QPointF(0, 0), page * scale), Qt::white);
        painter.save();
        painter.scale(scale, scale);
        painter.setFont(titleFont);
        painter.setPen(QColor(palette::kText));
        qreal y = 6 + metrics.ascent();
        for (const QString &line : titleLines) {
            painter.drawText(QPointF(12, y), line);
            y += metrics.lineSpacing();
        }
        painter.restore();
        scene()->render(&painter, QRectF(QPointF(0, band) * scale, source.size() * scale), source);
    };
    const QString suffix = QFileInfo(path).suffix().toLower();
    // Written whole or not at all: a failed export leaves no half file behind.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (suffix == QLatin1String("svg")) {
        // Vector: text stays text, the drawing scales without blur.
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(page.toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), page));
        svg.setTitle(title.isEmpty() ? QStringLiteral("EventLens") : title);
        svg.setDescription(caption());
        QPainter painter;
        if (!painter.begin(&svg)) {
            error = tr("Cannot write %1 as SVG.").arg(path);
            return false;
        }
        paint(painter, 1);
        painter.end();
    } else {
        // Twice the size for sharp text on today's screens, within kMaxExportPixels but never
        // below 1:1: a big map at twice its size took seconds to draw and encode on the GUI
        // thread (the monkey test saw the window stall for over 1 s); SVG suits a map that big.
        constexpr qreal kMaxExportPixels = 8e6;
        const qreal scale =
            std::clamp<qreal>(std::sqrt(kMaxExportPixels / std::max<qreal>(1, page.width() * page.height())), 1, 2);
        QImage image((page * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
        if (image.isNull()) {
            error = tr("The graph is too large to export as an image (%1 × %2 points): export it as SVG.")
                        .arg(int(source.width()))
                        .arg(int(source.height()));
            return false;
        }
        {
            QPainter painter(&image);
            painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
            paint(painter, scale);
        }
        image.setText(QStringLiteral("Title"), title);
        image.setText(QStringLiteral("Software"), QStringLiteral("EventLens"));
        const QByteArray format = suffix.isEmpty() ? QByteArrayLiteral("png") : suffix.toLatin1();
        if (!image.save(&file, format.constData())) {
            error = tr("Cannot write %1: \"%2\" is not an image format this system can write (use .png or .svg).")
                        .arg(path, suffix);
            return false;
        }
    }
    if (!file.commit()) {
        error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString GraphView::exportTitle() const
{
    const QString shown = caption();
    return m_timeRange.isEmpty() ? shown : shown + QLatin1Char('\n') + m_timeRange;
}

void GraphView::setTimeRangeText(const QString &text)
{
    m_timeRange = text;
}

QString GraphView::hint() const
{
    return m_hint->isHidden() ? QString() : m_hint->text();
}

QString GraphView::caption() const
{
    QTextDocument doc;
    doc.setHtml(m_caption->text());
    return m_caption->isHidden() ? QString() : doc.toPlainText();
}

void GraphView::setCaption(const QString &richText)
{
    m_caption->setText(richText);
    m_caption->setVisible(!richText.isEmpty());
    layoutOverlays();
}

qreal GraphView::zoom() const
{
    return transform().m11();
}

void GraphView::setZoom(qreal zoom)
{
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    setTransform(QTransform::fromScale(zoom, zoom));
}

void GraphView::zoomBy(qreal factor)
{
    m_fitted = false;
    m_presentPending = false;
    setZoom(zoom() * factor);
}

int GraphView::captionBottom() const
{
    return m_caption->isHidden() ? 0 : 4 + m_caption->height();
}

void GraphView::reserveCaptionRoom(qreal zoom)
{
    // The caption lies over the viewport's top: the scene gets room above the drawing for it,
    // at this zoom, so that what is drawn starts below the caption (not under it).
    const int caption = captionBottom();
    if (m_drawing.isEmpty())
        return;
    scene()->setSceneRect(caption > 0 && zoom > 0 ? m_drawing.adjusted(0, -(caption + 4) / zoom, 0, 0) : m_drawing);
}

void GraphView::fitToView()
{
    m_presentPending = false;
    const QRectF r = m_drawing.isEmpty() ? sceneRect() : m_drawing;
    const qreal caption = captionBottom() > 0 ? captionBottom() + 4 : 0;
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(4, 4 + caption);
    if (r.isEmpty() || room.isEmpty())
        return;
    const qreal fit = std::min({room.width() / r.width(), room.height() / r.height(), 1.0});
    m_fitted = true; // a bigger view fits again
    // Fitting never zooms out below the minimum (labels stay readable: items stop drawing text
    // below 0.3) and a drawing bigger than the view scrolls. Zooming out by hand goes further.
    if (fit >= m_minFitZoom) {
        reserveCaptionRoom(fit);
        setZoom(fit);
        centerOn(sceneRect().center());
        return;
    }
    // Too big to read whole: readable, from its top-left corner (where a map starts) below the
    // caption, scrolling.
    reserveCaptionRoom(m_minFitZoom);
    setZoom(m_minFitZoom);
    const QRectF scene = sceneRect();
    centerOn(scene.topLeft() + QPointF(viewport()->width(), viewport()->height()) / (2 * m_minFitZoom));
}

void GraphView::showHint(const QString &message)
{
    scene()->clear();
    scene()->setSceneRect(QRectF());
    m_presentPending = false;
    m_caption->hide();
    m_hint->setText(message);
    layoutOverlays();
    m_hint->show();
    m_hint->raise();
}

void GraphView::hideHint()
{
    m_hint->hide();
}

void GraphView::layoutOverlays()
{
    const QRect r = viewport()->geometry();
    m_hint->setGeometry(r);
    // On one line when it fits, else wrapped to the viewport's width: never cut off.
    const int room = std::max(0, r.width() - 8);
    m_caption->setMaximumWidth(room);
    m_caption->setWordWrap(false);
    const QSize natural = m_caption->sizeHint();
    if (natural.width() <= room) {
        m_caption->resize(natural);
    } else {
        m_caption->setWordWrap(true);
        m_caption->resize(room, m_caption->heightForWidth(room));
    }
    m_caption->move(r.topLeft() + QPoint(4, 4));
    m_caption->raise();
}

void GraphView::updateSceneRect()
{
    m_drawing = scene()->itemsBoundingRect().adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin);
    reserveCaptionRoom(zoom());
}

qreal GraphView::fitZoomFor(QSizeF drawing) const
{
    const qreal caption = captionBottom() > 0 ? captionBottom() + 4 : 0;
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(4, 4 + caption);
    drawing += QSizeF(2 * kSceneMargin, 2 * kSceneMargin);
    if (room.isEmpty())
        return 0;
    return std::min({room.width() / drawing.width(), room.height() / drawing.height(), 1.0});
}

void GraphView::presentNewGraph(qreal minZoom, std::optional<QPointF> focus)
{
    m_presentMinZoom = minZoom;
    m_presentFocus = focus;
    m_presentPending = true;
    if (isVisible())
        applyPresentation();
}

QPointF GraphView::visibleCenter() const
{
    return mapToScene(viewport()->rect().center());
}

void GraphView::keepView(QPointF previousCenter)
{
    if (m_presentPending)
        applyPresentation();
    else if (m_fitted)
        fitToView();
    else
        centerOn(previousCenter);
}

void GraphView::applyPresentation()
{
    const QRectF r = m_drawing.isEmpty() ? sceneRect() : m_drawing;
    const qreal caption = captionBottom() > 0 ? captionBottom() + 4 : 0;
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(4, 4 + caption);
    if (r.isEmpty() || room.isEmpty())
        return;
    m_presentPending = false;
    const qreal fit = std::min({room.width() / r.width(), room.height() / r.height(), 1.0});
    if (fit >= m_presentMinZoom) {
        fitToView();
    } else {
        // Too big to read whole: readable size, from the top (where the causes are), below
        // the caption.
        reserveCaptionRoom(m_presentMinZoom);
        setZoom(m_presentMinZoom);
        m_fitted = false;
        const qreal visibleHeight = qreal(viewport()->height()) / m_presentMinZoom;
        const QPointF top = m_presentFocus ? *m_presentFocus - QPointF(0, 24 + (caption + 4) / m_presentMinZoom)
                                           : QPointF(r.center().x(), sceneRect().top());
        centerOn(QPointF(top.x(), top.y() + visibleHeight / 2));
    }
    presented();
}

void GraphView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const int delta = event->angleDelta().y();
        if (delta != 0)
            zoomBy(std::pow(1.0015, delta));
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1.25);
        return;
    case Qt::Key_Minus:
        zoomBy(0.8);
        return;
    case Qt::Key_0:
        m_fitted = false;
        setZoom(1.0);
        return;
    case Qt::Key_F:
        if (!(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))) {
            fitToView();
            return;
        }
        break;
    default:
        break;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::mousePressEvent(QMouseEvent *event)
{
    m_pressed = event->button() == Qt::LeftButton;
    m_pressPos = event->position().toPoint();
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent *event)
{
    QGraphicsView::mouseReleaseEvent(event);
    if (!m_pressed || event->button() != Qt::LeftButton)
        return;
    m_pressed = false;
    const QPoint pos = event->position().toPoint();
    if ((pos - m_pressPos).manhattanLength() < QApplication::startDragDistance())
        activate(itemAt(pos));
    else
        m_fitted = false; // panned by hand
}

void GraphView::mouseDoubleClickEvent(QMouseEvent *event)
{
    m_pressed = false;
    if (event->button() == Qt::LeftButton && !itemAt(event->position().toPoint())) {
        fitToView();
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void GraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    layoutOverlays();
    if (m_presentPending)
        applyPresentation();
    else if (m_fitted)
        fitToView();
}

void GraphView::showEvent(QShowEvent *event)
{
    QGraphicsView::showEvent(event);
    layoutOverlays();
    if (m_presentPending)
        applyPresentation();
}

} // namespace eventlens
