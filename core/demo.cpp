#include "core/demo.h"

#include "core/rfc3339.h"

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace eventlens {

using Json = nlohmann::ordered_json; // keeps the contract's field order, for people reading events
using Clock = std::chrono::steady_clock;

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

namespace {

std::atomic<int> g_instances{0};

constexpr auto kSettle = std::chrono::milliseconds(100); ///< after the handshakes, for subscriptions to land
constexpr auto kNoPublisherSubscription = std::chrono::seconds(1);
constexpr size_t kRememberedIds = 100000; ///< per service, for deduplication

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

uint64_t fnv1a(std::string_view s)
{
    uint64_t h = 1469598103934665603ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

std::string stringField(const Json &object, const char *name)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double numberField(const Json &object, const char *name, double fallback)
{
    const auto it = object.find(name);
    return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

/// A whole number from input a foreign publisher may have sent: clamped, never UB.
int intField(const Json &object, const char *name, int fallback, int low, int high)
{
    const double v = numberField(object, name, fallback);
    return std::isfinite(v) ? static_cast<int>(std::clamp(v, double(low), double(high))) : fallback;
}

double round2(double v)
{
    return std::round(v * 100) / 100;
}

/// An order as inventory, payment and the others read it from order.placed, whichever
/// schema version published it.
struct Order {
    std::string orderId, customerId, sku;
    int quantity = 1;
    double amount = 0;
};

/// The member `name` of an object, or an empty object.
const Json &member(const Json &object, const char *name)
{
    static const Json empty = Json::object();
    const auto it = object.find(name);
    return it != object.end() ? *it : empty;
}

Order orderOf(const Json &data)
{
    Order o;
    if (!data.is_object())
        return o;
    o.orderId = stringField(data, "orderId");
    if (data.contains("items")) { // v2: customer object, item list, money object
        if (const Json &customer = member(data, "customer"); customer.is_object())
            o.customerId = stringField(customer, "id");
        if (const Json &items = member(data, "items"); items.is_array() && !items.empty() && items[0].is_object()) {
            o.sku = stringField(items[0], "sku");
            o.quantity = intField(items[0], "quantity", 1, 1, 1000);
        }
        if (const Json &total = member(data, "total"); total.is_object())
            o.amount = numberField(total, "amount", 0);
    } else { // v1: flat
        o.customerId = stringField(data, "customerId");
        o.sku = stringField(data, "sku");
        o.quantity = intField(data, "quantity", 1, 1, 1000);
        o.amount = numberField(data, "total", 0);
    }
    return o;
}

/// A package's tracking id, from a v1 or a v2 scan.
std::string trackingOf(const Json &data)
{
    return data.is_object() ? stringField(data, "trackingId") : std::string();
}

} // namespace

/// What a service does: its catalog entry, its subscriptions, its reactions and, for a
/// producer, the root events it starts flows with.
struct ServiceSpec {
    DemoSystem::ServiceInfo info;
    int rootVersion = 0; ///< producers: the eventVersion of their roots
    std::function<Root(DemoService &, uint64_t flow)> root;
    std::function<void(DemoService &, const Incoming &)> react;
};

/// One service of a demo: its own thread, its own SUB (the types it reacts to) and
/// publisher socket on the bus, a timer queue for reactions waiting out their lag, and an
/// inproc PAIR over which its owner (DemoSystem) says "go" and "stop". Everything below
/// the public control calls runs on the service thread.
class DemoService {
public:
    DemoService(DemoShared &shared, ServiceSpec spec) : m_shared(shared), m_spec(std::move(spec)) { }
    ~DemoService()
    {
        requestStop();
        join();
    }
    DemoService(const DemoService &) = delete;
    DemoService &operator=(const DemoService &) = delete;

    /// Opens the sockets on a new thread; "" once they are connecting, else the error.
    std::string start()
    {
        const std::string control = "inproc://eventlens-demo-control-" + std::to_string(g_instances++);
        m_control = std::make_unique<zmq::socket_t>(m_shared.context, zmq::socket_type::pair);
        m_control->set(zmq::sockopt::linger, 0);
        m_control->bind(control);
        // Shared with the thread: it may still be inside set_value() when get() returns.
        auto opened = std::make_shared<std::promise<std::string>>();
        auto ready = opened->get_future();
        m_thread = std::thread([this, control, opened] { run(control, *opened); });
        std::string error = ready.get();
        if (!error.empty()) {
            m_thread.join();
            m_control.reset();
        }
        return error;
    }
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
    void react(const Incoming &cause, std::string type, Json data)
    {
        const DemoSystem::Lag lag = lagOf(name());
        const double ms = std::max(0.0, lag.meanMs + (lag.spreadMs > 0 ? uniform(-lag.spreadMs, lag.spreadMs) : 0));
        schedule(Clock::now() + std::chrono::microseconds(static_cast<int64_t>(ms * 1000)),
                 [this, type = std::move(type), data = std::move(data), correlation = cause.correlationId,
                  causation = cause.eventId]() mutable {
                     publish(type, correlation, causation, std::move(data), 1, Json());
                 });
    }

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
    std::string uuid()
    {
        uint64_t hi = m_ids(), lo = m_ids();
        hi = (hi & 0xffffffffffff0fffull) | 0x0000000000004000ull;
        lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;
        char buf[40];
        std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                      static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                      static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffull));
        return buf;
    }

    void sendFrames(const std::string &topic, const std::string &bytes)
    {
        m_pub->send(zmq::buffer(topic), zmq::send_flags::sndmore);
        m_pub->send(zmq::buffer(bytes), zmq::send_flags::none);
    }

    /// Builds an event by the contract, stamps it with this host's clock and sends it; now
    /// and then (the duplicate knob) the same bytes go out a second time, a little later.
    void publish(const std::string &type, const std::string &correlation, const std::string &causation, Json data,
                 int version, Json metadata, std::string eventId = {})
    {
        const int64_t skewNs = m_knobs.skewedService == name() ? m_knobs.skewMs * 1'000'000 : 0;
        Json e;
        e["eventId"] = eventId.empty() ? uuid() : std::move(eventId);
        e["eventType"] = type;
        e["eventVersion"] = version;
        e["timestamp"] = formatRfc3339(nowUtcNs() + skewNs, 6);
        e["source"] = m_spec.info.source;
        e["correlationId"] = correlation;
        if (!causation.empty())
            e["causationId"] = causation;
        e["data"] = std::move(data);
        if (!metadata.is_null())
            e["metadata"] = std::move(metadata);
        std::string bytes = e.dump();
        sendFrames(type, bytes);
        m_published.fetch_add(1, std::memory_order_relaxed);
        m_shared.eventsPublished.fetch_add(1, std::memory_order_relaxed);
        if (chance(m_knobs.duplicateRate))
            schedule(Clock::now() + std::chrono::milliseconds(between(2, 30)), [this, type, bytes = std::move(bytes)] {
                sendFrames(type, bytes);
                m_shared.redeliveries.fetch_add(1, std::memory_order_relaxed);
            });
    }

    void startFlow()
    {
        const uint64_t flow = m_shared.flowSeq.fetch_add(1) + 1;
        Root root = m_spec.root(*this, flow);
        // The flow's correlationId is the root's own eventId, as in most sagas.
        const std::string id = uuid();
        Json metadata;
        metadata["instance"] = name();
        publish(root.type, id, {}, std::move(root.data), m_spec.rootVersion, std::move(metadata), id);
        m_shared.flowsStarted.fetch_add(1, std::memory_order_relaxed);
        if (m_spec.rootVersion == 2)
            m_shared.v2Events.fetch_add(1, std::memory_order_relaxed);
    }

    /// The next flow start after `from`: this producer's share of the rate, Poisson arrivals.
    Clock::time_point nextFlowAfter(Clock::time_point from)
    {
        const double share = m_spec.rootVersion == 2 ? m_knobs.v2Share : 1 - m_knobs.v2Share;
        const double rate = m_knobs.rate * share;
        if (!(rate > 0))
            return Clock::time_point::max();
        const double seconds = std::exponential_distribution<double>(rate)(m_rng);
        return from + std::chrono::microseconds(static_cast<int64_t>(std::min(seconds, 3600.0) * 1e6));
    }

    /// A received event: deduplicated on eventId, then handed to the scenario.
    void receive(std::string_view payload)
    {
        Json j = Json::parse(payload, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return; // not ours to judge: the bus's tap reports it
        Incoming in;
        in.eventId = stringField(j, "eventId");
        in.eventType = stringField(j, "eventType");
        if (in.eventId.empty() || in.eventType.empty())
            return;
        if (!m_seen.insert(in.eventId).second)
            return; // a redelivery: already handled
        m_seenOrder.push_back(in.eventId);
        if (m_seenOrder.size() > kRememberedIds) {
            m_seen.erase(m_seenOrder.front());
            m_seenOrder.pop_front();
        }
        in.correlationId = stringField(j, "correlationId");
        if (in.correlationId.empty())
            in.correlationId = in.eventId;
        in.version = static_cast<uint32_t>(intField(j, "eventVersion", 1, 1, 1 << 30));
        if (const auto data = j.find("data"); data != j.end())
            in.data = std::move(*data);
        if (m_spec.react)
            m_spec.react(*this, in);
    }

    void refreshKnobs()
    {
        const uint64_t generation = m_shared.knobsGeneration.load(std::memory_order_acquire);
        if (generation == m_knobsGeneration)
            return;
        std::lock_guard lock(m_shared.knobsMutex);
        m_knobs = m_shared.knobs;
        m_knobsGeneration = generation;
        if (m_producing)
            m_nextFlow = nextFlowAfter(Clock::now()); // memoryless: redrawing at the new rate is fair
    }

    /// Watches `socket` for completed handshakes through an inproc PAIR; stops watching
    /// before the socket closes.
    struct Monitor {
        Monitor(zmq::context_t &context, zmq::socket_t &watched)
            : pair(context, zmq::socket_type::pair), socket(&watched)
        {
            const std::string endpoint = "inproc://eventlens-demo-monitor-" + std::to_string(g_instances++);
            zmq_socket_monitor(watched.handle(), endpoint.c_str(), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
            pair.set(zmq::sockopt::linger, 0);
            pair.connect(endpoint);
        }
        ~Monitor() { zmq_socket_monitor(socket->handle(), nullptr, 0); }
        Monitor(const Monitor &) = delete;
        Monitor &operator=(const Monitor &) = delete;
        /// Reads what the monitor has said; true when a handshake succeeded.
        bool handshakeSucceeded()
        {
            bool succeeded = false;
            zmq::message_t event, address;
            while (pair.recv(event, zmq::recv_flags::dontwait)) {
                if (event.more())
                    (void)pair.recv(address);
                uint16_t id = 0;
                if (event.size() >= 2)
                    std::memcpy(&id, event.data(), 2);
                succeeded = succeeded || id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
            }
            return succeeded;
        }
        zmq::socket_t pair;
        zmq::socket_t *socket;
    };

    void run(const std::string &controlEndpoint, std::promise<std::string> &opened)
    {
        {
            std::lock_guard lock(m_shared.knobsMutex);
            m_knobsGeneration = m_shared.knobsGeneration.load();
            m_knobs = m_shared.knobs;
        }
        auto seedOf = [](uint64_t a, uint64_t b) {
            std::seed_seq seq{static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32), static_cast<uint32_t>(b),
                              static_cast<uint32_t>(b >> 32)};
            return std::mt19937_64(seq);
        };
        std::random_device random;
        auto random64 = [&random] { return static_cast<uint64_t>(random()) << 32 | random(); };
        m_rng = seedOf(m_knobs.seed ? m_knobs.seed : random64(), fnv1a(name()));
        // Ids must differ between runs, whatever the seed.
        m_ids = seedOf(random64(), fnv1a(m_shared.runId + name()) ^ static_cast<uint64_t>(nowUtcNs()));

        zmq::socket_t control(m_shared.context, zmq::socket_type::pair);
        control.set(zmq::sockopt::linger, 0);
        control.connect(controlEndpoint);
        // An XPUB, not a PUB: the bus's subscription arriving on it says the bus will take
        // what we send, without publishing a probe the bus would record.
        zmq::socket_t pub(m_shared.context, zmq::socket_type::xpub);
        pub.set(zmq::sockopt::linger, 0);
        pub.set(zmq::sockopt::sndhwm, 0); // the demo's rates are modest; never drop silently
        std::optional<zmq::socket_t> sub;
        if (!m_spec.info.reactsTo.empty()) {
            sub.emplace(m_shared.context, zmq::socket_type::sub);
            sub->set(zmq::sockopt::linger, 0);
            for (const std::string &topic : m_spec.info.reactsTo)
                sub->set(zmq::sockopt::subscribe, topic);
        }
        Monitor pubMonitor(m_shared.context, pub);
        std::optional<Monitor> subMonitor;
        if (sub)
            subMonitor.emplace(m_shared.context, *sub);
        try {
            pub.connect(m_shared.publishers);
        } catch (const zmq::error_t &e) {
            opened.set_value("cannot connect to the bus's publishers endpoint " + m_shared.publishers + ": "
                             + e.what());
            return;
        }
        if (sub) {
            try {
                sub->connect(m_shared.subscribers);
            } catch (const zmq::error_t &e) {
                opened.set_value("cannot connect to the bus's subscribers endpoint " + m_shared.subscribers + ": "
                                 + e.what());
                return;
            }
        } else {
            m_subReady = true;
        }
        m_pub = &pub;
        opened.set_value({});

        std::optional<Clock::time_point> pubHandshake;
        std::vector<zmq::pollitem_t> items;
        for (;;) {
            refreshKnobs();
            Clock::time_point now = Clock::now();
            Clock::time_point wake = now + std::chrono::milliseconds(100);
            if (!m_timers.empty())
                wake = std::min(wake, m_timers.begin()->first);
            if (m_producing)
                wake = std::min(wake, m_nextFlow);
            const auto waitUs = std::chrono::duration_cast<std::chrono::microseconds>(wake - now).count();
            const long timeoutMs = waitUs > 0 ? static_cast<long>((waitUs + 999) / 1000) : 0;

            items.clear();
            items.push_back({control.handle(), 0, ZMQ_POLLIN, 0});
            items.push_back({pub.handle(), 0, ZMQ_POLLIN, 0});
            items.push_back({pubMonitor.pair.handle(), 0, ZMQ_POLLIN, 0});
            if (sub) {
                items.push_back({sub->handle(), 0, ZMQ_POLLIN, 0});
                items.push_back({subMonitor->pair.handle(), 0, ZMQ_POLLIN, 0});
            }
            try {
                zmq::poll(items.data(), items.size(), std::chrono::milliseconds(timeoutMs));
            } catch (const zmq::error_t &e) {
                if (e.num() != EINTR) // a signal (Ctrl-C) landed on this thread: look again
                    throw;
                continue;
            }

            if (items[0].revents & ZMQ_POLLIN) {
                zmq::message_t command;
                while (control.recv(command, zmq::recv_flags::dontwait)) {
                    if (command.to_string_view() == "stop")
                        return;
                    if (command.to_string_view() == "go" && m_spec.root && !m_producing) {
                        m_producing = true;
                        m_nextFlow = nextFlowAfter(Clock::now());
                        // The producer with the larger share starts the first flow at once.
                        const bool major = (m_spec.rootVersion == 2) == (m_knobs.v2Share > 0.5);
                        if (major && m_knobs.rate > 0)
                            m_nextFlow = Clock::now();
                    }
                }
            }
            if (items[1].revents & ZMQ_POLLIN) { // a subscription: the bus takes what we send
                zmq::message_t subscription;
                while (pub.recv(subscription, zmq::recv_flags::dontwait))
                    m_pubReady = true;
            }
            if ((items[2].revents & ZMQ_POLLIN) && pubMonitor.handshakeSucceeded() && !pubHandshake)
                pubHandshake = Clock::now();
            // A forwarder that passes on only its subscribers' topics may never subscribe to
            // ours: after the handshake and a grace period, count the publisher connected.
            if (!m_pubReady && pubHandshake && Clock::now() - *pubHandshake > kNoPublisherSubscription)
                m_pubReady = true;
            if (sub) {
                if ((items[4].revents & ZMQ_POLLIN) && subMonitor->handshakeSucceeded())
                    m_subReady = true;
                if (items[3].revents & ZMQ_POLLIN) {
                    for (int n = 0; n < 1024; ++n) { // a batch, then the timers get their turn
                        zmq::message_t frame, last;
                        if (!sub->recv(last, zmq::recv_flags::dontwait))
                            break;
                        while (last.more()) {
                            (void)sub->recv(frame); // the rest of a message is already here
                            std::swap(frame, last);
                        }
                        receive(last.to_string_view());
                    }
                }
            }
            now = Clock::now();
            while (!m_timers.empty() && m_timers.begin()->first <= now) {
                auto action = std::move(m_timers.begin()->second);
                m_timers.erase(m_timers.begin());
                action();
            }
            for (int n = 0; m_producing && n < 100 && Clock::now() >= m_nextFlow; ++n) {
                startFlow();
                m_nextFlow = nextFlowAfter(m_nextFlow);
                if (m_nextFlow < Clock::now() - std::chrono::seconds(1))
                    m_nextFlow = Clock::now(); // fell behind (a paused debugger): no burst of catch-up flows
            }
        }
    }

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

// --- the scenarios ----------------------------------------------------------------------

namespace {

DemoSystem::ServiceInfo info(std::string name, std::vector<std::string> reactsTo, std::vector<std::string> publishes,
                             std::string source = {})
{
    DemoSystem::ServiceInfo i;
    i.source = source.empty() ? name : std::move(source);
    i.name = std::move(name);
    i.reactsTo = std::move(reactsTo);
    i.publishes = std::move(publishes);
    return i;
}

const char *const kCarriers[] = {"DHL", "UPS", "PostNL", "DPD"};
const char *const kHubs[] = {"AMS-1", "RTM-2", "UTR-1", "EIN-3"};
const char *const kCouriers[] = {"Ada", "Bram", "Chen", "Dora", "Emre"};

Root orderPlaced(DemoService &s, uint64_t flow, int version)
{
    const std::string orderId = "ORD-" + std::to_string(1000 + flow);
    const std::string customer = "CUST-" + std::to_string(s.between(1, 200));
    const std::string sku = "SKU-" + std::to_string(s.between(1, 40));
    const int quantity = s.between(1, 3);
    const double price = round2(s.uniform(5, 120));
    Json data;
    data["orderId"] = orderId;
    if (version == 1) {
        data["customerId"] = customer;
        data["sku"] = sku;
        data["quantity"] = quantity;
        data["total"] = round2(price * quantity);
    } else { // v2: the customer as an object, a list of items, money with its currency
        data["customer"] = {{"id", customer}, {"tier", s.chance(0.2) ? "gold" : "standard"}};
        data["items"] = Json::array({{{"sku", sku}, {"quantity", quantity}, {"unitPrice", price}}});
        data["total"] = {{"amount", round2(price * quantity)}, {"currency", "EUR"}};
    }
    return {"order.placed", std::move(data)};
}

std::vector<ServiceSpec> orderSaga()
{
    std::vector<ServiceSpec> specs;
    auto add = [&](DemoSystem::ServiceInfo i) -> ServiceSpec & {
        specs.push_back({std::move(i), 0, {}, {}});
        return specs.back();
    };

    // The order service places orders (the flows' roots) and cancels them when stock is
    // short or stock has been released after a failed payment.
    ServiceSpec &order =
        add(info("order-service", {"stock.insufficient", "stock.released"}, {"order.placed", "order.cancelled"}));
    order.info.producer = true;
    order.rootVersion = 1;
    order.root = [](DemoService &s, uint64_t flow) { return orderPlaced(s, flow, 1); };
    order.react = [](DemoService &s, const Incoming &in) {
        const std::string orderId = stringField(in.data, "orderId");
        if (in.eventType == "stock.insufficient")
            s.react(in, "order.cancelled", {{"orderId", orderId}, {"reason", "out of stock"}});
        else if (in.eventType == "stock.released")
            s.react(in, "order.cancelled", {{"orderId", orderId}, {"reason", "payment declined"}});
    };
    // The schema v2 rollout: a new version of the order service, publishing as
    // order-service, places its share of the orders with eventVersion 2.
    ServiceSpec &order2 = add(info("order-service-v2", {}, {"order.placed"}, "order-service"));
    order2.info.producer = true;
    order2.rootVersion = 2;
    order2.root = [](DemoService &s, uint64_t flow) { return orderPlaced(s, flow, 2); };

    // Inventory reserves stock (or has too little) and releases it when payment fails.
    struct Reservation {
        std::string sku;
        int quantity;
    };
    auto reservations = std::make_shared<std::unordered_map<std::string, Reservation>>();
    add(info("inventory-service", {"order.placed", "payment.failed"},
             {"inventory.reserved", "stock.insufficient", "stock.released"}))
        .react = [reservations](DemoService &s, const Incoming &in) {
        if (in.eventType == "order.placed") {
            const Order o = orderOf(in.data);
            // Half of the failing flows end here: P(short) = failureRate / 2.
            if (s.chance(s.knobs().failureRate / 2)) {
                s.countFailure();
                s.react(in, "stock.insufficient",
                        {{"orderId", o.orderId},
                         {"sku", o.sku},
                         {"requested", o.quantity},
                         {"available", s.between(0, o.quantity - 1)}});
                return;
            }
            if (reservations->size() > 100000)
                reservations->clear(); // a demo, not a warehouse: forget old orders
            (*reservations)[o.orderId] = {o.sku, o.quantity};
            s.react(in, "inventory.reserved",
                    {{"orderId", o.orderId},
                     {"sku", o.sku},
                     {"quantity", o.quantity},
                     {"amount", o.amount},
                     {"warehouse", s.pick(kHubs)}});
        } else if (in.eventType == "payment.failed") {
            const std::string orderId = stringField(in.data, "orderId");
            const auto it = reservations->find(orderId);
            Json data = {{"orderId", orderId}};
            if (it != reservations->end()) {
                data["sku"] = it->second.sku;
                data["quantity"] = it->second.quantity;
                reservations->erase(it);
            }
            s.react(in, "stock.released", std::move(data));
        }
    };

    // Payment authorizes the reserved order's amount, or the card is declined.
    add(info("payment-service", {"inventory.reserved"}, {"payment.authorized", "payment.failed"})).react =
        [](DemoService &s, const Incoming &in) {
            const std::string orderId = stringField(in.data, "orderId");
            const double amount = numberField(in.data, "amount", 0);
            // The other half: P(declined | reserved) = f / (2 − f), so f of all flows fail.
            const double f = s.knobs().failureRate;
            if (s.chance(f / (2 - f))) {
                s.countFailure();
                s.react(in, "payment.failed", {{"orderId", orderId}, {"amount", amount}, {"reason", "card declined"}});
            } else {
                s.react(in, "payment.authorized",
                        {{"orderId", orderId}, {"amount", amount}, {"method", s.chance(0.3) ? "paypal" : "card"}});
            }
        };

    add(info("shipping-service", {"payment.authorized"}, {"shipment.scheduled"})).react = [](DemoService &s,
                                                                                             const Incoming &in) {
        s.react(in, "shipment.scheduled",
                {{"orderId", stringField(in.data, "orderId")},
                 {"carrier", s.pick(kCarriers)},
                 {"trackingId", "TRK-" + std::to_string(s.between(100000, 999999))}});
    };

    add(info("notification-service", {"shipment.scheduled", "order.cancelled"}, {"notification.sent"})).react =
        [](DemoService &s, const Incoming &in) {
            s.react(in, "notification.sent",
                    {{"orderId", stringField(in.data, "orderId")},
                     {"channel", s.chance(0.7) ? "email" : "sms"},
                     {"template", in.eventType == "order.cancelled" ? "order-cancelled" : "order-shipped"}});
        };

    add(info("analytics-service", {"order.placed"}, {"analytics.recorded"})).react = [](DemoService &s,
                                                                                        const Incoming &in) {
        const Order o = orderOf(in.data);
        s.react(in, "analytics.recorded",
                {{"orderId", o.orderId}, {"metric", "orders.placed"}, {"value", o.amount}, {"schema", in.version}});
    };

    // Optional consumers, added while the demo runs.
    ServiceSpec &fraud = add(info("fraud-service", {"order.placed"}, {"fraud.checked"}));
    fraud.info.optional = true;
    fraud.react = [](DemoService &s, const Incoming &in) {
        const Order o = orderOf(in.data);
        const double score = round2(s.uniform(0, 1) * (o.amount > 200 ? 1 : 0.4));
        s.react(in, "fraud.checked",
                {{"orderId", o.orderId}, {"score", score}, {"verdict", score > 0.8 ? "review" : "pass"}});
    };
    ServiceSpec &loyalty = add(info("loyalty-service", {"payment.authorized"}, {"loyalty.awarded"}));
    loyalty.info.optional = true;
    loyalty.react = [](DemoService &s, const Incoming &in) {
        s.react(
            in, "loyalty.awarded",
            {{"orderId", stringField(in.data, "orderId")}, {"points", intField(in.data, "amount", 0, 0, 1'000'000)}});
    };
    return specs;
}

Root packageScanned(DemoService &s, uint64_t flow, int version)
{
    char tracking[32];
    std::snprintf(tracking, sizeof tracking, "PKG%08llu", static_cast<unsigned long long>(flow));
    const double weight = round2(s.uniform(0.2, 25));
    const char *depot = s.pick(kHubs);
    Json data;
    data["trackingId"] = tracking;
    if (version == 1) {
        data["stage"] = "pickup";
        data["location"] = depot;
        data["weightKg"] = weight;
    } else { // v2: the scan as an object with a geo position, weight with its unit
        data["scan"] = {
            {"stage", "pickup"},
            {"location", {{"code", depot}, {"lat", round2(s.uniform(51, 53))}, {"lon", round2(s.uniform(4, 6))}}}};
        data["weight"] = {{"value", weight}, {"unit", "kg"}};
    }
    return {"package.scanned", std::move(data)};
}

std::vector<ServiceSpec> logistics()
{
    std::vector<ServiceSpec> specs;
    auto add = [&](DemoSystem::ServiceInfo i) -> ServiceSpec & {
        specs.push_back({std::move(i), 0, {}, {}});
        return specs.back();
    };

    // Couriers' handhelds scan parcels at pickup: the flows' roots.
    ServiceSpec &courier = add(info("courier-app", {}, {"package.scanned"}));
    courier.info.producer = true;
    courier.rootVersion = 1;
    courier.root = [](DemoService &s, uint64_t flow) { return packageScanned(s, flow, 1); };
    ServiceSpec &courier2 = add(info("courier-app-v2", {}, {"package.scanned"}, "courier-app"));
    courier2.info.producer = true;
    courier2.rootVersion = 2;
    courier2.root = [](DemoService &s, uint64_t flow) { return packageScanned(s, flow, 2); };

    // The scan chain: warehouse → truck → out for delivery → delivered (or not).
    add(info("warehouse-service", {"package.scanned", "delivery.failed"}, {"package.arrived", "package.returned"}))
        .react = [](DemoService &s, const Incoming &in) {
        const std::string id = trackingOf(in.data);
        if (in.eventType == "package.scanned")
            s.react(in, "package.arrived", {{"trackingId", id}, {"stage", "warehouse"}, {"hub", s.pick(kHubs)}});
        else if (in.eventType == "delivery.failed")
            s.react(in, "package.returned", {{"trackingId", id}, {"hub", s.pick(kHubs)}});
    };
    add(info("linehaul-service", {"package.arrived"}, {"package.loaded"})).react = [](DemoService &s,
                                                                                      const Incoming &in) {
        s.react(in, "package.loaded",
                {{"trackingId", trackingOf(in.data)},
                 {"stage", "truck"},
                 {"truck", "TRUCK-" + std::to_string(s.between(1, 30))}});
    };
    add(info("delivery-service", {"package.loaded", "package.out-for-delivery"},
             {"package.out-for-delivery", "package.delivered", "delivery.failed"}))
        .react = [](DemoService &s, const Incoming &in) {
        const std::string id = trackingOf(in.data);
        if (in.eventType == "package.loaded") {
            s.react(in, "package.out-for-delivery",
                    {{"trackingId", id}, {"stage", "out-for-delivery"}, {"courier", s.pick(kCouriers)}});
        } else if (in.eventType == "package.out-for-delivery") {
            if (s.chance(s.knobs().failureRate)) {
                s.countFailure();
                s.react(in, "delivery.failed", {{"trackingId", id}, {"reason", "nobody home"}});
            } else {
                s.react(in, "package.delivered",
                        {{"trackingId", id},
                         {"stage", "delivered"},
                         {"signedBy", s.chance(0.5) ? "recipient" : "neighbour"}});
            }
        }
    };

    // Many consumers react to the scans.
    add(info("tracking-service", {"package."}, {"tracking.updated"})).react = [](DemoService &s, const Incoming &in) {
        const std::string status =
            in.eventType.starts_with("package.") ? in.eventType.substr(std::strlen("package.")) : in.eventType;
        s.react(in, "tracking.updated", {{"trackingId", trackingOf(in.data)}, {"status", status}});
    };
    add(info("notification-service", {"package.out-for-delivery", "package.delivered", "delivery.failed"},
             {"customer.notified"}))
        .react = [](DemoService &s, const Incoming &in) {
        const char *message = in.eventType == "package.delivered" ? "Your parcel was delivered"
                              : in.eventType == "delivery.failed" ? "We missed you; we will try again"
                                                                  : "Your parcel arrives today";
        s.react(
            in, "customer.notified",
            {{"trackingId", trackingOf(in.data)}, {"channel", s.chance(0.6) ? "sms" : "push"}, {"message", message}});
    };
    add(info("billing-service", {"package.delivered"}, {"invoice.issued"})).react = [](DemoService &s,
                                                                                       const Incoming &in) {
        s.react(in, "invoice.issued", {{"trackingId", trackingOf(in.data)}, {"amount", round2(s.uniform(3, 15))}});
    };
    add(info("analytics-service", {"package.scanned", "package.delivered"}, {"analytics.recorded"})).react =
        [](DemoService &s, const Incoming &in) {
            s.react(in, "analytics.recorded",
                    {{"trackingId", trackingOf(in.data)}, {"metric", in.eventType}, {"schema", in.version}});
        };

    // Optional consumers.
    ServiceSpec &eta = add(info("eta-service", {"package.loaded", "package.out-for-delivery"}, {"eta.updated"}));
    eta.info.optional = true;
    eta.react = [](DemoService &s, const Incoming &in) {
        const int64_t hours = in.eventType == "package.loaded" ? s.between(12, 36) : s.between(1, 6);
        s.react(in, "eta.updated",
                {{"trackingId", trackingOf(in.data)},
                 {"eta", formatRfc3339(nowUtcNs() + hours * 3600 * 1'000'000'000ll, 0)}});
    };
    ServiceSpec &customs = add(info("customs-service", {"package.arrived"}, {"customs.cleared"}));
    customs.info.optional = true;
    customs.react = [](DemoService &s, const Incoming &in) {
        s.react(in, "customs.cleared",
                {{"trackingId", trackingOf(in.data)}, {"declaration", "DEC-" + std::to_string(s.between(1000, 9999))}});
    };
    return specs;
}

std::vector<ServiceSpec> specsOf(DemoSystem::Scenario scenario)
{
    return scenario == DemoSystem::Scenario::OrderSaga ? orderSaga() : logistics();
}

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
    for (ServiceSpec &spec : specsOf(scenario))
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
    for (ServiceSpec &spec : specsOf(m_options.scenario))
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
