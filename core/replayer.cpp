#include "core/replayer.h"

#include "core/event.h"
#include "core/eventstore.h"
#include "core/rfc3339.h"
#include "core/threadpriority.h"

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>

namespace eventlens {

namespace {

using Clock = std::chrono::steady_clock;

double clampSpeed(double speed)
{
    return std::clamp(speed, Replayer::kMinSpeed, Replayer::kMaxSpeed);
}

std::atomic<int> g_instances{0};

} // namespace

Replayer::Replayer(zmq::context_t &context, const EventStore &store, Options options)
    : m_context(context), m_store(store), m_options(std::move(options)), m_position(kNoTime)
{
    m_options.speed = clampSpeed(m_options.speed);
}

Replayer::~Replayer()
{
    stop();
}

bool Replayer::start()
{
    if (isRunning())
        return true;
    m_error.clear();
    m_finished = false;
    m_published = 0;
    m_order = m_store.inTimeRange(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    const std::string control = "inproc://eventlens-replay-control-" + std::to_string(g_instances++);
    m_control = std::make_unique<zmq::socket_t>(m_context, zmq::socket_type::pair);
    m_control->set(zmq::sockopt::linger, 0);
    m_control->bind(control);

    // The thread opens its socket and says whether that worked before replaying.
    std::promise<std::string> opened;
    auto ready = opened.get_future();
    m_thread = std::thread([this, control, &opened] {
        lowerThisThreadToBackground();
        zmq::socket_t pub(m_context, zmq::socket_type::xpub);
        pub.set(zmq::sockopt::linger, 0);
        // As fast as possible must be neither lossy nor unbounded: with NODROP a full queue
        // makes send() wait (see run()) instead of dropping, and memory stays at the mark.
        pub.set(zmq::sockopt::sndhwm, kSendHighWaterMark);
        pub.set(zmq::sockopt::xpub_nodrop, 1);
        try {
            if (m_options.bind)
                pub.bind(m_options.endpoint);
            else
                pub.connect(m_options.endpoint);
        } catch (const zmq::error_t &e) {
            opened.set_value(std::string(m_options.bind ? "cannot bind " : "cannot connect to ") + m_options.endpoint
                             + ": " + e.what());
            return;
        }
        opened.set_value({});
        run(control, std::move(pub));
    });
    m_error = ready.get();
    if (!m_error.empty()) {
        m_thread.join();
        m_control.reset();
        return false;
    }
    return true;
}

void Replayer::send(const std::string &command)
{
    if (m_control)
        m_control->send(zmq::buffer(command), zmq::send_flags::none);
}

void Replayer::stop()
{
    if (!isRunning())
        return;
    send("stop");
    m_thread.join();
    m_control.reset();
}

void Replayer::pause()
{
    send("pause");
}

void Replayer::resume()
{
    send("resume");
}

void Replayer::setSpeed(double speed)
{
    send("speed " + std::to_string(clampSpeed(speed)));
}

void Replayer::seek(int64_t eventTimeNs)
{
    send("seek " + std::to_string(eventTimeNs));
}

void Replayer::run(std::string controlEndpoint, zmq::socket_t pub)
{
    zmq::socket_t control(m_context, zmq::socket_type::pair);
    control.set(zmq::sockopt::linger, 0);
    control.connect(controlEndpoint);

    auto time = [&](size_t i) { return m_store.record(m_order[i]).timestampNs; };
    double speed = m_options.speed;
    bool paused = false;
    size_t next = 0;
    Clock::time_point wallStart = Clock::now();
    int64_t eventStart = m_order.empty() ? 0 : time(0);
    auto rebase = [&] { // timing continues from the next event, now
        wallStart = Clock::now();
        eventStart = next < m_order.size() ? time(next) : 0;
    };

    // Returns false on stop. Waits at most `timeoutMs` (-1: until a command).
    auto handleControl = [&](long timeoutMs) {
        std::array<zmq::pollitem_t, 2> items{{{control.handle(), 0, ZMQ_POLLIN, 0}, {pub.handle(), 0, ZMQ_POLLIN, 0}}};
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(timeoutMs));
        if (items[1].revents & ZMQ_POLLIN) { // subscriptions: nothing to do but read them
            zmq::message_t sub;
            while (pub.recv(sub, zmq::recv_flags::dontwait)) { }
        }
        if (!(items[0].revents & ZMQ_POLLIN))
            return true;
        zmq::message_t message;
        (void)control.recv(message);
        const std::string command = message.to_string();
        if (command == "stop")
            return false;
        if (command == "pause") {
            paused = true;
        } else if (command == "resume") {
            paused = false;
            rebase();
        } else if (command.starts_with("speed ")) {
            speed = std::stod(command.substr(6));
            rebase();
        } else if (command.starts_with("seek ")) {
            const int64_t target = std::stoll(command.substr(5));
            next = static_cast<size_t>(
                std::partition_point(m_order.begin(), m_order.end(),
                                     [&](uint32_t i) { return m_store.record(i).timestampNs < target; })
                - m_order.begin());
            m_finished = false;
            rebase();
        }
        return true;
    };

    // Wait until the bus (or any subscriber) has subscribed: events sent before would be lost.
    {
        const auto deadline = Clock::now() + std::chrono::milliseconds(m_options.waitForSubscriberMs);
        for (;;) {
            std::array<zmq::pollitem_t, 2> items{
                {{control.handle(), 0, ZMQ_POLLIN, 0}, {pub.handle(), 0, ZMQ_POLLIN, 0}}};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0)
                break;
            zmq::poll(items.data(), items.size(), left);
            if (items[0].revents & ZMQ_POLLIN) {
                zmq::message_t message;
                (void)control.recv(message);
                if (message.to_string() == "stop")
                    return;
            }
            if (items[1].revents & ZMQ_POLLIN)
                break;
        }
        rebase();
    }

    std::string payload;
    uint32_t sinceCheck = 0;
    for (;;) {
        if (next >= m_order.size()) {
            if (m_options.loop && !m_order.empty()) {
                next = 0;
                rebase();
            } else {
                m_finished = true;
                if (!handleControl(-1))
                    return;
                continue;
            }
        }
        if (paused) {
            if (!handleControl(-1))
                return;
            continue;
        }
        if (!m_options.asFastAsPossible) {
            const auto due =
                wallStart
                + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(time(next) - eventStart) / speed));
            const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
            if (wait.count() > 0) {
                if (!handleControl(wait.count()))
                    return;
                continue; // a command may have changed what is next
            }
        }
        if (++sinceCheck >= 256 || !m_options.asFastAsPossible) {
            sinceCheck = 0;
            if (!handleControl(0))
                return;
            if (paused || next >= m_order.size())
                continue;
        }

        const uint32_t index = m_order[next];
        const EventRecord &r = m_store.record(index);
        const std::string_view raw = m_store.raw(index);
        payload.assign(raw.substr(0, r.eventLength)).push_back('}'); // without the recorder's member
        if (m_options.restamp) {
            nlohmann::json event = nlohmann::json::parse(payload, nullptr, false);
            if (event.is_object()) {
                event[(r.flags & CloudEvent) ? "time" : "timestamp"] = formatRfc3339(nowUtcNs(), 6);
                payload = event.dump();
            }
        }
        const std::string_view topic =
            r.topic != EventStore::kNoName ? m_store.topicName(r.topic) : m_store.typeName(r.type);
        if (!pub.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
            // The queue is full (a slow subscriber): wait for room or a command, then take
            // this step again, since a command may have changed what is next.
            std::array<zmq::pollitem_t, 2> items{
                {{control.handle(), 0, ZMQ_POLLIN, 0}, {pub.handle(), 0, ZMQ_POLLOUT, 0}}};
            zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
            if ((items[0].revents & ZMQ_POLLIN) && !handleControl(0))
                return;
            continue;
        }
        pub.send(zmq::buffer(payload), zmq::send_flags::none); // the rest of a message always fits
        m_position = r.timestampNs;
        ++m_published;
        ++next;
    }
}

} // namespace eventlens
