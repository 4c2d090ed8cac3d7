#include "core/eventfilter.h"

#include "core/eventstore.h"
#include "core/rejectedinput.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <thread>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace eventlens {

namespace {

// --- text ----------------------------------------------------------------------------------

constexpr bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

constexpr bool isAsciiLetter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr unsigned char foldAscii(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c | 0x20) : c;
}

std::string lowerAscii(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(foldAscii(static_cast<unsigned char>(c)));
    return out;
}

bool startsWithFolded(std::string_view s, std::string_view prefix)
{
    if (prefix.size() > s.size())
        return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (foldAscii(static_cast<unsigned char>(s[i])) != foldAscii(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

/// 1-based column (in characters, not bytes) of byte `offset`, for messages.
size_t columnOf(std::string_view query, size_t offset)
{
    size_t column = 1;
    for (size_t i = 0; i < offset && i < query.size(); ++i)
        column += (static_cast<unsigned char>(query[i]) & 0xC0) != 0x80;
    return column;
}

/// `*` matches any run of characters (also none); everything else matches itself.
bool globMatch(std::string_view text, std::string_view pattern)
{
    size_t t = 0, p = 0, starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

bool isGlob(std::string_view s)
{
    return s.find('*') != std::string_view::npos;
}

/// A name value: a glob when it has a `*`, else the exact name.
bool nameMatches(std::string_view name, std::string_view value)
{
    return isGlob(value) ? globMatch(name, value) : name == value;
}

/// An id value: a glob when it has a `*`, else a prefix.
bool idMatches(std::string_view id, std::string_view value)
{
    if (isGlob(value))
        return globMatch(id, value);
    return id.size() >= value.size() && std::memcmp(id.data(), value.data(), value.size()) == 0;
}

/// Finds a needle in raw bytes, ASCII letters in either case. Checks the needle's first and
/// last byte at 16 positions at once (SSE2) and compares the rest only where both agree,
/// which in JSON is rare: no per-call tables, so calling it once per event costs little.
class Needle {
public:
    explicit Needle(std::string_view text) : m_lower(lowerAscii(text))
    {
        if (m_lower.empty())
            return;
        m_first = static_cast<unsigned char>(m_lower.front());
        m_last = static_cast<unsigned char>(m_lower.back());
        m_firstMask = isAsciiLetter(m_first) ? 0x20 : 0;
        m_lastMask = isAsciiLetter(m_last) ? 0x20 : 0;
    }

    bool foundIn(std::string_view hay) const
    {
        const size_t m = m_lower.size();
        if (m == 0)
            return true;
        if (hay.size() < m)
            return false;
        const auto *h = reinterpret_cast<const unsigned char *>(hay.data());
        const size_t positions = hay.size() - m + 1; // candidate starts: [0, positions)
        size_t i = 0;
#ifdef __SSE2__
        if (positions >= 16) {
            const __m128i first = _mm_set1_epi8(static_cast<char>(m_first));
            const __m128i last = _mm_set1_epi8(static_cast<char>(m_last));
            const __m128i firstMask = _mm_set1_epi8(static_cast<char>(m_firstMask));
            const __m128i lastMask = _mm_set1_epi8(static_cast<char>(m_lastMask));
            auto block = [&](size_t at) -> unsigned {
                const __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(h + at)), firstMask);
                const __m128i b =
                    _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(h + at + m - 1)), lastMask);
                return static_cast<unsigned>(
                    _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
            };
            for (; i + 16 <= positions; i += 16)
                for (unsigned bits = block(i); bits; bits &= bits - 1)
                    if (middleAt(h + i + static_cast<size_t>(std::countr_zero(bits))))
                        return true;
            if (i < positions) {
                // The last positions, with one block that overlaps the ones already checked.
                const size_t at = positions - 16;
                for (unsigned bits = block(at) >> (i - at) << (i - at); bits; bits &= bits - 1)
                    if (middleAt(h + at + static_cast<size_t>(std::countr_zero(bits))))
                        return true;
            }
            return false;
        }
#endif
        for (; i < positions; ++i)
            if ((h[i] | m_firstMask) == m_first && (h[i + m - 1] | m_lastMask) == m_last && middleAt(h + i))
                return true;
        return false;
    }

private:
    /// The bytes between the first and the last, folded (ends already agree).
    bool middleAt(const unsigned char *p) const
    {
        for (size_t k = 1; k + 1 < m_lower.size(); ++k)
            if (foldAscii(p[k]) != static_cast<unsigned char>(m_lower[k]))
                return false;
        return true;
    }

    std::string m_lower;
    unsigned char m_first = 0, m_last = 0, m_firstMask = 0, m_lastMask = 0;
};

// --- the language's words ---------------------------------------------------------------------

struct FieldName {
    std::string_view name;
    int field;     // EventFilter::Field, as int: the enum is private
    bool compares; ///< takes < <= > >= = besides ':'
};

// Canonical names first: suggestions and completions use those.
constexpr std::array<FieldName, 19> kFieldNames = {{
    {"type", 0, false},
    {"source", 1, false},
    {"topic", 2, false},
    {"id", 3, false},
    {"corr", 4, false},
    {"cause", 5, false},
    {"cause.type", 6, false},
    {"cause.source", 7, false},
    {"version", 8, true},
    {"lag", 9, true},
    {"is", 10, false},
    {"text", 11, false},
    // Aliases: the contract's own names.
    {"eventtype", 0, false},
    {"eventid", 3, false},
    {"correlation", 4, false},
    {"correlationid", 4, false},
    {"causation", 5, false},
    {"causationid", 5, false},
    {"eventversion", 8, true},
}};
constexpr size_t kCanonicalFields = 12;

struct IsName {
    std::string_view name;
    uint16_t bit;
};

constexpr std::array<IsName, 9> kIsNames = {{
    {"duplicate", 1u << 0},
    {"redelivery", 1u << 1},
    {"collision", 1u << 2},
    {"skew", 1u << 3},
    {"ghost", 1u << 4},
    {"root", 1u << 5},
    {"rejected", 1u << 6},
    {"cloudevent", 1u << 7},
    {"nocorr", 1u << 8},
}};

size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

/// The candidate a typo most likely meant: one the word starts (2+ letters), or one within
/// two edits (one for short words); empty when none is close.
std::string_view closest(std::string_view word, const std::vector<std::string_view> &candidates)
{
    std::string_view best;
    size_t bestDistance = word.size() <= 3 ? 2 : 3;
    for (std::string_view c : candidates) {
        size_t d = word.size() >= 2 && c.starts_with(word) ? 1 : editDistance(word, c);
        if (d >= 2 && word.size() >= 3 && c.starts_with(word.substr(0, 3)))
            d = 2; // "dupe" → "duplicate"
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

std::string joined(const std::vector<std::string_view> &words)
{
    std::string s;
    for (std::string_view w : words)
        s.append(s.empty() ? "" : ", ").append(w);
    return s;
}

std::vector<std::string_view> canonicalFields()
{
    std::vector<std::string_view> out;
    for (size_t i = 0; i < kCanonicalFields; ++i)
        out.push_back(kFieldNames[i].name);
    return out;
}

std::vector<std::string_view> isNames()
{
    std::vector<std::string_view> out;
    for (const IsName &n : kIsNames)
        out.push_back(n.name);
    return out;
}

struct Unit {
    std::string_view name;
    int64_t ns;
};

constexpr std::array<Unit, 9> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000}, // µ, MICRO SIGN
    {"\xCE\xBCs", 1'000}, // μ, GREEK SMALL LETTER MU
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"min", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

/// A value needs quotes in a query when it has blanks, commas or quotes.
std::string quotedIfNeeded(std::string_view value)
{
    if (std::none_of(value.begin(), value.end(), [](char c) { return isBlank(c) || c == ',' || c == '"'; }))
        return std::string(value);
    std::string s = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\')
            s += '\\';
        s += c;
    }
    return s + '"';
}

} // namespace

// --- parsing ---------------------------------------------------------------------------------------

class EventFilter::Parser {
public:
    explicit Parser(std::string_view query) : m_q(query) { }

    bool run(EventFilter &filter, Error &error)
    {
        while (true) {
            while (m_pos < m_q.size() && isBlank(m_q[m_pos]))
                ++m_pos;
            if (m_pos == m_q.size())
                break;
            Term term;
            if (!parseTerm(term))
                break;
            filter.m_terms.push_back(std::move(term));
        }
        if (m_error) {
            error = *m_error;
            return false;
        }
        return true;
    }

private:
    /// Reports `what` about the span, naming its column; the first error wins.
    bool fail(std::string what, size_t offset, size_t length, std::string_view after = {})
    {
        if (!m_error)
            m_error = Error{what.append(" at ").append(std::to_string(columnOf(m_q, offset))).append(after), offset,
                            std::max<size_t>(length, 1)};
        return false;
    }

    bool parseTerm(Term &term)
    {
        const size_t start = m_pos;
        if (m_q[m_pos] == '-') {
            term.negated = true;
            if (++m_pos == m_q.size() || isBlank(m_q[m_pos]))
                return fail("expected a term after '-'", start, 1);
        }
        // `name:` or `name<op>` makes a field term; anything else is text.
        const size_t nameStart = m_pos;
        size_t nameEnd = m_pos;
        while (
            nameEnd < m_q.size()
            && (isAsciiLetter(static_cast<unsigned char>(m_q[nameEnd])) || m_q[nameEnd] == '.' || m_q[nameEnd] == '_'))
            ++nameEnd;
        const std::string name = lowerAscii(m_q.substr(nameStart, nameEnd - nameStart));
        const char next = nameEnd < m_q.size() ? m_q[nameEnd] : '\0';
        const FieldName *field = nullptr;
        for (const FieldName &f : kFieldNames)
            if (f.name == name)
                field = &f;

        if (name.empty() || (next != ':' && next != '<' && next != '>' && next != '=')) {
            term.field = Field::Text;
            return parseValues(term, "text", m_pos);
        }
        if (next != ':') {
            if (!field)
                return parseValues(term, "text", m_pos); // `a=b` is text, `a:b` is a field
            if (!field->compares)
                return fail("'" + name + "' does not compare with '" + next + "' (write " + name + ":VALUE)", nameEnd,
                            1);
        }
        if (!field) {
            const std::string_view guess = closest(name, canonicalFields());
            return fail("unknown field '" + std::string(m_q.substr(nameStart, nameEnd - nameStart)) + "'", nameStart,
                        nameEnd - nameStart,
                        guess.empty() ? " (fields: " + joined(canonicalFields()) + ")"
                                      : " (did you mean '" + std::string(guess) + "'?)");
        }
        term.field = static_cast<Field>(field->field);
        m_pos = nameEnd;
        const size_t opStart = m_pos;
        if (m_q[m_pos] == ':' || m_q[m_pos] == '=') {
            term.op = Op::Equal;
            ++m_pos;
        } else {
            const bool less = m_q[m_pos] == '<';
            ++m_pos;
            const bool orEqual = m_pos < m_q.size() && m_q[m_pos] == '=';
            m_pos += orEqual;
            term.op = less ? (orEqual ? Op::LessEqual : Op::Less) : (orEqual ? Op::GreaterEqual : Op::Greater);
        }
        const std::string head(m_q.substr(nameStart, m_pos - nameStart)); // e.g. "lag>", as typed
        return parseValues(term, head, opStart);
    }

    /// One value: unquoted characters and "quoted parts", up to a blank or comma.
    bool parseItem(std::string &value, bool &quoted)
    {
        quoted = false;
        while (m_pos < m_q.size() && !isBlank(m_q[m_pos]) && m_q[m_pos] != ',') {
            if (m_q[m_pos] != '"') {
                value += m_q[m_pos++];
                continue;
            }
            quoted = true;
            const size_t quote = m_pos++;
            while (true) {
                if (m_pos == m_q.size())
                    return fail("unterminated quote", quote, m_q.size() - quote);
                const char c = m_q[m_pos++];
                if (c == '"')
                    break;
                if (c == '\\' && m_pos < m_q.size() && (m_q[m_pos] == '"' || m_q[m_pos] == '\\'))
                    value += m_q[m_pos++];
                else
                    value += c;
            }
        }
        return true;
    }

    /// The comma list after `head` ("type:", "lag>", or "text" for bare words).
    bool parseValues(Term &term, const std::string &head, size_t headEnd)
    {
        const bool bare = head == "text";                  // a field's head ends with its operator
        std::vector<std::pair<std::string, size_t>> items; // value, offset
        while (true) {
            const size_t itemStart = m_pos;
            std::string value;
            bool quoted;
            if (!parseItem(value, quoted))
                return false;
            if (value.empty()) {
                if (quoted)
                    return fail("empty quotes", itemStart, m_pos - itemStart);
                if (items.empty() && bare)
                    return fail("unexpected ','", itemStart, 1); // a bare word cannot start with one
                if (items.empty())
                    return fail("expected " + expectation(term.field) + " after '" + head + "'", headEnd,
                                itemStart - headEnd);
                return fail("expected " + expectation(term.field) + " after ','", itemStart - 1, 1);
            }
            items.emplace_back(std::move(value), itemStart);
            if (m_pos < m_q.size() && m_q[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            break;
        }
        return takeValues(term, head, items);
    }

    static std::string expectation(Field field)
    {
        switch (field) {
        case Field::Version:
            return "a version number";
        case Field::Lag:
            return "a duration";
        case Field::Is:
            return "one of " + joined(isNames());
        case Field::Text:
            return "text";
        default:
            return "a value";
        }
    }

    bool takeValues(Term &term, const std::string &head, std::vector<std::pair<std::string, size_t>> &items)
    {
        if (items.size() > 1 && term.op != Op::Equal)
            return fail("'" + head + "' takes one value, not a list", items[1].second - 1, 1);
        for (auto &[value, offset] : items) {
            const size_t length = m_pos - offset; // to the end of the list at most; trimmed below
            const size_t span = std::min(length, m_q.find_first_of(", \t\r\n", offset) - offset);
            switch (term.field) {
            case Field::Version: {
                uint64_t v = 0;
                bool ok = !value.empty() && value.size() <= 5;
                for (char c : value) {
                    ok = ok && c >= '0' && c <= '9';
                    v = v * 10 + static_cast<uint64_t>(c - '0');
                }
                if (!ok || v < 1 || v > 65535)
                    return fail("'" + value + "' is not a version number (1 or more)", offset, span);
                term.numbers.push_back(static_cast<int64_t>(v));
                break;
            }
            case Field::Lag: {
                int64_t ns = 0;
                if (!duration(value, offset, span, ns))
                    return false;
                term.numbers.push_back(ns);
                break;
            }
            case Field::Is: {
                const std::string word = lowerAscii(value);
                uint16_t bit = 0;
                for (const IsName &n : kIsNames)
                    if (n.name == word)
                        bit = n.bit;
                if (!bit) {
                    const std::string_view guess = closest(word, isNames());
                    return fail("unknown value '" + value + "' for '" + head + "'", offset, span,
                                guess.empty() ? " (one of " + joined(isNames()) + ")"
                                              : " (did you mean '" + std::string(guess) + "'?)");
                }
                term.is |= bit;
                break;
            }
            case Field::Id:
            case Field::Correlation:
            case Field::Causation:
                // The table shortens ids with an ellipsis: a copied one still works as a prefix.
                if (value.size() > 3 && value.ends_with("\xE2\x80\xA6"))
                    value.resize(value.size() - 3);
                term.values.push_back(std::move(value));
                break;
            default:
                term.values.push_back(std::move(value));
                break;
            }
        }
        return true;
    }

    bool duration(const std::string &value, size_t offset, size_t span, int64_t &ns)
    {
        size_t i = 0;
        const bool negative = !value.empty() && value[0] == '-';
        i += negative;
        const size_t digits = i;
        while (i < value.size() && ((value[i] >= '0' && value[i] <= '9') || value[i] == '.'))
            ++i;
        const std::string number = value.substr(digits, i - digits);
        const std::string unit = value.substr(i);
        // from_chars, not strtod: the GUI runs under the user's locale, whose decimal point may be ','.
        double v = -1;
        if (number.empty()
            || std::from_chars(number.data(), number.data() + number.size(), v).ptr != number.data() + number.size())
            v = -1;
        if (v < 0)
            return fail("'" + value + "' is not a duration (e.g. 200ms, 1.5s)", offset, span);
        if (unit.empty()) {
            if (v != 0)
                return fail("'" + value + "' needs a unit (ns, us, ms, s or m)", offset, span);
            ns = 0;
            return true;
        }
        const auto u = std::find_if(kUnits.begin(), kUnits.end(), [&](const Unit &x) { return x.name == unit; });
        if (u == kUnits.end())
            return fail("unknown unit '" + unit + "' (ns, us, ms, s or m)", offset + i, span > i ? span - i : 1);
        const double scaled = v * static_cast<double>(u->ns);
        if (scaled > 9e18)
            return fail("'" + value + "' is too long a duration", offset, span);
        ns = std::llround(scaled) * (negative ? -1 : 1);
        return true;
    }

    std::string_view m_q;
    size_t m_pos = 0;
    std::optional<Error> m_error;
};

EventFilter::EventFilter() = default;

std::optional<EventFilter> EventFilter::parse(std::string_view query, Error &error)
{
    EventFilter filter;
    if (!Parser(query).run(filter, error))
        return std::nullopt;
    filter.m_query = std::string(query);
    const size_t first = query.find_first_not_of(" \t\r\n");
    filter.m_normalized = first == std::string_view::npos
                              ? std::string()
                              : std::string(query.substr(first, query.find_last_not_of(" \t\r\n") - first + 1));
    // Cheap tests first: a term that reads only the record decides most events before a
    // cause lookup or a text search has to.
    auto cost = [](const Term &t) {
        switch (t.field) {
        case Field::Type:
        case Field::Source:
        case Field::Topic:
        case Field::Version:
            return 0;
        case Field::Is:
            return t.is & (IsSkew | IsGhost) ? 2 : 0;
        case Field::Id:
        case Field::Correlation:
        case Field::Causation:
            return 1;
        case Field::CauseType:
        case Field::CauseSource:
        case Field::Lag:
            return 2;
        case Field::Text:
            return 3;
        }
        return 3;
    };
    std::stable_sort(filter.m_terms.begin(), filter.m_terms.end(),
                     [&](const Term &a, const Term &b) { return cost(a) < cost(b); });
    return filter;
}

// --- evaluation ------------------------------------------------------------------------------------

/// The terms prepared for one store: name lists resolved to per-id answers, text needles
/// built. One per thread and call (it caches topic answers as it goes).
class EventFilter::Evaluator {
public:
    Evaluator(const EventFilter &filter, const EventStore &store) : m_store(store)
    {
        m_terms.reserve(filter.m_terms.size());
        for (const Term &t : filter.m_terms) {
            Prepared p{&t, {}, {}, {}};
            switch (t.field) {
            case Field::Type:
            case Field::CauseType:
                p.names.resize(store.typeCount());
                for (uint16_t id = 0; id < store.typeCount(); ++id)
                    p.names[id] = anyName(store.typeName(id), t.values);
                break;
            case Field::Source:
            case Field::CauseSource:
                p.names.resize(store.sourceCount());
                for (uint16_t id = 0; id < store.sourceCount(); ++id)
                    p.names[id] = anyName(store.sourceName(id), t.values);
                break;
            case Field::Text:
                for (const std::string &v : t.values)
                    p.needles.emplace_back(v);
                break;
            default:
                break;
            }
            m_terms.push_back(std::move(p));
        }
    }

    bool matches(uint32_t index)
    {
        const EventRecord &r = m_store.record(index);
        for (Prepared &p : m_terms)
            if (test(p, index, r) == p.term->negated)
                return false;
        return true;
    }

private:
    struct Prepared {
        const Term *term;
        std::vector<uint8_t> names; ///< type/source id → matches
        std::vector<int8_t> topics; ///< topic id → matches (1), not (0), unknown yet (-1)
        std::vector<Needle> needles;
    };

    static bool anyName(std::string_view name, const std::vector<std::string> &values)
    {
        return std::any_of(values.begin(), values.end(), [&](const std::string &v) { return nameMatches(name, v); });
    }
    static bool anyId(std::string_view id, const std::vector<std::string> &values)
    {
        return !id.empty()
               && std::any_of(values.begin(), values.end(), [&](const std::string &v) { return idMatches(id, v); });
    }
    static bool compare(int64_t v, Op op, int64_t x)
    {
        switch (op) {
        case Op::Equal:
            return v == x;
        case Op::Less:
            return v < x;
        case Op::LessEqual:
            return v <= x;
        case Op::Greater:
            return v > x;
        case Op::GreaterEqual:
            return v >= x;
        }
        return false;
    }

    /// The cause's record, when the cause is in the store.
    const EventRecord *causeOf(uint32_t index, const EventRecord &r) const
    {
        if (r.causationId == EventStore::kNone)
            return nullptr;
        const uint32_t c = m_store.cause(index);
        return c != EventStore::kNone && m_store.contains(c) ? &m_store.record(c) : nullptr;
    }

    bool test(Prepared &p, uint32_t index, const EventRecord &r)
    {
        const Term &t = *p.term;
        switch (t.field) {
        case Field::Type:
            return p.names[r.type];
        case Field::Source:
            return p.names[r.source];
        case Field::Topic: {
            if (r.topic == EventStore::kNoName)
                return false;
            if (r.topic >= p.topics.size())
                p.topics.resize(r.topic + 1u, -1);
            if (p.topics[r.topic] < 0)
                p.topics[r.topic] = anyName(m_store.topicName(r.topic), t.values);
            return p.topics[r.topic];
        }
        case Field::Id:
            return anyId(m_store.eventId(index), t.values);
        case Field::Correlation:
            return anyId(m_store.correlationId(index), t.values);
        case Field::Causation:
            return anyId(m_store.causationId(index), t.values);
        case Field::CauseType: {
            const EventRecord *c = causeOf(index, r);
            return c && p.names[c->type];
        }
        case Field::CauseSource: {
            const EventRecord *c = causeOf(index, r);
            return c && p.names[c->source];
        }
        case Field::Version:
            return std::any_of(t.numbers.begin(), t.numbers.end(),
                               [&](int64_t v) { return compare(r.version, t.op, v); });
        case Field::Lag: {
            const EventRecord *c = causeOf(index, r);
            if (!c)
                return false;
            const int64_t lag = r.timestampNs - c->timestampNs;
            return std::any_of(t.numbers.begin(), t.numbers.end(), [&](int64_t v) { return compare(lag, t.op, v); });
        }
        case Field::Is:
            return isMatch(t.is, index, r);
        case Field::Text: {
            const std::string_view raw = m_store.raw(index);
            return std::any_of(p.needles.begin(), p.needles.end(), [&](const Needle &n) { return n.foundIn(raw); });
        }
        }
        return false;
    }

    bool isMatch(uint16_t is, uint32_t index, const EventRecord &r) const
    {
        if ((is & IsDuplicate) && (r.flags & Duplicate))
            return true;
        if ((is & IsRedelivery) && (r.flags & Redelivery))
            return true;
        if ((is & IsCollision) && (r.flags & IdCollision))
            return true;
        if ((is & IsRoot) && r.causationId == EventStore::kNone)
            return true;
        if ((is & IsCloudEvent) && (r.flags & CloudEvent))
            return true;
        if ((is & IsNoCorrelation) && r.correlationId == EventStore::kNone)
            return true;
        if (is & (IsSkew | IsGhost)) {
            const EventRecord *c = causeOf(index, r);
            if ((is & IsSkew) && c && r.timestampNs < c->timestampNs)
                return true;
            if ((is & IsGhost) && !c && r.causationId != EventStore::kNone)
                return true;
        }
        return false;
    }

    const EventStore &m_store;
    std::vector<Prepared> m_terms;
};

bool EventFilter::matches(const EventStore &store, uint32_t index) const
{
    if (!store.contains(index))
        return false;
    return m_terms.empty() || Evaluator(*this, store).matches(index);
}

bool EventFilter::matches(const RejectedInput &reject) const
{
    for (const Term &t : m_terms) {
        bool match = false;
        if (t.field == Field::Is) {
            match = t.is & IsRejected;
        } else if (t.field == Field::Text) {
            for (const std::string &v : t.values) {
                const Needle needle(v);
                match = needle.foundIn(reject.reason) || needle.foundIn(reject.origin) || needle.foundIn(reject.topic)
                        || std::any_of(reject.frames.begin(), reject.frames.end(),
                                       [&](const std::string &f) { return needle.foundIn(f); });
                if (match)
                    break;
            }
        }
        if (match == t.negated)
            return false;
    }
    return true;
}

void EventFilter::select(const EventStore &store, uint32_t from, uint32_t end, std::vector<uint32_t> &out) const
{
    from = std::max(from, store.firstIndex());
    end = std::min(end, store.endIndex());
    if (from >= end)
        return;
    const size_t base = out.size();
    if (m_terms.empty()) {
        out.resize(base + (end - from));
        for (uint32_t i = from; i < end; ++i)
            out[base + (i - from)] = i;
        return;
    }
    auto run = [this, &store](uint32_t a, uint32_t b, std::vector<uint32_t> &to) {
        Evaluator evaluator(*this, store);
        for (uint32_t i = a; i < b; ++i)
            if (evaluator.matches(i))
                to.push_back(i);
    };
    // Big ranges: the second half on another thread. The store is only read meanwhile.
    constexpr uint32_t kParallelFrom = 1u << 16;
    if (end - from >= kParallelFrom && std::thread::hardware_concurrency() > 1) {
        const uint32_t mid = from + (end - from) / 2;
        std::vector<uint32_t> second;
        std::thread worker(run, mid, end, std::ref(second));
        run(from, mid, out);
        worker.join();
        out.insert(out.end(), second.begin(), second.end());
        return;
    }
    run(from, end, out);
}

// --- completion -----------------------------------------------------------------------------------

std::pair<size_t, size_t> EventFilter::tokenAt(std::string_view text, size_t cursor)
{
    cursor = std::min(cursor, text.size());
    size_t start = 0;
    bool quoted = false;
    for (size_t i = 0; i < cursor; ++i) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (quoted && text[i] == '\\' && i + 1 < cursor)
            ++i;
        else if (!quoted && isBlank(text[i]))
            start = i + 1;
    }
    size_t end = cursor;
    for (; end < text.size(); ++end) {
        if (text[end] == '"')
            quoted = !quoted;
        else if (quoted && text[end] == '\\' && end + 1 < text.size())
            ++end;
        else if (!quoted && isBlank(text[end]))
            break;
    }
    return {start, std::min(end, text.size())};
}

std::vector<std::string> EventFilter::completions(std::string_view text, size_t cursor, const EventStore &store)
{
    cursor = std::min(cursor, text.size());
    const size_t start = tokenAt(text, cursor).first;
    std::string_view token = text.substr(start, cursor - start);
    std::string lead;
    if (token.starts_with('-')) {
        lead = "-";
        token.remove_prefix(1);
    }
    std::vector<std::string> out;
    const size_t colon = token.find(':');
    if (colon == std::string_view::npos) {
        // A field name being typed.
        for (size_t i = 0; i < kCanonicalFields; ++i) {
            const std::string_view name = kFieldNames[i].name;
            if (!startsWithFolded(name, token))
                continue;
            if (name == "lag") {
                out.push_back(lead + "lag<");
                out.push_back(lead + "lag>");
            } else {
                out.push_back(lead + std::string(name) + ':');
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    const std::string field = lowerAscii(token.substr(0, colon));
    std::string_view values = token.substr(colon + 1);
    // Complete the last item of a comma list; keep the ones before it as typed.
    size_t itemStart = 0;
    bool quoted = false;
    for (size_t i = 0; i < values.size(); ++i) {
        if (values[i] == '"')
            quoted = !quoted;
        else if (!quoted && values[i] == ',')
            itemStart = i + 1;
    }
    const std::string head = lead + std::string(token.substr(0, colon + 1 + itemStart));
    std::string_view item = values.substr(itemStart);
    if (item.starts_with('"'))
        item.remove_prefix(1);

    std::vector<std::string_view> names;
    if (field == "is") {
        names = isNames();
    } else if (field == "type" || field == "cause.type" || field == "eventtype") {
        for (uint16_t id = 0; id < store.typeCount(); ++id)
            names.push_back(store.typeName(id));
    } else if (field == "source" || field == "cause.source") {
        for (uint16_t id = 0; id < store.sourceCount(); ++id)
            names.push_back(store.sourceName(id));
    } else if (field == "topic") {
        // The store does not list its topics: collect the ids its retained events use.
        std::vector<bool> seen(EventStore::kNoName + 1u);
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i)
            seen[store.record(i).topic] = true;
        for (uint32_t id = 0; id < EventStore::kNoName; ++id)
            if (seen[id])
                names.push_back(store.topicName(static_cast<uint16_t>(id)));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (std::string_view n : names) {
        if (out.size() == kMaxCompletions)
            break;
        if (startsWithFolded(n, item))
            out.push_back(head + quotedIfNeeded(n));
    }
    return out;
}

} // namespace eventlens
