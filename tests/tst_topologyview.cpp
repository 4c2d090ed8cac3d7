// TopologyView on tests/data/saga.jsonl: the services, event types and edges eventlens-cli
// topology reports, with the same p95 lags; clicks; and live updates that keep the layout
// until the map itself changes.
#include "core/analysis.h"
#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/jsonlreader.h"
#include "core/textformat.h"
#include "core/topologyanalyzer.h"
#include "testsupport.h"
#include "ui/flowgraphview.h"
#include "ui/graphedgeitem.h"
#include "ui/graphlayout.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"
#include "ui/topologyview.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cmath>
#include <memory>

using namespace eventlens;

namespace {

QString sagaPath()
{
    return QStringLiteral(EVENTLENS_TEST_DATA "/saga.jsonl");
}

/// The saga's lines that are events (the file ends with bad lines on purpose).
QStringList sagaEvents()
{
    QFile f(sagaPath());
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(sagaPath()));
    QStringList lines;
    Decoder decoder;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const std::string bytes = raw.toStdString();
        DecodedEvent e;
        DecodeError error;
        if (decoder.decode(bytes, e, error))
            lines << QString::fromStdString(bytes);
    }
    return lines;
}

/// A store, its analysis and topology, grown line by line as a live session does.
struct Live {
    EventStore store;
    Analysis analysis{store};
    TopologyAnalyzer topology;
    Live() { analysis.add(topology); }
    void append(const QStringList &lines)
    {
        std::string error;
        if (!appendOneByOne(lines, store, nullptr, error))
            qFatal("bad test line: %s", error.c_str());
        analysis.update();
    }
    uint16_t source(const char *name) const { return store.findSource(name); }
    uint16_t type(const char *name) const { return store.findType(name); }
};

/// An order that goes through: placed → reserved → authorized → scheduled → notified.
QStringList orderFlow(const QString &n, int startSecond)
{
    auto line = [&](const char *id, const char *type, const char *source, int ms, const char *cause) {
        const int t = startSecond * 1000 + ms;
        QString s =
            QStringLiteral("{\"eventId\":\"%1-%2\",\"eventType\":\"%3\",\"timestamp\":\"2026-03-02T10:%4:%5.%6Z\","
                           "\"source\":\"%7\",\"correlationId\":\"c-%1\"")
                .arg(n, id, type)
                .arg(t / 60000, 2, 10, QLatin1Char('0'))
                .arg(t / 1000 % 60, 2, 10, QLatin1Char('0'))
                .arg(t % 1000, 3, 10, QLatin1Char('0'))
                .arg(source);
        if (*cause)
            s += QStringLiteral(",\"causationId\":\"%1-%2\"").arg(n, cause);
        return s + QLatin1Char('}');
    };
    return {line("p", "order.placed", "order-service", 0, ""),
            line("r", "inventory.reserved", "inventory-service", 40, "p"),
            line("a", "payment.authorized", "payment-service", 200, "r"),
            line("s", "shipment.scheduled", "shipping-service", 300, "a"),
            line("m", "notification.sent", "notification-service", 350, "s")};
}

/// A recording whose service map has producers × types × consumers reaction edges: each
/// producer publishes `types` types of its own, each event of which every consumer reacts to
/// (with a reply of one type, "ack", that nobody reacts to). Written to `path`.
void writeBigMap(const QString &path, int producers, int types, int consumers)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    int n = 0;
    auto stamp = [&n] {
        const int ms = n++;
        return QStringLiteral("2026-03-02T10:%1:%2.%3Z")
            .arg(ms / 60000 % 60, 2, 10, QLatin1Char('0'))
            .arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'))
            .arg(ms % 1000, 3, 10, QLatin1Char('0'));
    };
    QByteArray out;
    for (int p = 0; p < producers; ++p)
        for (int t = 0; t < types; ++t) {
            const QString cause = QStringLiteral("e-%1-%2").arg(p).arg(t);
            out += QStringLiteral("{\"eventId\":\"%1\",\"eventType\":\"type%2.happened\",\"timestamp\":\"%3\","
                                  "\"source\":\"producer-%4\",\"correlationId\":\"c-%1\"}\n")
                       .arg(cause)
                       .arg(p * types + t)
                       .arg(stamp())
                       .arg(p)
                       .toUtf8();
            for (int c = 0; c < consumers; ++c)
                out += QStringLiteral("{\"eventId\":\"%1-%2\",\"eventType\":\"ack\",\"timestamp\":\"%3\","
                                      "\"source\":\"consumer-%2\",\"correlationId\":\"c-%1\",\"causationId\":\"%1\"}\n")
                           .arg(cause)
                           .arg(c)
                           .arg(stamp())
                           .toUtf8();
        }
    f.write(out);
}

/// A recording loaded as the app loads it, with its topology.
struct Loaded {
    EventStore store;
    Analysis analysis{store};
    TopologyAnalyzer topology;
    explicit Loaded(const QString &path)
    {
        analysis.add(topology);
        JsonlReader reader;
        RecordingReport report;
        std::string error;
        if (!reader.load(path.toStdString(), store, report, error))
            qFatal("cannot load %s: %s", qPrintable(path), error.c_str());
        analysis.update();
    }
};

/// Asks for the map again whenever the view says so (as the window does), until a map is
/// shown; false after `timeoutMs`.
bool showMap(TopologyView &view, const Loaded &l, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    QObject context;
    QObject::connect(&view, &TopologyView::layoutFinished, &context,
                     [&] { QTimer::singleShot(0, &context, [&] { view.setTopology(l.store, l.topology); }); });
    view.setTopology(l.store, l.topology);
    while (t.elapsed() < timeoutMs && (view.edgeCount() == 0 || view.isLayingOut()))
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return view.edgeCount() > 0 && !view.isLayingOut();
}

/// This process's children, alive or not yet reaped (read from /proc, so none is reaped here).
int childProcesses()
{
    int n = 0;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(task + QStringLiteral("/children")));
        if (f.open(QIODevice::ReadOnly))
            n += int(QString::fromLatin1(f.readAll()).split(QLatin1Char(' '), Qt::SkipEmptyParts).size());
    }
    return n;
}

void showView(TopologyView &view)
{
    view.resize(1100, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
}

void clickAt(TopologyView &view, QPointF scenePoint)
{
    view.centerOn(scenePoint);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.mapFromScene(scenePoint));
}

} // namespace

class TstTopologyView : public QObject {
    Q_OBJECT

private slots:
    void hintWithoutEvents()
    {
        TopologyView view;
        QVERIFY(!view.hint().isEmpty());
        Live live;
        view.setTopology(live.store, live.topology);
        QVERIFY(view.waitForLayout());
        QVERIFY(!view.hint().isEmpty());
        QCOMPARE(view.serviceCount(), 0);
    }

    void sagaMatchesTheCli()
    {
        Live live;
        live.append(sagaEvents());
        TopologyView view;
        view.setTopology(live.store, live.topology);
        QVERIFY(view.waitForLayout());
        QVERIFY(view.hint().isEmpty());

        // "5 services, 7 edges, 8 event types, 2 that nobody reacts to"
        const CliRun run = runCli({"topology", "--format", "json", sagaPath()});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray edges = run.json().value("edges").toArray();
        const QJsonArray types = run.json().value("types").toArray();
        QCOMPARE(edges.size(), 7);
        QCOMPARE(types.size(), 8);
        QCOMPARE(view.serviceCount(), 5);
        QCOMPARE(view.typeCount(), 8); // each type has one producer here
        QCOMPARE(view.edgeCount(), 8 + 7);
        QCOMPARE(view.caption(), QStringLiteral("5 services \u00b7 8 event types \u00b7 7 reaction edges \u00b7 "
                                                "2 nobody reacts to \u00b7 rates over 2 s"));

        for (const QJsonValue &v : edges) {
            const QJsonObject e = v.toObject();
            const uint16_t producer = live.source(e["producer"].toString().toUtf8().constData());
            const uint16_t type = live.type(e["eventType"].toString().toUtf8().constData());
            const uint16_t consumer = live.source(e["consumer"].toString().toUtf8().constData());
            GraphEdgeItem *edge = view.edgeItem(producer, type, consumer);
            QVERIFY2(edge, qPrintable(QJsonDocument(e).toJson()));
            QVERIFY(edge->marks() & TopologyView::Reaction);
            const std::optional<TopologyEdge> stats = live.topology.edgeOf(producer, type, consumer);
            QVERIFY(stats);
            const QString p95 = stats->count > stats->skew
                                    ? QString::fromStdString(formatDuration(std::llround(e["p95Ms"].toDouble() * 1e6)))
                                    : QStringLiteral("\u2013");
            QCOMPARE(edge->labelText().section('\n', 0, 0), QStringLiteral("p95 ") + p95);
            QVERIFY(edge->toolTip().contains(QStringLiteral("%1 reaction").arg(e["count"].toInt())));
            // The edge goes from the type's pill to the consumer's box.
            QVERIFY(view.typeItem(producer, type)->sceneBox().adjusted(-3, -3, 3, 3).contains(edge->sceneStart()));
            QVERIFY(view.serviceItem(consumer)->sceneBox().adjusted(-3, -3, 3, 3).contains(edge->sceneEnd()));
        }
        for (const QJsonValue &v : types) {
            const QJsonObject t = v.toObject();
            const uint16_t type = live.type(t["eventType"].toString().toUtf8().constData());
            for (const QJsonValue &p : t["producers"].toArray()) {
                const uint16_t producer = live.source(p.toString().toUtf8().constData());
                GraphNodeItem *pill = view.typeItem(producer, type);
                QVERIFY(pill);
                QCOMPARE(pill->text().section('\n', 0, 0), t["eventType"].toString());
                QVERIFY(view.edgeItem(producer, type, EventStore::kNoName)->marks() & TopologyView::Publish);
                const bool unconsumed = t["consumers"].toArray().isEmpty();
                QCOMPARE(bool(pill->marks() & TopologyView::Unconsumed), unconsumed);
                QCOMPARE(pill->style().dashed, unconsumed);
                QCOMPARE(pill->text().contains("no consumer"), unconsumed);
                QCOMPARE(pill->toolTip().contains("no consumer"), unconsumed);
            }
        }
        // The numbers a person reads on the map.
        const uint16_t order = live.source("order-service"), inventory = live.source("inventory-service");
        const uint16_t notification = live.source("notification-service");
        QCOMPARE(view.edgeItem(order, live.type("order.placed"), inventory)->labelText(),
                 QStringLiteral("p95 45 ms\n1/s"));
        QCOMPARE(view.edgeItem(order, live.type("order.placed"), EventStore::kNoName)->labelText(),
                 QStringLiteral("1.5/s"));
        GraphEdgeItem *skewed = view.edgeItem(order, live.type("order.cancelled"), notification);
        QCOMPARE(skewed->labelText(), QStringLiteral("p95 \u2013\n0.5/s\n1 skewed"));
        QVERIFY(skewed->marks() & TopologyView::Skewed);
        QVERIFY(skewed->toolTip().contains("1 skewed"));
        QVERIFY(view.edgeItem(order, live.type("order.placed"), inventory)
                    ->toolTip()
                    .contains("reaction lag: p50 30 ms · p95 45 ms · p99 45 ms"));
        QCOMPARE(view.serviceItem(order)->text(), QStringLiteral("order-service"));
        QCOMPARE(view.serviceItem(order)->style().fill, colorForSource("order-service"));
    }

    void widthFollowsTheRate()
    {
        Live live;
        live.append(sagaEvents());
        TopologyView view;
        view.setTopology(live.store, live.topology);
        QVERIFY(view.waitForLayout());
        const uint16_t order = live.source("order-service"), inventory = live.source("inventory-service");
        const uint16_t payment = live.source("payment-service");
        // 1/s against 0.5/s
        QVERIFY(view.edgeItem(order, live.type("order.placed"), inventory)->style().width
                > view.edgeItem(payment, live.type("payment.failed"), inventory)->style().width);
    }

    void clicksNameWhatWasClicked()
    {
        Live live;
        live.append(sagaEvents());
        TopologyView view;
        view.setTopology(live.store, live.topology);
        QVERIFY(view.waitForLayout());
        showView(view);
        const uint16_t payment = live.source("payment-service"), order = live.source("order-service");
        const uint16_t failed = live.type("payment.failed");

        QSignalSpy edges(&view, &TopologyView::edgeActivated);
        QSignalSpy services(&view, &TopologyView::serviceActivated);
        QSignalSpy types(&view, &TopologyView::typeActivated);
        clickAt(view, view.edgeItem(payment, failed, order)->sceneLabelRect().center());
        QCOMPARE(edges.count(), 1);
        QCOMPARE(edges.at(0).at(0).value<uint16_t>(), payment);
        QCOMPARE(edges.at(0).at(1).value<uint16_t>(), failed);
        QCOMPARE(edges.at(0).at(2).value<uint16_t>(), order);
        // On the line itself, away from the label.
        GraphEdgeItem *reaction = view.edgeItem(payment, failed, order);
        view.centerOn(reaction->sceneMidpoint());
        QCOMPARE(view.itemAt(view.mapFromScene(reaction->sceneMidpoint())), reaction);
        clickAt(view, reaction->sceneMidpoint());
        QCOMPARE(edges.count(), 2);
        edges.removeLast();
        clickAt(view, view.edgeItem(payment, failed, EventStore::kNoName)->sceneLabelRect().center());
        QCOMPARE(edges.count(), 2);
        QCOMPARE(edges.at(1).at(0).value<uint16_t>(), payment);
        QCOMPARE(edges.at(1).at(1).value<uint16_t>(), failed);
        QCOMPARE(edges.at(1).at(2).value<uint16_t>(), EventStore::kNoName);

        clickAt(view, view.serviceItem(payment)->sceneBox().center());
        QCOMPARE(services.count(), 1);
        QCOMPARE(services.at(0).at(0).value<uint16_t>(), payment);
        clickAt(view, view.typeItem(payment, failed)->sceneBox().center());
        QCOMPARE(types.count(), 1);
        QCOMPARE(types.at(0).at(0).value<uint16_t>(), failed);
        QCOMPARE(edges.count(), 2);
    }

    void theArrangementFollowsTheViewsShape()
    {
        Live live;
        live.append(sagaEvents());
        TopologyView view;
        view.resize(1400, 300); // a wide, low dock
        view.setTopology(live.store, live.topology);
        QVERIFY(view.waitForLayout());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.direction(), GraphLayout::Direction::LeftToRight);
        const uint16_t order = live.source("order-service"), inventory = live.source("inventory-service");
        const uint16_t placed = live.type("order.placed");
        QVERIFY(view.typeItem(order, placed)->sceneBox().right() < view.serviceItem(inventory)->sceneBox().left());
        const qreal wideZoom = view.zoom();

        view.resize(520, 900); // a tall one
        QTRY_COMPARE(view.direction(), GraphLayout::Direction::TopToBottom);
        QVERIFY(view.typeItem(order, placed)->sceneBox().bottom() < view.serviceItem(inventory)->sceneBox().top());
        QCOMPARE(view.layoutCount(), 1); // both were laid out at once
        // The edges moved with their nodes.
        GraphEdgeItem *edge = view.edgeItem(order, placed, inventory);
        QVERIFY(view.serviceItem(inventory)->sceneBox().adjusted(-3, -3, 3, 3).contains(edge->sceneEnd()));
        QVERIFY(view.zoom() > 0.5 && wideZoom > 0.5); // readable either way

        // Zoomed by hand: the person's view stays as it is.
        view.zoomBy(1.5);
        view.resize(1400, 300);
        QCOMPARE(view.direction(), GraphLayout::Direction::TopToBottom);
    }

    void liveUpdatesKeepTheLayoutUntilTheMapChanges()
    {
        Live live;
        live.append(sagaEvents());
        TopologyView view;
        view.setTopology(live.store, live.topology);
        QVERIFY(view.waitForLayout());
        showView(view);
        QCOMPARE(view.layoutCount(), 1);
        const uint16_t order = live.source("order-service"), inventory = live.source("inventory-service");
        const uint16_t placed = live.type("order.placed");
        const QPointF servicePos = view.serviceItem(inventory)->pos();
        const QPointF typePos = view.typeItem(order, placed)->pos();
        const QRectF labelRect = view.edgeItem(order, placed, inventory)->sceneLabelRect();
        view.zoomBy(1.5);
        const qreal zoom = view.zoom();
        const QPointF center = view.mapToScene(view.viewport()->rect().center());

        // More orders of the same shape: new numbers, same map.
        live.append(orderFlow("2001", 3) + orderFlow("2002", 4));
        view.setTopology(live.store, live.topology);
        QVERIFY(view.waitForLayout());
        QCOMPARE(view.layoutCount(), 1);
        QCOMPARE(view.serviceItem(inventory)->pos(), servicePos);
        QCOMPARE(view.typeItem(order, placed)->pos(), typePos);
        QCOMPARE(view.edgeItem(order, placed, inventory)->sceneLabelRect().center(), labelRect.center());
        const TopologyEdge stats = *live.topology.edgeOf(order, placed, inventory);
        QCOMPARE(stats.count, uint64_t(4));
        QVERIFY(view.edgeItem(order, placed, inventory)->toolTip().contains("4 reactions"));
        QCOMPARE(view.edgeItem(order, placed, inventory)->labelText().section('\n', 0, 0),
                 QStringLiteral("p95 ") + QString::fromStdString(formatDuration(stats.p95Ns)));
        QCOMPARE(view.zoom(), zoom);
        QVERIFY((view.mapToScene(view.viewport()->rect().center()) - center).manhattanLength() < 2);

        // A new consumer: laid out again, with its service and edge.
        const QString analytics = QStringLiteral(
            "{\"eventId\":\"an-1\",\"eventType\":\"analytics.recorded\",\"timestamp\":\"2026-03-02T10:00:04.100Z\","
            "\"source\":\"analytics-service\",\"correlationId\":\"c-2002\",\"causationId\":\"2002-p\"}");
        live.append({analytics});
        QSignalSpy finished(&view, &TopologyView::layoutFinished);
        view.setTopology(live.store, live.topology);
        // dot runs on a worker thread: the call returns at once and the old map stays until
        // the new one is placed (a big map takes dot a second; the window must not wait).
        QVERIFY(view.isLayingOut());
        QCOMPARE(view.serviceCount(), 5);
        view.setTopology(live.store, live.topology); // meanwhile: ignored, not queued up
        QVERIFY(view.waitForLayout());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(view.layoutCount(), 2);
        QCOMPARE(view.serviceCount(), 6);
        QVERIFY(view.edgeItem(order, placed, live.source("analytics-service")));
        QCOMPARE(view.zoom(), zoom); // the person's zoom stays
    }

    void aBigMapStaysReadableAndScrolls()
    {
        // 13 services (3 producers, 10 consumers): in a dock of the window's default size,
        // fitting the whole map would shrink it to boxes without labels.
        QTemporaryDir dir;
        const QString path = dir.filePath("thirteen.jsonl");
        writeBigMap(path, 3, 2, 10);
        const Loaded l(path);
        TopologyView view;
        view.resize(900, 260);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(showMap(view, l, 20000));
        QCOMPARE(view.serviceCount(), 13);
        QVERIFY2(view.zoom() >= 0.5, qPrintable(QString::number(view.zoom())));
        // Fit (F) and a smaller dock keep it readable; what does not fit scrolls.
        view.setFocus();
        QTest::keyClick(&view, Qt::Key_F);
        QVERIFY2(view.zoom() >= 0.5, qPrintable(QString::number(view.zoom())));
        view.resize(700, 200);
        QTRY_VERIFY(view.viewport()->height() < 200);
        QVERIFY2(view.zoom() >= 0.5, qPrintable(QString::number(view.zoom())));
        QVERIFY(view.horizontalScrollBar()->maximum() > 0 || view.verticalScrollBar()->maximum() > 0);
        // A view big enough shows it whole again.
        view.resize(4000, 2500);
        QTRY_COMPARE(view.horizontalScrollBar()->maximum(), 0);
        QCOMPARE(view.verticalScrollBar()->maximum(), 0);
    }

    void theCountsAgreeWithTheCli()
    {
        // 24 producers publishing the same 5 types: the map draws 120 type pills (one per
        // producer and type), but there are 5 event types, as eventlens-cli topology says.
        QTemporaryDir dir;
        const QString path = dir.filePath("shared-types.jsonl");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            int n = 0;
            for (int p = 0; p < 24; ++p)
                for (int t = 0; t < 5; ++t, ++n) {
                    f.write(QStringLiteral("{\"eventId\":\"e%1\",\"eventType\":\"type.%2\",\"timestamp\":"
                                           "\"2026-03-02T10:00:%3.000Z\",\"source\":\"producer-%4\","
                                           "\"correlationId\":\"c%1\"}\n")
                                .arg(n)
                                .arg(t)
                                .arg(n % 60, 2, 10, QLatin1Char('0'))
                                .arg(p)
                                .toUtf8());
                    if (t == 0) // type.0 has a consumer
                        f.write(QStringLiteral("{\"eventId\":\"r%1\",\"eventType\":\"reply\",\"timestamp\":"
                                               "\"2026-03-02T10:00:%2.500Z\",\"source\":\"consumer\","
                                               "\"correlationId\":\"c%1\",\"causationId\":\"e%1\"}\n")
                                    .arg(n)
                                    .arg(n % 60, 2, 10, QLatin1Char('0'))
                                    .toUtf8());
                }
        }
        const Loaded l(path);
        TopologyView view;
        showView(view);
        QVERIFY(showMap(view, l, 20000));
        const CliRun run = runCli({"topology", path});
        QCOMPARE(run.exitCode, 0);
        // "Service topology: 25 services, 24 edges (producer →event type→ consumer), 6 event
        // types, 5 that nobody reacts to; rates over …"
        const QRegularExpression headline(QStringLiteral(
            "Service topology: (\\d+) services, (\\d+) edges .*, (\\d+) event types, (\\d+) that nobody"));
        const QRegularExpressionMatch cli = headline.match(QString::fromUtf8(run.out));
        QVERIFY2(cli.hasMatch(), run.out.constData());
        QCOMPARE(cli.captured(3), QStringLiteral("6"));
        const QString caption = view.caption();
        QVERIFY2(caption.startsWith(QStringLiteral("%1 services \u00b7 %2 event types \u00b7 %3 reaction edges \u00b7 "
                                                   "%4 nobody reacts to")
                                        .arg(cli.captured(1), cli.captured(3), cli.captured(2), cli.captured(4))),
                 qPrintable(caption + QStringLiteral(" | ") + cli.captured(0)));
        QCOMPARE(view.typeCount(), 24 * 5 + 1); // the pills drawn
    }

    void aHugeMapIsCutToItsBusiestEdgesWithinTheBudget()
    {
        // 30 producers × 3 types × 100 consumers: 9 000 reaction edges. dot takes minutes
        // over all of them; the view shows the busiest within its 2 s budget and says what it
        // left out and where to see it.
        QTemporaryDir dir;
        const QString path = dir.filePath("big.jsonl");
        writeBigMap(path, 30, 3, 100);
        const Loaded l(path);
        QCOMPARE(l.topology.edges().size(), size_t(9000));
        TopologyView view;
        showView(view);
        QElapsedTimer took;
        took.start();
        QVERIFY(showMap(view, l, 20000));
        QVERIFY2(took.elapsed() < 3000, qPrintable(QString::number(took.elapsed())));
        QVERIFY(view.edgeCount() > 0);
        QVERIFY(view.edgeCount() < 1000);
        const QString caption = view.caption();
        QVERIFY2(caption.contains(QRegularExpression(QStringLiteral("\\b9\\s000 reaction edges"))),
                 qPrintable(caption));
        QVERIFY2(caption.contains(QStringLiteral("Too big to lay out whole: showing the busiest")),
                 qPrintable(caption));
        QVERIFY2(caption.contains(QStringLiteral("eventlens-cli topology lists every edge")), qPrintable(caption));
        // Every edge drawn is one of the busiest: none left out had more reactions.
        QVERIFY(view.serviceCount() > 0);
    }

    void aLayoutOverTheBudgetIsAbandonedForASmallerMap()
    {
        // Given the whole map anyway, dot is stopped at the budget and a cut-down map follows.
        QTemporaryDir dir;
        const QString path = dir.filePath("big.jsonl");
        writeBigMap(path, 30, 3, 100);
        const Loaded l(path);
        TopologyView view;
        showView(view);
        view.setMaxReactionEdges(100000);
        QElapsedTimer took;
        took.start();
        QVERIFY(showMap(view, l, 20000));
        QVERIFY2(took.elapsed() < 5000, qPrintable(QString::number(took.elapsed())));
        QVERIFY(view.maxReactionEdges() < 9000);
        QVERIFY(view.caption().contains(QStringLiteral("Too big to lay out whole")));
    }

    void theFlowGraphDrawsWhileTheMapIsLaidOut()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("big.jsonl");
        writeBigMap(path, 30, 3, 100);
        const Loaded l(path);
        TopologyView map;
        map.setMaxReactionEdges(100000); // a layout that takes dot long
        map.setTopology(l.store, l.topology);
        QVERIFY(map.isLayingOut());
        FlowGraphView flow;
        flow.resize(800, 600);
        flow.show();
        QVERIFY(QTest::qWaitForWindowExposed(&flow));
        const FlowGraph graph = buildFlowGraph(l.store, "c-e-3-1");
        QVERIFY(!graph.empty());
        QElapsedTimer took;
        took.start();
        // The window asks again on its next refresh while the flow graph could not draw.
        while (!flow.setFlow(l.store, graph) && took.elapsed() < 5000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 30);
        QVERIFY2(took.elapsed() < 500, qPrintable(QString::number(took.elapsed())));
        QVERIFY(flow.hint().isEmpty());
        QCOMPARE(flow.nodeCount(), 101);
        QVERIFY(map.isLayingOut()); // it was drawn while the map was still being laid out
    }

    void closingDuringALayoutReturnsAtOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("big.jsonl");
        writeBigMap(path, 30, 3, 100);
        const Loaded l(path);
        auto view = std::make_unique<TopologyView>();
        view->setMaxReactionEdges(100000); // dot would run for minutes
        view->setTopology(l.store, l.topology);
        QVERIFY(view->isLayingOut());
        // dot is at work: in a process of its own, or holding Graphviz's lock on a worker.
        QTRY_VERIFY(childProcesses() > 0 || !GraphLayout::tryHold(std::chrono::milliseconds(0)));
        QElapsedTimer took;
        took.start();
        view.reset();
        QVERIFY2(took.elapsed() < 1000, qPrintable(QString::number(took.elapsed())));
        QCOMPARE(childProcesses(), 0); // and nothing goes on laying out in the background
    }
};

QTEST_MAIN(TstTopologyView)
#include "tst_topologyview.moc"
