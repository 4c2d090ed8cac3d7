#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmq {
class context_t;
} // namespace zmq

namespace eventlens {

class DemoService; // one service's thread and sockets (demoservice.h)
struct DemoShared; // what the service threads share: endpoints, knobs, counters (demoservice.h)

/// A demo system: real services on a real bus, each reacting to the events it
/// subscribes to, so EventLens has something live to show (and the tests something live
/// to check). Not a pre-baked file: flows are started by a producer at a rate and every
/// later event is a service's reaction to one it received from the bus.
///
/// Each service runs on its own thread with its own sockets: a SUB connected to the bus's
/// subscribers endpoint (subscribed to the types it reacts to) and a publisher connected
/// to the bus's publishers endpoint, sending `[eventType, json]`. Reactions wait their
/// lag in a per-service timer queue; nothing sleeps per event. Services deduplicate on
/// eventId, as the contract asks, so an injected redelivery causes no second reaction.
///
/// start(), stop(), addConsumer() and removeConsumer() are called from one (the owner's)
/// thread and talk to the service threads over inproc sockets; setKnobs(), knobs(),
/// counters() and services() are safe from any thread.
class DemoSystem {
public:
    enum class Scenario {
        OrderSaga, ///< order, inventory, payment, shipping, notification, analytics
        Logistics, ///< package scans pickup → warehouse → truck → out for delivery → delivered
    };
    /// "order-saga" or "logistics".
    static std::optional<Scenario> parseScenario(std::string_view name);
    static const char *scenarioName(Scenario scenario);

    /// A consumer's reaction lag: uniform in [mean − spread, mean + spread], never below 0.
    struct Lag {
        double meanMs = 20;
        double spreadMs = 10;
    };
    /// What can be changed while the demo runs (setKnobs()).
    struct Knobs {
        double rate = 5;                  ///< flows started per second, on average (Poisson), up to 10000; 0 pauses
        Lag lag;                          ///< every consumer's reaction lag…
        std::map<std::string, Lag> lagOf; ///< …unless overridden here, by service name
        /// Share of flows that take a failure path, in [0, 1]. Order saga: half of them run
        /// out of stock (stock.insufficient → order.cancelled), half have their payment
        /// declined (payment.failed → stock.released → order.cancelled). Logistics: the
        /// delivery attempt fails (delivery.failed → package.returned).
        double failureRate = 0.1;
        /// Share of published events that are delivered a second time, byte for byte (a
        /// broker redelivery), a few milliseconds later. In [0, 1].
        double duplicateRate = 0;
        /// This service's host clock runs `skewMs` off (negative: behind), so with a skew
        /// larger than its lag its effects are stamped before their causes.
        std::string skewedService;
        int64_t skewMs = 0;
        /// Share of root events (order.placed, package.scanned) published by the new
        /// producer version: eventVersion 2 with a changed `data` shape. In [0, 1].
        double v2Share = 0;
        /// Seeds each service's random generator (with its name) when the service starts;
        /// 0 picks a random seed.
        uint64_t seed = 0;
    };
    struct Options {
        Scenario scenario = Scenario::OrderSaga;
        std::string publishers = "tcp://127.0.0.1:5555";  ///< the bus's publisher side
        std::string subscribers = "tcp://127.0.0.1:5556"; ///< the bus's subscriber side
        Knobs knobs;
        std::vector<std::string> consumers; ///< optional consumers to run from the start
        int connectTimeoutMs = 5000;        ///< how long start() waits for the bus
    };
    /// One service of a scenario, as catalog() and services() describe it.
    struct ServiceInfo {
        std::string name;                  ///< instance name; also its `source`, but for a v2 producer
        std::string source;                ///< what its events say in `source`
        std::vector<std::string> reactsTo; ///< topics it subscribes to (a trailing '.': a prefix)
        std::vector<std::string> publishes;
        bool producer = false;  ///< starts flows; cannot be removed
        bool optional = false;  ///< not running unless added
        bool running = false;   ///< services() only
        uint64_t published = 0; ///< services() only: events published (redeliveries not counted)
    };
    struct Counters {
        uint64_t flowsStarted = 0;
        uint64_t eventsPublished = 0; ///< distinct events, roots included
        uint64_t redeliveries = 0;    ///< injected: extra identical copies published
        uint64_t failures = 0;        ///< failure paths taken (out of stock, payment declined, delivery failed)
        uint64_t v2Events = 0;        ///< root events published with eventVersion 2
    };

    /// Every service a scenario knows, core and optional.
    static std::vector<ServiceInfo> catalog(Scenario scenario);

    DemoSystem(zmq::context_t &context, Options options);
    ~DemoSystem(); ///< stops
    DemoSystem(const DemoSystem &) = delete;
    DemoSystem &operator=(const DemoSystem &) = delete;

    /// Starts every core service (and the optional consumers named in the options), waits
    /// until each one's sockets have completed their handshake with the bus, then starts
    /// the first flow. False, with error(), for a malformed endpoint, an unknown consumer,
    /// or a bus that accepts no connection within the timeout.
    bool start();
    /// Stops every service; pending reactions are dropped. Returns promptly.
    void stop();
    bool isRunning() const { return m_running; }

    /// Any thread; every service applies it within 100 ms. Values out of range are clamped.
    void setKnobs(const Knobs &knobs);
    Knobs knobs() const;

    /// Starts a consumer (an optional one, or a core one removed earlier) while the demo
    /// runs; returns once it is connected to the bus, so every flow started afterwards
    /// reaches it. False, with error(), for an unknown name, a running service or a timeout.
    bool addConsumer(const std::string &name);
    /// Stops a running consumer; the producer cannot be removed. Returns once it is gone.
    bool removeConsumer(const std::string &name);

    /// The catalog, with what is running now and what each has published.
    std::vector<ServiceInfo> services() const;
    Counters counters() const;
    const std::string &error() const { return m_error; }
    /// A short random name for this run (the CLI prints it). Event and correlation ids are
    /// random UUIDs, whatever the seed, so runs recorded into one file never collide.
    const std::string &runId() const;

private:
    std::unique_ptr<DemoService> makeService(const std::string &name);
    bool waitUntilConnected(const std::vector<DemoService *> &services);

    Options m_options;
    std::unique_ptr<DemoShared> m_shared;
    mutable std::mutex m_servicesMutex; ///< guards m_services (changed by the owner, read by services())
    std::vector<std::unique_ptr<DemoService>> m_services;
    std::string m_error;
    bool m_running = false;
};

} // namespace eventlens
