// CompareView on real recordings opened as the app opens them (Workspace::loadRecording): two
// runs of an order saga (tests/data/compare-a.jsonl and compare-b.jsonl, described in
// tst_flowcompare.cpp) and two flows of tests/data/saga.jsonl (c-1001 succeeded, c-1002 failed
// payment and compensated). What a person sees: which flows are shown, the differences listed,
// and which boxes and arrows are marked; what clicking a node or a difference selects.
//
// EVENTLENS_COMPARE_PNG=/tmp/compare.png saves the view of the two runs there, and of the two
// saga flows as /tmp/compare-saga.png, to look at.
#include "core/eventstore.h"
#include "core/workspace.h"
#include "ui/compareview.h"
#include "ui/flowgraphview.h"
#include "ui/graphedgeitem.h"
#include "ui/graphnodeitem.h"

#include <QComboBox>
#include <QListWidget>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using namespace eventlens;

namespace {

std::unique_ptr<Workspace> open(const char *name)
{
    auto ws = std::make_unique<Workspace>();
    std::string error;
    if (!ws->loadRecording(std::string(EVENTLENS_TEST_DATA "/") + name, nullptr, error))
        qFatal("cannot open %s: %s", name, error.c_str());
    return ws;
}

void showView(CompareView &view)
{
    view.resize(1400, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
}

GraphNodeItem *node(const CompareView &view, CompareView::Side side, const char *eventId)
{
    GraphNodeItem *item = view.graph(side)->nodeItem(QString::fromLatin1(eventId));
    if (!item)
        qFatal("no node %s", eventId);
    return item;
}

GraphEdgeItem *edge(const CompareView &view, CompareView::Side side, const char *cause, const char *effect)
{
    GraphEdgeItem *item = view.graph(side)->edgeItem(QString::fromLatin1(cause), QString::fromLatin1(effect));
    if (!item)
        qFatal("no edge %s -> %s", cause, effect);
    return item;
}

bool marked(const GraphNodeItem *item, uint32_t mark)
{
    return item->marks() & mark;
}
bool marked(const GraphEdgeItem *item, uint32_t mark)
{
    return item->marks() & mark;
}

constexpr uint32_t kAnyMark = CompareView::Missing | CompareView::Extra | CompareView::Slower | CompareView::Faster;

/// Clicks a node, after scrolling it into view.
void click(FlowGraphView *view, const GraphNodeItem *item)
{
    const QRectF box = item->sceneBox();
    view->centerOn(box.center());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->mapFromScene(box.center()));
}

/// With EVENTLENS_COMPARE_PNG=/tmp/compare.png, saves the view as /tmp/compare<suffix>.png.
void saveIfAsked(CompareView &view, const char *suffix)
{
    QString path = qEnvironmentVariable("EVENTLENS_COMPARE_PNG");
    if (path.isEmpty())
        return;
    path.insert(path.endsWith(QLatin1String(".png")) ? path.size() - 4 : path.size(), QLatin1String(suffix));
    QVERIFY(view.grab().save(path));
}

} // namespace

class TstCompareView : public QObject {
    Q_OBJECT

private slots:
    void twoRunsOfTheSameFlowAreTheSame();
    void failedRunsDiffer();
    void clickingSelectsTheCounterpart();
    void twoFlowsOfOneRecording();
    void unknownFlowShowsAHint();
    void escapeAndCtrlWCloseTheWindow();
};

void TstCompareView::twoRunsOfTheSameFlowAreTheSame()
{
    const auto a = open("compare-a.jsonl"), b = open("compare-b.jsonl");
    CompareView view;
    view.setLeft(a->store(), QStringLiteral("compare-a.jsonl"));
    view.setRight(b->store(), QStringLiteral("compare-b.jsonl"));
    showView(view);

    // A's first flow, and B's flow like it (B's ids are its own).
    QCOMPARE(view.leftCorrelation(), std::string("ord-1"));
    QCOMPARE(view.rightCorrelation(), std::string("run2-ord-1"));
    QCOMPARE(view.flowPicker(CompareView::Left)->currentText(), QStringLiteral("ord-1"));
    QCOMPARE(view.flowPicker(CompareView::Right)->currentText(), QStringLiteral("run2-ord-1"));
    QCOMPARE(view.graph(CompareView::Left)->nodeCount(), 7); // six events and the unseen command
    QCOMPARE(view.graph(CompareView::Right)->nodeCount(), 7);
    QVERIFY2(view.headline().startsWith(QStringLiteral("Same shape")), qPrintable(view.headline()));
    QVERIFY(view.differences().isEmpty());
    QCOMPARE(view.sideSummary(CompareView::Left), QStringLiteral("6 events in 330 ms"));
    QCOMPARE(view.sideSummary(CompareView::Right), QStringLiteral("6 events in 345 ms"));
    for (const char *id : {"b-11", "b-12", "b-13", "b-14", "b-15", "b-16"})
        QVERIFY(!marked(node(view, CompareView::Right, id), kAnyMark));
    QVERIFY(!marked(edge(view, CompareView::Right, "b-14", "b-15"), kAnyMark));
}

void TstCompareView::failedRunsDiffer()
{
    const auto a = open("compare-a.jsonl"), b = open("compare-b.jsonl");
    CompareView view;
    view.setLeft(a->store(), QStringLiteral("compare-a.jsonl"));
    view.setRight(b->store(), QStringLiteral("compare-b.jsonl"));
    showView(view);

    // The person picks A's second flow; B follows with its flow most like it.
    QComboBox *picker = view.flowPicker(CompareView::Left);
    picker->setFocus();
    QTest::keyClick(picker, Qt::Key_Down);
    QCOMPARE(view.leftCorrelation(), std::string("ord-2"));
    QCOMPARE(view.rightCorrelation(), std::string("run2-ord-2"));
    QCOMPARE(view.flowPicker(CompareView::Right)->currentText(), QStringLiteral("run2-ord-2"));

    QCOMPARE(view.differences(),
             QStringList({QStringLiteral("missing: stock.released"), QStringLiteral("extra: payment.retried ×2"),
                          QStringLiteral("slower: payment.requested → payment.failed 40 ms → 900 ms (×22.5)"),
                          QStringLiteral("duration: 130 ms → 990 ms (×7.62)")}));
    QVERIFY2(view.headline().startsWith(QStringLiteral("4 differences of B from A")), qPrintable(view.headline()));
    QCOMPARE(view.sideSummary(CompareView::Right), QStringLiteral("7 events in 990 ms"));

    // What A has and B lacks: outlined on the left, with a badge saying so.
    const GraphNodeItem *released = node(view, CompareView::Left, "a-25");
    QVERIFY(marked(released, CompareView::Missing));
    QCOMPARE(released->badges().front().text, QStringLiteral("not in B"));
    QVERIFY(released->style().outlineWidth >= 3);
    QVERIFY(marked(edge(view, CompareView::Left, "a-24", "a-25"), CompareView::Missing));
    // What B has and A lacks: on the right.
    for (const char *id : {"b-24", "b-25"}) {
        QVERIFY(marked(node(view, CompareView::Right, id), CompareView::Extra));
        QCOMPARE(node(view, CompareView::Right, id)->badges().front().text, QStringLiteral("not in A"));
    }
    QVERIFY(marked(edge(view, CompareView::Right, "b-23", "b-24"), CompareView::Extra));
    QVERIFY(released->style().outline != node(view, CompareView::Right, "b-24")->style().outline);
    // The slower reaction, on both sides, with both lags on the arrow.
    for (auto [side, cause, effect] :
         {std::tuple(CompareView::Left, "a-23", "a-24"), std::tuple(CompareView::Right, "b-23", "b-26")}) {
        const GraphEdgeItem *slow = edge(view, side, cause, effect);
        QVERIFY(marked(slow, CompareView::Slower));
        QCOMPARE(slow->labelText(), QStringLiteral("40 ms → 900 ms"));
        QVERIFY(slow->style().width >= 3);
    }
    // What both have alike stays as it was.
    for (const char *id : {"a-21", "a-22", "a-23", "a-24", "a-26"})
        QVERIFY(!marked(node(view, CompareView::Left, id), kAnyMark));
    for (const char *id : {"b-21", "b-22", "b-23", "b-26", "b-27"})
        QVERIFY(!marked(node(view, CompareView::Right, id), kAnyMark));
    const GraphEdgeItem *same = edge(view, CompareView::Right, "b-26", "b-27");
    QVERIFY(!marked(same, kAnyMark));
    QCOMPARE(same->labelText(), QStringLiteral("40 ms"));

    saveIfAsked(view, "");

    // Back to the first flow: the marks go with the differences.
    QTest::keyClick(picker, Qt::Key_Up);
    QCOMPARE(view.rightCorrelation(), std::string("run2-ord-1"));
    QVERIFY(view.differences().isEmpty());
    QVERIFY(!marked(node(view, CompareView::Left, "a-14"), kAnyMark));
}

void TstCompareView::clickingSelectsTheCounterpart()
{
    const auto a = open("compare-a.jsonl"), b = open("compare-b.jsonl");
    CompareView view;
    view.setLeft(a->store(), QStringLiteral("compare-a.jsonl"));
    view.setRight(b->store(), QStringLiteral("compare-b.jsonl"));
    view.setFlows("ord-2", "run2-ord-2");
    showView(view);
    QSignalSpy activated(&view, &CompareView::eventActivated);

    // A's payment.failed is B's payment.failed, whatever their ids.
    click(view.graph(CompareView::Left), node(view, CompareView::Left, "a-24"));
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).value<CompareView::Side>(), CompareView::Left);
    QCOMPARE(activated.at(0).at(1).value<uint32_t>(), a->store().find("a-24"));
    QVERIFY(node(view, CompareView::Left, "a-24")->isHighlighted());
    QVERIFY(node(view, CompareView::Right, "b-26")->isHighlighted());
    // An event B lacks selects nothing there.
    click(view.graph(CompareView::Left), node(view, CompareView::Left, "a-25"));
    QVERIFY(node(view, CompareView::Left, "a-25")->isHighlighted());
    QVERIFY(!node(view, CompareView::Right, "b-26")->isHighlighted());

    // A difference selects what it is about: the slower link's effect on both sides.
    auto *list = view.findChild<QListWidget *>();
    QVERIFY(list && list->isVisible());
    QListWidgetItem *slower = list->item(2);
    QVERIFY(slower->text().startsWith(QStringLiteral("slower")));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(slower).center());
    QVERIFY(node(view, CompareView::Left, "a-24")->isHighlighted());
    QVERIFY(node(view, CompareView::Right, "b-26")->isHighlighted());
    // The extra type: B's first retry.
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(list->item(1)).center());
    QVERIFY(node(view, CompareView::Right, "b-24")->isHighlighted());
}

void TstCompareView::twoFlowsOfOneRecording()
{
    const auto saga = open("saga.jsonl");
    CompareView view;
    view.setLeft(saga->store(), QStringLiteral("saga.jsonl"));
    view.setRight(saga->store(), QStringLiteral("saga.jsonl"));
    showView(view);

    // One store: the right side shows another flow, the one most like the left's.
    QCOMPARE(view.leftCorrelation(), std::string("c-1001"));
    QCOMPARE(view.rightCorrelation(), std::string("c-1002"));
    QCOMPARE(view.differences(),
             QStringList({QStringLiteral("missing: payment.authorized"), QStringLiteral("missing: shipment.scheduled"),
                          QStringLiteral("extra: payment.failed"), QStringLiteral("extra: stock.released"),
                          QStringLiteral("extra: order.cancelled"),
                          QStringLiteral("faster: order.placed → inventory.reserved 45 ms → 30 ms (÷1.5)"),
                          QStringLiteral("duration: 500 ms → 320 ms (÷1.56)")}));
    for (const char *id : {"e-3", "e-4"})
        QVERIFY(marked(node(view, CompareView::Left, id), CompareView::Missing));
    for (const char *id : {"e-8", "e-9", "e-10"})
        QVERIFY(marked(node(view, CompareView::Right, id), CompareView::Extra));
    // Both notify (matched), each after a step the other lacks: the arrows into them are marked.
    QVERIFY(!marked(node(view, CompareView::Left, "e-5"), kAnyMark));
    QVERIFY(!marked(node(view, CompareView::Right, "e-11"), kAnyMark));
    QVERIFY(marked(edge(view, CompareView::Left, "e-4", "e-5"), CompareView::Missing));
    QVERIFY(marked(edge(view, CompareView::Right, "e-10", "e-11"), CompareView::Extra));
    // The faster reaction on both sides; the unseen command is not compared.
    QVERIFY(marked(edge(view, CompareView::Left, "e-1", "e-2"), CompareView::Faster));
    QVERIFY(marked(edge(view, CompareView::Right, "e-6", "e-7"), CompareView::Faster));
    QCOMPARE(edge(view, CompareView::Right, "e-6", "e-7")->labelText(), QStringLiteral("45 ms → 30 ms"));
    QVERIFY(!marked(node(view, CompareView::Left, "cmd-checkout-1"), kAnyMark));
    saveIfAsked(view, "-saga");

    // Picking another left flow on one store leaves the right one alone.
    view.flowPicker(CompareView::Left)->setFocus();
    QTest::keyClick(view.flowPicker(CompareView::Left), Qt::Key_Down);
    QCOMPARE(view.leftCorrelation(), std::string("c-1002"));
    QCOMPARE(view.rightCorrelation(), std::string("c-1002"));
    QVERIFY(view.headline().startsWith(QStringLiteral("Same shape")));
}

void TstCompareView::unknownFlowShowsAHint()
{
    const auto a = open("compare-a.jsonl");
    CompareView view;
    view.setLeft(a->store(), QStringLiteral("compare-a.jsonl"));
    showView(view);
    // Only one side: its flow, and a word on what the other side needs.
    QCOMPARE(view.graph(CompareView::Left)->nodeCount(), 7);
    QVERIFY(view.graph(CompareView::Right)->hint().contains(QStringLiteral("second recording")));
    QCOMPARE(view.headline(), QStringLiteral("Pick a flow on each side to compare them"));

    view.setRight(a->store(), QStringLiteral("compare-a.jsonl"));
    view.setFlows("ord-1", "no-such-flow");
    QCOMPARE(view.graph(CompareView::Right)->hint(), QStringLiteral("No events in flow no-such-flow"));
    QCOMPARE(view.flowPicker(CompareView::Right)->currentIndex(), -1);
    QVERIFY(view.differences().isEmpty());
    QVERIFY(view.comparison().types.empty());
}

void TstCompareView::escapeAndCtrlWCloseTheWindow()
{
    // Issue 12, defect 6: the compare window did not close on Esc or Ctrl+W.
    const auto a = open("compare-a.jsonl");
    for (const QKeySequence &keys : {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_W)}) {
        QWidget parent;
        auto *view = new CompareView(&parent);
        view->setWindowFlag(Qt::Window); // as the main window opens it
        view->setLeft(a->store(), QStringLiteral("compare-a.jsonl"));
        showView(*view);
        view->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(view));
        // From wherever the focus is in it: here the flow picker.
        view->flowPicker(CompareView::Left)->setFocus();
        QTest::keySequence(QApplication::focusWidget() ? QApplication::focusWidget() : view, keys);
        QTRY_VERIFY2(!view->isVisible(), qPrintable(keys.toString()));
    }
}

QTEST_MAIN(TstCompareView)
#include "tst_compareview.moc"
