#pragma once

#include "core/eventfilter.h"

#include <QMetaType>
#include <QPair>
#include <QTimer>
#include <QWidget>

#include <string_view>

#include <optional>

class QAction;
class QCompleter;
class QLabel;
class QLineEdit;
class QStringListModel;

namespace eventlens {

class EventStore;
class QueryEdit;

/// The filter bar above the event table: a query line (EventFilter's language) with
/// completion of fields, `is:` values and the store's type/source/topic names, the parse
/// error shown inline (message beside the line, the bad span underlined), and the match
/// count. It emits filterChanged() on Enter and when typing pauses, only for queries that
/// parse and differ from the last one emitted.
///
/// Keys: Ctrl+F (bound by the window: focusAction() or focusFilter()) focuses it, Escape
/// clears it (or closes the completion list), Ctrl+Space completes an empty token, Tab or
/// Enter takes a completion.
/// GUI thread.
class FilterBar : public QWidget {
    Q_OBJECT
public:
    explicit FilterBar(QWidget *parent = nullptr);
    ~FilterBar() override;

    /// A name as a filter value (`source:…`), quoted when it needs to be.
    static QString quoted(std::string_view name);

    /// Where completions take names from (nullptr: field names only). Read on each keystroke.
    void setStore(const EventStore *store);

    QString query() const;
    /// The last filter emitted (the empty filter at first).
    const EventFilter &filter() const { return m_filter; }
    /// The parse error shown, or empty.
    QString errorText() const;
    /// The underlined span (UTF-16 start, length) of the error shown; length 0 when none.
    QPair<int, int> errorSpan() const { return m_errorSpan; }
    /// The match counter's text.
    QString countText() const;

    QLineEdit *lineEdit() const;
    QCompleter *completer() const { return m_completer; }
    /// An action with Ctrl+F that calls focusFilter(), for the window's menu. The bar does not
    /// bind it itself: Qt ignores a key bound twice in one window, and the window binds Ctrl+F.
    QAction *focusAction() const { return m_focusAction; }

    static constexpr int kPauseMs = 250;

public slots:
    /// "12 345 of 1 000 000" (or "1 000 000 events" when nothing is filtered out).
    void setCounts(size_t matched, size_t total);
    /// Shows `query` and applies it at once (emits filterChanged when it parses and is new);
    /// for other views that filter the table, e.g. a topology edge.
    void setQuery(const QString &query);
    void focusFilter();
    /// Empties the query (the table then shows everything).
    void clear();

signals:
    void filterChanged(const eventlens::EventFilter &filter);

private:
    void edited();
    void apply(bool always);
    void showError(const std::optional<EventFilter::Error> &error, const std::string &query);
    void updateCompletions(bool evenForEmptyToken);
    void insertCompletion(const QString &completion);

    QueryEdit *m_edit = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_count = nullptr;
    QCompleter *m_completer = nullptr;
    QStringListModel *m_completions = nullptr;
    QAction *m_focusAction = nullptr;
    QTimer m_pause;
    const EventStore *m_store = nullptr;
    EventFilter m_filter;
    QPair<int, int> m_errorSpan{0, 0};
};

} // namespace eventlens

Q_DECLARE_METATYPE(eventlens::EventFilter)
