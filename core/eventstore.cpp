#include "core/eventstore.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

namespace eventlens {

namespace {
constexpr size_t kCopyChunkSize = 1u << 20; // live events are copied into 1 MiB chunks
}

void EventStore::RecordPages::push_back(const EventRecord &r)
{
    if (m_size == m_pages.size() * kPageSize)
        m_pages.push_back(std::make_unique_for_overwrite<EventRecord[]>(kPageSize));
    (*this)[m_size++] = r;
}

EventStore::Hashes EventStore::Hashes::of(const DecodedEvent &e)
{
    Hashes h;
    h.eventId = IdTable::hash(e.eventId);
    if (!e.correlationId.empty())
        h.correlationId = IdTable::hash(e.correlationId);
    if (!e.causationId.empty())
        h.causationId = IdTable::hash(e.causationId);
    return h;
}

EventStore::EventStore(Options options) : m_options(options)
{
    addOrigin("live");
    if (m_options.reserveEvents)
        reserve(m_options.reserveEvents);
}

EventStore::EventStore() : EventStore(Options{})
{ }

EventStore::~EventStore() = default;

uint16_t EventStore::addOrigin(std::string_view name)
{
    return static_cast<uint16_t>(nameId(m_origins, name));
}

void EventStore::adoptBuffer(std::unique_ptr<char[]> data, size_t size)
{
    Chunk chunk;
    chunk.data = std::move(data);
    chunk.size = chunk.capacity = size;
    m_chunks.push_back(std::move(chunk));
}

void EventStore::reserve(size_t events)
{
    // Each event brings an eventId and, often, a correlation and a cause that are new.
    m_ids.reserve(m_ids.size() + events * 5 / 4);
    m_byTime.reserve(m_byTime.size() + events);
    // Capacity only: untouched pages cost address space, not memory.
    for (std::vector<uint32_t> *v : {&m_eventOfId, &m_effectOfId, &m_corrOfId})
        v->reserve(v->size() + events * 5 / 4);
}

uint32_t EventStore::nameId(IdTable &table, std::string_view name)
{
    uint64_t h = IdTable::hash(name);
    uint32_t id = table.find(name, h);
    if (id != IdTable::kNone)
        return id;
    if (table.size() >= kNoName - 1) { // 65 534 distinct names: fold the rest into one
        name = "(other)";
        h = IdTable::hash(name);
        if ((id = table.find(name, h)) != IdTable::kNone)
            return id;
    }
    bool inserted;
    id = table.intern(m_names.add(name), h, inserted);
    if (&table == &m_types)
        m_byType.resize(table.size());
    else if (&table == &m_sources)
        m_bySource.resize(table.size());
    return id;
}

uint32_t EventStore::chunkFor(std::string_view raw, uint32_t &offset)
{
    // Bytes already in an adopted buffer (a recording being loaded) stay where they are.
    for (size_t back = 0; back < std::min<size_t>(m_chunks.size(), 2); ++back) {
        const size_t c = m_chunks.size() - 1 - back;
        const Chunk &chunk = m_chunks[c];
        if (raw.data() >= chunk.data.get() && raw.data() + raw.size() <= chunk.data.get() + chunk.size) {
            offset = static_cast<uint32_t>(raw.data() - chunk.data.get());
            return m_chunkBase + static_cast<uint32_t>(c);
        }
    }
    if (m_chunks.empty() || m_chunks.back().capacity - m_chunks.back().size < raw.size()) {
        Chunk chunk;
        chunk.capacity = std::max(kCopyChunkSize, raw.size());
        chunk.data = std::make_unique_for_overwrite<char[]>(chunk.capacity);
        m_chunks.push_back(std::move(chunk));
    }
    Chunk &chunk = m_chunks.back();
    offset = static_cast<uint32_t>(chunk.size);
    std::memcpy(chunk.data.get() + chunk.size, raw.data(), raw.size());
    chunk.size += raw.size();
    return m_chunkBase + static_cast<uint32_t>(m_chunks.size() - 1);
}

std::string_view EventStore::keep(std::string_view s, std::string_view raw, const Chunk &chunk, uint32_t offset)
{
    if (s.data() >= raw.data() && s.data() + s.size() <= raw.data() + raw.size())
        return {chunk.data.get() + offset + (s.data() - raw.data()), s.size()};
    // The decoder unescaped it: there is no copy in the raw bytes. Copy it once, not per event.
    if (const uint32_t id = m_ids.find(s); id != IdTable::kNone)
        return m_ids.str(id);
    return m_escapedIds.add(s);
}

uint32_t EventStore::append(const DecodedEvent &event, uint16_t origin, uint32_t line)
{
    return append(event, Hashes::of(event), origin, line);
}

uint32_t EventStore::append(const DecodedEvent &event, const Hashes &hashes, uint16_t origin, uint32_t line)
{
    EventRecord r{};
    r.timestampNs = event.timestampNs;
    r.receivedNs = event.receivedNs;
    r.chunk = chunkFor(event.raw, r.offset);
    r.length = static_cast<uint32_t>(event.raw.size());
    r.eventLength = static_cast<uint32_t>(event.eventLength);
    r.line = line;
    r.origin = origin;
    r.type = static_cast<uint16_t>(nameId(m_types, event.eventType));
    r.source = static_cast<uint16_t>(nameId(m_sources, event.source));
    r.topic = event.topic.empty() ? kNoName : static_cast<uint16_t>(nameId(m_topics, event.topic));
    r.version = static_cast<uint16_t>(std::min<uint32_t>(event.version, UINT16_MAX));
    r.flags = event.flags & ~(Duplicate | Redelivery | IdCollision);
    r.nextInCorrelation = r.nextEffect = kNone;

    const Chunk &chunk = m_chunks[r.chunk - m_chunkBase];
    const uint32_t idx = endIndex();
    m_records.push_back(r);
    EventRecord &stored = m_records[m_records.size() - 1];
    index(idx, stored, hashes, keep(event.eventId, event.raw, chunk, r.offset),
          event.correlationId.empty() ? std::string_view{} : keep(event.correlationId, event.raw, chunk, r.offset),
          event.causationId.empty() ? std::string_view{} : keep(event.causationId, event.raw, chunk, r.offset));
    m_chunks[r.chunk - m_chunkBase].lastEvent = idx;
    (void)chunk;

    if (m_options.memoryCap && memoryUsage() > m_options.memoryCap)
        enforceCap();
    return idx;
}

void EventStore::growPerId(uint32_t id)
{
    if (id >= m_eventOfId.size()) {
        m_eventOfId.resize(id + 1, kNone);
        m_effectOfId.resize(id + 1, kNone);
        m_corrOfId.resize(id + 1, kNone);
    }
}

void EventStore::index(uint32_t idx, EventRecord &r, const Hashes &h, std::string_view eventId, std::string_view corr,
                       std::string_view cause)
{
    bool inserted;
    r.eventId = m_ids.intern(eventId, h.eventId, inserted);
    growPerId(r.eventId);
    bool duplicate = false;
    if (m_eventOfId[r.eventId] == kNone) {
        m_eventOfId[r.eventId] = idx;
    } else {
        duplicate = true;
        const uint32_t first = m_eventOfId[r.eventId];
        ++m_duplicates[first];
        if (!(r.flags & Duplicate)) { // a fresh arrival, not a rebuild after eviction
            const EventRecord &f = record(first);
            const char *a = m_chunks[f.chunk - m_chunkBase].data.get() + f.offset;
            const char *b = m_chunks[r.chunk - m_chunkBase].data.get() + r.offset;
            const bool same = f.eventLength == r.eventLength && std::memcmp(a, b, r.eventLength) == 0;
            r.flags |= Duplicate | (same ? Redelivery : IdCollision);
            ++(same ? m_redeliveries : m_collisions);
        }
    }

    r.correlationId = kNone;
    if (!corr.empty()) {
        r.correlationId = m_ids.intern(corr, h.correlationId ? h.correlationId : IdTable::hash(corr), inserted);
        growPerId(r.correlationId);
        uint32_t &c = m_corrOfId[r.correlationId];
        if (c == kNone) {
            c = static_cast<uint32_t>(m_correlations.size());
            m_correlations.push_back({r.correlationId, idx, idx, 1});
        } else {
            Correlation &info = m_correlations[c];
            m_records[info.last - m_base].nextInCorrelation = idx;
            info.last = idx;
            ++info.count;
        }
    }

    r.causationId = kNone;
    if (!cause.empty()) {
        r.causationId = m_ids.intern(cause, h.causationId ? h.causationId : IdTable::hash(cause), inserted);
        growPerId(r.causationId);
        if (!duplicate) {
            r.nextEffect = m_effectOfId[r.causationId];
            m_effectOfId[r.causationId] = idx;
        }
    }

    m_byType[r.type].push_back(idx);
    m_bySource[r.source].push_back(idx);
    if (!m_byTime.empty() && record(m_byTime.back()).timestampNs > r.timestampNs)
        m_byTimeSorted = false;
    m_byTime.push_back(idx);
}

std::string_view EventStore::raw(uint32_t index) const
{
    const EventRecord &r = record(index);
    return {m_chunks[r.chunk - m_chunkBase].data.get() + r.offset, r.length};
}

std::string_view EventStore::correlationId(uint32_t index) const
{
    const uint32_t id = record(index).correlationId;
    return id == kNone ? std::string_view{} : m_ids.str(id);
}

std::string_view EventStore::causationId(uint32_t index) const
{
    const uint32_t id = record(index).causationId;
    return id == kNone ? std::string_view{} : m_ids.str(id);
}

uint32_t EventStore::find(std::string_view eventId) const
{
    const uint32_t id = m_ids.find(eventId);
    return id == IdTable::kNone ? kNone : m_eventOfId[id];
}

uint32_t EventStore::cause(uint32_t index) const
{
    const uint32_t id = record(index).causationId;
    return id == kNone ? kNone : m_eventOfId[id];
}

std::vector<uint32_t> EventStore::effects(uint32_t index) const
{
    return effectsOf(eventId(index));
}

std::vector<uint32_t> EventStore::effectsOf(std::string_view causeId) const
{
    std::vector<uint32_t> out;
    const uint32_t id = m_ids.find(causeId);
    if (id == IdTable::kNone)
        return out;
    for (uint32_t e = m_effectOfId[id]; e != kNone; e = record(e).nextEffect)
        out.push_back(e);
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<uint32_t> EventStore::correlation(std::string_view correlationId) const
{
    std::vector<uint32_t> out;
    const uint32_t id = m_ids.find(correlationId);
    if (id == IdTable::kNone || m_corrOfId[id] == kNone)
        return out;
    const Correlation &info = m_correlations[m_corrOfId[id]];
    out.reserve(info.count);
    for (uint32_t e = info.first; e != kNone; e = record(e).nextInCorrelation)
        out.push_back(e);
    return out;
}

uint16_t EventStore::findType(std::string_view name) const
{
    const uint32_t id = m_types.find(name);
    return id == IdTable::kNone ? kNoName : static_cast<uint16_t>(id);
}

uint16_t EventStore::findSource(std::string_view name) const
{
    const uint32_t id = m_sources.find(name);
    return id == IdTable::kNone ? kNoName : static_cast<uint16_t>(id);
}

std::vector<uint32_t> EventStore::inTimeRange(int64_t fromNs, int64_t toNs) const
{
    if (!m_byTimeSorted) {
        std::stable_sort(m_byTime.begin(), m_byTime.end(),
                         [this](uint32_t a, uint32_t b) { return record(a).timestampNs < record(b).timestampNs; });
        m_byTimeSorted = true;
    }
    auto lo = std::partition_point(m_byTime.begin(), m_byTime.end(),
                                   [&](uint32_t i) { return record(i).timestampNs < fromNs; });
    auto hi = std::partition_point(lo, m_byTime.end(), [&](uint32_t i) { return record(i).timestampNs < toNs; });
    return {lo, hi};
}

std::vector<std::string_view> EventStore::unseenCauses() const
{
    std::vector<std::string_view> out;
    for (uint32_t id = 0; id < m_effectOfId.size(); ++id)
        if (m_effectOfId[id] != kNone && m_eventOfId[id] == kNone)
            out.push_back(m_ids.str(id));
    return out;
}

uint32_t EventStore::duplicatesOf(uint32_t firstIndex) const
{
    auto it = m_duplicates.find(firstIndex);
    return it == m_duplicates.end() ? 0 : it->second;
}

size_t EventStore::memoryUsage() const
{
    size_t bytes = 0;
    for (const Chunk &c : m_chunks)
        bytes += c.capacity;
    bytes += m_records.memoryUsage();
    bytes += m_ids.memoryUsage() + m_names.memoryUsage() + m_escapedIds.memoryUsage();
    bytes += (m_eventOfId.capacity() + m_effectOfId.capacity() + m_corrOfId.capacity()) * sizeof(uint32_t);
    bytes += m_correlations.capacity() * sizeof(Correlation);
    bytes += m_byTime.capacity() * sizeof(uint32_t) * 3; // by time, by type, by source
    bytes += m_duplicates.size() * 32;
    return bytes;
}

void EventStore::enforceCap()
{
    // Evict a quarter at a time so the rebuild below is paid rarely (amortised O(1) per event).
    // Never the event just appended: its index was handed out and it is what users look at,
    // even when the cap is below the store's fixed overhead.
    if (m_records.size() > 1)
        evictOldest(std::clamp<size_t>(m_records.size() / 4, 1, m_records.size() - 1));
}

void EventStore::evictOldest(size_t count)
{
    count = std::min(count, m_records.size());
    const uint32_t newBase = m_base + static_cast<uint32_t>(count);

    // Chunks holding only evicted events go; the newest chunk always stays.
    size_t dropChunks = 0;
    while (dropChunks + 1 < m_chunks.size() && m_chunks[dropChunks].lastEvent != kNone
           && m_chunks[dropChunks].lastEvent < newBase)
        ++dropChunks;
    // Address ranges of the chunks that stay, sorted, to tell which id bytes survive.
    std::vector<std::pair<const char *, const char *>> retained;
    retained.reserve(m_chunks.size() - dropChunks);
    for (size_t c = dropChunks; c < m_chunks.size(); ++c)
        retained.emplace_back(m_chunks[c].data.get(), m_chunks[c].data.get() + m_chunks[c].capacity);
    std::sort(retained.begin(), retained.end());
    auto inRetained = [&](const char *p) {
        auto it = std::upper_bound(retained.begin(), retained.end(), p,
                                   [](const char *q, const auto &range) { return q < range.first; });
        return it != retained.begin() && p < std::prev(it)->second;
    };

    std::vector<EventRecord> kept;
    kept.reserve(m_records.size() - count);
    for (size_t i = count; i < m_records.size(); ++i)
        kept.push_back(m_records[i]);

    // Rebuild every index over what is kept. Ids whose bytes sit in a dropped chunk, or in
    // the old arena of unescaped ids (freed below), are copied.
    IdTable oldIds = std::move(m_ids);
    StringArena oldEscaped = std::move(m_escapedIds);
    m_ids = IdTable{};
    m_escapedIds = StringArena{};
    m_ids.reserve(kept.size() * 5 / 4);
    m_eventOfId.clear();
    m_effectOfId.clear();
    m_corrOfId.clear();
    m_correlations.clear();
    m_duplicates.clear();
    for (auto &v : m_byType)
        v.clear();
    for (auto &v : m_bySource)
        v.clear();
    m_byTime.clear();
    m_byTimeSorted = true;
    m_records.clear();
    m_base = newBase;

    auto str = [&](uint32_t id) -> std::string_view {
        if (id == kNone)
            return {};
        const std::string_view s = oldIds.str(id);
        if (inRetained(s.data()))
            return s;
        if (const uint32_t known = m_ids.find(s); known != IdTable::kNone)
            return m_ids.str(known); // copied already, for an earlier event
        return m_escapedIds.add(s);
    };
    for (size_t i = 0; i < kept.size(); ++i) {
        EventRecord r = kept[i];
        const std::string_view eventId = str(r.eventId), corr = str(r.correlationId), cause = str(r.causationId);
        r.nextInCorrelation = r.nextEffect = kNone;
        m_records.push_back(r);
        Hashes h;
        h.eventId = IdTable::hash(eventId);
        index(newBase + static_cast<uint32_t>(i), m_records[i], h, eventId, corr, cause);
    }
    for (size_t c = 0; c < dropChunks; ++c)
        m_chunks.pop_front();
    m_chunkBase += static_cast<uint32_t>(dropChunks);
}

} // namespace eventlens
