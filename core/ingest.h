#pragma once

#include "core/decoder.h"
#include "core/eventstore.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace eventlens {

class LiveRecorder;
struct ReceivedMessage;
struct RejectedFrame;

/// What the ingest does with frames when its queue is full.
enum class Overflow {
    Block, ///< the source waits (ZeroMQ then queues, up to its high-water mark): nothing lost here
    Drop,  ///< the frames are discarded and counted as dropped: the source never waits
};

/// The live ingest pipeline: sources → bounded queue → decoding → the store.
///
/// A source thread gets a Producer and hands it every message it receives; the producer
/// copies the frames into a large batch buffer (the one copy between ZeroMQ and the store)
/// and passes the batch on when it is full or when the source has nothing more to read.
/// A decoder thread validates and decodes each batch with simdjson and, when a recording
/// is attached, writes it (events and rejects alike). The store's owner thread calls
/// drain(): whole batches are appended — the buffer is adopted, not copied again — and
/// one call reports them all, so observers hear once per drain, never once per event.
///
/// Bytes in flight (queued, being decoded, waiting to be drained) are bounded by
/// Options::queueBytes; when a batch would exceed it the Overflow policy decides. While a
/// recording is attached the policy is Block, whatever the option says: a recording
/// must be complete.
class Ingest {
public:
    struct Options {
        DecoderOptions decoder;
        Overflow overflow = Overflow::Block;
        size_t queueBytes = 256u * 1024 * 1024; ///< bytes in flight before Overflow applies
        size_t batchBytes = 1024u * 1024;       ///< a producer passes its batch on at this size...
        size_t batchFrames = 4096;              ///< ...or at this many messages
    };
    struct Stats {
        uint64_t received = 0;      ///< messages sources handed in
        uint64_t receivedBytes = 0; ///< their frames' bytes
        uint64_t dropped = 0;       ///< messages discarded because the queue was full (Overflow::Drop)
        uint64_t droppedBytes = 0;
        uint64_t blockedNs = 0; ///< time sources waited for room (Overflow::Block)
        uint64_t accepted = 0;  ///< decoded events
        uint64_t rejected = 0;  ///< messages that are not events (shape, JSON, contract)
        uint64_t appended = 0;  ///< events drained into the store
        uint64_t inFlightBytes = 0;
        uint64_t recordFailures = 0; ///< batches the recording could not take (see recordingError())
    };
    /// What one drain() moved into the store.
    struct Drained {
        uint32_t firstEvent = 0; ///< store indexes [firstEvent, endEvent) are new
        uint32_t endEvent = 0;
        size_t rejects = 0; ///< RejectedFrames appended to the caller's list
        size_t batches = 0;
        bool empty() const { return batches == 0; }
    };

    struct Batch; ///< frames gathered by a producer, later their decoded events

    /// Feeds the ingest from one source thread. Not thread-safe: one per thread.
    class Producer {
    public:
        ~Producer(); ///< passes on what it holds
        Producer(const Producer &) = delete;
        Producer &operator=(const Producer &) = delete;

        /// Takes one message; its bytes are copied, so the caller may reuse them at once.
        void take(const ReceivedMessage &message);
        /// Passes the gathered messages on.
        void flush();
        /// The source has nothing more to read right now: passes the batch on if the decoder
        /// is waiting for work, else lets it grow. A quiet system sees each event at once; a
        /// busy one hands over fewer, larger batches (fewer wake-ups). Sources call this
        /// after each burst and on their quiet tick, so a batch never waits for long.
        void idle();

    private:
        friend class Ingest;
        explicit Producer(Ingest &ingest);
        void startBatch(size_t bytes);
        uint16_t originIndex(std::string_view endpoint);

        Ingest &m_ingest;
        std::unique_ptr<Batch> m_batch;
    };

    explicit Ingest(Options options);
    Ingest();
    ~Ingest(); ///< stops
    Ingest(const Ingest &) = delete;
    Ingest &operator=(const Ingest &) = delete;

    /// A producer for one source thread. Producers must be gone before stop().
    std::unique_ptr<Producer> producer();

    void start(); ///< starts the decoder thread
    /// Decodes (and records) what is queued, then stops the decoder thread; what it
    /// decoded can still be drained. A producer blocked for room gives up (counted as dropped).
    void stop();
    bool isRunning() const { return m_decoderThread.joinable(); }

    /// Attaches (or, with nullptr, detaches) a recording. The decoder thread writes every
    /// batch it decodes from now on; detaching waits for the batch being written and
    /// returns the recorder, so its counts are final and it can be closed.
    std::unique_ptr<LiveRecorder> setRecorder(std::unique_ptr<LiveRecorder> recorder);
    /// True while a recording is attached and writing; false at once when writing fails.
    bool isRecording() const { return m_recording.load(std::memory_order_relaxed); }
    /// Why writing the recording failed (empty while it works). A failed recording stops
    /// (isRecording() false) but stays attached until setRecorder() takes it.
    std::string recordingError() const;

    /// On the store's owner thread: appends decoded batches to `store` (and their rejects to
    /// `rejects`) until none is left or `budget` is spent (at least one batch is taken).
    Drained drain(EventStore &store, std::vector<RejectedFrame> &rejects,
                  std::chrono::steady_clock::duration budget = std::chrono::milliseconds(10));
    /// Blocks until a decoded batch is ready to drain or `timeout` passes.
    bool waitForDecoded(std::chrono::milliseconds timeout);
    /// Called on the decoder thread when a batch becomes ready and none was waiting — a GUI
    /// posts itself an event here. Set before start().
    void setReadyCallback(std::function<void()> callback) { m_ready = std::move(callback); }

    Stats stats() const;
    const Options &options() const { return m_options; }

private:
    void push(std::unique_ptr<Batch> batch);
    void decodeLoop();
    void decode(Batch &batch, Decoder &decoder);
    void record(Batch &batch);
    void flushRecording();
    void recordingFailed(); ///< with m_recorderMutex held
    /// After this long without input the decoder flushes the recording.
    static constexpr std::chrono::milliseconds kQuietFlush{100};
    std::unique_ptr<Batch> recycled();

    Options m_options;
    std::thread m_decoderThread;
    std::function<void()> m_ready;

    mutable std::mutex m_mutex;
    std::condition_variable m_queued;  ///< a batch waits for the decoder, or stop
    std::condition_variable m_room;    ///< bytes in flight went down, or stop
    std::condition_variable m_decoded; ///< a batch waits for drain()
    std::deque<std::unique_ptr<Batch>> m_in, m_out;
    std::atomic<size_t> m_queuedBatches{0}; ///< m_in.size(), readable without the lock
    std::vector<std::unique_ptr<Batch>> m_spare; ///< drained batches, for producers to reuse
    size_t m_inFlight = 0;
    bool m_stopping = false;

    mutable std::mutex m_recorderMutex; ///< held while a batch is being recorded
    std::unique_ptr<LiveRecorder> m_recorder;
    std::string m_recordingError;
    std::atomic<bool> m_recording{false};

    std::atomic<uint64_t> m_received{0}, m_receivedBytes{0}, m_dropped{0}, m_droppedBytes{0}, m_blockedNs{0},
        m_accepted{0}, m_rejected{0}, m_appended{0}, m_recordFailures{0};
};

} // namespace eventlens
