// eventlens-cli: argument parsing only; the commands live in core (core/commands.h).
#include "core/commands.h"
#include "core/terminalsafebuf.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

using eventlens::commands::Format;
using eventlens::commands::Input;

namespace {

Format toFormat(const std::string &name)
{
    return name == "json" ? Format::Json : name == "dot" ? Format::Dot : name == "csv" ? Format::Csv : Format::Text;
}

/// The options every command shares: the recordings, the output format and the decoder's limits.
void addInputOptions(CLI::App *command, Input &input, std::string &format, const std::vector<std::string> &formats)
{
    command->add_option("files", input.files, "Recording files (.jsonl)")->required()->type_name("FILE");
    std::string names;
    for (const auto &f : formats)
        names += (names.empty() ? "" : "|") + f;
    command->add_option("--format", format, "Output format")->check(CLI::IsMember(formats))->type_name(names);
    command
        ->add_option("--max-event-size", input.decoder.maxEventBytes,
                     "Reject events larger than this (e.g. 64KiB, 16MiB)")
        ->transform(CLI::AsSizeValue(false))
        ->type_name("SIZE")
        ->capture_default_str();
    command->add_option("--max-depth", input.decoder.maxDepth, "Reject events nested deeper than this")
        ->check(CLI::Range(1u, 1000u))
        ->capture_default_str();
}

std::atomic<bool> g_stop{false}; // set by SIGINT/SIGTERM: lock-free, so safe in a handler
static_assert(std::atomic<bool>::is_always_lock_free);

void requestStop(int)
{
    g_stop.store(true);
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{
        "eventlens-cli: inspect recorded event streams (JSON Lines) from the command line.\n"
        "Exit codes: 0 ok, 1 input had rejected lines (validate) or the flows differ (compare), 2 usage error\n"
        "or unreadable file.",
        "eventlens-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "eventlens-cli " EVENTLENS_VERSION);

    Input input;
    std::string format = "text";
    std::string correlation;

    auto *validate = app.add_subcommand("validate", "Check recordings line by line; report every rejected line");
    addInputOptions(validate, input, format, {"text", "json"});

    auto *stats = app.add_subcommand("stats", "Counts, duplicates, flows, unseen causes, types and sources");
    addInputOptions(stats, input, format, {"text", "json"});

    auto *flow = app.add_subcommand("flow", "The causation graph of one business flow (correlationId)");
    addInputOptions(flow, input, format, {"text", "json", "dot"});
    flow->add_option("-c,--correlation", correlation, "correlationId, or a unique prefix of one")->required();

    eventlens::commands::CompareArgs compareArgs;
    auto *compare =
        app.add_subcommand("compare", "One flow of recording A against one of recording B: missing and extra event "
                                      "types, changed links, slower reactions (exit 1 when they differ)");
    compare->add_option("a", compareArgs.left, "Recording A, the reference (.jsonl)")->required()->type_name("A");
    compare->add_option("b", compareArgs.right, "Recording B, compared with A (.jsonl)")->required()->type_name("B");
    compare->add_option("--flow", compareArgs.leftFlow, "correlationId in A, or a unique prefix (default: A's first)");
    compare->add_option("--flow-b", compareArgs.rightFlow,
                        "correlationId in B (default: the same id, else B's flow most like A's)");
    compare->add_option("--format", format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("text|json");

    auto *anomalies = app.add_subcommand(
        "anomalies", "What to look at: rejected input, collisions, cycles, stopped consumers, unseen causes, skew…");
    addInputOptions(anomalies, input, format, {"text", "json"});

    auto *lag =
        app.add_subcommand("lag", "Reaction lag per consumer and cause type (p50/p95/p99/max, skew), ingest lag");
    addInputOptions(lag, input, format, {"text", "json"});

    auto *topology =
        app.add_subcommand("topology", "The service graph from causation: who publishes what, who reacts, how fast");
    addInputOptions(topology, input, format, {"text", "json", "dot"});

    eventlens::commands::ThroughputArgs throughputArgs;
    std::string binWidth;
    auto *throughput =
        app.add_subcommand("throughput", "Events per time bin per event type, source or topic (event or receive time)");
    addInputOptions(throughput, input, format, {"text", "json", "csv"});
    throughput->add_option("--by", throughputArgs.by, "Count per event type, source or topic")
        ->check(CLI::IsMember({"type", "source", "topic"}))
        ->capture_default_str()
        ->type_name("type|source|topic");
    throughput->add_option("--clock", throughputArgs.clock, "Bin by event time (timestamp) or by receive time")
        ->check(CLI::IsMember({"event", "received"}))
        ->capture_default_str()
        ->type_name("event|received");
    throughput
        ->add_option("--bin", binWidth,
                     "Bin width: 10ms, 250ms, 1s, 1.5s, 2m, 1h… (default: from the span, at most 2,000 bins)")
        ->check(CLI::Validator(
            [](std::string &text) {
                int64_t ns = 0;
                std::string error;
                return eventlens::commands::parseBinWidth(text, ns, error) ? std::string() : error;
            },
            "", "bin width"))
        ->type_name("WIDTH");

    eventlens::commands::BusEndpoints busEndpoints;
    auto *bus = app.add_subcommand("bus", "Run the embedded event bus (XSUB/XPUB forwarder) until Ctrl-C");
    bus->add_option("--publishers", busEndpoints.publishers, "Endpoint publishers connect to ('*' port: any free one)")
        ->capture_default_str();
    bus->add_option("--subscribers", busEndpoints.subscribers, "Endpoint subscribers connect to")
        ->capture_default_str();
    bus->add_option("--record", busEndpoints.record, "Record everything published (rejects to FILE.rejected.jsonl)")
        ->type_name("FILE");
    bus->add_option("--sndhwm", busEndpoints.sendHighWaterMark,
                    "Messages queued per subscriber; one that falls further behind misses messages, counted "
                    "(0: unbounded)")
        ->capture_default_str()
        ->check(CLI::Range(0, 100'000'000))
        ->type_name("N");
    bus->add_option("--rcvhwm", busEndpoints.receiveHighWaterMark,
                    "Messages queued per publisher before the bus stops reading it (0: unbounded)")
        ->capture_default_str()
        ->check(CLI::Range(0, 100'000'000))
        ->type_name("N");
    bus->add_option("--max-message-size", busEndpoints.maxMessageBytes,
                    "Largest frame a publisher may send (e.g. 64KiB, 16MiB); a larger one cuts its connection")
        ->transform(CLI::AsSizeValue(false))
        ->type_name("SIZE")
        ->check(CLI::Range(int64_t(1), int64_t(1) << 40))
        ->capture_default_str();
    bus->add_option("--curve-key", busEndpoints.curveKey,
                    "The bus's key pair (NAME.key_secret from 'keygen'): CURVE on both endpoints, loopback too")
        ->type_name("FILE");
    bus->add_option("--allow", busEndpoints.allow,
                    "Client public key that may connect: a key, a NAME.key file or a directory of them (repeatable)")
        ->type_name("KEY|FILE|DIR");
    bus->add_flag("--insecure", busEndpoints.insecure,
                  "Bind beyond loopback without authentication: anyone who reaches it may publish");

    std::string keygenOut;
    auto *keygen = app.add_subcommand("keygen", "Make a CURVE key pair for using EventLens across machines");
    keygen->add_option("--out", keygenOut, "Write NAME.key (public) and NAME.key_secret (mode 0600)")
        ->type_name("NAME");

    eventlens::commands::TailArgs tailArgs;
    auto *tail = app.add_subcommand("tail", "Print one line per event from live ZeroMQ publishers until Ctrl-C");
    tail->add_option("--connect", tailArgs.endpoints, "Endpoint(s) to subscribe to, e.g. tcp://127.0.0.1:5556")
        ->required()
        ->type_name("EP");
    tail->add_option("--topic", tailArgs.topics, "Topic prefix(es) to subscribe to (default: everything)")
        ->type_name("PREFIX");
    tail->add_option("--server-key", tailArgs.serverKey,
                     "Connect with CURVE to a server with this public key (a key or a NAME.key file)")
        ->type_name("KEY|FILE");
    tail->add_option("--key", tailArgs.key, "This client's key pair (NAME.key_secret from 'keygen')")
        ->type_name("FILE");
    tail->add_option("--rcvhwm", tailArgs.receiveHighWaterMark,
                     "Messages ZeroMQ queues per endpoint before it drops (0: unbounded)")
        ->capture_default_str()
        ->check(CLI::Range(0, 100'000'000))
        ->type_name("N");

    eventlens::commands::RecordArgs recordArgs;
    auto *record =
        app.add_subcommand("record", "Record live events to a JSON Lines file until Ctrl-C, --count or --duration");
    record->add_option("--connect", recordArgs.source.endpoints, "Endpoint(s) to subscribe to")
        ->required()
        ->type_name("EP");
    record->add_option("--topic", recordArgs.source.topics, "Topic prefix(es) (default: everything)")
        ->type_name("PREFIX");
    record
        ->add_option("--server-key", recordArgs.source.serverKey,
                     "Connect with CURVE to a server with this public key (a key or a NAME.key file)")
        ->type_name("KEY|FILE");
    record->add_option("--key", recordArgs.source.key, "This client's key pair (NAME.key_secret from 'keygen')")
        ->type_name("FILE");
    record
        ->add_option("--rcvhwm", recordArgs.source.receiveHighWaterMark,
                     "Messages ZeroMQ queues per endpoint before it drops (0: unbounded)")
        ->capture_default_str()
        ->check(CLI::Range(0, 100'000'000))
        ->type_name("N");
    record
        ->add_option("-o,--output", recordArgs.output,
                     "Recording file (appended to; rejects go to FILE.rejected.jsonl)")
        ->required()
        ->type_name("FILE");
    record->add_option("--count", recordArgs.count, "Stop after N events")->type_name("N");
    record->add_option("--duration", recordArgs.durationSeconds, "Stop after S seconds")->type_name("S");

    eventlens::commands::ReplayArgs replayArgs;
    auto *replay = app.add_subcommand("replay", "Publish a recording onto a bus, keeping its timing");
    replay->add_option("file", replayArgs.file, "Recording (.jsonl)")->required()->type_name("FILE");
    replay->add_option("--to", replayArgs.to, "Endpoint to publish to (a bus's publisher side)")
        ->capture_default_str()
        ->type_name("EP");
    auto *speed = replay->add_option("--speed", replayArgs.speed, "Time factor, 0.1 to 1000")
                      ->check(CLI::Range(0.1, 1000.0))
                      ->capture_default_str();
    replay->add_flag("--max", replayArgs.max, "As fast as possible")->excludes(speed);
    replay->add_flag("--loop", replayArgs.loop, "Start over at the end, until Ctrl-C");
    replay->add_flag("--restamp", replayArgs.restamp, "Stamp each event with the time it is published");

    eventlens::commands::DemoArgs demoArgs;
    auto *demo =
        app.add_subcommand("demo", "Run a demo system (real services reacting on a bus) until Ctrl-C or --duration");
    demo->add_option("scenario", demoArgs.scenario, "order-saga or logistics")->required()->type_name("SCENARIO");
    demo->add_option("--bus", demoArgs.bus, "The bus's publishers endpoint")->capture_default_str()->type_name("EP");
    demo->add_option("--subscribers", demoArgs.subscribers, "The bus's subscribers endpoint")
        ->capture_default_str()
        ->type_name("EP");
    demo->add_flag("--own-bus", demoArgs.ownBus, "Run an embedded bus on those endpoints ('*' port: any free one)");
    demo->add_option("--rate", demoArgs.rate, "Flows started per second, on average")->capture_default_str();
    demo->add_option("--duration", demoArgs.durationSeconds, "Stop after S seconds (0: at Ctrl-C)")->type_name("S");
    demo->add_option("--lag", demoArgs.lagMs, "Consumers' mean reaction lag")->capture_default_str()->type_name("MS");
    demo->add_option("--lag-spread", demoArgs.lagSpreadMs, "Lag varies by up to this much either way")
        ->capture_default_str()
        ->type_name("MS");
    demo->add_option("--lag-of", demoArgs.lagOf, "One consumer's own mean lag, e.g. payment-service=250")
        ->type_name("SERVICE=MS");
    demo->add_option("--failure-rate", demoArgs.failureRate, "Share of flows that take a failure path, 0 to 1")
        ->capture_default_str();
    demo->add_option("--duplicates", demoArgs.duplicateRate, "Share of events delivered twice (same bytes), 0 to 1")
        ->capture_default_str();
    demo->add_option("--skew", demoArgs.skew, "A service whose clock runs off, e.g. shipping-service=-300")
        ->type_name("SERVICE=MS");
    demo->add_option("--v2", demoArgs.v2Share, "Share of root events published with schema v2, 0 to 1")
        ->capture_default_str()
        ->type_name("SHARE");
    demo->add_option("--seed", demoArgs.seed, "Seed the services' choices (0: random)")->type_name("N");
    demo->add_option("--consumer", demoArgs.consumers,
                     "Run an optional consumer too (order-saga: fraud-service, loyalty-service; "
                     "logistics: eta-service, customs-service)")
        ->type_name("NAME");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success &e) {
        return app.exit(e); // --help, --version
    } catch (const CLI::ParseError &e) {
        // One line on stderr and exit code 2, whatever CLI11's own code would be.
        std::string what = e.what();
        while (!what.empty() && what.back() == '\n')
            what.pop_back();
        std::cerr << "eventlens-cli: " << what << " (see 'eventlens-cli --help')\n";
        return eventlens::commands::ExitUsage;
    }

    std::ios::sync_with_stdio(false);
    // Whatever a recording or a publisher put in a topic, type or source reaches the
    // terminal escaped (no ESC, BEL, OSC…); JSON output stays valid JSON.
    using eventlens::TerminalSafeBuf;
    TerminalSafeBuf safeOut(std::cout.rdbuf(),
                            format == "json" ? TerminalSafeBuf::Mode::Json : TerminalSafeBuf::Mode::Text);
    TerminalSafeBuf safeErr(std::cerr.rdbuf(), TerminalSafeBuf::Mode::Text);
    struct Restore {
        std::streambuf *out, *err;
        ~Restore() // before the safe buffers go: they write out what they hold
        {
            std::cout.rdbuf(out);
            std::cerr.rdbuf(err);
        }
    } restore{std::cout.rdbuf(&safeOut), std::cerr.rdbuf(&safeErr)};
    if (validate->parsed())
        return eventlens::commands::validate(input, toFormat(format), std::cout, std::cerr);
    if (stats->parsed())
        return eventlens::commands::stats(input, toFormat(format), std::cout, std::cerr);
    if (replay->parsed()) {
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        return eventlens::commands::replay(replayArgs, g_stop, std::cout, std::cerr);
    }
    if (record->parsed()) {
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        return eventlens::commands::record(recordArgs, g_stop, std::cout, std::cerr);
    }
    if (tail->parsed()) {
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        return eventlens::commands::tail(tailArgs, g_stop, std::cout, std::cerr);
    }
    if (demo->parsed()) {
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        return eventlens::commands::demo(demoArgs, g_stop, std::cout, std::cerr);
    }
    if (bus->parsed()) {
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        return eventlens::commands::bus(busEndpoints, g_stop, std::cout, std::cerr);
    }
    if (keygen->parsed())
        return eventlens::commands::keygen(keygenOut, std::cout, std::cerr);
    if (anomalies->parsed())
        return eventlens::commands::anomalies(input, toFormat(format), std::cout, std::cerr);
    if (compare->parsed())
        return eventlens::commands::compare(compareArgs, toFormat(format), std::cout, std::cerr);
    if (flow->parsed())
        return eventlens::commands::flow(input, correlation, toFormat(format), std::cout, std::cerr);
    if (throughput->parsed()) {
        std::string error;
        if (!binWidth.empty() && !eventlens::commands::parseBinWidth(binWidth, throughputArgs.binNs, error)) {
            std::cerr << "eventlens-cli: --bin: " << error << '\n'; // checked while parsing: not reached
            return eventlens::commands::ExitUsage;
        }
        return eventlens::commands::throughput(input, throughputArgs, toFormat(format), std::cout, std::cerr);
    }
    if (lag->parsed())
        return eventlens::commands::lag(input, toFormat(format), std::cout, std::cerr);
    if (topology->parsed())
        return eventlens::commands::topology(input, toFormat(format), std::cout, std::cerr);
    return eventlens::commands::ExitUsage;
}
