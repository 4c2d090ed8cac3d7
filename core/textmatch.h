#pragma once

// Matching text the filter language needs, fast enough to run once per event of a million:
// ASCII case folding, `*` globs, id prefixes, and a substring search over raw bytes.

#include <bit>
#include <cstring>
#include <string>
#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace eventlens::textmatch {

inline constexpr bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline constexpr bool isAsciiLetter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

inline constexpr unsigned char foldAscii(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c | 0x20) : c;
}

inline std::string lowerAscii(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(foldAscii(static_cast<unsigned char>(c)));
    return out;
}

inline bool startsWithFolded(std::string_view s, std::string_view prefix)
{
    if (prefix.size() > s.size())
        return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (foldAscii(static_cast<unsigned char>(s[i])) != foldAscii(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

/// `*` matches any run of characters (also none); everything else matches itself.
inline bool globMatch(std::string_view text, std::string_view pattern)
{
    size_t t = 0, p = 0, starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

inline bool isGlob(std::string_view s)
{
    return s.find('*') != std::string_view::npos;
}

/// A name value: a glob when it has a `*`, else the exact name.
inline bool nameMatches(std::string_view name, std::string_view value)
{
    return isGlob(value) ? globMatch(name, value) : name == value;
}

/// An id value: a glob when it has a `*`, else a prefix.
inline bool idMatches(std::string_view id, std::string_view value)
{
    if (isGlob(value))
        return globMatch(id, value);
    return id.size() >= value.size() && std::memcmp(id.data(), value.data(), value.size()) == 0;
}

/// Finds a needle in raw bytes, ASCII letters in either case. Checks the needle's first and
/// last byte at 16 positions at once (SSE2) and compares the rest only where both agree,
/// which in JSON is rare: no per-call tables, so calling it once per event costs little.
class Needle {
public:
    explicit Needle(std::string_view text) : m_lower(lowerAscii(text))
    {
        if (m_lower.empty())
            return;
        m_first = static_cast<unsigned char>(m_lower.front());
        m_last = static_cast<unsigned char>(m_lower.back());
        m_firstMask = isAsciiLetter(m_first) ? 0x20 : 0;
        m_lastMask = isAsciiLetter(m_last) ? 0x20 : 0;
    }

    bool foundIn(std::string_view hay) const
    {
        const size_t m = m_lower.size();
        if (m == 0)
            return true;
        if (hay.size() < m)
            return false;
        const auto *h = reinterpret_cast<const unsigned char *>(hay.data());
        const size_t positions = hay.size() - m + 1; // candidate starts: [0, positions)
        size_t i = 0;
#ifdef __SSE2__
        if (positions >= 16) {
            const __m128i first = _mm_set1_epi8(static_cast<char>(m_first));
            const __m128i last = _mm_set1_epi8(static_cast<char>(m_last));
            const __m128i firstMask = _mm_set1_epi8(static_cast<char>(m_firstMask));
            const __m128i lastMask = _mm_set1_epi8(static_cast<char>(m_lastMask));
            auto block = [&](size_t at) -> unsigned {
                const __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(h + at)), firstMask);
                const __m128i b =
                    _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(h + at + m - 1)), lastMask);
                return static_cast<unsigned>(
                    _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
            };
            for (; i + 16 <= positions; i += 16)
                for (unsigned bits = block(i); bits; bits &= bits - 1)
                    if (middleAt(h + i + static_cast<size_t>(std::countr_zero(bits))))
                        return true;
            if (i < positions) {
                // The last positions, with one block that overlaps the ones already checked.
                const size_t at = positions - 16;
                for (unsigned bits = block(at) >> (i - at) << (i - at); bits; bits &= bits - 1)
                    if (middleAt(h + at + static_cast<size_t>(std::countr_zero(bits))))
                        return true;
            }
            return false;
        }
#endif
        for (; i < positions; ++i)
            if ((h[i] | m_firstMask) == m_first && (h[i + m - 1] | m_lastMask) == m_last && middleAt(h + i))
                return true;
        return false;
    }

private:
    /// The bytes between the first and the last, folded (ends already agree).
    bool middleAt(const unsigned char *p) const
    {
        for (size_t k = 1; k + 1 < m_lower.size(); ++k)
            if (foldAscii(p[k]) != static_cast<unsigned char>(m_lower[k]))
                return false;
        return true;
    }

    std::string m_lower;
    unsigned char m_first = 0, m_last = 0, m_firstMask = 0, m_lastMask = 0;
};

} // namespace eventlens::textmatch
