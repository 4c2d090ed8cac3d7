#include "ui/palette.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

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

// Strong line colours for chart series that are not services (event types, topics): their
// own set, so that a chart of ten event types takes none of the services' colours.
constexpr std::array<QRgb, 10> kSeriesColors{
    0xff1f77b4, // blue
    0xffff7f0e, // orange
    0xff2ca02c, // green
    0xff9467bd, // purple
    0xff8c564b, // brown
    0xffe377c2, // pink
    0xff17becf, // cyan
    0xffbcbd22, // olive
    0xff393b79, // indigo
    0xffad494a, // brick
};

/// Gives each name seen a colour of its own for the life of the process: its preferred one of
/// `fixed` (by hash) or the next free one; once `fixed` is used up, one more made by turning
/// the hue by the golden angle (never a repeat: two services on screen are always told apart).
/// A mutex guards it: any thread.
class Assignments {
public:
    Assignments(const QRgb *fixed, size_t count, double saturation, double value)
        : m_fixed(fixed), m_count(count), m_saturation(saturation), m_value(value), m_taken(count, false)
    { }

    QColor colorOf(std::string_view name)
    {
        const std::lock_guard lock(m_mutex);
        const std::string key(name);
        auto it = m_colorOf.find(key);
        if (it == m_colorOf.end())
            it = m_colorOf.emplace(key, next(name)).first;
        return QColor(it->second);
    }

private:
    QRgb next(std::string_view name)
    {
        if (m_used < m_count) {
            size_t slot = fnv1a(name) % m_count;
            while (m_taken[slot])
                slot = (slot + 1) % m_count;
            m_taken[slot] = true;
            ++m_used;
            return m_fixed[slot];
        }
        // Past the fixed set: hues 137.5° apart, starting between the fixed ones.
        for (;;) {
            const double hue = std::fmod(0.05 + double(m_extra++) * 0.381966, 1.0);
            const QRgb c = QColor::fromHsvF(float(hue), float(m_saturation), float(m_value)).rgb();
            if (std::find(m_fixed, m_fixed + m_count, c) == m_fixed + m_count && !m_made.count(c)) {
                m_made.insert(c);
                return c;
            }
        }
    }

    std::mutex m_mutex;
    const QRgb *m_fixed;
    size_t m_count;
    double m_saturation, m_value;
    std::vector<bool> m_taken;
    size_t m_used = 0;
    size_t m_extra = 0;
    std::unordered_set<QRgb> m_made;
    std::unordered_map<std::string, QRgb> m_colorOf;
};

} // namespace

QColor colorForSource(std::string_view name)
{
    static Assignments sources(kSourceColors.data(), kSourceColors.size(), 0.30, 0.95);
    return sources.colorOf(name);
}

QColor colorForSeries(std::string_view name)
{
    static Assignments series(kSeriesColors.data(), kSeriesColors.size(), 0.75, 0.70);
    return series.colorOf(name);
}

} // namespace eventlens
