#include "ui/timecursorbar.h"

#include "core/event.h"
#include "core/textformat.h"
#include "ui/uitext.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

#include <algorithm>
#include <cmath>

namespace eventlens {

TimeCursorBar::TimeCursorBar(QWidget *parent)
    : QToolBar(tr("Time travel"), parent), m_previousNs(kNoTime), m_nextNs(kNoTime)
{
    setObjectName(QStringLiteral("timeTravel"));
    auto *title = new QLabel(tr("  Time travel "), this);
    title->setToolTip(tr("See the recording as it stood at a moment: every view shows the events stamped up to the "
                         "cursor"));
    addWidget(title);
    m_start =
        addAction(style()->standardIcon(QStyle::SP_MediaSkipBackward), tr("Start"), this, &TimeCursorBar::goToStart);
    m_start->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Home));
    m_start->setToolTip(tr("To the first event (Alt+Home)"));
    m_back = addAction(style()->standardIcon(QStyle::SP_MediaSeekBackward), tr("Previous event"), this,
                       &TimeCursorBar::stepBack);
    m_back->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_back->setToolTip(tr("Back to the previous event (Alt+Left)"));
    m_play = addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"), this, &TimeCursorBar::togglePlay);
    m_play->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_play->setToolTip(tr("Play the recording's time forward at the chosen speed (Ctrl+Shift+P)"));
    m_forward = addAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("Next event"), this,
                          &TimeCursorBar::stepForward);
    m_forward->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_forward->setToolTip(tr("On to the next event (Alt+Right)"));
    m_speed = new QComboBox(this);
    for (double s : {0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 1000.0})
        m_speed->addItem(QStringLiteral("×%1").arg(s), s);
    m_speed->setCurrentIndex(2);
    m_speed->setToolTip(tr("Play speed: recorded seconds per second"));
    addWidget(m_speed);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, sliderSteps());
    m_slider->setMinimumWidth(280);
    m_slider->setToolTip(tr("The time cursor: drag to see the recording as of that moment"));
    addWidget(m_slider);
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        request(m_startNs + int64_t(std::llround(double(m_endNs - m_startNs) * value / sliderSteps())));
    });
    m_position = new QLabel(this);
    m_position->setMinimumWidth(m_position->fontMetrics().horizontalAdvance(
        QStringLiteral("as of 00:00:00.000 UTC · 1 000 000 of 1 000 000 events")));
    addWidget(m_position);
    m_showAll = addAction(style()->standardIcon(QStyle::SP_MediaSkipForward), tr("Show all"), this, [this] {
        pause();
        emit showAllRequested();
    });
    m_showAll->setShortcut(QKeySequence(Qt::ALT | Qt::Key_End));
    if (auto *button = qobject_cast<QToolButton *>(widgetForAction(m_showAll)))
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_showAll->setToolTip(tr("Leave time travel: show the whole recording (Alt+End)"));

    m_playTimer.setInterval(33);
    connect(&m_playTimer, &QTimer::timeout, this, &TimeCursorBar::advance);
    setInactive(0);
}

void TimeCursorBar::setRange(int64_t startNs, int64_t endNs)
{
    pause();
    m_startNs = startNs;
    m_endNs = std::max(startNs, endNs);
    m_cursorNs = m_endNs;
    m_previousNs = m_nextNs = kNoTime;
}

void TimeCursorBar::setInactive(uint64_t total)
{
    pause();
    m_active = false;
    m_cursorNs = m_endNs;
    updateSlider();
    m_position->setText(total ? tr("all %1 events · move the cursor to see an earlier moment").arg(grouped(total))
                              : QString());
    m_showAll->setEnabled(false);
    m_back->setEnabled(total > 0);
    m_start->setEnabled(total > 0);
    m_forward->setEnabled(total > 0);
}

void TimeCursorBar::setPosition(int64_t cursorNs, uint64_t inView, uint64_t asOf, uint64_t total)
{
    m_active = true;
    m_cursorNs = cursorNs;
    updateSlider();
    QString text = tr("as of %1 UTC · %2 of %3 events").arg(qs(formatClock(cursorNs)), grouped(asOf), grouped(total));
    if (inView < asOf)
        text += tr(" (catching up: %1)").arg(qs(percent(inView, asOf)));
    m_position->setText(text);
    m_showAll->setEnabled(true);
}

void TimeCursorBar::setNeighbours(int64_t previousNs, int64_t nextNs)
{
    m_previousNs = previousNs;
    m_nextNs = nextNs;
    m_back->setEnabled(!m_active || previousNs != kNoTime);
    m_forward->setEnabled(!m_active || nextNs != kNoTime);
    m_start->setEnabled(!m_active || m_cursorNs > m_startNs);
}

double TimeCursorBar::speed() const
{
    return m_speed->currentData().toDouble();
}

void TimeCursorBar::setSpeed(double speed)
{
    int best = 0;
    for (int i = 1; i < m_speed->count(); ++i)
        if (std::abs(m_speed->itemData(i).toDouble() - speed) < std::abs(m_speed->itemData(best).toDouble() - speed))
            best = i;
    m_speed->setCurrentIndex(best);
}

void TimeCursorBar::play()
{
    if (isPlaying())
        return;
    // From the start when inactive or at the end, as a player does.
    if (!m_active || m_cursorNs >= m_endNs)
        request(m_startNs);
    m_sincePlayTick.start();
    m_playTimer.start();
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_play->setText(tr("Pause"));
}

void TimeCursorBar::pause()
{
    m_playTimer.stop();
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_play->setText(tr("Play"));
}

void TimeCursorBar::togglePlay()
{
    if (isPlaying())
        pause();
    else
        play();
}

void TimeCursorBar::stepForward()
{
    pause();
    if (!m_active)
        request(m_startNs);
    else if (m_nextNs != kNoTime)
        request(m_nextNs);
}

void TimeCursorBar::stepBack()
{
    pause();
    if (!m_active)
        request(m_endNs); // the whole recording, as a cursor: ready to step back
    else if (m_previousNs != kNoTime)
        request(m_previousNs);
}

void TimeCursorBar::goToStart()
{
    pause();
    request(m_startNs);
}

void TimeCursorBar::setSliderValue(int value)
{
    pause();
    m_slider->setValue(value); // as a drag: valueChanged requests the cursor
}

QString TimeCursorBar::positionText() const
{
    return m_position->text();
}

void TimeCursorBar::advance()
{
    const double elapsedNs = double(m_sincePlayTick.restart()) * 1e6;
    const int64_t to = m_cursorNs + int64_t(elapsedNs * speed());
    if (to >= m_endNs) {
        request(m_endNs);
        pause();
        return;
    }
    request(to);
}

void TimeCursorBar::request(int64_t ns)
{
    ns = std::clamp(ns, m_startNs, m_endNs);
    m_cursorNs = ns;
    m_active = true;
    emit cursorRequested(ns);
}

void TimeCursorBar::updateSlider()
{
    const QSignalBlocker block(m_slider);
    const double span = double(m_endNs - m_startNs);
    m_slider->setValue(span <= 0 ? sliderSteps()
                                 : int(std::lround(double(m_cursorNs - m_startNs) / span * sliderSteps())));
}

} // namespace eventlens
