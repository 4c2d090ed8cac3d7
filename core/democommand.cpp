// The `demo` command: a demo system on a bus (or its own), until Ctrl-C or --duration.
#include "core/commands.h"

#include "core/demo.h"
#include "core/embeddedbus.h"
#include "core/rfc3339.h"
#include "core/textformat.h"

#include <zmq.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <ostream>
#include <thread>

namespace eventlens::commands {

namespace {

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string share(double v)
{
    return number(std::round(v * 1000) / 10) + " %";
}

/// Parses "SERVICE=MS" (MS an integer, negative allowed); false when it is not that shape.
bool parseServiceMs(const std::string &text, std::string &service, int64_t &ms)
{
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        return false;
    service = text.substr(0, eq);
    const char *first = text.data() + eq + 1, *last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, ms);
    return ec == std::errc() && end == last;
}

/// The arguments as DemoSystem knobs, or a one-line reason they are not usable.
bool toKnobs(const DemoArgs &args, DemoSystem::Scenario scenario, DemoSystem::Knobs &knobs, std::string &error)
{
    const auto catalog = DemoSystem::catalog(scenario);
    auto known = [&](const std::string &name) {
        return std::any_of(catalog.begin(), catalog.end(), [&](const auto &s) { return s.name == name; });
    };
    auto unknown = [&](const std::string &option, const std::string &name) {
        std::string names;
        for (const auto &s : catalog)
            names += (names.empty() ? "" : ", ") + s.name;
        return option + ": unknown service '" + name + "' in " + DemoSystem::scenarioName(scenario)
               + " (known: " + names + ")";
    };
    auto unit = [&](const char *option, double v) {
        if (v >= 0 && v <= 1)
            return true;
        error = std::string(option) + " must be between 0 and 1, not " + number(v);
        return false;
    };
    if (!(args.rate > 0 && args.rate <= 10000)) {
        error = "--rate must be above 0 and at most 10000 flows per second, not " + number(args.rate);
        return false;
    }
    if (!(args.durationSeconds >= 0)) {
        error = "--duration must be 0 (until Ctrl-C) or more seconds, not " + number(args.durationSeconds);
        return false;
    }
    if (!(args.lagMs >= 0) || !(args.lagSpreadMs >= 0)) {
        error = "--lag and --lag-spread must be 0 or more milliseconds";
        return false;
    }
    if (!unit("--failure-rate", args.failureRate) || !unit("--duplicates", args.duplicateRate)
        || !unit("--v2", args.v2Share))
        return false;
    knobs.rate = args.rate;
    knobs.lag = {args.lagMs, args.lagSpreadMs};
    knobs.failureRate = args.failureRate;
    knobs.duplicateRate = args.duplicateRate;
    knobs.v2Share = args.v2Share;
    knobs.seed = args.seed;
    for (const std::string &l : args.lagOf) {
        std::string service;
        int64_t ms = 0;
        if (!parseServiceMs(l, service, ms) || ms < 0) {
            error = "--lag-of takes SERVICE=MS with MS 0 or more, e.g. payment-service=250; not '" + l + "'";
            return false;
        }
        if (!known(service)) {
            error = unknown("--lag-of", service);
            return false;
        }
        knobs.lagOf[service] = {static_cast<double>(ms), args.lagSpreadMs};
    }
    if (!args.skew.empty()) {
        std::string service;
        int64_t ms = 0;
        if (!parseServiceMs(args.skew, service, ms)) {
            error = "--skew takes SERVICE=MS, e.g. shipping-service=-300; not '" + args.skew + "'";
            return false;
        }
        if (!known(service)) {
            error = unknown("--skew", service);
            return false;
        }
        knobs.skewedService = service;
        knobs.skewMs = ms;
    }
    for (const std::string &c : args.consumers) {
        const auto it = std::find_if(catalog.begin(), catalog.end(), [&](const auto &s) { return s.name == c; });
        if (it == catalog.end() || !it->optional) {
            std::string optional;
            for (const auto &s : catalog)
                if (s.optional)
                    optional += (optional.empty() ? "" : ", ") + s.name;
            error = "--consumer: '" + c + "' is not an optional consumer of " + DemoSystem::scenarioName(scenario)
                    + " (" + optional + ")";
            return false;
        }
    }
    return true;
}

std::string joined(const std::vector<std::string> &items)
{
    std::string s;
    for (const std::string &i : items)
        s += (s.empty() ? "" : ", ") + (i.ends_with('.') ? i + "*" : i);
    return s;
}

void printServices(const DemoSystem &demo, std::ostream &out)
{
    TextTable table;
    for (const DemoSystem::ServiceInfo &s : demo.services()) {
        if (!s.running)
            continue;
        std::string what;
        if (s.producer) // its first type is the flows' root
            what = "starts flows with " + s.publishes.front() + (s.name != s.source ? " v2 (as " + s.source + ")" : "");
        if (!s.reactsTo.empty())
            what += (what.empty() ? "" : "; ") + ("reacts to " + joined(s.reactsTo));
        table.addRow({"  " + s.name, what + (s.optional ? " (optional)" : "")});
    }
    table.print(out);
}

std::string describe(const DemoSystem::Knobs &k)
{
    std::string s = number(k.rate) + " flows/s, lag " + number(k.lag.meanMs) + " ± " + number(k.lag.spreadMs)
                    + " ms, failures " + share(k.failureRate) + ", duplicates " + share(k.duplicateRate)
                    + ", schema v2 " + share(k.v2Share);
    for (const auto &[service, lag] : k.lagOf)
        s += ", " + service + " lag " + number(lag.meanMs) + " ms";
    if (!k.skewedService.empty())
        s += ", " + k.skewedService + " clock " + (k.skewMs >= 0 ? "+" : "") + std::to_string(k.skewMs) + " ms";
    if (k.seed)
        s += ", seed " + std::to_string(k.seed);
    return s;
}

/// "1 flow", "2 flows".
std::string counted(uint64_t n, const std::string &one, const std::string &many)
{
    return formatCount(n) + " " + (n == 1 ? one : many);
}

std::string describe(const DemoSystem::Counters &c)
{
    return counted(c.flowsStarted, "flow", "flows") + ", " + counted(c.eventsPublished, "event", "events") + ", "
           + formatCount(c.redeliveries) + " redelivered, " + counted(c.failures, "failure path", "failure paths")
           + ", " + counted(c.v2Events, "v2 root", "v2 roots");
}

} // namespace

int demo(const DemoArgs &args, const std::atomic<bool> &stop, std::ostream &out, std::ostream &err)
{
    const auto scenario = DemoSystem::parseScenario(args.scenario);
    if (!scenario) {
        err << "eventlens-cli: unknown scenario '" << args.scenario << "' (order-saga or logistics)\n";
        return ExitUsage;
    }
    DemoSystem::Options options;
    options.scenario = *scenario;
    options.consumers = args.consumers;
    std::string error;
    if (!toKnobs(args, *scenario, options.knobs, error)) {
        err << "eventlens-cli: " << error << '\n';
        return ExitUsage;
    }

    zmq::context_t context;
    std::optional<EmbeddedBus> bus;
    if (args.ownBus) {
        bus.emplace(context, EmbeddedBus::Options{args.bus, args.subscribers});
        const bool started = bus->start();
        for (const std::string &w : bus->warnings())
            err << "eventlens-cli: warning: " << w << '\n';
        if (!started) {
            err << "eventlens-cli: " << bus->error() << '\n';
            return ExitUsage;
        }
        options.publishers = bus->publishersEndpoint();
        options.subscribers = bus->subscribersEndpoint();
    } else {
        options.publishers = args.bus;
        options.subscribers = args.subscribers;
    }

    DemoSystem demo(context, options);
    if (!demo.start()) {
        const bool unreachable = demo.error().starts_with("cannot reach the bus");
        err << "eventlens-cli: " << demo.error()
            << (unreachable ? " (is 'eventlens-cli bus' running? --own-bus runs one)" : "") << '\n';
        return ExitUsage;
    }
    out << DemoSystem::scenarioName(*scenario) << " demo running, run " << demo.runId()
        << (args.durationSeconds > 0 ? " (for " + number(args.durationSeconds) + " s; Ctrl-C stops it sooner)"
                                     : " (Ctrl-C stops it)")
        << '\n';
    if (args.ownBus)
        out << "  its own bus: publishers connect to " << options.publishers << ", subscribers to "
            << options.subscribers << '\n';
    else
        out << "  on the bus at " << options.publishers << " (subscribers " << options.subscribers << ")\n";
    printServices(demo, out);
    out << "  " << describe(demo.knobs()) << '\n' << std::flush;

    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    auto lastReport = started;
    uint64_t lastEvents = 0;
    while (!stop.load()) {
        const auto now = Clock::now();
        if (args.durationSeconds > 0 && std::chrono::duration<double>(now - started).count() >= args.durationSeconds)
            break;
        if (args.reportSeconds > 0 && std::chrono::duration<double>(now - lastReport).count() >= args.reportSeconds) {
            const DemoSystem::Counters c = demo.counters();
            const double rate = static_cast<double>(c.eventsPublished - lastEvents)
                                / std::chrono::duration<double>(now - lastReport).count();
            out << formatClock(nowUtcNs()) << "  " << describe(c) << " ("
                << formatCount(static_cast<uint64_t>(rate + 0.5)) << " events/s)\n"
                << std::flush;
            lastEvents = c.eventsPublished;
            lastReport = now;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    demo.stop();
    if (bus)
        bus->stop();
    out << "stopped after "
        << formatDuration(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count()) << ": "
        << describe(demo.counters()) << '\n'
        << std::flush;
    return ExitOk;
}

} // namespace eventlens::commands
