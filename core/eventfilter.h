#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventlens {

class EventStore;
struct RejectedInput;

/// The filter bar's query language: which events (and rejected-input rows) a person
/// wants to see. A value type: parse once, evaluate against any store, copy freely.
///
/// A query is terms separated by blanks, all of which must hold (AND):
///
///     type:order.* source:payment-service corr:8f6d lag>200ms version:2 is:skew text:"ORD-17"
///
/// - `type:G` `source:G` `topic:G`: the eventType / source / topic is G, exactly and
///   case-sensitively; `*` in G is a wildcard (`type:order.*`).
/// - `id:P` `corr:P` `cause:P`: the eventId / correlationId / causationId starts with P (a `*`
///   makes P a whole-id glob; a trailing `…`, as the table shortens ids, is ignored).
/// - `cause.type:G` `cause.source:G`: the cause (an event in the store) has that type / source.
/// - `version:N`, `version>=N` (`: = < <= > >=`): the eventVersion compares so.
/// - `lag>200ms` (`< <= > >= =`, units ns us µs ms s m(in) h): the reaction lag — this event's
///   timestamp minus its cause's — compares so. Events without a cause in the store have no
///   lag and match no lag term.
/// - `is:K`: K is duplicate, redelivery, collision, skew (negative lag), ghost (the
///   causationId names no event in the store), root (no causationId), rejected, cloudevent
///   or nocorr.
/// - `text:"…"` or a bare word: the raw JSON bytes contain it; ASCII letters match in either
///   case, other bytes exactly.
///
/// A comma makes a list that matches any of its values (`type:order.placed,order.cancelled`),
/// quotes keep blanks and commas in a value (`\"` and `\\` inside them), a leading `-`
/// negates a term (`-source:audit-*`), field names are case-insensitive, an empty query
/// matches everything. Rejected-input rows match `is:rejected` and `text:` (on their
/// bytes, reason, origin and topic); every other term is false for them (so negated, true).
///
/// Evaluation only reads the store: call it on the store owner's thread, or while nobody
/// writes it. select() may use a second thread of its own for big ranges.
class EventFilter {
public:
    /// Why a query does not parse, with the span to underline. `offset` and `length` count
    /// bytes of the (UTF-8) query; the message names the 1-based character column, e.g.
    /// `unknown field 'sorce' at 1 (did you mean 'source'?)`.
    struct Error {
        std::string message;
        size_t offset = 0;
        size_t length = 0;
    };

    /// The filter that matches everything (the empty query).
    EventFilter();

    /// The filter `query` describes, or nullopt with `error` set.
    static std::optional<EventFilter> parse(std::string_view query, Error &error);

    /// The text it was parsed from.
    const std::string &query() const { return m_query; }
    /// True for the empty query: callers can skip evaluation.
    bool matchesEverything() const { return m_terms.empty(); }
    /// Same terms (compared by the query text, blanks at the ends ignored).
    bool operator==(const EventFilter &other) const { return m_normalized == other.m_normalized; }

    /// Whether event `index` (retained by `store`) matches. Prepares the terms for the store
    /// on each call: for ranges use select().
    bool matches(const EventStore &store, uint32_t index) const;
    /// Whether a rejected-input row matches.
    bool matches(const RejectedInput &reject) const;
    /// Appends to `out`, in order, the indexes in [from, end) ∩ the retained events that
    /// match. Name globs are resolved once per call; big ranges are split over two threads.
    void select(const EventStore &store, uint32_t from, uint32_t end, std::vector<uint32_t> &out) const;

    /// Completion candidates for the token at `cursor` (a byte offset into `text`): field
    /// names, `is:` values, and the store's type/source/topic names that start with what is
    /// typed (ASCII case ignored). Each candidate replaces the text from tokenAt().first to
    /// `cursor`, and begins with it up to ASCII case. Sorted, at most kMaxCompletions.
    static std::vector<std::string> completions(std::string_view text, size_t cursor, const EventStore &store);
    /// The token (term) around `cursor`: [first, second) in bytes, quotes respected.
    static std::pair<size_t, size_t> tokenAt(std::string_view text, size_t cursor);
    static constexpr size_t kMaxCompletions = 50;

private:
    enum class Field : uint8_t {
        Type,
        Source,
        Topic,
        Id,
        Correlation,
        Causation,
        CauseType,
        CauseSource,
        Version,
        Lag,
        Is,
        Text,
    };
    enum class Op : uint8_t { Equal, Less, LessEqual, Greater, GreaterEqual };
    enum Is : uint16_t {
        IsDuplicate = 1u << 0,
        IsRedelivery = 1u << 1,
        IsCollision = 1u << 2,
        IsSkew = 1u << 3,
        IsGhost = 1u << 4,
        IsRoot = 1u << 5,
        IsRejected = 1u << 6,
        IsCloudEvent = 1u << 7,
        IsNoCorrelation = 1u << 8,
    };
    struct Term {
        Field field = Field::Text;
        Op op = Op::Equal;
        bool negated = false;
        std::vector<std::string> values; ///< names, id patterns or text (any of them)
        std::vector<int64_t> numbers;    ///< versions or lag in ns (any of them for Equal)
        uint16_t is = 0;                 ///< Is bits (any of them)
    };
    class Evaluator;
    class Parser;
    friend class Parser;

    std::vector<Term> m_terms; ///< cheapest first
    std::string m_query;
    std::string m_normalized;
};

} // namespace eventlens
