// ZeroMQ sources against real publishers on tcp://127.0.0.1:* (ports read back).
#include "core/zmqsource.h"

#include <QtTest>

#include <zmq.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

using eventlens::ReceivedMessage;
using eventlens::ZmqSource;

namespace {

/// What the sink saw, copied out of the source thread.
struct Seen {
    std::string topic, payload, problem, endpoint;
    size_t frames = 0;
};

class Collector {
public:
    ZmqSource::Sink sink()
    {
        return [this](const ReceivedMessage &m) {
            std::lock_guard lock(mutex);
            seen.push_back(
                {std::string(m.topic), std::string(m.payload), m.problem, std::string(m.endpoint), m.frames.size()});
        };
    }
    std::vector<Seen> take()
    {
        std::lock_guard lock(mutex);
        return seen;
    }
    size_t count(const std::string &topic)
    {
        std::lock_guard lock(mutex);
        return std::count_if(seen.begin(), seen.end(), [&](const Seen &s) { return s.topic == topic; });
    }
    void clear()
    {
        std::lock_guard lock(mutex);
        seen.clear();
    }

private:
    std::mutex mutex;
    std::vector<Seen> seen;
};

zmq::socket_t boundPublisher(zmq::context_t &ctx, std::string &endpoint, const std::string &at = "tcp://127.0.0.1:*")
{
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.bind(at);
    endpoint = pub.get(zmq::sockopt::last_endpoint);
    return pub;
}

void send(zmq::socket_t &pub, std::vector<std::string> frames)
{
    for (size_t i = 0; i < frames.size(); ++i)
        pub.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
}

/// The endpoint's state, or nullopt while the source has not reported one.
std::optional<ZmqSource::State> stateOf(const ZmqSource &source, const std::string &address)
{
    for (const auto &s : source.states())
        if (s.address == address)
            return s.state;
    return std::nullopt;
}

/// Slow joiner: publish probes until the source has one (the subscription has arrived).
bool handshake(zmq::socket_t &pub, Collector &collector)
{
    for (int i = 0; i < 500; ++i) {
        send(pub, {"probe", "{}"});
        if (collector.count("probe") > 0) {
            QTest::qWait(20); // let probes in flight land before the real test starts
            collector.clear();
            return true;
        }
        QTest::qWait(10);
    }
    return false;
}

} // namespace

class TstZmqSource : public QObject {
    Q_OBJECT

private slots:
    void bothShapesAreEventsOtherShapesAreRejectedWithReasons()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Collector collector;
        ZmqSource source(ctx, collector.sink());
        source.start({{endpoint, {}, false}});
        QVERIFY(handshake(pub, collector));

        send(pub, {"order.placed", R"({"eventId":"a"})"});
        send(pub, {R"({"eventId":"b"})"});
        send(pub, {"order.placed", "x", "y"});
        send(pub, {""});
        send(pub, {"order.placed", ""});
        QTRY_COMPARE(collector.take().size(), size_t(5));
        const auto seen = collector.take();
        QCOMPARE(seen[0].topic, std::string("order.placed"));
        QCOMPARE(seen[0].payload, std::string(R"({"eventId":"a"})"));
        QVERIFY(seen[0].problem.empty());
        QCOMPARE(seen[0].endpoint, endpoint);
        QCOMPARE(seen[1].topic, std::string());
        QCOMPARE(seen[1].payload, std::string(R"({"eventId":"b"})"));
        QVERIFY(seen[1].problem.empty());
        QCOMPARE(seen[2].problem, std::string("3 frames; expected [topic, json] or [json]"));
        QCOMPARE(seen[2].frames, size_t(3)); // kept whole
        QCOMPARE(seen[3].problem, std::string("empty message"));
        QCOMPARE(seen[4].problem, std::string("empty payload after topic 'order.placed'"));
    }

    void aTopicOverTheLimitIsAProblemWithABoundedPrefix()
    {
        const std::string huge = "order." + std::string(64 * 1024 * 1024, 't');
        const std::string json = R"({"eventId":"a"})";
        std::vector<std::string_view> frames{huge, json};
        const ReceivedMessage m = eventlens::classifyFrames(frames, "tcp://127.0.0.1:1", 1);
        QCOMPARE(m.problem, "topic of " + std::to_string(huge.size()) + " bytes is over the limit of "
                                + std::to_string(eventlens::kMaxTopicBytes) + " bytes (it starts '" + huge.substr(0, 80)
                                + "')");
        QCOMPARE(m.topic.size(), eventlens::kMaxTopicBytes);
        QCOMPARE(eventlens::RejectedFrame::of(m, m.problem).topic.size(), eventlens::kMaxTopicBytes);

        const std::string atLimit(eventlens::kMaxTopicBytes, 'o');
        frames = {atLimit, json};
        const ReceivedMessage ok = eventlens::classifyFrames(frames, "tcp://127.0.0.1:1", 1);
        QVERIFY(ok.problem.empty());
        QCOMPARE(ok.topic, std::string_view(atLimit));
    }

    void topicFiltersArePrefixes()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Collector collector;
        ZmqSource source(ctx, collector.sink());
        source.start({{endpoint, {"order.", "probe"}, false}});
        QVERIFY(handshake(pub, collector));
        for (int i = 0; i < 20; ++i) {
            send(pub, {"order.placed", "{}"});
            send(pub, {"payment.failed", "{}"});
            send(pub, {"orders", "{}"}); // "order." is a prefix, not a word
        }
        send(pub, {"order.done", "{}"});
        QTRY_COMPARE(collector.count("order.done"), size_t(1));
        QCOMPARE(collector.count("order.placed"), size_t(20));
        QCOMPARE(collector.count("payment.failed"), size_t(0));
        QCOMPARE(collector.count("orders"), size_t(0));
    }

    void filtersAddedWhileRunningMayHoldAnyByte()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Collector collector;
        ZmqSource source(ctx, collector.sink());
        source.start();
        // Added through the control socket: a newline inside a topic is a byte like any other.
        source.addEndpoint({endpoint, {"probe", std::string("a\nb"), std::string("z\0", 2)}, false});
        QVERIFY(handshake(pub, collector));
        send(pub, {"a\nb.placed", "{}"});
        send(pub, {"a", "{}"});
        send(pub, {"b", "{}"});
        send(pub, {std::string("z\0y", 3), "{}"});
        send(pub, {"probe.end", "{}"});
        QTRY_COMPARE(collector.count("probe.end"), size_t(1));
        QCOMPARE(collector.count("a\nb.placed"), size_t(1));
        QCOMPARE(collector.count("a"), size_t(0));
        QCOMPARE(collector.count("b"), size_t(0));
        QCOMPARE(collector.count(std::string("z\0y", 3)), size_t(1));
    }

    void stateFollowsThePublisherAwayAndBack()
    {
        zmq::context_t ctx;
        std::string endpoint;
        auto pub = std::make_unique<zmq::socket_t>(boundPublisher(ctx, endpoint));
        Collector collector;
        std::mutex mutex;
        std::vector<ZmqSource::State> history;
        ZmqSource source(ctx, collector.sink());
        source.setStateSink([&](const ZmqSource::EndpointState &s) {
            std::lock_guard lock(mutex);
            history.push_back(s.state);
        });
        source.start({{endpoint, {}, false}});
        QTRY_VERIFY(stateOf(source, endpoint) == ZmqSource::State::Connected);

        pub.reset(); // the publisher goes away
        QTRY_VERIFY(stateOf(source, endpoint) == ZmqSource::State::Disconnected
                    || stateOf(source, endpoint) == ZmqSource::State::Retrying);

        // ... and comes back on the same port (libzmq may hold it for a moment).
        for (int attempt = 0; attempt < 100 && !pub; ++attempt) {
            try {
                std::string again;
                pub = std::make_unique<zmq::socket_t>(boundPublisher(ctx, again, endpoint));
            } catch (const zmq::error_t &) {
                QTest::qWait(20);
            }
        }
        QVERIFY(pub);
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(source, endpoint) == ZmqSource::State::Connected, 10000);
        QVERIFY(handshake(*pub, collector)); // and events flow again
        std::lock_guard lock(mutex);
        QVERIFY(std::count(history.begin(), history.end(), ZmqSource::State::Connected) >= 2);
        QVERIFY(std::count(history.begin(), history.end(), ZmqSource::State::Disconnected) >= 1);
    }

    void endpointsAddedAndRemovedWhileRunning()
    {
        zmq::context_t ctx;
        std::string first, second;
        zmq::socket_t pub1 = boundPublisher(ctx, first);
        zmq::socket_t pub2 = boundPublisher(ctx, second);
        Collector collector;
        ZmqSource source(ctx, collector.sink());
        source.start({{first, {}, false}});
        QVERIFY(handshake(pub1, collector));

        source.addEndpoint({second, {"order."}, false});
        QTRY_VERIFY(stateOf(source, second) == ZmqSource::State::Connected);
        for (int i = 0; i < 200 && collector.count("order.second") == 0; ++i) {
            send(pub2, {"order.second", "{}"});
            QTest::qWait(10);
        }
        QVERIFY(collector.count("order.second") > 0);
        const auto fromSecond = collector.take();
        QCOMPARE(fromSecond.back().endpoint, second); // each message knows its origin

        source.removeEndpoint(first);
        QTRY_COMPARE(source.states().size(), size_t(1));
        collector.clear();
        for (int i = 0; i < 20; ++i)
            send(pub1, {"probe", "{}"});
        send(pub2, {"order.last", "{}"});
        QTRY_COMPARE(collector.count("order.last"), size_t(1));
        QCOMPARE(collector.count("probe"), size_t(0));
    }

    void badEndpointFailsWithAReasonAndOthersStillWork()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Collector collector;
        ZmqSource source(ctx, collector.sink());
        source.start({{"tcp://nowhere-without-port", {}, false}, {endpoint, {}, false}});
        QTRY_VERIFY(stateOf(source, "tcp://nowhere-without-port") == ZmqSource::State::Failed);
        const auto states = source.states();
        const auto bad = std::find_if(states.begin(), states.end(),
                                      [](const auto &s) { return s.address == "tcp://nowhere-without-port"; });
        QVERIFY(bad != states.end());
        QVERIFY(bad->detail.find("cannot connect to tcp://nowhere-without-port") != std::string::npos);
        QVERIFY(handshake(pub, collector));
    }

    void bindModeLetsPublishersConnect()
    {
        zmq::context_t ctx;
        Collector collector;
        ZmqSource source(ctx, collector.sink());
        source.start({{"tcp://127.0.0.1:*", {}, true}});
        QTRY_VERIFY(stateOf(source, "tcp://127.0.0.1:*") == ZmqSource::State::Listening);
        const std::string bound = source.states().front().detail; // the '*' port, resolved
        QVERIFY2(bound.starts_with("tcp://127.0.0.1:") && !bound.ends_with("*"), bound.c_str());
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        pub.set(zmq::sockopt::linger, 0);
        pub.connect(bound);
        QVERIFY(handshake(pub, collector));
    }

    void aSlowSinkLosesNothingWithUnboundedMarks()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        pub.set(zmq::sockopt::linger, 0);
        pub.set(zmq::sockopt::sndhwm, 0); // the publisher queues rather than drops
        pub.bind("tcp://127.0.0.1:*");
        endpoint = pub.get(zmq::sockopt::last_endpoint);
        std::atomic<bool> slow{false};
        Collector collector;
        const ZmqSource::Sink collect = collector.sink();
        ZmqSource source(ctx, [&](const ReceivedMessage &m) {
            collect(m);
            if (slow.exchange(false))
                std::this_thread::sleep_for(std::chrono::milliseconds(800)); // a sink that falls behind
        });
        // The default: 0, unbounded.
        source.start({{endpoint, {}, false}});
        QVERIFY(handshake(pub, collector));
        slow = true;
        constexpr size_t kMessages = 100'000;
        for (size_t i = 0; i < kMessages; ++i)
            send(pub, {"order.placed", std::string(100, 'x')});
        QTRY_COMPARE_WITH_TIMEOUT(collector.count("order.placed"), kMessages, 20000);
    }

    void stopIsPromptWhileFlooded()
    {
        zmq::context_t ctx;
        std::string endpoint;
        zmq::socket_t pub = boundPublisher(ctx, endpoint);
        Collector collector;
        ZmqSource source(ctx, [](const ReceivedMessage &) {});
        source.start({{endpoint, {}, false}});
        QTRY_VERIFY(stateOf(source, endpoint) == ZmqSource::State::Connected);
        for (int i = 0; i < 20000; ++i)
            send(pub, {"order.placed", std::string(200, 'x')});
        QElapsedTimer timer;
        timer.start();
        source.stop();
        QVERIFY(timer.elapsed() < 1000);
        QVERIFY(!source.isRunning());
    }
};

QTEST_GUILESS_MAIN(TstZmqSource)
#include "tst_zmqsource.moc"
