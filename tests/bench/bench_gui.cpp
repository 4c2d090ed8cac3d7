// bench_gui: does the window stay responsive while a live flood comes in?
//
// A publisher in its own process (bench_ingest --publish FILE: an XPUB with an unbounded
// high-water mark that floods once a subscriber joins) sends N contract events over
// tcp://127.0.0.1. First a raw ZeroMQ SUB takes the flood (the baseline rate); then the real
// EventLens window (offscreen unless a display is set) subscribes to a fresh publisher with
// the Connect path a person uses, with every pane open and the table following new events.
// Meanwhile a 16 ms timer on the GUI thread measures its own lateness: how long the event
// loop kept a repaint or a keystroke waiting. Prints lateness p50/p99/max idle and during the
// flood — the must is p99 < 50 ms while ingesting at >= 100 000 events/s — and the rate the
// window took the events in, against the raw rate.
//
// With --check the exit code is 1 when the must fails.

#include "eventloopclock.h"
#include "recordinggenerator.h"

#include "core/session.h"
#include "core/threadpriority.h"
#include "core/workspace.h"
#include "ui/connectiondialog.h"
#include "ui/eventtablemodel.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <zmq.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace eventlens;
using bench::kTimerMs;
using Lateness = bench::Samples;

namespace {

constexpr double kMustP99Ms = 50, kMustRate = 100'000;
/// Starts the publisher process; returns its endpoint (empty on failure).
QString startPublisher(QProcess &p, const QString &file)
{
    p.start(QStringLiteral(BENCH_INGEST), {QStringLiteral("--publish"), file});
    if (!p.waitForStarted(5000))
        return {};
    QByteArray line;
    QElapsedTimer t;
    t.start();
    while (!line.contains('\n') && t.elapsed() < 10000) {
        p.waitForReadyRead(100);
        line += p.readAllStandardOutput();
    }
    return QString::fromUtf8(line).trimmed();
}

/// The baseline: a raw SUB counts the flood. Events per second from first to last message.
double rawRate(const QString &file, uint64_t events)
{
    QProcess p;
    const QString endpoint = startPublisher(p, file);
    if (endpoint.isEmpty())
        return 0;
    zmq::context_t ctx;
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::rcvhwm, 0);
    sub.set(zmq::sockopt::rcvtimeo, 3000);
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect(endpoint.toStdString());
    uint64_t received = 0;
    QElapsedTimer t;
    zmq::message_t m;
    while (received < events) {
        if (!sub.recv(m))
            break;
        if (!m.more()) {
            if (received++ == 0)
                t.start();
        }
    }
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    p.waitForFinished(10000);
    return received > 1 && seconds > 0 ? double(received) / seconds : 0;
}

} // namespace

int main(int argc, char **argv)
{
    uint64_t events = 1'000'000;
    bool check = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--events" && i + 1 < argc)
            events = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--check")
            check = true;
        else {
            std::printf("usage: bench_gui [--events N] [--check]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("EventLens-bench"));
    QStandardPaths::setTestModeEnabled(true);

    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("flood.jsonl"));
    bench::RecordingGenerator::Stats gs;
    std::string error;
    if (!bench::RecordingGenerator().write(file.toStdString(), events, gs, error)) {
        std::fprintf(stderr, "bench_gui: %s\n", error.c_str());
        return 2;
    }
    std::printf("bench_gui: %llu events (%llu bytes each on average) flooded over tcp://127.0.0.1 by a publisher "
                "process\n\n",
                static_cast<unsigned long long>(gs.events), static_cast<unsigned long long>(gs.bytes / gs.events));

    const double raw = rawRate(file, gs.events);
    std::printf("  raw ZeroMQ SUB (baseline)        %10.0f events/s\n", raw);

    setBackgroundNice(5); // as the app does (app/gui/main.cpp)
    StartOptions options;
    options.busOptions = {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"};
    options.restoreLayout = false;
    MainWindow window(options);
    window.resize(1600, 1000);
    window.show();
    bench::measureLateness(500); // settle: first layout and paint
    Lateness idle = bench::measureLateness(2000);

    QProcess publisher;
    const QString endpoint = startPublisher(publisher, file);
    if (endpoint.isEmpty()) {
        std::fprintf(stderr, "bench_gui: the publisher did not start\n");
        return 2;
    }
    ZmqSource::Endpoint e;
    e.address = endpoint.toStdString();
    window.connectionDialog()->addEndpoint(e); // what Connect… does
    const Workspace &live = *window.liveWorkspace();
    QElapsedTimer flood;
    uint32_t lastCount = 0;
    QElapsedTimer stalled;
    stalled.start();
    bool started = false;
    Lateness busy = bench::measureLateness(600'000, [&] {
        const uint32_t n = live.store().endIndex();
        if (n > 0 && !started) {
            started = true;
            flood.start();
        }
        if (n != lastCount) {
            lastCount = n;
            stalled.restart();
        }
        const uint64_t dropped = live.session()->stats().ingest.dropped;
        return n + dropped >= gs.events || (started && stalled.elapsed() > 5000);
    });
    const double seconds = double(flood.nsecsElapsed()) / 1e9;
    const uint64_t got = live.store().endIndex();
    const uint64_t dropped = live.session()->stats().ingest.dropped;
    const double rate = seconds > 0 ? double(got) / seconds : 0;
    publisher.waitForFinished(10000);

    std::printf("  EventLens window (store + table) %10.0f events/s  (%.2fx raw)  %llu events in %.2f s, %llu "
                "dropped, %d rows\n\n",
                rate, raw > 0 ? rate / raw : 0, static_cast<unsigned long long>(got), seconds,
                static_cast<unsigned long long>(dropped), window.tableModel()->rowCount());
    const double p99 = busy.at(99);
    std::printf("  GUI event-loop lateness (a %d ms timer)      p50        p99        max   samples\n", kTimerMs);
    std::printf("    idle                                  %7.2f ms %7.2f ms %7.2f ms %7zu\n", idle.at(50), idle.at(99),
                idle.at(100), idle.ms.size());
    std::printf("    while ingesting                       %7.2f ms %7.2f ms %7.2f ms %7zu\n", busy.at(50), p99,
                busy.at(100), busy.ms.size());
    const bool ok = p99 < kMustP99Ms && rate >= kMustRate;
    std::printf("\n  must: p99 < %.0f ms while ingesting at >= %.0f events/s: %s (p99 %.2f ms at %.0f events/s)\n",
                kMustP99Ms, kMustRate, ok ? "met" : "NOT met", p99, rate);
    window.close();
    return check && !ok ? 1 : 0;
}
