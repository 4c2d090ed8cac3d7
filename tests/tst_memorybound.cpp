// The memory cap covers everything a live window holds for events: under a flood, with a
// subscriber on the bus that never reads, the status bar's memory figure matches the
// process's resident memory (read from /proc) and that stays near the cap. A real bus on
// tcp://127.0.0.1:*, a bounded publisher, and the status bar the window uses.
#include "core/workspace.h"
#include "ui/sessionstatus.h"
#include "ui/startoptions.h"

#include <QRegularExpression>
#include <QStatusBar>
#include <QtTest>

#include <zmq.hpp>

#include <atomic>
#include <string>
#include <thread>

using namespace eventlens;

namespace {

/// "12.5 MiB", "1.10 GiB", "900 KiB" → bytes.
double bytesOf(const QString &number, const QString &unit)
{
    const double n = number.toDouble();
    return unit == QLatin1String("GiB") ? n * (1 << 30) : unit == QLatin1String("MiB") ? n * (1 << 20) : n * 1024;
}

std::string eventJson(int n, const std::string &padding)
{
    return R"({"eventId":"e-)" + std::to_string(n) + R"(","eventType":"order.placed","eventVersion":1,)"
           + R"("timestamp":"2026-01-05T10:00:00.000Z","source":"order-service","correlationId":"c-)"
           + std::to_string(n % 5000) + R"(","data":{"pad":")" + padding + R"("}})";
}

} // namespace

class TstMemoryBound : public QObject {
    Q_OBJECT

private slots:
    void statusBarMemoryMatchesResidentAndStaysNearTheCapUnderAFlood()
    {
        constexpr size_t kCap = 256u << 20;
        // What the window asks for (MainWindow::startLive), with a cap of 256 MiB.
        Session::Options o;
        o.ingest.overflow = Overflow::Drop;
        o.ingest.queueBytes = 512u * 1024 * 1024;
        o.store.memoryCap = kCap;
        o.store.reserveEvents = 1'000'000;
        Workspace workspace(o);
        QCOMPARE(workspace.memoryCap(), kCap);
        std::string error;
        QVERIFY2(workspace.session()->startBus({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, error), error.c_str());
        const EmbeddedBus *bus = workspace.session()->bus();
        QStatusBar bar;
        SessionStatus status(&bar);

        // A subscriber that never reads, on the window's own bus.
        zmq::context_t ctx;
        zmq::socket_t stalled(ctx, zmq::socket_type::sub);
        stalled.set(zmq::sockopt::linger, 0);
        stalled.set(zmq::sockopt::rcvhwm, 1);
        stalled.set(zmq::sockopt::rcvbuf, 4096);
        stalled.set(zmq::sockopt::subscribe, "");
        stalled.connect(bus->subscribersEndpoint());
        QTRY_VERIFY(bus->stats().subscriptions >= 1);

        // A bounded publisher: 1 GiB of events of 8 KiB each, four times the cap.
        constexpr int kEvents = 128 * 1024;
        zmq::socket_t pub(ctx, zmq::socket_type::pub);
        pub.set(zmq::sockopt::linger, 0);
        pub.set(zmq::sockopt::xpub_nodrop, 1); // it waits for the bus rather than drop: all of it arrives
        pub.connect(bus->publishersEndpoint());
        // Slow joiner: probe until the bus (which subscribes to everything) hears the publisher.
        QTRY_VERIFY_WITH_TIMEOUT(
            ((void)pub.send(zmq::str_buffer("probe"), zmq::send_flags::none), bus->stats().messagesIn > 0), 10000);
        std::atomic<bool> done{false};
        std::thread publisher([&] {
            const std::string padding(8 * 1024, 'x');
            for (int i = 0; i < kEvents; ++i) {
                const std::string json = eventJson(i, padding);
                pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore);
                pub.send(zmq::buffer(json), zmq::send_flags::none);
            }
            done = true;
        });

        const QRegularExpression memory(R"(store ([\d.]+) (KiB|MiB|GiB) · process ([\d.]+) (KiB|MiB|GiB))");
        size_t peak = 0;
        double worstRatio = 1;
        QElapsedTimer quiet;
        quiet.start();
        uint64_t lastReceived = 0;
        while (!done || quiet.elapsed() < 1000) {
            const Workspace::Update u = workspace.poll();
            if (workspace.session()->stats().ingest.received != lastReceived) {
                lastReceived = workspace.session()->stats().ingest.received;
                quiet.restart();
            }
            status.update(workspace, bus, QString(), SessionStatus::Replay::Off);
            const size_t resident = Workspace::residentBytes();
            peak = std::max(peak, resident);
            const auto m = memory.match(status.text());
            QVERIFY2(m.hasMatch(), qPrintable(status.text()));
            const double shown = bytesOf(m.captured(3), m.captured(4));
            worstRatio = std::max(worstRatio, std::max(shown / double(resident), double(resident) / shown));
            if (u.empty())
                QTest::qWait(20);
        }
        publisher.join();
        const Session::Stats stats = workspace.session()->stats();
        qInfo().noquote() << QStringLiteral("received %1 events, %2 dropped by the ingest, %3 evicted; bus: %4 "
                                            "subscriber overflows; peak RSS %5 MiB, store %6 MiB; %7")
                                 .arg(stats.ingest.received)
                                 .arg(stats.ingest.dropped)
                                 .arg(workspace.store().evictedCount())
                                 .arg(bus->stats().subscriberOverflows)
                                 .arg(peak >> 20)
                                 .arg(workspace.store().memoryUsage() >> 20)
                                 .arg(status.text());
        QVERIFY2(stats.ingest.received > kEvents / 2, "the flood did not arrive");
        QVERIFY(workspace.store().evictedCount() > 0); // it did go over the cap
        QVERIFY2(worstRatio < 1.2, qPrintable(QString::number(worstRatio)));
        QVERIFY2(peak < kCap + kCap / 5,
                 qPrintable(QStringLiteral("peak RSS %1 MiB with a cap of %2 MiB").arg(peak >> 20).arg(kCap >> 20)));
        QVERIFY(bus->stats().subscriberOverflows > 0);
        QVERIFY2(status.text().contains(QRegularExpression(R"([\d,]+× a slow subscriber missed messages)")),
                 qPrintable(status.text()));
    }

    void startOptionsSetTheBusBoundsAndTheCap()
    {
        StartRequest r = parseStartOptions(
            {"--bus-sndhwm", "50", "--bus-rcvhwm", "0", "--bus-max-message-size", "64KiB", "--memory-cap", "512MiB"});
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.options.busOptions.sendHighWaterMark, 50);
        QCOMPARE(r.options.busOptions.receiveHighWaterMark, 0);
        QCOMPARE(r.options.busOptions.maxMessageBytes, int64_t(64 * 1024));
        QCOMPARE(r.options.memoryCap, std::optional<size_t>(512u << 20));

        r = parseStartOptions({});
        QCOMPARE(r.options.busOptions.sendHighWaterMark, EmbeddedBus::kDefaultHighWaterMark);
        QCOMPARE(r.options.busOptions.maxMessageBytes, EmbeddedBus::kDefaultMaxMessageBytes);
        QVERIFY(!r.options.memoryCap);

        QCOMPARE(parseStartOptions({"--bus-sndhwm", "lots"}).error,
                 QStringLiteral("--bus-sndhwm: 'lots' is not a number of messages (0 or more)"));
        QCOMPARE(parseStartOptions({"--memory-cap", "0"}).error,
                 QStringLiteral("--memory-cap: '0' is not a size (e.g. 65536, 64KiB, 512MiB)"));
    }
};

QTEST_MAIN(TstMemoryBound)
#include "tst_memorybound.moc"
