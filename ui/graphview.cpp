#include "ui/graphview.h"

#include <QApplication>
#include <QFileInfo>
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
/// Fitting never zooms out below this: labels stay readable (items stop drawing text below
/// 0.3) and a drawing bigger than the view scrolls. Zooming out by hand goes further.
constexpr qreal kMinFitZoom = 0.5;

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
        svg.setSize(source.size().toSize());
        svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
        svg.setTitle(QStringLiteral("EventLens"));
        svg.setDescription(caption());
        QPainter painter;
        if (!painter.begin(&svg)) {
            error = tr("Cannot write %1 as SVG.").arg(path);
            return false;
        }
        painter.fillRect(QRectF(QPointF(0, 0), source.size()), Qt::white);
        scene()->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
        painter.end();
    } else {
        constexpr qreal kScale = 2; // sharp text on today's screens
        QImage image((source.size() * kScale).toSize(), QImage::Format_ARGB32_Premultiplied);
        if (image.isNull()) {
            error = tr("The graph is too large to export as an image (%1 × %2 points): export it as SVG.")
                        .arg(int(source.width()))
                        .arg(int(source.height()));
            return false;
        }
        image.fill(Qt::white);
        {
            QPainter painter(&image);
            painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
            scene()->render(&painter, QRectF(QPointF(0, 0), image.size()), source);
        }
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

void GraphView::fitToView()
{
    m_presentPending = false;
    const QRectF r = sceneRect();
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(4, 4);
    if (r.isEmpty() || room.isEmpty())
        return;
    const qreal fit = std::min({room.width() / r.width(), room.height() / r.height(), 1.0});
    m_fitted = true; // a bigger view fits again
    if (fit >= kMinFitZoom) {
        setZoom(fit);
        centerOn(r.center());
        return;
    }
    // Too big to read whole: readable, from its top-left corner (where a map starts), scrolling.
    setZoom(kMinFitZoom);
    centerOn(r.topLeft() + QPointF(room.width(), room.height()) / (2 * kMinFitZoom));
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
    m_caption->setMaximumWidth(std::max(0, r.width() - 8));
    m_caption->adjustSize();
    m_caption->move(r.topLeft() + QPoint(4, 4));
    m_caption->raise();
}

void GraphView::updateSceneRect()
{
    scene()->setSceneRect(
        scene()->itemsBoundingRect().adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin));
}

qreal GraphView::fitZoomFor(QSizeF drawing) const
{
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(4, 4);
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
    const QRectF r = sceneRect();
    const QSizeF room = QSizeF(viewport()->size()) - QSizeF(4, 4);
    if (r.isEmpty() || room.isEmpty())
        return;
    m_presentPending = false;
    const qreal fit = std::min({room.width() / r.width(), room.height() / r.height(), 1.0});
    if (fit >= m_presentMinZoom) {
        fitToView();
    } else {
        // Too big to read whole: readable size, from the top (where the causes are).
        setZoom(m_presentMinZoom);
        m_fitted = false;
        const qreal visibleHeight = room.height() / m_presentMinZoom;
        const QPointF top = m_presentFocus ? *m_presentFocus - QPointF(0, 24) : QPointF(r.center().x(), r.top());
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
