// DemoService's larger members, out of line: opening its sockets on a new thread and the
// loop that thread runs (polling the control pair, the bus and the handshake monitors,
// firing due timers and starting flows), receiving and deduplicating events, and building,
// stamping and publishing events by the contract (with the injected redeliveries, clock
// skew and schema versions the knobs ask for). The class itself, with its small inline
// members, is declared in demoservice.h.
#include "core/demoservice.h"

#include "core/rfc3339.h"
#include "core/threadpriority.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

namespace eventlens {

namespace {

std::atomic<int> g_instances{0};

constexpr auto kNoPublisherSubscription = std::chrono::seconds(1);
constexpr size_t kRememberedIds = 100000; ///< per service, for deduplication

uint64_t fnv1a(std::string_view s)
{
    uint64_t h = 1469598103934665603ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace

using demo_detail::intField;
using demo_detail::Root;
using demo_detail::stringField;

struct DemoService::Monitor {
    Monitor(zmq::context_t &context, zmq::socket_t &watched) : pair(context, zmq::socket_type::pair), socket(&watched)
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

std::string DemoService::start()
{
    const std::string control = "inproc://eventlens-demo-control-" + std::to_string(g_instances++);
    m_control = std::make_unique<zmq::socket_t>(m_shared.context, zmq::socket_type::pair);
    m_control->set(zmq::sockopt::linger, 0);
    m_control->bind(control);
    // Shared with the thread: it may still be inside set_value() when get() returns.
    auto opened = std::make_shared<std::promise<std::string>>();
    auto ready = opened->get_future();
    m_thread = std::thread([this, control, opened] {
        lowerThisThreadToBackground();
        run(control, *opened);
    });
    std::string error = ready.get();
    if (!error.empty()) {
        m_thread.join();
        m_control.reset();
    }
    return error;
}

void DemoService::react(const Incoming &cause, std::string type, Json data)
{
    const DemoSystem::Lag lag = lagOf(name());
    const double ms = std::max(0.0, lag.meanMs + (lag.spreadMs > 0 ? uniform(-lag.spreadMs, lag.spreadMs) : 0));
    schedule(
        Clock::now() + std::chrono::microseconds(static_cast<int64_t>(ms * 1000)),
        [this, type = std::move(type), data = std::move(data), correlation = cause.correlationId,
         causation = cause.eventId]() mutable { publish(type, correlation, causation, std::move(data), 1, Json()); });
}

std::string DemoService::uuid()
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

void DemoService::publish(const std::string &type, const std::string &correlation, const std::string &causation,
                          Json data, int version, Json metadata, std::string eventId)
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

void DemoService::startFlow()
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

DemoService::Clock::time_point DemoService::nextFlowAfter(Clock::time_point from)
{
    const double share = m_spec.rootVersion == 2 ? m_knobs.v2Share : 1 - m_knobs.v2Share;
    const double rate = m_knobs.rate * share;
    if (!(rate > 0))
        return Clock::time_point::max();
    const double seconds = std::exponential_distribution<double>(rate)(m_rng);
    return from + std::chrono::microseconds(static_cast<int64_t>(std::min(seconds, 3600.0) * 1e6));
}

void DemoService::receive(std::string_view payload)
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

void DemoService::refreshKnobs()
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

void DemoService::run(const std::string &controlEndpoint, std::promise<std::string> &opened)
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
        opened.set_value("cannot connect to the bus's publishers endpoint " + m_shared.publishers + ": " + e.what());
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

} // namespace eventlens
