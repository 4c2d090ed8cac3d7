#pragma once

// What the file commands (validate, stats, flow, lag, topology, throughput, anomalies)
// share: loading their input and writing JSON. Internal to core/: app/ includes commands.h.

#include "core/anomalies.h"
#include "core/commands.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace eventlens {
struct FlowGraph;
class EventStore;
struct RecordingReport;
} // namespace eventlens

namespace eventlens::commands {

using Json = nlohmann::ordered_json; // keeps members in the documented order

/// Loads every file into `store`; on an unreadable file says so on `err` and returns false.
bool loadAll(const Input &input, EventStore &store, std::vector<RecordingReport> &reports, std::ostream &err);
/// Resolves a correlationId or a unique prefix of one; when there is none or several, says
/// so on `err` and returns false.
bool resolveCorrelation(const EventStore &store, const std::string &wanted, std::string &found, std::ostream &err);
/// Indented JSON, invalid UTF-8 replaced (never throws).
std::string dump(const Json &j);
/// An RFC 3339 time, or null for kNoTime.
Json timeOrNull(int64_t ns);
/// A Graphviz double-quoted string: quotes and backslashes escaped, newlines as \n.
std::string dotString(std::string_view s);
/// A flow's causation graph as a Graphviz digraph (what `flow --format dot` prints and the
/// app exports): nodes coloured by source, lags on the edges, the critical path in the
/// app's purple (core/markcolors.h).
void printFlowDot(const EventStore &store, const FlowGraph &g, std::ostream &out);

/// The anomalies of loaded recordings: their rejected lines and torn tails, then what the
/// analyses find in the store (the lag analysis supplies "stopped reacting" its p99s).
std::vector<Anomaly> findAnomalies(const EventStore &store, const std::vector<RecordingReport> &reports);
/// Occurrences per kind, as JSON {"rejected": N, …} with every kind present.
Json anomalyCounts(const std::vector<Anomaly> &anomalies);

} // namespace eventlens::commands
