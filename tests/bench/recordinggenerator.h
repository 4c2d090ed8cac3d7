#pragma once

#include <cstdint>
#include <string>

namespace eventlens::bench {

/// Writes a deterministic, realistic JSON Lines recording of contract events for the
/// benchmarks: interleaved business flows of 3–12 events (an order saga, a package-scan
/// flow with fan-out, a customer lifecycle), ~40 event types published by 15 services,
/// three UUIDs per event (roots carry no causationId; their correlationId is their own
/// eventId or a fresh one), RFC 3339 times with milliseconds or microseconds, schema
/// versions 1 and 2, a small `data` object and sometimes `metadata`. About 330 bytes a
/// line. A few events arrive twice (redelivery) and a few are stamped before their cause
/// (producer clock skew), as in real captures.
///
/// Lines are plain events (no recorder member), like a file exported from elsewhere.
/// The same seed and count always give the same bytes.
class RecordingGenerator {
public:
    struct Stats {
        uint64_t events = 0; ///< lines written (redeliveries included)
        uint64_t bytes = 0;
        uint64_t flows = 0;
        uint64_t redeliveries = 0;
        uint64_t skewed = 0; ///< effects stamped before their cause
    };

    explicit RecordingGenerator(uint64_t seed = 0x45'76'65'6E'74'4C'65'6EULL);
    /// The recorded rate, on average (events are 0.2–1.8 × the mean gap apart): 1 000 by default.
    void setEventsPerSecond(double rate) { m_eventsPerSecond = rate; }

    /// Writes `events` lines to `path` (through a temporary file renamed at the end, so an
    /// interrupted run never leaves a short file behind). Returns false with `error` set
    /// when the file cannot be written.
    bool write(const std::string &path, uint64_t events, Stats &stats, std::string &error) const;

private:
    uint64_t m_seed;
    double m_eventsPerSecond = 1000;
};

} // namespace eventlens::bench
