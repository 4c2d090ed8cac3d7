#include "core/jsonlwriter.h"

#include "core/rfc3339.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace eventlens {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

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

} // namespace

JsonlWriter::JsonlWriter()
    : JsonlWriter(Options{})
{
}

JsonlWriter::JsonlWriter(Options options)
    : m_options(options)
{
}

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
    m_events = 0;
    const int flags = O_RDWR | O_CREAT | O_CLOEXEC | (m_options.append ? O_APPEND : O_TRUNC);
    m_fd = ::open(path.c_str(), flags, 0644);
    if (m_fd < 0) {
        m_error = "cannot open '" + path + "' for writing: " + std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (::fstat(m_fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        char last = '\n';
        if (::pread(m_fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
            const uint64_t lines = countLines(m_fd);
            m_buffer.push_back('\n');
            m_notice = "'" + path + "' ended in a torn line (line " + std::to_string(lines + 1)
                       + " has no newline); new records start on the next line";
        }
    }
    m_lastFlush = std::chrono::steady_clock::now();
    return flush();
}

bool JsonlWriter::write(const DecodedEvent &event)
{
    return writeLine(event.raw.substr(0, event.eventLength), event.receivedNs, event.topic);
}

bool JsonlWriter::write(std::string_view json, int64_t receivedNs, std::string_view topic)
{
    // Strip the closing brace (and any member of ours at the end, from a replayed recording).
    while (!json.empty() && isSpace(json.back()))
        json.remove_suffix(1);
    if (json.empty() || json.front() != '{' || json.back() != '}') {
        m_error = "not a JSON object; the recorder writes events only";
        return false;
    }
    json.remove_suffix(1);
    const std::string needle = ",\"" + std::string(kRecorderMember) + "\"";
    if (const size_t at = json.rfind(needle); at != std::string_view::npos)
        json = json.substr(0, at);
    while (!json.empty() && isSpace(json.back()))
        json.remove_suffix(1);
    return writeLine(json, receivedNs, topic);
}

bool JsonlWriter::writeLine(std::string_view prefix, int64_t receivedNs, std::string_view topic)
{
    if (m_fd < 0) {
        m_error = "the recording is not open";
        return false;
    }
    // One line per event: a newline is only legal JSON whitespace outside strings, so
    // folding it into a space keeps a pretty-printed event intact.
    const size_t start = m_buffer.size();
    m_buffer.append(prefix);
    for (size_t i = start; i < m_buffer.size(); ++i)
        if (m_buffer[i] == '\n' || m_buffer[i] == '\r')
            m_buffer[i] = ' ';
    const bool empty = prefix == "{"; // `{}`: no member before ours, so no comma
    nlohmann::json meta = nlohmann::json::object();
    if (receivedNs != kNoTime)
        meta["receivedAt"] = formatRfc3339(receivedNs, 9);
    if (!topic.empty())
        meta["topic"] = std::string(topic);
    m_buffer.append(empty ? "\"" : ",\"");
    m_buffer.append(kRecorderMember);
    m_buffer.append("\":");
    m_buffer.append(meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    m_buffer.append("}\n");
    ++m_events;

    switch (m_options.flush) {
    case Flush::EveryEvent:
        return flush();
    case Flush::Interval:
        if (std::chrono::steady_clock::now() - m_lastFlush >= m_options.interval || m_buffer.size() > (1u << 20))
            return flush();
        return true;
    case Flush::Manual:
        return m_buffer.size() > (4u << 20) ? flush() : true;
    }
    return true;
}

bool JsonlWriter::flush()
{
    m_lastFlush = std::chrono::steady_clock::now();
    size_t done = 0;
    while (done < m_buffer.size()) {
        const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            m_error = "cannot write '" + m_path + "': " + std::strerror(errno);
            m_buffer.erase(0, done);
            return false;
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
