// Authentication beyond loopback: CURVE key pairs and key files, the bus and sources as
// CURVE servers with a ZAP allow-list, sources connecting with a server key, and the refusal
// to bind beyond loopback without keys or --insecure. Real clients over tcp://127.0.0.1;
// "beyond loopback" binds tcp://lo:* — named by interface, so EventLens cannot tell it is
// loopback and treats it as reaching other machines, yet it stays on this one.
#include "core/curve.h"
#include "core/embeddedbus.h"
#include "core/session.h"
#include "core/zmqsource.h"
#include "ui/connectiondialog.h"
#include "windowtestsupport.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QtTest>

#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>

#include <sys/stat.h>

using namespace eventlens;

namespace {

const char *kEvent =
    R"({"eventId":"e1","eventType":"order.placed","timestamp":"2026-01-01T00:00:00Z","source":"shop"})";

/// A publisher; a CURVE client of `serverKey` with `own` when a server key is given.
zmq::socket_t publisher(zmq::context_t &ctx, const std::string &endpoint, const std::string &serverKey = {},
                        const CurveKeyPair &own = {})
{
    zmq::socket_t s(ctx, zmq::socket_type::pub);
    s.set(zmq::sockopt::linger, 0);
    if (!serverKey.empty()) {
        s.set(zmq::sockopt::curve_serverkey, serverKey);
        s.set(zmq::sockopt::curve_publickey, own.publicKey);
        s.set(zmq::sockopt::curve_secretkey, own.secretKey);
    }
    s.connect(endpoint);
    return s;
}

/// The port of a bound endpoint (tcp://0.0.0.0:41733 → 41733), to reach it on 127.0.0.1.
std::string onLoopback(const std::string &bound)
{
    return "tcp://127.0.0.1:" + bound.substr(bound.rfind(':') + 1);
}

/// Publishes until the bus's tap has seen `seen` grow or `refused` has, so a slow joiner and
/// a refusal are both told apart from "not yet".
bool publishUntil(zmq::socket_t &pub, const std::function<bool()> &done)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        pub.send(zmq::str_buffer("order.placed"), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        pub.send(zmq::buffer(std::string_view(kEvent)), zmq::send_flags::dontwait);
        if (done())
            return true;
        QTest::qWait(20);
    }
    return false;
}

/// A bus that counts what its tap sees.
struct CountingBus {
    EmbeddedBus bus;
    std::atomic<int> seen{0};
    CountingBus(zmq::context_t &ctx, EmbeddedBus::Options options, CurveOptions curve) : bus(ctx, std::move(options))
    {
        bus.setCurve(std::move(curve));
        bus.setTap([this](std::span<const std::string_view>, int64_t) { ++seen; });
    }
};

} // namespace

class TestCurve : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        if (!curveAvailable())
            QFAIL("this libzmq has no CURVE (zmq_has(\"curve\") is false): EventLens cannot bind beyond loopback "
                  "securely; install a libzmq built with libsodium (Debian's is)");
    }

    void keyFilesRoundTripAndKeepTheSecretPrivate()
    {
        QTemporaryDir dir;
        const std::string base = dir.filePath("bus").toStdString();
        const CurveKeyPair pair = generateCurveKeyPair();
        QVERIFY(isCurveKey(pair.publicKey) && isCurveKey(pair.secretKey));
        std::string error;
        QVERIFY2(writeCurveKeyFiles(base, pair, error), error.c_str());

        struct stat st = {};
        QCOMPARE(::stat((base + ".key_secret").c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);

        CurveKeyPair read;
        QVERIFY2(readCurveKey(base + ".key_secret", read, error), error.c_str());
        QCOMPARE(read.publicKey, pair.publicKey);
        QCOMPARE(read.secretKey, pair.secretKey);
        QVERIFY2(readCurveKey(base + ".key", read, error), error.c_str());
        QCOMPARE(read.publicKey, pair.publicKey);
        QVERIFY(read.secretKey.empty());                                    // the public file holds no secret
        QVERIFY2(readCurveKey(pair.publicKey, read, error), error.c_str()); // a key given as itself
        QCOMPARE(read.publicKey, pair.publicKey);

        // Never overwritten: a second keygen to the same name fails and says so.
        QVERIFY(!writeCurveKeyFiles(base, generateCurveKeyPair(), error));
        QVERIFY2(error.find("bus.key") != std::string::npos && error.find("exists") != std::string::npos,
                 error.c_str());
        QVERIFY2(readCurveKey(base + ".key_secret", read, error) && read.secretKey == pair.secretKey, error.c_str());

        // A file without a key is named in the error.
        const std::string bad = dir.filePath("bad.key").toStdString();
        std::ofstream(bad) << "metadata\ncurve\n    public-key = \"too short\"\n";
        QVERIFY(!readCurveKey(bad, read, error));
        QVERIFY2(error.find("bad.key:3") != std::string::npos, error.c_str());
        std::vector<std::string> keys;
        QVERIFY(!readCurveAllowList({dir.path().toStdString()}, keys, error)); // the directory holds bad.key
    }

    void refusesToBindBeyondLoopbackWithoutKeys()
    {
        zmq::context_t ctx;
        EmbeddedBus bus(ctx, {"tcp://lo:*", "tcp://127.0.0.1:*"});
        QVERIFY(!bus.start());
        const std::string &e = bus.error();
        QVERIFY2(e.find("refusing to bind the bus's publishers endpoint tcp://lo:*") != std::string::npos, e.c_str());
        QVERIFY2(e.find("eventlens-cli keygen") != std::string::npos && e.find("--insecure") != std::string::npos,
                 e.c_str());

        // A key pair but nobody allowed: refused too, saying so.
        CurveOptions keysOnly;
        keysOnly.serverKey = generateCurveKeyPair();
        bus.setCurve(keysOnly);
        QVERIFY(!bus.start());
        QVERIFY2(bus.error().find("allow-list is empty") != std::string::npos, bus.error().c_str());

        // A source that binds beyond loopback is refused in the same words.
        ZmqSource source(ctx, [](const ReceivedMessage &) {});
        source.start({{"tcp://lo:*", {}, true, {}}});
        QTRY_VERIFY(!source.states().empty() && source.states()[0].state == ZmqSource::State::Failed);
        QVERIFY2(source.states()[0].detail.find("refusing to bind") != std::string::npos,
                 source.states()[0].detail.c_str());
    }

    void insecureAllowsPlainClientsAndSaysSo()
    {
        zmq::context_t ctx;
        CurveOptions insecure;
        insecure.insecure = true;
        CountingBus b(ctx, {"tcp://lo:*", "tcp://lo:*"}, insecure);
        QVERIFY2(b.bus.start(), b.bus.error().c_str());
        QCOMPARE(b.bus.warnings().size(), size_t(2)); // both endpoints listed, not only the last
        for (const std::string &w : b.bus.warnings())
            QVERIFY2(w.starts_with("INSECURE") && w.find("tcp://lo:*") != std::string::npos, w.c_str());
        zmq::socket_t pub = publisher(ctx, onLoopback(b.bus.publishersEndpoint()));
        QVERIFY(publishUntil(pub, [&] { return b.seen > 0; }));
    }

    void allowListedClientGetsThrough()
    {
        zmq::context_t ctx;
        const CurveKeyPair server = generateCurveKeyPair(), client = generateCurveKeyPair();
        CurveOptions curve;
        curve.serverKey = server;
        curve.allowedClients = {client.publicKey};
        CountingBus b(ctx, {"tcp://lo:*", "tcp://127.0.0.1:*"}, curve); // beyond loopback, and CURVE forced on loopback
        QVERIFY2(b.bus.start(), b.bus.error().c_str());
        QCOMPARE(b.bus.warnings().size(), size_t(1)); // the bind beyond loopback is listed, protected
        QVERIFY2(b.bus.warnings()[0].find("CURVE lets in 1 allow-listed client key") != std::string::npos,
                 b.bus.warnings()[0].c_str());

        zmq::socket_t pub = publisher(ctx, onLoopback(b.bus.publishersEndpoint()), server.publicKey, client);
        QVERIFY(publishUntil(pub, [&] { return b.seen > 0; }));
        QCOMPARE(b.bus.curveStats().refused, uint64_t(0));
        QVERIFY(b.bus.curveStats().allowed >= 1);

        // A source connecting to the subscriber side with the server key (and an allowed key pair) receives.
        std::atomic<int> received{0};
        ZmqSource source(ctx, [&](const ReceivedMessage &m) { received += m.problem.empty(); });
        CurveOptions asClient;
        asClient.clientKey = client;
        source.setCurve(asClient);
        source.start({{b.bus.subscribersEndpoint(), {}, false, server.publicKey}});
        QVERIFY(publishUntil(pub, [&] { return received > 0; }));
    }

    void unknownKeyAndPlainClientsAreRefusedAndCounted()
    {
        zmq::context_t ctx;
        const CurveKeyPair server = generateCurveKeyPair(), allowed = generateCurveKeyPair(),
                           stranger = generateCurveKeyPair();
        CurveOptions curve;
        curve.serverKey = server;
        curve.allowedClients = {allowed.publicKey};
        CountingBus b(ctx, {"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"}, curve);
        QVERIFY2(b.bus.start(), b.bus.error().c_str());

        {
            zmq::socket_t pub = publisher(ctx, b.bus.publishersEndpoint(), server.publicKey, stranger);
            QVERIFY(publishUntil(pub, [&] { return b.bus.curveStats().refused > 0; }));
        }
        ZapHandler::Stats s = b.bus.curveStats();
        QCOMPARE(s.recent.size(), size_t(s.refused));
        QCOMPARE(s.recent.back().peer, std::string("127.0.0.1")); // who, as ZAP saw them
        QVERIFY2(s.recent.back().reason.find("client key " + stranger.publicKey.substr(0, 8)) != std::string::npos
                     && s.recent.back().reason.find("not on the allow-list") != std::string::npos,
                 s.recent.back().reason.c_str());
        QCOMPARE(s.recent.back().endpoint, std::string("tcp://127.0.0.1:*"));
        const uint64_t afterStranger = s.refused;

        {
            zmq::socket_t plain = publisher(ctx, b.bus.publishersEndpoint());
            QVERIFY(publishUntil(plain, [&] { return b.bus.curveStats().refused > afterStranger; }));
        }
        s = b.bus.curveStats();
        QVERIFY(std::any_of(s.recent.begin(), s.recent.end(),
                            [](const CurveRefusal &r) { return r.reason.find("no CURVE") != std::string::npos; }));
        QCOMPARE(b.seen.load(), 0); // nothing either of them sent reached the session
        QCOMPARE(s.allowed, uint64_t(0));

        // A source with the wrong (fresh) key pair is refused too, and says why on its side.
        ZmqSource source(ctx, [](const ReceivedMessage &) {});
        source.start({{b.bus.subscribersEndpoint(), {}, false, server.publicKey}});
        QTRY_VERIFY_WITH_TIMEOUT(!source.states().empty()
                                     && source.states()[0].detail.find("refused this client's key")
                                            != std::string::npos,
                                 10000);
    }

    void sessionListsEveryBindBeyondLoopbackAndItsRefusals()
    {
        zmq::context_t ctx;
        const CurveKeyPair server = generateCurveKeyPair(), client = generateCurveKeyPair();
        Session session(ctx);
        CurveOptions curve;
        curve.insecure = true;
        session.setCurve(curve);
        std::string error;
        QVERIFY2(session.startBus({"tcp://lo:*", "tcp://lo:*"}, error), error.c_str());
        session.connect({"tcp://lo:*", {}, true, {}});
        QTRY_COMPARE(session.securityWarnings().size(), size_t(3)); // two bus endpoints and the source's bind
        for (const std::string &w : session.securityWarnings())
            QVERIFY2(w.starts_with("INSECURE"), w.c_str());
        session.stop();

        // A CURVE-protected source bind counts its refusals, like the bus.
        Session secured(ctx);
        CurveOptions keys;
        keys.serverKey = server;
        keys.allowedClients = {client.publicKey};
        secured.setCurve(keys);
        secured.connect({"tcp://127.0.0.1:*", {}, true, {}});
        QTRY_VERIFY(!secured.endpoints().empty() && secured.endpoints()[0].state == ZmqSource::State::Listening);
        const std::string bound = secured.endpoints()[0].detail;
        zmq::socket_t plain = publisher(ctx, bound);
        QVERIFY(publishUntil(plain, [&] { return secured.curveStats().refused > 0; }));
        zmq::socket_t good = publisher(ctx, bound, server.publicKey, client);
        QVERIFY(publishUntil(good, [&] {
            secured.poll();
            return secured.store().size() > 0;
        }));
    }

    // --- the app ----------------------------------------------------------------------

    void appOptionsReadKeysAndSayWhatIsWrong()
    {
        QTemporaryDir dir;
        const std::string base = dir.filePath("bus").toStdString();
        const CurveKeyPair pair = generateCurveKeyPair();
        std::string error;
        QVERIFY(writeCurveKeyFiles(base, pair, error));
        const QString pub = dir.filePath("bus.key"), secret = dir.filePath("bus.key_secret");

        StartRequest r = parseStartOptions({"--connect", "tcp://10.0.0.5:5556", "--server-key", pub, "--key", secret,
                                            "--curve-key", secret, "--allow", pub, "--insecure"});
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.options.connect.at(0).serverKey, pair.publicKey);
        QCOMPARE(r.options.curve.clientKey.secretKey, pair.secretKey);
        QCOMPARE(r.options.curve.serverKey.secretKey, pair.secretKey);
        QCOMPARE(r.options.curve.allowedClients, std::vector<std::string>{pair.publicKey});
        QVERIFY(r.options.curve.insecure);

        r = parseStartOptions({"--curve-key", pub}); // the public half cannot serve
        QVERIFY2(r.error.contains("--curve-key") && r.error.contains("no secret key"), qPrintable(r.error));
        r = parseStartOptions({"--allow", pub});
        QVERIFY2(r.error.contains("--allow needs --curve-key"), qPrintable(r.error));
        r = parseStartOptions({"--server-key", dir.filePath("missing.key")});
        QVERIFY2(r.error.contains("--server-key") && r.error.contains("missing.key"), qPrintable(r.error));
    }

    void windowRefusesToBindBeyondLoopbackWithoutKeys()
    {
        StartOptions o = testOptions();
        o.busOptions.publishers = "tcp://lo:*";
        MainWindow w(o);
        QTRY_VERIFY(w.statusText().contains(QStringLiteral("bus failed: refusing to bind")));
        QVERIFY2(w.statusText().contains(QStringLiteral("--insecure")), qPrintable(w.statusText()));

        // The Connections dialog says a Bind beyond loopback will be refused, before it is tried.
        ConnectionDialog *d = w.connectionDialog();
        QLineEdit *address = nullptr;
        for (QLineEdit *e : d->findChildren<QLineEdit *>())
            if (e->placeholderText() == QStringLiteral("tcp://127.0.0.1:5556"))
                address = e;
        QVERIFY(address);
        address->setText(QStringLiteral("tcp://0.0.0.0:5557"));
        QVERIFY(d->warning().isEmpty()); // connecting out needs no keys
        d->findChild<QCheckBox *>()->setChecked(true);
        QVERIFY2(d->warning().contains(QStringLiteral("Will be refused")), qPrintable(d->warning()));
        QVERIFY2(d->warning().contains(QStringLiteral("keygen")), qPrintable(d->warning()));
        address->setText(QStringLiteral("tcp://127.0.0.1:5557"));
        QVERIFY(d->warning().isEmpty());
    }

    void windowShowsInsecureModeForAsLongAsItLasts()
    {
        StartOptions o = testOptions();
        o.busOptions = {"tcp://lo:*", "tcp://lo:*"};
        o.curve.insecure = true;
        MainWindow w(o);
        // In the status bar's permanent part (not a message that times out), both binds counted.
        QTRY_VERIFY(w.statusText().contains(QStringLiteral("INSECURE: 2 bind(s) open to any host")));
        ConnectionDialog *d = w.connectionDialog();
        for (QLineEdit *e : d->findChildren<QLineEdit *>())
            if (e->placeholderText() == QStringLiteral("tcp://127.0.0.1:5556"))
                e->setText(QStringLiteral("tcp://lo:*"));
        d->findChild<QCheckBox *>()->setChecked(true);
        QVERIFY2(d->warning().startsWith(QStringLiteral("INSECURE")), qPrintable(d->warning()));
        d->addEndpoint({"tcp://lo:*", {}, true, {}});
        QTRY_VERIFY(w.statusText().contains(QStringLiteral("INSECURE: 3 bind(s)")));
        QTest::qWait(1000);
        QVERIFY(w.statusText().contains(QStringLiteral("INSECURE: 3 bind(s)")));
    }
};

QTEST_MAIN(TestCurve)
#include "tst_curve.moc"
