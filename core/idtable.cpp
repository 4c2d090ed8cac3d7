#include "core/idtable.h"

#include <cstring>
#include <functional>

namespace eventlens {

namespace {

uint64_t load64(const char *p) noexcept
{
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

uint64_t mix(uint64_t h, uint64_t w) noexcept
{
    h ^= w * 0x87C37B91114253D5ULL;
    h = (h << 31) | (h >> 33);
    return h * 0x4CF5AD432745937FULL;
}

} // namespace

uint64_t IdTable::hash(std::string_view s) noexcept
{
    // Ids are short (UUIDs: 36 bytes): 8 bytes a step, the tail as the overlapping last 8,
    // then murmur3's fmix64. Cheaper than std::hash's byte-oriented tail, as well mixed.
    const char *p = s.data();
    const size_t n = s.size();
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xC2B2AE3D27D4EB4FULL);
    if (n >= 8) {
        const char *last = p + n - 8;
        for (; p < last; p += 8)
            h = mix(h, load64(p));
        h = mix(h, load64(last));
    } else {
        uint64_t w = 0;
        for (size_t i = 0; i < n; ++i)
            w |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
        h = mix(h, w);
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}

uint32_t IdTable::find(std::string_view s, uint64_t h) const noexcept
{
    if (m_slots.empty())
        return kNone;
    const uint32_t h32 = static_cast<uint32_t>(h >> 32) | 1u; // never zero, so a slot is never empty
    for (size_t i = h & m_mask;; i = (i + 1) & m_mask) {
        const uint64_t slot = m_slots[i];
        if (slot == 0)
            return kNone;
        if (static_cast<uint32_t>(slot >> 32) == h32) {
            const uint32_t id = static_cast<uint32_t>(slot) - 1;
            const Entry &e = m_entries[id];
            if (e.len == s.size() && std::memcmp(e.ptr, s.data(), s.size()) == 0)
                return id;
        }
    }
}

uint32_t IdTable::intern(std::string_view s, uint64_t h, bool &inserted)
{
    if ((m_entries.size() + 1) * 2 > m_slots.size())
        rehash(m_slots.empty() ? 1024 : m_slots.size() * 2);
    const uint32_t h32 = static_cast<uint32_t>(h >> 32) | 1u;
    size_t i = h & m_mask;
    for (;; i = (i + 1) & m_mask) {
        const uint64_t slot = m_slots[i];
        if (slot == 0)
            break;
        if (static_cast<uint32_t>(slot >> 32) == h32) {
            const uint32_t id = static_cast<uint32_t>(slot) - 1;
            const Entry &e = m_entries[id];
            if (e.len == s.size() && std::memcmp(e.ptr, s.data(), s.size()) == 0) {
                inserted = false;
                return id;
            }
        }
    }
    const auto id = static_cast<uint32_t>(m_entries.size());
    m_entries.push_back({s.data(), static_cast<uint32_t>(s.size()), static_cast<uint32_t>(h)});
    m_slots[i] = (static_cast<uint64_t>(h32) << 32) | (id + 1);
    inserted = true;
    return id;
}

void IdTable::reserve(size_t count)
{
    m_entries.reserve(count);
    size_t slots = 1024;
    while (slots < count * 2)
        slots *= 2;
    if (slots > m_slots.size())
        rehash(slots);
}

void IdTable::clear()
{
    m_entries.clear();
    m_slots.clear();
    m_mask = 0;
}

void IdTable::rehash(size_t slotCount)
{
    std::vector<uint64_t> slots(slotCount, 0);
    const size_t mask = slotCount - 1;
    for (uint64_t slot : m_slots) {
        if (slot == 0)
            continue;
        const Entry &e = m_entries[static_cast<uint32_t>(slot) - 1];
        // Entry keeps the low 32 bits of the hash for the bucket; slot keeps the high ones.
        size_t i = e.hash & mask;
        while (slots[i] != 0)
            i = (i + 1) & mask;
        slots[i] = slot;
    }
    m_slots.swap(slots);
    m_mask = mask;
}

std::string_view StringArena::add(std::string_view s)
{
    if (m_used + s.size() > m_capacity) {
        const size_t size = std::max<size_t>(64 * 1024, s.size());
        m_blocks.push_back(std::make_unique<char[]>(size));
        m_used = 0;
        m_capacity = size;
        m_allocated += size;
    }
    char *dest = m_blocks.back().get() + m_used;
    if (!s.empty())
        std::memcpy(dest, s.data(), s.size());
    m_used += s.size();
    return {dest, s.size()};
}

} // namespace eventlens
