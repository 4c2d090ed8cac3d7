#include "core/eventdetails.h"

#include "core/event.h"
#include "core/eventstore.h"
#include "core/rejectedinput.h"
#include "core/rfc3339.h"
#include "core/textformat.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>

namespace eventlens {

using OrderedJson = nlohmann::ordered_json; // members in the order they were received

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

/// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid; `bad` is then the
/// length of its maximal invalid subpart (what one U+FFFD replaces).
size_t utf8SequenceAt(std::string_view s, size_t i, size_t &bad)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80)
        return 1;
    size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF; // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0; // no overlongs
        else if (c == 0xED)
            hi = 0x9F; // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; // nothing above U+10FFFF
    } else {
        bad = 1;
        return 0;
    }
    for (size_t k = 1; k <= need; ++k) {
        if (i + k >= s.size()) {
            bad = k;
            return 0;
        }
        const unsigned char b = byte(i + k);
        const bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
        if (!ok) {
            bad = k;
            return 0;
        }
    }
    return need + 1;
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// The code unit of a `\uXXXX` escape starting at s[i] (the backslash), or -1.
long escapedUnitAt(std::string_view s, size_t i)
{
    if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u')
        return -1;
    for (size_t k = 2; k < 6; ++k)
        if (!isHex(s[i + k]))
            return -1;
    return std::stol(std::string(s.substr(i + 2, 4)), nullptr, 16);
}

/// Replaces `\uXXXX` escapes of lone surrogates (which nlohmann_json refuses, and simdjson
/// lets through inside `data`) by `\uFFFD`. False, `out` untouched, when there are none.
bool repairSurrogates(std::string_view in, std::string &out)
{
    bool changed = false;
    size_t copied = 0;
    bool inString = false;
    for (size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (!inString) {
            inString = c == '"';
            continue;
        }
        if (c == '"') {
            inString = false;
            continue;
        }
        if (c != '\\')
            continue;
        const long unit = escapedUnitAt(in, i);
        if (unit < 0) {
            ++i; // a two-character escape: skip what it escapes
            continue;
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            const long next = escapedUnitAt(in, i + 6);
            if (next >= 0xDC00 && next <= 0xDFFF) {
                i += 11; // a pair: both escapes
                continue;
            }
        } else if (unit < 0xDC00 || unit > 0xDFFF) {
            i += 5;
            continue;
        }
        if (!changed)
            out.reserve(in.size());
        changed = true;
        out.append(in.substr(copied, i - copied));
        out.append("\\uFFFD");
        copied = i + 6;
        i += 5;
    }
    if (changed)
        out.append(in.substr(copied));
    return changed;
}

enum class Shape { Ok, Unbalanced, TooDeep };

/// Re-indents `json` into `out`; the scan is a loop over the bytes with a bracket stack, so
/// any depth only costs memory up to `maxDepth`.
Shape indent(std::string_view json, unsigned maxDepth, std::string &out)
{
    out.clear();
    out.reserve(json.size() + json.size() / 2);
    std::string open; // the brackets still open
    const auto newline = [&] {
        out.push_back('\n');
        out.append(2 * open.size(), ' ');
    };
    const auto isBlank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    bool inString = false, escaped = false;
    for (size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out.push_back(c);
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        case '"':
            inString = true;
            out.push_back(c);
            break;
        case '{':
        case '[': {
            const char close = c == '{' ? '}' : ']';
            size_t j = i + 1;
            while (j < json.size() && isBlank(json[j]))
                ++j;
            out.push_back(c);
            if (j < json.size() && json[j] == close) { // `{}` and `[]` stay on one line
                out.push_back(close);
                i = j;
                break;
            }
            if (open.size() >= maxDepth)
                return Shape::TooDeep;
            open.push_back(close);
            newline();
            break;
        }
        case '}':
        case ']':
            if (open.empty() || open.back() != c)
                return Shape::Unbalanced;
            open.pop_back();
            newline();
            out.push_back(c);
            break;
        case ',':
            out.push_back(c);
            newline();
            break;
        case ':':
            out.append(": ");
            break;
        default:
            out.push_back(c);
        }
    }
    return inString || !open.empty() ? Shape::Unbalanced : Shape::Ok;
}

std::string pointerToken(std::string_view key)
{
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out.push_back(c);
    }
    return out;
}

std::string dumpJson(const OrderedJson &v)
{
    return v.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

std::string counted(uint64_t n, const char *one, const char *many)
{
    return formatCount(n) + " " + (n == 1 ? one : many);
}

/// Fills kind, value and size of `node` from `v` (not its children).
void describe(JsonNode &node, const OrderedJson &v, const JsonTree::Limits &limits)
{
    using K = JsonNode::Kind;
    switch (v.type()) {
    case OrderedJson::value_t::object:
        node.kind = K::Object;
        node.size = v.size();
        node.value = v.empty() ? "{}" : "{" + counted(v.size(), "member", "members") + "}";
        break;
    case OrderedJson::value_t::array:
        node.kind = K::Array;
        node.size = v.size();
        node.value = v.empty() ? "[]" : "[" + counted(v.size(), "item", "items") + "]";
        break;
    case OrderedJson::value_t::string: {
        node.kind = K::String;
        const std::string &s = v.get_ref<const std::string &>();
        const std::string_view shown = cutUtf8(s, limits.maxValueBytes);
        node.cut = shown.size() < s.size();
        node.value = node.cut ? dumpJson(OrderedJson(std::string(shown))) + "…" : dumpJson(v);
        node.size = s.size();
        break;
    }
    case OrderedJson::value_t::boolean:
        node.kind = K::Bool;
        node.value = dumpJson(v);
        break;
    case OrderedJson::value_t::number_integer:
    case OrderedJson::value_t::number_unsigned:
    case OrderedJson::value_t::number_float:
        node.kind = K::Number;
        node.value = dumpJson(v);
        break;
    default:
        node.kind = K::Null;
        node.value = "null";
    }
}

/// Builds the children breadth first, so that when the node budget runs out it is the
/// deepest levels that stand behind More nodes. No recursion.
size_t buildChildren(JsonNode &root, const OrderedJson &document, const JsonTree::Limits &limits)
{
    size_t nodes = 1;
    std::deque<std::pair<JsonNode *, const OrderedJson *>> work{{&root, &document}};
    while (!work.empty()) {
        auto [node, value] = work.front();
        work.pop_front();
        if (!value->is_structured() || value->empty())
            continue;
        const size_t n = value->size();
        const size_t budget = limits.maxNodes > nodes ? limits.maxNodes - nodes : 0;
        const size_t shown = std::min({n, limits.maxChildren, budget});
        node->children.reserve(shown + (shown < n ? 1 : 0));
        size_t i = 0;
        for (auto it = value->begin(); i < shown; ++it, ++i) {
            JsonNode &child = node->children.emplace_back();
            if (value->is_object()) {
                child.key = it.key();
                child.pointer = node->pointer + "/" + pointerToken(it.key());
            } else {
                child.key = "[" + std::to_string(i) + "]";
                child.pointer = node->pointer + "/" + std::to_string(i);
            }
            describe(child, *it, limits);
        }
        nodes += shown;
        if (shown < n) {
            JsonNode &more = node->children.emplace_back();
            more.kind = JsonNode::Kind::More;
            more.key = "… " + formatCount(n - shown) + " more";
            more.size = n - shown;
            more.pointer = node->pointer;
            ++nodes;
        }
        // Reserved above, so these addresses stay valid.
        i = 0;
        for (auto it = value->begin(); i < shown; ++it, ++i)
            if (it->is_structured())
                work.emplace_back(&node->children[i], &*it);
    }
    return nodes;
}

} // namespace

const char *JsonNode::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Object:
        return "object";
    case Kind::Array:
        return "array";
    case Kind::String:
        return "string";
    case Kind::Number:
        return "number";
    case Kind::Bool:
        return "bool";
    case Kind::Null:
        return "null";
    case Kind::More:
        return "";
    }
    return "";
}

bool isValidUtf8(std::string_view s)
{
    for (size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        size_t bad = 0;
        const size_t n = utf8SequenceAt(s, i, bad);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::string toValidUtf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        size_t bad = 0;
        const size_t n = utf8SequenceAt(s, i, bad);
        if (n) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out.append(kReplacement);
            i += bad;
        }
    }
    return out;
}

std::string hexDump(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() / 16 * 80 + 80);
    char buf[32];
    for (size_t line = 0; line < bytes.size(); line += 16) {
        std::snprintf(buf, sizeof buf, "%08zx ", line);
        out += buf;
        std::string ascii;
        for (size_t k = 0; k < 16; ++k) {
            if (k == 8)
                out.push_back(' ');
            if (line + k < bytes.size()) {
                const auto b = static_cast<unsigned char>(bytes[line + k]);
                std::snprintf(buf, sizeof buf, " %02x", b);
                out += buf;
                ascii.push_back(b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '.');
            } else {
                out += "   ";
            }
        }
        out += "  |" + ascii + "|\n";
    }
    return out;
}

bool indentJson(std::string_view json, unsigned maxDepth, std::string &out)
{
    if (indent(json, maxDepth, out) == Shape::Ok)
        return true;
    out.clear();
    return false;
}

JsonTree JsonTree::parse(std::string_view bytes)
{
    return parse(bytes, Limits{});
}

JsonTree JsonTree::parse(std::string_view bytes, const Limits &limits)
{
    JsonTree tree;
    std::string clean;
    if (!isValidUtf8(bytes)) {
        clean = toValidUtf8(bytes);
        bytes = clean;
        tree.replacedUtf8 = true;
    }
    switch (indent(bytes, limits.maxDepth, tree.pretty)) {
    case Shape::Ok:
        break;
    case Shape::TooDeep:
        tree.pretty.assign(bytes);
        tree.error = "nested more than " + std::to_string(limits.maxDepth) + " levels deep: too deep to show as a tree";
        return tree;
    case Shape::Unbalanced:
        tree.pretty.assign(bytes); // the parser below says what is wrong
        break;
    }

    std::string repaired;
    if (repairSurrogates(bytes, repaired)) {
        bytes = repaired;
        tree.replacedUtf8 = true;
    }
    auto document = std::make_shared<OrderedJson>();
    try {
        *document = OrderedJson::parse(bytes);
    } catch (const OrderedJson::exception &e) {
        // "[json.exception.parse_error.101] parse error at line 1, …": keep the sentence.
        std::string what = e.what();
        const size_t bracket = what.find("] ");
        tree.error = "not shown as a tree: " + (bracket == std::string::npos ? what : what.substr(bracket + 2));
        return tree;
    }
    describe(tree.root, *document, limits);
    tree.nodes = buildChildren(tree.root, *document, limits);
    tree.m_document = std::move(document);
    return tree;
}

std::string JsonTree::copyText(std::string_view pointer) const
{
    if (!m_document)
        return {};
    try {
        const OrderedJson &v = m_document->at(OrderedJson::json_pointer(std::string(pointer)));
        return v.is_string() ? v.get_ref<const std::string &>() : dumpJson(v);
    } catch (const OrderedJson::exception &) {
        return {};
    }
}

std::string EventEnvelope::where() const
{
    if (line == 0)
        return origin;
    const auto slash = origin.find_last_of('/');
    return (slash == std::string::npos ? origin : origin.substr(slash + 1)) + " line " + std::to_string(line);
}

std::string EventEnvelope::flagsText() const
{
    std::string out;
    for (const std::string &w : flagWords)
        out += (out.empty() ? "" : ", ") + w;
    return out;
}

EventEnvelope EventEnvelope::of(const EventStore &store, uint32_t index)
{
    EventEnvelope e;
    if (!store.contains(index))
        return e;
    const EventRecord &r = store.record(index);
    e.index = index;
    e.eventId = store.eventId(index);
    e.eventType = store.typeName(r.type);
    e.version = r.version;
    e.defaultVersion = r.flags & DefaultVersion;
    e.source = store.sourceName(r.source);
    e.timestampNs = r.timestampNs;
    e.time = formatRfc3339(r.timestampNs, 9);
    e.receivedNs = r.receivedNs;
    if (r.receivedNs != kNoTime) {
        e.received = formatRfc3339(r.receivedNs, 9);
        e.ingestLag = formatDuration(r.receivedNs - r.timestampNs);
    }
    e.correlationId = store.correlationId(index);
    e.causationId = store.causationId(index);
    if (!e.causationId.empty()) {
        const uint32_t cause = store.cause(index);
        if (cause != EventStore::kNone && store.contains(cause)) {
            const EventRecord &c = store.record(cause);
            e.cause.index = cause;
            e.cause.eventType = store.typeName(c.type);
            e.cause.source = store.sourceName(c.source);
            e.cause.time = formatRfc3339(c.timestampNs, 9);
            e.cause.lagNs = r.timestampNs - c.timestampNs;
            e.cause.lag = formatDuration(e.cause.lagNs);
        }
    }
    const std::vector<uint32_t> effects = store.effects(index);
    for (uint32_t x : effects) {
        if (e.effects.size() == kMaxEffects) {
            e.moreEffects = effects.size() - kMaxEffects;
            break;
        }
        const EventRecord &f = store.record(x);
        Effect &effect = e.effects.emplace_back();
        effect.index = x;
        effect.eventId = store.eventId(x);
        effect.eventType = store.typeName(f.type);
        effect.source = store.sourceName(f.source);
        effect.lagNs = f.timestampNs - r.timestampNs;
        effect.lag = formatDuration(effect.lagNs);
    }
    e.topic = store.topicName(r.topic);
    e.origin = store.originName(r.origin);
    e.line = r.line;
    e.flags = r.flags;
    e.firstOccurrence = store.find(e.eventId);
    if (e.firstOccurrence == index)
        e.duplicates = store.duplicatesOf(index);
    e.rawBytes = r.length;

    if (r.flags & RootEvent)
        e.flagWords.emplace_back("root (no causationId)");
    if (r.flags & NoCorrelation)
        e.flagWords.emplace_back("no correlationId");
    if (r.flags & DefaultVersion)
        e.flagWords.emplace_back("no eventVersion (taken as 1)");
    if (r.flags & CloudEvent)
        e.flagWords.emplace_back("CloudEvents 1.0");
    if (r.flags & Redelivery)
        e.flagWords.emplace_back("redelivery (same bytes as an earlier event)");
    else if (r.flags & IdCollision)
        e.flagWords.emplace_back("id collision (an earlier event has this eventId)");
    else if (r.flags & Duplicate)
        e.flagWords.emplace_back("duplicate eventId");
    if (e.cause.lagNs < 0)
        e.flagWords.emplace_back("stamped before its cause (clock skew)");
    return e;
}

EventDetails EventDetails::of(const EventStore &store, uint32_t index)
{
    EventDetails d;
    d.envelope = EventEnvelope::of(store, index);
    if (store.contains(index))
        d.tree = JsonTree::parse(store.raw(index));
    return d;
}

RejectDetails RejectDetails::of(const RejectedInput &reject)
{
    RejectDetails d;
    d.reason = toValidUtf8(reject.reason);
    d.where = toValidUtf8(reject.where());
    d.topic = toValidUtf8(reject.topic);
    if (reject.receivedNs != kNoTime)
        d.received = formatRfc3339(reject.receivedNs, 9);
    d.bytes = reject.bytes;
    size_t kept = 0;
    for (const std::string &bytes : reject.frames) {
        kept += bytes.size();
        Frame &f = d.frames.emplace_back();
        f.bytes = bytes.size();
        // Text is what reads as text: valid UTF-8 without control characters other than
        // tab and line ends (a NUL or an escape character says "binary").
        const bool text = isValidUtf8(bytes) && std::none_of(bytes.begin(), bytes.end(), [](char c) {
                              const auto b = static_cast<unsigned char>(c);
                              return (b < 0x20 && c != '\t' && c != '\n' && c != '\r') || b == 0x7F;
                          });
        f.hex = !text;
        f.text = text ? bytes : hexDump(bytes);
    }
    d.cut = kept < reject.bytes;
    return d;
}

} // namespace eventlens
