#pragma once

#include "core/analysis.h"
#include "core/event.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eventlens {

/// What the flow analyzer knows about one business flow (one correlationId) without building
/// its graph. Ghosts (unseen causes) are known only from the graph: buildFlowGraph().
struct FlowSummary {
    std::string correlationId;
    uint32_t firstEvent = 0;         ///< store index of its first arrival (may be evicted since)
    uint32_t lastEvent = 0;          ///< store index of its newest arrival
    uint64_t events = 0;             ///< arrivals, duplicates included (as EventStore::correlationSize)
    uint64_t duplicates = 0;         ///< of those, later copies of an id the flow already had
    int64_t startNs = kNoTime;       ///< earliest timestamp of its own events (copies aside)
    int64_t endNs = kNoTime;         ///< latest timestamp of its own events
    int64_t lastArrivalNs = kNoTime; ///< newest receive time, or event time where none is known
    uint64_t skewEdges = 0;          ///< edges into its events stamped before their cause
    uint64_t crossFlowCauses = 0;    ///< edges into its events from another correlation
    uint64_t crossFlowEffects = 0;   ///< edges from its events into another correlation

    int64_t durationNs() const { return startNs == kNoTime ? 0 : endNs - startNs; }
    /// Whether something arrived in the last `quietNs` before `nowNs`.
    bool openAt(int64_t nowNs, int64_t quietNs) const
    {
        return lastArrivalNs != kNoTime && lastArrivalNs >= nowNs - quietNs;
    }
};

/// Per-correlation summaries, kept incrementally as events arrive: O(1) per event and per
/// edge (an array lookup by the store's correlation number). Events without a correlationId
/// belong to no flow. Flows are known by name, never by the store's IdTable numbers alone:
/// eviction renumbers those, so after one the numbers are mapped again through the names.
/// A flow whose events were all evicted is forgotten (should more of its events arrive, it
/// starts again), so memory stays bounded in a live session with a memory cap.
///
/// Runs on the store's owner thread, fed by an Analysis.
class FlowAnalyzer : public Analyzer {
public:
    void event(const EventStore &store, uint32_t index) override;
    void edge(const EventStore &store, const CausalEdge &edge) override;

    /// Every flow, in the order of their first events.
    const std::vector<FlowSummary> &summaries() const { return m_flows; }
    /// The flow named `correlationId`, or nullptr.
    const FlowSummary *summaryOf(std::string_view correlationId) const;
    /// Flows with an arrival in the last `quietNs` before `nowNs` (live sessions: the flows
    /// still going), in the order of their first events.
    std::vector<FlowSummary> openFlows(int64_t nowNs, int64_t quietNs) const;

private:
    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    /// The summary of an event's flow, or nullptr when it has no correlationId.
    FlowSummary *flowOf(const EventStore &store, uint32_t index, bool create);
    void forgetEvicted(const EventStore &store);
    /// m_byName, brought up to date (it is only needed after an eviction, or to look up a name).
    const std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> &byName() const;

    std::vector<FlowSummary> m_flows;
    /// Store correlation id (IdTable number) → m_flows index + 1; valid while the store's
    /// firstIndex() stays m_idsBase (eviction rebuilds the ids).
    std::vector<uint32_t> m_byId;
    uint32_t m_idsBase = 0;
    /// Whether every flow is in m_byId, so that a number missing there is a new flow (true
    /// until the first eviction: then flows are found again by name).
    bool m_byIdComplete = true;
    mutable std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> m_byName;
    mutable uint32_t m_named = 0; ///< m_flows[0, m_named) are in m_byName
};

} // namespace eventlens
