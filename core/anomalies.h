#pragma once

#include "core/analysis.h"
#include "core/event.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_set>
#include <string>
#include <unordered_map>
#include <vector>

namespace eventlens {

/// One thing a person would otherwise miss, with where to look.
struct Anomaly {
    enum class Kind {
        Rejected,        ///< input that is not an event (a bad line or frame)
        IdCollision,     ///< the same eventId with different content
        Cycle,           ///< events that cause each other
        ConsumerStopped, ///< a consumer that reacted before and no longer does
        UnseenCause,     ///< a causationId that names no event
        Skew,            ///< effects stamped before their cause
        SchemaMix,       ///< one event type in several versions
        Redelivery,      ///< the same event delivered again (identical bytes)
        CrossFlow,       ///< a cause in another correlation
    };
    static constexpr int kKinds = 9;
    enum class Severity { Info, Warning, Error };

    Kind kind = Kind::Rejected;
    Severity severity = Severity::Info;
    uint64_t count = 0;                ///< occurrences this item stands for
    std::vector<std::string> eventIds; ///< where to look (at most kMaxIds)
    std::string message;               ///< a sentence for people

    static constexpr size_t kMaxIds = 20;
    static const char *kindName(Kind kind);         ///< e.g. "unseen-cause"
    static const char *severityName(Severity severity); ///< "info", "warning", "error"
    static Severity severityOf(Kind kind);
};

/// Collects the anomalies of a store's events, incrementally (see Analysis). Each item
/// groups what belongs together — the skew of one consumer towards one cause type, the
/// effects of one unseen cause, one cycle — with a count and up to Anomaly::kMaxIds ids.
///
/// A consumer stopped reacting when it reacted to a cause type before and the last K
/// causes of that type whose reaction is due (cause time + factor × its lag p99 ≤ now)
/// got no reaction from it. The p99 comes from the lag analysis, through `LagP99`.
class AnomalyAnalyzer : public Analyzer {
public:
    struct Options {
        size_t stoppedAfter = 5;    ///< K
        double stoppedFactor = 3.0; ///< a reaction is late after factor × p99
    };
    /// The lag p99 (ns) of `consumer` reacting to `causeType`, if it ever reacted.
    using LagP99 = std::function<std::optional<int64_t>(uint16_t consumer, uint16_t causeType)>;

    AnomalyAnalyzer(Options options, LagP99 p99);
    explicit AnomalyAnalyzer(LagP99 p99);

    void event(const EventStore &store, uint32_t index) override;
    void edge(const EventStore &store, const CausalEdge &edge) override;
    /// Input that never became an event: `where` says which (e.g. `orders.jsonl line 121`).
    void addRejected(std::string where, std::string reason);

    /// The anomalies as of `nowNs` (default: the newest timestamp seen), most severe
    /// first, then by kind and count.
    std::vector<Anomaly> list(const EventStore &store, int64_t nowNs = kNoTime) const;
    /// Occurrences per kind (what `stats` prints), as of `nowNs` like list().
    std::array<uint64_t, Anomaly::kKinds> counts(const EventStore &store, int64_t nowNs = kNoTime) const;
    /// Events the cycle detection holds an entry for: about the store's retained events.
    size_t trackedEvents() const { return m_parent.size(); }

private:
    struct Group {
        uint64_t count = 0;
        std::vector<uint32_t> events; ///< store indexes, at most kMaxIds
        void add(uint32_t index, uint64_t n = 1);
    };
    static uint32_t pairKey(uint16_t a, uint16_t b) { return uint32_t(a) << 16 | b; }
    uint32_t root(uint32_t index);
    /// Forgets what only evicted events needed (live sessions have a memory cap).
    void compact(const EventStore &store);
    void found(Anomaly::Kind kind, std::vector<std::string> ids, std::string message);
    void consumersStopped(const EventStore &store, int64_t nowNs, std::vector<Anomaly> &out) const;

    Options m_options;
    LagP99 m_p99;
    int64_t m_newestNs = kNoTime;

    std::vector<std::pair<std::string, std::string>> m_rejected; ///< where, reason (the first 1000)
    uint64_t m_rejectedCount = 0;
    std::map<uint16_t, Group> m_redeliveries;                   ///< by event type
    /// Id collisions and cycles, written when found (their events may be evicted later);
    /// at most kKeptFindings of each kind, the rest counted.
    std::vector<Anomaly> m_findings;
    uint64_t m_moreCollisions = 0, m_moreCycles = 0;
    static constexpr size_t kKeptFindings = 1000;
    std::map<std::string, Group> m_unseen;                      ///< causationId → its effects, until the cause arrives
    std::map<uint32_t, Group> m_skew;                           ///< (consumer, cause type) → effects
    std::map<uint32_t, Group> m_crossFlow;                      ///< (cause type, effect type) → effects
    std::vector<uint32_t> m_parent;                             ///< union-find over causal trees, by index − base
    uint32_t m_base = 0;
    /// By type: (version, source) → first occurrences. Flat: a type has a handful.
    struct VersionCount {
        uint16_t version, source;
        uint64_t count;
        uint32_t example; ///< its first event
    };
    std::vector<std::vector<VersionCount>> m_versions;
    std::unordered_set<uint32_t> m_reacted; ///< (consumer, cause type) pairs seen on an edge
    /// By type: its newest first occurrences, for "stopped reacting".
    std::vector<std::vector<uint32_t>> m_recentCauses;
    static constexpr size_t kRecent = 64;
};

} // namespace eventlens
