#include "ui/demopanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace eventlens {

namespace {

QDoubleSpinBox *spin(double min, double max, double value, int decimals, const QString &suffix, QWidget *parent)
{
    auto *s = new QDoubleSpinBox(parent);
    s->setRange(min, max);
    s->setDecimals(decimals);
    s->setValue(value);
    s->setSuffix(suffix);
    s->setKeyboardTracking(false); // apply when the user is done typing, not per keystroke
    return s;
}

} // namespace

DemoPanel::DemoPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_scenario = new QComboBox(this);
    m_scenario->addItem(tr("Order saga"), int(DemoSystem::Scenario::OrderSaga));
    m_scenario->addItem(tr("Package scans (logistics)"), int(DemoSystem::Scenario::Logistics));
    m_scenario->setToolTip(tr("Order saga: order, inventory, payment, shipping, notification, analytics, "
                              "with compensation when payment fails.\nPackage scans: a scan flow with many consumers."));
    form->addRow(tr("Scenario"), m_scenario);

    const DemoSystem::Knobs defaults;
    m_rate = spin(0, 10000, 20, 1, tr(" flows/s"), this);
    m_rate->setToolTip(tr("Flows started per second (0 pauses the producer)"));
    m_failure = spin(0, 100, 20, 0, tr(" %"), this);
    m_failure->setToolTip(tr("Share of flows that take a failure path (compensation)"));
    m_lag = spin(0, 10000, defaults.lag.meanMs, 0, tr(" ms"), this);
    m_lag->setToolTip(tr("Every consumer's mean reaction lag"));
    m_duplicates = spin(0, 100, 2, 1, tr(" %"), this);
    m_duplicates->setToolTip(tr("Share of events delivered twice, byte for byte (broker redelivery)"));
    m_v2 = spin(0, 100, 0, 0, tr(" %"), this);
    m_v2->setToolTip(tr("Share of root events published by the new producer version (eventVersion 2)"));
    m_rate->setObjectName(QStringLiteral("demoRate"));
    m_failure->setObjectName(QStringLiteral("demoFailures"));
    m_lag->setObjectName(QStringLiteral("demoLag"));
    m_duplicates->setObjectName(QStringLiteral("demoRedeliveries"));
    m_v2->setObjectName(QStringLiteral("demoV2"));
    form->addRow(tr("Rate"), m_rate);
    form->addRow(tr("Failures"), m_failure);
    form->addRow(tr("Reaction lag"), m_lag);
    form->addRow(tr("Redeliveries"), m_duplicates);
    form->addRow(tr("Schema v2"), m_v2);
    layout->addLayout(form);

    m_startStop = new QPushButton(tr("Start demo"), this);
    m_startStop->setToolTip(tr("Start or stop the demo services on the embedded bus"));
    layout->addWidget(m_startStop);

    m_services = new QTreeWidget(this);
    m_services->setObjectName(QStringLiteral("demoServices"));
    m_services->setHeaderLabels({tr("Service"), tr("Published")});
    m_services->setRootIsDecorated(false);
    m_services->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_services->setToolTip(tr("Tick an optional consumer to add it live; the producer never changes"));
    layout->addWidget(m_services, 1);
    m_counters = new QLabel(this);
    m_counters->setWordWrap(true);
    layout->addWidget(m_counters);

    connect(m_startStop, &QPushButton::clicked, this, [this] {
        if (m_demo)
            emit stopRequested();
        else
            emit startRequested(scenario(), knobs());
    });
    for (QDoubleSpinBox *s : {m_rate, m_failure, m_lag, m_duplicates, m_v2})
        connect(s, &QDoubleSpinBox::valueChanged, this, &DemoPanel::applyKnobs);
    connect(m_scenario, &QComboBox::currentIndexChanged, this, [this] { rebuildServices(); });
    connect(m_services, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (m_updating || column != 0)
            return;
        toggleService(item->data(0, Qt::UserRole).toString(), item->checkState(0) == Qt::Checked);
    });
    rebuildServices();
}

DemoSystem::Scenario DemoPanel::scenario() const
{
    return static_cast<DemoSystem::Scenario>(m_scenario->currentData().toInt());
}

void DemoPanel::setScenario(DemoSystem::Scenario scenario)
{
    m_scenario->setCurrentIndex(m_scenario->findData(int(scenario)));
}

DemoSystem::Knobs DemoPanel::knobs() const
{
    DemoSystem::Knobs k;
    k.rate = m_rate->value();
    k.failureRate = m_failure->value() / 100.0;
    k.lag.meanMs = m_lag->value();
    k.lag.spreadMs = m_lag->value() / 2;
    k.duplicateRate = m_duplicates->value() / 100.0;
    k.v2Share = m_v2->value() / 100.0;
    return k;
}

void DemoPanel::setDemo(DemoSystem *demo)
{
    m_demo = demo;
    m_startStop->setText(demo ? tr("Stop demo") : tr("Start demo"));
    m_scenario->setEnabled(!demo);
    rebuildServices();
}

void DemoPanel::applyKnobs()
{
    if (!m_demo)
        return;
    DemoSystem::Knobs k = m_demo->knobs(); // keeps what this panel does not show (skew, seed)
    const DemoSystem::Knobs mine = knobs();
    k.rate = mine.rate;
    k.failureRate = mine.failureRate;
    k.lag = mine.lag;
    k.duplicateRate = mine.duplicateRate;
    k.v2Share = mine.v2Share;
    m_demo->setKnobs(k);
}

void DemoPanel::toggleService(const QString &name, bool run)
{
    if (!m_demo)
        return;
    const std::string n = name.toStdString();
    if (!(run ? m_demo->addConsumer(n) : m_demo->removeConsumer(n)))
        emit failed(tr("Could not %1 %2: %3")
                        .arg(run ? tr("add") : tr("remove"), name, QString::fromStdString(m_demo->error())));
    // Not now: this runs inside the item's own setData(), which still uses the item.
    QMetaObject::invokeMethod(this, &DemoPanel::rebuildServices, Qt::QueuedConnection);
}

void DemoPanel::rebuildServices()
{
    m_updating = true;
    m_services->clear();
    const std::vector<DemoSystem::ServiceInfo> list = m_demo ? m_demo->services() : DemoSystem::catalog(scenario());
    for (const DemoSystem::ServiceInfo &s : list) {
        auto *item = new QTreeWidgetItem(m_services);
        item->setText(0, QString::fromStdString(s.name) + (s.optional ? tr(" (optional)") : QString()));
        item->setData(0, Qt::UserRole, QString::fromStdString(s.name));
        item->setToolTip(0, tr("Reacts to: %1\nPublishes: %2")
                                .arg(QString::fromStdString([&] {
                                         std::string r;
                                         for (const auto &t : s.reactsTo)
                                             r += (r.empty() ? "" : ", ") + t;
                                         return r.empty() ? std::string("nothing (starts flows)") : r;
                                     }()),
                                     QString::fromStdString([&] {
                                         std::string r;
                                         for (const auto &t : s.publishes)
                                             r += (r.empty() ? "" : ", ") + t;
                                         return r.empty() ? std::string("nothing") : r;
                                     }())));
        if (!s.producer && m_demo) {
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(0, s.running ? Qt::Checked : Qt::Unchecked);
        }
        item->setText(1, m_demo ? QString::number(s.published) : QString());
    }
    m_updating = false;
    refresh();
}

void DemoPanel::refresh()
{
    if (!m_demo) {
        m_counters->setText(tr("Not running. The demo's services publish on the embedded bus, so other "
                               "subscribers see the same events."));
        return;
    }
    const DemoSystem::Counters c = m_demo->counters();
    m_counters->setText(tr("%1 flows · %2 events · %3 failures · %4 redelivered")
                            .arg(c.flowsStarted)
                            .arg(c.eventsPublished)
                            .arg(c.failures)
                            .arg(c.redeliveries));
    const std::vector<DemoSystem::ServiceInfo> list = m_demo->services();
    m_updating = true;
    for (int i = 0; i < m_services->topLevelItemCount() && i < int(list.size()); ++i)
        m_services->topLevelItem(i)->setText(1, QString::number(list[size_t(i)].published));
    m_updating = false;
}

} // namespace eventlens
