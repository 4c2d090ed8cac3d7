#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace eventlens {

class EventStore;
struct FlowGraph;

/// Writing what a person is looking at to files other tools read. Each writes `path` whole
/// (through a temporary file renamed at the end, so a failure never leaves half a file), and
/// returns false with `error` naming the file and the reason.

/// The events as JSON Lines, each exactly as it was received (a recording EventLens and
/// `jq` both read), in the order given.
bool exportJsonl(const EventStore &store, std::span<const uint32_t> events, const std::string &path,
                 std::string &error);
/// The events as CSV (RFC 4180: quoted where needed, CRLF line ends), one row each with the
/// table's columns: time (RFC 3339), eventId, eventType, eventVersion, source,
/// correlationId, causationId, lagMs (empty without a seen cause), flags.
bool exportCsv(const EventStore &store, std::span<const uint32_t> events, const std::string &path, std::string &error);
/// A flow's causation graph as a Graphviz .dot file (as `eventlens-cli flow --format dot`).
bool exportFlowDot(const EventStore &store, const FlowGraph &graph, const std::string &path, std::string &error);

} // namespace eventlens
