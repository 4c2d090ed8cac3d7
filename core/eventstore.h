#pragma once

#include "core/event.h"
#include "core/idtable.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eventlens {

/// One stored event: fixed size, no pointers. Strings are ids into the store's tables.
struct EventRecord {
    int64_t timestampNs;
    int64_t receivedNs;         ///< kNoTime when unknown
    uint32_t chunk;             ///< arena chunk holding the raw bytes
    uint32_t offset;            ///< within the chunk
    uint32_t length;            ///< raw bytes as received
    uint32_t eventLength;       ///< bytes that are the event itself (see DecodedEvent)
    uint32_t eventId;           ///< IdTable id
    uint32_t correlationId;     ///< IdTable id, or kNone
    uint32_t causationId;       ///< IdTable id, or kNone
    uint32_t nextInCorrelation; ///< next event of the same correlation, or kNone
    uint32_t nextEffect;        ///< next effect of the same cause, or kNone
    uint32_t line;              ///< line in the origin file (0 when live)
    uint16_t origin;            ///< index into origins()
    uint16_t type;
    uint16_t source;
    uint16_t topic; ///< kNoName when none
    uint16_t version;
    uint16_t flags; ///< EventFlag bits
};

/// The in-memory event store: append-only, compact, indexed.
///
/// Raw JSON lives in an arena of large chunks (a recording's read buffers are adopted
/// whole, so loading a file copies nothing); ids are interned as views into those bytes.
/// Event numbers are global and stable: eviction raises firstIndex() but never renumbers.
/// Indexes: eventId → first occurrence; correlationId → events (in arrival order);
/// cause → effects (duplicates excluded: they are the same node); by type; by source;
/// by time. Duplicates are flagged as Redelivery (same bytes) or IdCollision.
///
/// Single writer, not thread-safe: the session thread owns it.
class EventStore {
public:
    static constexpr uint32_t kNone = UINT32_MAX;
    static constexpr uint16_t kNoName = UINT16_MAX;

    struct Options {
        size_t memoryCap = 0; ///< bytes; 0 = unlimited. Oldest events are evicted above it.
        /// Room made up front for this many events (a live session's head start): the id
        /// table and the per-id indexes then do not grow — and stop the writer for tens of
        /// milliseconds while they rehash or copy — until the store holds more. 0 = none.
        size_t reserveEvents = 0;
    };

    explicit EventStore(Options options);
    EventStore();
    ~EventStore();
    EventStore(const EventStore &) = delete;
    EventStore &operator=(const EventStore &) = delete;

    /// Names an origin (a file path, an endpoint) for the events that follow.
    uint16_t addOrigin(std::string_view name);

    /// Hands a buffer to the store. Events appended later whose raw bytes lie inside it
    /// are kept without copying. The buffer must not be written to afterwards.
    void adoptBuffer(std::unique_ptr<char[]> data, size_t size);

    /// Precomputed IdTable hashes, so a decode thread can take that work off the writer.
    struct Hashes {
        uint64_t eventId = 0, correlationId = 0, causationId = 0;
        static Hashes of(const DecodedEvent &e);
    };

    /// Appends an accepted event; returns its index. Copies the raw bytes unless they lie in
    /// an adopted buffer. `line` is its line in the origin file (0 when live).
    uint32_t append(const DecodedEvent &event, uint16_t origin = 0, uint32_t line = 0);
    uint32_t append(const DecodedEvent &event, const Hashes &hashes, uint16_t origin, uint32_t line);

    /// Bulk loads call this a few events ahead of append() to overlap the indexes' cache misses.
    [[gnu::always_inline]] void prefetch(const Hashes &h) const
    {
        m_ids.prefetch(h.eventId);
        if (h.correlationId)
            m_ids.prefetch(h.correlationId);
        if (h.causationId)
            m_ids.prefetch(h.causationId);
    }

    /// Hint for bulk loads: room for about this many more events.
    void reserve(size_t events);

    // --- events -----------------------------------------------------------------------
    uint32_t endIndex() const { return m_base + static_cast<uint32_t>(m_records.size()); } ///< one past the last
    uint32_t firstIndex() const { return m_base; }                                         ///< oldest retained event
    size_t size() const { return m_records.size(); }                                       ///< retained events
    bool contains(uint32_t index) const { return index >= m_base && index < endIndex(); }
    const EventRecord &record(uint32_t index) const { return m_records[index - m_base]; }
    std::string_view raw(uint32_t index) const;
    std::string_view eventId(uint32_t index) const { return m_ids.str(record(index).eventId); }
    std::string_view correlationId(uint32_t index) const;
    std::string_view causationId(uint32_t index) const;
    std::string_view typeName(uint16_t type) const { return m_types.str(type); }
    std::string_view sourceName(uint16_t source) const { return m_sources.str(source); }
    std::string_view topicName(uint16_t topic) const
    {
        return topic == kNoName ? std::string_view{} : m_topics.str(topic);
    }
    std::string_view originName(uint16_t origin) const { return m_origins.str(origin); }
    uint16_t typeCount() const { return static_cast<uint16_t>(m_types.size()); }
    uint16_t sourceCount() const { return static_cast<uint16_t>(m_sources.size()); }

    // --- indexes ----------------------------------------------------------------------
    /// First occurrence of an eventId, or kNone.
    uint32_t find(std::string_view eventId) const;
    /// The event this one's causationId names (its first occurrence), or kNone.
    uint32_t cause(uint32_t index) const;
    /// Events whose causationId is this event's id, in arrival order; duplicates excluded.
    std::vector<uint32_t> effects(uint32_t index) const;
    /// Events whose causationId is `causeId` (also when no such event exists).
    std::vector<uint32_t> effectsOf(std::string_view causeId) const;
    /// Calls f(effect) for each event whose causationId is this event's id, newest first,
    /// duplicates excluded; allocates nothing (for the analyses' hot path).
    template<typename F>
    void forEachEffect(uint32_t index, F f) const
    {
        const uint32_t id = record(index).eventId;
        for (uint32_t e = id < m_effectOfId.size() ? m_effectOfId[id] : kNone; e != kNone && e >= m_base;
             e = record(e).nextEffect)
            f(e);
    }
    /// Events of a correlation in arrival order, duplicates included.
    std::vector<uint32_t> correlation(std::string_view correlationId) const;
    size_t correlationCount() const { return m_correlations.size(); }
    std::string_view correlationName(size_t n) const { return m_ids.str(m_correlations[n].id); }
    size_t correlationSize(size_t n) const { return m_correlations[n].count; }
    /// Events of a type / from a source; empty for kNoName (what findType() gives for an unknown name).
    std::span<const uint32_t> ofType(uint16_t type) const
    {
        return type < m_byType.size() ? std::span<const uint32_t>(m_byType[type]) : std::span<const uint32_t>();
    }
    std::span<const uint32_t> ofSource(uint16_t source) const
    {
        return source < m_bySource.size() ? std::span<const uint32_t>(m_bySource[source]) : std::span<const uint32_t>();
    }
    uint16_t findType(std::string_view name) const;
    uint16_t findSource(std::string_view name) const;
    /// Events with from <= timestamp < to, ordered by timestamp (then arrival).
    std::vector<uint32_t> inTimeRange(int64_t fromNs, int64_t toNs) const;
    /// Distinct causationIds that name no event in the store ("unseen causes").
    std::vector<std::string_view> unseenCauses() const;

    // --- duplicates, eviction, memory ----------------------------------------------------
    /// How many later copies share this event's id (0 for most events).
    uint32_t duplicatesOf(uint32_t firstIndex) const;
    uint64_t duplicateCount() const { return m_redeliveries + m_collisions; }
    uint64_t redeliveryCount() const { return m_redeliveries; }
    uint64_t collisionCount() const { return m_collisions; }
    uint64_t evictedCount() const { return m_base; }
    /// Bytes held: raw arena, records, indexes.
    size_t memoryUsage() const;
    const Options &options() const { return m_options; }

private:
    struct Chunk {
        std::unique_ptr<char[]> data;
        size_t size = 0; ///< bytes in use
        size_t capacity = 0;
        uint32_t lastEvent = kNone; ///< newest event whose bytes are here
    };
    struct Correlation {
        uint32_t id;
        uint32_t first;
        uint32_t last;
        uint32_t count;
    };
    /// Records in pages: no reallocation spikes while a million events arrive.
    class RecordPages {
    public:
        static constexpr size_t kPageSize = 1u << 16;
        EventRecord &operator[](size_t i) { return m_pages[i / kPageSize][i % kPageSize]; }
        const EventRecord &operator[](size_t i) const { return m_pages[i / kPageSize][i % kPageSize]; }
        size_t size() const { return m_size; }
        void push_back(const EventRecord &r);
        void clear()
        {
            m_pages.clear();
            m_size = 0;
        }
        size_t memoryUsage() const { return m_pages.size() * kPageSize * sizeof(EventRecord); }

    private:
        std::vector<std::unique_ptr<EventRecord[]>> m_pages;
        size_t m_size = 0;
    };

    uint32_t chunkFor(std::string_view raw, uint32_t &offset);
    std::string_view keep(std::string_view s, std::string_view raw, const Chunk &chunk, uint32_t offset);
    void index(uint32_t index, EventRecord &r, const Hashes &h, std::string_view eventId, std::string_view corr,
               std::string_view cause);
    uint32_t nameId(IdTable &table, std::string_view name);
    void growPerId(uint32_t id);
    void enforceCap();
    void evictOldest(size_t count);

    Options m_options;
    uint32_t m_base = 0;      ///< index of the oldest retained event
    uint32_t m_chunkBase = 0; ///< number of the oldest retained chunk
    std::deque<Chunk> m_chunks;
    RecordPages m_records;

    IdTable m_ids;                      ///< eventIds, correlationIds, causationIds
    std::vector<uint32_t> m_eventOfId;  ///< id → first event with that eventId
    std::vector<uint32_t> m_effectOfId; ///< id → newest effect naming it as cause (list via nextEffect)
    std::vector<uint32_t> m_corrOfId;   ///< id → index into m_correlations
    std::vector<Correlation> m_correlations;
    std::unordered_map<uint32_t, uint32_t> m_duplicates; ///< first occurrence → later copies
    uint64_t m_redeliveries = 0;
    uint64_t m_collisions = 0;

    IdTable m_types, m_sources, m_topics, m_origins;
    StringArena m_names; ///< backing for names and for ids whose bytes are not in the arena
    StringArena m_escapedIds;
    std::vector<std::vector<uint32_t>> m_byType, m_bySource;
    mutable std::vector<uint32_t> m_byTime;
    mutable bool m_byTimeSorted = true;
};

} // namespace eventlens
