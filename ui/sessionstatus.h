#pragma once

#include "core/curve.h"

#include <QElapsedTimer>
#include <QObject>

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

class QLabel;
class QProgressBar;
class QStatusBar;
class QToolButton;

namespace eventlens {

class EmbeddedBus;
class Workspace;

/// The status bar's permanent part: what the window shows, events/s, events and flows,
/// rejected, dropped and evicted, memory, the bus, a recording in progress, and the progress
/// of a recording being opened (with its Cancel button). GUI thread.
class SessionStatus : public QObject {
    Q_OBJECT
public:
    explicit SessionStatus(QStatusBar *bar);

    /// Whether a recording is being replayed onto the bus.
    enum class Replay { Off, Playing, Paused };
    /// Re-reads the numbers. The window calls it a few times a second whether events arrive or
    /// not: events/s is over the last 1.5 s, and falls to 0 when traffic stops.
    void update(const Workspace &shown, const EmbeddedBus *bus, const QString &busError, Replay replay);
    /// Binds beyond loopback and insecure mode, for as long as they last, and the clients
    /// refused at CURVE endpoints (who and why in the tooltip). Hidden when all is on loopback.
    void showSecurity(const std::vector<std::string> &warnings, const ZapHandler::Stats &curve);
    void showLoading(const QString &fileName);
    /// Bytes read so far; once reading is done, `analysing` shows a busy bar.
    void setLoadProgress(uint64_t done, uint64_t total, bool analysing);
    void hideLoading();
    void showRecording(const QString &path);
    void hideRecording();
    /// A recording that stopped because writing failed: shown until the next one starts.
    void showRecordingFailed(const QString &path, const QString &error);
    /// What the permanent labels say, joined (what a person reads there).
    QString text() const;

signals:
    void cancelLoadRequested();

private:
    QLabel *m_mode, *m_rate, *m_totals, *m_rejected, *m_dropped, *m_memory, *m_bus, *m_recording, *m_security;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
    std::deque<std::pair<qint64, uint64_t>> m_rateSamples; ///< (ms, events received) for events/s
    QElapsedTimer m_clock;
};

} // namespace eventlens
