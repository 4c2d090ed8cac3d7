#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QToolBar>

#include <cstdint>

class QAction;
class QComboBox;
class QLabel;
class QSlider;

namespace eventlens {

/// The time-travel bar of a recording: a slider over the recording's time span, play and
/// pause at ×N, steps to the previous and next event, back to the start, and "Show all".
/// It only says where the person wants the cursor (cursorRequested()); the window moves
/// the cursor and tells the bar what the view holds (setPosition()).
///
/// Inactive (the whole recording shown), the slider rests at the end; moving it, stepping
/// or playing makes it active. Playing moves the cursor by the wall-clock time elapsed × the
/// speed, 30 times a second, and stops at the end. GUI thread.
class TimeCursorBar : public QToolBar {
    Q_OBJECT
public:
    explicit TimeCursorBar(QWidget *parent = nullptr);

    /// The recording's first and last event times (equal for one event; a new recording
    /// makes the bar inactive).
    void setRange(int64_t startNs, int64_t endNs);
    /// The cursor as the window moved it, and how many events the view holds of how many are
    /// stamped at or before it (fewer while it catches up), of `total`.
    void setPosition(int64_t cursorNs, uint64_t inView, uint64_t asOf, uint64_t total);
    /// Inactive: the whole recording is shown (no cursor).
    void setInactive(uint64_t total);
    /// Where "previous event" and "next event" go (kNoTime: none); the window keeps them current.
    void setNeighbours(int64_t previousNs, int64_t nextNs);

    bool isActive() const { return m_active; }
    bool isPlaying() const { return m_playTimer.isActive(); }
    double speed() const;
    void setSpeed(double speed); ///< the closest choice of the speed box

    // --- what the controls do (also for tests) ------------------------------------------------
    void play();
    void pause();
    void togglePlay();
    void stepForward();
    void stepBack();
    void goToStart();
    /// Moves the slider as a drag would (0 … sliderSteps()).
    void setSliderValue(int value);
    static constexpr int sliderSteps() { return 10000; }
    QString positionText() const; ///< what the label says
    QAction *showAllAction() const { return m_showAll; }

signals:
    /// Move the cursor there (the bar becomes active).
    void cursorRequested(int64_t ns);
    /// Leave time travel and show the whole recording.
    void showAllRequested();

private:
    void advance();
    void request(int64_t ns);
    void updateSlider();

    int64_t m_startNs = 0, m_endNs = 0, m_cursorNs = 0;
    int64_t m_previousNs, m_nextNs;
    bool m_active = false;
    QTimer m_playTimer;
    QElapsedTimer m_sincePlayTick;
    QAction *m_start, *m_back, *m_play, *m_forward, *m_showAll;
    QComboBox *m_speed;
    QSlider *m_slider;
    QLabel *m_position;
};

} // namespace eventlens
