#include "core/flowcompare.h"

#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/textformat.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace eventlens {

std::optional<double> FlowComparison::EdgeDiff::ratio() const
{
    if (!leftLagNs || !rightLagNs || *leftLagNs <= 0 || *rightLagNs <= 0)
        return std::nullopt;
    return static_cast<double>(*rightLagNs) / static_cast<double>(*leftLagNs);
}

bool FlowComparison::same() const
{
    return duration == Verdict::Similar
           && std::none_of(types.begin(), types.end(), [](const TypeDiff &t) { return t.differs(); })
           && std::all_of(edges.begin(), edges.end(), [](const EdgeDiff &e) { return e.verdict == Verdict::Similar; });
}

namespace {

using Match = FlowComparison::Match;
using Verdict = FlowComparison::Verdict;

/// Slower, faster or similar, by both thresholds (a ratio means little near zero, and a
/// difference little on long times).
Verdict judge(int64_t leftNs, int64_t rightNs, const FlowCompareOptions &o)
{
    const double ratio = o.slowerRatio;
    if (rightNs - leftNs >= o.minDifferenceNs
        && (leftNs <= 0 || static_cast<double>(rightNs) >= static_cast<double>(leftNs) * ratio))
        return Verdict::Slower;
    if (leftNs - rightNs >= o.minDifferenceNs
        && (rightNs <= 0 || static_cast<double>(leftNs) >= static_cast<double>(rightNs) * ratio))
        return Verdict::Faster;
    return Verdict::Similar;
}

int64_t median(std::vector<int64_t> v)
{
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : v[m - 1] + (v[m] - v[m - 1]) / 2;
}

bool compared(const FlowGraph::Node &n)
{
    return !n.ghost && n.inFlow;
}

std::string typeOf(const EventStore &store, const FlowGraph::Node &n)
{
    return std::string(store.typeName(store.record(n.event).type));
}

} // namespace

FlowComparison compareFlows(const EventStore &left, const FlowGraph &a, const EventStore &right, const FlowGraph &b,
                            const FlowCompareOptions &options)
{
    FlowComparison c;
    const EventStore *stores[2] = {&left, &right};
    const FlowGraph *graphs[2] = {&a, &b};
    FlowComparison::Side *sides[2] = {&c.left, &c.right};

    // Types, and which nodes of each side have each type (in node order: by time).
    std::unordered_map<std::string, size_t> typeIndex;
    std::vector<std::vector<size_t>> nodesOfType[2];
    for (int s = 0; s < 2; ++s) {
        const FlowGraph &g = *graphs[s];
        FlowComparison::Side &side = *sides[s];
        side.correlationId = g.correlationId;
        side.events = g.eventCount();
        side.durationNs = g.durationNs();
        side.nodes.assign(g.nodes.size(), Match::NotCompared);
        side.partner.assign(g.nodes.size(), FlowComparison::kNone);
        for (size_t n = 0; n < g.nodes.size(); ++n) {
            if (!compared(g.nodes[n]))
                continue;
            std::string type = typeOf(*stores[s], g.nodes[n]);
            auto [it, added] = typeIndex.try_emplace(type, c.types.size());
            if (added)
                c.types.push_back({std::move(type), 0, 0});
            ++(s == 0 ? c.types[it->second].left : c.types[it->second].right);
            nodesOfType[s].resize(c.types.size());
            nodesOfType[s][it->second].push_back(n);
        }
    }
    for (int s = 0; s < 2; ++s)
        nodesOfType[s].resize(c.types.size());

    // The k-th node of a type on one side matches the k-th on the other.
    for (size_t t = 0; t < c.types.size(); ++t) {
        const std::vector<size_t> &l = nodesOfType[0][t], &r = nodesOfType[1][t];
        for (size_t k = 0; k < std::max(l.size(), r.size()); ++k) {
            if (k < l.size() && k < r.size()) {
                c.left.nodes[l[k]] = c.right.nodes[r[k]] = Match::Matched;
                c.left.partner[l[k]] = r[k];
                c.right.partner[r[k]] = l[k];
            } else if (k < l.size()) {
                c.left.nodes[l[k]] = Match::Missing;
            } else {
                c.right.nodes[r[k]] = Match::Extra;
            }
        }
    }

    // Links by (cause type, effect type[, consumer]), with their lags per side.
    std::map<std::tuple<std::string, std::string, std::string>, size_t> edgeIndex;
    std::vector<std::vector<int64_t>> lags[2];
    for (int s = 0; s < 2; ++s) {
        const FlowGraph &g = *graphs[s];
        const EventStore &store = *stores[s];
        FlowComparison::Side &side = *sides[s];
        side.edges.assign(g.edges.size(), FlowComparison::kNone);
        for (size_t e = 0; e < g.edges.size(); ++e) {
            const FlowGraph::Edge &edge = g.edges[e];
            const FlowGraph::Node &cause = g.nodes[edge.cause], &effect = g.nodes[edge.effect];
            if (!compared(cause) || !compared(effect) || !edge.lagNs)
                continue;
            std::string consumer = options.edgesBySource
                                       ? std::string(store.sourceName(store.record(effect.event).source))
                                       : std::string();
            auto key = std::make_tuple(typeOf(store, cause), typeOf(store, effect), std::move(consumer));
            auto [it, added] = edgeIndex.try_emplace(key, c.edges.size());
            if (added) {
                FlowComparison::EdgeDiff d;
                std::tie(d.causeType, d.effectType, d.consumer) = std::move(key);
                c.edges.push_back(std::move(d));
            }
            ++(s == 0 ? c.edges[it->second].left : c.edges[it->second].right);
            lags[s].resize(c.edges.size());
            lags[s][it->second].push_back(*edge.lagNs);
            side.edges[e] = it->second;
        }
    }
    for (int s = 0; s < 2; ++s)
        lags[s].resize(c.edges.size());
    for (size_t k = 0; k < c.edges.size(); ++k) {
        FlowComparison::EdgeDiff &d = c.edges[k];
        if (!lags[0][k].empty())
            d.leftLagNs = median(lags[0][k]);
        if (!lags[1][k].empty())
            d.rightLagNs = median(lags[1][k]);
        d.verdict = !d.rightLagNs  ? Verdict::Missing
                    : !d.leftLagNs ? Verdict::Extra
                                   : judge(*d.leftLagNs, *d.rightLagNs, options);
    }
    for (int s = 0; s < 2; ++s) {
        const FlowGraph &g = *graphs[s];
        FlowComparison::Side &side = *sides[s];
        const Match unmatched = s == 0 ? Match::Missing : Match::Extra;
        side.edgeMatch.assign(g.edges.size(), Match::NotCompared);
        for (size_t e = 0; e < g.edges.size(); ++e) {
            if (side.edges[e] == FlowComparison::kNone)
                continue;
            const FlowComparison::EdgeDiff &d = c.edges[side.edges[e]];
            const bool oneSided = d.left == 0 || d.right == 0;
            side.edgeMatch[e] =
                oneSided || side.nodes[g.edges[e].effect] != Match::Matched ? unmatched : Match::Matched;
        }
    }
    if (a.eventCount() > 1 && b.eventCount() > 1) // one event has no duration worth judging
        c.duration = judge(c.left.durationNs, c.right.durationNs, options);
    return c;
}

std::vector<FlowDifference> listDifferences(const FlowComparison &c)
{
    using Kind = FlowDifference::Kind;
    std::vector<FlowDifference> out;
    auto times = [](uint32_t n) { return n > 1 ? " ×" + std::to_string(n) : std::string(); };
    auto link = [](const FlowComparison::EdgeDiff &d) {
        return d.causeType + " → " + d.effectType + (d.consumer.empty() ? "" : " (" + d.consumer + ")");
    };
    // "(×22.5)" slower, "(÷1.5)" faster: a factor reads better than ×0.667.
    auto ratio = [](int64_t from, int64_t to) {
        if (from <= 0 || to <= 0 || from == to)
            return std::string();
        return to > from ? " (×" + formatSignificant(static_cast<double>(to) / static_cast<double>(from)) + ")"
                         : " (÷" + formatSignificant(static_cast<double>(from) / static_cast<double>(to)) + ")";
    };
    auto change = [&](int64_t from, int64_t to) {
        return formatDuration(from) + " → " + formatDuration(to) + ratio(from, to);
    };

    for (size_t t = 0; t < c.types.size(); ++t)
        if (c.types[t].missing())
            out.push_back({Kind::Missing, "missing: " + c.types[t].type + times(c.types[t].left), t});
    for (size_t t = 0; t < c.types.size(); ++t)
        if (c.types[t].extra())
            out.push_back({Kind::Extra, "extra: " + c.types[t].type + times(c.types[t].right), t});
    for (Kind kind : {Kind::Fewer, Kind::More})
        for (size_t t = 0; t < c.types.size(); ++t) {
            const FlowComparison::TypeDiff &d = c.types[t];
            if (d.left && d.right && (kind == Kind::Fewer ? d.right < d.left : d.right > d.left))
                out.push_back({kind,
                               (kind == Kind::Fewer ? "fewer: " : "more: ") + d.type + " " + std::to_string(d.left)
                                   + " → " + std::to_string(d.right),
                               t});
        }

    // A link to or from a type one side lacks, or has fewer or more of, is explained by that
    // type: not listed again (B's one retry instead of two is not also a missing retry → retry).
    std::unordered_map<std::string_view, const FlowComparison::TypeDiff *> typeOf;
    for (const FlowComparison::TypeDiff &t : c.types)
        typeOf.emplace(t.type, &t);
    auto inBoth = [&](const std::string &type) {
        const auto it = typeOf.find(type);
        return it != typeOf.end() && it->second->left && !it->second->differs();
    };
    for (Verdict verdict : {Verdict::Missing, Verdict::Extra})
        for (size_t e = 0; e < c.edges.size(); ++e) {
            const FlowComparison::EdgeDiff &d = c.edges[e];
            if (d.verdict == verdict && inBoth(d.causeType) && inBoth(d.effectType))
                out.push_back({verdict == Verdict::Missing ? Kind::MissingLink : Kind::ExtraLink,
                               (verdict == Verdict::Missing ? "missing link: " : "extra link: ") + link(d),
                               FlowComparison::kNone, e});
        }
    for (Verdict verdict : {Verdict::Slower, Verdict::Faster})
        for (size_t e = 0; e < c.edges.size(); ++e) {
            const FlowComparison::EdgeDiff &d = c.edges[e];
            if (d.verdict == verdict)
                out.push_back({verdict == Verdict::Slower ? Kind::Slower : Kind::Faster,
                               (verdict == Verdict::Slower ? "slower: " : "faster: ") + link(d) + " "
                                   + change(*d.leftLagNs, *d.rightLagNs),
                               FlowComparison::kNone, e});
        }
    if (c.duration != Verdict::Similar)
        out.push_back({c.duration == Verdict::Slower ? Kind::Longer : Kind::Shorter,
                       "duration: " + change(c.left.durationNs, c.right.durationNs)});
    return out;
}

namespace {

constexpr size_t kMaxCandidates = 5000; ///< flows of `right` looked at
constexpr size_t kMaxSequence = 64;     ///< events of a flow compared

/// A flow's event types in time order (first occurrences only), as `map` translates them.
std::vector<uint32_t> typeSequence(const EventStore &store, std::string_view correlation,
                                   const std::vector<uint32_t> &map)
{
    std::vector<uint32_t> events = store.correlation(correlation);
    std::erase_if(events, [&](uint32_t i) { return store.record(i).flags & Duplicate; });
    std::stable_sort(events.begin(), events.end(),
                     [&](uint32_t x, uint32_t y) { return store.record(x).timestampNs < store.record(y).timestampNs; });
    if (events.size() > kMaxSequence)
        events.resize(kMaxSequence);
    std::vector<uint32_t> types;
    types.reserve(events.size());
    for (uint32_t i : events)
        types.push_back(map[store.record(i).type]);
    return types;
}

size_t commonSubsequence(const std::vector<uint32_t> &x, const std::vector<uint32_t> &y)
{
    std::vector<size_t> row(y.size() + 1, 0);
    for (uint32_t tx : x) {
        size_t diagonal = 0;
        for (size_t j = 1; j <= y.size(); ++j) {
            const size_t above = row[j];
            row[j] = tx == y[j - 1] ? diagonal + 1 : std::max(row[j], row[j - 1]);
            diagonal = above;
        }
    }
    return row[y.size()];
}

} // namespace

std::string matchingFlow(const EventStore &left, std::string_view leftCorrelation, const EventStore &right)
{
    const bool sameStore = &left == &right;
    if (!sameStore && !right.correlation(leftCorrelation).empty())
        return std::string(leftCorrelation);

    // Types as left's type ids; a type left does not have gets an id of its own.
    std::vector<uint32_t> leftIds(left.typeCount()), rightIds(right.typeCount());
    for (uint16_t t = 0; t < left.typeCount(); ++t)
        leftIds[t] = t;
    for (uint16_t t = 0; t < right.typeCount(); ++t) {
        const uint16_t l = left.findType(right.typeName(t));
        rightIds[t] = l == EventStore::kNoName ? uint32_t{left.typeCount()} + t : l;
    }
    const std::vector<uint32_t> wanted = typeSequence(left, leftCorrelation, leftIds);

    std::string best;
    double bestScore = -1;
    for (size_t n = 0, looked = 0; n < right.correlationCount() && looked < kMaxCandidates; ++n) {
        const std::string_view name = right.correlationName(n);
        if (sameStore && name == leftCorrelation)
            continue;
        ++looked;
        const std::vector<uint32_t> types = typeSequence(right, name, rightIds);
        if (types.empty())
            continue; // every event evicted
        const double score = 2.0 * static_cast<double>(commonSubsequence(wanted, types))
                             / static_cast<double>(wanted.size() + types.size());
        if (score > bestScore) {
            bestScore = score;
            best = std::string(name);
        }
    }
    return best;
}

} // namespace eventlens
