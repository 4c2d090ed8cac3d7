#include "core/textformat.h"

#include "core/rfc3339.h"
#include "core/terminalsafebuf.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace eventlens {

namespace {

size_t displayWidth(const std::string &s)
{
    return static_cast<size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

} // namespace

std::string formatSignificant(double v)
{
    char buf[32];
    const int decimals = v < 10 ? 2 : v < 100 ? 1 : 0;
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
    }
    return s;
}

std::string formatTime(int64_t ns)
{
    const int64_t frac = ((ns % 1'000'000'000) + 1'000'000'000) % 1'000'000'000;
    const int digits = frac % 1'000'000 == 0 ? 3 : frac % 1'000 == 0 ? 6 : 9;
    return formatRfc3339(ns, digits);
}

std::string formatClock(int64_t ns)
{
    const std::string full = formatRfc3339(ns, 3); // YYYY-MM-DDTHH:MM:SS.mmmZ
    return full.substr(11, 12);
}

std::string formatDuration(int64_t ns)
{
    if (ns < 0)
        return std::string("-").append(formatDuration(-ns)); // not operator+: GCC 12 -Wrestrict false positive
    const double v = static_cast<double>(ns);
    if (ns == 0)
        return "0 ms"; // reads as "no delay", where "0 ns" suggests a measurement
    if (ns < 1'000)
        return std::to_string(ns) + " ns";
    if (ns < 1'000'000)
        return formatSignificant(v / 1e3) + " µs";
    if (ns < 1'000'000'000)
        return formatSignificant(v / 1e6) + " ms";
    if (ns < 60'000'000'000)
        return formatSignificant(v / 1e9) + " s";
    char buf[48];
    const int64_t s = ns / 1'000'000'000;
    if (s < 3600)
        std::snprintf(buf, sizeof buf, "%lld min %02lld s", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    else if (s < 86400)
        std::snprintf(buf, sizeof buf, "%lld h %02lld min", static_cast<long long>(s / 3600),
                      static_cast<long long>(s / 60 % 60));
    else
        std::snprintf(buf, sizeof buf, "%lld d %02lld h", static_cast<long long>(s / 86400),
                      static_cast<long long>(s / 3600 % 24));
    return buf;
}

std::string formatCount(uint64_t n)
{
    std::string digits = std::to_string(n);
    for (size_t i = digits.size(); i > 3; i -= 3)
        digits.insert(i - 3, 1, ',');
    return digits;
}

std::string percent(uint64_t part, uint64_t whole)
{
    if (whole == 0)
        return {};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
    return buf;
}

void TextTable::setRightAligned(size_t column)
{
    if (m_right.size() <= column)
        m_right.resize(column + 1, false);
    m_right[column] = true;
}

void TextTable::print(std::ostream &out) const
{
    // Cells hold names from the input (types, sources, topics): escaped before they are
    // measured, so a control character can neither reach the terminal nor break a row,
    // and the columns still line up.
    auto escapedRow = [](const std::vector<std::string> &row) {
        std::vector<std::string> cells;
        cells.reserve(row.size());
        for (const std::string &cell : row) {
            const bool plain = std::all_of(cell.begin(), cell.end(), [](char c) {
                return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F;
            });
            cells.push_back(plain ? cell : TerminalSafeBuf::escapedInLine(cell));
        }
        return cells;
    };
    const std::vector<std::string> header = escapedRow(m_header);
    std::vector<std::vector<std::string>> rows;
    rows.reserve(m_rows.size());
    for (const auto &row : m_rows)
        rows.push_back(escapedRow(row));

    std::vector<size_t> widths;
    auto measure = [&](const std::vector<std::string> &row) {
        if (widths.size() < row.size())
            widths.resize(row.size(), 0);
        for (size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], displayWidth(row[c]));
    };
    if (!header.empty())
        measure(header);
    for (const auto &row : rows)
        measure(row);

    auto emit = [&](const std::vector<std::string> &row) {
        std::string line;
        for (size_t c = 0; c < row.size(); ++c) {
            const size_t pad = widths[c] - displayWidth(row[c]);
            const bool right = c < m_right.size() && m_right[c];
            if (right)
                line.append(pad, ' ');
            line += row[c];
            if (!right)
                line.append(pad, ' ');
            if (c + 1 < row.size())
                line += "  ";
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << '\n';
    };
    if (!header.empty())
        emit(header);
    for (const auto &row : rows)
        emit(row);
}

std::string_view cutUtf8(std::string_view s, size_t max)
{
    if (s.size() <= max)
        return s;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

int utf8SequenceAt(std::string_view s, size_t i, uint32_t &cp)
{
    const auto c = static_cast<unsigned char>(s[i]);
    int len;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (int k = 1; k < len; ++k) {
        if (i + static_cast<size_t>(k) >= s.size())
            return -1;
        const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
        if ((b & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

} // namespace eventlens
