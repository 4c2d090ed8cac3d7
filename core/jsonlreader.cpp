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
    uint64_t line; ///< within the batch, from 1
};

/// A block of the file, or a run of its whole lines: split off by the Splitter, decoded
/// by decodeBatch(), then appended by the writer in one go. Line numbers in a batch count
/// from 1 at its first line: the writer, which takes batches in file order, adds the lines
/// before it. A parallel load cuts a block into a few batches, so that both decoders
/// can work on it; the first carries the block's buffer, the last its end.
struct Batch {
    uint64_t seq = 0;               ///< position in the file, from 0 (parallel loads)
    std::unique_ptr<char[]> buffer; ///< the block's bytes (the block's first batch only)
    const char *data = nullptr;     ///< the block's bytes
    size_t filled = 0;              ///< bytes read into the block (Decoder::kPadding more follow)
    size_t size = 0;                ///< bytes of the block that hold whole lines
    size_t decodeFrom = 0;          ///< the lines to decode: [decodeFrom, decodeTo)
    size_t decodeTo = 0;
    bool blockStart = true;
    bool blockEnd = true;
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

/// Reads blocks and splits off their whole lines; decodeBatch() decodes them. Runs on the
/// splitter thread (or inline when not parallel).
class Splitter {
public:
    Splitter(int fd, const JsonlReader::Options &options) : m_fd(fd), m_options(options) { }

    /// The next batch, left for decodeBatch(); its `last` is set at end of file or on error.
    Batch next()
    {
        Batch batch;
        // At least one padding's worth: a zero block size would never reach the end of the file.
        size_t capacity = std::max({m_options.blockSize, Decoder::kPadding, m_carry.size() * 2});
        batch.buffer = std::make_unique_for_overwrite<char[]>(capacity + Decoder::kPadding);
        batch.data = batch.buffer.get();
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
        batch.filled = filled;
        if (eof)
            batch.last = true;

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
            ++batch.lines;
            if (nl) {
                // Count the event's bytes as the decoder would: without the CR of a CRLF.
                if (lineEnd > pos ? data[lineEnd - 1] == '\r' : m_skippedEndsInCr) {
                    --m_skippedBytes;
                    if (m_skippedHead.size() > m_skippedBytes)
                        m_skippedHead.resize(m_skippedBytes);
                }
                batch.rejected.push_back(
                    rejected(batch.lines, sizeLimitProblem(m_skippedBytes, m_options.decoder), m_skippedHead));
            } else {
                // End of file inside the line (only then is there no newline here): a torn tail.
                batch.tail = rejected(batch.lines,
                                      "truncated final line (no newline at end of file) of "
                                          + std::to_string(m_skippedBytes) + " bytes",
                                      m_skippedHead);
            }
            m_skipping = false;
            pos = nl ? lineEnd + 1 : end;
        }

        batch.decodeFrom = pos;
        batch.decodeTo = end;
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
    std::string m_carry;
    uint64_t m_bytesDone = 0;
    bool m_firstBlock = true;
    bool m_skipping = false;
    bool m_skippedEndsInCr = false; ///< the skipped bytes so far end in '\r'
    uint64_t m_skippedBytes = 0;
    std::string m_skippedHead;
};

/// Decodes the lines a Splitter left in `batch`, numbering them on from its lines so far.
void decodeBatch(Decoder &decoder, Batch &batch)
{
    const char *data = batch.data;
    const size_t end = batch.decodeTo;
    const size_t capacity = batch.filled + Decoder::kPadding;
    size_t pos = batch.decodeFrom;
    // A guess, not a count: counting newlines costs as much as a third of decoding.
    batch.events.reserve((end - std::min(pos, end)) / 128 + 1);
    DecodeError error;
    while (pos < end) {
        const char *nl = static_cast<const char *>(std::memchr(data + pos, '\n', end - pos));
        const bool terminated = nl != nullptr;
        size_t lineEnd = terminated ? static_cast<size_t>(nl - data) : end;
        const size_t next = terminated ? lineEnd + 1 : end;
        const uint64_t line = ++batch.lines;
        if (lineEnd > pos && data[lineEnd - 1] == '\r')
            --lineEnd; // CRLF
        const std::string_view bytes(data + pos, lineEnd - pos);
        if (!isBlank(bytes)) {
            Decoded &d = batch.events.emplace_back();
            if (decoder.decode(bytes, capacity - pos, d.event, error)) {
                d.hashes = EventStore::Hashes::of(d.event);
                d.line = line;
            } else {
                batch.events.pop_back();
                if (terminated)
                    batch.rejected.push_back(rejected(line, error.text(), bytes));
                else
                    batch.tail =
                        rejected(line, "truncated final line (no newline at end of file): " + error.text(), bytes);
            }
        }
        pos = next;
    }
}

/// Cuts a block's lines into at most `parts` batches of whole lines and about the same
/// size, in file order; the first keeps the buffer and what the Splitter found, the last
/// the end of the block.
void cutBlock(Batch block, size_t parts, std::deque<Batch> &out)
{
    const size_t from = block.decodeFrom;
    const size_t to = block.decodeTo;
    size_t cut = from;
    for (size_t k = 1; k < parts && to > from; ++k) {
        // After the first newline at or past the last byte of the k-th share.
        const size_t share = from + (to - from) * k / parts;
        const size_t at = std::max(cut, share > 0 ? share - 1 : 0);
        if (at >= to)
            break;
        const void *nl = std::memchr(block.data + at, '\n', to - at);
        if (!nl)
            break;
        const size_t next = static_cast<size_t>(static_cast<const char *>(nl) - block.data) + 1;
        if (next >= to)
            break;
        Batch &part = out.emplace_back();
        part.data = block.data;
        part.filled = block.filled;
        part.size = block.size;
        part.decodeFrom = cut;
        part.decodeTo = next;
        part.blockEnd = false;
        if (cut == from) {
            // The first batch: the block's buffer and the skipped line it ended, if any.
            part.buffer = std::move(block.buffer);
            part.lines = block.lines;
            part.rejected = std::move(block.rejected);
        } else {
            part.blockStart = false;
        }
        cut = next;
    }
    if (cut > from) {
        block.blockStart = false;
        block.lines = 0;
        block.rejected.clear();
    }
    block.decodeFrom = cut;
    out.push_back(std::move(block));
}

/// The parallel load: a splitter thread reads blocks and cuts them into batches of whole
/// lines, two workers decode batches (each with its own Decoder), and the calling thread
/// takes them back in file order. At most kMaxInFlight batches are between the splitter
/// and the writer at once.
class Pipeline {
public:
    static constexpr size_t kWorkers = 2;
    static constexpr size_t kPartsPerBlock = 4;
    static constexpr size_t kMaxInFlight = 3 * kPartsPerBlock;

    Pipeline(Splitter &splitter, const DecoderOptions &decoderOptions) : m_splitter(splitter)
    {
        try {
            m_threads.emplace_back([this] { split(); });
            for (size_t i = 0; i < kWorkers; ++i)
                m_threads.emplace_back([this, &decoderOptions] { work(decoderOptions); });
        } catch (...) {
            stop();
            throw;
        }
    }
    ~Pipeline() { stop(); }
    Pipeline(const Pipeline &) = delete;
    Pipeline &operator=(const Pipeline &) = delete;

    /// The next batch in file order; the last one has `last` set (end of file or error).
    Batch next()
    {
        std::unique_lock lock(m_mutex);
        if (m_taken) {
            // The writer is done with the batch it took last: make room for more.
            m_taken = false;
            --m_inFlight;
            m_roomCv.notify_one();
        }
        for (;;) {
            for (auto it = m_done.begin(); it != m_done.end(); ++it) {
                if (it->seq == m_nextSeq) {
                    Batch batch = std::move(*it);
                    m_done.erase(it);
                    ++m_nextSeq;
                    m_taken = true;
                    return batch;
                }
            }
            m_doneCv.wait(lock);
        }
    }

    /// Stops and joins the threads (cancel, error, end); never blocks on a full queue.
    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_roomCv.notify_all();
        m_workCv.notify_all();
        for (auto &t : m_threads) {
            if (t.joinable())
                t.join();
        }
    }

private:
    void split()
    {
        std::deque<Batch> parts;
        for (uint64_t seq = 0;;) {
            {
                std::unique_lock lock(m_mutex);
                m_roomCv.wait(lock, [&] { return m_inFlight + kPartsPerBlock <= kMaxInFlight || m_stop; });
                if (m_stop)
                    return;
            }
            Batch block = m_splitter.next();
            const bool last = block.last;
            cutBlock(std::move(block), kPartsPerBlock, parts);
            for (Batch &part : parts)
                part.seq = seq++;
            {
                std::lock_guard lock(m_mutex);
                m_inFlight += parts.size();
                std::move(parts.begin(), parts.end(), std::back_inserter(m_todo));
                m_splitDone = last;
            }
            parts.clear();
            m_workCv.notify_all();
            if (last)
                return;
        }
    }

    void work(const DecoderOptions &decoderOptions)
    {
        Decoder decoder(decoderOptions);
        for (;;) {
            Batch batch;
            {
                std::unique_lock lock(m_mutex);
                m_workCv.wait(lock, [&] { return !m_todo.empty() || m_splitDone || m_stop; });
                if (m_stop || m_todo.empty())
                    return;
                batch = std::move(m_todo.front());
                m_todo.pop_front();
            }
            decodeBatch(decoder, batch);
            {
                std::lock_guard lock(m_mutex);
                m_done.push_back(std::move(batch));
            }
            m_doneCv.notify_one();
        }
    }

    Splitter &m_splitter;
    std::mutex m_mutex;
    std::condition_variable m_roomCv, m_workCv, m_doneCv;
    std::deque<Batch> m_todo;  ///< split, not yet decoded
    std::vector<Batch> m_done; ///< decoded, in any order
    size_t m_inFlight = 0;     ///< batches split and not yet released by the writer
    uint64_t m_nextSeq = 0;    ///< the batch the writer takes next
    bool m_taken = false;      ///< the writer holds a batch
    bool m_splitDone = false;  ///< the last batch is split
    bool m_stop = false;
    std::vector<std::thread> m_threads;
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

JsonlReader::JsonlReader() : JsonlReader(Options{})
{ }

JsonlReader::JsonlReader(Options options) : m_options(std::move(options))
{ }

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
    struct stat st { };
    if (::fstat(file.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        error = "cannot read '" + path + "': it is a directory";
        return false;
    }
    // A compressed recording would give a bad line per block of noise: one clear error.
    unsigned char magic[4] = {};
    const ssize_t got = ::pread(file.fd, magic, sizeof magic, 0);
    if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        error = "cannot read '" + path + "': it looks gzip-compressed: decompress it first (gunzip -k " + path + ")";
        return false;
    }
    if (got == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
        error = "cannot read '" + path + "': it looks zstd-compressed: decompress it first (unzstd " + path + ")";
        return false;
    }
    const uint64_t total = static_cast<uint64_t>(st.st_size);
    ::posix_fadvise(file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (total > 0)
        store.reserve(total / 256);

    const uint16_t origin = store.addOrigin(path);
    Splitter splitter(file.fd, m_options);

    // The buffer of the block being appended, until an event of it is: only then does
    // the store adopt it. Declared before the pipeline, which may still be decoding from it.
    std::unique_ptr<char[]> blockBuffer;
    size_t blockSize = 0;

    // Returns false when the caller cancelled or the file could not be read.
    auto consume = [&](Batch &batch) -> bool {
        if (!batch.error.empty()) {
            error = "cannot read '" + path + "': " + batch.error;
            return false;
        }
        if (batch.blockStart) {
            blockBuffer = std::move(batch.buffer);
            blockSize = batch.size;
        }
        const uint64_t base = report.lines; // lines before this batch
        report.lines += batch.lines;
        if (blockBuffer && blockSize > 0 && !batch.events.empty())
            store.adoptBuffer(std::move(blockBuffer), blockSize);
        // Prefetching the id slots a few events ahead hides most of the store's cache misses.
        constexpr size_t kAhead = 8;
        const size_t n = batch.events.size();
        for (size_t i = 0; i < std::min(kAhead, n); ++i)
            store.prefetch(batch.events[i].hashes);
        for (size_t i = 0; i < n; ++i) {
            if (i + kAhead < n)
                store.prefetch(batch.events[i + kAhead].hashes);
            const Decoded &d = batch.events[i];
            store.append(d.event, d.hashes, origin,
                         static_cast<uint32_t>(std::min<uint64_t>(base + d.line, UINT32_MAX)));
        }
        report.accepted += batch.events.size();
        for (auto &r : batch.rejected) {
            r.line += base;
            report.rejected.push_back(std::move(r));
        }
        if (batch.tail) {
            report.truncatedTail = true;
            report.tail = std::move(*batch.tail);
            report.tail.line += base;
        }
        if (!batch.blockEnd)
            return true;
        blockBuffer.reset(); // no event of the block was accepted
        report.bytes = batch.bytesDone;
        if (m_options.progress && !m_options.progress(batch.bytesDone, total)) {
            report.cancelled = true;
            return false;
        }
        return true;
    };

    if (!m_options.parallel) {
        Decoder decoder(m_options.decoder);
        for (;;) {
            Batch batch = splitter.next();
            decodeBatch(decoder, batch);
            if (!consume(batch))
                return report.cancelled;
            if (batch.last)
                return true;
        }
    }

    Pipeline pipeline(splitter, m_options.decoder);
    for (;;) {
        Batch batch = pipeline.next();
        if (!consume(batch)) {
            pipeline.stop();
            return report.cancelled;
        }
        if (batch.last)
            return true;
    }
}

} // namespace eventlens
