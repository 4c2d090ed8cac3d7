#pragma once

#include "core/demo.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTreeWidget;

namespace eventlens {

/// The demo launcher: pick a scenario, start and stop it, and turn its knobs (rate, failure
/// rate, lag, redeliveries, v2 share) and its consumers (add or remove one live) while it
/// runs. The window owns the DemoSystem; this panel asks for it to start or stop and talks
/// to the running one through setDemo(). GUI thread.
class DemoPanel : public QWidget {
    Q_OBJECT
public:
    explicit DemoPanel(QWidget *parent = nullptr);

    /// The running demo (nullptr when none): the panel shows its services and applies the knobs.
    void setDemo(DemoSystem *demo);
    DemoSystem::Scenario scenario() const;
    void setScenario(DemoSystem::Scenario scenario);
    DemoSystem::Knobs knobs() const;
    /// Refreshes the counters and the service list (the window calls it a few times a second).
    void refresh();

signals:
    void startRequested(DemoSystem::Scenario scenario, const DemoSystem::Knobs &knobs);
    void stopRequested();
    /// A consumer could not be added or removed (the message names it and says why).
    void failed(const QString &message);

private:
    void applyKnobs();
    void toggleService(const QString &name, bool run);
    void rebuildServices();

    DemoSystem *m_demo = nullptr;
    QComboBox *m_scenario;
    QPushButton *m_startStop;
    QDoubleSpinBox *m_rate, *m_failure, *m_lag, *m_duplicates, *m_v2;
    QTreeWidget *m_services;
    QLabel *m_counters;
    bool m_updating = false;
};

} // namespace eventlens
