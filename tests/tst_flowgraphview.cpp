// FlowGraphView on real recordings: what a person sees of a flow (nodes, labels, marks, the
// top-to-bottom order) and what a click does. tests/data/saga.jsonl holds a saga that failed
// payment and compensated (c-1002: a redelivery, a skewed notification), one that succeeded
// after an unseen command (c-1001: a ghost, an id collision), and a lone CloudEvent (c-1003).
#include "core/eventstore.h"
#include "core/exports.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "testsupport.h"
#include "ui/flowgraphview.h"
#include "ui/graphedgeitem.h"
#include "ui/graphlayout.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"

#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using namespace eventlens;

namespace {

QString sagaPath()
{
    return QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl");
}

/// Opens a recording the way the app does (its bad lines are reported and skipped).
std::unique_ptr<EventStore> open(const QString &path)
{
    auto store = std::make_unique<EventStore>();
    RecordingReport report;
    std::string error;
    if (!JsonlReader().load(path.toStdString(), *store, report, error))
        qFatal("cannot open %s: %s", qPrintable(path), error.c_str());
    return store;
}

/// A line: id, time (ms after 10:00:00 UTC), correlation ("" for none), cause, type, source.
QString ev(const char *id, int ms, const char *corr, const char *cause = "", const char *type = "step.done",
           const char *source = "svc")
{
    QString s = QStringLiteral("{\"eventId\":\"%1\",\"eventType\":\"%2\",\"timestamp\":\"2026-11-26T10:00:%3.%4Z\","
                               "\"source\":\"%5\"")
                    .arg(id, type)
                    .arg(ms / 1000, 2, 10, QLatin1Char('0'))
                    .arg(ms % 1000, 3, 10, QLatin1Char('0'))
                    .arg(source);
    if (*corr)
        s += QStringLiteral(",\"correlationId\":\"%1\"").arg(corr);
    if (*cause)
        s += QStringLiteral(",\"causationId\":\"%1\"").arg(cause);
    return s + QLatin1Char('}');
}

std::unique_ptr<EventStore> storeOf(const QStringList &lines)
{
    auto store = std::make_unique<EventStore>();
    std::string error;
    if (!appendOneByOne(lines, *store, nullptr, error))
        qFatal("bad test line: %s", error.c_str());
    return store;
}

uint32_t indexOf(const EventStore &store, const char *eventId)
{
    const uint32_t i = store.find(eventId);
    if (i == EventStore::kNone)
        qFatal("no event %s", eventId);
    return i;
}

/// A shown view, big enough for the small flows here to be fitted at a readable size.
void showView(FlowGraphView &view)
{
    view.resize(900, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
}

/// Clicks the centre of a scene rectangle, after scrolling it into view.
void clickAt(FlowGraphView &view, const QRectF &sceneRect)
{
    view.centerOn(sceneRect.center());
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(sceneRect.center()));
}

} // namespace

class TstFlowGraphView : public QObject {
    Q_OBJECT

private slots:
    void hintBeforeAFlow()
    {
        FlowGraphView view;
        QCOMPARE(view.hint(), QStringLiteral("Select an event to see its flow"));
        QCOMPARE(view.nodeCount(), 0);
        view.clear(QStringLiteral("Loading…"));
        QCOMPARE(view.hint(), QStringLiteral("Loading…"));
        QVERIFY(view.caption().isEmpty());
    }

    void sagaWithCompensation()
    {
        const auto store = open(sagaPath());
        const FlowGraph graph = buildFlowGraph(*store, "c-1002");
        FlowGraphView view;
        view.setFlow(*store, graph);
        QVERIFY(view.hint().isEmpty());
        QCOMPARE(view.correlationId(), QStringLiteral("c-1002"));
        QCOMPARE(view.layoutCount(), 1);
        QCOMPARE(view.caption(),
                 QStringLiteral("Flow c-1002 \u00b7 6 events in 320 ms \u00b7 critical path 320 ms \u00b7 "
                                "1 skewed \u00b7 1 redelivered"));

        // placed → reserved → payment failed → {stock released, order cancelled → notified}
        QCOMPARE(view.nodeCount(), 6);
        QCOMPARE(view.stubCount(), 0);
        const QStringList expected{
            "e-6|order.placed\norder-service\n10:00:01.000",
            "e-7|inventory.reserved\ninventory-service\n10:00:01.030",
            "e-8|payment.failed\npayment-service\n10:00:01.250",
            "e-9|stock.released\ninventory-service\n10:00:01.300",
            "e-10|order.cancelled\norder-service\n10:00:01.320",
            "e-11|notification.sent\nnotification-service\n10:00:01.290",
        };
        for (const QString &row : expected) {
            const QString id = row.section('|', 0, 0);
            GraphNodeItem *node = view.nodeItem(id);
            QVERIFY2(node, qPrintable(id));
            QCOMPARE(node->text(), row.section('|', 1));
            QCOMPARE(node->style().fill, colorForSource(row.section('\n', 1, 1).toStdString()));
        }
        QCOMPARE(view.nodeItem("e-6")->style().fill, view.nodeItem("e-10")->style().fill); // same source

        // Reaction lags on the edges.
        QCOMPARE(view.edgeItem("e-6", "e-7")->labelText(), QStringLiteral("30 ms"));
        QCOMPARE(view.edgeItem("e-7", "e-8")->labelText(), QStringLiteral("220 ms"));
        QCOMPARE(view.edgeItem("e-8", "e-9")->labelText(), QStringLiteral("50 ms"));
        QCOMPARE(view.edgeItem("e-8", "e-10")->labelText(), QStringLiteral("70 ms"));

        // The notification is stamped 30 ms before the cancellation that caused it.
        GraphEdgeItem *skew = view.edgeItem("e-10", "e-11");
        QVERIFY(skew);
        QCOMPARE(skew->labelText(), QStringLiteral("skew \u221230 ms"));
        QVERIFY(skew->marks() & FlowGraphView::Skew);
        QCOMPARE(skew->style().color, QColor(palette::kSkew));
        QCOMPARE(skew->style().labelColor, QColor(palette::kSkew));
        QVERIFY(!(view.edgeItem("e-8", "e-9")->marks() & FlowGraphView::Skew));

        // The payment failure was delivered twice with the same bytes: a ×2 badge.
        GraphNodeItem *failed = view.nodeItem("e-8");
        QVERIFY(failed->marks() & FlowGraphView::Redelivered);
        QCOMPARE(failed->badges().size(), size_t(1));
        QCOMPARE(failed->badges()[0].text, QStringLiteral("\u00d72"));
        QCOMPARE(failed->badges()[0].fill, QColor(palette::kRedelivery));
        QVERIFY(failed->toolTip().contains("Delivered 2 times with identical bytes"));
    }

    void criticalPathIsMarked()
    {
        const auto store = open(sagaPath());
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1002"));
        // The latest event is the cancellation (10:00:01.320): its chain of causes.
        for (const char *id : {"e-6", "e-7", "e-8", "e-10"}) {
            QVERIFY2(view.nodeItem(id)->marks() & FlowGraphView::Critical, id);
            QCOMPARE(view.nodeItem(id)->style().outline, QColor(palette::kCritical));
        }
        for (const char *id : {"e-9", "e-11"}) {
            QVERIFY2(!(view.nodeItem(id)->marks() & FlowGraphView::Critical), id);
            QVERIFY(view.nodeItem(id)->style().outline != QColor(palette::kCritical));
        }
        for (auto [cause, effect] : {std::pair{"e-6", "e-7"}, {"e-7", "e-8"}, {"e-8", "e-10"}}) {
            GraphEdgeItem *e = view.edgeItem(cause, effect);
            QVERIFY(e->marks() & FlowGraphView::Critical);
            QCOMPARE(e->style().color, QColor(palette::kCritical));
            QVERIFY(e->style().width > view.edgeItem("e-8", "e-9")->style().width);
        }
        QVERIFY(!(view.edgeItem("e-8", "e-9")->marks() & FlowGraphView::Critical));
        QVERIFY(!(view.edgeItem("e-10", "e-11")->marks() & FlowGraphView::Critical));

        // The flow exported as DOT draws its critical path in the colour the view uses (issue
        // 12, defect 6: red in the file, purple in the window).
        QTemporaryDir dir;
        const QString dotPath = dir.filePath(QStringLiteral("c-1002.dot"));
        std::string error;
        QVERIFY2(exportFlowDot(*store, buildFlowGraph(*store, "c-1002"), dotPath.toStdString(), error), error.c_str());
        QFile dotFile(dotPath);
        QVERIFY(dotFile.open(QIODevice::ReadOnly));
        const QString dot = QString::fromUtf8(dotFile.readAll());
        const QString purple = QColor(palette::kCritical).name();
        for (auto [cause, effect] : {std::pair{"e-6", "e-7"}, {"e-7", "e-8"}, {"e-8", "e-10"}}) {
            const QRegularExpression edge(QStringLiteral("\"%1\" -> \"%2\" \\[[^]]*color=\"([^\"]+)\"")
                                              .arg(QLatin1String(cause), QLatin1String(effect)));
            const QRegularExpressionMatch m = edge.match(dot);
            QVERIFY2(m.hasMatch(), qPrintable(dot));
            QCOMPARE(m.captured(1), purple);
        }
        QVERIFY2(!dot.contains(QStringLiteral("in red")), qPrintable(dot));
    }

    void causesAreAboveTheirEffects()
    {
        const auto store = open(sagaPath());
        for (const char *corr : {"c-1001", "c-1002"}) {
            const FlowGraph graph = buildFlowGraph(*store, corr);
            FlowGraphView view;
            view.setFlow(*store, graph);
            for (const FlowGraph::Edge &e : graph.edges) {
                const QString cause = QString::fromStdString(graph.nodes[e.cause].eventId);
                const QString effect = QString::fromStdString(graph.nodes[e.effect].eventId);
                const QRectF c = view.nodeItem(cause)->sceneBox(), f = view.nodeItem(effect)->sceneBox();
                QVERIFY2(c.bottom() < f.top(), qPrintable(cause + " above " + effect));
                // The edge runs from the cause's bottom to the effect's top.
                GraphEdgeItem *edge = view.edgeItem(cause, effect);
                QVERIFY(std::abs(edge->sceneStart().y() - c.bottom()) < 3);
                QVERIFY(std::abs(edge->sceneEnd().y() - f.top()) < 3);
            }
            // No two nodes overlap.
            for (const FlowGraph::Node &a : graph.nodes)
                for (const FlowGraph::Node &b : graph.nodes)
                    if (&a != &b)
                        QVERIFY(!view.nodeItem(QString::fromStdString(a.eventId))
                                     ->sceneBox()
                                     .intersects(view.nodeItem(QString::fromStdString(b.eventId))->sceneBox()));
        }
    }

    void unseenCauseIsAGhost()
    {
        const auto store = open(sagaPath());
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1001"));
        // cmd-checkout-1 (a command, never an event) → e-1 → e-2 → e-3 → e-4 → e-5
        QCOMPARE(view.nodeCount(), 6);
        QCOMPARE(view.caption(),
                 QStringLiteral("Flow c-1001 \u00b7 5 events in 500 ms \u00b7 critical path 500 ms \u00b7 "
                                "1 unseen cause \u00b7 1 id collision"));
        GraphNodeItem *ghost = view.nodeItem("cmd-checkout-1");
        QVERIFY(ghost);
        QVERIFY(ghost->marks() & FlowGraphView::Ghost);
        QCOMPARE(ghost->text(), QStringLiteral("unseen cause\ncmd-checkout-1"));
        QVERIFY(ghost->style().dashed);
        QCOMPARE(ghost->style().outline, QColor(palette::kGhost));
        QVERIFY(view.nodeRect(indexOf(*store, "e-1")).top() > ghost->sceneBox().bottom());
        GraphEdgeItem *edge = view.edgeItem("cmd-checkout-1", "e-1");
        QVERIFY(edge->marks() & FlowGraphView::Ghost);
        QVERIFY(edge->style().dashed);
        QVERIFY(edge->labelText().isEmpty()); // no lag to an unseen time
        QVERIFY(!(view.nodeItem("e-1")->marks() & FlowGraphView::Ghost));

        // e-2's id came again with other content: an id collision, told apart from a redelivery.
        GraphNodeItem *reserved = view.nodeItem("e-2");
        QVERIFY(reserved->marks() & FlowGraphView::IdCollision);
        QVERIFY(!(reserved->marks() & FlowGraphView::Redelivered));
        QCOMPARE(reserved->badges().size(), size_t(1));
        QCOMPARE(reserved->badges()[0].text, QStringLiteral("id \u00d72"));
        QCOMPARE(reserved->badges()[0].fill, QColor(palette::kIdCollision));

        // 11:00:00.180+01:00 reads as UTC.
        QCOMPARE(view.nodeItem("e-3")->text(), QStringLiteral("payment.authorized\npayment-service\n10:00:00.180"));
    }

    void clickingANodeActivatesItsEvent()
    {
        const auto store = open(sagaPath());
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1002"));
        showView(view);
        QSignalSpy spy(&view, &FlowGraphView::eventActivated);
        for (const char *id : {"e-8", "e-11", "e-6"}) {
            const uint32_t index = indexOf(*store, id);
            clickAt(view, view.nodeRect(index));
            QCOMPARE(spy.count(), 1);
            QCOMPARE(spy.takeFirst().at(0).value<uint32_t>(), index);
        }
        // The background and an edge's label are not events.
        clickAt(view, QRectF(view.sceneRect().topLeft() + QPointF(2, 2), QSizeF(1, 1)));
        clickAt(view, view.edgeItem("e-7", "e-8")->sceneLabelRect());
        QCOMPARE(spy.count(), 0);
        // A drag pans; it does not click.
        const QPoint from = view.mapFromScene(view.nodeRect(indexOf(*store, "e-8")).center());
        QTest::mousePress(view.viewport(), Qt::LeftButton, {}, from);
        QMouseEvent move(QEvent::MouseMove, from + QPoint(60, 40), view.viewport()->mapToGlobal(from + QPoint(60, 40)),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(view.viewport(), &move);
        QTest::mouseRelease(view.viewport(), Qt::LeftButton, {}, from + QPoint(60, 40));
        QCOMPARE(spy.count(), 0);
    }

    void clickingAGhostDoesNothing()
    {
        const auto store = open(sagaPath());
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1001"));
        showView(view);
        QSignalSpy spy(&view, &FlowGraphView::eventActivated);
        clickAt(view, view.nodeItem("cmd-checkout-1")->sceneBox());
        QCOMPARE(spy.count(), 0);
        clickAt(view, view.nodeRect(indexOf(*store, "e-1")));
        QCOMPARE(spy.count(), 1);
    }

    void selectionHighlightsTheNode()
    {
        const auto store = open(sagaPath());
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1002"));
        view.setSelectedEvent(indexOf(*store, "e-7"));
        QVERIFY(view.nodeItem("e-7")->isHighlighted());
        // The redelivered copy of e-8 (a row of its own in the table) selects e-8's node.
        uint32_t copy = EventStore::kNone;
        for (uint32_t i = store->firstIndex(); i < store->endIndex(); ++i)
            if (store->eventId(i) == "e-8" && i != indexOf(*store, "e-8"))
                copy = i;
        QVERIFY(copy != EventStore::kNone);
        view.setSelectedEvent(copy);
        QVERIFY(view.nodeItem("e-8")->isHighlighted());
        QVERIFY(!view.nodeItem("e-7")->isHighlighted());
        // An event of another flow: nothing highlighted.
        view.setSelectedEvent(indexOf(*store, "e-1"));
        for (const char *id : {"e-6", "e-7", "e-8", "e-9", "e-10", "e-11"})
            QVERIFY(!view.nodeItem(id)->isHighlighted());
    }

    void anUnchangedFlowIsNotLaidOutAgain()
    {
        QStringList lines{ev("p", 0, "c1", "", "order.placed", "order"),
                          ev("r", 30, "c1", "p", "stock.reserved", "inv")};
        auto store = storeOf(lines);
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c1"));
        view.setFlow(*store, buildFlowGraph(*store, "c1"));
        QCOMPARE(view.layoutCount(), 1);
        // The live flow grows: laid out again, with the new event.
        std::string error;
        QVERIFY(appendOneByOne(QStringList{ev("f", 250, "c1", "r", "payment.failed", "pay")}, *store, nullptr, error));
        view.setFlow(*store, buildFlowGraph(*store, "c1"));
        QCOMPARE(view.layoutCount(), 2);
        QCOMPARE(view.nodeCount(), 3);
        QCOMPARE(view.edgeItem("r", "f")->labelText(), QStringLiteral("220 ms"));
    }

    void otherFlowsAndCycles()
    {
        // Order o (c1) starts billing i → j (c2); o's own s causes x, which has no correlation.
        // In c3 two events name each other as causes.
        const auto store = storeOf({ev("o", 0, "c1"), ev("i", 50, "c2", "o", "billing.started", "billing"),
                                    ev("j", 80, "c2", "i"), ev("s", 100, "c1", "o"), ev("x", 120, "", "s"),
                                    ev("a", 0, "c3", "b"), ev("b", 10, "c3", "a"), ev("z", 0, "c4", "z")});
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c2"));
        // o is c1's, drawn faded with its flow, above the event it caused.
        GraphNodeItem *foreign = view.nodeItem("o");
        QVERIFY(foreign->marks() & FlowGraphView::OtherFlow);
        QVERIFY(foreign->text().endsWith("\nflow c1"));
        QCOMPARE(foreign->opacity(), palette::kFadedOpacity);
        QVERIFY(view.edgeItem("o", "i")->marks() & FlowGraphView::OtherFlow);
        QVERIFY(!(view.nodeItem("i")->marks() & FlowGraphView::OtherFlow));

        // c1's effects elsewhere are stubs; a click goes to that event.
        view.setFlow(*store, buildFlowGraph(*store, "c1"));
        QCOMPARE(view.nodeCount(), 2);
        const std::vector<GraphNodeItem *> stubs = view.stubItems();
        QCOMPARE(stubs.size(), size_t(2));
        QCOMPARE(stubs[0]->text(), QStringLiteral("\u2192 billing.started\nflow c2"));
        QCOMPARE(stubs[1]->text(), QStringLiteral("\u2192 step.done\nno flow"));
        QVERIFY(stubs[0]->sceneBox().top() > view.nodeRect(indexOf(*store, "o")).bottom());
        showView(view);
        QSignalSpy spy(&view, &FlowGraphView::eventActivated);
        clickAt(view, stubs[0]->sceneBox());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).value<uint32_t>(), indexOf(*store, "i"));

        view.setFlow(*store, buildFlowGraph(*store, "c3"));
        QCOMPARE(view.nodeCount(), 2);
        for (const char *id : {"a", "b"}) {
            QVERIFY(view.nodeItem(id)->marks() & FlowGraphView::Cycle);
            QVERIFY(view.nodeItem(id)->text().contains("causation cycle"));
        }
        QVERIFY(view.edgeItem("a", "b")->marks() & FlowGraphView::Cycle);
        QVERIFY(view.edgeItem("b", "a")->marks() & FlowGraphView::Skew); // b is stamped after a

        // Its own cause: a loop on one node.
        view.setFlow(*store, buildFlowGraph(*store, "c4"));
        QCOMPARE(view.nodeCount(), 1);
        QVERIFY(view.nodeItem("z")->marks() & FlowGraphView::Cycle);
        QCOMPARE(view.edgeItem("z", "z")->labelText(), QStringLiteral("0 ms"));
    }

    void zoomPanAndFit()
    {
        const auto store = open(sagaPath());
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1002"));
        view.resize(300, 300); // too small for the whole flow at 1:1
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const qreal fitted = view.zoom();
        QVERIFY(fitted < 1);
        auto visible = [&] { return view.mapToScene(view.viewport()->rect()).boundingRect(); };
        QVERIFY(visible().contains(view.nodeRect(indexOf(*store, "e-6")))); // the whole flow
        QVERIFY(visible().contains(view.nodeRect(indexOf(*store, "e-11"))));

        QTest::keyClick(&view, Qt::Key_Plus);
        QCOMPARE(view.zoom(), fitted * 1.25);
        QTest::keyClick(&view, Qt::Key_Minus);
        QCOMPARE(view.zoom(), fitted);
        QWheelEvent wheel(QPointF(150, 150), view.viewport()->mapToGlobal(QPointF(150, 150)), QPoint(), QPoint(0, 240),
                          Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(view.viewport(), &wheel);
        QVERIFY(view.zoom() > fitted * 1.3);
        QTest::keyClick(&view, Qt::Key_F);
        QCOMPARE(view.zoom(), fitted);

        // Selecting an event out of view scrolls to it.
        view.zoomBy(1 / view.zoom()); // 1:1
        view.centerOn(view.nodeRect(indexOf(*store, "e-6")).center());
        QVERIFY(!visible().contains(view.nodeRect(indexOf(*store, "e-11"))));
        view.setSelectedEvent(indexOf(*store, "e-11"));
        QVERIFY(visible().contains(view.nodeRect(indexOf(*store, "e-11"))));

        // A double-click on the background fits the flow again.
        view.centerOn(view.sceneRect().topLeft());
        QTest::mouseDClick(view.viewport(), Qt::LeftButton, {},
                           view.mapFromScene(view.sceneRect().topLeft() + QPointF(3, 3)));
        QCOMPARE(view.zoom(), fitted);
    }

    void captionIsNeverCutOffAndExportsCarryATitle()
    {
        // Issue 12, defect 6: in the dock the flow graph's caption was cut off at the view's
        // width, and an exported image had no title at all.
        const auto store = open(sagaPath());
        FlowGraphView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1002"));
        view.resize(330, 420); // narrower than the caption's one line
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QLabel *caption = nullptr;
        for (QLabel *l : view.findChildren<QLabel *>())
            if (l->isVisible() && l->text().contains(QStringLiteral("c-1002")))
                caption = l;
        QVERIFY(caption);
        const QRect viewport = view.viewport()->geometry();
        QVERIFY(caption->geometry().right() <= viewport.right());
        // All of its text is laid out inside it: on one line, or wrapped to its width.
        if (caption->wordWrap())
            QVERIFY2(
                caption->heightForWidth(caption->width()) <= caption->height(),
                qPrintable(
                    QStringLiteral("%1 > %2").arg(caption->heightForWidth(caption->width())).arg(caption->height())));
        else
            QVERIFY2(caption->sizeHint().width() <= caption->width(),
                     qPrintable(QStringLiteral("%1 > %2").arg(caption->sizeHint().width()).arg(caption->width())));
        // Fitted, the drawing starts below the caption: no event lies under it.
        const int captionBottom = caption->geometry().bottom() - viewport.top();
        for (const char *id : {"e-6", "e-7", "e-8", "e-9", "e-10", "e-11"}) {
            const QRect node = view.mapFromScene(view.nodeRect(indexOf(*store, id))).boundingRect();
            QVERIFY2(node.top() > captionBottom, id);
            QVERIFY2(view.viewport()->rect().contains(node), id);
        }

        // The exported image says what it shows and when, drawn above the flow and stored as
        // its title.
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("flow.png"));
        QString error;
        QVERIFY2(view.exportImage(png, error), qPrintable(error));
        const QImage image(png);
        const QString title = image.text(QStringLiteral("Title"));
        QVERIFY2(title.startsWith(QStringLiteral("Flow c-1002 \u00b7 6 events in 320 ms")), qPrintable(title));
        QVERIFY2(title.endsWith(QStringLiteral("\n2026-03-02 10:00:01.000 – 10:00:01.320 UTC")), qPrintable(title));
        int dark = 0; // the title's text, in the band above the drawing
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < image.width(); ++x)
                dark += qGray(image.pixel(x, y)) < 128;
        QVERIFY(dark > 50);
    }

    void layoutErrorsAreReported()
    {
        GraphLayout layout;
        layout.addNode({QSizeF(80, 30), GraphLayout::Shape::Box});
        layout.addEdge({0, 3, QSizeF(), 1});
        QString error;
        QVERIFY(!layout.layout(error));
        QCOMPARE(error,
                 QStringLiteral("Cannot lay out the graph: edge 0 joins node 0 to node 3, but there are 1 nodes"));
        QVERIFY(layout.nodeCenters().empty());

        GraphLayout ok;
        ok.addNode({QSizeF(80, 30), GraphLayout::Shape::Box});
        ok.addNode({QSizeF(60, 20), GraphLayout::Shape::Ellipse});
        ok.addEdge({0, 1, QSizeF(40, 12), 1});
        QVERIFY2(ok.layout(error), qPrintable(error));
        QCOMPARE(ok.nodeCenters().size(), size_t(2));
        QVERIFY(ok.nodeCenters()[0].y() < ok.nodeCenters()[1].y()); // top to bottom, y down
        QVERIFY(ok.edgeGeometry()[0].labelCenter.has_value());
        QVERIFY(ok.edgeGeometry()[0].arrowTip.has_value());
        QVERIFY(ok.boundingRect().contains(ok.nodeCenters()[1]));
    }
};

QTEST_MAIN(TstFlowGraphView)
#include "tst_flowgraphview.moc"
