#include "core/decoder.h"

#include "core/jsonchecks.h"
#include "core/rfc3339.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace eventlens {

namespace od = simdjson::ondemand;

static_assert(Decoder::kPadding >= simdjson::SIMDJSON_PADDING, "callers' padding must satisfy simdjson");

using namespace jsonchecks;

namespace {

// In this file, not jsonchecks.cpp: it runs on every event's `data`, and inlined into the
// decoder's walk it costs about a fifth less.
/// Walks a value to check it is well-formed JSON without building anything. Refuses to go
/// more than `depthLeft` containers deep (DEPTH_ERROR), so recursion stays bounded by
/// DecoderOptions::maxDepth whatever the input.
simdjson::error_code validateValue(od::value value, unsigned depthLeft)
{
    od::json_type type;
    if (auto err = value.type().get(type))
        return err;
    if ((type == od::json_type::object || type == od::json_type::array) && depthLeft == 0)
        return simdjson::DEPTH_ERROR;
    switch (type) {
    case od::json_type::object: {
        od::object object;
        if (auto err = value.get_object().get(object))
            return err;
        for (auto member : object) {
            od::field field;
            if (auto err = std::move(member).get(field))
                return err;
            std::string_view key;
            if (auto err = field.unescaped_key().get(key))
                return err;
            if (auto err = validateValue(field.value(), depthLeft - 1))
                return err;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::array: {
        od::array array;
        if (auto err = value.get_array().get(array))
            return err;
        for (auto element : array) {
            od::value item;
            if (auto err = element.get(item))
                return err;
            if (auto err = validateValue(item, depthLeft - 1))
                return err;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::number:
        if (!value.get_number().error())
            return simdjson::SUCCESS;
        return isJsonNumber(value.raw_json_token()) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
    case od::json_type::string:
        return value.get_string().error();
    case od::json_type::boolean:
        return value.get_bool().error();
    case od::json_type::null: {
        bool isNull = false;
        if (auto err = value.is_null().get(isNull))
            return err;
        return isNull ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
    }
    }
    return simdjson::INCORRECT_TYPE;
}

/// A top-level member the decoder cares about, captured while walking the object once.
struct Member {
    bool present = false;
    od::json_type type = od::json_type::null;
    std::string_view token; ///< raw JSON token (for messages)
    std::string_view text;  ///< string value: a view of the input, or of the parser's buffer when escaped
    bool escaped = false;
    int64_t integer = 0;
    bool isInteger = false;
};

enum Key : int {
    K_eventId,
    K_eventType,
    K_eventVersion,
    K_timestamp,
    K_source,
    K_correlationId,
    K_causationId,
    K_metadata,
    K_specversion,
    K_id,
    K_type,
    K_time,
    K_correlationid,
    K_causationid,
    K_eventversion,
    K_recorder,
    K_count,
    K_other = -1,
};

constexpr std::string_view kKeyNames[K_count] = {
    "eventId",      "eventType",     "eventVersion", "timestamp", "source", "correlationId", "causationId",
    "metadata",     "specversion",   "id",           "type",      "time",   "correlationid", "causationid",
    "eventversion", kRecorderMember,
};

Key keyOf(std::string_view key)
{
    for (int i = 0; i < K_count; ++i)
        if (kKeyNames[i] == key)
            return static_cast<Key>(i);
    return K_other;
}

} // namespace

struct Decoder::Impl {
    od::parser parser;
    std::string copy; ///< padded copy for callers whose buffer lacks simdjson's padding
};

Decoder::Decoder(DecoderOptions options) : m_options(options), m_impl(std::make_unique<Impl>())
{ }

Decoder::~Decoder() = default;

std::string sizeLimitProblem(size_t bytes, const DecoderOptions &options)
{
    return "event is " + std::to_string(bytes) + " bytes, over the limit of " + std::to_string(options.maxEventBytes)
         + " bytes";
}

bool Decoder::decode(std::string_view bytes, size_t capacity, DecodedEvent &out, DecodeError &error)
{
    out.unescaped.clear();
    out.raw = bytes;
    out.eventId = out.eventType = out.source = out.correlationId = out.causationId = out.topic = {};
    out.timestampNs = 0;
    out.receivedNs = kNoTime;
    out.version = 1;
    out.flags = 0;

    bool nestingUnchecked = false; // set once the input is known to be small, NUL-free UTF-8
    auto fail = [&](std::string field, std::string message) {
        // Too deep nesting is reported first, whatever else is wrong. The accepting path needs
        // no scan for it: validateValue() refuses to go deeper than the limit.
        if (nestingUnchecked) {
            if (const unsigned depth = maxNesting(bytes); depth > m_options.maxDepth) {
                error.field.clear();
                error.message = "nesting is " + std::to_string(depth) + " levels deep, over the limit of "
                                + std::to_string(m_options.maxDepth);
                return false;
            }
        }
        error.field = std::move(field);
        error.message = std::move(message);
        return false;
    };

    if (bytes.size() > m_options.maxEventBytes)
        return fail({}, sizeLimitProblem(bytes.size(), m_options));
    if (const void *nul = std::memchr(bytes.data(), 0, bytes.size()))
        return fail({},
                    "contains a NUL byte at byte " + std::to_string(static_cast<const char *>(nul) - bytes.data() + 1));
    if (!simdjson::validate_utf8(bytes.data(), bytes.size()))
        return fail({}, "invalid UTF-8 at byte " + std::to_string(firstInvalidUtf8(bytes) + 1));
    nestingUnchecked = true;

    // simdjson may read kPadding bytes past the end; copy only when the caller's buffer lacks them.
    const char *buf = bytes.data();
    if (capacity < bytes.size() + kPadding) {
        m_impl->copy.assign(bytes);
        m_impl->copy.append(kPadding, ' ');
        buf = m_impl->copy.data();
    }
    const auto rebase = [&](std::string_view v) -> std::string_view {
        if (v.data() >= buf && v.data() + v.size() <= buf + bytes.size())
            return std::string_view(bytes.data() + (v.data() - buf), v.size());
        return v;
    };
    const auto offsetOf = [&](const char *p) { return static_cast<size_t>(p - buf); };

    auto syntaxError = [&](simdjson::error_code err, od::document &doc) {
        std::string where;
        const char *loc = nullptr;
        // "Ends early" has no useful position: simdjson reports where the open object began.
        if (err != simdjson::INCOMPLETE_ARRAY_OR_OBJECT && !doc.current_location().get(loc) && loc >= buf
            && loc < buf + bytes.size())
            where = " near byte " + std::to_string(offsetOf(loc) + 1);
        return fail({}, std::string("not valid JSON") + where + ": " + jsonProblem(err));
    };

    od::document doc;
    if (auto err = m_impl->parser.iterate(buf, bytes.size(), bytes.size() + kPadding).get(doc))
        return fail({}, std::string("not valid JSON: ") + jsonProblem(err));

    od::object object;
    {
        od::json_type type;
        if (auto err = doc.type().get(type))
            return syntaxError(err, doc);
        if (type != od::json_type::object) {
            // type() only looks at the first byte: "not an event" would be "null". Name the
            // type only of a scalar that really is one.
            simdjson::error_code err = simdjson::SUCCESS;
            switch (type) {
            case od::json_type::null: {
                bool isNull = false;
                err = doc.is_null().get(isNull);
                if (!err && !isNull)
                    err = simdjson::INCORRECT_TYPE;
                break;
            }
            case od::json_type::boolean:
                err = doc.get_bool().error();
                break;
            case od::json_type::number:
                err = doc.get_number().error();
                if (err) {
                    std::string_view whole = bytes;
                    while (!whole.empty() && isSpace(whole.front()))
                        whole.remove_prefix(1);
                    if (isJsonNumber(whole))
                        err = simdjson::SUCCESS;
                }
                break;
            case od::json_type::string:
                err = doc.get_string().error();
                break;
            default:
                break;
            }
            if (err)
                return syntaxError(err, doc);
            return fail({}, std::string("an event must be a JSON object, got ") + typeName(type));
        }
        if (auto err = doc.get_object().get(object)) {
            // simdjson says "ended early" when the input does not end with '}', also for
            // `{...} x`: tell that apart, the object itself may be fine.
            if (err == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) {
                const size_t after = afterRootObject(bytes, m_options.maxDepth);
                if (after < bytes.size())
                    return fail({}, "unexpected content after the JSON object at byte " + std::to_string(after + 1));
            }
            return syntaxError(err, doc);
        }
    }

    Member members[K_count];
    size_t recorderStart = 0; // offset of the recorder member's key quote, 0 if none
    bool recorderLast = false;

    for (auto entry : object) {
        od::field field;
        if (auto err = std::move(entry).get(field))
            return syntaxError(err, doc);
        const char *keyQuote = field.key().raw() - 1;
        std::string_view keyText;
        if (auto err = field.unescaped_key().get(keyText))
            return syntaxError(err, doc);
        const Key key = keyOf(keyText);
        if (recorderStart)
            recorderLast = false;
        od::value value = field.value();
        if (key == K_other || key == K_metadata) {
            if (key == K_metadata) {
                Member &m = members[key];
                if (m.present)
                    return fail(std::string(keyText), "appears more than once");
                m.present = true;
                if (auto err = value.type().get(m.type))
                    return syntaxError(err, doc);
                if (m.type == od::json_type::object) {
                    od::object meta;
                    if (auto err = value.get_object().get(meta))
                        return syntaxError(err, doc);
                    for (auto metaEntry : meta) {
                        od::field metaField;
                        if (auto err = std::move(metaEntry).get(metaField))
                            return syntaxError(err, doc);
                        std::string_view metaKey;
                        if (auto err = metaField.unescaped_key().get(metaKey))
                            return syntaxError(err, doc);
                        const std::string name = "metadata." + std::string(metaKey);
                        od::json_type metaType;
                        if (auto err = metaField.value().type().get(metaType))
                            return syntaxError(err, doc);
                        if (metaType != od::json_type::string) {
                            std::string_view token = metaField.value().raw_json_token();
                            return fail(name, "must be a string, got " + describe(metaType, token));
                        }
                        if (auto err = metaField.value().get_string().error())
                            return syntaxError(err, doc);
                    }
                    continue;
                }
                if (m.type == od::json_type::null)
                    continue;
                std::string_view token = value.raw_json_token();
                return fail("metadata", "must be an object of strings, got " + describe(m.type, token));
            }
            if (auto err = validateValue(value, m_options.maxDepth - 1))
                return syntaxError(err, doc);
            continue;
        }

        Member &m = members[key];
        if (m.present && key != K_recorder) // a re-recorded line may repeat ours: the last one wins
            return fail(std::string(keyText), "appears more than once");
        m.present = true;
        if (auto err = value.type().get(m.type))
            return syntaxError(err, doc);
        m.token = value.raw_json_token();

        if (key == K_recorder) {
            recorderStart = offsetOf(keyQuote);
            recorderLast = true;
            if (m.type != od::json_type::object) {
                if (auto err = validateValue(value, m_options.maxDepth - 1))
                    return syntaxError(err, doc);
                return fail(std::string(kRecorderMember), "must be an object, got " + describe(m.type, m.token));
            }
            od::object rec;
            if (auto err = value.get_object().get(rec))
                return syntaxError(err, doc);
            for (auto recEntry : rec) {
                od::field recField;
                if (auto err = std::move(recEntry).get(recField))
                    return syntaxError(err, doc);
                std::string_view recKey;
                if (auto err = recField.unescaped_key().get(recKey))
                    return syntaxError(err, doc);
                const std::string name = std::string(kRecorderMember) + "." + std::string(recKey);
                if (recKey == "receivedAt" || recKey == "topic") {
                    od::json_type recType;
                    if (auto err = recField.value().type().get(recType))
                        return syntaxError(err, doc);
                    const std::string_view token = recField.value().raw_json_token();
                    if (recType != od::json_type::string) {
                        if (auto err = validateValue(recField.value(), m_options.maxDepth - 2))
                            return syntaxError(err, doc);
                        return fail(name, "must be a string, got " + describe(recType, token));
                    }
                    std::string_view text;
                    if (auto err = recField.value().get_string().get(text))
                        return syntaxError(err, doc);
                    if (recKey == "topic") {
                        // Like the envelope's strings: a view of the input unless it held escapes
                        // (then it is in the parser's buffer and copied below).
                        const std::string_view inner = token.substr(1, token.find_last_of('"') - 1);
                        out.topic = inner.find('\\') == std::string_view::npos ? inner : text;
                    } else if (auto ns = parseRfc3339(text)) {
                        out.receivedNs = *ns;
                    } else {
                        return fail(name, "\"" + shown(text) + "\" is not an RFC 3339 time");
                    }
                } else if (auto err = validateValue(recField.value(), m_options.maxDepth - 2)) {
                    return syntaxError(err, doc);
                }
            }
            continue;
        }

        switch (m.type) {
        case od::json_type::string: {
            if (auto err = value.get_string().get(m.text))
                return syntaxError(err, doc);
            // Unescaped strings point into the input: keep that view so the store need not copy.
            // Unescaping only ever shrinks a string: the same length (the closing quote right
            // after, and the same bytes: `"ab\""` is 3 long too) means nothing was escaped.
            const char *open = m.token.data() + 1;
            m.escaped = !(m.text.size() + 1 < m.token.size() && open[m.text.size()] == '"'
                          && std::memcmp(open, m.text.data(), m.text.size()) == 0);
            if (!m.escaped)
                m.text = std::string_view(open, m.text.size());
            break;
        }
        case od::json_type::number: {
            od::number_type numberType;
            if (!value.get_number_type().get(numberType)
                && (numberType == od::number_type::signed_integer || numberType == od::number_type::unsigned_integer))
                m.isInteger = !value.get_int64().get(m.integer);
            if (!m.isInteger) {
                // simdjson refuses integers beyond 64 bits and exponents beyond a double: they
                // are still JSON. Anything else it refused is not.
                if (!isJsonNumber(m.token))
                    return syntaxError(simdjson::NUMBER_ERROR, doc);
                const std::string_view digitsOnly = m.token.substr(0, m.token.find_first_of(" \t\r\n"));
                if (digitsOnly.find_first_not_of("0123456789") == std::string_view::npos) {
                    m.integer = std::numeric_limits<int64_t>::max(); // huge, but an integer
                    m.isInteger = true;
                }
            }
            break;
        }
        default:
            if (auto err = validateValue(value, m_options.maxDepth - 1))
                return syntaxError(err, doc);
            break;
        }
    }
    {
        // current_location() only succeeds while there is input left after the object.
        const char *rest = nullptr;
        if (!doc.current_location().get(rest))
            return fail({}, "unexpected content after the JSON object at byte " + std::to_string(offsetOf(rest) + 1));
    }

    // Strings with escapes live in the parser's buffer until the next decode(); copy them
    // into the event. Reserve once so the views taken below stay valid.
    auto own = [&](const Member &m) -> std::string_view {
        if (!m.escaped)
            return rebase(m.text);
        // Unescaped text is never longer than the input; 64 keeps it off the small-string
        // buffer, so moving the DecodedEvent keeps these views valid.
        if (out.unescaped.capacity() < std::max<size_t>(bytes.size(), 64))
            out.unescaped.reserve(std::max<size_t>(bytes.size(), 64));
        const size_t at = out.unescaped.size();
        out.unescaped.append(m.text);
        return std::string_view(out.unescaped.data() + at, m.text.size());
    };

    const bool cloudEvent = members[K_specversion].present;
    auto requiredString = [&](Key key, std::string_view &dest) -> bool {
        const Member &m = members[key];
        const std::string name(kKeyNames[key]);
        if (!m.present)
            return fail(name, "required but missing");
        if (m.type != od::json_type::string)
            return fail(name, "must be a non-empty string, got " + describe(m.type, m.token));
        if (m.text.empty())
            return fail(name, "must be a non-empty string, got \"\"");
        dest = own(m);
        return true;
    };
    auto optionalString = [&](Key key, std::string_view &dest) -> bool {
        const Member &m = members[key];
        if (!m.present || m.type == od::json_type::null)
            return true;
        if (m.type != od::json_type::string)
            return fail(std::string(kKeyNames[key]), "must be a non-empty string, got " + describe(m.type, m.token));
        if (m.text.empty())
            return fail(std::string(kKeyNames[key]), "must be a non-empty string or absent, got \"\"");
        dest = own(m);
        return true;
    };
    auto time = [&](Key key) -> bool {
        const Member &m = members[key];
        const std::string name(kKeyNames[key]);
        if (!m.present)
            return fail(name,
                        cloudEvent ? "required but missing (EventLens needs the event time)" : "required but missing");
        if (m.type != od::json_type::string)
            return fail(name, "must be an RFC 3339 time string, got " + describe(m.type, m.token));
        if (auto ns = parseRfc3339(m.text)) {
            out.timestampNs = *ns;
            return true;
        }
        std::string why = "\"" + shown(m.text) + "\" is not an RFC 3339 time";
        if (m.text.size() >= 19 && parseRfc3339(std::string(m.text) + "Z"))
            why += " (it has no UTC offset; add 'Z' or ±hh:mm)";
        else if (unsigned year = 0;
                 std::from_chars(m.text.data(), m.text.data() + std::min<size_t>(m.text.size(), 4), year).ptr
                     == m.text.data() + 4
                 && (year < 1678 || year > 2261) && parseRfc3339(std::string("2000") + std::string(m.text.substr(4))))
            why += " (the year is outside 1678–2261)"; // and not, say, Feb 29 of a common year
        return fail(name, why);
    };
    auto version = [&](Key key) -> bool {
        const Member &m = members[key];
        if (!m.present || m.type == od::json_type::null) {
            out.flags |= DefaultVersion;
            return true;
        }
        const std::string name(kKeyNames[key]);
        if (m.type == od::json_type::number && m.isInteger && m.integer > UINT32_MAX)
            return fail(name, "must be an integer from 1 to " + std::to_string(UINT32_MAX) + ", got " + shown(m.token));
        if (m.type == od::json_type::number && m.isInteger && m.integer >= 1) {
            out.version = static_cast<uint32_t>(m.integer);
            return true;
        }
        // CloudEvents extension attributes are often strings: accept "2" there.
        if (cloudEvent && m.type == od::json_type::string) {
            uint32_t v = 0;
            auto [end, ec] = std::from_chars(m.text.data(), m.text.data() + m.text.size(), v);
            if (ec == std::errc() && end == m.text.data() + m.text.size() && v >= 1) {
                out.version = v;
                return true;
            }
            if (ec == std::errc::result_out_of_range && end == m.text.data() + m.text.size())
                return fail(name,
                            "must be an integer from 1 to " + std::to_string(UINT32_MAX) + ", got " + shown(m.token));
        }
        return fail(name, "must be an integer ≥ 1, got " + describe(m.type, m.token));
    };

    if (cloudEvent) {
        const Member &spec = members[K_specversion];
        if (spec.type != od::json_type::string || spec.text != "1.0")
            return fail("specversion", describe(spec.type, spec.token) + " is not supported (expected \"1.0\")");
        out.flags |= CloudEvent;
        if (!requiredString(K_id, out.eventId) || !requiredString(K_type, out.eventType) || !time(K_time)
            || !requiredString(K_source, out.source) || !optionalString(K_correlationid, out.correlationId)
            || !optionalString(K_causationid, out.causationId) || !version(K_eventversion))
            return false;
        // A ".vN" suffix of the type names the schema version when no extension does.
        if (!members[K_eventversion].present || members[K_eventversion].type == od::json_type::null) {
            const size_t dot = out.eventType.rfind(".v");
            if (dot != std::string_view::npos && dot > 0 && dot + 2 < out.eventType.size()) {
                uint32_t v = 0;
                const char *first = out.eventType.data() + dot + 2;
                const char *last = out.eventType.data() + out.eventType.size();
                auto [end, ec] = std::from_chars(first, last, v);
                if (ec == std::errc() && end == last && v >= 1) {
                    out.version = v;
                    out.flags &= ~DefaultVersion;
                    out.eventType = out.eventType.substr(0, dot);
                }
            }
        }
    } else {
        if (!requiredString(K_eventId, out.eventId) || !requiredString(K_eventType, out.eventType) || !time(K_timestamp)
            || !requiredString(K_source, out.source) || !optionalString(K_correlationId, out.correlationId)
            || !optionalString(K_causationId, out.causationId) || !version(K_eventVersion))
            return false;
    }
    if (out.correlationId.empty())
        out.flags |= NoCorrelation;
    if (out.causationId.empty())
        out.flags |= RootEvent;

    if (!out.topic.empty()) {
        out.topic = rebase(out.topic);
        if (out.topic.data() < bytes.data() || out.topic.data() >= bytes.data() + bytes.size()) {
            Member t;
            t.escaped = true;
            t.text = out.topic;
            out.topic = own(t);
        }
    }

    // The event's own bytes end before the recorder's member (when it is the last one) or
    // before the closing brace: a redelivery recorded twice compares equal on these.
    size_t end = bytes.size();
    if (recorderStart && recorderLast) {
        end = recorderStart;
        while (end > 0 && (buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == '\n' || buf[end - 1] == '\r'))
            --end;
        if (end > 0 && buf[end - 1] == ',')
            --end;
    } else {
        while (end > 0 && buf[end - 1] != '}')
            --end;
        if (end > 0)
            --end;
    }
    while (end > 0 && (buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == '\n' || buf[end - 1] == '\r'))
        --end;
    out.eventLength = end;
    return true;
}

} // namespace eventlens
