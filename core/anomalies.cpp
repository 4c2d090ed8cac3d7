#include "core/anomalies.h"

#include "core/eventstore.h"
#include "core/textformat.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace eventlens {

namespace {

std::string str(std::string_view s)
{
    return std::string(s);
}

std::string plural(uint64_t n, const char *one, const char *many)
{
    return formatCount(n) + " " + (n == 1 ? one : many);
}

} // namespace

const char *Anomaly::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Rejected:
        return "rejected";
    case Kind::IdCollision:
        return "id-collision";
    case Kind::Cycle:
        return "cycle";
    case Kind::ConsumerStopped:
        return "consumer-stopped";
    case Kind::UnseenCause:
        return "unseen-cause";
    case Kind::Skew:
        return "skew";
    case Kind::SchemaMix:
        return "schema-mix";
    case Kind::Redelivery:
        return "redelivery";
    case Kind::CrossFlow:
        return "cross-flow";
    }
    return "?";
}

const char *Anomaly::severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return "info";
    case Severity::Warning:
        return "warning";
    case Severity::Error:
        return "error";
    }
    return "?";
}

Anomaly::Severity Anomaly::severityOf(Kind kind)
{
    switch (kind) {
    case Kind::Rejected:
    case Kind::IdCollision:
    case Kind::Cycle:
    case Kind::ConsumerStopped:
        return Severity::Error;
    case Kind::UnseenCause:
    case Kind::Skew:
    case Kind::SchemaMix:
        return Severity::Warning;
    case Kind::Redelivery:
    case Kind::CrossFlow:
        return Severity::Info;
    }
    return Severity::Info;
}

void AnomalyAnalyzer::Group::add(uint32_t index, uint64_t n)
{
    count += n;
    if (events.size() < Anomaly::kMaxIds)
        events.push_back(index);
}

AnomalyAnalyzer::AnomalyAnalyzer(Options options, LagP99 p99) : m_options(options), m_p99(std::move(p99))
{ }

AnomalyAnalyzer::AnomalyAnalyzer(LagP99 p99) : AnomalyAnalyzer(Options{}, std::move(p99))
{ }

void AnomalyAnalyzer::addRejected(std::string where, std::string reason)
{
    if (m_rejected.size() < 1000)
        m_rejected.emplace_back(std::move(where), std::move(reason));
    ++m_rejectedCount;
}

uint32_t AnomalyAnalyzer::root(uint32_t index)
{
    // Union-find over causal trees (each event has at most one cause): path halving.
    uint32_t i = index - m_base;
    while (m_parent[i] != i) {
        m_parent[i] = m_parent[m_parent[i]];
        i = m_parent[i];
    }
    return i + m_base;
}

void AnomalyAnalyzer::found(Anomaly::Kind kind, std::vector<std::string> ids, std::string message)
{
    const size_t kept = static_cast<size_t>(std::count_if(m_findings.begin(), m_findings.end(),
                                                          [&](const Anomaly &a) { return a.kind == kind; }));
    if (kept >= kKeptFindings) {
        ++(kind == Anomaly::Kind::Cycle ? m_moreCycles : m_moreCollisions);
        return;
    }
    Anomaly a;
    a.kind = kind;
    a.count = 1;
    a.eventIds = std::move(ids);
    a.message = std::move(message);
    m_findings.push_back(std::move(a));
}

void AnomalyAnalyzer::compact(const EventStore &store)
{
    // The causal forest: entries of evicted events go; a parent that was evicted leaves its
    // child a root (it only ever pointed at an ancestor, so no false cycle can come of it).
    const uint32_t base = store.firstIndex();
    const size_t dropped = std::min<size_t>(base - m_base, m_parent.size());
    std::vector<uint32_t> parent(m_parent.size() - dropped);
    for (uint32_t i = 0; i < parent.size(); ++i) {
        const uint32_t p = m_parent[i + (base - m_base)] + m_base;
        parent[i] = p >= base ? p - base : i;
    }
    m_parent = std::move(parent);
    m_base = base;
    // Unseen causes whose every kept effect is evicted.
    std::erase_if(m_unseen, [&](const auto &entry) {
        return std::none_of(entry.second.events.begin(), entry.second.events.end(),
                            [&](uint32_t e) { return store.contains(e); });
    });
}

void AnomalyAnalyzer::event(const EventStore &store, uint32_t index)
{
    const EventRecord &r = store.record(index);
    if (m_parent.empty())
        m_base = index;
    else if (store.firstIndex() > m_base && store.firstIndex() - m_base >= m_parent.size() / 2)
        compact(store); // amortised: at most once per half of what is tracked
    while (m_parent.size() <= index - m_base) // each new event starts as its own root
        m_parent.push_back(static_cast<uint32_t>(m_parent.size()));
    if (m_newestNs == kNoTime || r.timestampNs > m_newestNs)
        m_newestNs = r.timestampNs;

    if (r.flags & Duplicate) {
        if (r.flags & IdCollision)
            found(Anomaly::Kind::IdCollision, {str(store.eventId(index))},
                  "eventId " + str(store.eventId(index)) + " is used again by a different event ("
                      + str(store.typeName(r.type)) + " from " + str(store.sourceName(r.source)) + ")");
        else
            m_redeliveries[r.type].add(index);
        return; // the same node as its first occurrence: nothing else to learn from it
    }
    if (r.type >= m_versions.size()) {
        m_versions.resize(r.type + 1u);
        m_recentCauses.resize(r.type + 1u);
    }
    auto &versions = m_versions[r.type];
    auto v = std::find_if(versions.begin(), versions.end(),
                          [&](const VersionCount &c) { return c.version == r.version && c.source == r.source; });
    if (v == versions.end())
        versions.push_back({r.version, r.source, 1, index});
    else
        ++v->count;
    auto &recent = m_recentCauses[r.type];
    recent.push_back(index);
    if (recent.size() >= 2 * kRecent)
        recent.erase(recent.begin(), recent.begin() + kRecent);

    // A cause not (yet) here: unseen until it arrives (then edge() takes it back). A cause
    // already here gives an edge instead; Analysis decides which, by arrival.
    if (r.causationId != EventStore::kNone) {
        const uint32_t cause = store.cause(index);
        if (cause == EventStore::kNone || cause > index)
            m_unseen[str(store.causationId(index))].add(index);
    }
}

void AnomalyAnalyzer::edge(const EventStore &store, const CausalEdge &e)
{
    const EventRecord &c = store.record(e.cause), &x = store.record(e.effect);
    if (e.cause > e.effect) { // the cause came late: it was counted unseen until now
        auto it = m_unseen.find(str(store.eventId(e.cause)));
        if (it != m_unseen.end())
            m_unseen.erase(it);
    }
    m_reacted.insert(pairKey(x.source, c.type));
    if (e.skew())
        m_skew[pairKey(x.source, c.type)].add(e.effect);
    if (e.crossFlow)
        m_crossFlow[pairKey(c.type, x.type)].add(e.effect);

    // The effect has no other cause, so it is the root of its own causal tree: joining it
    // under the cause closes a cycle exactly when the cause descends from it.
    if (e.cause < m_base || e.effect < m_base)
        return;
    const uint32_t causeRoot = root(e.cause);
    if (causeRoot == e.effect) {
        std::vector<uint32_t> cycle{e.effect};
        for (uint32_t i = e.cause; i != e.effect && cycle.size() <= store.size(); i = store.cause(i)) {
            if (i == EventStore::kNone)
                break;
            cycle.push_back(i);
        }
        std::reverse(cycle.begin() + 1, cycle.end()); // effect, then down from it to the cause
        std::vector<std::string> ids;
        std::string path;
        for (uint32_t i : cycle) {
            ids.push_back(str(store.eventId(i)));
            path += (path.empty() ? "" : " → ") + ids.back();
        }
        if (ids.size() > Anomaly::kMaxIds)
            ids.resize(Anomaly::kMaxIds);
        found(Anomaly::Kind::Cycle, std::move(ids), "events cause each other: " + path + " → " + str(store.eventId(e.effect)));
        return;
    }
    m_parent[e.effect - m_base] = causeRoot - m_base;
}

void AnomalyAnalyzer::consumersStopped(const EventStore &store, int64_t nowNs, std::vector<Anomaly> &out) const
{
    std::vector<uint32_t> pairs(m_reacted.begin(), m_reacted.end());
    std::sort(pairs.begin(), pairs.end()); // a stable order, whatever the hash set's
    for (const uint32_t key : pairs) {
        const uint16_t consumer = static_cast<uint16_t>(key >> 16), causeType = static_cast<uint16_t>(key & 0xffff);
        const std::optional<int64_t> p99 = m_p99 ? m_p99(consumer, causeType) : std::nullopt;
        if (!p99)
            continue;
        const int64_t due = std::max<int64_t>(static_cast<int64_t>(m_options.stoppedFactor * double(*p99)), 1'000'000);
        if (causeType >= m_recentCauses.size())
            continue;
        const std::vector<uint32_t> &recent = m_recentCauses[causeType];
        std::vector<uint32_t> missed;
        bool answered = false;
        for (auto c = recent.rbegin(); c != recent.rend() && missed.size() < m_options.stoppedAfter; ++c) {
            if (!store.contains(*c) || store.record(*c).timestampNs + due > nowNs)
                continue; // its reaction is not due yet
            bool reacted = false;
            store.forEachEffect(*c, [&](uint32_t effect) { reacted = reacted || store.record(effect).source == consumer; });
            if (reacted) {
                answered = true;
                break;
            }
            missed.push_back(*c);
        }
        if (answered || missed.size() < m_options.stoppedAfter)
            continue;
        char factor[16];
        std::snprintf(factor, sizeof factor, "%g", m_options.stoppedFactor);
        Anomaly a;
        a.kind = Anomaly::Kind::ConsumerStopped;
        a.count = missed.size();
        for (uint32_t c : missed)
            a.eventIds.push_back(str(store.eventId(c)));
        a.message = str(store.sourceName(consumer)) + " stopped reacting to " + str(store.typeName(causeType))
                    + ": the last " + std::to_string(missed.size()) + " got no reaction within "
                    + formatDuration(due) + " (" + factor + " × its p99 of " + formatDuration(*p99) + ")";
        out.push_back(std::move(a));
    }
}

std::vector<Anomaly> AnomalyAnalyzer::list(const EventStore &store, int64_t nowNs) const
{
    if (nowNs == kNoTime)
        nowNs = m_newestNs;
    std::vector<Anomaly> out;
    auto item = [&](Anomaly::Kind kind, uint64_t count, const std::vector<uint32_t> &events, std::string message) {
        Anomaly a;
        a.kind = kind;
        a.count = count;
        for (uint32_t i : events)
            if (store.contains(i) && a.eventIds.size() < Anomaly::kMaxIds)
                a.eventIds.push_back(str(store.eventId(i)));
        a.message = std::move(message);
        out.push_back(std::move(a));
    };

    for (const auto &[where, reason] : m_rejected)
        item(Anomaly::Kind::Rejected, 1, {}, where + ": " + reason);
    if (m_rejectedCount > m_rejected.size())
        item(Anomaly::Kind::Rejected, m_rejectedCount - m_rejected.size(), {},
             plural(m_rejectedCount - m_rejected.size(), "more rejected input", "more rejected inputs"));
    out.insert(out.end(), m_findings.begin(), m_findings.end());
    if (m_moreCollisions)
        item(Anomaly::Kind::IdCollision, m_moreCollisions, {},
             plural(m_moreCollisions, "more id collision", "more id collisions"));
    if (m_moreCycles)
        item(Anomaly::Kind::Cycle, m_moreCycles, {}, plural(m_moreCycles, "more cycle", "more cycles"));
    consumersStopped(store, nowNs, out);
    // Unseen causes by the type of the events that name them: usually one command or one
    // lost producer explains a whole group, and one line per id would bury everything else.
    struct Unseen {
        Group effects;
        std::vector<std::string> causes;
    };
    std::map<uint16_t, Unseen> unseen;
    for (const auto &[cause, g] : m_unseen) {
        if (g.events.empty() || !store.contains(g.events.front()))
            continue;
        Unseen &u = unseen[store.record(g.events.front()).type];
        u.effects.count += g.count;
        for (uint32_t e : g.events)
            if (u.effects.events.size() < Anomaly::kMaxIds)
                u.effects.events.push_back(e);
        u.causes.push_back(cause);
    }
    for (const auto &[type, u] : unseen) {
        std::string causes;
        for (size_t i = 0; i < u.causes.size() && i < 3; ++i)
            causes += (i ? ", " : "") + u.causes[i];
        if (u.causes.size() > 3)
            causes += " and " + formatCount(u.causes.size() - 3) + " more";
        item(Anomaly::Kind::UnseenCause, u.effects.count, u.effects.events,
             formatCount(u.effects.count) + " " + str(store.typeName(type))
                 + (u.effects.count == 1 ? " event names a cause" : " events name causes")
                 + " not in the input (" + causes + "): commands, or lost events");
    }
    for (const auto &[key, g] : m_skew)
        item(Anomaly::Kind::Skew, g.count, g.events,
             plural(g.count, "reaction", "reactions") + " of " + str(store.sourceName(uint16_t(key >> 16))) + " to "
                 + str(store.typeName(uint16_t(key & 0xffff))) + " stamped before the cause (clock skew?)");
    for (uint16_t type = 0; type < m_versions.size(); ++type) {
        std::map<uint16_t, std::map<uint16_t, uint64_t>> versions; // version → source → count, in order
        for (const VersionCount &c : m_versions[type])
            versions[c.version][c.source] += c.count;
        if (versions.size() < 2)
            continue;
        std::string parts;
        uint64_t total = 0;
        for (const auto &[version, sources] : versions) {
            std::string from;
            for (const auto &[source, n] : sources) {
                from += (from.empty() ? "" : ", ") + str(store.sourceName(source)) + " (" + formatCount(n) + ")";
                total += n;
            }
            parts += (parts.empty() ? "" : "; ") + ("v" + std::to_string(version) + " from " + from);
        }
        std::vector<uint32_t> examples; // the first event of each version
        for (const auto &[version, sources] : versions) {
            uint32_t first = UINT32_MAX;
            for (const VersionCount &c : m_versions[type])
                if (c.version == version)
                    first = std::min(first, c.example);
            examples.push_back(first);
        }
        item(Anomaly::Kind::SchemaMix, total, examples, str(store.typeName(type)) + " comes in " + std::to_string(versions.size())
                                                             + " versions: " + parts);
    }
    for (const auto &[type, g] : m_redeliveries)
        item(Anomaly::Kind::Redelivery, g.count, g.events,
             str(store.typeName(type)) + ": " + plural(g.count, "event was", "events were") + " delivered again");
    for (const auto &[key, g] : m_crossFlow)
        item(Anomaly::Kind::CrossFlow, g.count, g.events,
             plural(g.count, "event", "events") + " of type " + str(store.typeName(uint16_t(key & 0xffff)))
                 + " caused by " + str(store.typeName(uint16_t(key >> 16))) + " in another correlation");

    for (Anomaly &a : out)
        a.severity = Anomaly::severityOf(a.kind);
    std::stable_sort(out.begin(), out.end(), [](const Anomaly &a, const Anomaly &b) {
        if (a.severity != b.severity)
            return a.severity > b.severity;
        if (a.kind != b.kind)
            return a.kind < b.kind;
        return a.count > b.count;
    });
    return out;
}

std::array<uint64_t, Anomaly::kKinds> AnomalyAnalyzer::counts(const EventStore &store, int64_t nowNs) const
{
    std::array<uint64_t, Anomaly::kKinds> n{};
    for (const Anomaly &a : list(store, nowNs))
        n[static_cast<size_t>(a.kind)] += a.count;
    return n;
}

} // namespace eventlens
