#include "core/ingest.h"

#include "core/liverecorder.h"
#include "core/threadpriority.h"
#include "core/zmqsource.h"

#include <algorithm>
#include <cstring>

namespace eventlens {

/// One batch through the pipeline: a producer fills `data` with the frames of many
/// messages; the decoder turns them into `events` (views into `data`) and `rejects`; drain()
/// hands `data` to the store. Kept for reuse afterwards, its vectors keep their capacity.
struct Ingest::Batch {
    struct Span {
        uint32_t offset = 0;
        uint32_t length = 0;
    };
    struct Message {
        int64_t receivedNs = 0;
        uint32_t firstFrame = 0; ///< into `frames`
        uint32_t frameCount = 0;
        uint16_t origin = 0;  ///< into `origins`
        int32_t problem = -1; ///< into `problems`, when the shape is wrong
    };

    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t capacity = 0; ///< usable bytes; Decoder::kPadding more are allocated
    std::vector<Span> frames;
    std::vector<Message> messages;
    std::vector<std::string> origins;
    std::vector<std::string> problems;
    size_t accounted = 0; ///< bytes counted in flight for it

    // Filled by the decoder.
    std::vector<DecodedEvent> events;
    std::vector<EventStore::Hashes> hashes;
    std::vector<uint16_t> eventOrigins;
    std::vector<RejectedFrame> rejects;
    std::vector<uint32_t> rejectMessages; ///< the message each reject came from

    std::string_view frame(const Span &s) const { return {data.get() + s.offset, s.length}; }
    size_t footprint() const { return capacity + Decoder::kPadding + messages.capacity() * sizeof(Message); }
    void reset()
    {
        size = 0;
        frames.clear();
        messages.clear();
        origins.clear();
        problems.clear();
        events.clear();
        hashes.clear();
        eventOrigins.clear();
        rejects.clear();
        rejectMessages.clear();
        accounted = 0;
    }
};

// --- producer ---------------------------------------------------------------------------

Ingest::Producer::Producer(Ingest &ingest) : m_ingest(ingest)
{ }

Ingest::Producer::~Producer()
{
    flush();
}

void Ingest::Producer::startBatch(size_t bytes)
{
    m_batch = m_ingest.recycled();
    const size_t wanted = std::max(bytes, m_ingest.m_options.batchBytes);
    if (!m_batch->data || m_batch->capacity < wanted) {
        m_batch->data.reset(new char[wanted + Decoder::kPadding]);
        m_batch->capacity = wanted;
    }
}

uint16_t Ingest::Producer::originIndex(std::string_view endpoint)
{
    auto &origins = m_batch->origins;
    // A source has a handful of endpoints, and consecutive messages mostly share one.
    for (size_t i = origins.size(); i-- > 0;)
        if (origins[i] == endpoint)
            return static_cast<uint16_t>(i);
    origins.emplace_back(endpoint);
    return static_cast<uint16_t>(origins.size() - 1);
}

void Ingest::Producer::take(const ReceivedMessage &m)
{
    size_t bytes = 0;
    for (std::string_view f : m.frames)
        bytes += f.size();
    m_ingest.m_received.fetch_add(1, std::memory_order_relaxed);
    m_ingest.m_receivedBytes.fetch_add(bytes, std::memory_order_relaxed);

    // Over the size limit, or with a topic over its limit: keep only the head of each frame
    // (the decoder would refuse it anyway), so one huge message cannot take the queue's memory.
    std::string problem = m.problem;
    const bool tooBig = m.payload.size() > m_ingest.m_options.decoder.maxEventBytes
                        || (m.frames.size() == 2 && m.frames[0].size() > kMaxTopicBytes);
    if (problem.empty() && tooBig)
        problem = sizeLimitProblem(m.payload.size(), m_ingest.m_options.decoder);
    size_t kept = 0;
    for (std::string_view f : m.frames)
        kept += tooBig ? std::min(f.size(), RejectedFrame::kKeptBytes) : f.size();

    if (m_batch && (m_batch->size + kept > m_batch->capacity || m_batch->messages.size() >= m_ingest.m_options.batchFrames))
        flush();
    if (!m_batch || m_batch->size + kept > m_batch->capacity)
        startBatch(kept); // (an empty batch too small for this message is replaced)

    Batch &b = *m_batch;
    Batch::Message message;
    message.receivedNs = m.receivedNs;
    message.firstFrame = static_cast<uint32_t>(b.frames.size());
    message.origin = originIndex(m.endpoint);
    // A well-shaped message keeps just [topic, payload] or [payload]; any other keeps all.
    auto copy = [&](std::string_view f) {
        if (tooBig)
            f = f.substr(0, RejectedFrame::kKeptBytes);
        std::memcpy(b.data.get() + b.size, f.data(), f.size());
        b.frames.push_back({static_cast<uint32_t>(b.size), static_cast<uint32_t>(f.size())});
        b.size += f.size();
    };
    for (std::string_view f : m.frames)
        copy(f);
    message.frameCount = static_cast<uint32_t>(m.frames.size());
    if (!problem.empty()) {
        message.problem = static_cast<int32_t>(b.problems.size());
        b.problems.push_back(std::move(problem));
    }
    b.messages.push_back(message);
}

void Ingest::Producer::idle()
{
    if (m_ingest.m_queuedBatches.load(std::memory_order_relaxed) == 0)
        flush();
}

void Ingest::Producer::flush()
{
    if (m_batch && !m_batch->messages.empty())
        m_ingest.push(std::move(m_batch));
}

// --- ingest -------------------------------------------------------------------------------

Ingest::Ingest(Options options) : m_options(std::move(options))
{
    m_options.batchBytes = std::max<size_t>(m_options.batchBytes, 4096);
    m_options.batchFrames = std::max<size_t>(m_options.batchFrames, 1);
}

Ingest::Ingest() : Ingest(Options{})
{ }

Ingest::~Ingest()
{
    stop();
}

std::unique_ptr<Ingest::Producer> Ingest::producer()
{
    return std::unique_ptr<Producer>(new Producer(*this));
}

std::unique_ptr<Ingest::Batch> Ingest::recycled()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_spare.empty()) {
            auto b = std::move(m_spare.back());
            m_spare.pop_back();
            return b;
        }
    }
    return std::make_unique<Batch>();
}

void Ingest::push(std::unique_ptr<Batch> batch)
{
    batch->accounted = batch->footprint();
    const uint64_t messages = batch->messages.size();
    std::unique_lock lock(m_mutex);
    auto full = [&] { return m_inFlight > 0 && m_inFlight + batch->accounted > m_options.queueBytes; };
    if (full()) {
        const bool block = m_options.overflow == Overflow::Block || m_recording.load(std::memory_order_relaxed);
        if (block) {
            const auto waited = std::chrono::steady_clock::now();
            m_room.wait(lock, [&] { return m_stopping || !full(); });
            m_blockedNs.fetch_add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                            std::chrono::steady_clock::now() - waited)
                                                            .count()),
                                  std::memory_order_relaxed);
        }
        if (!block || m_stopping) {
            m_dropped.fetch_add(messages, std::memory_order_relaxed);
            m_droppedBytes.fetch_add(batch->size, std::memory_order_relaxed);
            batch->reset();
            m_spare.push_back(std::move(batch));
            return;
        }
    }
    m_inFlight += batch->accounted;
    m_in.push_back(std::move(batch));
    m_queuedBatches.store(m_in.size(), std::memory_order_relaxed);
    lock.unlock();
    m_queued.notify_one();
}

void Ingest::start()
{
    if (isRunning())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    m_decoderThread = std::thread([this] {
        lowerThisThreadToBackground();
        decodeLoop();
    });
}

void Ingest::stop()
{
    if (!isRunning())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_queued.notify_all();
    m_room.notify_all();
    m_decoderThread.join();
}

void Ingest::decodeLoop()
{
    Decoder decoder(m_options.decoder);
    for (;;) {
        std::unique_ptr<Batch> batch;
        {
            std::unique_lock lock(m_mutex);
            // A quiet moment: what the recording buffered goes to disk now, not at the
            // next event, so a crash during a lull loses nothing already received.
            if (!m_queued.wait_for(lock, kQuietFlush, [&] { return m_stopping || !m_in.empty(); })) {
                lock.unlock();
                flushRecording();
                continue;
            }
            if (m_in.empty())
                return; // stopping, and everything queued is decoded
            batch = std::move(m_in.front());
            m_in.pop_front();
            m_queuedBatches.store(m_in.size(), std::memory_order_relaxed);
        }
        decode(*batch, decoder);
        record(*batch);
        bool wasEmpty;
        {
            std::lock_guard lock(m_mutex);
            wasEmpty = m_out.empty();
            m_out.push_back(std::move(batch));
        }
        m_decoded.notify_all();
        if (wasEmpty && m_ready)
            m_ready();
    }
}

void Ingest::decode(Batch &b, Decoder &decoder)
{
    b.events.reserve(b.messages.size());
    b.hashes.reserve(b.messages.size());
    b.eventOrigins.reserve(b.messages.size());
    const char *end = b.data.get() + b.capacity + Decoder::kPadding;
    DecodeError error;
    std::vector<std::string_view> views;
    auto messageOf = [&](const Batch::Message &m) {
        views.clear();
        for (uint32_t i = 0; i < m.frameCount; ++i)
            views.push_back(b.frame(b.frames[m.firstFrame + i]));
        return classifyFrames(views, b.origins[m.origin], m.receivedNs);
    };
    for (uint32_t i = 0; i < b.messages.size(); ++i) {
        const Batch::Message &m = b.messages[i];
        if (m.problem < 0) {
            const std::string_view payload = b.frame(b.frames[m.firstFrame + m.frameCount - 1]);
            DecodedEvent &e = b.events.emplace_back();
            if (decoder.decode(payload, static_cast<size_t>(end - payload.data()), e, error)) {
                e.receivedNs = m.receivedNs;
                if (m.frameCount == 2) // the topic it travelled under wins over a recorded one
                    e.topic = b.frame(b.frames[m.firstFrame]);
                b.hashes.push_back(EventStore::Hashes::of(e));
                b.eventOrigins.push_back(m.origin);
                continue;
            }
            b.events.pop_back();
            b.rejects.push_back(RejectedFrame::of(messageOf(m), error.text()));
        } else {
            b.rejects.push_back(RejectedFrame::of(messageOf(m), b.problems[static_cast<size_t>(m.problem)]));
        }
        b.rejectMessages.push_back(i);
    }
    m_accepted.fetch_add(b.events.size(), std::memory_order_relaxed);
    m_rejected.fetch_add(b.rejects.size(), std::memory_order_relaxed);
}

void Ingest::record(Batch &b)
{
    if (!m_recording.load(std::memory_order_acquire))
        return;
    std::lock_guard lock(m_recorderMutex);
    if (!m_recorder || !m_recording.load(std::memory_order_relaxed))
        return;
    bool ok = true;
    for (const DecodedEvent &e : b.events)
        ok = m_recorder->record(e) && ok;
    // Rejects are written from the batch's bytes, so the rejects file has whole frames
    // (only the copies kept in memory are cut short).
    std::vector<std::string_view> views;
    for (size_t r = 0; r < b.rejects.size(); ++r) {
        const Batch::Message &m = b.messages[b.rejectMessages[r]];
        views.clear();
        for (uint32_t f = 0; f < m.frameCount; ++f)
            views.push_back(b.frame(b.frames[m.firstFrame + f]));
        ok = m_recorder->reject(classifyFrames(views, b.origins[m.origin], m.receivedNs), b.rejects[r].reason) && ok;
    }
    if (!ok)
        recordingFailed();
}

void Ingest::recordingFailed()
{
    // A recording that cannot be written stops at once: nothing more is buffered for it,
    // the sources no longer wait for it (Overflow::Block was for its sake) and the owner
    // sees isRecording() go false with recordingError() saying why. The recorder stays
    // attached until setRecorder() takes it, with its counts.
    m_recordFailures.fetch_add(1, std::memory_order_relaxed);
    m_recordingError = m_recorder->error();
    m_recording.store(false, std::memory_order_release);
}

void Ingest::flushRecording()
{
    if (!m_recording.load(std::memory_order_acquire))
        return;
    std::lock_guard lock(m_recorderMutex);
    if (m_recorder && m_recording.load(std::memory_order_relaxed) && !m_recorder->flush())
        recordingFailed();
}

std::unique_ptr<LiveRecorder> Ingest::setRecorder(std::unique_ptr<LiveRecorder> recorder)
{
    std::lock_guard lock(m_recorderMutex);
    std::swap(recorder, m_recorder);
    m_recordingError.clear();
    m_recording.store(m_recorder != nullptr, std::memory_order_release);
    return recorder;
}

std::string Ingest::recordingError() const
{
    std::lock_guard lock(m_recorderMutex);
    return m_recordingError;
}

Ingest::Drained Ingest::drain(EventStore &store, std::vector<RejectedFrame> &rejects,
                              std::chrono::steady_clock::duration budget)
{
    Drained d;
    d.firstEvent = d.endEvent = store.endIndex();
    const auto deadline = std::chrono::steady_clock::now() + budget;
    std::vector<uint16_t> storeOrigins;
    do {
        std::unique_ptr<Batch> b;
        {
            std::lock_guard lock(m_mutex);
            if (m_out.empty())
                break;
            b = std::move(m_out.front());
            m_out.pop_front();
        }
        storeOrigins.clear();
        for (const std::string &o : b->origins)
            storeOrigins.push_back(store.addOrigin(o));
        const size_t n = b->events.size();
        if (n) {
            // The store keeps the batch's bytes; the batch gets a fresh buffer when reused.
            store.adoptBuffer(std::move(b->data), b->size);
            b->capacity = 0;
            constexpr size_t kAhead = 8;
            for (size_t i = 0; i < std::min(n, kAhead); ++i)
                store.prefetch(b->hashes[i]);
            for (size_t i = 0; i < n; ++i) {
                if (i + kAhead < n)
                    store.prefetch(b->hashes[i + kAhead]);
                store.append(b->events[i], b->hashes[i], storeOrigins[b->eventOrigins[i]], 0);
            }
        }
        d.rejects += b->rejects.size();
        std::move(b->rejects.begin(), b->rejects.end(), std::back_inserter(rejects));
        m_appended.fetch_add(n, std::memory_order_relaxed);
        ++d.batches;
        const size_t accounted = b->accounted;
        b->reset();
        {
            std::lock_guard lock(m_mutex);
            m_inFlight -= accounted;
            if (m_spare.size() < 8)
                m_spare.push_back(std::move(b));
        }
        m_room.notify_all();
    } while (std::chrono::steady_clock::now() < deadline);
    d.endEvent = store.endIndex();
    return d;
}

bool Ingest::waitForDecoded(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    return m_decoded.wait_for(lock, timeout, [&] { return !m_out.empty(); });
}

Ingest::Stats Ingest::stats() const
{
    Stats s;
    s.received = m_received.load(std::memory_order_relaxed);
    s.receivedBytes = m_receivedBytes.load(std::memory_order_relaxed);
    s.dropped = m_dropped.load(std::memory_order_relaxed);
    s.droppedBytes = m_droppedBytes.load(std::memory_order_relaxed);
    s.blockedNs = m_blockedNs.load(std::memory_order_relaxed);
    s.accepted = m_accepted.load(std::memory_order_relaxed);
    s.rejected = m_rejected.load(std::memory_order_relaxed);
    s.appended = m_appended.load(std::memory_order_relaxed);
    s.recordFailures = m_recordFailures.load(std::memory_order_relaxed);
    {
        std::lock_guard lock(m_mutex);
        s.inFlightBytes = m_inFlight;
    }
    return s;
}

} // namespace eventlens
