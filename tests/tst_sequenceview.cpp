// SequenceView on known flows: what a person reads off the diagram (lanes, where each event
// sits, the arrows and their lags, ghosts and skew), what a click does, and that a 200-event
// saga stays readable. tests/data/saga.jsonl holds a saga that failed payment and compensated
// (c-1002: a redelivery, a notification stamped before its cause) and one that succeeded after
// an unseen command (c-1001: a ghost).
#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "testsupport.h"
#include "ui/graphedgeitem.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"
#include "ui/sequenceview.h"

#include <QElapsedTimer>
#include <QImageReader>
#include <QLabel>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
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

/// A line: id, time (ms after 10:00:00 UTC), correlation, cause ("" for none), type, source.
QString ev(const QString &id, int ms, const char *corr, const QString &cause, const char *type, const char *source)
{
    QString s = QStringLiteral("{\"eventId\":\"%1\",\"eventType\":\"%2\",\"timestamp\":\"2026-11-26T10:%3:%4.%5Z\","
                               "\"source\":\"%6\",\"correlationId\":\"%7\"")
                    .arg(id, QLatin1String(type))
                    .arg(ms / 60000, 2, 10, QLatin1Char('0'))
                    .arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'))
                    .arg(ms % 1000, 3, 10, QLatin1Char('0'))
                    .arg(QLatin1String(source), QLatin1String(corr));
    if (!cause.isEmpty())
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

/// An order saga of exactly 200 events in flow "big", started by an unseen checkout command:
/// the order is placed, then 39 line items are each reserved, priced, paid, packed and
/// recorded by analytics, new items starting every 20 ms so their steps interleave (arrows
/// span several rows and cross lanes both ways). Item 12's payment is retried by the payment
/// service itself, item 10 is packed on a clock 15 ms behind, and after item 20 the saga waits
/// 1.5 s for a rate limit. Four closing events end it.
QStringList bigSaga()
{
    QStringList lines;
    lines << ev("placed", 0, "big", "cmd-checkout", "order.placed", "order-service");
    int start = 10;
    int item = 0;
    while (lines.size() < 196) {
        if (item == 21)
            start += 1500;
        const QString k = QString::number(item);
        const int t = start + 20 * item;
        lines << ev("reserved-" + k, t, "big", "placed", "inventory.reserved", "inventory-service");
        lines << ev("priced-" + k, t + 14, "big", "reserved-" + k, "price.quoted", "pricing-service");
        QString paid = "paid-" + k;
        if (item == 12) {
            lines << ev("declined-" + k, t + 30, "big", "priced-" + k, "payment.declined", "payment-service");
            lines << ev(paid, t + 95, "big", "declined-" + k, "payment.authorized", "payment-service");
        } else {
            lines << ev(paid, t + 30, "big", "priced-" + k, "payment.authorized", "payment-service");
        }
        if (lines.size() >= 196)
            break;
        const int packed = item == 10 ? 15 : item == 12 ? 110 : 52;
        lines << ev("packed-" + k, t + packed, "big", paid, "package.packed", "shipping-service");
        lines << ev("recorded-" + k, t + packed + 18, "big", "packed-" + k, "analytics.recorded", "analytics-service");
        ++item;
    }
    lines = lines.mid(0, 196);
    const int end = start + 20 * item + 200;
    lines << ev("confirmed", end, "big", lines.back().section('"', 3, 3), "order.confirmed", "order-service");
    lines << ev("notified", end + 25, "big", "confirmed", "notification.sent", "notification-service");
    lines << ev("invoiced", end + 40, "big", "confirmed", "invoice.issued", "billing-service");
    lines << ev("mailed", end + 90, "big", "invoiced", "invoice.mailed", "notification-service");
    return lines;
}

uint32_t indexOf(const EventStore &store, const char *eventId)
{
    const uint32_t i = store.find(eventId);
    if (i == EventStore::kNone)
        qFatal("no event %s", eventId);
    return i;
}

/// The flow's own events (first occurrences), by time then arrival: the order of the rows.
std::vector<uint32_t> eventsByTime(const EventStore &store, const FlowGraph &graph)
{
    std::vector<uint32_t> events;
    for (const FlowGraph::Node &n : graph.nodes)
        if (!n.ghost && n.inFlow)
            events.push_back(n.event);
    std::stable_sort(events.begin(), events.end(), [&](uint32_t a, uint32_t b) {
        return store.record(a).timestampNs != store.record(b).timestampNs
                   ? store.record(a).timestampNs < store.record(b).timestampNs
                   : a < b;
    });
    return events;
}

void showView(SequenceView &view, QSize size = QSize(1000, 700))
{
    view.resize(size);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
}

/// Clicks the centre of a scene rectangle, after scrolling it into view.
void clickAt(SequenceView &view, const QRectF &sceneRect)
{
    view.centerOn(sceneRect.center());
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(sceneRect.center()));
}

} // namespace

class TstSequenceView : public QObject {
    Q_OBJECT

private slots:
    void hintBeforeAFlow()
    {
        SequenceView view;
        QCOMPARE(view.hint(), QStringLiteral("Select an event to see its flow"));
        QCOMPARE(view.markCount(), 0);
        QVERIFY(view.laneNames().isEmpty());
        view.clear(QStringLiteral("Loading…"));
        QCOMPARE(view.hint(), QStringLiteral("Loading…"));
        QVERIFY(view.caption().isEmpty());
        view.setFlow(EventStore(), FlowGraph{});
        QCOMPARE(view.hint(), QStringLiteral("This event belongs to no flow (it has no correlationId)"));
    }

    void sagaWithCompensation()
    {
        const auto store = open(sagaPath());
        const FlowGraph graph = buildFlowGraph(*store, "c-1002");
        SequenceView view;
        view.setFlow(*store, graph);
        showView(view);
        QVERIFY(view.hint().isEmpty());
        QCOMPARE(view.correlationId(), QStringLiteral("c-1002"));
        QCOMPARE(view.caption(), QStringLiteral("Flow c-1002 \u00b7 6 events, 4 services, 320 ms \u00b7 critical path "
                                                "320 ms \u00b7 1 skewed \u00b7 1 redelivered"));

        // One lane per service, in the order they first act; lanes left to right.
        const QStringList lanes{"order-service", "inventory-service", "payment-service", "notification-service"};
        QCOMPARE(view.laneNames(), lanes);
        for (int i = 1; i < lanes.size(); ++i)
            QVERIFY(view.laneX(lanes[i - 1]) < view.laneX(lanes[i]));
        QVERIFY(std::isnan(view.laneX("shipping-service")));

        // Each event on its service's lane, in its service's colour, labelled with its type;
        // rows top to bottom by time (the skewed notification above the cancellation).
        const QStringList expected{
            "e-6|order-service|order.placed|+0 ms  10:00:01.000",
            "e-7|inventory-service|inventory.reserved|+30 ms  10:00:01.030",
            "e-8|payment-service|payment.failed|+250 ms  10:00:01.250",
            "e-11|notification-service|notification.sent|+290 ms  10:00:01.290",
            "e-9|inventory-service|stock.released|+300 ms  10:00:01.300",
            "e-10|order-service|order.cancelled|+320 ms  10:00:01.320",
        };
        QCOMPARE(view.markCount(), 6);
        qreal previousBottom = -1e9;
        for (const QString &row : expected) {
            const QStringList f = row.split('|');
            const uint32_t index = indexOf(*store, f[0].toUtf8().constData());
            GraphNodeItem *mark = view.markItem(f[0]);
            QVERIFY2(mark, qPrintable(f[0]));
            QCOMPARE(mark->text(), f[2]);
            QCOMPARE(mark->style().fill, colorForSource(f[1].toStdString()));
            const QRectF r = view.markRect(index);
            QCOMPARE(r, mark->sceneBox());
            QVERIFY2(std::abs(r.center().x() - view.laneX(f[1])) < 0.5, qPrintable(f[0]));
            QVERIFY2(r.top() > previousBottom, qPrintable(f[0] + " below the event before it"));
            previousBottom = r.bottom();
            QCOMPARE(view.timeLabel(index), f[3]);
        }

        // Reaction lags on the arrows, each from the cause's mark to the effect's.
        for (auto [cause, effect, lag] : {std::tuple{"e-6", "e-7", "+30 ms"},
                                          {"e-7", "e-8", "+220 ms"},
                                          {"e-8", "e-9", "+50 ms"},
                                          {"e-8", "e-10", "+70 ms"}}) {
            GraphEdgeItem *arrow = view.arrowItem(cause, effect);
            QVERIFY2(arrow, cause);
            QCOMPARE(arrow->labelText(), QString::fromUtf8(lag));
            QVERIFY(!(arrow->marks() & SequenceView::Skew));
            const QRectF c = view.markItem(cause)->sceneBox(), f = view.markItem(effect)->sceneBox();
            QVERIFY(c.contains(QPointF(c.center().x(), arrow->sceneStart().y())));
            QVERIFY(std::abs(arrow->sceneEnd().y() - f.center().y()) < 1);
            // The label sits on the effect's row, clear of every mark.
            QVERIFY(std::abs(arrow->sceneLabelRect().center().y() - f.center().y()) < 1);
            for (const QString &row : expected)
                QVERIFY(!arrow->sceneLabelRect().intersects(view.markItem(row.section('|', 0, 0))->sceneBox()));
        }

        // The notification is stamped 30 ms before the cancellation that caused it: its red
        // arrow points up.
        GraphEdgeItem *skew = view.arrowItem("e-10", "e-11");
        QVERIFY(skew);
        QCOMPARE(skew->labelText(), QStringLiteral("skew \u221230 ms"));
        QVERIFY(skew->marks() & SequenceView::Skew);
        QCOMPARE(skew->style().color, QColor(palette::kSkew));
        QCOMPARE(skew->style().labelColor, QColor(palette::kSkew));
        QVERIFY(skew->sceneEnd().y() < skew->sceneStart().y());

        // The critical path (the chain ending at the cancellation) is purple and thicker.
        for (const char *id : {"e-6", "e-7", "e-8", "e-10"})
            QVERIFY2(view.markItem(id)->marks() & SequenceView::Critical, id);
        QVERIFY(!(view.markItem("e-9")->marks() & SequenceView::Critical));
        GraphEdgeItem *critical = view.arrowItem("e-8", "e-10");
        QVERIFY(critical->marks() & SequenceView::Critical);
        QCOMPARE(critical->style().color, QColor(palette::kCritical));
        QVERIFY(critical->style().width > view.arrowItem("e-8", "e-9")->style().width);

        // The payment failure was delivered twice with the same bytes: a ×2 badge.
        GraphNodeItem *failed = view.markItem("e-8");
        QVERIFY(failed->marks() & SequenceView::Redelivered);
        QCOMPARE(failed->badges().size(), size_t(1));
        QCOMPARE(failed->badges()[0].text, QStringLiteral("\u00d72"));
        QVERIFY(failed->toolTip().contains("Delivered 2 times with identical bytes"));
    }

    void unseenCauseIsAGhost()
    {
        const auto store = open(sagaPath());
        SequenceView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1001"));
        showView(view);
        QCOMPARE(view.laneNames(), QStringList({SequenceView::unseenLaneName(), "order-service", "inventory-service",
                                                "payment-service", "shipping-service", "notification-service"}));
        QCOMPARE(view.markCount(), 6);
        GraphNodeItem *ghost = view.markItem("cmd-checkout-1");
        QVERIFY(ghost);
        QVERIFY(ghost->marks() & SequenceView::Ghost);
        QCOMPARE(ghost->text(), QStringLiteral("cmd-checkout-1"));
        QVERIFY(ghost->style().dashed);
        QCOMPARE(ghost->style().outline, QColor(palette::kGhost));
        QCOMPARE(ghost->sceneBox().center().x(), view.laneX(SequenceView::unseenLaneName()));
        // A row above the event it caused, with a dashed arrow and no lag (its time is unknown).
        const QRectF placed = view.markRect(indexOf(*store, "e-1"));
        QVERIFY(ghost->sceneBox().bottom() < placed.top());
        GraphEdgeItem *arrow = view.arrowItem("cmd-checkout-1", "e-1");
        QVERIFY(arrow);
        QVERIFY(arrow->marks() & SequenceView::Ghost);
        QVERIFY(arrow->style().dashed);
        QVERIFY(arrow->labelText().isEmpty());
        // Clicking it does nothing: it is not an event.
        QSignalSpy spy(&view, &SequenceView::eventActivated);
        clickAt(view, ghost->sceneBox());
        QCOMPARE(spy.count(), 0);
        // 11:00:00.180+01:00 reads as UTC.
        QCOMPARE(view.timeLabel(indexOf(*store, "e-3")), QStringLiteral("+180 ms  10:00:00.180"));
    }

    void clickingAMarkActivatesItsEvent()
    {
        const auto store = open(sagaPath());
        SequenceView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1002"));
        showView(view);
        QSignalSpy spy(&view, &SequenceView::eventActivated);
        for (const char *id : {"e-8", "e-11", "e-6"}) {
            const uint32_t index = indexOf(*store, id);
            clickAt(view, view.markRect(index));
            QCOMPARE(spy.count(), 1);
            QCOMPARE(spy.takeFirst().at(0).value<uint32_t>(), index);
        }
        // An arrow's label, a lifeline and the background are not events.
        clickAt(view, view.arrowItem("e-7", "e-8")->sceneLabelRect());
        clickAt(view, QRectF(QPointF(view.laneX("payment-service"), view.markRect(indexOf(*store, "e-7")).center().y()),
                             QSizeF(1, 1)));
        clickAt(view, QRectF(view.sceneRect().bottomRight() - QPointF(3, 3), QSizeF(1, 1)));
        QCOMPARE(spy.count(), 0);
    }

    void selectionHighlightsTheMark()
    {
        const auto store = open(sagaPath());
        SequenceView view;
        view.setFlow(*store, buildFlowGraph(*store, "c-1002"));
        view.setSelectedEvent(indexOf(*store, "e-7"));
        QVERIFY(view.markItem("e-7")->isHighlighted());
        // The redelivered copy of e-8 (a row of its own in the table) selects e-8's mark.
        uint32_t copy = EventStore::kNone;
        for (uint32_t i = store->firstIndex(); i < store->endIndex(); ++i)
            if (store->eventId(i) == "e-8" && i != indexOf(*store, "e-8"))
                copy = i;
        QVERIFY(copy != EventStore::kNone);
        view.setSelectedEvent(copy);
        QVERIFY(view.markItem("e-8")->isHighlighted());
        QVERIFY(!view.markItem("e-7")->isHighlighted());
        // An event of another flow: nothing highlighted.
        view.setSelectedEvent(indexOf(*store, "e-1"));
        for (const char *id : {"e-6", "e-7", "e-8", "e-9", "e-10", "e-11"})
            QVERIFY(!view.markItem(id)->isHighlighted());
    }

    void aServiceReactingToItselfLoops()
    {
        // The payment service retries its own declined payment 65 ms later.
        const auto store = storeOf({ev("p", 0, "c1", "", "order.placed", "order"),
                                    ev("d", 40, "c1", "p", "payment.declined", "payment"),
                                    ev("a", 105, "c1", "d", "payment.authorized", "payment")});
        SequenceView view;
        view.setFlow(*store, buildFlowGraph(*store, "c1"));
        QCOMPARE(view.laneNames(), QStringList({"order", "payment"}));
        GraphEdgeItem *loop = view.arrowItem("d", "a");
        QVERIFY(loop->marks() & SequenceView::SameService);
        QCOMPARE(loop->labelText(), QStringLiteral("+65 ms"));
        // Out of the declined payment's right side and back into the retry's, beside the lane.
        const QRectF d = view.markRect(indexOf(*store, "d")), a = view.markRect(indexOf(*store, "a"));
        QVERIFY(std::abs(loop->sceneStart().x() - d.right()) < 1);
        QVERIFY(std::abs(loop->sceneEnd().x() - a.right()) < 1);
        QVERIFY(loop->sceneLabelRect().left() > std::max(d.right(), a.right()));
        QVERIFY(!(view.arrowItem("p", "d")->marks() & SequenceView::SameService));
    }

    void causesFromOtherFlowsAndLoops()
    {
        // Billing's flow c2 was started by o, an event of order flow c1, 50 ms before it; in c3
        // an event names itself as its cause.
        const auto store = storeOf(
            {ev("o", 0, "c1", "", "order.placed", "order"), ev("i", 50, "c2", "o", "billing.started", "billing"),
             ev("j", 80, "c2", "i", "invoice.issued", "billing"), ev("z", 100, "c3", "z", "step.done", "svc")});
        SequenceView view;
        view.setFlow(*store, buildFlowGraph(*store, "c2"));
        QCOMPARE(view.laneNames(), QStringList({"order", "billing"}));
        GraphNodeItem *foreign = view.markItem("o");
        QVERIFY(foreign->marks() & SequenceView::OtherFlow);
        QCOMPARE(foreign->text(), QStringLiteral("order.placed\nflow c1"));
        QCOMPARE(foreign->opacity(), palette::kFadedOpacity);
        QVERIFY(view.arrowItem("o", "i")->marks() & SequenceView::OtherFlow);
        QVERIFY(view.arrowItem("o", "i")->style().dashed);
        // Its time reads from this flow's start: before it.
        QCOMPARE(view.timeLabel(indexOf(*store, "o")), QStringLiteral("\u221250 ms  10:00:00.000"));
        QCOMPARE(view.timeLabel(indexOf(*store, "i")), QStringLiteral("+0 ms  10:00:00.050"));
        QVERIFY(view.markRect(indexOf(*store, "o")).bottom() < view.markRect(indexOf(*store, "i")).top());

        view.setFlow(*store, buildFlowGraph(*store, "c3"));
        QCOMPARE(view.markCount(), 1);
        GraphEdgeItem *self = view.arrowItem("z", "z");
        QVERIFY(self->marks() & SequenceView::SameService);
        QVERIFY(self->marks() & SequenceView::Cycle);
        QCOMPARE(self->labelText(), QStringLiteral("+0 ms"));
        QVERIFY(self->sceneStart().y() < self->sceneEnd().y()); // out above the middle, back in below
    }

    void aLiveFlowKeepsTheView()
    {
        QStringList lines = bigSaga().mid(0, 120);
        auto store = storeOf(lines);
        SequenceView view;
        view.setFlow(*store, buildFlowGraph(*store, "big"));
        showView(view, QSize(900, 500));
        QCOMPARE(view.layoutCount(), 1);
        // Unchanged: not drawn again.
        view.setFlow(*store, buildFlowGraph(*store, "big"));
        QCOMPARE(view.layoutCount(), 1);

        // The person zooms in and scrolls to the middle; then the flow grows.
        view.zoomBy(1.25);
        const qreal zoom = view.zoom();
        const uint32_t middle = indexOf(*store, "priced-10");
        view.centerOn(view.markRect(middle).center());
        const QPointF before = view.mapFromScene(view.markRect(middle).center());
        std::string error;
        QVERIFY(appendOneByOne(bigSaga().mid(120, 20), *store, nullptr, error));
        view.setFlow(*store, buildFlowGraph(*store, "big"));
        QCOMPARE(view.layoutCount(), 2);
        QCOMPARE(view.markCount(), 141); // 140 events and the unseen command
        QCOMPARE(view.zoom(), zoom);
        const QPointF after = view.mapFromScene(view.markRect(middle).center());
        QVERIFY2(
            (after - before).manhattanLength() < 3,
            qPrintable(QStringLiteral("%1,%2 -> %3,%4").arg(before.x()).arg(before.y()).arg(after.x()).arg(after.y())));

        // Another flow is presented anew, from its top.
        const auto saga = open(sagaPath());
        view.setFlow(*saga, buildFlowGraph(*saga, "c-1002"));
        QCOMPARE(view.layoutCount(), 3);
        QCOMPARE(view.laneNames().size(), 4);
    }

    void aTwoHundredEventSagaStaysReadable()
    {
        const auto store = storeOf(bigSaga());
        const FlowGraph graph = buildFlowGraph(*store, "big");
        QCOMPARE(graph.eventCount(), size_t(200));
        SequenceView view;
        QElapsedTimer timer;
        timer.start();
        view.setFlow(*store, graph);
        const qint64 ms = timer.elapsed();
        QVERIFY2(ms < 300, qPrintable(QStringLiteral("drawing took %1 ms").arg(ms)));
        showView(view, QSize(1000, 700));

        QCOMPARE(view.laneNames(), QStringList({SequenceView::unseenLaneName(), "order-service", "inventory-service",
                                                "pricing-service", "payment-service", "shipping-service",
                                                "analytics-service", "notification-service", "billing-service"}));
        QCOMPARE(view.markCount(), 201);

        // Rows in time order, one event each, never closer than a readable pitch.
        const std::vector<uint32_t> rows = eventsByTime(*store, graph);
        for (size_t i = 1; i < rows.size(); ++i) {
            const QRectF a = view.markRect(rows[i - 1]), b = view.markRect(rows[i]);
            QVERIFY2(b.top() >= a.bottom() + 6, qPrintable(QStringLiteral("row %1").arg(i)));
        }
        // Every mark on its service's lane.
        for (uint32_t e : rows)
            QVERIFY(std::abs(view.markRect(e).center().x()
                             - view.laneX(QString::fromUtf8(store->sourceName(store->record(e).source))))
                    < 0.5);
        // Lag labels neither cover a mark nor each other.
        std::vector<QRectF> labels;
        for (const FlowGraph::Edge &e : graph.edges) {
            GraphEdgeItem *a = view.arrowItem(QString::fromStdString(graph.nodes[e.cause].eventId),
                                              QString::fromStdString(graph.nodes[e.effect].eventId));
            QVERIFY(a);
            if (!a->labelText().isEmpty())
                labels.push_back(a->sceneLabelRect());
        }
        QCOMPARE(labels.size(), size_t(199)); // all but the ghost's arrow
        for (size_t i = 0; i < labels.size(); ++i) {
            for (size_t j = i + 1; j < labels.size(); ++j)
                QVERIFY(!labels[i].intersects(labels[j]));
            for (uint32_t e : rows)
                QVERIFY(!labels[i].intersects(view.markRect(e)));
        }

        // The marks: the retry loops on the payment lane, the skewed packing points up.
        QVERIFY(view.arrowItem("declined-12", "paid-12")->marks() & SequenceView::SameService);
        GraphEdgeItem *skew = view.arrowItem("paid-10", "packed-10");
        QVERIFY(skew->marks() & SequenceView::Skew);
        QCOMPARE(skew->labelText(), QStringLiteral("skew \u221215 ms"));
        QVERIFY(skew->sceneEnd().y() < skew->sceneStart().y());
        // The rate-limit wait (and the one before the order is confirmed) is written across its gap, and the gap is
        // wider than a row.
        QCOMPARE(view.pauseLabels(),
                 QStringList({QStringLiteral("\u22ee 1.45 s later"), QStringLiteral("\u22ee 168 ms later")}));
        const QRectF waitedFrom = view.markRect(indexOf(*store, "recorded-20"));
        const QRectF waitedTo = view.markRect(indexOf(*store, "reserved-21"));
        QVERIFY(waitedTo.top() - waitedFrom.bottom()
                > 2 * (view.markRect(rows[2]).top() - view.markRect(rows[1]).bottom()));

        // Too tall to show whole: shown readable, from the top (the first event in view).
        auto visible = [&] { return view.mapToScene(view.viewport()->rect()).boundingRect(); };
        QVERIFY(view.zoom() >= 0.8);
        QVERIFY(visible().contains(view.markRect(rows.front())));
        QVERIFY(!visible().contains(view.markRect(rows.back())));
        QVERIFY(!view.headersPinned());
        QVERIFY(!view.gutterPinned());
        // Scrolled down, the lane headers stay pinned on top; sideways, the times on the left.
        view.verticalScrollBar()->setValue(view.verticalScrollBar()->maximum() / 2);
        QVERIFY(view.headersPinned());
        view.horizontalScrollBar()->setValue(view.horizontalScrollBar()->maximum());
        QVERIFY(view.gutterPinned());
        // A click on them is not a click on a mark scrolled under them.
        QSignalSpy spy(&view, &SequenceView::eventActivated);
        int underPinned = 0;
        for (uint32_t e : rows) {
            const QPoint at = view.mapFromScene(view.markRect(e).center());
            const bool underHeaders = at.y() > 0 && at.y() < 60 && at.x() > 160 && at.x() < view.viewport()->width();
            const bool underGutter = at.x() > 0 && at.x() < 120 && at.y() > 100 && at.y() < view.viewport()->height();
            if (underHeaders || underGutter) {
                QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
                ++underPinned;
            }
        }
        QVERIFY(underPinned > 0);
        QCOMPARE(spy.count(), 0);
        // Selecting the last event scrolls it into view, clear of the pinned headers.
        const uint32_t last = indexOf(*store, "mailed");
        view.setSelectedEvent(last);
        QVERIFY(view.markItem("mailed")->isHighlighted());
        QVERIFY(visible().contains(view.markRect(last)));
        QVERIFY(view.mapFromScene(view.markRect(last).topLeft()).y() > 80);
    }

    void fitKeepsTheFirstEventClearOfTheHeaders()
    {
        // Issue 12, defect 6: fitting (F) a flow into a short view put the caption over the
        // lane headers, and the headers, pinned under the caption, over the first event.
        const auto store = storeOf(bigSaga());
        SequenceView view;
        view.setFlow(*store, buildFlowGraph(*store, "big"));
        showView(view, QSize(480, 420));
        QTest::keyClick(&view, Qt::Key_F);
        QVERIFY(view.zoom() < 0.5); // the whole saga: small
        QVERIFY(!view.headersPinned());
        const std::vector<uint32_t> rows = eventsByTime(*store, buildFlowGraph(*store, "big"));
        const QRect first = view.mapFromScene(view.markRect(rows.front())).boundingRect();
        QVERIFY(view.viewport()->rect().contains(first));
        QLabel *caption = nullptr;
        for (QLabel *l : view.findChildren<QLabel *>())
            if (l->isVisible() && l->text().contains(QStringLiteral("big")))
                caption = l;
        QVERIFY(caption);
        QVERIFY2(first.top() > caption->geometry().bottom() - view.viewport()->geometry().top(),
                 qPrintable(QStringLiteral("first event at %1, caption down to %2")
                                .arg(first.top())
                                .arg(caption->geometry().bottom() - view.viewport()->geometry().top())));
    }

    void exportsTheWholeDiagram()
    {
        const auto store = storeOf(bigSaga());
        SequenceView view;
        QTemporaryDir dir;
        QString error;
        QVERIFY(!view.exportImage(dir.filePath("none.png"), error));
        view.setFlow(*store, buildFlowGraph(*store, "big"));
        // (JPEG: a PNG this size takes seconds to compress.)
        QVERIFY2(view.exportImage(dir.filePath("big.jpg"), error), qPrintable(error));
        const QSize image = QImageReader(dir.filePath("big.jpg")).size();
        // All 200 rows, not just what a window shows: far taller than wide, at least at full
        // size (twice, as far as GraphView's bound on an image's pixels allows).
        QVERIFY(image.height() > 200 * 30);
        QVERIFY(image.height() > 3 * image.width());
    }
};

QTEST_MAIN(TstSequenceView)
#include "tst_sequenceview.moc"
