// What the app looks at: a Workspace fed by a recording (loaded on a thread of its own,
// with progress and cancel) or by a live session (real sockets on tcp://127.0.0.1:*).
#include "core/workspace.h"
#include "core/workspaceload.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <zmq.hpp>

#include <atomic>
#include <fstream>

using namespace eventlens;

namespace {

std::string eventLine(int n, const std::string &cause = {})
{
    return "{\"eventId\":\"e-" + std::to_string(n) + "\",\"eventType\":\"" + (cause.empty() ? "order.placed" : "stock.reserved")
         + "\",\"timestamp\":\"2026-11-26T10:00:00.000Z\",\"source\":\"" + (cause.empty() ? "orders" : "stock")
         + "\",\"correlationId\":\"c-" + std::to_string(n) + "\""
         + (cause.empty() ? std::string() : ",\"causationId\":\"" + cause + "\"") + ",\"data\":{\"n\":" + std::to_string(n)
         + "}}";
}

/// A recording of `flows` two-event flows; big enough that loading takes a while.
QString writeRecording(const QTemporaryDir &dir, int flows)
{
    const QString path = dir.filePath(QStringLiteral("big.jsonl"));
    std::ofstream out(path.toStdString());
    for (int i = 0; i < flows; ++i)
        out << eventLine(2 * i) << '\n' << eventLine(2 * i + 1, "e-" + std::to_string(2 * i)) << '\n';
    return path;
}

} // namespace

class TestWorkspace : public QObject {
    Q_OBJECT
private slots:
    void recordingRejectsSitAmongTheEventsWhereTheyWere();
    void recordingAnalysesAreReady();
    void unreadableFileSaysWhich();
    void loadOnItsOwnThreadReportsProgressAndFinishes();
    void cancelStopsALoadPromptly();
    void liveWorkspacePollsEventsRejectsAndAnalyses();
    void liveRejectsAreBoundedAndCounted();
};

void TestWorkspace::recordingRejectsSitAmongTheEventsWhereTheyWere()
{
    Workspace w;
    std::string error;
    QVERIFY2(w.loadRecording(EVENTLENS_TEST_DATA "/saga.jsonl", {}, error), error.c_str());
    QVERIFY(!w.isLive());
    QCOMPARE(w.store().size(), size_t(14));
    // saga.jsonl: lines 15 and 16 are bad, 17 is blank, 18 is a torn tail; all after the 14 events.
    QCOMPARE(w.rejects().size(), size_t(3));
    QCOMPARE(w.rejects()[0].line, uint64_t(15));
    QCOMPARE(w.rejects()[0].where(), std::string("saga.jsonl line 15"));
    QCOMPARE(w.rejects()[0].reason, std::string("field 'timestamp': \"yesterday\" is not an RFC 3339 time"));
    QVERIFY(w.rejects()[0].frames.at(0).find("\"e-bad\"") != std::string::npos);
    QCOMPARE(w.rejects()[0].beforeEvent, uint32_t(14));
    QCOMPARE(w.rejects()[1].line, uint64_t(16));
    QCOMPARE(w.rejects()[1].frames.at(0), std::string("this is not json"));
    QCOMPARE(w.rejects()[2].line, uint64_t(18));
    QVERIFY(w.rejects()[2].reason.starts_with("truncated final line"));
    QCOMPARE(w.rejectedTotal(), uint64_t(3));
    QCOMPARE(w.poll().empty(), true); // a recording does not grow

    // A bad line in the middle sits before the event of the next line.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("middle.jsonl"));
    {
        std::ofstream out(path.toStdString());
        out << eventLine(1) << '\n' << eventLine(2) << '\n' << "{oops\n" << eventLine(3) << '\n';
    }
    Workspace m;
    QVERIFY2(m.loadRecording(path.toStdString(), {}, error), error.c_str());
    QCOMPARE(m.rejects().size(), size_t(1));
    QCOMPARE(m.rejects()[0].line, uint64_t(3));
    QCOMPARE(m.rejects()[0].beforeEvent, uint32_t(2)); // before e-3, the store's third event
}

void TestWorkspace::recordingAnalysesAreReady()
{
    Workspace w;
    std::string error;
    QVERIFY(w.loadRecording(EVENTLENS_TEST_DATA "/saga.jsonl", {}, error));
    QCOMPARE(w.analysis().processedEnd(), w.store().endIndex());
    // The same findings as `eventlens-cli anomalies` on this file (tst_anomalies checks those).
    std::map<Anomaly::Kind, uint64_t> counts;
    for (const Anomaly &a : w.anomalies())
        counts[a.kind] += a.count;
    QCOMPARE(counts[Anomaly::Kind::Rejected], uint64_t(3));
    QCOMPARE(counts[Anomaly::Kind::IdCollision], uint64_t(1));
    QCOMPARE(counts[Anomaly::Kind::UnseenCause], uint64_t(1));
    QCOMPARE(counts[Anomaly::Kind::Skew], uint64_t(1));
    QCOMPARE(counts[Anomaly::Kind::Redelivery], uint64_t(1));
    QVERIFY(!w.topology().edges().empty());
    QVERIFY(w.flows().summaryOf("c-1002") != nullptr);
    QCOMPARE(w.flows().summaryOf("c-1002")->events, uint64_t(7)); // e-6..e-11 and the redelivered e-8
}

void TestWorkspace::unreadableFileSaysWhich()
{
    Workspace w;
    std::string error;
    QVERIFY(!w.loadRecording("/nonexistent/where.jsonl", {}, error));
    QVERIFY2(error.find("/nonexistent/where.jsonl") != std::string::npos, error.c_str());

    std::string loadError;
    std::atomic<int> finished{0};
    WorkspaceLoad load("/nonexistent/where.jsonl", [&] { ++finished; });
    QTRY_VERIFY(load.isFinished());
    QVERIFY(load.take(loadError) == nullptr);
    QVERIFY2(loadError.find("/nonexistent/where.jsonl") != std::string::npos, loadError.c_str());
    QCOMPARE(finished.load(), 1);
}

void TestWorkspace::loadOnItsOwnThreadReportsProgressAndFinishes()
{
    QTemporaryDir dir;
    const QString path = writeRecording(dir, 100'000);
    std::atomic<int> finished{0};
    WorkspaceLoad load(path.toStdString(), [&] { ++finished; });
    // The caller is free meanwhile: it sees the byte count grow to the file size.
    uint64_t sawProgress = 0;
    QElapsedTimer t;
    t.start();
    while (!load.isFinished() && t.elapsed() < 60000) {
        sawProgress = std::max(sawProgress, load.bytesDone());
        QTest::qWait(1);
    }
    QVERIFY(load.isFinished());
    QCOMPARE(load.bytesTotal(), uint64_t(QFileInfo(path).size()));
    QCOMPARE(load.bytesDone(), load.bytesTotal());
    std::string error;
    std::unique_ptr<Workspace> w = load.take(error);
    QVERIFY2(w, error.c_str());
    QCOMPARE(w->store().size(), size_t(200'000));
    QCOMPARE(w->analysis().processedEnd(), w->store().endIndex());
    QCOMPARE(w->lag().edgeCount(), uint64_t(100'000));
    QCOMPARE(finished.load(), 1);
}

void TestWorkspace::cancelStopsALoadPromptly()
{
    QTemporaryDir dir;
    const QString path = writeRecording(dir, 400'000);
    std::atomic<int> finished{0};
    WorkspaceLoad load(path.toStdString(), [&] { ++finished; });
    QTRY_VERIFY(load.bytesDone() > 0 || load.isFinished());
    QElapsedTimer t;
    t.start();
    load.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(load.isFinished(), 5000);
    QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
    std::string error;
    QVERIFY(load.take(error) == nullptr);
    QCOMPARE(error, std::string("cancelled"));
    QCOMPARE(finished.load(), 1);
}

void TestWorkspace::liveWorkspacePollsEventsRejectsAndAnalyses()
{
    Workspace w(Session::Options{});
    QVERIFY(w.isLive());
    std::string error;
    QVERIFY2(w.session()->startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error), error.c_str());
    zmq::socket_t pub(*w.context(), zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.connect(w.session()->bus()->publishersEndpoint());
    // The bus subscribes to everything; wait for the publisher's connection before sending.
    QTest::qWait(200);

    const int flows = 50;
    for (int i = 0; i < flows; ++i) {
        const std::string a = eventLine(2 * i), b = eventLine(2 * i + 1, "e-" + std::to_string(2 * i));
        pub.send(zmq::buffer(a));
        pub.send(zmq::buffer(b));
    }
    const std::string bad = "{\"eventId\":\"x\"}";
    pub.send(zmq::buffer(bad));

    size_t events = 0, rejects = 0, polls = 0;
    QElapsedTimer t;
    t.start();
    while ((events < size_t(2 * flows) || rejects < 1) && t.elapsed() < 10000) {
        w.session()->waitForData(std::chrono::milliseconds(50));
        const Workspace::Update u = w.poll();
        events += u.endEvent - u.firstEvent;
        rejects += u.newRejects;
        polls += !u.empty();
        QCOMPARE(u.droppedRejects, size_t(0));
    }
    QCOMPARE(events, size_t(2 * flows));
    QCOMPARE(rejects, size_t(1));
    QVERIFY(polls >= 1);
    // Analyses are brought up to date by every poll.
    QCOMPARE(w.analysis().processedEnd(), w.store().endIndex());
    QCOMPARE(w.lag().edgeCount(), uint64_t(flows));
    QCOMPARE(w.topology().edges().size(), size_t(1));
    // The reject: its bytes, origin and reason, after the events of its poll; also a Problem.
    const RejectedInput &r = w.rejects().back();
    QCOMPARE(r.origin, std::string("bus"));
    QCOMPARE(r.frames.back(), bad);
    QVERIFY2(r.reason.find("eventType") != std::string::npos, r.reason.c_str());
    QVERIFY(r.receivedNs != kNoTime);
    QVERIFY(r.beforeEvent <= w.store().endIndex());
    bool listed = false;
    for (const Anomaly &a : w.anomalies())
        listed |= a.kind == Anomaly::Kind::Rejected && a.message.find(r.reason) != std::string::npos;
    QVERIFY(listed);
}

void TestWorkspace::liveRejectsAreBoundedAndCounted()
{
    Session::Options o;
    o.keptRejects = 5;
    Workspace w(o);
    std::string error;
    QVERIFY2(w.session()->startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error), error.c_str());
    zmq::socket_t pub(*w.context(), zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.connect(w.session()->bus()->publishersEndpoint());
    QTest::qWait(200);
    size_t rows = 0; // what a table following the updates would hold
    auto pollAll = [&](size_t total) {
        QElapsedTimer t;
        t.start();
        while (w.rejectedTotal() < total && t.elapsed() < 10000) {
            w.session()->waitForData(std::chrono::milliseconds(50));
            const Workspace::Update u = w.poll();
            QVERIFY(u.droppedRejects <= rows);
            rows = rows - u.droppedRejects + u.newRejects;
        }
    };
    for (int i = 0; i < 3; ++i)
        pub.send(zmq::buffer(std::string("not json ") + std::to_string(i)));
    pollAll(3);
    QCOMPARE(rows, size_t(3));
    for (int i = 3; i < 12; ++i)
        pub.send(zmq::buffer(std::string("not json ") + std::to_string(i)));
    pollAll(12);
    QCOMPARE(w.rejectedTotal(), uint64_t(12));
    QCOMPARE(w.rejects().size(), size_t(5));
    QCOMPARE(w.rejectsForgotten(), uint64_t(7));
    QCOMPARE(rows, size_t(5)); // the updates told the table exactly what to drop and add
    QCOMPARE(w.rejects().back().frames.back(), std::string("not json 11"));
}

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
