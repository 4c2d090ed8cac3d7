// The live commands (bus, tail, record): they run until Ctrl-C, a count or a duration.
#include "core/commands.h"

#include "core/curve.h"
#include "core/embeddedbus.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/liverecorder.h"
#include "core/replayer.h"
#include "core/rfc3339.h"
#include "core/terminalsafebuf.h"
#include "core/textformat.h"
#include "core/zmqsource.h"

#include <zmq.hpp>

#include <chrono>
#include <cstdio>
#include <ostream>
#include <thread>

namespace eventlens::commands {

namespace {
/// Connects `source` to what `args` names, reporting each connection change on `err`.
/// (The state sink runs on the source thread, like the message sink: no lock needed
/// until stop(), after which only the caller writes.)
bool startSource(ZmqSource &source, const TailArgs &args, std::ostream &err)
{
    std::string serverKey; // the key itself, read from a file if need be
    if (!args.serverKey.empty()) {
        CurveOptions curve;
        CurveKeyPair server;
        std::string error;
        if (!curveAvailable()) {
            err << "eventlens-cli: --server-key: this libzmq was built without CURVE (libsodium)\n";
            return false;
        }
        if (!readCurveKey(args.serverKey, server, error)
            || (!args.key.empty() && !readCurveKey(args.key, curve.clientKey, error))) {
            err << "eventlens-cli: " << error << '\n';
            return false;
        }
        if (!args.key.empty() && curve.clientKey.secretKey.empty()) {
            err << "eventlens-cli: --key " << args.key
                << ": no secret key in it (give the .key_secret file eventlens-cli keygen wrote)\n";
            return false;
        }
        if (args.key.empty())
            err << "eventlens-cli: warning: no --key: connecting with a fresh key pair, which a server with an "
                   "allow-list refuses\n";
        source.setCurve(curve);
        serverKey = server.publicKey;
    }
    source.setStateSink([&err](const ZmqSource::EndpointState &s) {
        err << "eventlens-cli: " << s.address << ": " << ZmqSource::stateName(s.state)
            << (s.detail.empty() ? "" : " (" + s.detail + ")") << '\n'
            << std::flush;
    });
    source.setReceiveHighWaterMark(args.receiveHighWaterMark);
    std::vector<ZmqSource::Endpoint> endpoints;
    for (const std::string &e : args.endpoints)
        endpoints.push_back({e, args.topics, false, serverKey});
    source.start(endpoints);
    return true;
}

/// The bus's CURVE options from its arguments; false with `error` naming the bad one.
bool busCurve(const BusEndpoints &args, CurveOptions &curve, std::string &error)
{
    curve.insecure = args.insecure;
    if (args.curveKey.empty()) {
        if (!args.allow.empty()) {
            error = "--allow needs --curve-key (the bus's own key pair, from eventlens-cli keygen)";
            return false;
        }
        return true;
    }
    if (!curveAvailable()) {
        error = "--curve-key: this libzmq was built without CURVE (libsodium); bind 127.0.0.1, or pass --insecure";
        return false;
    }
    if (!readCurveKey(args.curveKey, curve.serverKey, error))
        return false;
    if (curve.serverKey.secretKey.empty()) {
        error =
            "--curve-key " + args.curveKey + ": no secret key in it (give the .key_secret file, not the public .key)";
        return false;
    }
    return readCurveAllowList(args.allow, curve.allowedClients, error);
}

void printRecorded(const LiveRecorder &recorder, const std::string &path, std::ostream &out)
{
    out << "recorded " << formatCount(recorder.accepted()) << " events to " << path;
    if (recorder.rejected() > recorder.rejectsNotWritten())
        out << "; " << formatCount(recorder.rejected() - recorder.rejectsNotWritten()) << " rejected messages to "
            << recorder.rejectsPath();
    if (recorder.rejectsNotWritten())
        out << "; " << formatCount(recorder.rejectsNotWritten()) << " rejected messages ("
            << formatCount(recorder.rejectBytesNotWritten()) << " bytes) over the rejects file's limit not written";
    out << '\n';
}

std::string formatBytes(int64_t bytes)
{
    if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
        return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0)
        return std::to_string(bytes >> 10) + " KiB";
    return formatCount(static_cast<uint64_t>(bytes)) + " bytes";
}

/// What bounds the bus's memory, e.g. `1,000 messages per subscriber, 1,000 per publisher,
/// frames up to 1 MiB`.
std::string busBounds(const EmbeddedBus::Options &o)
{
    auto hwm = [](int n) { return n == 0 ? std::string("any number") : formatCount(static_cast<uint64_t>(n)); };
    return hwm(o.sendHighWaterMark) + (o.sendHighWaterMark ? " messages" : " of messages") + " per subscriber, "
           + hwm(o.receiveHighWaterMark) + " per publisher, frames up to "
           + (o.maxMessageBytes < 0 ? "any size" : formatBytes(o.maxMessageBytes));
}

/// What the bus dropped, per reason (empty when nothing).
std::string busDrops(const EmbeddedBus::Stats &s, const EmbeddedBus::Options &o)
{
    std::string text;
    if (s.subscriberOverflows)
        text += "; " + formatCount(s.subscriberOverflows) + "× a subscriber fell "
                + formatCount(static_cast<uint64_t>(o.sendHighWaterMark))
                + " messages behind and missed messages until it caught up";
    if (s.publisherDisconnects)
        text += "; " + formatCount(s.publisherDisconnects) + " publisher disconnects (closed, or cut for a frame over "
                + (o.maxMessageBytes < 0 ? std::string("the limit") : formatBytes(o.maxMessageBytes))
                + ": that message is dropped)";
    return text;
}

std::string formatSpeed(double speed)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", speed);
    return buf;
}
} // namespace

// --- bus ------------------------------------------------------------------------------

int bus(const BusEndpoints &endpoints, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err)
{
    zmq::context_t context;
    EmbeddedBus::Options options;
    options.publishers = endpoints.publishers;
    options.subscribers = endpoints.subscribers;
    options.sendHighWaterMark = endpoints.sendHighWaterMark;
    options.receiveHighWaterMark = endpoints.receiveHighWaterMark;
    options.maxMessageBytes = endpoints.maxMessageBytes;
    EmbeddedBus bus(context, options);
    {
        CurveOptions curve;
        std::string error;
        if (!busCurve(endpoints, curve, error)) {
            err << "eventlens-cli: " << error << '\n';
            return ExitUsage;
        }
        bus.setCurve(std::move(curve));
    }
    LiveRecorder recorder;
    // A recording that fails (a full disk) stops; the bus keeps forwarding for everyone.
    std::atomic<bool> writeFailed{false};
    std::atomic<uint64_t> notRecorded{0}; ///< messages forwarded after the recording failed
    if (!endpoints.record.empty()) {
        if (!recorder.open(endpoints.record)) {
            err << "eventlens-cli: " << recorder.error() << '\n';
            return ExitUsage;
        }
        if (!recorder.notice().empty())
            err << "eventlens-cli: " << recorder.notice() << '\n';
        // On the bus thread, which alone touches the recorder until the bus stops.
        bus.setTap([&](std::span<const std::string_view> frames, int64_t receivedNs) {
            if (writeFailed)
                notRecorded.fetch_add(1, std::memory_order_relaxed);
            else if (!recorder.take(classifyFrames(frames, "bus", receivedNs)))
                writeFailed = true;
        });
        bus.setTapFlush([&] {
            if (!writeFailed && !recorder.flushIfDue())
                writeFailed = true;
        });
    }
    if (!bus.start()) {
        for (const std::string &w : bus.warnings())
            err << "eventlens-cli: warning: " << w << '\n';
        err << "eventlens-cli: " << bus.error() << '\n';
        return ExitUsage;
    }
    for (const std::string &w : bus.warnings())
        err << "eventlens-cli: warning: " << w << '\n';
    out << "EventLens bus running (Ctrl-C stops it)\n"
        << "  publishers connect to   " << bus.publishersEndpoint() << '\n'
        << "  subscribers connect to  " << bus.subscribersEndpoint() << '\n'
        << "  bounds                  " << busBounds(options) << '\n';
    if (bus.curve().curve())
        out << "  CURVE: server public key " << bus.curve().serverKey.publicKey << ", "
            << bus.curve().allowedClients.size() << " allow-listed client key"
            << (bus.curve().allowedClients.size() == 1 ? "" : "s") << '\n';
    bool insecure = false;
    for (const std::string &w : bus.warnings())
        insecure = insecure || w.starts_with("INSECURE");
    if (insecure)
        out << "  INSECURE: no authentication beyond loopback (--insecure)\n";
    out << std::flush;
    // Each refused client is told as it happens, with its address.
    uint64_t refusalsTold = 0;
    auto tellRefusals = [&] {
        const ZapHandler::Stats c = bus.curveStats();
        const uint64_t fresh = std::min<uint64_t>(c.refused - refusalsTold, c.recent.size());
        for (size_t i = c.recent.size() - fresh; i < c.recent.size(); ++i)
            err << "eventlens-cli: refused a client at " << c.recent[i].endpoint << " from " << c.recent[i].peer << ": "
                << c.recent[i].reason << '\n';
        if (c.refused - refusalsTold > fresh)
            err << "eventlens-cli: (" << c.refused - refusalsTold - fresh << " more refusals not listed)\n";
        refusalsTold = c.refused;
        err << std::flush;
    };

    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    auto lastReport = started;
    EmbeddedBus::Stats last;
    auto report = [&](const EmbeddedBus::Stats &s, double seconds) {
        const double rate = seconds > 0 ? static_cast<double>(s.messagesIn - last.messagesIn) / seconds : 0;
        out << formatClock(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count())
            << "  " << formatCount(s.messagesIn) << " messages (" << formatCount(static_cast<uint64_t>(rate + 0.5))
            << "/s), " << formatCount(s.bytesIn) << " bytes, " << formatCount(s.subscriptions)
            << " subscription changes" << busDrops(s, options);
        if (bus.curve().curve())
            out << ", " << formatCount(bus.curveStats().refused) << " clients refused";
        if (insecure)
            out << " · INSECURE";
        out << '\n' << std::flush;
    };
    bool failureReported = false;
    while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (writeFailed.load() && !failureReported) {
            // The recorder is the bus thread's, but its error is set before writeFailed.
            err << "eventlens-cli: recording stopped: " << recorder.error() << "; the bus keeps running\n"
                << std::flush;
            failureReported = true;
        }
        if (bus.curve().curve())
            tellRefusals();
        const auto now = Clock::now();
        if (now - lastReport >= std::chrono::seconds(5)) {
            const EmbeddedBus::Stats s = bus.stats();
            if (s.messagesIn != last.messagesIn || s.subscriptions != last.subscriptions
                || s.subscriberOverflows != last.subscriberOverflows
                || s.publisherDisconnects != last.publisherDisconnects)
                report(s, std::chrono::duration<double>(now - lastReport).count());
            last = s;
            lastReport = now;
        }
    }
    bus.stop();
    bool recordFailed = false;
    if (!endpoints.record.empty()) {
        recordFailed = !recorder.close() || writeFailed;
        if (recordFailed) {
            err << "eventlens-cli: " << recorder.error() << '\n'
                << "eventlens-cli: the recording " << endpoints.record
                << " is incomplete: " << formatCount(recorder.eventsWritten()) << " events recorded, "
                << formatCount(recorder.eventsLost() + notRecorded.load()) << " messages not written\n";
        } else {
            printRecorded(recorder, endpoints.record, out);
        }
    }
    const EmbeddedBus::Stats s = bus.stats();
    out << "stopped after "
        << formatDuration(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count()) << ": "
        << formatCount(s.messagesIn) << " messages, " << formatCount(s.bytesIn) << " bytes forwarded"
        << busDrops(s, options);
    if (bus.curve().curve())
        out << ", " << formatCount(bus.curveStats().allowed) << " clients let in, "
            << formatCount(bus.curveStats().refused) << " refused";
    out << '\n' << std::flush;
    return recordFailed ? ExitUsage : ExitOk;
}

// --- tail -----------------------------------------------------------------------------

int tail(const TailArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err)
{
    zmq::context_t context;
    Decoder decoder(args.decoder);
    DecodedEvent event;
    DecodeError error;
    uint64_t events = 0, rejected = 0;
    ZmqSource source(context, [&](const ReceivedMessage &m) {
        if (!m.problem.empty()) {
            ++rejected;
            out << formatClock(m.receivedNs) << "  REJECTED from " << m.endpoint << ": " << m.problem << '\n'
                << std::flush;
            return;
        }
        if (!decoder.decode(m.payload, event, error)) {
            ++rejected;
            out << formatClock(m.receivedNs) << "  REJECTED from " << m.endpoint
                << (m.topic.empty() ? "" : " (topic " + std::string(m.topic) + ")") << ": " << error.text() << '\n'
                << std::flush;
            return;
        }
        ++events;
        // Each value escaped (newlines too): whatever a publisher sends stays on its line.
        const auto safe = [](std::string_view v) { return TerminalSafeBuf::escapedInLine(v); };
        std::string line = formatClock(event.timestampNs) + "  " + safe(event.eventType);
        if (event.version != 1)
            line += " v" + std::to_string(event.version);
        line.resize(std::max<size_t>(line.size() + 2, 44), ' ');
        line += safe(event.source);
        line.resize(std::max<size_t>(line.size() + 2, 68), ' ');
        // Whole ids: a prefix that is unique among what was printed so far may not be among
        // what comes next, and a whole id is what `flow -c` and grep take.
        line += "corr " + (event.correlationId.empty() ? std::string("-") : safe(event.correlationId));
        if (!event.causationId.empty())
            line += "  cause " + safe(event.causationId);
        if (!m.topic.empty() && m.topic != event.eventType)
            line += "  [" + safe(m.topic) + "]";
        out << line << '\n' << std::flush;
    });
    if (!startSource(source, args, err))
        return ExitUsage;
    while (!stop.load())
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    source.stop();
    bool anyFailed = false;
    for (const auto &s : source.states())
        anyFailed = anyFailed || s.state == ZmqSource::State::Failed;
    err << "eventlens-cli: " << formatCount(events) << " events, " << formatCount(rejected) << " rejected\n";
    return anyFailed && events == 0 ? ExitUsage : ExitOk;
}

// --- record ---------------------------------------------------------------------------

int record(const RecordArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err)
{
    LiveRecorder recorder(args.source.decoder);
    if (!recorder.open(args.output)) {
        err << "eventlens-cli: " << recorder.error() << '\n';
        return ExitUsage;
    }
    if (!recorder.notice().empty())
        err << "eventlens-cli: " << recorder.notice() << '\n';

    zmq::context_t context;
    std::atomic<bool> full{false}, writeFailed{false};
    // Runs on the source thread, which alone touches the recorder until it is stopped.
    ZmqSource source(context, [&](const ReceivedMessage &m) {
        if (full)
            return;
        if (!recorder.take(m))
            writeFailed = true;
        else if (args.count && recorder.accepted() == args.count)
            full = true;
    });
    source.setFlush([&] {
        if (!writeFailed && !recorder.flushIfDue())
            writeFailed = true;
    });
    if (!startSource(source, args.source, err)) {
        recorder.close();
        return ExitUsage;
    }
    const auto started = std::chrono::steady_clock::now();
    while (!stop.load() && !full.load() && !writeFailed.load()) {
        if (args.durationSeconds > 0
            && std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
                   >= args.durationSeconds)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    source.stop();
    if (!recorder.close() || writeFailed) {
        err << "eventlens-cli: " << recorder.error() << '\n';
        return ExitUsage;
    }
    printRecorded(recorder, args.output, out);
    return ExitOk;
}

// --- keygen ---------------------------------------------------------------------------

int keygen(const std::string &out, std::ostream &outStream, std::ostream &err)
{
    if (!curveAvailable()) {
        err << "eventlens-cli: this libzmq was built without CURVE (libsodium): no keys can be made or used\n";
        return ExitUsage;
    }
    const CurveKeyPair pair = generateCurveKeyPair();
    if (out.empty()) {
        outStream << "public-key = \"" << pair.publicKey << "\"\nsecret-key = \"" << pair.secretKey << "\"\n";
        return ExitOk;
    }
    std::string error;
    if (!writeCurveKeyFiles(out, pair, error)) {
        err << "eventlens-cli: " << error << '\n';
        return ExitUsage;
    }
    outStream << "wrote " << out << ".key (public: give it to the other side) and " << out
              << ".key_secret (secret, mode 0600: keep it here)\npublic key " << pair.publicKey << '\n';
    return ExitOk;
}

// --- replay ---------------------------------------------------------------------------

int replay(const ReplayArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err)
{
    EventStore store;
    RecordingReport report;
    std::string error;
    JsonlReader::Options readerOptions;
    readerOptions.decoder = args.decoder;
    if (!JsonlReader(readerOptions).load(args.file, store, report, error)) {
        err << "eventlens-cli: " << error << '\n';
        return ExitUsage;
    }
    if (!report.rejected.empty() || report.truncatedTail)
        err << "eventlens-cli: warning: " << formatCount(report.rejected.size() + report.truncatedTail) << " line"
            << (report.rejected.size() + report.truncatedTail == 1 ? "" : "s") << " of " << args.file
            << " cannot be replayed (eventlens-cli validate lists them)\n";

    zmq::context_t context;
    Replayer::Options options;
    options.endpoint = args.to;
    options.speed = args.speed;
    options.asFastAsPossible = args.max;
    options.loop = args.loop;
    options.restamp = args.restamp;
    Replayer replayer(context, store, options);
    if (!replayer.start()) {
        err << "eventlens-cli: " << replayer.error() << '\n';
        return ExitUsage;
    }
    out << "replaying " << formatCount(store.size()) << " events from " << args.file << " to " << args.to << " ("
        << (args.max ? std::string("as fast as possible") : "x" + formatSpeed(args.speed))
        << (args.loop ? ", looping" : "") << ")\n"
        << std::flush;
    const auto started = std::chrono::steady_clock::now();
    auto lastReport = started;
    while (!stop.load() && !replayer.finished()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (std::chrono::steady_clock::now() - lastReport >= std::chrono::seconds(5)) {
            lastReport = std::chrono::steady_clock::now();
            out << "  " << formatCount(replayer.published()) << " published, at " << formatTime(replayer.position())
                << '\n'
                << std::flush;
        }
    }
    replayer.stop();
    out << "replayed " << formatCount(replayer.published()) << " events in "
        << formatDuration(
               std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count())
        << '\n';
    return ExitOk;
}

} // namespace eventlens::commands
