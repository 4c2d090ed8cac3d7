#include "core/terminalsafebuf.h"

#include "core/textformat.h"

#include <cstdint>
#include <cstdio>

namespace eventlens {

namespace {

void appendEscape(std::string &out, const char *format, unsigned value)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, format, value);
    out += buf;
}

/// Escapes `in` into `out`; returns how many bytes at the end it left for more input
/// (an incomplete sequence; 0 when `final`).
size_t escapeInto(std::string_view in, std::string &out, TerminalSafeBuf::Mode mode, bool final)
{
    const bool json = mode == TerminalSafeBuf::Mode::Json;
    size_t i = 0;
    while (i < in.size()) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c >= 0x20 && c < 0x7F) {
            const size_t start = i;
            while (i < in.size() && static_cast<unsigned char>(in[i]) >= 0x20
                   && static_cast<unsigned char>(in[i]) < 0x7F)
                ++i;
            out.append(in.substr(start, i - start));
            continue;
        }
        if (c < 0x80) {
            // Newlines are ours; JSON's whitespace stays, any other C0 is escaped (JSON
            // output escapes them itself, so these can only be inside strings).
            if (c == '\n' || (json && (c == '\t' || c == '\r')))
                out += static_cast<char>(c);
            else
                appendEscape(out, json ? "\\u%04x" : "\\x%02x", c);
            ++i;
            continue;
        }
        uint32_t cp = 0;
        const int len = utf8SequenceAt(in, i, cp);
        if (len < 0 && !final)
            return in.size() - i;
        if (len <= 0) {
            if (json)
                out += "\\ufffd";
            else
                appendEscape(out, "\\x%02x", c);
            ++i;
            continue;
        }
        if (cp < 0xA0)
            appendEscape(out, "\\u%04x", cp); // C1: CSI, OSC… in their 8-bit forms
        else
            out.append(in.substr(i, static_cast<size_t>(len)));
        i += static_cast<size_t>(len);
    }
    return 0;
}

} // namespace

TerminalSafeBuf::TerminalSafeBuf(std::streambuf *target, Mode mode) : m_target(target), m_mode(mode)
{
    setp(m_buffer, m_buffer + sizeof m_buffer);
}

TerminalSafeBuf::~TerminalSafeBuf()
{
    drain(true);
    m_target->pubsync();
}

std::string TerminalSafeBuf::escaped(std::string_view text)
{
    std::string out;
    escapeInto(text, out, Mode::Text, true);
    return out;
}

std::string TerminalSafeBuf::escapedInLine(std::string_view text)
{
    std::string out = escaped(text);
    for (size_t at = out.find('\n'); at != std::string::npos; at = out.find('\n', at))
        out.replace(at, 1, "\\x0a");
    return out;
}

bool TerminalSafeBuf::drain(bool final)
{
    m_held.append(pbase(), static_cast<size_t>(pptr() - pbase()));
    setp(m_buffer, m_buffer + sizeof m_buffer);
    m_out.clear();
    const size_t keep = escapeInto(m_held, m_out, m_mode, final);
    m_held.erase(0, m_held.size() - keep);
    return m_target->sputn(m_out.data(), static_cast<std::streamsize>(m_out.size()))
           == static_cast<std::streamsize>(m_out.size());
}

TerminalSafeBuf::int_type TerminalSafeBuf::overflow(int_type ch)
{
    if (!drain(false))
        return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
        *pptr() = traits_type::to_char_type(ch);
        pbump(1);
    }
    return traits_type::not_eof(ch);
}

int TerminalSafeBuf::sync()
{
    // An incomplete sequence stays held: its rest may be in the next write.
    return drain(false) && m_target->pubsync() == 0 ? 0 : -1;
}

} // namespace eventlens
