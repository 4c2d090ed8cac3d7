// The demo's service runtime, internal to core/demo*.cpp: what the service threads share
// (DemoShared), what a service does (ServiceSpec, with the Root events producers start
// flows with and the Incoming events consumers react to), the small JSON helpers those
// reactions read events with, and DemoService itself, one service's thread, sockets and
// timer queue (its larger members are in demoservice.cpp). The scenarios that fill in the
// specs are in demoscenarios.cpp; DemoSystem, which starts and stops the services, is in
// demo.cpp.
#pragma once

#include "core/demo.h"

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

namespace eventlens {

struct DemoShared {
    DemoShared(zmq::context_t &c, DemoSystem::Scenario s) : context(c), scenario(s) { }

    zmq::context_t &context;
    DemoSystem::Scenario scenario;
    std::string publishers, subscribers;
    std::string runId;

    std::mutex knobsMutex;
    DemoSystem::Knobs knobs;                  ///< guarded by knobsMutex
    std::atomic<uint64_t> knobsGeneration{1}; ///< bumped on every change: services copy when it moves

    std::atomic<uint64_t> flowSeq{0};
    std::atomic<uint64_t> flowsStarted{0}, eventsPublished{0}, redeliveries{0}, failures{0}, v2Events{0};
};

namespace demo_detail {

using Json = nlohmann::ordered_json; // keeps the contract's field order, for people reading events
using Clock = std::chrono::steady_clock;

/// An event a service received, as far as its reaction needs it.
struct Incoming {
    std::string eventId, eventType, correlationId;
    uint32_t version = 1;
    Json data;
};

/// The event a producer starts a flow with.
struct Root {
    std::string type;
    Json data;
};

inline std::string stringField(const Json &object, const char *name)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline double numberField(const Json &object, const char *name, double fallback)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

/// A whole number from input a foreign publisher may have sent: clamped, never UB.
inline int intField(const Json &object, const char *name, int fallback, int low, int high)
{
    const double v = numberField(object, name, fallback);
    return std::isfinite(v) ? static_cast<int>(std::clamp(v, double(low), double(high))) : fallback;
}

/// What a service does: its catalog entry, its subscriptions, its reactions and, for a
/// producer, the root events it starts flows with.
struct ServiceSpec {
    DemoSystem::ServiceInfo info;
    int rootVersion = 0; ///< producers: the eventVersion of their roots
    std::function<Root(DemoService &, uint64_t flow)> root;
    std::function<void(DemoService &, const Incoming &)> react;
};

/// Every service of a scenario, core and optional, in catalog order (demoscenarios.cpp).
std::vector<ServiceSpec> demoScenario(DemoSystem::Scenario scenario);

} // namespace demo_detail

/// One service of a demo: its own thread, its own SUB (the types it reacts to) and
/// publisher socket on the bus, a timer queue for reactions waiting out their lag, and an
/// inproc PAIR over which its owner (DemoSystem) says "go" and "stop". Everything below
/// the public control calls runs on the service thread.
class DemoService {
public:
    using Json = demo_detail::Json;
    using Clock = demo_detail::Clock;
    using Incoming = demo_detail::Incoming;
    using ServiceSpec = demo_detail::ServiceSpec;

    DemoService(DemoShared &shared, ServiceSpec spec) : m_shared(shared), m_spec(std::move(spec)) { }
    ~DemoService()
    {
        requestStop();
        join();
    }
    DemoService(const DemoService &) = delete;
    DemoService &operator=(const DemoService &) = delete;

    /// Opens the sockets on a new thread; "" once they are connecting, else the error.
    std::string start();
    void go() { send("go"); }
    void requestStop()
    {
        if (!m_stopRequested) {
            m_stopRequested = true;
            send("stop");
        }
    }
    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
        m_control.reset();
    }

    bool publisherConnected() const { return m_pubReady.load(); }
    bool subscriberConnected() const { return m_subReady.load(); }
    const ServiceSpec &spec() const { return m_spec; }
    const std::string &name() const { return m_spec.info.name; }
    uint64_t published() const { return m_published.load(std::memory_order_relaxed); }

    // --- for the scenario's reactions (service thread) ------------------------------------
    const DemoSystem::Knobs &knobs() const { return m_knobs; }
    bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(m_rng) < p; }
    int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(m_rng); }
    double uniform(double low, double high) { return std::uniform_real_distribution<double>(low, high)(m_rng); }
    template<class T, size_t N> const T &pick(const T (&choices)[N])
    {
        return choices[between(0, static_cast<int>(N) - 1)];
    }
    void countFailure() { m_shared.failures.fetch_add(1, std::memory_order_relaxed); }

    /// Publishes `type`, caused by `cause` and in its flow, once this service's lag is over.
    void react(const Incoming &cause, std::string type, Json data);

private:
    DemoSystem::Lag lagOf(const std::string &service) const
    {
        const auto it = m_knobs.lagOf.find(service);
        return it != m_knobs.lagOf.end() ? it->second : m_knobs.lag;
    }

    /// Never blocks: once the thread has gone, its end of the pair is closed and a
    /// blocking send would wait for it forever.
    void send(const char *command)
    {
        if (m_control)
            (void)m_control->send(zmq::buffer(std::string_view(command)), zmq::send_flags::dontwait);
    }

    void schedule(Clock::time_point due, std::function<void()> action) { m_timers.emplace(due, std::move(action)); }

    /// A UUID (version 4) from the id generator, which the seed does not touch: runs
    /// with the same seed must still never share an id.
    std::string uuid();

    void sendFrames(const std::string &topic, const std::string &bytes)
    {
        m_pub->send(zmq::buffer(topic), zmq::send_flags::sndmore);
        m_pub->send(zmq::buffer(bytes), zmq::send_flags::none);
    }

    /// Builds an event by the contract, stamps it with this host's clock and sends it; now
    /// and then (the duplicate knob) the same bytes go out a second time, a little later.
    void publish(const std::string &type, const std::string &correlation, const std::string &causation, Json data,
                 int version, Json metadata, std::string eventId = {});

    void startFlow();

    /// The next flow start after `from`: this producer's share of the rate, Poisson arrivals.
    Clock::time_point nextFlowAfter(Clock::time_point from);

    /// A received event: deduplicated on eventId, then handed to the scenario.
    void receive(std::string_view payload);

    void refreshKnobs();

    /// Watches `socket` for completed handshakes through an inproc PAIR; stops watching
    /// before the socket closes.
    struct Monitor;

    void run(const std::string &controlEndpoint, std::promise<std::string> &opened);

    DemoShared &m_shared;
    ServiceSpec m_spec;
    std::thread m_thread;
    std::unique_ptr<zmq::socket_t> m_control; ///< the owner's end
    bool m_stopRequested = false;             ///< owner's thread only
    std::atomic<bool> m_pubReady{false}, m_subReady{false};
    std::atomic<uint64_t> m_published{0};

    // Service thread only.
    zmq::socket_t *m_pub = nullptr;
    DemoSystem::Knobs m_knobs;
    uint64_t m_knobsGeneration = 0;
    std::mt19937_64 m_rng;
    std::mt19937_64 m_ids;
    std::multimap<Clock::time_point, std::function<void()>> m_timers; ///< equal times keep their order
    bool m_producing = false;
    Clock::time_point m_nextFlow = Clock::time_point::max();
    std::unordered_set<std::string> m_seen;
    std::deque<std::string> m_seenOrder;
};

} // namespace eventlens
