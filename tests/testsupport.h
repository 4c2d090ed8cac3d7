#pragma once

// What several test units share: running the real eventlens-cli, and feeding a store one
// event at a time (the way a live session grows) to compare with opening a file at once.

#include "core/decoder.h"
#include "core/eventstore.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <QtGlobal>

#include <functional>
#include <string>

/// One run of eventlens-cli (EVENTLENS_CLI, defined for every test unit).
struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

inline CliRun runCli(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(EVENTLENS_CLI), args);
    if (!p.waitForFinished(60000))
        qFatal("eventlens-cli did not finish: %s", qPrintable(args.join(' ')));
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

inline std::string lineText(const QString &line)
{
    return line.toStdString();
}
inline const std::string &lineText(const std::string &line)
{
    return line;
}

/// Decodes and appends each line to `store`, calling `after(i)` after line i. False (with
/// the line and reason in `error`) when a line is not an event.
template<typename Lines>
bool appendOneByOne(const Lines &lines, eventlens::EventStore &store, const std::function<void(size_t)> &after,
                    std::string &error)
{
    eventlens::Decoder decoder;
    size_t i = 0;
    for (const auto &line : lines) {
        const std::string bytes = lineText(line); // the store copies what it keeps
        eventlens::DecodedEvent e;
        eventlens::DecodeError de;
        if (!decoder.decode(bytes, e, de)) {
            error = "line " + std::to_string(i + 1) + ": " + de.text();
            return false;
        }
        store.append(e);
        if (after)
            after(i);
        ++i;
    }
    return true;
}
