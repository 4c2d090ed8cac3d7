#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventlens {

/// Parses an RFC 3339 date-time ("2026-11-26T13:01:23.123456789+01:00") into UTC
/// nanoseconds since the Unix epoch. Accepts 'T', 't' or ' ' between date and time,
/// 'Z'/'z' or a ±HH:MM offset (the offset is required), any number of fractional digits
/// (digits beyond nanoseconds are truncated) and a leap second (:60, counted as the
/// next second). Returns nullopt for anything else, including dates outside the
/// range int64 nanoseconds can hold (1677..2262).
std::optional<int64_t> parseRfc3339(std::string_view text) noexcept;

/// Now, as UTC nanoseconds since the epoch (the wall clock: receive times, restamps).
int64_t nowUtcNs() noexcept;

/// Formats UTC nanoseconds as RFC 3339 with 'Z'. Fraction digits: 0 (none), 3, 6 or 9.
std::string formatRfc3339(int64_t utcNs, int fractionDigits = 9);

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) noexcept
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

} // namespace eventlens
