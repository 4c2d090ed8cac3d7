#include "ui/startoptions.h"

#include <QObject>

#include <limits>
#include <utility>

namespace eventlens {

QString startUsage()
{
    return QObject::tr(
        "Usage: eventlens [FILE.jsonl] [options]\n"
        "Debugger and visualizer for event-driven systems.\n\n"
        "  FILE.jsonl               open a recording (JSON Lines)\n"
        "  --connect EP             subscribe to a ZeroMQ publisher, e.g. tcp://127.0.0.1:6000 (repeatable)\n"
        "  --topic PREFIX           topic filter for the --connect before it (repeatable; before any\n"
        "                           --connect: for every endpoint). Default: everything\n"
        "  --demo SCENARIO          start a demo at once: order-saga or logistics\n"
        "  --bus-publishers EP      where the embedded bus binds for publishers (tcp://127.0.0.1:5555)\n"
        "  --bus-subscribers EP     where the embedded bus binds for subscribers (tcp://127.0.0.1:5556)\n"
        "  --bus-sndhwm N           messages the bus queues per subscriber; one that falls further behind\n"
        "                           misses messages, counted in the status bar (1000; 0: unbounded)\n"
        "  --bus-rcvhwm N           messages the bus queues per publisher before it stops reading it (1000)\n"
        "  --bus-max-message-size SIZE  largest frame a publisher may send, e.g. 64KiB (1MiB); a larger\n"
        "                           one cuts its connection\n"
        "  --memory-cap SIZE        memory for everything held for live events, e.g. 512MiB or 2GiB\n"
        "                           (default: the saved setting, 4GiB); the oldest events are evicted\n"
        "  --no-bus                 do not start the embedded bus\n"
        "  --curve-key FILE         this side's CURVE key pair (NAME.key_secret from 'eventlens-cli keygen'):\n"
        "                           the bus (and --bind endpoints) admit only --allow'ed clients, loopback too\n"
        "  --allow KEY|FILE|DIR     a client public key that may connect (repeatable)\n"
        "  --server-key KEY|FILE    connect the --connect before it with CURVE to a server with this key\n"
        "                           (before any --connect: every endpoint)\n"
        "  --key FILE               this client's key pair for --server-key (NAME.key_secret)\n"
        "  --insecure               allow binding beyond loopback without authentication (shown all along)\n"
        "  --version                print the version\n"
        "  -h, --help               print this help\n");
}

namespace {

/// "1048576", "64KiB", "16MiB", "2GiB" (also KB/MB/GB, K/M/G: all powers of 1024) → bytes.
std::optional<qint64> parseSize(QString text)
{
    text = text.trimmed();
    qint64 unit = 1;
    static const std::pair<const char *, qint64> units[] = {
        {"GiB", 1ll << 30}, {"MiB", 1ll << 20}, {"KiB", 1ll << 10}, {"GB", 1ll << 30}, {"MB", 1ll << 20},
        {"KB", 1ll << 10},  {"G", 1ll << 30},   {"M", 1ll << 20},   {"K", 1ll << 10},  {"B", 1}};
    for (const auto &[suffix, factor] : units) {
        if (text.endsWith(QLatin1String(suffix), Qt::CaseInsensitive)) {
            text.chop(qsizetype(qstrlen(suffix)));
            unit = factor;
            break;
        }
    }
    bool ok = false;
    const qint64 n = text.trimmed().toLongLong(&ok);
    if (!ok || n <= 0 || n > (std::numeric_limits<qint64>::max)() / unit)
        return std::nullopt;
    return n * unit;
}

} // namespace

StartRequest parseStartOptions(const QStringList &arguments)
{
    StartRequest r;
    std::vector<std::string> globalTopics;
    std::string globalServerKey;
    auto value = [&](qsizetype &i, const QString &name) -> std::optional<QString> {
        if (i + 1 >= arguments.size() || arguments[i + 1].startsWith(QLatin1String("--"))) {
            r.error = QObject::tr("%1 needs a value").arg(name);
            return std::nullopt;
        }
        return arguments[++i];
    };
    for (qsizetype i = 0; i < arguments.size() && r.error.isEmpty(); ++i) {
        const QString &a = arguments[i];
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            r.help = true;
        } else if (a == QLatin1String("--version")) {
            r.version = true;
        } else if (a == QLatin1String("--no-bus")) {
            r.options.bus = false;
        } else if (a == QLatin1String("--connect")) {
            if (const auto v = value(i, a)) {
                ZmqSource::Endpoint e;
                e.address = v->toStdString();
                r.options.connect.push_back(std::move(e));
            }
        } else if (a == QLatin1String("--topic")) {
            if (const auto v = value(i, a)) {
                if (r.options.connect.empty())
                    globalTopics.push_back(v->toStdString());
                else
                    r.options.connect.back().topics.push_back(v->toStdString());
            }
        } else if (a == QLatin1String("--demo")) {
            if (const auto v = value(i, a)) {
                r.options.demo = DemoSystem::parseScenario(v->toStdString());
                if (!r.options.demo)
                    r.error = QObject::tr("--demo: unknown scenario '%1' (order-saga or logistics)").arg(*v);
            }
        } else if (a == QLatin1String("--bus-publishers")) {
            if (const auto v = value(i, a))
                r.options.busOptions.publishers = v->toStdString();
        } else if (a == QLatin1String("--bus-subscribers")) {
            if (const auto v = value(i, a))
                r.options.busOptions.subscribers = v->toStdString();
        } else if (a == QLatin1String("--bus-sndhwm") || a == QLatin1String("--bus-rcvhwm")) {
            if (const auto v = value(i, a)) {
                bool ok = false;
                const int n = v->toInt(&ok);
                if (!ok || n < 0)
                    r.error = QObject::tr("%1: '%2' is not a number of messages (0 or more)").arg(a, *v);
                else if (a == QLatin1String("--bus-sndhwm"))
                    r.options.busOptions.sendHighWaterMark = n;
                else
                    r.options.busOptions.receiveHighWaterMark = n;
            }
        } else if (a == QLatin1String("--bus-max-message-size") || a == QLatin1String("--memory-cap")) {
            if (const auto v = value(i, a)) {
                const std::optional<qint64> bytes = parseSize(*v);
                if (!bytes)
                    r.error = QObject::tr("%1: '%2' is not a size (e.g. 65536, 64KiB, 512MiB)").arg(a, *v);
                else if (a == QLatin1String("--memory-cap"))
                    r.options.memoryCap = size_t(*bytes);
                else
                    r.options.busOptions.maxMessageBytes = *bytes;
            }
        } else if (a == QLatin1String("--insecure")) {
            r.options.curve.insecure = true;
        } else if (a == QLatin1String("--curve-key") || a == QLatin1String("--key")) {
            if (const auto v = value(i, a)) {
                CurveKeyPair &pair =
                    a == QLatin1String("--key") ? r.options.curve.clientKey : r.options.curve.serverKey;
                std::string error;
                if (!readCurveKey(v->toStdString(), pair, error))
                    r.error = QStringLiteral("%1: %2").arg(a, QString::fromStdString(error));
                else if (pair.secretKey.empty())
                    r.error = QObject::tr("%1 %2: no secret key in it (give NAME.key_secret, not the public NAME.key)")
                                  .arg(a, *v);
            }
        } else if (a == QLatin1String("--allow")) {
            if (const auto v = value(i, a)) {
                std::string error;
                if (!readCurveAllowList({v->toStdString()}, r.options.curve.allowedClients, error))
                    r.error = QStringLiteral("--allow: %1").arg(QString::fromStdString(error));
            }
        } else if (a == QLatin1String("--server-key")) {
            if (const auto v = value(i, a)) {
                CurveKeyPair server;
                std::string error;
                if (!readCurveKey(v->toStdString(), server, error))
                    r.error = QStringLiteral("--server-key: %1").arg(QString::fromStdString(error));
                else if (r.options.connect.empty())
                    globalServerKey = server.publicKey;
                else
                    r.options.connect.back().serverKey = server.publicKey;
            }
        } else if (a.startsWith(QLatin1Char('-')) && a.size() > 1) {
            r.error = QObject::tr("unknown option '%1'").arg(a);
        } else if (r.options.file.isEmpty()) {
            r.options.file = a;
        } else {
            r.error = QObject::tr("one recording at a time: '%1' and '%2'").arg(r.options.file, a);
        }
    }
    for (ZmqSource::Endpoint &e : r.options.connect) {
        if (e.topics.empty())
            e.topics = globalTopics;
        if (e.serverKey.empty())
            e.serverKey = globalServerKey;
    }
    if (r.error.isEmpty() && !r.options.curve.allowedClients.empty() && r.options.curve.serverKey.secretKey.empty())
        r.error = QObject::tr("--allow needs --curve-key (this side's key pair, from eventlens-cli keygen)");
    return r;
}

} // namespace eventlens
