#include "ui/sessionstatus.h"

#include "core/embeddedbus.h"
#include "core/textformat.h"
#include "core/workspace.h"
#include "ui/uitext.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

namespace eventlens {

namespace {

const QString kAlarm = QStringLiteral("color: #c62828");

QString bytesText(uint64_t bytes)
{
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 0);
    if (bytes < 1024ull * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(bytes) / (1024.0 * 1024 * 1024), 0, 'f', 2);
}

} // namespace

SessionStatus::SessionStatus(QStatusBar *bar) : QObject(bar)
{
    auto label = [bar](const QString &tip) {
        auto *l = new QLabel(bar);
        l->setToolTip(tip);
        bar->addPermanentWidget(l);
        return l;
    };
    m_progress = new QProgressBar(bar);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->hide();
    bar->addPermanentWidget(m_progress);
    m_cancel = new QToolButton(bar);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop loading the recording (Esc)"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->hide();
    bar->addPermanentWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, &SessionStatus::cancelLoadRequested);
    m_mode = label(tr("What the window shows"));
    m_rate = label(tr("Events received per second (the last 1.5 s)"));
    m_totals = label(tr("Events in the store, and flows (correlations)"));
    m_rejected = label(tr("Input that was not an event: see Problems"));
    m_dropped = label(tr("Messages dropped because ingest fell behind, and events evicted by the memory cap"));
    m_memory = label(tr("Memory the store holds for events, and what the whole process holds (its resident "
                        "memory, RSS: bus queues, ingest, store, analyses and views), which the memory cap bounds"));
    m_bus = label(
        tr("The embedded bus: publishers connect to the first endpoint, subscribers to the second. "
           "A subscriber whose queue is full misses messages until it catches up (counted each time); a publisher "
           "that sends a frame over the size limit is disconnected and that message dropped "
           "(a publisher closing its connection counts as a disconnect too)"));
    m_recording = label(tr("Recording"));
    m_recording->hide();
    m_security = label(QString());
    m_security->hide();
    m_clock.start();
}

void SessionStatus::update(const Workspace &shown, const EmbeddedBus *bus, const QString &busError, Replay replay)
{
    const EventStore &store = shown.store();
    if (shown.isLive()) {
        const qint64 now = m_clock.elapsed();
        const uint64_t received = store.endIndex();
        m_rateSamples.emplace_back(now, received);
        // Over the last 1.5 s: with a refresh every 250 ms, silence reads 0 within 2 s.
        while (m_rateSamples.size() > 2 && m_rateSamples.front().first < now - 1500)
            m_rateSamples.pop_front();
        const auto &[t0, n0] = m_rateSamples.front();
        const double rate = now > t0 ? double(received - n0) * 1000.0 / double(now - t0) : 0.0;
        m_rate->setText(tr("%1 events/s").arg(grouped(uint64_t(rate + 0.5))));
        m_rate->show();
    } else {
        m_rate->hide();
    }
    m_mode->setText(!shown.isLive()             ? tr("Recording")
                    : replay == Replay::Playing ? tr("Live · replaying")
                    : replay == Replay::Paused  ? tr("Live · replay paused")
                                                : tr("Live"));
    m_totals->setText(tr("%1 events · %2 flows").arg(grouped(store.size()), grouped(store.correlationCount())));
    const uint64_t rejected = shown.rejectedTotal();
    m_rejected->setText(tr("%1 rejected").arg(grouped(rejected)));
    m_rejected->setStyleSheet(rejected ? kAlarm : QString());
    const uint64_t dropped = shown.session() ? shown.session()->stats().ingest.dropped : 0;
    m_dropped->setText(tr("%1 dropped · %2 evicted").arg(grouped(dropped), grouped(store.evictedCount())));
    m_dropped->setStyleSheet(dropped || store.evictedCount() ? kAlarm : QString());
    const size_t resident = Workspace::residentBytes();
    const size_t cap = shown.memoryCap();
    m_memory->setText(resident ? tr("store %1 · process %2").arg(bytesText(store.memoryUsage()), bytesText(resident))
                               : bytesText(store.memoryUsage()));
    m_memory->setStyleSheet(cap && resident > cap + cap / 5 ? kAlarm : QString());
    QString busDrops;
    if (bus) {
        const EmbeddedBus::Stats s = bus->stats();
        if (s.subscriberOverflows)
            busDrops += tr(" · %1× a slow subscriber missed messages").arg(grouped(s.subscriberOverflows));
        if (s.publisherDisconnects)
            busDrops += tr(" · %1 publisher disconnects").arg(grouped(s.publisherDisconnects));
    }
    if (bus && bus->isRunning())
        m_bus->setText(tr("bus %1 → %2").arg(qs(bus->publishersEndpoint()), qs(bus->subscribersEndpoint())) + busDrops);
    else
        m_bus->setText((busError.isEmpty() ? tr("bus off") : tr("bus failed: %1").arg(busError)) + busDrops);
    m_bus->setStyleSheet(busError.isEmpty() && !(bus && bus->stats().subscriberOverflows) ? QString() : kAlarm);
}

void SessionStatus::showSecurity(const std::vector<std::string> &warnings, const ZapHandler::Stats &curve)
{
    int insecure = 0;
    QStringList tip;
    for (const std::string &w : warnings) {
        insecure += w.starts_with("INSECURE");
        tip << qs(w);
    }
    if (warnings.empty() && curve.allowed == 0 && curve.refused == 0) {
        m_security->hide();
        return;
    }
    QString text;
    if (insecure)
        text = tr("⚠ INSECURE: %n bind(s) open to any host", nullptr, insecure);
    else if (!warnings.empty())
        text = tr("CURVE: %n bind(s) beyond loopback", nullptr, int(warnings.size()));
    else
        text = tr("CURVE");
    if (curve.refused)
        text += tr(" · %1 refused").arg(grouped(curve.refused));
    if (!curve.recent.empty()) {
        tip << tr("Last refused clients:");
        for (const CurveRefusal &r : curve.recent)
            tip << tr("%1 at %2: %3").arg(qs(r.peer), qs(r.endpoint), qs(r.reason));
    }
    m_security->setText(text);
    m_security->setToolTip(tip.join(QLatin1Char('\n')));
    m_security->setStyleSheet(insecure || curve.refused ? kAlarm + QStringLiteral("; font-weight: bold") : QString());
    m_security->show();
}

void SessionStatus::showLoading(const QString &fileName)
{
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Opening %1: %p%").arg(fileName));
    m_progress->show();
    m_cancel->show();
}

void SessionStatus::setLoadProgress(uint64_t done, uint64_t total, bool analysing)
{
    if (analysing) {
        m_progress->setRange(0, 0); // busy: the analyses have no byte count
        m_progress->setFormat(tr("Analysing…"));
    } else if (total > 0) {
        m_progress->setValue(int(double(done) / double(total) * 1000));
    }
}

void SessionStatus::hideLoading()
{
    m_progress->hide();
    m_cancel->hide();
}

void SessionStatus::showRecording(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    m_recording->setText(tr("● REC %1").arg(path.mid(slash + 1)));
    m_recording->setToolTip(path);
    m_recording->setStyleSheet(kAlarm + QStringLiteral("; font-weight: bold"));
    m_recording->show();
}

void SessionStatus::showRecordingFailed(const QString &path, const QString &error)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    m_recording->setText(tr("REC stopped: %1 not written").arg(path.mid(slash + 1)));
    m_recording->setToolTip(error);
    m_recording->setStyleSheet(kAlarm + QStringLiteral("; font-weight: bold"));
    m_recording->show();
}

void SessionStatus::hideRecording()
{
    m_recording->hide();
}

QString SessionStatus::text() const
{
    QStringList parts;
    for (const QLabel *l : {m_mode, m_rate, m_totals, m_rejected, m_dropped, m_memory, m_bus, m_recording, m_security})
        if (!l->isHidden())
            parts << l->text();
    return parts.join(QStringLiteral(" | "));
}

} // namespace eventlens
