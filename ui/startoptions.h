#pragma once

#include "core/curve.h"
#include "core/demo.h"
#include "core/embeddedbus.h"
#include "core/zmqsource.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace eventlens {

/// How the app was asked to start (its command line).
struct StartOptions {
    QString file;                             ///< a recording to open
    std::vector<ZmqSource::Endpoint> connect; ///< endpoints to subscribe to
    std::optional<DemoSystem::Scenario> demo; ///< a demo to start at once
    bool bus = true;                          ///< start the embedded bus
    EmbeddedBus::Options busOptions;          ///< where it binds (loopback by default), its bounds
    std::optional<size_t> memoryCap;          ///< bytes for everything held for live events (else the setting)
    bool restoreLayout = true;                ///< restore the saved window layout
    CurveOptions curve{}; ///< CURVE keys and allow-list, or insecure: needed to bind beyond loopback
};

/// What parseStartOptions() found besides the options.
struct StartRequest {
    StartOptions options;
    bool help = false;
    bool version = false;
    QString error; ///< a usage error, naming the argument
};

/// Reads `eventlens [FILE.jsonl] [--connect EP [--topic P]…]… [--demo order-saga|logistics]
/// [--bus-publishers EP] [--bus-subscribers EP] [--bus-sndhwm N] [--bus-rcvhwm N]
/// [--bus-max-message-size SIZE] [--memory-cap SIZE] [--no-bus] [--curve-key FILE]
/// [--allow KEY|FILE|DIR]… [--server-key KEY|FILE] [--key FILE] [--insecure]`. A `--topic`
/// (and a `--server-key`) belongs to the `--connect` before it; given before any `--connect`
/// it applies to every endpoint that has none of its own. Key files are read here: a bad one
/// is a usage error naming it.
/// `arguments` excludes the program name.
StartRequest parseStartOptions(const QStringList &arguments);
/// The usage text for --help.
QString startUsage();

} // namespace eventlens
