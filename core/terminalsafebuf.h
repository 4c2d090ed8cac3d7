#pragma once

#include <streambuf>
#include <string>
#include <string_view>

namespace eventlens {

/// A stream buffer in front of a terminal (eventlens-cli's stdout and stderr) that makes
/// what passes through harmless to it: control characters — C0 except the newline, DEL,
/// C1 (U+0080–U+009F) — and bytes that are not UTF-8 are written as visible escapes, so a
/// topic or an eventType holding ESC, BEL or an OSC sequence cannot retitle the window,
/// clear the screen or move the cursor.
///
/// Text mode writes `\x1b` (C0, DEL and invalid bytes) and `\u0085` (C1). JSON mode keeps
/// JSON valid: its whitespace passes, other C0, DEL and C1 (which JSON output can only
/// hold inside strings) become `\u001b`, `\u007f`, `\u0085`, and a byte that is not
/// UTF-8 `\ufffd`. A UTF-8 sequence split between two writes is kept whole.
/// Not thread-safe, like the stream it serves.
class TerminalSafeBuf : public std::streambuf {
public:
    enum class Mode { Text, Json };

    TerminalSafeBuf(std::streambuf *target, Mode mode);
    ~TerminalSafeBuf() override; ///< writes out what it holds
    TerminalSafeBuf(const TerminalSafeBuf &) = delete;
    TerminalSafeBuf &operator=(const TerminalSafeBuf &) = delete;

    /// `text` with its control characters and invalid bytes escaped, as Text mode writes it.
    static std::string escaped(std::string_view text);
    /// The same, newlines too (`\x0a`): for a value inside a line or a table cell, where a
    /// newline would forge a line of output.
    static std::string escapedInLine(std::string_view text);

protected:
    int_type overflow(int_type ch) override;
    int sync() override;

private:
    /// Escapes the put area (after any bytes held back) into the target; `final`: a
    /// sequence still incomplete at the end is escaped too rather than held back.
    bool drain(bool final);

    std::streambuf *m_target;
    Mode m_mode;
    char m_buffer[4096];
    std::string m_held; ///< the start of a UTF-8 sequence whose rest has not come yet
    std::string m_out;
};

} // namespace eventlens
