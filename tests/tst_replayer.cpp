// Replaying recordings onto a real socket: timing at x1 and x10, order, topics, bytes,
// pause/resume, seek and loop.
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/replayer.h"
#include "core/rfc3339.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <zmq.hpp>

#include <fstream>

using namespace eventlens;

namespace {

constexpr int64_t kMs = 1'000'000;
const int64_t kStart = *parseRfc3339("2026-03-02T10:00:00Z");

/// A recording of `count` events `stepMs` apart; every third one carries a recorded topic.
std::string writeRecording(const QTemporaryDir &dir, int count, int64_t stepMs)
{
    const std::string path = dir.filePath("r.jsonl").toStdString();
    std::ofstream out(path);
    for (int i = 0; i < count; ++i) {
        out << "{\"eventId\":\"e-" << i << "\",\"eventType\":\"order.placed\",\"timestamp\":\""
            << formatRfc3339(kStart + i * stepMs * kMs, 3) << "\",\"source\":\"order-service\",\"data\":{\"n\":" << i
            << "}";
        if (i % 3 == 0)
            out << ",\"_eventlens\":{\"receivedAt\":\"2026-03-02T10:00:00Z\",\"topic\":\"orders/eu\"}";
        out << "}\n";
    }
    return path;
}

bool load(const std::string &path, EventStore &store)
{
    RecordingReport report;
    std::string error;
    return JsonlReader().load(path, store, report, error) && report.rejected.empty();
}

struct Received {
    std::string topic, payload;
    qint64 atMs;
};

class Receiver {
public:
    explicit Receiver(zmq::context_t &ctx) : sub(ctx, zmq::socket_type::sub)
    {
        sub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::rcvtimeo, 50);
        sub.set(zmq::sockopt::subscribe, "");
        sub.bind("tcp://127.0.0.1:*");
        endpoint = sub.get(zmq::sockopt::last_endpoint);
        clock.start();
    }
    /// Receives until `count` messages arrived or `timeoutMs` passed.
    std::vector<Received> take(size_t count, int timeoutMs)
    {
        std::vector<Received> got;
        while (got.size() < count && clock.elapsed() < timeoutMs) {
            zmq::message_t topic, payload;
            if (!sub.recv(topic))
                continue;
            (void)sub.recv(payload);
            got.push_back({topic.to_string(), payload.to_string(), clock.elapsed()});
        }
        return got;
    }
    zmq::socket_t sub;
    std::string endpoint;
    QElapsedTimer clock;
};

} // namespace

class TstReplayer : public QObject {
    Q_OBJECT

private slots:
    void keepsRelativeTiming_data()
    {
        QTest::addColumn<double>("speed");
        QTest::addColumn<int>("stepMs");
        QTest::newRow("x1: 21 events over 2 s") << 1.0 << 100;
        QTest::newRow("x10: 21 events over 20 s of event time") << 10.0 << 1000;
    }
    void keepsRelativeTiming()
    {
        QFETCH(double, speed);
        QFETCH(int, stepMs);
        QTemporaryDir dir;
        EventStore store;
        QVERIFY(load(writeRecording(dir, 21, stepMs), store));

        zmq::context_t ctx;
        Receiver receiver(ctx);
        Replayer::Options options;
        options.endpoint = receiver.endpoint;
        options.speed = speed;
        Replayer replayer(ctx, store, options);
        QVERIFY2(replayer.start(), replayer.error().c_str());
        const auto got = receiver.take(21, 10000);
        QCOMPARE(got.size(), size_t(21));
        const double expectedMs = 20.0 * stepMs / speed; // 2 000 ms both ways
        const double spanMs = double(got.back().atMs - got.front().atMs);
        QVERIFY2(std::abs(spanMs - expectedMs) <= 0.05 * expectedMs,
                 qPrintable(QStringLiteral("took %1 ms, expected %2 ms ± 5 %").arg(spanMs).arg(expectedMs)));
        // Evenly spread, not bunched: each gap within 5 % of the span of its share.
        for (size_t i = 1; i < got.size(); ++i) {
            const double gap = double(got[i].atMs - got[0].atMs);
            QVERIFY(std::abs(gap - expectedMs * double(i) / 20) <= 0.05 * expectedMs);
        }
        QTRY_VERIFY(replayer.finished());
        QCOMPARE(replayer.published(), uint64_t(21));
    }

    void asFastAsPossibleKeepsOrderTopicsAndBytes()
    {
        QTemporaryDir dir;
        EventStore store;
        const std::string path = writeRecording(dir, 3000, 1000); // 50 minutes of event time
        QVERIFY(load(path, store));
        zmq::context_t ctx;
        Receiver receiver(ctx);
        Replayer::Options options;
        options.endpoint = receiver.endpoint;
        options.asFastAsPossible = true;
        Replayer replayer(ctx, store, options);
        QVERIFY(replayer.start());
        const auto got = receiver.take(3000, 10000);
        QCOMPARE(got.size(), size_t(3000));
        QVERIFY(got.back().atMs - got.front().atMs < 5000);

        std::ifstream in(path);
        std::string line;
        for (size_t i = 0; i < got.size() && std::getline(in, line); ++i) {
            // The recorded topic when there is one, else the eventType.
            QCOMPARE(got[i].topic, std::string(i % 3 == 0 ? "orders/eu" : "order.placed"));
            // The event as originally received: the recorder's member is not published.
            const size_t member = line.find(",\"_eventlens\"");
            const std::string original = member == std::string::npos ? line : line.substr(0, member) + "}";
            QCOMPARE(got[i].payload, original);
        }
    }

    void asFastAsPossibleWaitsForASlowSubscriberInsteadOfQueueingEverything_data()
    {
        QTest::addColumn<bool>("stopWhileStalled");
        QTest::newRow("then the subscriber reads again") << false;
        QTest::newRow("then stop") << true;
    }
    void asFastAsPossibleWaitsForASlowSubscriberInsteadOfQueueingEverything()
    {
        QFETCH(bool, stopWhileStalled);
        QTemporaryDir dir;
        EventStore store;
        constexpr int kEvents = 300'000;
        QVERIFY(load(writeRecording(dir, kEvents, 1), store));
        zmq::context_t ctx;
        Receiver receiver(ctx); // ZeroMQ's default receive high-water mark: 1000 messages
        Replayer::Options options;
        options.endpoint = receiver.endpoint;
        options.asFastAsPossible = true;
        Replayer replayer(ctx, store, options);
        QVERIFY(replayer.start());

        // The subscriber reads a little (ZeroMQ attaches it then), then stops: publishing
        // stalls once the queues are full, instead of queueing the whole recording in memory.
        auto got = receiver.take(1000, 10000);
        QCOMPARE(got.size(), size_t(1000));
        // Stalled: nothing more published for 300 ms (however slow the machine is).
        uint64_t stalled = 0;
        QElapsedTimer waited;
        waited.start();
        for (uint64_t last = UINT64_MAX; waited.elapsed() < 20000;) {
            QTest::qWait(300);
            const uint64_t now = replayer.published();
            if (now == last) {
                stalled = now;
                break;
            }
            last = now;
        }
        QVERIFY2(stalled > 0, "publishing never stalled");
        QVERIFY2(stalled < uint64_t(kEvents) * 2 / 3, qPrintable(QString::number(stalled) + " published while stalled"));

        if (stopWhileStalled) { // waiting for room still listens for commands
            QElapsedTimer timer;
            timer.start();
            replayer.stop();
            QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed()) + " ms to stop"));
            return;
        }
        // Reading again lets it finish, and nothing was dropped on the way.
        const auto rest = receiver.take(kEvents - 1000, 30000);
        got.insert(got.end(), rest.begin(), rest.end());
        QCOMPARE(got.size(), size_t(kEvents));
        for (int i : {0, kEvents / 2, kEvents - 1})
            QVERIFY(got[size_t(i)].payload.find("\"e-" + std::to_string(i) + "\"") != std::string::npos);
        QTRY_VERIFY(replayer.finished());
    }

    void pauseResumeAndSeek()
    {
        QTemporaryDir dir;
        EventStore store;
        QVERIFY(load(writeRecording(dir, 40, 50), store));
        zmq::context_t ctx;
        Receiver receiver(ctx);
        Replayer::Options options;
        options.endpoint = receiver.endpoint;
        Replayer replayer(ctx, store, options);
        QVERIFY(replayer.start());
        QCOMPARE(receiver.take(3, 5000).size(), size_t(3));
        replayer.pause();
        QTest::qWait(100);
        const uint64_t atPause = replayer.published();
        QTest::qWait(400); // 8 events' worth of time
        QCOMPARE(replayer.published(), atPause);

        replayer.seek(kStart + 30 * 50 * kMs); // jump to e-30
        replayer.resume();
        std::vector<Received> rest;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 5000) {
            for (auto &r : receiver.take(100, int(receiver.clock.elapsed()) + 100))
                rest.push_back(r);
            if (!rest.empty() && rest.back().payload.find("\"e-39\"") != std::string::npos)
                break;
        }
        QVERIFY(!rest.empty());
        QVERIFY(rest.back().payload.find("\"e-39\"") != std::string::npos);
        const auto firstAfterSeek = std::find_if(rest.begin(), rest.end(), [](const Received &r) {
            return r.payload.find("\"e-30\"") != std::string::npos;
        });
        QVERIFY(firstAfterSeek != rest.end());
        QVERIFY(std::none_of(firstAfterSeek, rest.end(), [](const Received &r) {
            return r.payload.find("\"e-2") != std::string::npos; // nothing from before the seek point
        }));
        QTRY_VERIFY(replayer.finished());
    }

    void loopStartsOver()
    {
        QTemporaryDir dir;
        EventStore store;
        QVERIFY(load(writeRecording(dir, 5, 10), store));
        zmq::context_t ctx;
        Receiver receiver(ctx);
        Replayer::Options options;
        options.endpoint = receiver.endpoint;
        options.loop = true;
        options.speed = 10;
        Replayer replayer(ctx, store, options);
        QVERIFY(replayer.start());
        const auto got = receiver.take(12, 5000);
        QCOMPARE(got.size(), size_t(12));
        QVERIFY(got[5].payload.find("\"e-0\"") != std::string::npos); // the sixth is the first again
        QVERIFY(!replayer.finished());
        QElapsedTimer t;
        t.start();
        replayer.stop();
        QVERIFY(t.elapsed() < 1000);
    }

    void restampsToNow()
    {
        QTemporaryDir dir;
        EventStore store;
        QVERIFY(load(writeRecording(dir, 2, 10), store));
        zmq::context_t ctx;
        Receiver receiver(ctx);
        Replayer::Options options;
        options.endpoint = receiver.endpoint;
        options.restamp = true;
        Replayer replayer(ctx, store, options);
        const int64_t before =
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        QVERIFY(replayer.start());
        const auto got = receiver.take(2, 5000);
        QCOMPARE(got.size(), size_t(2));
        const size_t at = got[0].payload.find("\"timestamp\":\"");
        QVERIFY(at != std::string::npos);
        const auto stamped = parseRfc3339(got[0].payload.substr(at + 13, got[0].payload.find('"', at + 13) - at - 13));
        QVERIFY(stamped);
        QVERIFY(*stamped >= before - 1000 * kMs);
    }

    void badEndpointIsAClearError()
    {
        EventStore store;
        zmq::context_t ctx;
        Replayer::Options options;
        options.endpoint = "tcp://nowhere-without-port";
        Replayer replayer(ctx, store, options);
        QVERIFY(!replayer.start());
        QVERIFY2(replayer.error().find("cannot connect to tcp://nowhere-without-port") != std::string::npos,
                 replayer.error().c_str());
    }
};

QTEST_GUILESS_MAIN(TstReplayer)
#include "tst_replayer.moc"
