#pragma once

#include <QObject>

#include <cstdint>
#include <memory>
#include <string>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QToolBar;

namespace zmq {
class context_t;
}

namespace eventlens {

class EventStore;
class Replayer;

/// The replay toolbar: play/pause, speed, a time slider to seek, the position. It publishes
/// the opened recording onto the embedded bus (core's Replayer), so the live session — and
/// every other subscriber of the bus — sees the events arrive as they once did, stamped with the
/// time they are replayed unless the person unticks "restamp". GUI thread.
class ReplayControls : public QObject {
    Q_OBJECT
public:
    /// Adds its action and widgets to `toolbar`.
    explicit ReplayControls(QToolBar *toolbar);
    ~ReplayControls() override; ///< stops a replay

    /// What to replay (nullptr: nothing). The store must outlive the replay: call this with
    /// nullptr (which stops it) before the store goes.
    void setRecording(const EventStore *store);
    /// Where to publish: the bus's publisher endpoint, and the ZeroMQ context beside it
    /// (nullptr: there is no bus, replay is off).
    void setBus(zmq::context_t *context, const std::string &publishersEndpoint);

    /// Starts a replay, or pauses / resumes the one running.
    void togglePlay();
    void stop();
    /// Whether events are published with the time of the replay instead of their recorded
    /// timestamps. On by default: a replay goes into the live session, where old timestamps
    /// among new ones would spread its analyses over months (rates over "280 d", 0/s).
    void setRestamp(bool restamp);
    bool restamps() const;
    bool isReplaying() const;
    /// A replay is running and the person paused it.
    bool isPaused() const { return isReplaying() && m_paused; }
    /// Follows the replay's position (the window calls it a few times a second).
    void refresh();

signals:
    /// A replay started: the window shows the live session, where the events arrive.
    void started();
    void failed(const QString &message);

private:
    void seekToSlider();

    const EventStore *m_store = nullptr;
    int64_t m_startNs = 0, m_endNs = 0; ///< the recording's earliest and latest event times
    zmq::context_t *m_context = nullptr;
    std::string m_endpoint;
    std::unique_ptr<Replayer> m_replayer;
    bool m_paused = false;
    bool m_sliderHeld = false;
    QAction *m_play;
    QComboBox *m_speed;
    QCheckBox *m_restamp;
    QSlider *m_slider;
    QLabel *m_position;
};

} // namespace eventlens
