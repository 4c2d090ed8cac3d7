// The Details and Problems panes on the offscreen platform, with tests/data/saga.jsonl (its
// anomalies are worked out in tst_anomalies.cpp): what a person sees, copies and clicks.
#include "core/commandsupport.h"
#include "core/decoder.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/rejectedinput.h"
#include "ui/detailspane.h"
#include "ui/problemspane.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace eventlens;

namespace {

struct Saga {
    EventStore store;
    std::vector<RecordingReport> reports;
    std::deque<RejectedInput> rejects;
    std::vector<Anomaly> anomalies;
    Saga()
    {
        std::string error;
        RecordingReport report;
        if (!JsonlReader().load(EVENTLENS_TEST_DATA "/saga.jsonl", store, report, error))
            qFatal("saga.jsonl: %s", error.c_str());
        auto reject = [&](const RejectedLine &l) {
            RejectedInput r;
            r.origin = report.path;
            r.line = l.line;
            r.reason = l.reason;
            r.frames = {l.bytes};
            r.bytes = l.bytes.size();
            rejects.push_back(std::move(r));
        };
        for (const RejectedLine &l : report.rejected)
            reject(l);
        if (report.truncatedTail)
            reject(report.tail);
        reports.push_back(std::move(report));
        anomalies = commands::findAnomalies(store, reports);
    }
};

template<typename T> T *child(QWidget *w, const char *name)
{
    T *c = w->findChild<T *>(QLatin1String(name));
    if (!c)
        qFatal("no child %s", name);
    return c;
}

QString text(QWidget *w, const char *label)
{
    return child<QLabel>(w, label)->text();
}

QTreeWidgetItem *topLevel(QTreeWidget *tree, const QString &prefix)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0).startsWith(prefix))
            return tree->topLevelItem(i);
    return nullptr;
}

/// The row of `parent` whose key (first column) is `key`.
QModelIndex row(const QAbstractItemModel *model, const QModelIndex &parent, const QString &key)
{
    for (int r = 0; r < model->rowCount(parent); ++r)
        if (model->index(r, 0, parent).data().toString() == key)
            return model->index(r, 0, parent);
    return {};
}

QStringList keys(const QAbstractItemModel *model, const QModelIndex &parent)
{
    QStringList out;
    for (int r = 0; r < model->rowCount(parent); ++r)
        out << model->index(r, 0, parent).data().toString();
    return out;
}

QString cell(const QModelIndex &index, int column)
{
    return index.siblingAtColumn(column).data().toString();
}

QStringList topLevelTexts(QTreeWidget *tree)
{
    QStringList out;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (!tree->topLevelItem(i)->isHidden())
            out << tree->topLevelItem(i)->text(0);
    return out;
}

QStringList childTexts(QTreeWidgetItem *item)
{
    QStringList out;
    for (int i = 0; item && i < item->childCount(); ++i)
        out << item->child(i)->text(0);
    return out;
}

QString clipboard()
{
    return QGuiApplication::clipboard()->text();
}

void trigger(QWidget *w, const char *action)
{
    QAction *a = w->findChild<QAction *>(QLatin1String(action));
    if (!a)
        qFatal("no action %s", action);
    QVERIFY2(a->isEnabled(), action);
    a->trigger();
}

/// Clicks an item the way a person does (its row's middle, on the viewport).
void click(QTreeWidget *tree, QTreeWidgetItem *item)
{
    tree->scrollToItem(item);
    const QRect r = tree->visualItemRect(item);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, r.center());
}

RejectedInput someReject(uint64_t n)
{
    RejectedInput r;
    r.origin = "/data/big.jsonl";
    r.line = n + 1;
    r.reason = "not JSON: unexpected character";
    r.frames = {"garbage " + std::to_string(n)};
    r.bytes = r.frames[0].size();
    return r;
}

} // namespace

class TstPanes : public QObject {
    Q_OBJECT

    Saga m_saga;

private slots:
    void detailsShowTheEnvelope()
    {
        DetailsPane pane;
        pane.resize(500, 700);
        pane.show();
        QCOMPARE(child<QStackedWidget>(&pane, "pages")->currentWidget(), child<QLabel>(&pane, "hint"));
        QCOMPARE(text(&pane, "hint"), QStringLiteral("Select an event"));

        pane.showEvent(m_saga.store, 1); // e-2, caused by e-1, causing e-3
        QCOMPARE(pane.shownEvent(), 1u);
        QCOMPARE(text(&pane, "header"), QStringLiteral("inventory.reserved  ·  inventory-service  ·  10:00:00.045"));
        QCOMPARE(text(&pane, "eventId"), QStringLiteral("e-2"));
        QCOMPARE(text(&pane, "type"), QStringLiteral("inventory.reserved  v1"));
        QCOMPARE(text(&pane, "time"), QStringLiteral("2026-03-02T10:00:00.045000000Z"));
        QCOMPARE(text(&pane, "correlation"), QStringLiteral("c-1001"));
        QCOMPARE(text(&pane, "origin"), QStringLiteral("saga.jsonl line 2"));
        QVERIFY(!child<QLabel>(&pane, "received")->isVisible()); // no receive time in saga.jsonl
        QVERIFY(!child<QLabel>(&pane, "topic")->isVisible());
        const QString cause = text(&pane, "causation");
        QVERIFY2(cause.contains(QLatin1String("href=\"event:0\""))
                     && cause.contains(QLatin1String("reaction lag 45 ms")),
                 qPrintable(cause));
        const QString effects = text(&pane, "effects");
        QVERIFY2(effects.contains(QLatin1String("href=\"event:2\"")) && effects.contains(QLatin1String("+135 ms")),
                 qPrintable(effects));
        QVERIFY(text(&pane, "duplicates").contains(QLatin1String("1 later copy")));

        // The unseen cause, the skew, the redelivery.
        pane.showEvent(m_saga.store, 0);
        QVERIFY(text(&pane, "causation").contains(QLatin1String("not in the input")));
        QVERIFY(!text(&pane, "causation").contains(QLatin1String("href")));
        pane.showEvent(m_saga.store, 11);
        QVERIFY(text(&pane, "causation").contains(QLatin1String("stamped 30 ms before its cause")));
        pane.showEvent(m_saga.store, 10);
        QCOMPARE(text(&pane, "flags"), QStringLiteral("redelivery (same bytes as an earlier event)"));
        QVERIFY(text(&pane, "duplicates").contains(QLatin1String("href=\"event:7\"")));

        pane.clear();
        QCOMPARE(child<QStackedWidget>(&pane, "pages")->currentWidget(), child<QLabel>(&pane, "hint"));
        QCOMPARE(pane.shownEvent(), EventEnvelope::kNone);
    }

    void detailsTree()
    {
        DetailsPane pane;
        pane.show();
        QTreeView *tree = child<QTreeView>(&pane, "tree");
        QAbstractItemModel *model = tree->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane.showEvent(m_saga.store, 12); // the CloudEvent
        QCOMPARE(keys(model, {}), (QStringList{"specversion", "id", "type", "source", "time", "correlationid",
                                               "datacontenttype", "traceparent", "data"}));
        QCOMPARE(model->headerData(1, Qt::Horizontal).toString(), QStringLiteral("Value"));
        const QModelIndex data = row(model, {}, "data");
        QVERIFY(tree->isExpanded(data));
        QCOMPARE(cell(data, 1), QStringLiteral("{2 members}"));
        QCOMPARE(cell(data, 2), QStringLiteral("object"));
        QCOMPARE(keys(model, data), (QStringList{"orderId", "total"}));
        QCOMPARE(cell(row(model, data, "orderId"), 1), QStringLiteral("\"ORD-1003\""));
        QCOMPARE(cell(row(model, data, "total"), 1), QStringLiteral("99"));
        QCOMPARE(cell(row(model, data, "total"), 2), QStringLiteral("number"));
        QCOMPARE(cell(row(model, {}, "traceparent"), 1),
                 QStringLiteral("\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\""));

        // Nested containers open on demand; metadata opens with data.
        EventStore store;
        Decoder decoder;
        DecodedEvent d;
        DecodeError error;
        const std::string line =
            "{\"eventId\":\"n\",\"eventType\":\"t\",\"timestamp\":\"2026-03-02T10:00:00Z\",\"source\":\"s\","
            "\"data\":{\"items\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]},\"metadata\":{\"tenant\":\"t1\"}}";
        QVERIFY(decoder.decode(line, d, error));
        store.append(d);
        pane.showEvent(store, 0);
        QVERIFY(tree->isExpanded(row(model, {}, "metadata")));
        const QModelIndex items = row(model, row(model, {}, "data"), "items");
        QVERIFY(!tree->isExpanded(items));
        QCOMPARE(cell(items, 1), QStringLiteral("[2 items]"));
        QCOMPARE(keys(model, items), (QStringList{"[0]", "[1]"}));
        const QModelIndex sku = row(model, model->index(1, 0, items), "sku");
        QCOMPARE(cell(sku, 1), QStringLiteral("\"B\""));
        QCOMPARE(sku.data(Qt::ToolTipRole).toString(), QStringLiteral("/data/items/1/sku"));
        QCOMPARE(sku.parent().parent(), items);

        // Not JSON enough for a tree: a note says why, the tree is empty.
        EventStore deep;
        DecodedEvent overflow;
        QVERIFY(decoder.decode("{\"eventId\":\"o\",\"eventType\":\"t\",\"timestamp\":\"2026-03-02T10:00:00Z\","
                               "\"source\":\"s\",\"data\":1e400}",
                               overflow, error));
        deep.append(overflow);
        pane.showEvent(deep, 0);
        QCOMPARE(model->rowCount({}), 0);
        QVERIFY2(text(&pane, "treeNote").contains(QLatin1String("number overflow")),
                 qPrintable(text(&pane, "treeNote")));
    }

    void detailsRawAndCopies()
    {
        DetailsPane pane;
        pane.show();
        pane.showEvent(m_saga.store, 1);
        const QString line = QString::fromUtf8(m_saga.store.raw(1).data(), qsizetype(m_saga.store.raw(1).size()));

        // Raw tab: indented, or the exact bytes.
        child<QTabWidget>(&pane, "tabs")->setCurrentIndex(1);
        QPlainTextEdit *raw = child<QPlainTextEdit>(&pane, "raw");
        QCOMPARE(raw->toPlainText(), QStringLiteral("{\n"
                                                    "  \"eventId\": \"e-2\",\n"
                                                    "  \"eventType\": \"inventory.reserved\",\n"
                                                    "  \"eventVersion\": 1,\n"
                                                    "  \"timestamp\": \"2026-03-02T10:00:00.045Z\",\n"
                                                    "  \"source\": \"inventory-service\",\n"
                                                    "  \"correlationId\": \"c-1001\",\n"
                                                    "  \"causationId\": \"e-1\",\n"
                                                    "  \"data\": {\n"
                                                    "    \"orderId\": \"ORD-1001\",\n"
                                                    "    \"sku\": \"BOOK-7\"\n"
                                                    "  }\n"
                                                    "}"));
        QVERIFY(raw->isReadOnly());
        child<QCheckBox>(&pane, "exactBytes")->setChecked(true);
        QCOMPARE(raw->toPlainText(), line);
        // Another event while the Raw tab is open: its text follows.
        pane.showEvent(m_saga.store, 0);
        QCOMPARE(raw->toPlainText(),
                 QString::fromUtf8(m_saga.store.raw(0).data(), qsizetype(m_saga.store.raw(0).size())));
        pane.showEvent(m_saga.store, 1);

        trigger(&pane, "copyEvent");
        QCOMPARE(clipboard(), line);
        trigger(&pane, "copyEventId");
        QCOMPARE(clipboard(), QStringLiteral("e-2"));
        trigger(&pane, "copyCorrelationId");
        QCOMPARE(clipboard(), QStringLiteral("c-1001"));

        QTreeView *tree = child<QTreeView>(&pane, "tree");
        const QModelIndex data = row(tree->model(), {}, "data");
        QVERIFY(!child<QAction>(&pane, "copyValue")->isEnabled()); // nothing chosen yet
        tree->setCurrentIndex(row(tree->model(), data, "sku"));
        trigger(&pane, "copyValue");
        QCOMPARE(clipboard(), QStringLiteral("BOOK-7")); // a string's text, no quotes
        trigger(&pane, "copyPointer");
        QCOMPARE(clipboard(), QStringLiteral("/data/sku"));
        tree->setCurrentIndex(data);
        trigger(&pane, "copyValue");
        QCOMPARE(clipboard(), QStringLiteral("{\"orderId\":\"ORD-1001\",\"sku\":\"BOOK-7\"}"));
        // The keyboard: Ctrl+C copies the value, Ctrl+Shift+C the path, while the tree has focus.
        child<QTabWidget>(&pane, "tabs")->setCurrentIndex(0);
        pane.activateWindow();
        tree->setFocus();
        QVERIFY(QTest::qWaitForWindowActive(&pane));
        tree->setCurrentIndex(row(tree->model(), {}, "eventVersion"));
        QTest::keyClick(tree, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(clipboard(), QStringLiteral("1"));
        QTest::keyClick(tree, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(clipboard(), QStringLiteral("/eventVersion"));

        // No correlationId: nothing to copy.
        EventStore store;
        Decoder decoder;
        DecodedEvent d;
        DecodeError error;
        QVERIFY(decoder.decode(
            "{\"eventId\":\"x\",\"eventType\":\"t\",\"timestamp\":\"2026-03-02T10:00:00Z\",\"source\":\"s\"}", d,
            error));
        store.append(d);
        pane.showEvent(store, 0);
        QVERIFY(!child<QAction>(&pane, "copyCorrelationId")->isEnabled());
        QCOMPARE(text(&pane, "flags"),
                 QStringLiteral("root (no causationId), no correlationId, no eventVersion (taken as 1)"));
    }

    void detailsRefreshOfTheSameEventKeepsTheTree()
    {
        // The window shows the selected event again as effects arrive live: the envelope
        // follows, the tree stays as the person left it.
        EventStore store;
        Decoder decoder;
        auto append = [&](const std::string &json) {
            DecodedEvent d;
            DecodeError error;
            QVERIFY2(decoder.decode(json, d, error), error.text().c_str());
            store.append(d);
        };
        append("{\"eventId\":\"a\",\"eventType\":\"t\",\"timestamp\":\"2026-03-02T10:00:00Z\",\"source\":\"s\","
               "\"correlationId\":\"c\",\"data\":{\"x\":{\"y\":1}}}");
        DetailsPane pane;
        pane.show();
        pane.showEvent(store, 0);
        QTreeView *tree = child<QTreeView>(&pane, "tree");
        const QModelIndex x = row(tree->model(), row(tree->model(), {}, "data"), "x");
        tree->expand(x);
        const QModelIndex y = row(tree->model(), x, "y");
        tree->setCurrentIndex(y);
        QCOMPARE(text(&pane, "effects"), QStringLiteral("<span style=\"color:#5f6368\">none seen</span>"));

        append("{\"eventId\":\"b\",\"eventType\":\"u\",\"timestamp\":\"2026-03-02T10:00:00.020Z\",\"source\":\"s2\","
               "\"correlationId\":\"c\",\"causationId\":\"a\"}");
        pane.showEvent(store, 0);
        QVERIFY(text(&pane, "effects").contains(QLatin1String("href=\"event:1\"")));
        QVERIFY(text(&pane, "effects").contains(QLatin1String("+20 ms")));
        QVERIFY(tree->isExpanded(x));
        QCOMPARE(tree->currentIndex(), y);

        // Another event, then back: a fresh tree.
        pane.showEvent(store, 1);
        pane.showEvent(store, 0);
        QVERIFY(!tree->isExpanded(row(tree->model(), row(tree->model(), {}, "data"), "x")));
    }

    void detailsGoToCauseAndEffects()
    {
        DetailsPane pane;
        pane.show();
        QSignalSpy spy(&pane, &DetailsPane::eventRequested);
        pane.showEvent(m_saga.store, 7); // e-8: caused by e-7 (6), causing e-9 (8) and e-10 (9)
        auto follow = [&](const char *label, int nth) {
            // The links the label shows are what a click activates.
            QLabel *l = child<QLabel>(&pane, label);
            QStringList hrefs;
            for (const QRegularExpressionMatch &m :
                 QRegularExpression(QStringLiteral("href=\"([^\"]+)\"")).globalMatch(l->text()))
                hrefs << m.captured(1);
            QVERIFY2(nth < hrefs.size(), qPrintable(l->text()));
            emit l->linkActivated(hrefs[nth]);
        };
        follow("causation", 0);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toUInt(), 6u);
        follow("effects", 0);
        follow("effects", 1);
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.at(0).at(0).toUInt(), 8u);
        QCOMPARE(spy.at(1).at(0).toUInt(), 9u);
    }

    void detailsOfARejectShowTheBytes()
    {
        DetailsPane pane;
        pane.show();
        pane.showRejected(m_saga.rejects[1]); // line 16: this is not json
        QCOMPARE(text(&pane, "rejectWhere"), QStringLiteral("saga.jsonl line 16"));
        QVERIFY(!text(&pane, "rejectReason").isEmpty());
        QCOMPARE(text(&pane, "rejectReason"), QString::fromStdString(m_saga.rejects[1].reason));
        QCOMPARE(child<QPlainTextEdit>(&pane, "rejectBytes")->toPlainText(), QStringLiteral("this is not json"));
        QCOMPARE(pane.shownEvent(), EventEnvelope::kNone);

        // A live message whose second frame is binary.
        RejectedInput r;
        r.origin = "tcp://127.0.0.1:5556";
        r.topic = "orders";
        r.reason = "not UTF-8 text";
        r.frames = {"orders", std::string("\x00\xff{x", 4)};
        r.bytes = 10;
        pane.showRejected(r);
        QCOMPARE(text(&pane, "rejectReason"), QStringLiteral("not UTF-8 text"));
        QCOMPARE(text(&pane, "rejectWhere"), QStringLiteral("tcp://127.0.0.1:5556"));
        QCOMPARE(text(&pane, "rejectTopic"), QStringLiteral("orders"));
        QCOMPARE(text(&pane, "rejectSize"), QStringLiteral("10 bytes in 2 frames"));
        const QString bytes = child<QPlainTextEdit>(&pane, "rejectBytes")->toPlainText();
        QVERIFY2(bytes.contains(QLatin1String("frame 1 of 2")) && bytes.contains(QLatin1String("\norders\n")),
                 qPrintable(bytes));
        QVERIFY2(bytes.contains(QLatin1String("frame 2 of 2, 4 bytes, not text: hex")), qPrintable(bytes));
        QVERIFY2(bytes.contains(QLatin1String("00000000  00 ff 7b 78")), qPrintable(bytes));
        trigger(&pane, "copyRejectReason");
        QCOMPARE(clipboard(), QStringLiteral("tcp://127.0.0.1:5556: not UTF-8 text"));
        trigger(&pane, "copyRejectBytes");
        QCOMPARE(clipboard(), bytes);

        // Back to an event.
        pane.showEvent(m_saga.store, 0);
        QCOMPARE(text(&pane, "eventId"), QStringLiteral("e-1"));
    }

    void detailsOfAHugeEventDoNotFreeze()
    {
        // About 1.1 MiB: 40 000 small objects in one array. The tree shows 10 000 of them and a
        // "… more" row (rows are made as the view asks), the raw text is set when looked at.
        std::string line = "{\"eventId\":\"big\",\"eventType\":\"bulk.loaded\",\"timestamp\":\"2026-03-02T10:00:00Z\","
                           "\"source\":\"loader\",\"data\":[";
        for (int i = 0; i < 40'000; ++i)
            line += (i ? "," : "") + std::string("{\"n\":") + std::to_string(i) + ",\"sku\":\"SKU-" + std::to_string(i)
                    + "\"}";
        line += "]}";
        QVERIFY(line.size() > (1u << 20));
        EventStore store;
        Decoder decoder;
        DecodedEvent d;
        DecodeError error;
        QVERIFY(decoder.decode(line, d, error));
        store.append(d);

        DetailsPane pane;
        pane.resize(500, 700);
        pane.show();
        QElapsedTimer timer;
        timer.start();
        pane.showEvent(store, 0);
        QTreeView *tree = child<QTreeView>(&pane, "tree");
        const QModelIndex data = row(tree->model(), {}, "data");
        QVERIFY(tree->isExpanded(data));
        QCOMPARE(tree->model()->rowCount(data), 10'001);
        QCOMPARE(tree->model()->index(10'000, 0, data).data().toString(), QStringLiteral("… 30,000 more"));
        QTest::qWait(1);
        const qint64 shown = timer.elapsed();
        child<QTabWidget>(&pane, "tabs")->setCurrentIndex(1);
        // Its beginning, and a line that says where it stops; the copy action has everything.
        const QString rawText = child<QPlainTextEdit>(&pane, "raw")->toPlainText();
        const qint64 raw = timer.elapsed() - shown;
        QVERIFY(rawText.startsWith(QLatin1String("{\n  \"eventId\": \"big\",\n")));
        QVERIFY2(rawText.contains(QRegularExpression(QStringLiteral(
                     "\n… shown up to here: [0-9\u202F]+ of [0-9\u202F]+ bytes \\(Copy JSON copies all of them\\)$"))),
                 qPrintable(rawText.right(200)));
        QVERIFY(rawText.size() < 300 * 1024);
        trigger(&pane, "copyEvent");
        QCOMPARE(clipboard().size(), qsizetype(line.size()));
        qInfo("a %zu-byte event: shown in %lld ms, raw text in %lld ms", line.size(), shown, raw);
        // Generous bounds (a debug or sanitizer build on a busy machine); a freeze is seconds.
        QVERIFY2(shown < 2000 && raw < 2000, qPrintable(QStringLiteral("%1 ms, %2 ms").arg(shown).arg(raw)));
    }

    void problemsGroupsAndCounts()
    {
        ProblemsPane pane;
        pane.show();
        // QTreeWidget's own model is Qt's (and lets columns other than the first have
        // children, which QAbstractItemModelTester refuses): no tester on it.
        QTreeWidget *tree = child<QTreeWidget>(&pane, "problems");
        QCOMPARE(child<QStackedWidget>(&pane, "pages")->currentWidget(), child<QLabel>(&pane, "noProblems"));

        pane.setProblems(m_saga.anomalies, m_saga.rejects, 0);
        QVERIFY(child<QStackedWidget>(&pane, "pages")->currentWidget() != child<QLabel>(&pane, "noProblems"));
        // Errors first; each rejected line once (from the rejects, not the anomaly list too).
        QCOMPARE(topLevelTexts(tree), (QStringList{"Rejected input (3)", "Id collisions (1)", "Unseen causes (1)",
                                                   "Clock skew (1)", "Schema version mixes (3)", "Redeliveries (1)"}));
        QCOMPARE(pane.summary(), QStringLiteral("4 errors, 3 warnings, 1 info"));
        QCOMPARE(text(&pane, "summary"), pane.summary());
        const QStringList rejected = childTexts(topLevel(tree, "Rejected input"));
        QCOMPARE(rejected.size(), 3);
        QVERIFY2(rejected[0].startsWith(QLatin1String("saga.jsonl line 15: field 'timestamp'")),
                 qPrintable(rejected[0]));
        QVERIFY(rejected[1].startsWith(QLatin1String("saga.jsonl line 16: ")));
        QVERIFY(rejected[2].startsWith(QLatin1String("saga.jsonl line 18: ")));
        QTreeWidgetItem *unseen = topLevel(tree, "Unseen causes")->child(0);
        QVERIFY2(unseen->text(0).contains(QLatin1String("cmd-checkout-1")), qPrintable(unseen->text(0)));
        QCOMPARE(unseen->text(1), QStringLiteral("1"));
        QCOMPARE(topLevel(tree, "Schema version mixes")->child(0)->text(1), QStringLiteral("3"));

        // Without rejects (a caller with only the anomaly list), its Rejected items show.
        ProblemsPane bare;
        bare.setProblems(m_saga.anomalies, {}, 0);
        QTreeWidget *bareTree = child<QTreeWidget>(&bare, "problems");
        QCOMPARE(topLevelTexts(bareTree).front(), QStringLiteral("Rejected input (3)"));
        QVERIFY(childTexts(topLevel(bareTree, "Rejected input")).front().contains(QLatin1String("saga.jsonl line 15")));
        QCOMPARE(bare.summary(), pane.summary());

        pane.setProblems({}, {}, 0);
        QCOMPARE(child<QStackedWidget>(&pane, "pages")->currentWidget(), child<QLabel>(&pane, "noProblems"));
        QCOMPARE(text(&pane, "noProblems"), QStringLiteral("No problems found"));
        QCOMPARE(tree->topLevelItemCount(), 0);
    }

    void problemsActivation()
    {
        ProblemsPane pane;
        pane.resize(600, 500);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        pane.setProblems(m_saga.anomalies, m_saga.rejects, 0);
        QTreeWidget *tree = child<QTreeWidget>(&pane, "problems");
        QSignalSpy events(&pane, &ProblemsPane::eventsRequested);
        QSignalSpy rejects(&pane, &ProblemsPane::rejectRequested);

        click(tree, topLevel(tree, "Schema version mixes")->child(0));
        QCOMPARE(events.count(), 1);
        QCOMPARE(events.takeFirst().at(0).toStringList(), (QStringList{"e-1", "e-12"}));
        // Enter on the current item.
        tree->setFocus();
        tree->setCurrentItem(topLevel(tree, "Clock skew")->child(0));
        QTest::keyClick(tree, Qt::Key_Return);
        QCOMPARE(events.count(), 1);
        QCOMPARE(events.takeFirst().at(0).toStringList(), QStringList{"e-11"});
        // A double click asks once per click, not once more for the activation.
        QTreeWidgetItem *collision = topLevel(tree, "Id collisions")->child(0);
        click(tree, collision);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(collision).center());
        QVERIFY(events.count() >= 1 && events.count() <= 2);
        for (const QList<QVariant> &e : events)
            QCOMPARE(e.at(0).toStringList(), QStringList{"e-2"});
        events.clear();

        click(tree, topLevel(tree, "Rejected input")->child(1));
        QCOMPARE(rejects.count(), 1);
        QCOMPARE(rejects.takeFirst().at(0).value<size_t>(), size_t(1));
        // A group title asks for nothing.
        click(tree, topLevel(tree, "Redeliveries"));
        QCOMPARE(events.count(), 0);
        QCOMPARE(rejects.count(), 0);
    }

    void problemsUpdateInPlace()
    {
        ProblemsPane pane;
        pane.resize(600, 300);
        pane.show();
        // QTreeWidget's own model is Qt's (and lets columns other than the first have
        // children, which QAbstractItemModelTester refuses): no tester on it.
        QTreeWidget *tree = child<QTreeWidget>(&pane, "problems");
        pane.setProblems(m_saga.anomalies, m_saga.rejects, 0);

        // The person collapses one group, selects an item of another.
        QTreeWidgetItem *skew = topLevel(tree, "Clock skew");
        QTreeWidgetItem *unseen = topLevel(tree, "Unseen causes");
        QVERIFY(unseen->isExpanded());
        tree->collapseItem(unseen);
        QTreeWidgetItem *selected = skew->child(0);
        tree->setCurrentItem(selected);

        // The same problems again: the very same items.
        pane.setProblems(m_saga.anomalies, m_saga.rejects, 0);
        QCOMPARE(topLevel(tree, "Clock skew"), skew);
        QCOMPARE(skew->child(0), selected);
        QCOMPARE(tree->currentItem(), selected);
        QVERIFY(!unseen->isExpanded());

        // More arrives: a second unseen cause of another type, a count that grows, a new kind.
        std::vector<Anomaly> more = m_saga.anomalies;
        for (Anomaly &a : more)
            if (a.kind == Anomaly::Kind::Skew) {
                a.count = 2;
                a.message = "2 reactions of notification-service to order.cancelled stamped before the cause";
                a.eventIds.push_back("e-99");
            }
        more.push_back({Anomaly::Kind::UnseenCause,
                        Anomaly::Severity::Warning,
                        4,
                        {"x-1"},
                        "4 audit.logged events name causes not in the input (cmd-9): commands, or lost events"});
        more.push_back(
            {Anomaly::Kind::Cycle, Anomaly::Severity::Error, 1, {"a", "b"}, "events cause each other: a → b → a"});
        pane.setProblems(more, m_saga.rejects, 0);
        QCOMPARE(topLevel(tree, "Unseen causes"), unseen);
        QCOMPARE(unseen->text(0), QStringLiteral("Unseen causes (5)"));
        QVERIFY(!unseen->isExpanded()); // still as the person left it
        QCOMPARE(unseen->childCount(), 2);
        QCOMPARE(tree->currentItem(), selected); // the same finding, updated in place
        QCOMPARE(selected->text(0),
                 QStringLiteral("2 reactions of notification-service to order.cancelled stamped before the cause"));
        QCOMPARE(selected->text(1), QStringLiteral("2"));
        QCOMPARE(topLevelTexts(tree).mid(1, 2), (QStringList{"Id collisions (1)", "Causation cycles (1)"}));
        QVERIFY(topLevel(tree, "Causation cycles")->isExpanded());

        // A group that goes away and comes back remembers the person's choice.
        std::vector<Anomaly> withoutUnseen;
        for (const Anomaly &a : more)
            if (a.kind != Anomaly::Kind::UnseenCause)
                withoutUnseen.push_back(a);
        pane.setProblems(withoutUnseen, m_saga.rejects, 0);
        QVERIFY(!topLevel(tree, "Unseen causes"));
        pane.setProblems(more, m_saga.rejects, 0);
        QVERIFY(!topLevel(tree, "Unseen causes")->isExpanded());

        // The filter narrows the items; the groups without a match hide.
        child<QLineEdit>(&pane, "filter")->setText(QStringLiteral("notification-service"));
        QCOMPARE(topLevelTexts(tree), QStringList{"Clock skew (2)"});
        pane.setProblems(more, m_saga.rejects, 0); // an update keeps the filter applied
        QCOMPARE(topLevelTexts(tree), QStringList{"Clock skew (2)"});
        child<QLineEdit>(&pane, "filter")->clear();
        QCOMPARE(topLevelTexts(tree).size(), 7);
    }

    void problemsOfAnotherWorkspace()
    {
        // Another recording with as many rejects: its own are listed, not the first one's.
        ProblemsPane pane;
        std::deque<RejectedInput> first{someReject(1), someReject(2)};
        std::deque<RejectedInput> second{someReject(7), someReject(8)};
        second[0].origin = second[1].origin = "/data/other.jsonl";
        pane.setProblems({}, first, 0);
        pane.setProblems({}, second, 0);
        QTreeWidget *tree = child<QTreeWidget>(&pane, "problems");
        QCOMPARE(childTexts(topLevel(tree, "Rejected input")),
                 (QStringList{"other.jsonl line 8: not JSON: unexpected character",
                              "other.jsonl line 9: not JSON: unexpected character"}));
    }

    void problemsWithManyRejects()
    {
        // 100 000 rejects: the newest 1 000 are listed, the rest counted; while live, some are
        // forgotten at the front and new ones arrive; selection and scroll position stay.
        std::deque<RejectedInput> rejects;
        for (uint64_t i = 0; i < 100'000; ++i)
            rejects.push_back(someReject(i));
        ProblemsPane pane;
        pane.resize(600, 400);
        pane.show();
        QTreeWidget *tree = child<QTreeWidget>(&pane, "problems");
        QElapsedTimer timer;
        timer.start();
        pane.setProblems({}, rejects, 0);
        const qint64 first = timer.elapsed();
        QTreeWidgetItem *group = topLevel(tree, "Rejected input");
        QCOMPARE(group->text(0), QStringLiteral("Rejected input (100\u202F000)"));
        QCOMPARE(group->childCount(), 1001);
        QCOMPARE(group->child(0)->text(0), QStringLiteral("… 99\u202F000 earlier rejected inputs, not listed"));
        QCOMPARE(group->child(1)->text(0), QStringLiteral("big.jsonl line 99001: not JSON: unexpected character"));
        QVERIFY(!group->isExpanded()); // too many to open unasked
        QCOMPARE(pane.summary(), QStringLiteral("100\u202F000 errors"));

        tree->expandItem(group);
        QTreeWidgetItem *picked = group->child(500); // reject 99 499
        tree->setCurrentItem(picked);
        tree->scrollToItem(picked);
        const int scrolled = tree->verticalScrollBar()->value();
        QVERIFY(scrolled > 0);

        for (uint64_t i = 100'000; i < 100'010; ++i)
            rejects.push_back(someReject(i));
        for (int i = 0; i < 5; ++i)
            rejects.pop_front();
        timer.restart();
        pane.setProblems({}, rejects, 5);
        const qint64 update = timer.elapsed();
        QCOMPARE(group->text(0), QStringLiteral("Rejected input (100\u202F010)"));
        QCOMPARE(group->childCount(), 1001);
        QCOMPARE(group->child(1)->text(0), QStringLiteral("big.jsonl line 99011: not JSON: unexpected character"));
        QCOMPARE(group->child(1000)->text(0), QStringLiteral("big.jsonl line 100010: not JSON: unexpected character"));
        QCOMPARE(tree->currentItem(), picked);
        QVERIFY(group->isExpanded());
        QCOMPARE(tree->verticalScrollBar()->value(), scrolled);
        qInfo("100 000 rejects: first shown in %lld ms, updated in %lld ms", first, update);

        // Activation gives the index in the rejects as last given.
        QSignalSpy spy(&pane, &ProblemsPane::rejectRequested);
        click(tree, picked);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<size_t>(), size_t(99'499 - 5));
        QCOMPARE(rejects[99'499 - 5].line, uint64_t(99'500));
    }
};

QTEST_MAIN(TstPanes)
#include "tst_panes.moc"
