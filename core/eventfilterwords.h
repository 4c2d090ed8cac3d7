#pragma once

// The filter language's words: field names (and the contract's aliases), `is:` values, lag
// units, and the helpers that suggest a word for a typo. Shared by parsing (eventfilter.cpp)
// and completion (eventfiltercompletion.cpp); not public API.

#include "core/textmatch.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventlens::filterwords {

using namespace textmatch;

struct FieldName {
    std::string_view name;
    int field;     // EventFilter::Field, as int: the enum is private
    bool compares; ///< takes < <= > >= = besides ':'
};

// Canonical names first: suggestions and completions use those.
inline constexpr std::array<FieldName, 19> kFieldNames = {{
    {"type", 0, false},
    {"source", 1, false},
    {"topic", 2, false},
    {"id", 3, false},
    {"corr", 4, false},
    {"cause", 5, false},
    {"cause.type", 6, false},
    {"cause.source", 7, false},
    {"version", 8, true},
    {"lag", 9, true},
    {"is", 10, false},
    {"text", 11, false},
    // Aliases: the contract's own names.
    {"eventtype", 0, false},
    {"eventid", 3, false},
    {"correlation", 4, false},
    {"correlationid", 4, false},
    {"causation", 5, false},
    {"causationid", 5, false},
    {"eventversion", 8, true},
}};
inline constexpr size_t kCanonicalFields = 12;

struct IsName {
    std::string_view name;
    uint16_t bit;
};

inline constexpr std::array<IsName, 9> kIsNames = {{
    {"duplicate", 1u << 0},
    {"redelivery", 1u << 1},
    {"collision", 1u << 2},
    {"skew", 1u << 3},
    {"ghost", 1u << 4},
    {"root", 1u << 5},
    {"rejected", 1u << 6},
    {"cloudevent", 1u << 7},
    {"nocorr", 1u << 8},
}};

inline size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

/// The candidate a typo most likely meant: one the word starts (2+ letters), or one within
/// two edits (one for short words); empty when none is close.
inline std::string_view closest(std::string_view word, const std::vector<std::string_view> &candidates)
{
    std::string_view best;
    size_t bestDistance = word.size() <= 3 ? 2 : 3;
    for (std::string_view c : candidates) {
        size_t d = word.size() >= 2 && c.starts_with(word) ? 1 : editDistance(word, c);
        if (d >= 2 && word.size() >= 3 && c.starts_with(word.substr(0, 3)))
            d = 2; // "dupe" → "duplicate"
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

inline std::string joined(const std::vector<std::string_view> &words)
{
    std::string s;
    for (std::string_view w : words)
        s.append(s.empty() ? "" : ", ").append(w);
    return s;
}

inline std::vector<std::string_view> canonicalFields()
{
    std::vector<std::string_view> out;
    for (size_t i = 0; i < kCanonicalFields; ++i)
        out.push_back(kFieldNames[i].name);
    return out;
}

inline std::vector<std::string_view> isNames()
{
    std::vector<std::string_view> out;
    for (const IsName &n : kIsNames)
        out.push_back(n.name);
    return out;
}

struct Unit {
    std::string_view name;
    int64_t ns;
};

inline constexpr std::array<Unit, 9> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000}, // µ, MICRO SIGN
    {"\xCE\xBCs", 1'000}, // μ, GREEK SMALL LETTER MU
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"min", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

/// A value needs quotes in a query when it has blanks, commas or quotes.
inline std::string quotedIfNeeded(std::string_view value)
{
    if (std::none_of(value.begin(), value.end(), [](char c) { return isBlank(c) || c == ',' || c == '"'; }))
        return std::string(value);
    std::string s = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\')
            s += '\\';
        s += c;
    }
    return s + '"';
}

} // namespace eventlens::filterwords
