// The live ingest: Session = bus tap / ZeroMQ sources → Ingest (bounded queue, decoding)
// → EventStore, with real sockets on tcp://127.0.0.1:* and real recording files.
#include "core/demo.h"
#include "core/jsonlreader.h"
#include "core/session.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <zmq.hpp>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

using namespace eventlens;

namespace {

std::string eventJson(const std::string &source, int n, const std::string &type = "order.placed")
{
    // Ids are unique across types, so probes never collide with the events under test.
    const std::string id = (type == "order.placed" ? "" : type + "/") + source + "-" + std::to_string(n);
    return "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type
           + "\",\"timestamp\":\"2026-11-26T10:00:00.000Z\",\"source\":\"" + source + "\",\"correlationId\":\"c-"
           + std::to_string(n) + "\",\"data\":{\"n\":" + std::to_string(n) + "}}";
}

void send(zmq::socket_t &pub, const std::vector<std::string> &frames)
{
    for (size_t i = 0; i < frames.size(); ++i)
        pub.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
}

zmq::socket_t publisherTo(zmq::context_t &ctx, const std::string &endpoint)
{
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.set(zmq::sockopt::sndhwm, 0);
    pub.connect(endpoint);
    return pub;
}

zmq::socket_t boundPublisher(zmq::context_t &ctx, std::string &endpoint)
{
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.set(zmq::sockopt::sndhwm, 0);
    pub.bind("tcp://127.0.0.1:*");
    endpoint = pub.get(zmq::sockopt::last_endpoint);
    return pub;
}

size_t countOfType(const EventStore &store, std::string_view type)
{
    return store.ofType(store.findType(type)).size();
}

/// Slow joiner: publishes probe events until the session has stored one from `pub`, so
/// the subscription has reached it. Probes are events of type `probe`; tests skip them.
bool handshake(Session &session, zmq::socket_t &pub, const std::string &name)
{
    for (int i = 0; i < 500; ++i) {
        send(pub, {"probe", eventJson(name, i, "probe")});
        session.waitForData(std::chrono::milliseconds(10));
        session.poll();
        const auto &s = session.store();
        for (uint32_t e : s.ofType(s.findType("probe")))
            if (s.sourceName(s.record(e).source) == name)
                return true;
    }
    return false;
}

/// Starts the session's bus on any free ports and connects `pub` to it, handshaken.
bool startBusWithPublisher(Session &session, zmq::context_t &ctx, zmq::socket_t &pub)
{
    std::string error;
    if (!session.startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error)) {
        qWarning("%s", error.c_str());
        return false;
    }
    pub = publisherTo(ctx, session.bus()->publishersEndpoint());
    return handshake(session, pub, "pub");
}

/// Polls until `done()` or `ms` pass.
template<typename Done> bool pollUntil(Session &session, Done done, int ms = 10000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > ms)
            return false;
        session.waitForData(std::chrono::milliseconds(10));
        session.poll();
    }
    return true;
}

/// Waits, without polling, until the sources handed in `messages` in all.
bool receivedUntil(const Session &session, uint64_t messages, int ms = 10000)
{
    QElapsedTimer timer;
    timer.start();
    while (session.stats().ingest.received < messages) {
        if (timer.elapsed() > ms)
            return false;
        QTest::qWait(5);
    }
    return true;
}

Session::Options options(Overflow overflow, size_t queueBytes, size_t batchBytes = 1u << 20)
{
    Session::Options o;
    o.ingest.overflow = overflow;
    o.ingest.queueBytes = queueBytes;
    o.ingest.batchBytes = batchBytes;
    return o;
}

} // namespace

class TstIngest : public QObject {
    Q_OBJECT

private slots:
    void busTapFillsTheStoreInBatches()
    {
        zmq::context_t ctx;
        Session session(ctx);
        std::string error;
        QVERIFY2(session.startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error), error.c_str());
        std::vector<Session::Update> updates;
        session.addObserver([&](const Session::Update &u) { updates.push_back(u); });

        constexpr int kPublishers = 3, kEach = 5000;
        std::vector<zmq::socket_t> pubs;
        for (int p = 0; p < kPublishers; ++p) {
            pubs.push_back(publisherTo(ctx, session.bus()->publishersEndpoint()));
            QVERIFY(handshake(session, pubs.back(), "pub-" + std::to_string(p)));
        }
        const uint32_t before = session.store().endIndex();
        for (int n = 0; n < kEach; ++n)
            for (int p = 0; p < kPublishers; ++p)
                send(pubs[p], {"order.placed", eventJson("pub-" + std::to_string(p), n)});
        QVERIFY(
            pollUntil(session, [&] { return countOfType(session.store(), "order.placed") == kPublishers * kEach; }));

        // Every event once, each publisher's in the order it sent them, bytes as sent.
        const EventStore &store = session.store();
        std::map<std::string, int> next;
        for (uint32_t i : store.ofType(store.findType("order.placed"))) {
            const std::string source(store.sourceName(store.record(i).source));
            const int n = next[source]++;
            QCOMPARE(store.eventId(i), source + "-" + std::to_string(n));
            QCOMPARE(store.raw(i), eventJson(source, n));
            QCOMPARE(store.topicName(store.record(i).topic), "order.placed");
            QCOMPARE(store.originName(store.record(i).origin), "bus");
            QVERIFY(store.record(i).receivedNs > 0);
        }
        QCOMPARE(next.size(), size_t(kPublishers));
        QCOMPARE(store.duplicateCount(), 0u);

        // Observers hear once per poll that added something, about whole batches: the
        // updates tile the store without gaps, and there are far fewer than events.
        QVERIFY(!updates.empty());
        uint32_t expectedFirst = 0;
        for (const Session::Update &u : updates) {
            QCOMPARE(u.firstEvent, expectedFirst);
            QVERIFY(u.endEvent > u.firstEvent);
            expectedFirst = u.endEvent;
        }
        QCOMPARE(expectedFirst, store.endIndex());
        size_t updatesDuringFlood = 0;
        for (const Session::Update &u : updates)
            updatesDuringFlood += u.endEvent > before;
        QVERIFY2(updatesDuringFlood < size_t(kPublishers * kEach) / 20,
                 qPrintable(QString::number(updatesDuringFlood) + " updates for 15000 events"));

        const Session::Stats stats = session.stats();
        QCOMPARE(stats.ingest.dropped, 0u);
        QCOMPARE(stats.ingest.accepted, uint64_t(store.size()));
        QCOMPARE(stats.ingest.appended, uint64_t(store.size()));
        QVERIFY(stats.bus.has_value());
        QCOMPARE(stats.bus->messagesIn, stats.ingest.received);
    }

    void aDemoOnTheSessionsBusArrivesWhole()
    {
        zmq::context_t ctx;
        Session session(ctx);
        std::string error;
        QVERIFY2(session.startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error), error.c_str());
        DemoSystem::Options o;
        o.scenario = DemoSystem::Scenario::OrderSaga;
        o.publishers = session.bus()->publishersEndpoint();
        o.subscribers = session.bus()->subscribersEndpoint();
        o.knobs.rate = 50;
        o.knobs.lag = {5, 3};
        o.knobs.failureRate = 0.3;
        o.knobs.duplicateRate = 0.05;
        DemoSystem demo(ctx, o);
        QVERIFY2(demo.start(), demo.error().c_str());
        QVERIFY(pollUntil(session, [&] { return demo.counters().flowsStarted >= 40; }));
        demo.stop();
        const DemoSystem::Counters c = demo.counters();
        // Everything the services published is in the store, redeliveries flagged as such.
        QVERIFY(pollUntil(session, [&] { return session.store().size() == c.eventsPublished + c.redeliveries; }));
        QTest::qWait(200);
        session.poll();
        const EventStore &store = session.store();
        QCOMPARE(uint64_t(store.size()), c.eventsPublished + c.redeliveries);
        QCOMPARE(store.redeliveryCount(), c.redeliveries);
        QVERIFY(session.rejects().empty());
        QCOMPARE(store.correlationCount(), size_t(c.flowsStarted));
        // Every reaction's cause is in the store, in the same flow.
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i) {
            if (store.causationId(i).empty())
                continue;
            const uint32_t cause = store.cause(i);
            QVERIFY2(cause != EventStore::kNone, std::string(store.eventId(i)).c_str());
            QCOMPARE(store.correlationId(cause), store.correlationId(i));
        }
    }

    void rejectsKeepBytesOriginAndReason_data()
    {
        QTest::addColumn<QStringList>("frames");
        QTest::addColumn<QString>("reason");
        QTest::newRow("bad JSON") << QStringList{"order.placed", "{\"eventId\": nope}"}
                                  << "not valid JSON near byte 13";
        QTest::newRow("three frames") << QStringList{"a", "b", "c"} << "3 frames; expected [topic, json] or [json]";
        QTest::newRow("empty message") << QStringList{""} << "empty message";
        QTest::newRow("empty payload") << QStringList{"order.placed", ""} << "empty payload after topic 'order.placed'";
        QTest::newRow("contract") << QStringList{"order.placed",
                                                 "{\"eventId\":\"x\",\"timestamp\":\"2026-11-26T10:00:00Z\","
                                                 "\"source\":\"s\"}"}
                                  << "field 'eventType'";
        QTest::newRow("single frame") << QStringList{"[1,2]"} << "an event must be a JSON object, got an array";
    }
    void rejectsKeepBytesOriginAndReason()
    {
        QFETCH(QStringList, frames);
        QFETCH(QString, reason);
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Session session(ctx);
        session.connect({endpoint, {}, false});
        QVERIFY(handshake(session, pub, "probe-service"));

        std::vector<std::string> sent;
        for (const QString &f : frames)
            sent.push_back(f.toStdString());
        send(pub, sent);
        send(pub, {"order.placed", eventJson("after", 1)}); // a good event behind it still arrives
        QVERIFY(pollUntil(session, [&] { return countOfType(session.store(), "order.placed") == 1; }));

        QCOMPARE(session.rejects().size(), size_t(1));
        const RejectedFrame &r = session.rejects().front();
        QVERIFY2(r.reason.find(reason.toStdString()) != std::string::npos, r.reason.c_str());
        QCOMPARE(r.origin, endpoint);
        QCOMPARE(r.frames, sent);
        QVERIFY(r.receivedNs > 0);
        QCOMPARE(session.stats().ingest.rejected, 1u);
    }

    void eventsLargerThanABatchArriveWhole()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Session session(ctx, options(Overflow::Block, 1u << 20, 4096));
        session.connect({endpoint, {}, false});
        QVERIFY(handshake(session, pub, "probe-service"));
        std::vector<std::string> sent;
        for (size_t size : {100u, 5000u, 300'000u, 200u, 2'000'000u}) {
            std::string json = eventJson("big", int(size));
            json.insert(json.size() - 1, ",\"metadata\":{\"pad\":\"" + std::string(size, 'p') + "\"}");
            sent.push_back(json);
            send(pub, {"order.placed", json});
        }
        QVERIFY(pollUntil(session, [&] { return countOfType(session.store(), "order.placed") == sent.size(); }));
        const EventStore &store = session.store();
        const auto got = store.ofType(store.findType("order.placed"));
        for (size_t i = 0; i < sent.size(); ++i)
            QCOMPARE(store.raw(got[i]), sent[i]);
        QVERIFY(session.rejects().empty());
    }

    void oversizedMessageIsRejectedAndOnlyItsHeadKept()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Session::Options o;
        o.ingest.decoder.maxEventBytes = 100'000;
        Session session(ctx, o);
        session.connect({endpoint, {}, false});
        QVERIFY(handshake(session, pub, "probe-service"));
        const std::string huge = "{\"pad\":\"" + std::string(1'000'000, 'x') + "\"}";
        send(pub, {"order.placed", huge});
        QVERIFY(pollUntil(session, [&] { return !session.rejects().empty(); }));
        const RejectedFrame &r = session.rejects().front();
        QCOMPARE(r.reason, sizeLimitProblem(huge.size(), o.ingest.decoder));
        QCOMPARE(r.frames.size(), size_t(2));
        QCOMPARE(r.frames[1], huge.substr(0, RejectedFrame::kKeptBytes));
    }

    void hugeTopicIsRejectedWithItsReasonAndABoundedPrefix()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Session session(ctx);
        session.connect({endpoint, {}, false});
        QVERIFY(handshake(session, pub, "probe-service"));
        const std::string topic = "order." + std::string(64 * 1024 * 1024, 't');
        send(pub, {topic, eventJson("order-service", 1)});
        send(pub, {std::string(kMaxTopicBytes, 'o'), eventJson("order-service", 2)}); // at the limit: fine
        QVERIFY(pollUntil(
            session, [&] { return !session.rejects().empty() && countOfType(session.store(), "order.placed") == 1; }));
        QCOMPARE(session.rejects().size(), size_t(1));
        const RejectedFrame &r = session.rejects().front();
        QVERIFY2(r.reason.find("topic of " + std::to_string(topic.size()) + " bytes is over the limit of "
                               + std::to_string(kMaxTopicBytes) + " bytes")
                     != std::string::npos,
                 r.reason.c_str());
        QVERIFY2(r.reason.size() < 300, r.reason.c_str());
        QCOMPARE(r.topic, topic.substr(0, kMaxTopicBytes));
        QCOMPARE(r.frames.size(), size_t(2));
        QVERIFY(r.frames[0].size() <= RejectedFrame::kKeptBytes);
    }

    void endpointsAreOriginsAndFiltersApply()
    {
        zmq::context_t ctx;
        std::string orders, payments;
        zmq::socket_t pubA = boundPublisher(ctx, orders);
        zmq::socket_t pubB = boundPublisher(ctx, payments);
        Session session(ctx);
        session.connect({orders, {}, false});
        session.connect({payments, {"payment."}, false});
        QVERIFY(handshake(session, pubA, "a"));
        // B's probes don't match its filter: handshake with an event that does.
        for (int i = 0; i < 500 && countOfType(session.store(), "payment.probe") == 0; ++i) {
            send(pubB, {"payment.probe", eventJson("b", i, "payment.probe")});
            session.waitForData(std::chrono::milliseconds(10));
            session.poll();
        }
        QVERIFY(countOfType(session.store(), "payment.probe") > 0);

        for (int n = 0; n < 100; ++n) {
            send(pubA, {"order.placed", eventJson("orders", n)});
            send(pubB, {"payment.captured", eventJson("payments", n, "payment.captured")});
            send(pubB, {"order.placed", eventJson("filtered-out", n)});
        }
        QVERIFY(pollUntil(session, [&] {
            return countOfType(session.store(), "order.placed") == 100
                   && countOfType(session.store(), "payment.captured") == 100;
        }));
        QTest::qWait(100);
        session.poll();
        const EventStore &store = session.store();
        QCOMPARE(countOfType(store, "order.placed"), size_t(100)); // none from B's "order." topic
        for (uint32_t i : store.ofType(store.findType("order.placed")))
            QCOMPARE(store.originName(store.record(i).origin), orders);
        for (uint32_t i : store.ofType(store.findType("payment.captured")))
            QCOMPARE(store.originName(store.record(i).origin), payments);
        for (const auto &s : session.endpoints())
            QCOMPARE(s.state, ZmqSource::State::Connected);

        session.disconnect(payments);
        QTRY_COMPARE(session.endpoints().size(), size_t(1));
    }

    void fullQueueDropsAndCountsWhenToldTo()
    {
        zmq::context_t ctx;
        Session session(ctx, options(Overflow::Drop, 64 * 1024, 16 * 1024));
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        QVERIFY(startBusWithPublisher(session, ctx, pub));
        QTest::qWait(50);
        session.poll();
        const uint64_t probes = session.stats().ingest.received;

        // Nobody drains while 20 000 events (~3 MB) arrive: the 64 KiB queue overflows.
        constexpr int kEvents = 20000;
        for (int n = 0; n < kEvents; ++n)
            send(pub, {"order.placed", eventJson("pub", n)});
        QVERIFY(receivedUntil(session, probes + kEvents));
        const Ingest::Stats full = session.stats().ingest;
        QVERIFY2(full.dropped > 0, "nothing dropped");
        QVERIFY(full.inFlightBytes <= 64 * 1024 + 20 * 1024);
        QCOMPARE(full.blockedNs, 0u);

        QVERIFY(pollUntil(session, [&] { return session.stats().ingest.inFlightBytes == 0; }));
        const Ingest::Stats s = session.stats().ingest;
        // Every message is accounted for: stored or counted as dropped.
        QCOMPARE(s.appended + s.dropped + s.rejected, s.received);
        QCOMPARE(uint64_t(countOfType(session.store(), "order.placed")) + s.dropped, uint64_t(kEvents));
        // What was kept is a gap-free prefix of each batch's order: ids only increase.
        int last = -1;
        const EventStore &store = session.store();
        for (uint32_t i : store.ofType(store.findType("order.placed"))) {
            const int n = std::stoi(std::string(store.eventId(i).substr(4)));
            QVERIFY(n > last);
            last = n;
        }
    }

    void fullQueueBlocksTheSourceWhenToldTo()
    {
        zmq::context_t ctx;
        Session session(ctx, options(Overflow::Block, 64 * 1024, 16 * 1024));
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        QVERIFY(startBusWithPublisher(session, ctx, pub));

        constexpr int kEvents = 20000;
        for (int n = 0; n < kEvents; ++n)
            send(pub, {"order.placed", eventJson("pub", n)});
        // Not draining: the bus thread waits for room, so ZeroMQ holds the rest.
        QTRY_VERIFY(session.stats().ingest.blockedNs > 0 || session.stats().ingest.inFlightBytes > 32 * 1024);
        QTest::qWait(200);
        QVERIFY(session.stats().ingest.received < uint64_t(kEvents));
        QVERIFY(session.stats().ingest.inFlightBytes <= 64 * 1024 + 20 * 1024);

        QVERIFY(pollUntil(session, [&] { return countOfType(session.store(), "order.placed") == kEvents; }));
        const Ingest::Stats s = session.stats().ingest;
        QCOMPARE(s.dropped, 0u);
        QVERIFY(s.blockedNs > 0);
    }

    void recordingKeepsEverythingEvenWhenDropIsChosen()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("live.jsonl").toStdString();
        zmq::context_t ctx;
        Session session(ctx, options(Overflow::Drop, 64 * 1024, 16 * 1024));
        std::string error;
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        QVERIFY(startBusWithPublisher(session, ctx, pub));
        QVERIFY2(session.startRecording(path, error), error.c_str());
        QVERIFY(session.isRecording());
        QVERIFY(!session.startRecording(path, error));
        QCOMPARE(error, "already recording to " + path);

        constexpr int kEvents = 20000;
        for (int n = 0; n < kEvents; ++n) {
            send(pub, {"order.placed", eventJson("pub", n)});
            if (n == 777)
                send(pub, {"order.placed", "{\"eventId\": broken"});
        }
        QVERIFY(pollUntil(session, [&] { return countOfType(session.store(), "order.placed") == kEvents; }));
        const Session::RecordingResult result = session.stopRecording();
        QVERIFY(!session.isRecording());
        QCOMPARE(session.stats().ingest.dropped, 0u);
        QVERIFY2(result.error.empty(), result.error.c_str());
        QCOMPARE(result.events, uint64_t(kEvents));
        QCOMPARE(result.rejected, 1u);
        QCOMPARE(result.rejectsPath, path + ".rejected.jsonl");

        // The recording opens to the same events, with their topics and receive times.
        EventStore loaded;
        RecordingReport report;
        QVERIFY2(JsonlReader().load(path, loaded, report, error), error.c_str());
        QVERIFY(report.rejected.empty());
        QCOMPARE(loaded.size(), size_t(kEvents));
        const EventStore &live = session.store();
        const auto liveEvents = live.ofType(live.findType("order.placed"));
        for (uint32_t i = 0; i < loaded.endIndex(); ++i) {
            const uint32_t l = liveEvents[i];
            QCOMPARE(loaded.eventId(i), live.eventId(l));
            QCOMPARE(loaded.record(i).receivedNs, live.record(l).receivedNs);
            QCOMPARE(loaded.topicName(loaded.record(i).topic), "order.placed");
        }
        std::ifstream rejects(result.rejectsPath);
        std::string line;
        QVERIFY(std::getline(rejects, line));
        QVERIFY2(line.find("\"endpoint\":\"bus\"") != std::string::npos, line.c_str());
        QVERIFY2(line.find("not valid JSON") != std::string::npos, line.c_str());
        QVERIFY2(line.find("broken") != std::string::npos, line.c_str());
    }

    void recordingIsOnDiskSoonAfterTheFlowGoesQuiet()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("quiet.jsonl").toStdString();
        zmq::context_t ctx;
        Session session(ctx);
        std::string error;
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        QVERIFY(startBusWithPublisher(session, ctx, pub));
        QVERIFY2(session.startRecording(path, error), error.c_str());
        for (int n = 0; n < 3; ++n)
            send(pub, {"order.placed", eventJson("pub", n)});
        // Still recording, nothing more arrives: the three lines reach the file anyway.
        auto lines = [&] {
            std::ifstream in(path);
            return size_t(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
        };
        QTRY_COMPARE_WITH_TIMEOUT(lines(), size_t(3), 2000);
        QVERIFY(session.isRecording());
    }

    void failingRecordingStopsAtOnceAndTheSessionKeepsRunning()
    {
        // /dev/full: every write fails with ENOSPC, like a full disk.
        zmq::context_t ctx;
        Session session(ctx);
        std::string error;
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        QVERIFY(startBusWithPublisher(session, ctx, pub));
        QVERIFY2(session.startRecording("/dev/full", error), error.c_str());
        QVERIFY(session.isRecording());
        int n = 0;
        // Within the flush interval the first write fails, and the recording stops.
        QVERIFY(pollUntil(
            session,
            [&] {
                send(pub, {"order.placed", eventJson("pub", n++)});
                return !session.isRecording();
            },
            5000));
        // The session keeps going: what comes next reaches the store.
        for (int i = 0; i < 20; ++i)
            send(pub, {"order.placed", eventJson("after", i)});
        QVERIFY(pollUntil(session, [&] { return session.store().find("after-19") != EventStore::kNone; }));
        const Session::RecordingResult r = session.stopRecording();
        QCOMPARE(r.path, std::string("/dev/full"));
        QVERIFY2(r.error == "cannot write '/dev/full': No space left on device", r.error.c_str());
        QVERIFY(!session.isRecording());
    }

    void hugeTopicIsRecordedAsALineTheReaderAccepts()
    {
        // A topic longer than the line limit (the decoder's maxEventBytes, 64 KiB here): the
        // recording must still load, every line of it.
        QTemporaryDir dir;
        const std::string path = dir.filePath("topic.jsonl").toStdString();
        Session::Options o;
        o.ingest.decoder.maxEventBytes = 64 * 1024;
        zmq::context_t ctx;
        Session session(ctx, o);
        std::string error;
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        QVERIFY(startBusWithPublisher(session, ctx, pub));
        QVERIFY2(session.startRecording(path, error), error.c_str());
        const std::string topic(100 * 1024, 't');
        send(pub, {topic, eventJson("huge", 1)});
        // An event just under the limit, with an ordinary topic: the recorder's member
        // must not push it over.
        std::string big = eventJson("big", 2);
        big.insert(big.size() - 1, ",\"pad\":\"" + std::string(64 * 1024 - big.size() - 20, 'p') + "\"");
        QVERIFY(big.size() < 64 * 1024);
        send(pub, {"order.placed", big});
        QVERIFY(pollUntil(session, [&] { return session.store().find("big-2") != EventStore::kNone; }));
        const Session::RecordingResult r = session.stopRecording();
        QVERIFY2(r.error.empty(), r.error.c_str());

        EventStore store;
        RecordingReport report;
        JsonlReader::Options ro;
        ro.decoder.maxEventBytes = 64 * 1024;
        QVERIFY2(JsonlReader(ro).load(path, store, report, error), error.c_str());
        QVERIFY2(report.rejected.empty(), report.rejected.empty() ? "" : report.rejected.front().reason.c_str());
        QCOMPARE(store.size(), size_t(r.events));
        // A topic over the limit (kMaxTopicBytes) makes the message a reject, kept beside the
        // recording with its reason and the topic's first bytes, never whole.
        QCOMPARE(store.find("huge-1"), EventStore::kNone);
        QCOMPARE(r.rejected, uint64_t(1));
        QFile rejects(QString::fromStdString(r.rejectsPath));
        QVERIFY2(rejects.open(QIODevice::ReadOnly), r.rejectsPath.c_str());
        const QByteArray line = rejects.readLine();
        QVERIFY2(line.contains("topic of 102400 bytes is over the limit"), line.left(300).constData());
        QVERIFY2(line.size() < qsizetype(topic.size()), QByteArray::number(line.size()).constData()); // a prefix
        QVERIFY(store.find("big-2") != EventStore::kNone);
    }

    void recordingToAnUnwritablePathIsAClearError()
    {
        zmq::context_t ctx;
        Session session(ctx);
        std::string error;
        QVERIFY(!session.startRecording("/nonexistent-dir/x.jsonl", error));
        QVERIFY2(error.find("/nonexistent-dir/x.jsonl") != std::string::npos, error.c_str());
        QVERIFY(!session.isRecording());
    }

    void stopIsPromptWhileFloodedAndBlocked()
    {
        QTemporaryDir dir;
        zmq::context_t ctx;
        std::atomic<bool> flooding{true};
        std::thread flood;
        uint64_t received = 0, stored = 0;
        QElapsedTimer timer;
        {
            Session session(ctx, options(Overflow::Block, 64 * 1024, 16 * 1024));
            std::string error;
            QVERIFY2(session.startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error), error.c_str());
            QVERIFY(session.startRecording(dir.filePath("r.jsonl").toStdString(), error));
            const std::string endpoint = session.bus()->publishersEndpoint();
            flood = std::thread([&] {
                zmq::socket_t pub = publisherTo(ctx, endpoint);
                for (int n = 0; flooding; ++n)
                    send(pub, {"order.placed", eventJson("flood", n)});
            });
            // Nobody drains: the bus thread is blocked waiting for room when stop comes.
            QTRY_VERIFY(session.stats().ingest.blockedNs > 0 || session.stats().ingest.inFlightBytes > 48 * 1024);
            timer.start();
            session.stop();
            received = session.stats().ingest.received;
            stored = session.store().size();
        }
        const qint64 ms = timer.elapsed();
        flooding = false;
        flood.join();
        QVERIFY2(ms < 3000, qPrintable(QString::number(ms) + " ms to stop"));
        // Stopping made room instead of dropping: all that came in is stored.
        QVERIFY(received > 0);
        QCOMPARE(stored, received);
    }
};

QTEST_GUILESS_MAIN(TstIngest)
#include "tst_ingest.moc"
