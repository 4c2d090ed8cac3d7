#include "core/jsonchecks.h"

#include "core/textformat.h"

#include <algorithm>
#include <cstring>

namespace eventlens::jsonchecks {

/// Quotes a raw JSON token for a message, shortened so one bad event cannot flood the UI.
std::string shown(std::string_view token)
{
    constexpr size_t kMax = 60;
    while (!token.empty()
           && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t'))
        token.remove_suffix(1);
    if (token.size() <= kMax)
        return std::string(token);
    // Do not cut a UTF-8 sequence in half.
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(token[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(token.substr(0, cut)) + "…";
}

const char *typeName(od::json_type t)
{
    switch (t) {
    case od::json_type::array:
        return "an array";
    case od::json_type::object:
        return "an object";
    case od::json_type::number:
        return "a number";
    case od::json_type::string:
        return "a string";
    case od::json_type::boolean:
        return "a boolean";
    case od::json_type::null:
        return "null";
    }
    return "a value";
}

/// Names a value a field did not want: scalars as written (`42`, `null`, `"x"`), containers
/// by kind (their raw token is only the opening bracket).
std::string describe(od::json_type type, std::string_view token)
{
    if (type == od::json_type::object || type == od::json_type::array)
        return typeName(type);
    return shown(token);
}

/// Whether a raw number token (maybe followed by whitespace) follows the JSON grammar.
/// simdjson refuses some well-formed numbers (integers beyond 64 bits, exponents beyond
/// the range of a double); the event is valid JSON all the same.
bool isJsonNumber(std::string_view t)
{
    while (!t.empty() && isSpace(t.back()))
        t.remove_suffix(1);
    size_t i = 0;
    const auto digitRun = [&] {
        const size_t start = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9')
            ++i;
        return i > start;
    };
    if (i < t.size() && t[i] == '-')
        ++i;
    if (i < t.size() && t[i] == '0')
        ++i;
    else if (!digitRun())
        return false;
    if (i < t.size() && t[i] == '.') {
        ++i;
        if (!digitRun())
            return false;
    }
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '+' || t[i] == '-'))
            ++i;
        if (!digitRun())
            return false;
    }
    return i == t.size();
}

/// Offset of the first byte that is not valid UTF-8 (only called once simdjson said so).
size_t firstInvalidUtf8(std::string_view s)
{
    size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        uint32_t cp = 0;
        const int len = utf8SequenceAt(s, i, cp);
        if (len <= 0)
            return i;
        i += static_cast<size_t>(len);
    }
    return s.size();
}

namespace {

/// Calls `onBracket(c, i)` for each bracket outside strings from `i` on, until it returns
/// false; returns where it stopped (s.size() at the end).
template<typename F> size_t forEachBracket(std::string_view s, size_t i, F onBracket)
{
    bool inString = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if ((c == '{' || c == '[' || c == '}' || c == ']') && !onBracket(c, i)) {
            return i;
        }
    }
    return s.size();
}

} // namespace

/// Deepest nesting of objects/arrays outside strings. Only called on the way to rejecting
/// an event (too deep input is named first, whatever else is wrong with it).
unsigned maxNesting(std::string_view s)
{
    unsigned depth = 0, deepest = 0;
    forEachBracket(s, 0, [&](char c, size_t) {
        if (c == '{' || c == '[')
            deepest = std::max(deepest, ++depth);
        else if (depth > 0)
            --depth;
        return true;
    });
    return deepest;
}

/// Offset of the first non-blank byte after the top-level object (s.size() if there is
/// none), or npos when the object does not close with matching brackets. Used to tell
/// trailing content from an unclosed object when simdjson reports "ended early".
size_t afterRootObject(std::string_view s, unsigned maxDepth)
{
    size_t i = 0;
    while (i < s.size() && isSpace(s[i]))
        ++i;
    if (i == s.size() || s[i] != '{')
        return std::string_view::npos;
    std::string open; // the brackets still open, innermost last
    bool closed = false, broken = false;
    size_t end = forEachBracket(s, i, [&](char c, size_t) {
        if (c == '{' || c == '[') {
            broken = open.size() >= maxDepth;
            open.push_back(c);
        } else if (open.empty() || open.back() != (c == '}' ? '{' : '[')) {
            broken = true;
        } else {
            open.pop_back();
            closed = open.empty();
        }
        return !broken && !closed;
    });
    if (!closed)
        return std::string_view::npos;
    ++end;
    while (end < s.size() && isSpace(s[end]))
        ++end;
    return end;
}

/// simdjson's messages in the words of someone reading a log line.
std::string jsonProblem(simdjson::error_code err)
{
    switch (err) {
    case simdjson::TAPE_ERROR:
        return "malformed JSON (a missing or extra comma, colon, quote or bracket)";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
        return "the input ends before an object or array is closed";
    case simdjson::UNCLOSED_STRING:
        return "a string is opened but never closed";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
        return "a bare word where a value should be (only true, false and null are allowed)";
    case simdjson::NUMBER_ERROR:
        return "a malformed number";
    case simdjson::STRING_ERROR:
        return "a malformed string (a bad escape or a raw control character)";
    case simdjson::EMPTY:
        return "no JSON value (empty or blank)";
    case simdjson::INCORRECT_TYPE:
        return "not a JSON value";
    default:
        return simdjson::error_message(err);
    }
}

} // namespace eventlens::jsonchecks
