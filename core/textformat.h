#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace eventlens {

/// RFC 3339 UTC with as many fraction digits as the value needs (3, 6 or 9).
std::string formatTime(int64_t utcNs);
/// Time of day, UTC: "13:01:23.456".
std::string formatClock(int64_t utcNs);
/// Three significant digits, trailing zeros dropped: "0.25", "12.3", "340".
std::string formatSignificant(double v);
/// A duration a person reads at a glance: "850 µs", "12.3 ms", "1.25 s", "2 min 03 s".
std::string formatDuration(int64_t ns);
/// A count grouped by thousands for reading: "1,000,000".
std::string formatCount(uint64_t n);
/// "12.5 %" of `part` in `whole` ("" when whole is 0).
std::string percent(uint64_t part, uint64_t whole);
/// The longest prefix of `s` of at most `max` bytes that does not cut a UTF-8 sequence.
std::string_view cutUtf8(std::string_view s, size_t max);
/// Length of the valid UTF-8 sequence (of two to four bytes) at `s[i]`: 0 when invalid (an
/// overlong form, a surrogate, beyond U+10FFFF), -1 when `s` ends before a sequence that is
/// valid so far is complete; its code point in `cp`.
int utf8SequenceAt(std::string_view s, size_t i, uint32_t &cp);

/// Column-aligned plain text for the CLI. Widths count UTF-8 characters, so tree
/// branches and arrows line up; trailing blanks are trimmed.
class TextTable {
public:
    void setHeader(std::vector<std::string> header) { m_header = std::move(header); }
    void setRightAligned(size_t column);
    void addRow(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    void print(std::ostream &out) const;

private:
    std::vector<std::string> m_header;
    std::vector<std::vector<std::string>> m_rows;
    std::vector<bool> m_right;
};

} // namespace eventlens
