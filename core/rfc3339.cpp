#include "core/rfc3339.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <limits>

namespace eventlens {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

bool digits(std::string_view s, size_t pos, size_t count, unsigned &out) noexcept
{
    if (pos + count > s.size())
        return false;
    unsigned v = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    out = v;
    return true;
}

bool isLeap(unsigned y) noexcept
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned daysInMonth(unsigned y, unsigned m) noexcept
{
    static constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : days[m - 1];
}

} // namespace

std::optional<int64_t> parseRfc3339(std::string_view s) noexcept
{
    // date-fullyear "-" date-month "-" date-mday
    unsigned year, month, day, hour, minute, second;
    if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-'
        || !digits(s, 8, 2, day))
        return std::nullopt;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return std::nullopt;
    if (!digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':'
        || !digits(s, 17, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;

    size_t pos = 19;
    int64_t fraction = 0;
    if (s[pos] == '.') {
        ++pos;
        const size_t start = pos;
        int64_t scale = kNsPerSecond;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (scale > 1) {
                scale /= 10;
                fraction += (s[pos] - '0') * scale;
            }
            ++pos;
        }
        if (pos == start)
            return std::nullopt;
    }
    if (pos >= s.size())
        return std::nullopt; // the offset is not optional in RFC 3339

    int64_t offsetSeconds = 0;
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        unsigned oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om)
            || oh > 23 || om > 59)
            return std::nullopt;
        offsetSeconds = (static_cast<int64_t>(oh) * 60 + om) * 60 * (s[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;

    // int64 nanoseconds reach from 1677-09-21 to 2262-04-11; reject outside a safe subset.
    if (year < 1678 || year > 2261)
        return std::nullopt;
    const int64_t days = daysFromCivil(year, month, day);
    const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    return seconds * kNsPerSecond + fraction;
}

int64_t nowUtcNs() noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string formatRfc3339(int64_t utcNs, int fractionDigits)
{
    int64_t seconds = utcNs / kNsPerSecond;
    int64_t ns = utcNs % kNsPerSecond;
    if (ns < 0) {
        ns += kNsPerSecond;
        --seconds;
    }
    int64_t days = seconds / 86400;
    int64_t rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // civil_from_days (Howard Hinnant)
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);

    char buf[48];
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                          static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
    if (fractionDigits == 3)
        n += std::snprintf(buf + n, sizeof buf - n, ".%03lld", static_cast<long long>(ns / 1'000'000));
    else if (fractionDigits == 6)
        n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(ns / 1'000));
    else if (fractionDigits == 9)
        n += std::snprintf(buf + n, sizeof buf - n, ".%09lld", static_cast<long long>(ns));
    buf[n++] = 'Z';
    return std::string(buf, static_cast<size_t>(n));
}

} // namespace eventlens
