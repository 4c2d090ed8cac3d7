#pragma once

#include "core/eventdetails.h"

#include <QWidget>

#include <cstdint>
#include <string>

class QAction;
class QCheckBox;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;
class QTreeView;

namespace eventlens {

class EventStore;
class JsonTreeModel;
struct RejectedInput;

/// The Details pane: the selected event's envelope (ids, times, lags, cause and effects,
/// where it came from, flags), its JSON as an expandable tree and as text, and copy actions;
/// or a rejected input's reason and bytes. What it shows is made by core (EventDetails,
/// RejectDetails): parsing happens there, once, when an event is shown. The tree creates
/// items only for the nodes a person expands, so a 1 MiB event opens at once. GUI thread.
class DetailsPane : public QWidget {
    Q_OBJECT
public:
    explicit DetailsPane(QWidget *parent = nullptr);
    ~DetailsPane() override;

    /// Shows event `index` of `store` (copies what it needs: the store may change after).
    void showEvent(const EventStore &store, uint32_t index);
    /// Shows input that was not an event: the reason, where it came from, its bytes.
    void showRejected(const RejectedInput &reject);
    /// Shows the "Select an event" hint.
    void clear();

    /// The event shown (EventStore::kNone when none: a reject, or nothing).
    uint32_t shownEvent() const { return m_details.envelope.index; }

signals:
    /// The person asked to go to another event (the cause, an effect, the first copy).
    void eventRequested(uint32_t storeIndex);

protected:
    using QWidget::showEvent; // the QShowEvent handler; showEvent(store, index) is ours

private:
    enum Page { HintPage, EventPage, RejectPage };
    void buildEventPage();
    void buildRejectPage();
    void fillTree();
    const JsonNode *currentNode() const; ///< the tree's current value (not a More row)
    void updateRaw();
    void linkActivated(const QString &link);
    void copy(const QString &text);
    void setRow(QLabel *field, const QString &text);

    const EventStore *m_shownStore = nullptr; ///< only compared: is it the same event again?
    EventDetails m_details;
    std::string m_rawBytes; ///< the event's bytes as received (the store may evict them)
    RejectDetails m_reject;
    bool m_rawDirty = false;

    QStackedWidget *m_stack;
    // Event page.
    QLabel *m_header;
    QFormLayout *m_form;
    QLabel *m_eventId, *m_type, *m_source, *m_time, *m_received, *m_correlation, *m_causation, *m_effects, *m_topic,
        *m_origin, *m_flags, *m_duplicates, *m_size;
    QTabWidget *m_tabs;
    JsonTreeModel *m_model;
    QTreeView *m_tree;
    QLabel *m_treeNote;
    QPlainTextEdit *m_raw;
    QCheckBox *m_exact;
    QAction *m_copyEvent, *m_copyValue, *m_copyPointer, *m_copyId, *m_copyCorrelation;
    // Reject page.
    QLabel *m_rejectReason;
    QFormLayout *m_rejectForm;
    QLabel *m_rejectWhere, *m_rejectTopic, *m_rejectSize, *m_rejectReceived;
    QPlainTextEdit *m_rejectBytes;
};

} // namespace eventlens
