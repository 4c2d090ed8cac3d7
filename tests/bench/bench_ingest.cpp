// bench_ingest: how fast EventLens takes in a live flood, against raw ZeroMQ in the same run.
//
// A publisher in its own process (this program, re-executed with --publish) floods N
// contract events over tcp://127.0.0.1 from an XPUB with an unbounded high-water mark;
// it starts once a subscriber's subscription arrives, so nothing is lost to a slow join.
// Two subscribers take the same flood in turn:
//   (a) raw ZeroMQ: a SUB socket that only counts messages;
//   (b) EventLens: a Session (ZmqSource → Ingest: batching, simdjson decoding → EventStore
//       with every index), Overflow::Block, unbounded receive high-water mark.
// Throughput is counted from the first message received to the last one counted (a) or
// appended to the store (b). Prints events/s, the ratio (b)/(a) — must be >= 0.5, aim
// 0.8 — and the loss, which must be zero. Then, at a steady 10 000 events/s, the end-to-end
// latency (the event's timestamp, stamped by the publisher as it sends, to the moment it is
// counted (a) or appended (b)): p50 and p99.
//
// With --check the exit code is 1 when a must fails; loss or errors always exit 2.

#include "recordinggenerator.h"

#include "core/rfc3339.h"
#include "core/session.h"

#include <zmq.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <signal.h>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace eventlens;

namespace {

constexpr double kMustRatio = 0.5, kAimRatio = 0.8;

struct Options {
    uint64_t events = 1'000'000;
    int runs = 3;
    uint64_t rate = 10'000;      ///< latency run: events per second
    double latencySeconds = 3.0; ///< latency run: how long
    bool check = false;
    // child mode
    std::string publishFile;
    uint64_t publishRate = 0; ///< 0 = flood the file; else generate stamped events at this rate
    uint64_t publishCount = 0;
};

void usage()
{
    std::printf("usage: bench_ingest [--events N] [--runs N] [--rate N] [--latency-seconds S] [--check]\n"
                "  --events N            events in the flood (default 1000000)\n"
                "  --runs N              floods per subscriber kind; the median counts (default 3)\n"
                "  --rate N              events/s of the latency run (default 10000)\n"
                "  --latency-seconds S   length of the latency run (default 3)\n"
                "  --check               exit 1 when a must (ingest/raw >= %.1f) fails\n",
                kMustRatio);
}

bool parseOptions(int argc, char **argv, Options &o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", argv[i]);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--events")
            o.events = std::strtoull(value(), nullptr, 10);
        else if (a == "--runs")
            o.runs = std::max(1, std::atoi(value()));
        else if (a == "--rate")
            o.rate = std::strtoull(value(), nullptr, 10);
        else if (a == "--latency-seconds")
            o.latencySeconds = std::atof(value());
        else if (a == "--check")
            o.check = true;
        else if (a == "--publish")
            o.publishFile = value();
        else if (a == "--publish-rate")
            o.publishRate = std::strtoull(value(), nullptr, 10);
        else if (a == "--publish-count")
            o.publishCount = std::strtoull(value(), nullptr, 10);
        else if (a == "--help" || a == "-h") {
            usage();
            std::exit(0);
        } else {
            std::fprintf(stderr, "unknown option '%s'\n", argv[i]);
            usage();
            return false;
        }
    }
    if (o.events == 0 || o.rate == 0 || o.latencySeconds <= 0) {
        std::fprintf(stderr, "--events, --rate and --latency-seconds must be > 0\n");
        return false;
    }
    return true;
}

std::string_view eventType(std::string_view line)
{
    constexpr std::string_view key = "\"eventType\":\"";
    const size_t at = line.find(key);
    if (at == std::string_view::npos)
        return {};
    const size_t start = at + key.size();
    return line.substr(start, line.find('"', start) - start);
}

// --- the publisher process ------------------------------------------------------------

/// Binds an XPUB, prints its endpoint, waits for a subscription, then publishes
/// [eventType, json] for every line of the file (or `count` freshly stamped events at
/// `rate`), and exits once ZeroMQ has sent everything (linger -1).
int publish(const Options &o)
{
    std::vector<std::string> lines;
    if (!o.publishRate) {
        std::ifstream in(o.publishFile);
        for (std::string line; std::getline(in, line);)
            lines.push_back(std::move(line));
    }
    zmq::context_t ctx;
    zmq::socket_t pub(ctx, zmq::socket_type::xpub);
    pub.set(zmq::sockopt::sndhwm, 0); // unbounded: a flood must not be dropped by the publisher
    pub.bind("tcp://127.0.0.1:*");
    std::printf("%s\n", pub.get(zmq::sockopt::last_endpoint).c_str());
    std::fflush(stdout);
    zmq::message_t subscription;
    (void)pub.recv(subscription); // a subscriber has joined

    auto send = [&](std::string_view json) {
        const std::string_view topic = eventType(json);
        pub.send(zmq::buffer(topic.data(), topic.size()), zmq::send_flags::sndmore);
        pub.send(zmq::buffer(json.data(), json.size()), zmq::send_flags::none);
    };
    if (!o.publishRate) {
        for (const std::string &l : lines)
            send(l);
        return 0;
    }
    const auto start = std::chrono::steady_clock::now();
    const auto step = std::chrono::nanoseconds(1'000'000'000 / o.publishRate);
    std::string json;
    for (uint64_t i = 0; i < o.publishCount; ++i) {
        std::this_thread::sleep_until(start + step * static_cast<int64_t>(i));
        json = "{\"eventId\":\"lat-" + std::to_string(i)
             + "\",\"eventType\":\"order.placed\",\"eventVersion\":1,\"timestamp\":\"" + formatRfc3339(nowUtcNs(), 9)
             + "\",\"source\":\"order-service\",\"correlationId\":\"c-" + std::to_string(i / 8)
             + "\",\"data\":{\"orderId\":\"ORD-" + std::to_string(i) + "\",\"amount\":42.5}}";
        send(json);
    }
    return 0;
}

/// The publisher child: its pid and the endpoint it bound.
struct Publisher {
    pid_t pid = -1;
    std::string endpoint;
};

Publisher spawnPublisher(const std::vector<std::string> &args)
{
    int out[2];
    if (pipe(out) != 0) {
        std::perror("pipe");
        std::exit(2);
    }
    Publisher p;
    p.pid = fork();
    if (p.pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        std::vector<char *> argv;
        static char self[] = "/proc/self/exe";
        argv.push_back(self);
        for (const std::string &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execv(self, argv.data());
        std::perror("execv");
        _exit(2);
    }
    close(out[1]);
    char buf[256];
    size_t n = 0;
    while (n < sizeof buf - 1) {
        const ssize_t r = read(out[0], buf + n, 1);
        if (r <= 0 || buf[n] == '\n')
            break;
        ++n;
    }
    buf[n] = 0;
    close(out[0]);
    p.endpoint = buf;
    if (p.endpoint.empty()) {
        std::fprintf(stderr, "bench_ingest: the publisher did not start\n");
        std::exit(2);
    }
    return p;
}

void reap(const Publisher &p, bool kill)
{
    if (kill)
        ::kill(p.pid, SIGKILL);
    int status = 0;
    waitpid(p.pid, &status, 0);
}

// --- the subscribers ---------------------------------------------------------------------

struct Flood {
    uint64_t received = 0;
    double seconds = 0;
    double perSecond() const { return seconds > 0 ? double(received) / seconds : 0; }
};

/// Waits this long for the next message before calling the rest lost.
constexpr auto kSilence = std::chrono::seconds(5);

Flood rawFlood(const std::string &file, uint64_t expected)
{
    const Publisher p = spawnPublisher({"--publish", file});
    zmq::context_t ctx;
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::rcvhwm, 0);
    sub.set(zmq::sockopt::rcvtimeo, int(std::chrono::milliseconds(kSilence).count()));
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect(p.endpoint);
    Flood f;
    int64_t first = 0, last = 0;
    zmq::message_t frame;
    while (f.received < expected) {
        if (!sub.recv(frame))
            break; // silence: the rest is lost
        while (frame.more())
            (void)sub.recv(frame);
        last = nowUtcNs();
        if (f.received++ == 0)
            first = last;
    }
    f.seconds = double(last - first) / 1e9;
    reap(p, f.received < expected);
    return f;
}

Session::Options sessionOptions()
{
    Session::Options o;
    o.ingest.overflow = Overflow::Block; // a source that must not lose anything
    o.receiveHighWaterMark = 0;
    return o;
}

Flood eventlensFlood(const std::string &file, uint64_t expected, Ingest::Stats &stats, size_t &memory)
{
    const Publisher p = spawnPublisher({"--publish", file});
    zmq::context_t ctx;
    Session session(ctx, sessionOptions());
    session.connect({p.endpoint, {}, false});
    Flood f;
    int64_t last = 0;
    auto quiet = std::chrono::steady_clock::now();
    while (session.store().size() < expected) {
        if (!session.waitForData(std::chrono::milliseconds(100))) {
            if (std::chrono::steady_clock::now() - quiet > kSilence)
                break;
            continue;
        }
        session.poll(std::chrono::milliseconds(50));
        quiet = std::chrono::steady_clock::now();
    }
    last = nowUtcNs();
    const EventStore &store = session.store();
    f.received = store.size();
    if (f.received)
        f.seconds = double(last - store.record(store.firstIndex()).receivedNs) / 1e9;
    stats = session.stats().ingest;
    memory = store.memoryUsage();
    reap(p, f.received < expected);
    return f;
}

struct Percentiles {
    double p50 = 0, p99 = 0, max = 0;
};

Percentiles percentiles(std::vector<int64_t> ns)
{
    Percentiles p;
    if (ns.empty())
        return p;
    std::sort(ns.begin(), ns.end());
    auto rank = [&](double q) { return double(ns[std::min(ns.size() - 1, size_t(q * double(ns.size())))]) / 1e6; };
    p.p50 = rank(0.50);
    p.p99 = rank(0.99);
    p.max = double(ns.back()) / 1e6;
    return p;
}

std::vector<std::string> latencyArgs(const Options &o)
{
    return {"--publish", "-", "--publish-rate", std::to_string(o.rate), "--publish-count",
            std::to_string(uint64_t(double(o.rate) * o.latencySeconds))};
}

Percentiles rawLatency(const Options &o, uint64_t &received)
{
    const uint64_t count = uint64_t(double(o.rate) * o.latencySeconds);
    const Publisher p = spawnPublisher(latencyArgs(o));
    zmq::context_t ctx;
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::rcvtimeo, int(std::chrono::milliseconds(kSilence).count()));
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect(p.endpoint);
    std::vector<int64_t> latencies;
    latencies.reserve(count);
    zmq::message_t topic, body;
    constexpr std::string_view key = "\"timestamp\":\"";
    while (latencies.size() < count && sub.recv(topic)) {
        (void)sub.recv(body);
        const int64_t now = nowUtcNs();
        const std::string_view json(static_cast<const char *>(body.data()), body.size());
        const size_t at = json.find(key) + key.size();
        if (auto ts = parseRfc3339(json.substr(at, json.find('"', at) - at)))
            latencies.push_back(now - *ts);
    }
    received = latencies.size();
    reap(p, received < count);
    return percentiles(std::move(latencies));
}

Percentiles eventlensLatency(const Options &o, uint64_t &received)
{
    const uint64_t count = uint64_t(double(o.rate) * o.latencySeconds);
    const Publisher p = spawnPublisher(latencyArgs(o));
    zmq::context_t ctx;
    Session session(ctx, sessionOptions());
    std::vector<int64_t> latencies;
    latencies.reserve(count);
    session.addObserver([&](const Session::Update &u) {
        const int64_t now = nowUtcNs();
        for (uint32_t i = u.firstEvent; i < u.endEvent; ++i)
            latencies.push_back(now - session.store().record(i).timestampNs);
    });
    session.connect({p.endpoint, {}, false});
    auto quiet = std::chrono::steady_clock::now();
    while (latencies.size() < count) {
        if (session.waitForData(std::chrono::milliseconds(100))) {
            session.poll();
            quiet = std::chrono::steady_clock::now();
        } else if (std::chrono::steady_clock::now() - quiet > kSilence) {
            break;
        }
    }
    received = latencies.size();
    reap(p, received < count);
    return percentiles(std::move(latencies));
}

std::string thousands(uint64_t n)
{
    std::string s = std::to_string(n);
    for (int i = int(s.size()) - 3; i > 0; i -= 3)
        s.insert(size_t(i), ",");
    return s;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    if (!parseOptions(argc, argv, o))
        return 2;
    if (!o.publishFile.empty())
        return publish(o);

    char dir[] = "/tmp/bench_ingest.XXXXXX";
    if (!mkdtemp(dir)) {
        std::perror("mkdtemp");
        return 2;
    }
    const std::string file = std::string(dir) + "/flood.jsonl";
    bench::RecordingGenerator::Stats gen;
    std::string error;
    if (!bench::RecordingGenerator().write(file, o.events, gen, error)) {
        std::fprintf(stderr, "bench_ingest: %s\n", error.c_str());
        return 2;
    }
    std::printf("bench_ingest: %s contract events (%.0f MB, ~%" PRIu64
                " bytes each) flooded over tcp://127.0.0.1 by a publisher process; median of %d runs\n\n",
                thousands(gen.events).c_str(), double(gen.bytes) / 1e6, gen.bytes / std::max<uint64_t>(gen.events, 1),
                o.runs);

    std::vector<double> raw, ingest;
    uint64_t lost = 0;
    Ingest::Stats stats;
    size_t memory = 0;
    for (int r = 0; r < o.runs; ++r) {
        const Flood a = rawFlood(file, gen.events);
        const Flood b = eventlensFlood(file, gen.events, stats, memory);
        lost += (gen.events - a.received) + (gen.events - b.received) + stats.dropped;
        raw.push_back(a.perSecond());
        ingest.push_back(b.perSecond());
        std::printf("  run %d: raw %s events/s, EventLens %s events/s (%.2fx)\n", r + 1,
                    thousands(uint64_t(a.perSecond())).c_str(), thousands(uint64_t(b.perSecond())).c_str(),
                    b.perSecond() / a.perSecond());
        std::fflush(stdout);
    }
    std::remove(file.c_str());
    rmdir(dir);
    const double rawRate = median(raw), ingestRate = median(ingest), ratio = ingestRate / rawRate;
    std::printf("\n  %-44s %14s events/s\n", "(a) raw ZeroMQ SUB, counting only", thousands(uint64_t(rawRate)).c_str());
    std::printf("  %-44s %14s events/s\n", "(b) EventLens ingest (decode + store + indexes)",
                thousands(uint64_t(ingestRate)).c_str());
    std::printf("  %-44s %14.2fx   (must >= %.1f, aim >= %.1f)\n", "ratio (b)/(a)", ratio, kMustRatio, kAimRatio);
    std::printf("  %-44s %14s   (must be 0)\n", "events lost, all runs", thousands(lost).c_str());
    std::printf("  %-44s %14.1f ms   (Overflow::Block: time the source waited)\n", "last run: source blocked",
                double(stats.blockedNs) / 1e6);
    std::printf("  %-44s %14.0f MB   (%.2f bytes per byte received)\n", "last run: store memory", double(memory) / 1e6,
                double(memory) / double(std::max<uint64_t>(gen.bytes, 1)));

    uint64_t rawGot = 0, ingestGot = 0;
    const Percentiles rl = rawLatency(o, rawGot);
    const Percentiles el = eventlensLatency(o, ingestGot);
    const uint64_t expected = uint64_t(double(o.rate) * o.latencySeconds);
    lost += (expected - rawGot) + (expected - ingestGot);
    std::printf("\n  latency at a steady %s events/s for %g s (publisher's timestamp -> counted / appended):\n",
                thousands(o.rate).c_str(), o.latencySeconds);
    std::printf("  %-44s p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms\n", "(a) raw ZeroMQ SUB", rl.p50, rl.p99, rl.max);
    std::printf("  %-44s p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms\n", "(b) EventLens ingest", el.p50, el.p99, el.max);

    if (lost) {
        std::printf("\nFAIL: %s events lost\n", thousands(lost).c_str());
        return 2;
    }
    if (o.check && ratio < kMustRatio) {
        std::printf("\nFAIL: ingest/raw %.2f < %.1f\n", ratio, kMustRatio);
        return 1;
    }
    return 0;
}
