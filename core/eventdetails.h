#pragma once

// What the details view shows of one event or one rejected input. The envelope comes from
// the store's record and indexes (nothing is parsed); the JSON tree and the indented text
// are made from the event's bytes with nlohmann_json, only when a person opens an event.
// Plain values, no Qt: the details pane turns them into widgets, tests read them directly.

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace eventlens {

class EventStore;
struct RejectedInput;

/// One node of an event's JSON, as the tree view shows it.
struct JsonNode {
    enum class Kind : uint8_t {
        Object,
        Array,
        String,
        Number,
        Bool,
        Null,
        More, ///< stands for children that were not built (see JsonTree::Limits)
    };

    std::string key; ///< member name; "[3]" for an array element; "… 4,000 more" for a More node
    /// Scalars as JSON text: strings quoted and escaped (`"ORD-1"`, `"a\nb"`), numbers,
    /// `true`, `null`. Containers: `{2 members}`, `[3 items]`. Empty for More.
    std::string value;
    Kind kind = Kind::Null;
    std::string pointer; ///< RFC 6901 JSON pointer of the value ("/data/items/0"); "" for the root
    std::vector<JsonNode> children;
    uint64_t size = 0; ///< containers: members or items (children may hold fewer); More: how many it stands for
    bool cut = false;  ///< `value` was shortened (a long string): copy it with JsonTree::copyText()

    static const char *kindName(Kind kind); ///< "object", "array", "string", "number", "bool", "null", ""
};

/// An event's JSON parsed for the details view: the tree, the indented text, and the
/// parsed document kept for copying values whole.
///
/// Robust to any input (rejected input may be anything, but is shown as bytes only):
/// invalid UTF-8 is replaced by U+FFFD and lone surrogate escapes by `\uFFFD` before
/// parsing; nesting deeper than Limits::maxDepth gives no tree and no indentation (nothing
/// recurses over the input, so 100 000 levels are only a message); each container shows at
/// most Limits::maxChildren children and the whole tree at most Limits::maxNodes nodes,
/// the rest standing behind a More node. Immutable once made; a copy copies the nodes and
/// shares the document.
struct JsonTree {
    struct Limits {
        size_t maxChildren = 10'000;  ///< per container
        size_t maxNodes = 200'000;    ///< per tree
        unsigned maxDepth = 256;      ///< deeper input gets no tree (the decoder accepts 64)
        size_t maxValueBytes = 1'000; ///< a longer string value is cut (JsonNode::cut)
    };

    JsonNode root;             ///< the whole document (for an event, an object); Null kind when there is no tree
    std::string error;         ///< why there is no tree, for people ("" when there is one)
    std::string pretty;        ///< indented with two spaces, tokens as received; the bytes themselves when they
                               ///< are not well-formed JSON or too deep. Always valid UTF-8.
    bool replacedUtf8 = false; ///< invalid UTF-8 or lone surrogates were replaced
    size_t nodes = 0;          ///< nodes built, More nodes included

    bool ok() const { return error.empty(); }
    /// The value at `pointer` as a person would paste it: a string's text without quotes
    /// or escapes, anything else as compact JSON. "" when there is no such value.
    std::string copyText(std::string_view pointer) const;

    static JsonTree parse(std::string_view bytes);
    static JsonTree parse(std::string_view bytes, const Limits &limits);

private:
    std::shared_ptr<const nlohmann::ordered_json> m_document;
};

/// An event's envelope, as the store knows it, in words and numbers.
struct EventEnvelope {
    static constexpr uint32_t kNone = UINT32_MAX;
    static constexpr size_t kMaxEffects = 50; ///< effects listed; the rest are counted

    uint32_t index = kNone; ///< store index
    std::string eventId;
    std::string eventType;
    uint32_t version = 1;
    bool defaultVersion = false; ///< eventVersion was missing, taken as 1
    std::string source;
    int64_t timestampNs = 0;
    std::string time;       ///< RFC 3339 with nanoseconds: "2026-03-02T10:00:00.045000000Z"
    int64_t receivedNs = 0; ///< kNoTime when unknown
    std::string received;   ///< like `time`; "" when unknown
    std::string ingestLag;  ///< received − time ("12.3 ms"; negative: the producer's clock is ahead); "" when unknown
    std::string correlationId; ///< "" when missing
    std::string causationId;   ///< "" for a root

    /// The event the causationId names, when the store holds it.
    struct Cause {
        uint32_t index = kNone; ///< kNone: an unseen cause (a command, or a lost event)
        std::string eventType, source, time;
        int64_t lagNs = 0; ///< this event's time − the cause's: the reaction lag (negative: skew)
        std::string lag;   ///< "45 ms"
        bool seen() const { return index != kNone; }
    } cause;

    /// One event that names this one as its cause.
    struct Effect {
        uint32_t index = 0;
        std::string eventId, eventType, source;
        int64_t lagNs = 0; ///< the effect's time − this event's
        std::string lag;
    };
    std::vector<Effect> effects; ///< in arrival order, at most kMaxEffects
    size_t moreEffects = 0;      ///< effects not listed

    std::string topic;                  ///< "" when none
    std::string origin;                 ///< the file path, or the endpoint ("live" when unnamed)
    uint32_t line = 0;                  ///< line in the origin file; 0 when live
    uint16_t flags = 0;                 ///< EventFlag bits
    std::vector<std::string> flagWords; ///< e.g. "root (no causationId)", "redelivery of an earlier event"
    uint32_t duplicates = 0;            ///< later copies of this eventId (on its first occurrence)
    uint32_t firstOccurrence = kNone;   ///< the first event with this eventId (== index unless this is a copy)
    uint64_t rawBytes = 0;

    /// `saga.jsonl line 3`, or the origin alone when live.
    std::string where() const;
    std::string flagsText() const; ///< the flag words joined by ", "; "" when none

    static EventEnvelope of(const EventStore &store, uint32_t index);
};

/// Everything the details view shows of one event.
struct EventDetails {
    EventEnvelope envelope;
    JsonTree tree;
    static EventDetails of(const EventStore &store, uint32_t index);
};

/// A rejected input, ready to show: its bytes as text where they are text, else hex.
struct RejectDetails {
    std::string reason;
    std::string where;    ///< `orders.jsonl line 12`, or the endpoint
    std::string topic;    ///< "" when none
    std::string received; ///< RFC 3339; "" when not live
    size_t bytes = 0;     ///< as received, before the store cut frames
    bool cut = false;     ///< the frames below hold fewer bytes than that
    struct Frame {
        std::string text; ///< the bytes when they are valid UTF-8 text, else a hex dump (`hex`)
        bool hex = false;
        size_t bytes = 0;
    };
    std::vector<Frame> frames;

    static RejectDetails of(const RejectedInput &reject);
};

/// True when `s` is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool isValidUtf8(std::string_view s);
/// `s` with each maximal invalid UTF-8 subpart replaced by one U+FFFD (Unicode's recommended
/// practice, as WHATWG's decoder does).
std::string toValidUtf8(std::string_view s);
/// `00000010  7b 22 61 22 3a 31 7d 0a  00 ff                    |{"a":1}...|`, 16 bytes a line.
std::string hexDump(std::string_view bytes);
/// Re-indents JSON text with two spaces a level, tokens kept as they are. Returns false
/// (and leaves `out` empty) when `json` is not balanced or nests deeper than `maxDepth`.
bool indentJson(std::string_view json, unsigned maxDepth, std::string &out);

} // namespace eventlens
