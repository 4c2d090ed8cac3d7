#include "core/eventfilter.h"

#include "core/eventfilterwords.h"
#include "core/eventstore.h"
#include "core/rejectedinput.h"
#include "core/textmatch.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <thread>

namespace eventlens {

using namespace textmatch;
using namespace filterwords;

namespace {

// --- text ---------------------------------------------------------------------------------------

/// 1-based column (in characters, not bytes) of byte `offset`, for messages.
size_t columnOf(std::string_view query, size_t offset)
{
    size_t column = 1;
    for (size_t i = 0; i < offset && i < query.size(); ++i)
        column += (static_cast<unsigned char>(query[i]) & 0xC0) != 0x80;
    return column;
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

} // namespace eventlens
