#include "core/session.h"

#include "core/liverecorder.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace eventlens {

Session::Session(zmq::context_t &context) : Session(context, Options{})
{ }

Session::Session(zmq::context_t &context, Options options)
    : m_context(context), m_options(std::move(options)), m_store(m_options.store), m_ingest(m_options.ingest)
{
    m_ingest.start();
}

Session::~Session()
{
    m_observers.clear(); // whoever observed may already be gone
    stop();
}

bool Session::startBus(const EmbeddedBus::Options &options, std::string &error)
{
    stopBus();
    if (!m_ingest.isRunning())
        m_ingest.start();
    m_bus = std::make_unique<EmbeddedBus>(m_context, options);
    m_bus->setCurve(m_curve);
    m_busProducer = m_ingest.producer();
    Ingest::Producer *producer = m_busProducer.get();
    m_bus->setTap([producer](std::span<const std::string_view> frames, int64_t receivedNs) {
        producer->take(classifyFrames(frames, "bus", receivedNs));
    });
    m_bus->setTapFlush([producer] { producer->idle(); });
    if (!m_bus->start()) {
        error = m_bus->error();
        m_bus.reset();
        m_busProducer.reset();
        return false;
    }
    return true;
}

void Session::stopBus()
{
    if (!m_bus)
        return;
    m_bus->stop();
    m_busProducer.reset(); // the bus thread is gone: passes on its last batch here
    // m_bus stays, so its final statistics can still be read.
}

void Session::connect(const ZmqSource::Endpoint &endpoint)
{
    if (!m_ingest.isRunning())
        m_ingest.start();
    if (!m_source) {
        m_sourceProducer = m_ingest.producer();
        Ingest::Producer *producer = m_sourceProducer.get();
        m_source = std::make_unique<ZmqSource>(m_context, [producer](const ReceivedMessage &m) { producer->take(m); });
        m_source->setFlush([producer] { producer->idle(); });
        m_source->setReceiveHighWaterMark(m_options.receiveHighWaterMark);
        m_source->setCurve(m_curve);
        m_source->start({endpoint});
        return;
    }
    m_source->addEndpoint(endpoint);
}

void Session::disconnect(const std::string &address)
{
    if (m_source)
        m_source->removeEndpoint(address);
}

std::vector<ZmqSource::EndpointState> Session::endpoints() const
{
    return m_source ? m_source->states() : std::vector<ZmqSource::EndpointState>{};
}

bool Session::startRecording(const std::string &path, std::string &error)
{
    if (isRecording()) {
        error = "already recording to " + m_recordingPath;
        return false;
    }
    auto recorder = std::make_unique<LiveRecorder>(m_options.ingest.decoder);
    if (!recorder->open(path)) {
        error = recorder->error();
        return false;
    }
    m_recordingPath = path;
    m_ingest.setRecorder(std::move(recorder));
    return true;
}

Session::RecordingResult Session::stopRecording()
{
    RecordingResult result;
    std::unique_ptr<LiveRecorder> recorder = m_ingest.setRecorder(nullptr);
    if (!recorder)
        return result;
    result.error = m_ingest.recordingError();
    if (!recorder->close() && result.error.empty())
        result.error = recorder->error();
    result.path = m_recordingPath;
    result.events = recorder->eventsWritten();
    result.rejected = recorder->rejected();
    result.eventsLost = recorder->eventsLost();
    result.rejectsNotWritten = recorder->rejectsNotWritten();
    result.rejectBytesNotWritten = recorder->rejectBytesNotWritten();
    if (result.rejected > result.rejectsNotWritten)
        result.rejectsPath = recorder->rejectsPath();
    return result;
}

void Session::stop()
{
    // The inputs stop on another thread while this one keeps draining: a source blocked
    // for room in the queue (Overflow::Block) gets it, so stopping neither hangs nor loses
    // what was already received.
    std::atomic<bool> stopped{false};
    std::thread stopper([&] {
        stopBus();
        if (m_source) {
            m_source->stop();
            m_sourceProducer.reset(); // passes on its last batch
        }
        stopped = true;
    });
    while (!stopped) {
        poll();
        m_ingest.waitForDecoded(std::chrono::milliseconds(5));
    }
    stopper.join();
    m_ingest.stop(); // decodes (and records) everything still queued
    while (!poll(std::chrono::seconds(1)).empty()) { }
    stopRecording(); // also one that failed: it is closed, and nothing waits for it
}

Session::Update Session::poll(std::chrono::steady_clock::duration budget)
{
    m_newRejects.clear();
    const Ingest::Drained d = m_ingest.drain(m_store, m_newRejects, budget);
    Update u;
    u.firstEvent = d.firstEvent;
    u.endEvent = d.endEvent;
    u.newRejects = m_newRejects.size();
    u.rejectsArrived = m_newRejects.size();
    for (RejectedFrame &r : m_newRejects)
        m_rejects.push_back(std::move(r));
    while (m_rejects.size() > m_options.keptRejects) {
        m_rejects.pop_front();
        ++m_rejectsForgotten;
    }
    u.newRejects = std::min(u.newRejects, m_rejects.size());
    if (!u.empty())
        for (const Observer &o : m_observers)
            o(u);
    return u;
}

std::vector<std::string> Session::securityWarnings() const
{
    std::vector<std::string> all;
    if (m_bus && m_bus->isRunning())
        all = m_bus->warnings();
    if (m_source)
        for (std::string &w : m_source->warnings())
            all.push_back(std::move(w));
    std::stable_partition(all.begin(), all.end(), [](const std::string &w) { return w.starts_with("INSECURE"); });
    return all;
}

ZapHandler::Stats Session::curveStats() const
{
    ZapHandler::Stats total = m_bus ? m_bus->curveStats() : ZapHandler::Stats{};
    if (m_source) {
        const ZapHandler::Stats s = m_source->curveStats();
        total.allowed += s.allowed;
        total.refused += s.refused;
        total.recent.insert(total.recent.end(), s.recent.begin(), s.recent.end());
        std::stable_sort(total.recent.begin(), total.recent.end(),
                         [](const CurveRefusal &a, const CurveRefusal &b) { return a.timeNs < b.timeNs; });
    }
    return total;
}

Session::Stats Session::stats() const
{
    Stats s;
    s.ingest = m_ingest.stats();
    if (m_bus)
        s.bus = m_bus->stats();
    s.rejectsForgotten = m_rejectsForgotten;
    return s;
}

} // namespace eventlens
