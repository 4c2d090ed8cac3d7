#include "core/jsonlwriter.h"

#include "core/rfc3339.h"
#include "core/textformat.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace eventlens {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Counts lines in the file so the torn-line notice can say where it is.
uint64_t countLines(int fd)
{
    char buf[1 << 16];
    uint64_t lines = 0;
    ssize_t n;
    ::lseek(fd, 0, SEEK_SET);
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; ++i)
            lines += buf[i] == '\n';
    return lines;
}

size_t skipSpace(std::string_view s, size_t i)
{
    while (i < s.size() && isSpace(s[i]))
        ++i;
    return i;
}

/// `i` at an opening quote; returns the index after the closing one, or npos.
size_t skipString(std::string_view s, size_t i)
{
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            return i + 1;
    }
    return std::string_view::npos;
}

/// `i` at the start of a value; returns the index just after it (a scalar runs up to the
/// next ',' or '}' at its level), or npos when the input ends first.
size_t skipValue(std::string_view s, size_t i)
{
    int depth = 0;
    while (i < s.size()) {
        const char c = s[i];
        if (c == '"') {
            i = skipString(s, i);
            if (i == std::string_view::npos || depth == 0)
                return i;
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            if (--depth == 0)
                return i + 1;
        } else if (c == ',' && depth == 0) {
            return i;
        }
        ++i;
    }
    return std::string_view::npos;
}

/// The object `json` (trimmed, from '{' to '}') without its closing brace, trailing
/// whitespace and any top-level recorder member: what a line starts with before ours is
/// added. Only top-level members count (a producer's `data` may hold a member of that
/// name), wherever they sit and however they are spaced. Usually a view into `json`;
/// `scratch` holds the result when a member had to be cut out of the middle.
std::string_view withoutRecorderMember(std::string_view json, std::string &scratch)
{
    const size_t npos = std::string_view::npos;
    auto trimmed = [](std::string_view v) {
        while (!v.empty() && isSpace(v.back()))
            v.remove_suffix(1);
        return v;
    };
    const std::string_view body = trimmed(json.substr(0, json.size() - 1)); // without the '}'
    static const std::string key = "\"" + std::string(kRecorderMember) + "\"";
    if (json.find(key) == npos)
        return body; // a live event: nothing to look for

    // Members as [key quote, value end), in order; which ones are ours.
    struct Member {
        size_t begin, end;
        bool ours;
    };
    std::vector<Member> members;
    bool anyOurs = false;
    size_t i = skipSpace(json, 1);
    if (i < json.size() && json[i] != '}') {
        for (;;) {
            if (i >= json.size() || json[i] != '"')
                return body; // not an object we understand: written as is, the reader will say why
            const size_t keyEnd = skipString(json, i);
            if (keyEnd == npos)
                return body;
            const bool ours = json.substr(i + 1, keyEnd - i - 2) == kRecorderMember;
            size_t v = skipSpace(json, keyEnd);
            if (v >= json.size() || json[v] != ':')
                return body;
            const size_t valueEnd = skipValue(json, skipSpace(json, v + 1));
            if (valueEnd == npos)
                return body;
            members.push_back({i, valueEnd, ours});
            anyOurs = anyOurs || ours;
            i = skipSpace(json, valueEnd);
            if (i < json.size() && json[i] == ',') {
                i = skipSpace(json, i + 1);
                continue;
            }
            if (i == json.size() - 1)
                break; // the closing brace
            return body;
        }
    }
    if (!anyOurs)
        return body;

    // Ours at the end only (what the recorder writes): a prefix of the input.
    size_t kept = members.size();
    while (kept > 0 && members[kept - 1].ours)
        --kept;
    const bool onlyAtEnd = std::none_of(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(kept),
                                        [](const Member &m) { return m.ours; });
    if (onlyAtEnd)
        return trimmed(json.substr(0, kept ? members[kept - 1].end : members[0].begin));

    // Elsewhere: keep the other members with the separator that preceded each.
    scratch.assign(json.substr(0, members[0].begin));
    bool first = true;
    for (size_t m = 0; m < members.size(); ++m) {
        if (members[m].ours)
            continue;
        if (!first)
            scratch.append(json.substr(members[m - 1].end, members[m].begin - members[m - 1].end));
        scratch.append(json.substr(members[m].begin, members[m].end - members[m].begin));
        first = false;
    }
    return trimmed(scratch);
}

} // namespace

JsonlWriter::JsonlWriter() : JsonlWriter(Options{})
{ }

JsonlWriter::JsonlWriter(Options options) : m_options(options)
{ }

JsonlWriter::~JsonlWriter()
{
    close();
}

bool JsonlWriter::open(const std::string &path)
{
    close();
    m_path = path;
    m_error.clear();
    m_notice.clear();
    m_buffer.clear(); // what a failed close() could not write belongs to the old file
    m_events = 0;
    m_lost = 0;
    m_failed = false;
    const int flags = O_RDWR | O_CREAT | O_CLOEXEC | (m_options.append ? O_APPEND : O_TRUNC);
    m_fd = ::open(path.c_str(), flags, 0644);
    if (m_fd < 0) {
        m_error = "cannot open '" + path + "' for writing: " + std::strerror(errno);
        return false;
    }
    struct stat st { };
    if (::fstat(m_fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        char last = '\n';
        if (::pread(m_fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
            const uint64_t lines = countLines(m_fd);
            m_buffer.push_back('\n');
            m_notice = "'" + path + "' ended in a torn line (line " + std::to_string(lines + 1)
                       + " has no newline); new records start on the next line";
        }
    }
    return flush();
}

bool JsonlWriter::write(const DecodedEvent &event)
{
    // Through the same path as text: a recorder member anywhere in the raw bytes (a
    // replayed recording, written by another tool) is replaced, not repeated.
    return write(event.raw, event.receivedNs, event.topic);
}

bool JsonlWriter::write(std::string_view json, int64_t receivedNs, std::string_view topic)
{
    while (!json.empty() && isSpace(json.back()))
        json.remove_suffix(1);
    while (!json.empty() && isSpace(json.front()))
        json.remove_prefix(1);
    if (json.empty() || json.front() != '{' || json.back() != '}') {
        m_error = "not a JSON object; the recorder writes events only";
        return false;
    }
    // Strip the closing brace and any member of ours (from a replayed recording).
    return writeLine(withoutRecorderMember(json, m_scratch), receivedNs, topic);
}

bool JsonlWriter::writeLine(std::string_view prefix, int64_t receivedNs, std::string_view topic)
{
    if (m_fd < 0) {
        m_error = "the recording is not open";
        return false;
    }
    if (m_failed) {
        ++m_lost;
        return false; // m_error still says why
    }
    nlohmann::json meta = nlohmann::json::object();
    if (receivedNs != kNoTime)
        meta["receivedAt"] = formatRfc3339(receivedNs, 9);
    if (topic.size() > kMaxTopicBytes) {
        meta["topic"] = std::string(cutUtf8(topic, kMaxTopicBytes));
        meta["topicTruncated"] = true;
        meta["topicBytes"] = topic.size();
    } else if (!topic.empty()) {
        meta["topic"] = std::string(topic);
    }
    std::string member = meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const bool empty = prefix == "{"; // `{}`: no member before ours, so no comma
    // The line as the reader measures it: without its newline.
    auto lineBytes = [&] {
        return prefix.size() + (member.empty() ? 0 : (empty ? 0 : 1) + kRecorderMember.size() + 3 + member.size()) + 1;
    };
    if (m_options.maxLineBytes && lineBytes() > m_options.maxLineBytes) {
        // The event itself fits (the decoder took it): what we add must not make it refused.
        meta.erase("topic");
        meta.erase("topicTruncated");
        meta["topicBytes"] = topic.size();
        member = meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (lineBytes() > m_options.maxLineBytes)
            member.clear();
    }

    // One line per event: a newline is only legal JSON whitespace outside strings, so
    // folding it into a space keeps a pretty-printed event intact.
    if (m_buffer.empty())
        m_pendingSince = std::chrono::steady_clock::now();
    const size_t start = m_buffer.size();
    m_buffer.append(prefix);
    for (size_t i = start; i < m_buffer.size(); ++i)
        if (m_buffer[i] == '\n' || m_buffer[i] == '\r')
            m_buffer[i] = ' ';
    if (!member.empty()) {
        m_buffer.append(empty ? "\"" : ",\"");
        m_buffer.append(kRecorderMember);
        m_buffer.append("\":");
        m_buffer.append(member);
    }
    m_buffer.append("}\n");
    ++m_events;

    if (m_buffer.size() > kMaxBufferBytes)
        return flush();
    switch (m_options.flush) {
    case Flush::EveryEvent:
        return flush();
    case Flush::Interval:
        return flushIfDue();
    case Flush::Manual:
        return true;
    }
    return true;
}

bool JsonlWriter::flushIfDue()
{
    if (m_failed)
        return false;
    if (m_options.flush != Flush::Interval || m_buffer.empty()
        || std::chrono::steady_clock::now() - m_pendingSince < m_options.interval / 2)
        return true;
    return flush();
}

bool JsonlWriter::fail(int error)
{
    // Whole events still buffered are lost (one cut short by the failed write, too).
    const auto unwritten = static_cast<uint64_t>(std::count(m_buffer.begin(), m_buffer.end(), '\n'));
    m_lost += unwritten;
    m_events -= std::min(m_events, unwritten);
    m_error = "cannot write '" + m_path + "': " + std::strerror(error);
    m_failed = true;
    std::string().swap(m_buffer);
    return false;
}

bool JsonlWriter::flush()
{
    if (m_failed)
        return false;
    size_t done = 0;
    while (done < m_buffer.size()) {
        const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            m_buffer.erase(0, done);
            return fail(errno);
        }
        done += static_cast<size_t>(n);
    }
    m_buffer.clear();
    return true;
}

bool JsonlWriter::close()
{
    if (m_fd < 0)
        return true;
    const bool ok = flush();
    ::close(m_fd);
    m_fd = -1;
    return ok;
}

} // namespace eventlens
