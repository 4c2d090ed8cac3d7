#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventlens {

class EventStore;
struct FlowGraph;

/// How compareFlows() judges lag: B's (the right flow's) reaction is slower when its lag is
/// at least `slowerRatio` times A's *and* at least `minDifferenceNs` longer (both, so 1 ms →
/// 3 ms is not "slower", nor is 10.0 s → 10.5 s); faster likewise the other way. The flows'
/// durations are judged the same way.
struct FlowCompareOptions {
    double slowerRatio = 1.5;
    int64_t minDifferenceNs = 10'000'000; ///< 10 ms
    /// Tell edges apart by consumer (the effect's source) too, not only by cause and effect type:
    /// for flows where two services emit the same type.
    bool edgesBySource = false;
};

/// Two flows compared by shape, not by ids (ids differ from run to run): which event types
/// each has and how many, which causation links (cause type → effect type) each has and how
/// long the reaction took, and how long each flow took. "Left" (A) is the reference, "right"
/// (B) the flow compared with it: *missing* is in A and not in B, *extra* in B and not in A,
/// *slower* is B slower than A.
///
/// Every node of both graphs is classified too, so a view can mark them: the k-th event of a
/// type in A (in time order) matches the k-th of that type in B; what is left over on either
/// side is missing (A) or extra (B). Ghosts (unseen causes) and causes from other flows are
/// context, not compared. A plain value: keeps no reference to the stores or graphs.
struct FlowComparison {
    static constexpr size_t kNone = SIZE_MAX;

    /// What a node or edge of one side is, compared with the other side.
    enum class Match : uint8_t {
        Matched,     ///< has a counterpart on the other side
        Missing,     ///< A only (on the left side)
        Extra,       ///< B only (on the right side)
        NotCompared, ///< a ghost, a cause from another flow, or an edge from one
    };
    /// An event type in either flow, with how often each has it (first occurrences: a
    /// redelivered event counts once).
    struct TypeDiff {
        std::string type;
        uint32_t left = 0;
        uint32_t right = 0;
        bool missing() const { return left > 0 && right == 0; }
        bool extra() const { return right > 0 && left == 0; }
        bool differs() const { return left != right; }
    };
    enum class Verdict : uint8_t {
        Similar, ///< in both, lags within the thresholds
        Slower,  ///< B reacts slower
        Faster,  ///< B reacts faster
        Missing, ///< the link is in A only
        Extra,   ///< the link is in B only
    };
    /// A causation link, keyed by cause type → effect type (and consumer, with
    /// FlowCompareOptions::edgesBySource), with the median reaction lag of each side.
    struct EdgeDiff {
        std::string causeType;
        std::string effectType;
        std::string consumer; ///< the effect's source; empty unless edgesBySource
        uint32_t left = 0;    ///< how many such links A has
        uint32_t right = 0;
        std::optional<int64_t> leftLagNs; ///< median over A's links of this key; none when A has none
        std::optional<int64_t> rightLagNs;
        Verdict verdict = Verdict::Similar;
        /// right lag / left lag; none unless both sides have a positive lag.
        std::optional<double> ratio() const;
    };
    /// One flow's part of the comparison, indexed like its FlowGraph.
    struct Side {
        std::string correlationId;
        size_t events = 0;           ///< the flow's own events (FlowGraph::eventCount())
        int64_t durationNs = 0;      ///< FlowGraph::durationNs()
        std::vector<Match> nodes;    ///< by graph node
        std::vector<size_t> partner; ///< by graph node: the matched node of the other graph, or kNone
        std::vector<Match>
            edgeMatch;             ///< by graph edge: Missing/Extra when its key is one-sided or its effect unmatched
        std::vector<size_t> edges; ///< by graph edge: index into FlowComparison::edges, or kNone (not compared)
    };

    Side left;
    Side right;
    /// Every compared type of either flow: A's in order of first appearance, then B's new ones.
    std::vector<TypeDiff> types;
    /// Every link key of either flow: A's in order of first appearance, then B's new ones.
    std::vector<EdgeDiff> edges;
    /// The duration verdict (Similar, Slower or Faster), judged like a lag.
    Verdict duration = Verdict::Similar;

    /// Same types with the same counts, same links, no lag or duration beyond the thresholds.
    bool same() const;
};

/// Compares flow `b` (built from `right`) with flow `a` (built from `left`). The stores are
/// read during the call only; they may be the same store (two flows of one recording).
FlowComparison compareFlows(const EventStore &left, const FlowGraph &a, const EventStore &right, const FlowGraph &b,
                            const FlowCompareOptions &options = {});

/// One line of what differs, for a list a person reads top down.
struct FlowDifference {
    enum class Kind : uint8_t {
        Missing,     ///< a type in A only: "missing: stock.released"
        Extra,       ///< a type in B only: "extra: payment.retried ×2"
        Fewer,       ///< B has fewer of a type: "fewer: payment.retried 2 → 1"
        More,        ///< B has more: "more: payment.retried 1 → 3"
        MissingLink, ///< both have the types, only A links them: "missing link: a → b"
        ExtraLink,   ///< only B links them: "extra link: a → b"
        Slower,      ///< "slower: payment.requested → payment.failed 40 ms → 900 ms (×22.5)"
        Faster,      ///< "faster: order.placed → inventory.reserved 45 ms → 30 ms (÷1.5)"
        Longer,      ///< the whole flow: "duration: 500 ms → 1.32 s (×2.64)"
        Shorter,
    };
    Kind kind;
    std::string text;
    size_t type = FlowComparison::kNone; ///< index into FlowComparison::types, for the type kinds
    size_t edge = FlowComparison::kNone; ///< index into FlowComparison::edges, for the link and lag kinds
};

/// What differs, in the order of the Kind enum; empty when same(). A link only one side has is
/// listed when both its types are in both flows equally often: otherwise the type's own line
/// explains it.
std::vector<FlowDifference> listDifferences(const FlowComparison &comparison);

/// The flow of `right` to compare with flow `leftCorrelation` of `left`: the same
/// correlationId when `right` has it (unless both are the same store: then another flow);
/// otherwise the flow whose event types, in time order, are most alike (the longest common
/// subsequence, over the first 64 events of the first 5,000 flows), the earliest on a tie.
/// Empty when `right` has no other flow.
std::string matchingFlow(const EventStore &left, std::string_view leftCorrelation, const EventStore &right);

} // namespace eventlens
