#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace eventlens {

class EventStore;

/// Publishes a recording onto a bus endpoint, keeping the events' relative timing at ×N
/// speed (or as fast as possible), with pause, resume, seek and loop. Frames are
/// `[topic, json]`: the recorded topic, else the eventType; the JSON is the event as it was
/// received (the recorder's member removed), optionally re-stamped to now.
///
/// Runs on its own thread with its own socket (an XPUB, so it can wait until somebody
/// subscribed before the first event: nothing is lost to the slow-joiner problem). The
/// store must outlive the replayer and not change while it runs. Control calls come
/// from one thread (the owner's) over an inproc socket.
class Replayer {
public:
    /// Messages queued for the endpoint before publishing waits for room (never drops).
    static constexpr int kSendHighWaterMark = 100'000;

    struct Options {
        std::string endpoint = "tcp://127.0.0.1:5555"; ///< where to publish (the bus's publisher side)
        bool bind = false;                             ///< bind instead of connect
        double speed = 1.0;                            ///< 0.1 … 1000
        bool asFastAsPossible = false;
        bool loop = false;
        bool restamp = false;           ///< replace each timestamp with the time it is published
        int waitForSubscriberMs = 5000; ///< then publish anyway
    };

    Replayer(zmq::context_t &context, const EventStore &store, Options options);
    ~Replayer(); ///< stops
    Replayer(const Replayer &) = delete;
    Replayer &operator=(const Replayer &) = delete;

    /// False with error() when the endpoint is unusable.
    bool start();
    void stop();
    void pause();
    void resume();
    void setSpeed(double speed);
    /// Continues from the first event at or after this event time.
    void seek(int64_t eventTimeNs);

    bool isRunning() const { return m_thread.joinable(); }
    bool finished() const { return m_finished.load(); } ///< reached the end (never, with loop)
    uint64_t published() const { return m_published.load(); }
    /// Event time of the last published event (kNoTime before the first).
    int64_t position() const { return m_position.load(); }
    const std::string &error() const { return m_error; }

    static constexpr double kMinSpeed = 0.1, kMaxSpeed = 1000;

private:
    void run(std::string control, zmq::socket_t pub);
    void send(const std::string &command);

    zmq::context_t &m_context;
    const EventStore &m_store;
    Options m_options;
    std::vector<uint32_t> m_order; ///< events by time
    std::thread m_thread;
    std::unique_ptr<zmq::socket_t> m_control;
    std::string m_error;
    std::atomic<bool> m_finished{false};
    std::atomic<uint64_t> m_published{0};
    std::atomic<int64_t> m_position;
};

} // namespace eventlens
