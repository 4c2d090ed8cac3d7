#pragma once

// Checks and wording shared by the decoder's passes over one JSON event. Internal to
// core/ (it exposes simdjson types); the public entry point is Decoder.

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace eventlens::jsonchecks {

namespace od = simdjson::ondemand;

inline bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Quotes a raw JSON token for a message, shortened so one bad event cannot flood the UI.
std::string shown(std::string_view token);

const char *typeName(od::json_type t);

/// Names a value a field did not want: scalars as written (`42`, `null`, `"x"`), containers
/// by kind (their raw token is only the opening bracket).
std::string describe(od::json_type type, std::string_view token);

/// Whether a raw number token (maybe followed by whitespace) follows the JSON grammar.
/// simdjson refuses some well-formed numbers (integers beyond 64 bits, exponents beyond
/// the range of a double); the event is valid JSON all the same.
bool isJsonNumber(std::string_view t);

/// Offset of the first byte that is not valid UTF-8 (only called once simdjson said so).
size_t firstInvalidUtf8(std::string_view s);

/// Deepest nesting of objects/arrays outside strings. Only called on the way to rejecting
/// an event (too deep input is named first, whatever else is wrong with it).
unsigned maxNesting(std::string_view s);

/// Offset of the first non-blank byte after the top-level object (s.size() if there is
/// none), or npos when the object does not close with matching brackets. Used to tell
/// trailing content from an unclosed object when simdjson reports "ended early".
size_t afterRootObject(std::string_view s, unsigned maxDepth);

/// simdjson's messages in the words of someone reading a log line.
std::string jsonProblem(simdjson::error_code err);

} // namespace eventlens::jsonchecks
