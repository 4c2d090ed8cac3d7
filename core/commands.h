#pragma once

#include "core/decoder.h"
#include "core/embeddedbus.h"

#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

namespace eventlens::commands {

/// Exit codes shared by every eventlens-cli command.
enum ExitCode : int {
    ExitOk = 0,
    ExitRejected = 1,  ///< validate: the input had rejected lines or a truncated tail
    ExitDifferent = 1, ///< compare: the flows differ (as diff(1) says so)
    ExitUsage = 2,     ///< bad arguments, or a file that cannot be read
};

enum class Format { Text, Json, Dot, Csv };

/// What a command reads: recordings, and the decoder's limits for them.
struct Input {
    std::vector<std::string> files;
    DecoderOptions decoder;
};

/// The commands behind eventlens-cli, kept here (not in app/) so tests reach them.
/// Each writes its result to `out`, one-line problems to `err`, and returns an ExitCode.
int validate(const Input &input, Format format, std::ostream &out, std::ostream &err);
int stats(const Input &input, Format format, std::ostream &out, std::ostream &err);
/// `correlation` may be a unique prefix of a correlationId.
int flow(const Input &input, const std::string &correlation, Format format, std::ostream &out, std::ostream &err);
/// Everything worth a second look, most severe first: rejected input, id collisions,
/// cycles, consumers that stopped reacting, unseen causes, skew, schema mixes,
/// redeliveries, cross-flow causes (see AnomalyAnalyzer).
int anomalies(const Input &input, Format format, std::ostream &out, std::ostream &err);

/// Where the embedded bus binds.
struct BusEndpoints {
    std::string publishers = "tcp://127.0.0.1:5555";
    std::string subscribers = "tcp://127.0.0.1:5556";
    std::string record; ///< when set, everything published is recorded there (see LiveRecorder)
    /// Queue bounds and frame size limit (EmbeddedBus::Options).
    int sendHighWaterMark = EmbeddedBus::kDefaultHighWaterMark;
    int receiveHighWaterMark = EmbeddedBus::kDefaultHighWaterMark;
    int64_t maxMessageBytes = EmbeddedBus::kDefaultMaxMessageBytes;
    // Authentication (see core/curve.h): needed to bind beyond loopback.
    std::string curveKey{};           ///< the bus's key pair (a .key_secret file): CURVE on both endpoints
    std::vector<std::string> allow{}; ///< client public keys that may connect: keys, key files, directories
    bool insecure = false;            ///< bind beyond loopback without CURVE (warned about, all along)
};

/// Runs the embedded bus until `stop` becomes true (Ctrl-C in the CLI), printing where
/// to connect and, every few seconds, what went through.
int bus(const BusEndpoints &endpoints, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err);

/// What `tail` subscribes to.
struct TailArgs {
    std::vector<std::string> endpoints; ///< connected to, each with every topic filter
    std::vector<std::string> topics;    ///< prefixes; none = everything
    DecoderOptions decoder;
    int receiveHighWaterMark = 0; ///< per endpoint; 0 = unbounded (nothing dropped by ZeroMQ)
    std::string serverKey;        ///< connect with CURVE to a server with this public key (key or key file)
    std::string key;              ///< this client's key pair (a .key_secret file); a fresh one when empty
};

/// Prints one readable line per event received until `stop` (Ctrl-C); rejected messages
/// get a line with their origin and reason, connection changes go to `err`.
int tail(const TailArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err);

/// What `record` subscribes to and where it writes.
struct RecordArgs {
    TailArgs source;            ///< endpoints, topics, decoder limits
    std::string output;         ///< the recording; rejects go to `<output>.rejected.jsonl`
    uint64_t count = 0;         ///< stop after this many events (0: no limit)
    double durationSeconds = 0; ///< stop after this long (0: no limit)
};

/// Records live events to a JSON Lines file (each line the event as received plus the
/// `_eventlens` receive member) until `stop`, the count or the duration; messages that are
/// not events go, with endpoint, topic, reason and frames, to a sibling file.
int record(const RecordArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err);

/// Makes a CURVE key pair: with `out`, writes `<out>.key` and `<out>.key_secret` (mode 0600),
/// czmq certificate files; without, prints both keys.
int keygen(const std::string &out, std::ostream &outStream, std::ostream &err);

/// What `replay` plays and where.
struct ReplayArgs {
    std::string file;
    std::string to = "tcp://127.0.0.1:5555";
    double speed = 1.0;
    bool max = false; ///< as fast as possible
    bool loop = false;
    bool restamp = false;
    DecoderOptions decoder;
};

/// Publishes a recording onto `to` keeping its timing (×speed) until the end, or `stop`.
int replay(const ReplayArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err);

/// What `demo` runs, where, and with which knobs (see DemoSystem).
struct DemoArgs {
    std::string scenario;                             ///< order-saga or logistics
    std::string bus = "tcp://127.0.0.1:5555";         ///< the bus's publishers endpoint
    std::string subscribers = "tcp://127.0.0.1:5556"; ///< the bus's subscribers endpoint
    bool ownBus = false;                              ///< run an embedded bus on those endpoints
    double rate = 5;                                  ///< flows per second, on average
    double durationSeconds = 0;                       ///< 0: until `stop`
    double lagMs = 20;
    double lagSpreadMs = 10;
    std::vector<std::string> lagOf; ///< SERVICE=MS: one consumer's own mean lag
    double failureRate = 0.1;
    double duplicateRate = 0;
    std::string skew; ///< SERVICE=MS: that service's clock runs MS off (negative: behind)
    double v2Share = 0;
    uint64_t seed = 0;
    std::vector<std::string> consumers; ///< optional consumers to run as well
    double reportSeconds = 5;           ///< how often the counters are printed
};

/// Runs a demo system on a bus (or on its own embedded one) until `stop` (Ctrl-C) or the
/// duration, printing what it started and, every few seconds and at the end, its counters.
int demo(const DemoArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err);

/// What `throughput` counts, and in which bins.
struct ThroughputArgs {
    std::string by = "type";     ///< type, source or topic
    std::string clock = "event"; ///< event (timestamp) or received (receive time)
    int64_t binNs = 0;           ///< 0: chosen from the span (see ThroughputAnalyzer::bins)
};

/// Events per time bin per event type, source or topic: text (a table, or for long spans a
/// per-series summary), json or csv (every bin).
int throughput(const Input &input, const ThroughputArgs &args, Format format, std::ostream &out, std::ostream &err);
/// Parses a bin width: a number and a unit (ms, s, m or min, h), e.g. 10ms, 250ms, 1s, 1.5s,
/// 2m, 1h; a whole number of 10 ms steps. On failure `error` says why, in one line.
bool parseBinWidth(const std::string &text, int64_t &ns, std::string &error);

/// Reaction lag per (consumer, cause type) — count, p50/p95/p99/max, skew — and ingest lag per
/// source (text only), exact over the input (see LagAnalyzer).
int lag(const Input &input, Format format, std::ostream &out, std::ostream &err);
/// The service graph inferred from causation: producer →event type→ consumer edges with count,
/// rate and lag percentiles, and per event type its producers and consumers (see TopologyAnalyzer).
int topology(const Input &input, Format format, std::ostream &out, std::ostream &err);

/// What `compare` compares: one flow of each of two recordings (or two flows of one).
struct CompareArgs {
    std::string left;      ///< recording A, the reference
    std::string right;     ///< recording B, compared with A
    std::string leftFlow;  ///< correlationId (or a unique prefix) in A; empty: A's first flow
    std::string rightFlow; ///< in B; empty: the same id, else B's flow most like A's (matchingFlow)
    DecoderOptions decoder;
};

/// Compares two flows by shape (see compareFlows): event types missing in B, extra in B or
/// counted differently, links only one side has, reactions that got slower or faster, and
/// the flows' durations; then every type and link side by side. ExitOk when nothing
/// differs, ExitDifferent when something does.
int compare(const CompareArgs &args, Format format, std::ostream &out, std::ostream &err);

} // namespace eventlens::commands
