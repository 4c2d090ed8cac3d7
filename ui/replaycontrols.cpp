#include "ui/replaycontrols.h"

#include "core/eventstore.h"
#include "core/replayer.h"
#include "core/textformat.h"
#include "ui/uitext.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolBar>

#include <algorithm>

namespace eventlens {

namespace {
constexpr int kSliderSteps = 1000;
}

ReplayControls::ReplayControls(QToolBar *toolbar) : QObject(toolbar)
{
    auto *title = new QLabel(tr(" Replay to bus "), toolbar);
    title->setToolTip(tr("Publish the opened recording onto the embedded bus, as it once happened"));
    toolbar->addWidget(title);
    m_play = toolbar->addAction(toolbar->style()->standardIcon(QStyle::SP_MediaPlay), tr("Replay"), this,
                                &ReplayControls::togglePlay);
    m_play->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_play->setToolTip(tr("Replay the opened recording onto the embedded bus and watch it arrive live (Ctrl+P)"));
    m_speed = new QComboBox(toolbar);
    for (double s : {0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0})
        m_speed->addItem(QStringLiteral("×%1").arg(s), s);
    m_speed->addItem(tr("as fast as possible"), 0.0);
    m_speed->setCurrentIndex(1);
    m_speed->setToolTip(tr("Replay speed"));
    toolbar->addWidget(m_speed);
    connect(m_speed, &QComboBox::activated, this, [this] {
        const double s = m_speed->currentData().toDouble();
        if (m_replayer && s > 0)
            m_replayer->setSpeed(s);
    });
    m_restamp = new QCheckBox(tr("restamp"), toolbar);
    m_restamp->setObjectName(QStringLiteral("replayRestamp"));
    m_restamp->setChecked(true);
    m_restamp->setToolTip(tr("Publish each event with the time it is replayed, not its recorded timestamp.\n"
                             "On by default: the replay goes into the live session, where old timestamps\n"
                             "among new ones would mix two times (rates over months, every edge 0/s).\n"
                             "Untick to replay the recorded times as they are (from the next replay on)."));
    toolbar->addWidget(m_restamp);
    m_slider = new QSlider(Qt::Horizontal, toolbar);
    m_slider->setRange(0, kSliderSteps);
    m_slider->setMinimumWidth(220);
    m_slider->setToolTip(tr("Replay position: drag to seek"));
    toolbar->addWidget(m_slider);
    m_position = new QLabel(toolbar);
    m_position->setMinimumWidth(m_position->fontMetrics().horizontalAdvance(QStringLiteral("00:00:00.000 / 00:00:00")));
    toolbar->addWidget(m_position);
    connect(m_slider, &QSlider::sliderPressed, this, [this] { m_sliderHeld = true; });
    connect(m_slider, &QSlider::sliderReleased, this, [this] {
        m_sliderHeld = false;
        seekToSlider();
    });
    refresh();
}

ReplayControls::~ReplayControls()
{
    stop();
}

void ReplayControls::setRecording(const EventStore *store)
{
    stop();
    m_store = store;
    m_startNs = m_endNs = 0;
    if (store)
        for (uint32_t i = store->firstIndex(); i < store->endIndex(); ++i) {
            const int64_t t = store->record(i).timestampNs;
            if (i == store->firstIndex() || t < m_startNs)
                m_startNs = t;
            if (i == store->firstIndex() || t > m_endNs)
                m_endNs = t;
        }
    refresh();
}

void ReplayControls::setBus(zmq::context_t *context, const std::string &publishersEndpoint)
{
    stop();
    m_context = context;
    m_endpoint = publishersEndpoint;
    refresh();
}

void ReplayControls::setRestamp(bool restamp)
{
    m_restamp->setChecked(restamp);
}

bool ReplayControls::restamps() const
{
    return m_restamp->isChecked();
}

bool ReplayControls::isReplaying() const
{
    return m_replayer && !m_replayer->finished();
}

void ReplayControls::stop()
{
    m_replayer.reset();
    m_paused = false;
}

void ReplayControls::togglePlay()
{
    if (isReplaying()) {
        m_paused = !m_paused;
        if (m_paused)
            m_replayer->pause();
        else
            m_replayer->resume();
        refresh();
        return;
    }
    if (!m_store || !m_context)
        return;
    Replayer::Options o;
    o.endpoint = m_endpoint;
    const double speed = m_speed->currentData().toDouble();
    o.asFastAsPossible = speed <= 0;
    o.speed = speed > 0 ? speed : 1;
    o.restamp = m_restamp->isChecked();
    stop();
    m_replayer = std::make_unique<Replayer>(*m_context, *m_store, o);
    if (!m_replayer->start()) {
        const QString error = qs(m_replayer->error());
        m_replayer.reset();
        emit failed(error);
        return;
    }
    emit started();
    refresh();
}

void ReplayControls::seekToSlider()
{
    if (!m_store || m_store->size() == 0)
        return;
    const int64_t at = m_startNs + int64_t(double(m_endNs - m_startNs) * m_slider->value() / kSliderSteps);
    if (!m_replayer)
        togglePlay();
    if (m_replayer)
        m_replayer->seek(at);
}

void ReplayControls::refresh()
{
    const bool can = m_store && m_context;
    m_play->setEnabled(can);
    m_speed->setEnabled(can);
    m_slider->setEnabled(can);
    m_restamp->setEnabled(can && !isReplaying()); // applies from the next replay on
    const bool playing = isReplaying() && !m_paused;
    m_play->setIcon(m_speed->style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    m_play->setText(playing ? tr("Pause") : (isReplaying() ? tr("Resume") : tr("Replay")));
    if (!m_store || m_store->size() == 0) {
        m_position->setText(QString());
        return;
    }
    const int64_t span = m_endNs - m_startNs;
    const int64_t position = m_replayer ? m_replayer->position() : kNoTime;
    if (position == kNoTime || span <= 0) {
        m_position->setText(QStringLiteral("– / %1").arg(qs(formatDuration(span))));
        if (!m_sliderHeld)
            m_slider->setValue(0);
        return;
    }
    const int64_t into = std::clamp<int64_t>(position - m_startNs, 0, span);
    m_position->setText(QStringLiteral("%1 / %2").arg(qs(formatDuration(into)), qs(formatDuration(span))));
    if (!m_sliderHeld)
        m_slider->setValue(int(double(into) / double(span) * kSliderSteps));
}

} // namespace eventlens
