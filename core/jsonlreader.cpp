#include "core/jsonlreader.h"

#include "core/eventstore.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace eventlens {

namespace {

struct Decoded {
    DecodedEvent event;
    EventStore::Hashes hashes;
    uint64_t line;
};

/// One block of the file, decoded: what the writer thread appends in one go.
struct Batch {
    std::unique_ptr<char[]> buffer;
    size_t size = 0; ///< bytes of buffer that hold whole lines
    std::vector<Decoded> events;
    std::vector<RejectedLine> rejected;
    uint64_t lines = 0;
    uint64_t bytesDone = 0;
    bool last = false;
    std::optional<RejectedLine> tail;
    std::string error; ///< read error: the load fails
};

bool isBlank(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

RejectedLine rejected(uint64_t line, std::string reason, std::string_view bytes)
{
    return {line, std::move(reason), std::string(bytes.substr(0, RejectedLine::kKeptBytes))};
}

/// Reads and decodes blocks. Runs on the reader thread (or inline when not parallel).
class Producer {
public:
    Producer(int fd, const JsonlReader::Options &options)
        : m_fd(fd)
        , m_options(options)
        , m_decoder(options.decoder)
    {
    }

    /// The next batch; its `last` is set at end of file or on error.
    Batch next()
    {
        Batch batch;
        // At least one padding's worth: a zero block size would never reach the end of the file.
        size_t capacity = std::max({m_options.blockSize, Decoder::kPadding, m_carry.size() * 2});
        batch.buffer = std::make_unique_for_overwrite<char[]>(capacity + Decoder::kPadding);
        size_t filled = m_carry.size();
        std::memcpy(batch.buffer.get(), m_carry.data(), m_carry.size());
        m_carry.clear();

        bool eof = false;
        while (filled < capacity) {
            const ssize_t n = ::read(m_fd, batch.buffer.get() + filled, capacity - filled);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                batch.error = std::strerror(errno);
                batch.last = true;
                return batch;
            }
            if (n == 0) {
                eof = true;
                break;
            }
            filled += static_cast<size_t>(n);
            m_bytesDone += static_cast<uint64_t>(n);
        }
        std::memset(batch.buffer.get() + filled, ' ', Decoder::kPadding);
        batch.bytesDone = m_bytesDone;

        char *data = batch.buffer.get();
        size_t start = 0;
        if (m_firstBlock) {
            m_firstBlock = false;
            if (filled >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0)
                start = 3; // a UTF-8 BOM at the start of the file
        }

        // Whole lines only; a partial last line moves to the next block.
        size_t end = filled;
        if (!eof) {
            const void *lastNewline = memrchr(data + start, '\n', filled - start);
            end = lastNewline ? static_cast<size_t>(static_cast<const char *>(lastNewline) - data) + 1 : start;
            if (end == start) {
                // No newline in a whole block: a very long line. A CR at the end of the block
                // may be the first half of its CRLF, which is not part of the event.
                const bool endsInCr = data[filled - 1] == '\r';
                if (m_skipping || filled - start - endsInCr > m_options.decoder.maxEventBytes) {
                    // Too big to ever be accepted: count it and drop its bytes as they come.
                    if (!m_skipping) {
                        m_skipping = true;
                        m_skippedBytes = 0;
                        m_skippedHead.clear();
                    }
                    keepHead(data + start, filled - start);
                    m_skippedBytes += filled - start;
                    m_skippedEndsInCr = endsInCr;
                    batch.size = 0;
                    return batch;
                }
                m_carry.assign(data + start, filled - start); // grow the next block to fit
                batch.size = 0;
                return batch;
            }
            m_carry.assign(data + end, filled - end);
        }
        batch.size = end;

        size_t pos = start;
        if (m_skipping) {
            const char *nl = static_cast<const char *>(std::memchr(data + pos, '\n', end - pos));
            const size_t lineEnd = nl ? static_cast<size_t>(nl - data) : end;
            m_skippedBytes += lineEnd - pos;
            keepHead(data + pos, lineEnd - pos);
            ++m_line;
            ++batch.lines;
            if (nl) {
                // Count the event's bytes as the decoder would: without the CR of a CRLF.
                if (lineEnd > pos ? data[lineEnd - 1] == '\r' : m_skippedEndsInCr) {
                    --m_skippedBytes;
                    if (m_skippedHead.size() > m_skippedBytes)
                        m_skippedHead.resize(m_skippedBytes);
                }
                batch.rejected.push_back(rejected(m_line,
                                                  "event is " + std::to_string(m_skippedBytes)
                                                      + " bytes, over the limit of "
                                                      + std::to_string(m_options.decoder.maxEventBytes) + " bytes",
                                                  m_skippedHead));
            } else {
                // End of file inside the line (only then is there no newline here): a torn tail.
                batch.tail = rejected(m_line, "truncated final line (no newline at end of file) of "
                                                  + std::to_string(m_skippedBytes) + " bytes",
                                      m_skippedHead);
            }
            m_skipping = false;
            pos = nl ? lineEnd + 1 : end;
        }

        // A guess, not a count: counting newlines costs as much as a third of decoding.
        batch.events.reserve((end - pos) / 128 + 1);
        DecodeError error;
        while (pos < end) {
            const char *nl = static_cast<const char *>(std::memchr(data + pos, '\n', end - pos));
            const bool terminated = nl != nullptr;
            size_t lineEnd = terminated ? static_cast<size_t>(nl - data) : end;
            const size_t next = terminated ? lineEnd + 1 : end;
            ++m_line;
            ++batch.lines;
            if (lineEnd > pos && data[lineEnd - 1] == '\r')
                --lineEnd; // CRLF
            const std::string_view line(data + pos, lineEnd - pos);
            if (!isBlank(line)) {
                Decoded &d = batch.events.emplace_back();
                if (m_decoder.decode(line, filled + Decoder::kPadding - pos, d.event, error)) {
                    d.hashes = EventStore::Hashes::of(d.event);
                    d.line = m_line;
                } else {
                    batch.events.pop_back();
                    if (terminated)
                        batch.rejected.push_back(rejected(m_line, error.text(), line));
                    else
                        batch.tail = rejected(m_line, "truncated final line (no newline at end of file): " + error.text(),
                                              line);
                }
            }
            pos = next;
        }
        if (eof)
            batch.last = true;
        return batch;
    }

private:
    /// Keeps the first kKeptBytes of a line being skipped, whatever the block size.
    void keepHead(const char *bytes, size_t size)
    {
        if (m_skippedHead.size() < RejectedLine::kKeptBytes)
            m_skippedHead.append(bytes, std::min(size, RejectedLine::kKeptBytes - m_skippedHead.size()));
    }

    int m_fd;
    const JsonlReader::Options &m_options;
    Decoder m_decoder;
    std::string m_carry;
    uint64_t m_line = 0;
    uint64_t m_bytesDone = 0;
    bool m_firstBlock = true;
    bool m_skipping = false;
    bool m_skippedEndsInCr = false; ///< the skipped bytes so far end in '\r'
    uint64_t m_skippedBytes = 0;
    std::string m_skippedHead;
};

/// A small bounded queue between the reader thread and the writer.
class BatchQueue {
public:
    void push(Batch b)
    {
        std::unique_lock lock(m_mutex);
        m_notFull.wait(lock, [&] { return m_batches.size() < kMax || m_closed; });
        if (m_closed)
            return;
        m_batches.push_back(std::move(b));
        m_notEmpty.notify_one();
    }
    Batch pop()
    {
        std::unique_lock lock(m_mutex);
        m_notEmpty.wait(lock, [&] { return !m_batches.empty(); });
        Batch b = std::move(m_batches.front());
        m_batches.pop_front();
        m_notFull.notify_one();
        return b;
    }
    /// Unblocks the producer for good (cancel).
    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_notFull.notify_all();
    }
    bool closed()
    {
        std::lock_guard lock(m_mutex);
        return m_closed;
    }

private:
    static constexpr size_t kMax = 3;
    std::mutex m_mutex;
    std::condition_variable m_notFull, m_notEmpty;
    std::deque<Batch> m_batches;
    bool m_closed = false;
};

/// Owns the file descriptor.
struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

JsonlReader::JsonlReader()
    : JsonlReader(Options{})
{
}

JsonlReader::JsonlReader(Options options)
    : m_options(std::move(options))
{
}

bool JsonlReader::load(const std::string &path, EventStore &store, RecordingReport &report, std::string &error)
{
    report = RecordingReport{};
    report.path = path;
    Fd file;
    file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file.fd < 0) {
        error = "cannot open '" + path + "': " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (::fstat(file.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        error = "cannot read '" + path + "': it is a directory";
        return false;
    }
    const uint64_t total = static_cast<uint64_t>(st.st_size);
    ::posix_fadvise(file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (total > 0)
        store.reserve(total / 256);

    const uint16_t origin = store.addOrigin(path);
    Producer producer(file.fd, m_options);

    // Returns false when the caller cancelled or the file could not be read.
    auto consume = [&](Batch &batch) -> bool {
        if (!batch.error.empty()) {
            error = "cannot read '" + path + "': " + batch.error;
            return false;
        }
        report.lines += batch.lines;
        if (batch.size > 0 && !batch.events.empty())
            store.adoptBuffer(std::move(batch.buffer), batch.size);
        // Prefetching the id slots a few events ahead hides most of the store's cache misses.
        constexpr size_t kAhead = 8;
        const size_t n = batch.events.size();
        for (size_t i = 0; i < std::min(kAhead, n); ++i)
            store.prefetch(batch.events[i].hashes);
        for (size_t i = 0; i < n; ++i) {
            if (i + kAhead < n)
                store.prefetch(batch.events[i + kAhead].hashes);
            const Decoded &d = batch.events[i];
            store.append(d.event, d.hashes, origin, static_cast<uint32_t>(std::min<uint64_t>(d.line, UINT32_MAX)));
        }
        report.accepted += batch.events.size();
        for (auto &r : batch.rejected)
            report.rejected.push_back(std::move(r));
        if (batch.tail) {
            report.truncatedTail = true;
            report.tail = std::move(*batch.tail);
        }
        report.bytes = batch.bytesDone;
        if (m_options.progress && !m_options.progress(batch.bytesDone, total)) {
            report.cancelled = true;
            return false;
        }
        return true;
    };

    if (!m_options.parallel) {
        for (;;) {
            Batch batch = producer.next();
            if (!consume(batch))
                return report.cancelled;
            if (batch.last)
                return true;
        }
    }

    BatchQueue queue;
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        for (;;) {
            Batch batch = producer.next();
            const bool last = batch.last;
            if (stop.load(std::memory_order_relaxed)) {
                batch.last = true;
                queue.push(std::move(batch));
                return;
            }
            queue.push(std::move(batch));
            if (last || queue.closed())
                return;
        }
    });
    bool ok = true;
    for (;;) {
        Batch batch = queue.pop();
        const bool last = batch.last;
        if (!consume(batch)) {
            ok = report.cancelled;
            stop = true;
            queue.close();
            break;
        }
        if (last)
            break;
    }
    reader.join();
    return ok;
}

} // namespace eventlens
