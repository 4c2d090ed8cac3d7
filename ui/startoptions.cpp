#include "ui/startoptions.h"

#include <QObject>

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
