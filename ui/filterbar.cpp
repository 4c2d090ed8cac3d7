#include "ui/filterbar.h"

#include "ui/uitext.h"

#include "core/eventstore.h"
#include "ui/palette.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCompleter>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStringListModel>
#include <QTextCharFormat>

#include <functional>

namespace eventlens {

/// The query line. A subclass because QCompleter hands key presses to the widget's event()
/// directly (no event filter sees them): while the completion list is open, the keys that
/// choose or dismiss a completion must be left to it instead of applying the query.
class QueryEdit : public QLineEdit {
public:
    explicit QueryEdit(QWidget *parent) : QLineEdit(parent) { }

    QCompleter *completer = nullptr;
    std::function<void()> escaped;          ///< Escape on a query, with no completion list open
    std::function<void()> completionWanted; ///< Ctrl+Space

protected:
    bool event(QEvent *e) override
    {
        if (e->type() == QEvent::KeyPress && completer && completer->popup()->isVisible()) {
            switch (static_cast<QKeyEvent *>(e)->key()) {
            case Qt::Key_Return:
            case Qt::Key_Enter:
            case Qt::Key_Tab:
            case Qt::Key_Backtab:
            case Qt::Key_Escape:
                e->ignore(); // QCompleter completes or closes
                return false;
            default:
                break;
            }
        }
        return QLineEdit::event(e);
    }

    void keyPressEvent(QKeyEvent *e) override
    {
        if (e->key() == Qt::Key_Escape && e->modifiers() == Qt::NoModifier && !text().isEmpty()) {
            escaped();
            e->accept();
            return;
        }
        if (e->key() == Qt::Key_Space && (e->modifiers() & Qt::ControlModifier)) {
            completionWanted();
            e->accept();
            return;
        }
        QLineEdit::keyPressEvent(e);
    }
};

namespace {

qsizetype utf8Length(QStringView s)
{
    return s.toUtf8().size();
}

/// UTF-16 length of the first `bytes` bytes of `utf8`.
int utf16Length(const std::string &utf8, size_t bytes)
{
    return int(QString::fromUtf8(utf8.data(), qsizetype(std::min(bytes, utf8.size()))).size());
}

/// Underlines [start, start + length) of the line's text (UTF-16), or nothing. QLineEdit has
/// no API for formats; an input method event carrying only TextFormat attributes sets them
/// without touching the text or the selection.
void underline(QLineEdit *edit, int start, int length)
{
    QList<QInputMethodEvent::Attribute> attributes;
    if (length > 0) {
        QTextCharFormat format;
        format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        format.setUnderlineColor(QColor(palette::kSkew));
        format.setForeground(QColor(palette::kSkew));
        attributes.append({QInputMethodEvent::TextFormat, start - edit->cursorPosition(), length, format});
    }
    QInputMethodEvent event(QString(), attributes);
    QCoreApplication::sendEvent(edit, &event);
}

} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
    , m_edit(new QueryEdit(this))
    , m_error(new QLabel(this))
    , m_count(new QLabel(this))
    , m_completer(new QCompleter(this))
    , m_completions(new QStringListModel(this))
    , m_focusAction(new QAction(tr("Filter Events"), this))
{
    m_edit->setPlaceholderText(tr(R"(Filter, e.g. type:order.* source:payment-service lag>200ms is:skew "ORD-17")"));
    m_edit->setClearButtonEnabled(true);
    m_edit->setToolTip(tr("<p>Terms, all of which must hold:<br>"
                          "<code>type:</code> <code>source:</code> <code>topic:</code> names (<code>*</code> "
                          "wildcard) · <code>id:</code> <code>corr:</code> <code>cause:</code> id prefixes · "
                          "<code>cause.type:</code> <code>cause.source:</code> · <code>version&gt;=2</code> · "
                          "<code>lag&gt;200ms</code> · <code>is:</code>duplicate, redelivery, collision, skew, "
                          "ghost, root, rejected, cloudevent, nocorr · <code>text:\"…\"</code> or a word (raw "
                          "JSON).</p><p>A comma means or (<code>type:a,b</code>), <code>-</code> negates a "
                          "term.</p>"));
    m_edit->completer = m_completer;
    m_edit->escaped = [this] { clear(); };
    m_edit->completionWanted = [this] { updateCompletions(true); };

    m_error->setStyleSheet(QStringLiteral("color: %1").arg(QColor(palette::kSkew).name()));
    m_error->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // a long message must not widen the window
    m_error->setTextFormat(Qt::PlainText);
    m_error->hide();
    m_count->setTextFormat(Qt::PlainText);
    m_count->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 3);
    layout->addWidget(m_error, 2);
    layout->addWidget(m_count);

    m_completer->setModel(m_completions);
    m_completer->setWidget(m_edit);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setMaxVisibleItems(12);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this, &FilterBar::insertCompletion);

    m_pause.setSingleShot(true);
    m_pause.setInterval(kPauseMs);
    connect(&m_pause, &QTimer::timeout, this, [this] { apply(false); });
    connect(m_edit, &QLineEdit::textEdited, this, [this] { updateCompletions(false); });
    connect(m_edit, &QLineEdit::textChanged, this, &FilterBar::edited);
    connect(m_edit, &QLineEdit::returnPressed, this, [this] { apply(true); });

    // Not added to this widget: the window binds Ctrl+F (this action in a menu, or one of its
    // own calling focusFilter()); two bindings of one key would make Qt ignore both.
    m_focusAction->setShortcut(QKeySequence::Find);
    connect(m_focusAction, &QAction::triggered, this, &FilterBar::focusFilter);
}

QString FilterBar::quoted(std::string_view name)
{
    QString v = QString::fromUtf8(name.data(), qsizetype(name.size()));
    if (v.contains(QLatin1Char(' ')) || v.contains(QLatin1Char('"')) || v.contains(QLatin1Char(','))
        || v.contains(QLatin1Char(':'))) {
        v.replace(QLatin1Char('"'), QStringLiteral("\\\""));
        return QLatin1Char('"') + v + QLatin1Char('"');
    }
    return v;
}

FilterBar::~FilterBar() = default;

void FilterBar::setStore(const EventStore *store)
{
    m_store = store;
}

QString FilterBar::query() const
{
    return m_edit->text();
}

QString FilterBar::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

QString FilterBar::countText() const
{
    return m_count->text();
}

QLineEdit *FilterBar::lineEdit() const
{
    return m_edit;
}

void FilterBar::setCounts(size_t matched, size_t total)
{
    m_count->setText(matched == total ? tr("%1 rows").arg(grouped(total))
                                      : tr("%1 of %2").arg(grouped(matched), grouped(total)));
}

void FilterBar::setQuery(const QString &query)
{
    m_completer->popup()->hide();
    m_edit->setText(query);
    m_edit->setCursorPosition(int(query.size()));
    apply(false);
}

void FilterBar::focusFilter()
{
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->selectAll();
}

void FilterBar::clear()
{
    m_completer->popup()->hide();
    m_edit->clear();
    apply(false);
}

void FilterBar::edited()
{
    // The underline's span belongs to the text it was computed for.
    if (m_errorSpan.second > 0) {
        m_errorSpan = {0, 0};
        underline(m_edit, 0, 0);
    }
    if (m_edit->text().isEmpty())
        apply(false); // cleared (the clear button, Escape): show everything at once
    else
        m_pause.start();
}

void FilterBar::apply(bool always)
{
    m_pause.stop();
    const std::string query = m_edit->text().toStdString();
    EventFilter::Error error;
    std::optional<EventFilter> filter = EventFilter::parse(query, error);
    if (!filter) {
        showError(error, query);
        return;
    }
    showError(std::nullopt, query);
    if (!always && *filter == m_filter)
        return;
    m_filter = std::move(*filter);
    emit filterChanged(m_filter);
}

void FilterBar::showError(const std::optional<EventFilter::Error> &error, const std::string &query)
{
    if (!error) {
        m_error->hide();
        m_error->clear();
        if (m_errorSpan.second > 0) {
            m_errorSpan = {0, 0};
            underline(m_edit, 0, 0);
        }
        return;
    }
    const QString message = QString::fromStdString(error->message);
    m_error->setText(message);
    m_error->setToolTip(message);
    m_error->show();
    const int start = utf16Length(query, error->offset);
    m_errorSpan = {start, utf16Length(query, error->offset + error->length) - start};
    underline(m_edit, m_errorSpan.first, m_errorSpan.second);
}

void FilterBar::updateCompletions(bool evenForEmptyToken)
{
    static const EventStore noStore;
    const QString text = m_edit->text();
    const std::string utf8 = text.toStdString();
    const size_t cursor = size_t(utf8Length(QStringView(text).left(m_edit->cursorPosition())));
    const auto [start, end] = EventFilter::tokenAt(utf8, cursor);
    (void)end;
    const std::vector<std::string> candidates =
        start == cursor && !evenForEmptyToken ? std::vector<std::string>()
                                              : EventFilter::completions(utf8, cursor, m_store ? *m_store : noStore);
    const std::string typed = utf8.substr(start, cursor - start);
    if (candidates.empty() || (candidates.size() == 1 && candidates.front() == typed)) {
        m_completer->popup()->hide();
        return;
    }
    QStringList list;
    list.reserve(qsizetype(candidates.size()));
    for (const std::string &c : candidates)
        list << QString::fromStdString(c);
    m_completions->setStringList(list);
    m_completer->complete();
}

void FilterBar::insertCompletion(const QString &completion)
{
    const QString text = m_edit->text();
    const std::string utf8 = text.toStdString();
    const size_t cursor = size_t(utf8Length(QStringView(text).left(m_edit->cursorPosition())));
    const auto [a, b] = EventFilter::tokenAt(utf8, cursor);
    const int start = utf16Length(utf8, a), end = utf16Length(utf8, b);
    // A field name is followed by its value: complete on. A value ends the term.
    const bool field = completion.endsWith(':') || completion.endsWith('<') || completion.endsWith('>');
    QString replacement = completion;
    if (!field && end == text.size())
        replacement += ' ';
    m_edit->setText(text.left(start) + replacement + text.mid(end));
    m_edit->setCursorPosition(start + int(replacement.size()));
    if (field)
        QTimer::singleShot(0, this, [this] { updateCompletions(false); });
}

} // namespace eventlens
