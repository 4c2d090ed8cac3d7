#include "ui/palette.h"

#include <array>
#include <bitset>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace eventlens {

namespace {

// Light fills, neighbours in the list far apart in hue; none grey (ghosts) or red (skew).
constexpr std::array<QRgb, 12> kSourceColors{
    0xffa8d5f2, // sky
    0xffb9e4b0, // green
    0xfff9d49e, // apricot
    0xffd9c6f2, // lavender
    0xffa6e3da, // teal
    0xfff6c2d6, // pink
    0xffeee79a, // straw
    0xffbfcaf7, // periwinkle
    0xffd3dca6, // sage
    0xfff2c9b3, // peach
    0xffe7bfe9, // orchid
    0xffe3d3bc, // sand
};

uint32_t fnv1a(std::string_view s)
{
    uint32_t h = 2166136261u;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

/// Which colour each name seen so far has, and which colours are taken.
struct Assignments {
    std::mutex mutex;
    std::unordered_map<std::string, size_t> slotOf;
    std::bitset<kSourceColors.size()> taken;
};

Assignments &assignments()
{
    static Assignments a;
    return a;
}

} // namespace

QColor colorForSource(std::string_view name)
{
    Assignments &a = assignments();
    const std::lock_guard lock(a.mutex);
    const std::string key(name);
    auto it = a.slotOf.find(key);
    if (it == a.slotOf.end()) {
        const size_t preferred = fnv1a(name) % kSourceColors.size();
        size_t slot = preferred;
        if (!a.taken.all())
            while (a.taken[slot])
                slot = (slot + 1) % kSourceColors.size();
        a.taken.set(slot);
        it = a.slotOf.emplace(key, slot).first;
    }
    return QColor(kSourceColors[it->second]);
}

} // namespace eventlens
