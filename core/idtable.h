#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace eventlens {

/// Interns strings to dense 32-bit ids with an open-addressing hash table. It does not
/// own the characters: callers pass views that outlive the table (the store's arena),
/// which is what lets a million UUIDs be indexed without copying them. Not thread-safe.
class IdTable {
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    static uint64_t hash(std::string_view s) noexcept;

    /// The id of `s`, or kNone.
    uint32_t find(std::string_view s) const noexcept { return find(s, hash(s)); }
    uint32_t find(std::string_view s, uint64_t hash) const noexcept;

    /// The id of `s`, adding it (keeping the view) when new; `inserted` says which.
    uint32_t intern(std::string_view s, uint64_t hash, bool &inserted);
    uint32_t intern(std::string_view s)
    {
        bool inserted;
        return intern(s, hash(s), inserted);
    }

    /// Starts loading the slot `hash` probes first, so a later intern()/find() finds it in
    /// cache. Bulk loads call it a few events ahead: the probe is the load's main cache miss.
    /// always_inline: as an out-of-line call GCC 12 drops the prefetch entirely.
    [[gnu::always_inline]] void prefetch(uint64_t hash) const noexcept
    {
        if (!m_slots.empty())
            __builtin_prefetch(&m_slots[hash & m_mask]);
    }

    std::string_view str(uint32_t id) const noexcept
    {
        const Entry &e = m_entries[id];
        return {e.ptr, e.len};
    }
    uint32_t size() const noexcept { return static_cast<uint32_t>(m_entries.size()); }
    void reserve(size_t count);
    void clear();
    size_t memoryUsage() const noexcept
    {
        return m_entries.capacity() * sizeof(Entry) + m_slots.capacity() * sizeof(uint64_t);
    }

private:
    struct Entry {
        const char *ptr;
        uint32_t len;
        uint32_t hash;
    };
    void rehash(size_t slotCount);

    std::vector<Entry> m_entries;
    std::vector<uint64_t> m_slots; ///< (hash32 << 32) | (id + 1); 0 = empty
    size_t m_mask = 0;
};

/// Owns copies of strings that have no other home (names, escaped ids). Views handed out
/// stay valid for the arena's lifetime: blocks are never moved.
class StringArena {
public:
    std::string_view add(std::string_view s);
    size_t memoryUsage() const noexcept { return m_allocated; }
    void clear()
    {
        m_blocks.clear();
        m_used = m_capacity = m_allocated = 0;
    }

private:
    std::vector<std::unique_ptr<char[]>> m_blocks;
    size_t m_used = 0;
    size_t m_capacity = 0;
    size_t m_allocated = 0;
};

} // namespace eventlens
