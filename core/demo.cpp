// DemoSystem's own member functions: parsing and naming scenarios, the catalog, starting
// and stopping the services (waiting for each one's handshake with the bus), adding and
// removing consumers while the demo runs, and the knobs and counters every service shares.
// The service runtime these drive (DemoShared, ServiceSpec, DemoService) is in
// demoservice.h and demoservice.cpp; the scenarios' services are in demoscenarios.cpp.
#include "core/demo.h"

#include "core/demoservice.h"
#include "core/rfc3339.h"

#include <zmq.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>

namespace eventlens {

using demo_detail::Clock;
using demo_detail::demoScenario;
using demo_detail::ServiceSpec;

namespace {

constexpr auto kSettle = std::chrono::milliseconds(100); ///< after the handshakes, for subscriptions to land

DemoSystem::Knobs sanitized(DemoSystem::Knobs k)
{
    auto unit = [](double v) { return std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0; };
    auto nonNegative = [](double v) { return std::isfinite(v) ? std::max(v, 0.0) : 0.0; };
    k.rate = std::isfinite(k.rate) ? std::clamp(k.rate, 0.0, 10000.0) : 0.0;
    k.failureRate = unit(k.failureRate);
    k.duplicateRate = unit(k.duplicateRate);
    k.v2Share = unit(k.v2Share);
    k.lag = {nonNegative(k.lag.meanMs), nonNegative(k.lag.spreadMs)};
    for (auto &[name, lag] : k.lagOf)
        lag = {nonNegative(lag.meanMs), nonNegative(lag.spreadMs)};
    return k;
}

std::string seconds(int ms)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", ms / 1000.0);
    return buf;
}

} // namespace

// --- DemoSystem ---------------------------------------------------------------------------

std::optional<DemoSystem::Scenario> DemoSystem::parseScenario(std::string_view name)
{
    if (name == "order-saga")
        return Scenario::OrderSaga;
    if (name == "logistics")
        return Scenario::Logistics;
    return std::nullopt;
}

const char *DemoSystem::scenarioName(Scenario scenario)
{
    return scenario == Scenario::OrderSaga ? "order-saga" : "logistics";
}

std::vector<DemoSystem::ServiceInfo> DemoSystem::catalog(Scenario scenario)
{
    std::vector<ServiceInfo> out;
    for (ServiceSpec &spec : demoScenario(scenario))
        out.push_back(std::move(spec.info));
    return out;
}

DemoSystem::DemoSystem(zmq::context_t &context, Options options)
    : m_options(std::move(options)), m_shared(std::make_unique<DemoShared>(context, m_options.scenario))
{
    m_shared->publishers = m_options.publishers;
    m_shared->subscribers = m_options.subscribers;
    m_shared->knobs = sanitized(m_options.knobs);
    std::random_device random;
    char id[16];
    std::snprintf(id, sizeof id, "%06x",
                  static_cast<unsigned>((random() ^ static_cast<uint64_t>(nowUtcNs())) & 0xffffff));
    m_shared->runId = id;
}

DemoSystem::~DemoSystem()
{
    stop();
}

const std::string &DemoSystem::runId() const
{
    return m_shared->runId;
}

std::unique_ptr<DemoService> DemoSystem::makeService(const std::string &name)
{
    for (ServiceSpec &spec : demoScenario(m_options.scenario))
        if (spec.info.name == name)
            return std::make_unique<DemoService>(*m_shared, std::move(spec));
    std::string known;
    for (const ServiceInfo &i : catalog(m_options.scenario))
        if (!i.producer)
            known += (known.empty() ? "" : ", ") + i.name;
    m_error = "unknown service '" + name + "' in " + scenarioName(m_options.scenario) + " (known: " + known + ")";
    return nullptr;
}

bool DemoSystem::waitUntilConnected(const std::vector<DemoService *> &services)
{
    const auto deadline = Clock::now() + std::chrono::milliseconds(m_options.connectTimeoutMs);
    for (;;) {
        bool publishers = true, subscribers = true;
        for (const DemoService *s : services) {
            publishers = publishers && s->publisherConnected();
            subscribers = subscribers && s->subscriberConnected();
        }
        if (publishers && subscribers) {
            std::this_thread::sleep_for(kSettle); // the subscriptions travel after the handshake
            return true;
        }
        if (Clock::now() >= deadline) {
            std::string where;
            if (!publishers)
                where = m_options.publishers + " (publishers endpoint)";
            if (!subscribers)
                where += (where.empty() ? "" : " or ") + m_options.subscribers + " (subscribers endpoint)";
            m_error =
                "cannot reach the bus: no connection to " + where + " within " + seconds(m_options.connectTimeoutMs);
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

bool DemoSystem::start()
{
    if (m_running)
        return true;
    m_error.clear();
    std::vector<std::string> names;
    for (const ServiceInfo &i : catalog(m_options.scenario))
        if (!i.optional)
            names.push_back(i.name);
    for (const std::string &c : m_options.consumers)
        if (std::find(names.begin(), names.end(), c) == names.end())
            names.push_back(c);

    std::vector<std::unique_ptr<DemoService>> services;
    for (const std::string &name : names) {
        auto service = makeService(name);
        if (!service)
            return false;
        services.push_back(std::move(service));
    }
    auto fail = [&](std::string error) {
        for (auto &s : services)
            s->requestStop();
        services.clear(); // joins
        m_error = std::move(error);
        return false;
    };
    for (auto &s : services)
        if (std::string error = s->start(); !error.empty())
            return fail(std::move(error));
    std::vector<DemoService *> all;
    for (auto &s : services)
        all.push_back(s.get());
    if (!waitUntilConnected(all))
        return fail(m_error);
    for (auto &s : services)
        if (s->spec().info.producer)
            s->go();
    {
        std::lock_guard lock(m_servicesMutex);
        m_services = std::move(services);
    }
    m_running = true;
    return true;
}

void DemoSystem::stop()
{
    std::vector<std::unique_ptr<DemoService>> services;
    {
        std::lock_guard lock(m_servicesMutex);
        services = std::move(m_services);
        m_services.clear();
    }
    for (auto &s : services) // all at once, then wait for each
        s->requestStop();
    for (auto &s : services)
        s->join();
    m_running = false;
}

void DemoSystem::setKnobs(const Knobs &knobs)
{
    std::lock_guard lock(m_shared->knobsMutex);
    m_shared->knobs = sanitized(knobs);
    m_shared->knobsGeneration.fetch_add(1, std::memory_order_release);
}

DemoSystem::Knobs DemoSystem::knobs() const
{
    std::lock_guard lock(m_shared->knobsMutex);
    return m_shared->knobs;
}

bool DemoSystem::addConsumer(const std::string &name)
{
    m_error.clear();
    if (!m_running) {
        m_error = "the demo is not running";
        return false;
    }
    {
        std::lock_guard lock(m_servicesMutex);
        for (const auto &s : m_services)
            if (s->name() == name) {
                m_error = name + " is already running";
                return false;
            }
    }
    auto service = makeService(name);
    if (!service)
        return false;
    if (service->spec().info.producer) {
        m_error = name + " is a producer; it runs for as long as the demo does";
        return false;
    }
    if (std::string error = service->start(); !error.empty()) {
        m_error = std::move(error);
        return false;
    }
    if (!waitUntilConnected({service.get()}))
        return false; // the service stops as it goes out of scope
    std::lock_guard lock(m_servicesMutex);
    m_services.push_back(std::move(service));
    return true;
}

bool DemoSystem::removeConsumer(const std::string &name)
{
    m_error.clear();
    std::unique_ptr<DemoService> service;
    {
        std::lock_guard lock(m_servicesMutex);
        const auto it =
            std::find_if(m_services.begin(), m_services.end(), [&](const auto &s) { return s->name() == name; });
        if (it == m_services.end()) {
            m_error = name + " is not running";
            return false;
        }
        if ((*it)->spec().info.producer) {
            m_error = name + " starts the flows and cannot be removed; stop the demo instead";
            return false;
        }
        service = std::move(*it);
        m_services.erase(it);
    }
    service->requestStop();
    service->join();
    return true;
}

std::vector<DemoSystem::ServiceInfo> DemoSystem::services() const
{
    std::vector<ServiceInfo> out = catalog(m_options.scenario);
    std::lock_guard lock(m_servicesMutex);
    for (ServiceInfo &i : out)
        for (const auto &s : m_services)
            if (s->name() == i.name) {
                i.running = true;
                i.published = s->published();
            }
    return out;
}

DemoSystem::Counters DemoSystem::counters() const
{
    Counters c;
    c.flowsStarted = m_shared->flowsStarted.load(std::memory_order_relaxed);
    c.eventsPublished = m_shared->eventsPublished.load(std::memory_order_relaxed);
    c.redeliveries = m_shared->redeliveries.load(std::memory_order_relaxed);
    c.failures = m_shared->failures.load(std::memory_order_relaxed);
    c.v2Events = m_shared->v2Events.load(std::memory_order_relaxed);
    return c;
}

} // namespace eventlens
