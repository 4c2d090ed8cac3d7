// Time travel over a real recording: the view as of a cursor holds exactly the events
// stamped up to it (and the bad lines before them in the file), grows as the cursor moves
// forward, starts afresh when it moves back, and at the end agrees with the whole file.
#include "core/flowgraph.h"
#include "core/rfc3339.h"
#include "core/timecursor.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace eventlens;

namespace {

int64_t at(const char *time) // "10:00:01.250" on saga.jsonl's day
{
    const std::optional<int64_t> ns = parseRfc3339(std::string("2026-03-02T") + time + "Z");
    if (!ns)
        qFatal("bad time %s", time);
    return *ns;
}

/// Polls until the view holds everything up to the cursor.
void catchUp(TimeCursor &cursor)
{
    for (int i = 0; i < 100000 && !cursor.caughtUp(); ++i)
        cursor.poll(std::chrono::milliseconds(5));
    QVERIFY(cursor.caughtUp());
}

QStringList idsOf(const EventStore &store)
{
    QStringList ids;
    for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i)
        ids << QString::fromUtf8(store.eventId(i).data(), qsizetype(store.eventId(i).size()));
    return ids;
}

std::unique_ptr<Workspace> load(const std::string &path)
{
    auto w = std::make_unique<Workspace>();
    std::string error;
    if (!w->loadRecording(path, {}, error))
        qFatal("cannot load %s: %s", path.c_str(), error.c_str());
    return w;
}

} // namespace

class TestTimeCursor : public QObject {
    Q_OBJECT
private slots:
    void viewHoldsTheEventsStampedUpToTheCursor();
    void aFlowGrowsAsTheCursorMovesForward();
    void movingBackStartsAfresh();
    void atTheEndItAgreesWithTheWholeRecording();
    void stepsGoFromEventToEvent();
    void aBigMoveCatchesUpWithinBudgets();
};

void TestTimeCursor::viewHoldsTheEventsStampedUpToTheCursor()
{
    const auto recording = load(EVENTLENS_TEST_DATA "/saga.jsonl");
    TimeCursor cursor(*recording);
    QCOMPARE(cursor.startNs(), at("10:00:00.000"));
    QCOMPARE(cursor.endNs(), at("10:00:02.000"));
    QCOMPARE(cursor.totalEvents(), size_t(14));

    // It starts at the first event.
    catchUp(cursor);
    QCOMPARE(idsOf(cursor.view().store()), QStringList{"e-1"});
    QVERIFY(cursor.view().rejects().empty());

    // 10:00:00.100: e-2 and, from line 14, its later copy (stamped .046); the file's three bad
    // lines come right after line 14, so they are in too, after those events.
    QVERIFY(!cursor.moveTo(at("10:00:00.100")));
    QCOMPARE(cursor.eventsAsOf(), size_t(3));
    catchUp(cursor);
    const EventStore &s = cursor.view().store();
    QCOMPARE(idsOf(s), (QStringList{"e-1", "e-2", "e-2"}));
    QVERIFY(s.record(2).flags & IdCollision); // another sku: same id, other content
    QCOMPARE(s.record(2).line, 14u);          // lines are the file's
    QCOMPARE(cursor.view().rejects().size(), size_t(3));
    QCOMPARE(cursor.view().rejects()[0].line, 15u);
    QCOMPARE(cursor.view().rejects()[0].beforeEvent, 3u);
    QCOMPARE(cursor.view().rejectedTotal(), uint64_t(3));

    // Events in timestamp order: e-3 was written with +01:00, it is 10:00:00.180 UTC.
    QVERIFY(!cursor.moveTo(at("10:00:01.000")));
    catchUp(cursor);
    QCOMPARE(idsOf(cursor.view().store()), (QStringList{"e-1", "e-2", "e-2", "e-3", "e-4", "e-5", "e-6"}));
    QCOMPARE(cursor.view().flows().summaryOf("c-1001")->events, uint64_t(6));
}

void TestTimeCursor::aFlowGrowsAsTheCursorMovesForward()
{
    const auto recording = load(EVENTLENS_TEST_DATA "/saga.jsonl");
    TimeCursor cursor(*recording);
    auto nodesOf = [&](const char *time) {
        cursor.moveTo(at(time));
        catchUp(cursor);
        return buildFlowGraph(cursor.view().store(), "c-1002");
    };
    QVERIFY(nodesOf("10:00:00.999").empty());
    QCOMPARE(nodesOf("10:00:01.000").eventCount(), size_t(1));
    QCOMPARE(nodesOf("10:00:01.260").eventCount(), size_t(3)); // e-6, e-7, e-8 (and e-8's copy)
    // 10:00:01.290: e-11 is stamped before its cause e-10 (skew): an unseen cause so far.
    const FlowGraph skewed = nodesOf("10:00:01.290");
    QCOMPARE(skewed.eventCount(), size_t(4));
    QCOMPARE(skewed.ghostCount(), size_t(1));
    const FlowGraph whole = nodesOf("10:00:01.320");
    QCOMPARE(whole.eventCount(), size_t(6));
    QCOMPARE(whole.ghostCount(), size_t(0));
    QCOMPARE(whole.skewCount(), size_t(1));
    QCOMPARE(cursor.view().analysis().skewEdges(), uint64_t(1));
}

void TestTimeCursor::movingBackStartsAfresh()
{
    const auto recording = load(EVENTLENS_TEST_DATA "/saga.jsonl");
    TimeCursor cursor(*recording);
    cursor.moveTo(at("10:00:01.500"));
    catchUp(cursor);
    const Workspace *before = &cursor.view();
    QCOMPARE(cursor.view().store().size(), size_t(13));

    // Back, but past no event: the same view.
    QVERIFY(!cursor.moveTo(at("10:00:01.400")));
    QCOMPARE(&cursor.view(), before);
    // Back past events: a fresh view, filled again up to the cursor.
    QVERIFY(cursor.moveTo(at("10:00:00.045")));
    QVERIFY(&cursor.view() != before);
    QCOMPARE(cursor.view().store().size(), size_t(0));
    catchUp(cursor);
    QCOMPARE(idsOf(cursor.view().store()), (QStringList{"e-1", "e-2"}));
    QVERIFY(cursor.view().rejects().empty()); // the bad lines follow line 14 (stamped .046)
    QCOMPARE(cursor.view().lag().edgeCount(), uint64_t(1));
}

void TestTimeCursor::atTheEndItAgreesWithTheWholeRecording()
{
    const auto recording = load(EVENTLENS_TEST_DATA "/orders.jsonl");
    TimeCursor cursor(*recording);
    cursor.moveTo(cursor.endNs());
    catchUp(cursor);
    const Workspace &view = cursor.view();
    QCOMPARE(view.store().size(), recording->store().size());
    QCOMPARE(view.rejects().size(), recording->rejects().size());
    QCOMPARE(view.analysis().edges(), recording->analysis().edges());
    QCOMPARE(view.analysis().skewEdges(), recording->analysis().skewEdges());
    QCOMPARE(view.store().correlationCount(), recording->store().correlationCount());
    QCOMPARE(view.store().unseenCauses().size(), recording->store().unseenCauses().size());
    // The lags do not depend on the order the events came in.
    const std::vector<LagStats> a = view.lag().stats(), b = recording->lag().stats();
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(view.store().sourceName(a[i].consumer), recording->store().sourceName(b[i].consumer));
        QCOMPARE(a[i].count, b[i].count);
        QCOMPARE(a[i].p95Ns, b[i].p95Ns);
        QCOMPARE(a[i].skew, b[i].skew);
    }
}

void TestTimeCursor::stepsGoFromEventToEvent()
{
    const auto recording = load(EVENTLENS_TEST_DATA "/saga.jsonl");
    TimeCursor cursor(*recording);
    QCOMPARE(cursor.previousEventNs(), kNoTime);
    QCOMPARE(cursor.nextEventNs(), at("10:00:00.045"));
    cursor.moveTo(cursor.nextEventNs());
    QCOMPARE(cursor.nextEventNs(), at("10:00:00.046"));
    QCOMPARE(cursor.previousEventNs(), at("10:00:00.000"));
    cursor.moveTo(at("10:00:02.000"));
    QCOMPARE(cursor.nextEventNs(), kNoTime);
    QCOMPARE(cursor.previousEventNs(), at("10:00:01.320"));
}

void TestTimeCursor::aBigMoveCatchesUpWithinBudgets()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("big.jsonl")).toStdString();
    {
        std::ofstream out(path);
        for (int i = 0; i < 100000; ++i) {
            const int ms = i; // one event a millisecond
            char time[64];
            std::snprintf(time, sizeof time, "2026-03-02T10:%02d:%02d.%03dZ", ms / 60000, ms / 1000 % 60, ms % 1000);
            out << "{\"eventId\":\"e-" << i << "\",\"eventType\":\"tick\",\"timestamp\":\"" << time
                << "\",\"source\":\"clock\",\"correlationId\":\"c-" << i / 10 << "\"}\n";
        }
    }
    const auto recording = load(path);
    TimeCursor cursor(*recording);
    cursor.moveTo(cursor.endNs());
    QCOMPARE(cursor.eventsAsOf(), size_t(100000));
    // One poll with a budget of 1 ms adds a part of them, not all.
    const Workspace::Update first = cursor.poll(std::chrono::milliseconds(1));
    QVERIFY(first.endEvent > first.firstEvent);
    QVERIFY(first.endEvent < 100000);
    QCOMPARE(cursor.eventsInView(), size_t(first.endEvent));
    int polls = 1;
    while (!cursor.caughtUp()) {
        const Workspace::Update u = cursor.poll(std::chrono::milliseconds(1));
        QCOMPARE(u.firstEvent, uint32_t(cursor.eventsInView() - (u.endEvent - u.firstEvent)));
        ++polls;
    }
    QVERIFY(polls > 1);
    QCOMPARE(cursor.view().store().size(), size_t(100000));
    QCOMPARE(cursor.view().store().correlationCount(), size_t(10000));
}

QTEST_GUILESS_MAIN(TestTimeCursor)
#include "tst_timecursor.moc"
