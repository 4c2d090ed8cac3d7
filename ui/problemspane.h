#pragma once

#include "core/anomalies.h"
#include "core/rejectedinput.h"

#include <QStringList>
#include <QWidget>

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

class QLabel;
class QLineEdit;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace eventlens {

/// The Problems pane: what the analyses found (AnomalyAnalyzer's list) and the input that
/// was rejected, grouped by kind with the most severe first ("Unseen causes (12)"), each
/// item leading to its events or to the rejected input. Updated in place several times a
/// second while a session runs: groups the person expanded or collapsed stay so, the
/// selected item stays selected and the scroll position stays put. GUI thread.
///
/// Rejected input is listed from the rejects given to setProblems() — each one with where it
/// came from and why, the newest kMaxRejectsShown of them — rather than from the anomaly
/// list's Rejected items, which say the same (AnomalyAnalyzer::addRejected) but cannot lead
/// to the bytes. Those items are shown only when no rejects are given (a caller that has
/// just the anomaly list), so each rejected input appears once.
class ProblemsPane : public QWidget {
    Q_OBJECT
public:
    static constexpr size_t kMaxRejectsShown = 1000;

    explicit ProblemsPane(QWidget *parent = nullptr);
    ~ProblemsPane() override;

    /// Shows `anomalies` (as AnomalyAnalyzer::list() gives them) and `rejects` (oldest first;
    /// `rejectsForgotten` older ones no longer kept). Cheap when nothing changed.
    void setProblems(const std::vector<Anomaly> &anomalies, const std::deque<RejectedInput> &rejects,
                     uint64_t rejectsForgotten);

    /// "2 errors, 3 warnings, 1 info": findings by severity (each rejected input is one).
    QString summary() const;

signals:
    /// An anomaly was activated (clicked, or Enter): the events it names, most telling first.
    void eventsRequested(const QStringList &eventIds);
    /// A rejected input was activated: its index in the rejects of the last setProblems().
    void rejectRequested(size_t indexInRejects);

private:
    struct Child {
        QString key; ///< stable identity across updates (selection follows it)
        QString text;
        QString count;
        QString toolTip;
        QStringList eventIds;
        qint64 reject = -1; ///< absolute reject number (forgotten + index), or -1
    };
    QTreeWidgetItem *group(Anomaly::Kind kind);
    void removeGroup(Anomaly::Kind kind);
    void updateChildren(QTreeWidgetItem *group, const std::vector<Child> &children, const QString &more);
    static void setChild(QTreeWidgetItem *item, const Child &child);
    static QTreeWidgetItem *newChild(const Child &child);
    void activate(QTreeWidgetItem *item);
    void applyFilter();

    QLabel *m_summary;
    QLineEdit *m_filter;
    QStackedWidget *m_stack;
    QTreeWidget *m_tree;
    std::array<QTreeWidgetItem *, Anomaly::kKinds> m_groups{};
    /// What the person chose for each group (kept while the group is absent, too).
    std::array<std::optional<bool>, Anomaly::kKinds> m_expanded{};
    bool m_updating = false;
    size_t m_rejectsSize = 0;
    uint64_t m_rejectsForgotten = 0;
    bool m_rejectsListed = false; ///< the Rejected group shows `rejects` (not anomaly items)
    QString m_summaryText;
};

} // namespace eventlens
