// The demo systems on a real embedded bus (tcp://127.0.0.1:*): everything they publish is
// taken from the bus's tap, decoded and stored as EventLens would, then checked as a
// person debugging the flows would check them.
#include "core/decoder.h"
#include "core/demo.h"
#include "core/embeddedbus.h"
#include "core/eventstore.h"
#include "core/rfc3339.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <zmq.hpp>

#include <algorithm>
#include <csignal>
#include <map>
#include <mutex>

using eventlens::DemoSystem;
using eventlens::EmbeddedBus;
using eventlens::EventStore;

namespace {

constexpr uint32_t kNone = EventStore::kNone;

/// Everything the bus saw, copied off the bus thread.
class Tap {
public:
    struct Message {
        size_t frames = 0;
        std::string topic, payload;
        int64_t receivedNs = 0;
    };
    EmbeddedBus::Tap callback()
    {
        return [this](std::span<const std::string_view> frames, int64_t receivedNs) {
            std::lock_guard lock(m_mutex);
            m_messages.push_back({frames.size(), frames.size() == 2 ? std::string(frames[0]) : std::string(),
                                  std::string(frames.back()), receivedNs});
        };
    }
    size_t size()
    {
        std::lock_guard lock(m_mutex);
        return m_messages.size();
    }
    std::vector<Message> take()
    {
        std::lock_guard lock(m_mutex);
        return m_messages;
    }

private:
    std::mutex m_mutex;
    std::vector<Message> m_messages;
};

/// Decodes what the bus saw into a store, as the session does; counts what was refused.
void load(const std::vector<Tap::Message> &messages, EventStore &store, size_t &rejected)
{
    eventlens::Decoder decoder;
    eventlens::DecodedEvent event;
    eventlens::DecodeError error;
    rejected = 0;
    for (const Tap::Message &m : messages) {
        if (m.frames != 2 || m.topic.empty() || !decoder.decode(m.payload, event, error)) {
            ++rejected;
            qWarning("refused: %s (%s)", m.payload.substr(0, 200).c_str(), error.text().c_str());
            continue;
        }
        event.receivedNs = m.receivedNs;
        event.topic = m.topic;
        store.append(event);
    }
}

/// A bus on free loopback ports with a tap.
struct Bus {
    zmq::context_t context;
    EmbeddedBus bus{context, {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}};
    Tap tap;
    Bus() { bus.setTap(tap.callback()); }
    DemoSystem::Options options(DemoSystem::Scenario scenario, DemoSystem::Knobs knobs) const
    {
        DemoSystem::Options o;
        o.scenario = scenario;
        o.publishers = bus.publishersEndpoint();
        o.subscribers = bus.subscribersEndpoint();
        o.knobs = std::move(knobs);
        return o;
    }
};

DemoSystem::Knobs fastKnobs(double rate = 40)
{
    DemoSystem::Knobs k;
    k.rate = rate;
    k.lag = {5, 3};
    k.failureRate = 0;
    k.seed = 20261126;
    return k;
}

/// Pauses the producer, then waits until the bus has been quiet for a while: every flow
/// started has run to its end.
void quiesce(DemoSystem &demo, const EmbeddedBus &bus)
{
    DemoSystem::Knobs k = demo.knobs();
    k.rate = 0;
    demo.setKnobs(k);
    uint64_t last = bus.stats().messagesIn;
    QElapsedTimer quiet, total;
    quiet.start();
    total.start();
    while (quiet.elapsed() < 300) {
        QVERIFY2(total.elapsed() < 10000, "the demo kept publishing with its producer paused");
        QTest::qWait(20);
        if (const uint64_t now = bus.stats().messagesIn; now != last) {
            last = now;
            quiet.restart();
        }
    }
}

/// What one settled demo run carried over its bus.
struct Run {
    EventStore store;
    DemoSystem::Counters counters;
    uint64_t busMessages = 0;
};

/// Runs a demo on a fresh bus until `flows` flows have started and every reaction has
/// landed, then loads everything the bus carried into `run`. Every frame on the bus must
/// be an event. Callers check QTest::currentTestFailed() afterwards.
void runDemo(DemoSystem::Scenario scenario, const DemoSystem::Knobs &knobs, uint64_t flows, Run &run)
{
    Bus b;
    QVERIFY(b.bus.start());
    DemoSystem demo(b.context, b.options(scenario, knobs));
    QVERIFY2(demo.start(), demo.error().c_str());
    QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= flows, 10000);
    quiesce(demo, b.bus);
    demo.stop();
    run.counters = demo.counters();
    run.busMessages = b.bus.stats().messagesIn;
    size_t rejected = 0;
    load(b.tap.take(), run.store, rejected);
    QCOMPARE(rejected, size_t(0)); // not one frame on the bus that is not an event
}

/// The event types from the flow's root down to event `i`, e.g. "order.placed>inventory.reserved".
std::string path(const EventStore &store, uint32_t i)
{
    std::string p(store.typeName(store.record(i).type));
    int hops = 0;
    for (uint32_t c = store.cause(i); c != kNone && hops < 64; c = store.cause(c), ++hops)
        p = std::string(store.typeName(store.record(c).type)) + ">" + p;
    return p;
}

/// "a", "a>b", "a>b>c" for {a, b, c}.
std::vector<std::string> chain(std::initializer_list<const char *> types)
{
    std::vector<std::string> out;
    std::string p;
    for (const char *t : types) {
        p += (p.empty() ? "" : ">") + std::string(t);
        out.push_back(p);
    }
    return out;
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string> &b)
{
    a.insert(a.end(), b.begin(), b.end());
    std::sort(a.begin(), a.end());
    return a;
}

bool isDuplicate(const EventStore &store, uint32_t i)
{
    return store.record(i).flags & eventlens::Duplicate;
}

/// Every non-root event's cause is in the store and in the same flow; every root starts
/// its own flow (correlationId = its eventId) and has the scenario's root type.
void checkCausationResolves(const EventStore &store, std::string_view rootType)
{
    QVERIFY(store.size() > 0);
    for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i) {
        if (isDuplicate(store, i))
            continue;
        if (store.causationId(i).empty()) {
            QCOMPARE(store.typeName(store.record(i).type), rootType);
            QCOMPARE(store.correlationId(i), store.eventId(i));
            continue;
        }
        const uint32_t cause = store.cause(i);
        QVERIFY2(cause != kNone,
                 qPrintable(QStringLiteral("unresolved cause of %1")
                                .arg(QString::fromUtf8(store.raw(i).data(), qsizetype(store.raw(i).size())))));
        QCOMPARE(store.correlationId(cause), store.correlationId(i));
    }
}

/// Each flow's events as sorted paths from the root (duplicates left out).
std::map<std::string, std::vector<std::string>> flows(const EventStore &store)
{
    std::map<std::string, std::vector<std::string>> out;
    for (size_t n = 0; n < store.correlationCount(); ++n) {
        const std::string id(store.correlationName(n));
        auto &paths = out[id];
        for (uint32_t i : store.correlation(id))
            if (!isDuplicate(store, i))
                paths.push_back(path(store, i));
        std::sort(paths.begin(), paths.end());
    }
    return out;
}

bool contains(const std::vector<std::string> &paths, const std::string &p)
{
    return std::find(paths.begin(), paths.end(), p) != paths.end();
}

QString describe(const std::vector<std::string> &paths)
{
    QStringList l;
    for (const auto &p : paths)
        l << QString::fromStdString(p);
    return l.join(QStringLiteral("\n  "));
}

const std::string kPlaced = "order.placed";
const std::vector<std::string> kSagaSuccess =
    chain({"order.placed", "inventory.reserved", "payment.authorized", "shipment.scheduled", "notification.sent"})
    + std::vector<std::string>{"order.placed>analytics.recorded"};
const std::vector<std::string> kSagaOutOfStock =
    chain({"order.placed", "stock.insufficient", "order.cancelled", "notification.sent"})
    + std::vector<std::string>{"order.placed>analytics.recorded"};
const std::vector<std::string> kSagaPaymentFailed = chain({"order.placed", "inventory.reserved", "payment.failed",
                                                           "stock.released", "order.cancelled", "notification.sent"})
                                                    + std::vector<std::string>{"order.placed>analytics.recorded"};

enum class SagaOutcome { Success, OutOfStock, PaymentFailed };

/// Checks a flow holds exactly the events its outcome calls for, no more, no less.
void checkSagaFlow(const std::vector<std::string> &paths, SagaOutcome &outcome)
{
    if (contains(paths, "order.placed>stock.insufficient"))
        outcome = SagaOutcome::OutOfStock;
    else if (contains(paths, "order.placed>inventory.reserved>payment.failed"))
        outcome = SagaOutcome::PaymentFailed;
    else
        outcome = SagaOutcome::Success;
    const auto &expected = outcome == SagaOutcome::OutOfStock      ? kSagaOutOfStock
                           : outcome == SagaOutcome::PaymentFailed ? kSagaPaymentFailed
                                                                   : kSagaSuccess;
    QVERIFY2(paths == expected,
             qPrintable(QStringLiteral("flow:\n  %1\nexpected:\n  %2").arg(describe(paths), describe(expected))));
}

QJsonObject json(const EventStore &store, uint32_t i)
{
    const std::string_view raw = store.raw(i);
    return QJsonDocument::fromJson(QByteArray(raw.data(), qsizetype(raw.size()))).object();
}

double lagMs(const EventStore &store, uint32_t i)
{
    return double(store.record(i).timestampNs - store.record(store.cause(i)).timestampNs) / 1e6;
}

CliRun cli(const QStringList &args)
{
    return runCli(args);
}

/// A loopback endpoint where something listens but never speaks ZeroMQ: a ZMQ_STREAM
/// socket takes the TCP connection and never answers the greeting. Held for the whole
/// test, so no other test can take the port in the meantime.
zmq::socket_t silentListener(zmq::context_t &ctx, std::string &endpoint)
{
    zmq::socket_t s(ctx, zmq::socket_type::stream);
    s.set(zmq::sockopt::linger, 0);
    s.bind("tcp://127.0.0.1:*");
    endpoint = s.get(zmq::sockopt::last_endpoint);
    return s;
}

} // namespace

class TstDemo : public QObject {
    Q_OBJECT

private slots:
    void scenariosAndTheirServices()
    {
        QVERIFY(DemoSystem::parseScenario("order-saga") == DemoSystem::Scenario::OrderSaga);
        QVERIFY(DemoSystem::parseScenario("logistics") == DemoSystem::Scenario::Logistics);
        QVERIFY(!DemoSystem::parseScenario("pizza"));
        QCOMPARE(DemoSystem::scenarioName(DemoSystem::Scenario::Logistics), "logistics");
        for (auto scenario : {DemoSystem::Scenario::OrderSaga, DemoSystem::Scenario::Logistics}) {
            const auto services = DemoSystem::catalog(scenario);
            QVERIFY(services.size() >= 8);
            QCOMPARE(int(std::count_if(services.begin(), services.end(), [](const auto &s) { return s.producer; })), 2);
            QCOMPARE(int(std::count_if(services.begin(), services.end(), [](const auto &s) { return s.optional; })), 2);
            for (const auto &s : services)
                QVERIFY2(s.producer || !s.reactsTo.empty(), s.name.c_str()); // every consumer reacts to something
        }
    }

    void orderSagaFlowsAreCompleteWithBothCompensations()
    {
        DemoSystem::Knobs knobs = fastKnobs();
        knobs.failureRate = 0.3;
        Run run;
        runDemo(DemoSystem::Scenario::OrderSaga, knobs, 80, run);
        if (QTest::currentTestFailed())
            return;
        const EventStore &store = run.store;
        checkCausationResolves(store, kPlaced);
        if (QTest::currentTestFailed())
            return;
        std::map<SagaOutcome, int> outcomes;
        for (const auto &[id, paths] : flows(store)) {
            SagaOutcome outcome{};
            checkSagaFlow(paths, outcome);
            if (QTest::currentTestFailed())
                return;
            ++outcomes[outcome];
        }
        // Everything published reached the bus, and the counters say what happened.
        const DemoSystem::Counters c = run.counters;
        QCOMPARE(store.correlationCount(), size_t(c.flowsStarted));
        QCOMPARE(uint64_t(store.size()), c.eventsPublished);
        QCOMPARE(run.busMessages, c.eventsPublished);
        QCOMPARE(c.redeliveries, uint64_t(0));
        QCOMPARE(uint64_t(outcomes[SagaOutcome::OutOfStock] + outcomes[SagaOutcome::PaymentFailed]), c.failures);
        // A failure rate of 0.3 splits evenly between the two failure paths.
        const double flowsN = double(c.flowsStarted);
        qInfo("%d succeeded, %d out of stock, %d payment failed", outcomes[SagaOutcome::Success],
              outcomes[SagaOutcome::OutOfStock], outcomes[SagaOutcome::PaymentFailed]);
        QVERIFY(outcomes[SagaOutcome::OutOfStock] >= 3);
        QVERIFY(outcomes[SagaOutcome::PaymentFailed] >= 3);
        QVERIFY(double(c.failures) / flowsN > 0.15 && double(c.failures) / flowsN < 0.45);
        // Each service publishes under its own name.
        QCOMPARE(store.ofSource(store.findSource("payment-service")).size(),
                 size_t(outcomes[SagaOutcome::Success] + outcomes[SagaOutcome::PaymentFailed]));
    }

    void logisticsFlowsAreCompleteWithManyConsumers()
    {
        DemoSystem::Knobs knobs = fastKnobs();
        knobs.failureRate = 0.3;
        Run run;
        runDemo(DemoSystem::Scenario::Logistics, knobs, 60, run);
        if (QTest::currentTestFailed())
            return;
        const EventStore &store = run.store;
        checkCausationResolves(store, "package.scanned");
        if (QTest::currentTestFailed())
            return;
        const std::vector<std::string> base =
            chain({"package.scanned", "package.arrived", "package.loaded", "package.out-for-delivery"})
            + std::vector<std::string>{
                "package.scanned>tracking.updated",
                "package.scanned>analytics.recorded",
                "package.scanned>package.arrived>tracking.updated",
                "package.scanned>package.arrived>package.loaded>tracking.updated",
                "package.scanned>package.arrived>package.loaded>package.out-for-delivery>tracking.updated",
                "package.scanned>package.arrived>package.loaded>package.out-for-delivery>customer.notified"};
        const std::string out = "package.scanned>package.arrived>package.loaded>package.out-for-delivery";
        const auto delivered =
            base
            + std::vector<std::string>{out + ">package.delivered", out + ">package.delivered>tracking.updated",
                                       out + ">package.delivered>customer.notified",
                                       out + ">package.delivered>invoice.issued",
                                       out + ">package.delivered>analytics.recorded"};
        const auto failed =
            base
            + std::vector<std::string>{out + ">delivery.failed", out + ">delivery.failed>customer.notified",
                                       out + ">delivery.failed>package.returned",
                                       out + ">delivery.failed>package.returned>tracking.updated"};
        int deliveredN = 0, failedN = 0;
        for (const auto &[id, paths] : flows(store)) {
            const bool didFail = contains(paths, out + ">delivery.failed");
            const auto &expected = didFail ? failed : delivered;
            QVERIFY2(
                paths == expected,
                qPrintable(QStringLiteral("flow:\n  %1\nexpected:\n  %2").arg(describe(paths), describe(expected))));
            ++(didFail ? failedN : deliveredN);
        }
        const DemoSystem::Counters c = run.counters;
        QCOMPARE(store.correlationCount(), size_t(c.flowsStarted));
        QCOMPARE(uint64_t(failedN), c.failures);
        QVERIFY(failedN >= 5 && deliveredN >= 20);
        // Many consumers: the tracking service reacted to every package.* event.
        size_t packageEvents = 0;
        for (uint16_t t = 0; t < store.typeCount(); ++t)
            if (store.typeName(t).starts_with("package."))
                packageEvents += store.ofType(t).size();
        QCOMPARE(store.ofSource(store.findSource("tracking-service")).size(), packageEvents);
    }

    void redeliveriesAreIdenticalBytesAndCauseNoSecondReaction()
    {
        DemoSystem::Knobs knobs = fastKnobs();
        knobs.failureRate = 0.3;
        knobs.duplicateRate = 0.2;
        Run run;
        runDemo(DemoSystem::Scenario::OrderSaga, knobs, 60, run);
        if (QTest::currentTestFailed())
            return;
        const EventStore &store = run.store;
        const DemoSystem::Counters c = run.counters;
        // Every injected redelivery is a byte-identical copy, which the store flags as such.
        QCOMPARE(store.redeliveryCount(), c.redeliveries);
        QCOMPARE(store.collisionCount(), uint64_t(0));
        QCOMPARE(uint64_t(store.size()), c.eventsPublished + c.redeliveries);
        const double share = double(c.redeliveries) / double(c.eventsPublished);
        qInfo("%llu of %llu events redelivered (%.3f)", static_cast<unsigned long long>(c.redeliveries),
              static_cast<unsigned long long>(c.eventsPublished), share);
        QVERIFY2(share > 0.12 && share < 0.28, qPrintable(QString::number(share)));
        // Consumers deduplicate on eventId: the flows are exactly what they would be without copies.
        checkCausationResolves(store, kPlaced);
        for (const auto &[id, paths] : flows(store)) {
            SagaOutcome outcome{};
            checkSagaFlow(paths, outcome);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void skewedServiceStampsEffectsBeforeCauses()
    {
        DemoSystem::Knobs knobs = fastKnobs();
        knobs.failureRate = 0.3;
        knobs.skewedService = "payment-service";
        knobs.skewMs = -300;
        Run run;
        runDemo(DemoSystem::Scenario::OrderSaga, knobs, 40, run);
        if (QTest::currentTestFailed())
            return;
        const EventStore &store = run.store;
        checkCausationResolves(store, kPlaced);
        int skewed = 0, afterSkewed = 0;
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i) {
            if (store.causationId(i).empty())
                continue;
            const std::string_view source = store.sourceName(store.record(i).source);
            const std::string_view causeSource = store.sourceName(store.record(store.cause(i)).source);
            const double lag = lagMs(store, i);
            if (source == "payment-service") {
                QVERIFY2(lag < -250 && lag > -300, qPrintable(QString::number(lag)));
                ++skewed;
            } else if (causeSource == "payment-service") {
                QVERIFY2(lag > 250, qPrintable(QString::number(lag))); // reactions to it look slow
                ++afterSkewed;
            } else {
                QVERIFY2(lag >= 0 && lag < 250, qPrintable(QString::number(lag)));
            }
        }
        QVERIFY(skewed >= 20);
        QVERIFY(afterSkewed >= 20);
    }

    void schemaV2RolloutMixesVersions_data()
    {
        QTest::addColumn<DemoSystem::Scenario>("scenario");
        QTest::addColumn<QString>("rootType");
        QTest::addColumn<QString>("v1Field"); // in v1 data only
        QTest::addColumn<QString>("v2Field"); // in v2 data only
        QTest::addColumn<QString>("producer");
        QTest::newRow("order-saga") << DemoSystem::Scenario::OrderSaga << "order.placed"
                                    << "sku"
                                    << "items"
                                    << "order-service";
        QTest::newRow("logistics") << DemoSystem::Scenario::Logistics << "package.scanned"
                                   << "stage"
                                   << "scan"
                                   << "courier-app";
    }
    void schemaV2RolloutMixesVersions()
    {
        QFETCH(DemoSystem::Scenario, scenario);
        QFETCH(QString, rootType);
        QFETCH(QString, v1Field);
        QFETCH(QString, v2Field);
        QFETCH(QString, producer);
        DemoSystem::Knobs knobs = fastKnobs();
        knobs.v2Share = 0.5;
        Run run;
        runDemo(scenario, knobs, 40, run);
        if (QTest::currentTestFailed())
            return;
        const EventStore &store = run.store;
        checkCausationResolves(store, rootType.toStdString());
        std::map<int, int> versions;
        for (uint32_t i : store.ofType(store.findType(rootType.toStdString()))) {
            const int version = store.record(i).version;
            ++versions[version];
            const QJsonObject e = json(store, i);
            const QJsonObject data = e.value("data").toObject();
            QCOMPARE(e.value("source").toString(), producer); // the same service, a new version
            QCOMPARE(data.contains(v1Field), version == 1);
            QCOMPARE(data.contains(v2Field), version == 2);
            QCOMPARE(e.value("metadata").toObject().value("instance").toString(),
                     version == 2 ? producer + "-v2" : producer);
            // The consumers read both shapes: analytics recorded each root with its version.
            bool recorded = false;
            for (uint32_t effect : store.effects(i))
                if (store.typeName(store.record(effect).type) == "analytics.recorded")
                    recorded = json(store, effect).value("data").toObject().value("schema").toInt() == version;
            QVERIFY(recorded);
        }
        QCOMPARE(versions.size(), size_t(2));
        QVERIFY(versions[1] >= 8 && versions[2] >= 8);
        QCOMPARE(uint64_t(versions[2]), run.counters.v2Events);
        // Only the root type changes version.
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i)
            if (store.typeName(store.record(i).type) != rootType.toStdString())
                QCOMPARE(store.record(i).version, uint16_t(1));
    }

    void consumerAddedMidRunShowsUpInNewFlowsOnly()
    {
        Bus b;
        QVERIFY(b.bus.start());
        // Flows a few milliseconds apart: a consumer that said it was live before it was
        // would miss the first ones.
        DemoSystem demo(b.context, b.options(DemoSystem::Scenario::OrderSaga, fastKnobs(200)));
        QVERIFY2(demo.start(), demo.error().c_str());
        auto running = [&](const std::string &name) {
            for (const auto &s : demo.services())
                if (s.name == name)
                    return s.running;
            return false;
        };
        QVERIFY(!running("fraud-service"));
        QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= 50, 10000);

        const int64_t addCalled = eventlens::nowUtcNs();
        QVERIFY2(demo.addConsumer("fraud-service"), demo.error().c_str());
        const int64_t added = eventlens::nowUtcNs();
        QVERIFY(running("fraud-service"));
        QVERIFY(!demo.addConsumer("fraud-service"));
        QVERIFY2(demo.error().find("already running") != std::string::npos, demo.error().c_str());
        QVERIFY(!demo.addConsumer("pizza-service"));
        QVERIFY2(demo.error().find("unknown service 'pizza-service'") != std::string::npos, demo.error().c_str());
        QVERIFY(!demo.removeConsumer("order-service"));
        QVERIFY2(demo.error().find("cannot be removed") != std::string::npos, demo.error().c_str());
        QVERIFY(!demo.removeConsumer("loyalty-service"));
        QVERIFY2(demo.error().find("not running") != std::string::npos, demo.error().c_str());

        const uint64_t atAdd = demo.counters().flowsStarted;
        QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= atAdd + 100, 10000);
        const int64_t removeCalled = eventlens::nowUtcNs();
        QVERIFY2(demo.removeConsumer("fraud-service"), demo.error().c_str());
        const int64_t removed = eventlens::nowUtcNs();
        QVERIFY(!running("fraud-service"));
        const uint64_t atRemove = demo.counters().flowsStarted;
        QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= atRemove + 50, 10000);
        quiesce(demo, b.bus);
        demo.stop();

        EventStore store;
        size_t rejected = 0;
        load(b.tap.take(), store, rejected);
        checkCausationResolves(store, kPlaced);
        int before = 0, during = 0, after = 0;
        for (uint32_t root : store.ofType(store.findType(kPlaced))) {
            const int64_t started = store.record(root).receivedNs; // when the bus saw the root
            int checks = 0;
            for (uint32_t effect : store.effects(root))
                checks += store.sourceName(store.record(effect).source) == "fraud-service";
            // The rest of the flow never noticed: the saga is complete either way.
            int others = 0;
            for (uint32_t effect : store.effects(root))
                others += store.sourceName(store.record(effect).source) != "fraud-service";
            QCOMPARE(others, 2); // inventory and analytics
            if (started < addCalled) {
                QCOMPARE(checks, 0);
                ++before;
            } else if (started > added && started < removeCalled - 100'000'000) { // its lag is far below 100 ms
                QCOMPARE(checks, 1);
                ++during;
            } else if (started > removed) {
                QCOMPARE(checks, 0);
                ++after;
            }
        }
        qInfo("flows before %d, with the consumer %d, after %d", before, during, after);
        QVERIFY(before >= 40 && during >= 50 && after >= 40);
        QVERIFY(store.ofSource(store.findSource("fraud-service")).size() >= size_t(during));
    }

    void knobsApplyWhileRunning()
    {
        Bus b;
        QVERIFY(b.bus.start());
        DemoSystem::Knobs knobs = fastKnobs(30);
        knobs.lagOf["shipping-service"] = {150, 10};
        DemoSystem demo(b.context, b.options(DemoSystem::Scenario::OrderSaga, knobs));
        QVERIFY2(demo.start(), demo.error().c_str());
        QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= 15, 10000);

        // Paused: no new flows.
        knobs.rate = 0;
        demo.setKnobs(knobs);
        QTest::qWait(50);
        const uint64_t paused = demo.counters().flowsStarted;
        QTest::qWait(400);
        QCOMPARE(demo.counters().flowsStarted, paused);
        QCOMPARE(demo.knobs().rate, 0.0);
        // Faster: at 200 flows/s, 40 flows take well under a second.
        knobs.rate = 200;
        demo.setKnobs(knobs);
        QElapsedTimer timer;
        timer.start();
        QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= paused + 40, 5000);
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
        quiesce(demo, b.bus);
        demo.stop();

        EventStore store;
        size_t rejected = 0;
        load(b.tap.take(), store, rejected);
        // One consumer's own lag: shipping takes ~150 ms, the others ~5.
        int shipments = 0;
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i) {
            if (store.causationId(i).empty())
                continue;
            const double lag = lagMs(store, i);
            if (store.sourceName(store.record(i).source) == "shipping-service") {
                QVERIFY2(lag >= 135 && lag < 400, qPrintable(QString::number(lag)));
                ++shipments;
            } else {
                QVERIFY2(lag < 100, qPrintable(QString::number(lag)));
            }
        }
        QVERIFY(shipments >= 20);
    }

    void stopReturnsPromptly()
    {
        Bus b;
        QVERIFY(b.bus.start());
        DemoSystem::Knobs knobs = fastKnobs(300);
        knobs.lag = {2000, 0}; // lots of reactions waiting in the timer queues
        knobs.duplicateRate = 0.5;
        {
            DemoSystem demo(b.context, b.options(DemoSystem::Scenario::Logistics, knobs));
            QVERIFY2(demo.start(), demo.error().c_str());
            QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= 100, 10000);
            QElapsedTimer timer;
            timer.start();
            demo.stop();
            QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
            QVERIFY(!demo.isRunning());
            // Stopped means stopped: once what was already on its way has reached the bus (the
            // bus thread may be behind on a loaded machine), nothing more does.
            uint64_t messages = b.bus.stats().messagesIn;
            for (int quiet = 0; quiet < 5;) {
                QTest::qWait(20);
                const uint64_t now = b.bus.stats().messagesIn;
                quiet = now == messages ? quiet + 1 : 0;
                messages = now;
            }
            QTest::qWait(300);
            QCOMPARE(b.bus.stats().messagesIn, messages);
        }
        {
            // The bus goes away first: the services are left retrying, and still stop at once.
            DemoSystem demo(b.context, b.options(DemoSystem::Scenario::OrderSaga, fastKnobs(300)));
            QVERIFY2(demo.start(), demo.error().c_str());
            QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= 20, 10000);
            b.bus.stop();
            QElapsedTimer timer;
            timer.start();
            // (the destructor stops it)
            demo.stop();
            QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
        }
    }

    void servicesSurviveForeignTraffic()
    {
        // Anything may be on a shared bus: the services react to what is an event, by
        // whoever published it, and let the rest pass.
        Bus b;
        QVERIFY(b.bus.start());
        DemoSystem demo(b.context, b.options(DemoSystem::Scenario::OrderSaga, fastKnobs(20)));
        QVERIFY2(demo.start(), demo.error().c_str());
        zmq::socket_t pub(b.context, zmq::socket_type::pub);
        pub.set(zmq::sockopt::linger, 0);
        pub.connect(b.bus.publishersEndpoint());
        const std::vector<std::vector<std::string>> junk = {
            {"order.placed", "not json"},
            {"order.placed", "[1,2,3]"},
            {"order.placed", R"({"eventId":7,"eventType":"order.placed"})"},
            {"order.placed", R"({"eventId":"x1","eventType":"order.placed","eventVersion":-5,)"
                             R"("data":{"items":5,"customer":"c","total":[],"quantity":-1e308}})"},
            {"order.placed", R"({"eventId":"x2","eventType":"order.placed","data":{"items":[{"quantity":1e300}]}})"},
            {"payment.failed", R"({"eventId":"x3","eventType":"payment.failed","data":null})"},
            {"inventory.reserved", R"({"eventId":"x4","eventType":"inventory.reserved","data":"?"})"},
            {"order.placed", "{}", "third frame"},
        };
        // Until the bus has them (a PUB drops what it sends before it is connected).
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const auto &frames : junk)
                    for (size_t i = 0; i < frames.size(); ++i)
                        pub.send(zmq::buffer(frames[i]),
                                 i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
                for (const auto &m : b.tap.take())
                    if (m.payload.find("\"x4\"") != std::string::npos)
                        return true;
                return false;
            }(),
            5000);
        const uint64_t started = demo.counters().flowsStarted;
        QTRY_VERIFY_WITH_TIMEOUT(demo.counters().flowsStarted >= started + 10, 5000);
        quiesce(demo, b.bus);
        demo.stop();
        // They reacted to the foreign events too, in those events' own flows.
        bool reactedToX1 = false;
        for (const auto &m : b.tap.take())
            reactedToX1 =
                reactedToX1 || m.payload.find(R"("correlationId":"x1","causationId":"x1")") != std::string::npos;
        QVERIFY(reactedToX1);
        // The demo's own flows are still whole.
        EventStore store;
        size_t rejected = 0;
        std::vector<Tap::Message> ours;
        for (auto &m : b.tap.take())
            if (m.payload.find("\"x") == std::string::npos && m.frames == 2 && m.payload.starts_with("{\"eventId\":\""))
                ours.push_back(std::move(m));
        load(ours, store, rejected);
        QCOMPARE(rejected, size_t(0));
        for (const auto &[id, paths] : flows(store)) {
            SagaOutcome outcome{};
            checkSagaFlow(paths, outcome);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void unreachableOrMalformedBusIsAClearError()
    {
        zmq::context_t ctx;
        DemoSystem::Options options;
        zmq::socket_t silentPublishers = silentListener(ctx, options.publishers);
        zmq::socket_t silentSubscribers = silentListener(ctx, options.subscribers);
        options.connectTimeoutMs = 300;
        {
            DemoSystem demo(ctx, options);
            QElapsedTimer timer;
            timer.start();
            QVERIFY(!demo.start());
            QVERIFY(timer.elapsed() < 2000);
            QVERIFY(!demo.isRunning());
            QVERIFY2(demo.error().starts_with("cannot reach the bus: no connection to " + options.publishers
                                              + " (publishers endpoint) or " + options.subscribers),
                     demo.error().c_str());
            QVERIFY2(demo.error().ends_with("within 0.3 s"), demo.error().c_str());
        }
        {
            options.publishers = "nonsense";
            DemoSystem demo(ctx, options);
            QVERIFY(!demo.start());
            QVERIFY2(demo.error().starts_with("cannot connect to the bus's publishers endpoint nonsense: "),
                     demo.error().c_str());
        }
        {
            Bus b;
            QVERIFY(b.bus.start());
            DemoSystem::Options o = b.options(DemoSystem::Scenario::Logistics, fastKnobs());
            o.consumers = {"fraud-service"}; // an order-saga consumer
            DemoSystem demo(b.context, o);
            QVERIFY(!demo.start());
            QVERIFY2(demo.error().find("unknown service 'fraud-service' in logistics") != std::string::npos,
                     demo.error().c_str());
            QCOMPARE(b.bus.stats().messagesIn, uint64_t(0));
        }
    }

    void cliRunsStandaloneForADuration()
    {
        QElapsedTimer timer;
        timer.start();
        const CliRun r = cli({"demo", "order-saga", "--own-bus", "--bus", "tcp://127.0.0.1:*", "--subscribers",
                              "tcp://127.0.0.1:*", "--duration", "1", "--rate", "20", "--duplicates", "0.1",
                              "--consumer", "loyalty-service", "--skew", "shipping-service=-300"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(timer.elapsed() < 10000);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.startsWith("order-saga demo running"), qPrintable(out));
        QVERIFY(out.contains(QRegularExpression(R"(publishers connect to tcp://127\.0\.0\.1:\d+)")));
        QVERIFY(out.contains("loyalty-service"));
        QVERIFY(out.contains("shipping-service clock -300 ms"));
        const auto m =
            QRegularExpression(R"(stopped after [^:]+: (\d+) flows, (\d+) events, (\d+) redelivered)").match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        QVERIFY(m.captured(1).toInt() > 0);
        QVERIFY(m.captured(2).toInt() > m.captured(1).toInt());
        QVERIFY2(r.err.isEmpty(), r.err.constData());
    }

    void cliFeedsAnExternalBusUntilCtrlC()
    {
        Bus b;
        QVERIFY(b.bus.start());
        QProcess demo;
        demo.start(QStringLiteral(EVENTLENS_CLI),
                   {"demo", "logistics", "--bus", QString::fromStdString(b.bus.publishersEndpoint()), "--subscribers",
                    QString::fromStdString(b.bus.subscribersEndpoint()), "--rate", "30", "--lag", "5", "--consumer",
                    "eta-service"});
        QVERIFY(demo.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(b.tap.size() >= 200, 15000);
        ::kill(static_cast<pid_t>(demo.processId()), SIGINT); // what Ctrl-C sends
        QVERIFY2(demo.waitForFinished(5000), "the demo did not stop on Ctrl-C");
        QCOMPARE(demo.exitStatus(), QProcess::NormalExit);
        QCOMPARE(demo.exitCode(), 0);
        const QByteArray out = demo.readAllStandardOutput();
        QVERIFY2(out.contains("on the bus at " + QByteArray::fromStdString(b.bus.publishersEndpoint())),
                 out.constData());
        QVERIFY2(out.contains("stopped after"), out.constData());

        EventStore store;
        size_t rejected = 0;
        load(b.tap.take(), store, rejected);
        QCOMPARE(rejected, size_t(0));
        checkCausationResolves(store, "package.scanned");
        QVERIFY(store.ofType(store.findType("eta.updated")).size() > 0);
    }

    void cliBadArgumentsExitTwoWithOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no scenario") << QStringList{"demo"} << "scenario";
        QTest::newRow("unknown scenario") << QStringList{"demo", "pizza"} << "unknown scenario 'pizza'";
        QTest::newRow("rate 0") << QStringList{"demo", "order-saga", "--rate", "0"} << "--rate must be above 0";
        QTest::newRow("failure rate") << QStringList{"demo", "order-saga", "--failure-rate", "1.5"}
                                      << "--failure-rate must be between 0 and 1, not 1.5";
        QTest::newRow("duplicates") << QStringList{"demo", "logistics", "--duplicates", "2"} << "--duplicates";
        QTest::newRow("v2 share") << QStringList{"demo", "logistics", "--v2", "7"} << "--v2";
        QTest::newRow("not optional") << QStringList{"demo", "order-saga", "--consumer", "inventory-service"}
                                      << "not an optional consumer";
        QTest::newRow("wrong scenario's consumer")
            << QStringList{"demo", "order-saga", "--consumer", "eta-service"} << "eta-service";
        QTest::newRow("skew shape") << QStringList{"demo", "order-saga", "--skew", "payment-service"} << "SERVICE=MS";
        QTest::newRow("skew service") << QStringList{"demo", "order-saga", "--skew", "nobody=-300"}
                                      << "unknown service 'nobody'";
        QTest::newRow("negative lag-of") << QStringList{"demo", "order-saga", "--lag-of", "payment-service=-5"}
                                         << "--lag-of";
        QTest::newRow("malformed bus") << QStringList{"demo", "order-saga", "--bus", "nonsense"} << "nonsense";
    }
    void cliBadArgumentsExitTwoWithOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const CliRun r = cli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(mentions, Qt::CaseInsensitive), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TstDemo)
#include "tst_demo.moc"
