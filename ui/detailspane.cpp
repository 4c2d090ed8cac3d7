#include "ui/detailspane.h"

#include "ui/uitext.h"

#include "core/eventstore.h"
#include "core/rejectedinput.h"
#include "core/textformat.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <unordered_map>

namespace eventlens {

namespace {

enum Columns { KeyColumn, ValueColumn, TypeColumn, ColumnCount };

constexpr auto kEventLink = QLatin1String("event:");
constexpr size_t kMaxRawText = 256 * 1024; ///< bytes of text the Raw tab shows
const QColor kMuted(0x5f, 0x63, 0x68);
const QColor kError(0xc6, 0x28, 0x28);

/// An input string in rich text: escaped, and elided (a label lays out all it is given).
QString html(const std::string &s)
{
    return elided(s).toHtmlEscaped();
}

QString muted(const QString &htmlText)
{
    return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(kMuted.name(), htmlText);
}

QString eventLink(uint32_t index, const QString &text)
{
    return QStringLiteral("<a href=\"%1%2\">%3</a>").arg(kEventLink).arg(index).arg(text.toHtmlEscaped());
}

/// Values coloured by kind, as JSON viewers do, so strings and numbers read apart at a glance.
QColor valueColor(JsonNode::Kind kind)
{
    switch (kind) {
    case JsonNode::Kind::String:
        return {0x1b, 0x5e, 0x20};
    case JsonNode::Kind::Number:
        return {0x0d, 0x47, 0xa1};
    case JsonNode::Kind::Bool:
    case JsonNode::Kind::Null:
        return {0x6a, 0x1b, 0x9a};
    default:
        return kMuted;
    }
}

} // namespace

/// The JSON tree of the event shown, as an item model over core's JsonNode tree: rows are
/// made only for what the view asks (what is visible and expanded), nothing is copied.
/// Node addresses are stable while the JsonTree lives, so an index points at its node; the
/// parent of each node handed out is remembered, as a node does not know it. GUI thread.
class JsonTreeModel : public QAbstractItemModel {
public:
    explicit JsonTreeModel(QObject *parent) : QAbstractItemModel(parent) { }

    /// Shows `tree` (nullptr: nothing); it must outlive its use here.
    void setTree(const JsonTree *tree)
    {
        beginResetModel();
        m_parents.clear();
        m_wrapper = JsonNode{};
        m_top = nullptr;
        if (tree && tree->ok()) {
            if (tree->root.kind == JsonNode::Kind::Object || tree->root.kind == JsonNode::Kind::Array) {
                m_top = &tree->root;
            } else { // a bare scalar is one row
                m_wrapper.children.push_back(tree->root);
                m_top = &m_wrapper;
            }
        }
        endResetModel();
    }

    const JsonNode *node(const QModelIndex &index) const
    {
        return index.isValid() ? static_cast<const JsonNode *>(index.internalPointer()) : m_top;
    }

    /// The top-level row whose key is `key`, if any.
    QModelIndex topLevel(const std::string &key) const
    {
        for (size_t i = 0; m_top && i < m_top->children.size(); ++i)
            if (m_top->children[i].key == key)
                return index(static_cast<int>(i), KeyColumn, {});
        return {};
    }

    QModelIndex index(int row, int column, const QModelIndex &parent) const override
    {
        if (!hasIndex(row, column, parent))
            return {};
        const JsonNode *p = node(parent);
        const JsonNode *c = &p->children[static_cast<size_t>(row)];
        m_parents[c] = p;
        return createIndex(row, column, c);
    }

    QModelIndex parent(const QModelIndex &index) const override
    {
        if (!index.isValid())
            return {};
        const auto it = m_parents.find(node(index));
        if (it == m_parents.end() || it->second == m_top)
            return {};
        const JsonNode *p = it->second;
        const auto up = m_parents.find(p);
        if (up == m_parents.end())
            return {};
        // Siblings live in one vector: the row is the distance from the first.
        return createIndex(static_cast<int>(p - up->second->children.data()), KeyColumn, p);
    }

    int rowCount(const QModelIndex &parent) const override
    {
        if (parent.column() > 0)
            return 0;
        const JsonNode *n = node(parent);
        return n ? static_cast<int>(n->children.size()) : 0;
    }

    int columnCount(const QModelIndex &) const override { return ColumnCount; }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid))
            return {};
        const JsonNode &n = *node(index);
        const bool more = n.kind == JsonNode::Kind::More;
        switch (role) {
        case Qt::DisplayRole:
            switch (index.column()) {
            case KeyColumn:
                return elided(n.key);
            case ValueColumn:
                return qs(n.value);
            case TypeColumn:
                return n.cut ? DetailsPane::tr("string, %1 bytes").arg(grouped(n.size))
                             : QString::fromLatin1(JsonNode::kindName(n.kind));
            }
            break;
        case Qt::ForegroundRole:
            if (index.column() == ValueColumn)
                return valueColor(n.kind);
            if (index.column() == TypeColumn || more)
                return kMuted;
            break;
        case Qt::FontRole:
            if (more) {
                QFont italic;
                italic.setItalic(true);
                return italic;
            }
            break;
        case Qt::ToolTipRole:
            if (more)
                return DetailsPane::tr("Not shown here: Copy value on the parent copies all of it");
            if (n.cut && index.column() == ValueColumn)
                return DetailsPane::tr("Shortened: Copy value copies all of it");
            return elided(n.pointer);
        }
        return {};
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        switch (section) {
        case KeyColumn:
            return DetailsPane::tr("Key");
        case ValueColumn:
            return DetailsPane::tr("Value");
        case TypeColumn:
            return DetailsPane::tr("Type");
        }
        return {};
    }

private:
    const JsonNode *m_top = nullptr;
    JsonNode m_wrapper; ///< holds a scalar root as the one top-level row
    mutable std::unordered_map<const JsonNode *, const JsonNode *> m_parents;
};

namespace {

QLabel *valueLabel(bool links = false)
{
    auto *l = new QLabel;
    l->setWordWrap(true);
    l->setTextFormat(links ? Qt::RichText : Qt::PlainText);
    l->setTextInteractionFlags(links ? Qt::TextBrowserInteraction
                                     : Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    // Long ids must not widen the pane: the text wraps (or is cut) instead.
    l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    l->setMinimumWidth(40);
    return l;
}

QFormLayout *formLayout()
{
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignTop);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(3);
    return form;
}

QPlainTextEdit *monospaceView(const QString &name)
{
    auto *view = new QPlainTextEdit;
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return view;
}

} // namespace

DetailsPane::DetailsPane(QWidget *parent) : QWidget(parent), m_stack(new QStackedWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    m_stack->setObjectName(QStringLiteral("pages"));

    auto *hint = new QLabel(tr("Select an event"));
    hint->setObjectName(QStringLiteral("hint"));
    hint->setAlignment(Qt::AlignCenter);
    QPalette p = hint->palette();
    p.setColor(QPalette::WindowText, kMuted);
    hint->setPalette(p);
    m_stack->addWidget(hint);

    buildEventPage();
    buildRejectPage();
    clear();
}

DetailsPane::~DetailsPane()
{
    // The model points into m_details, which goes before the view (a child, deleted by ~QWidget).
    m_model->setTree(nullptr);
}

void DetailsPane::buildEventPage()
{
    auto *page = new QWidget;
    auto *v = new QVBoxLayout(page);
    v->setContentsMargins(8, 8, 8, 4);
    v->setSpacing(6);

    m_header = new QLabel;
    m_header->setObjectName(QStringLiteral("header"));
    m_header->setTextFormat(Qt::PlainText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setWordWrap(true);
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    QFont bold = m_header->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_header->setFont(bold);
    v->addWidget(m_header);

    // Actions: the ones about a tree value have keyboard shortcuts while the tree has focus.
    m_copyEvent = new QAction(tr("Copy JSON"), this);
    m_copyEvent->setObjectName(QStringLiteral("copyEvent"));
    m_copyEvent->setToolTip(tr("Copy the event's JSON as received (a recording's line as recorded)"));
    m_copyId = new QAction(tr("Copy ID"), this);
    m_copyId->setToolTip(tr("Copy the eventId"));
    m_copyId->setObjectName(QStringLiteral("copyEventId"));
    m_copyCorrelation = new QAction(tr("Copy correlation"), this);
    m_copyCorrelation->setToolTip(tr("Copy the correlationId"));
    m_copyCorrelation->setObjectName(QStringLiteral("copyCorrelationId"));
    m_copyValue = new QAction(tr("Copy value"), this);
    m_copyValue->setObjectName(QStringLiteral("copyValue"));
    m_copyValue->setShortcut(QKeySequence::Copy);
    m_copyValue->setShortcutContext(Qt::WidgetShortcut);
    m_copyValue->setToolTip(tr("Copy the selected value: a string's text, anything else as JSON"));
    m_copyPointer = new QAction(tr("Copy path"), this);
    m_copyPointer->setObjectName(QStringLiteral("copyPointer"));
    m_copyPointer->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_copyPointer->setShortcutContext(Qt::WidgetShortcut);
    m_copyPointer->setToolTip(tr("Copy the selected value's JSON pointer (RFC 6901), e.g. /data/items/0"));
    connect(m_copyEvent, &QAction::triggered, this, [this] { copy(QString::fromUtf8(m_rawBytes)); });
    connect(m_copyId, &QAction::triggered, this, [this] { copy(qs(m_details.envelope.eventId)); });
    connect(m_copyCorrelation, &QAction::triggered, this, [this] { copy(qs(m_details.envelope.correlationId)); });
    connect(m_copyValue, &QAction::triggered, this, [this] {
        if (const JsonNode *node = currentNode())
            copy(qs(m_details.tree.copyText(node->pointer)));
    });
    connect(m_copyPointer, &QAction::triggered, this, [this] {
        if (const JsonNode *node = currentNode())
            copy(qs(node->pointer));
    });

    // A tool bar: in a narrow dock the actions that do not fit go behind its » button.
    auto *actions = new QToolBar;
    actions->setObjectName(QStringLiteral("actions"));
    actions->setToolButtonStyle(Qt::ToolButtonTextOnly);
    actions->setFloatable(false);
    actions->setMovable(false);
    actions->addActions({m_copyEvent, m_copyId, m_copyCorrelation});
    actions->addSeparator();
    actions->addActions({m_copyValue, m_copyPointer});
    v->addWidget(actions);

    m_form = formLayout();
    auto add = [this](const QString &label, const char *name, bool links = false) {
        QLabel *l = valueLabel(links);
        l->setObjectName(QLatin1String(name));
        if (links)
            connect(l, &QLabel::linkActivated, this, &DetailsPane::linkActivated);
        m_form->addRow(label, l);
        return l;
    };
    m_eventId = add(tr("Event ID"), "eventId");
    m_type = add(tr("Type"), "type");
    m_source = add(tr("Source"), "source");
    m_time = add(tr("Time"), "time");
    m_received = add(tr("Received"), "received");
    m_correlation = add(tr("Correlation"), "correlation");
    m_causation = add(tr("Caused by"), "causation", true);
    m_effects = add(tr("Effects"), "effects", true);
    m_duplicates = add(tr("Duplicates"), "duplicates", true);
    m_topic = add(tr("Topic"), "topic");
    m_origin = add(tr("From"), "origin");
    m_flags = add(tr("Flags"), "flags");
    m_size = add(tr("Size"), "size");
    v->addLayout(m_form);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setDocumentMode(true);

    auto *treePage = new QWidget;
    auto *tv = new QVBoxLayout(treePage);
    tv->setContentsMargins(0, 4, 0, 0);
    m_treeNote = new QLabel;
    m_treeNote->setObjectName(QStringLiteral("treeNote"));
    m_treeNote->setWordWrap(true);
    m_treeNote->setTextFormat(Qt::PlainText);
    m_treeNote->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    tv->addWidget(m_treeNote);
    m_model = new JsonTreeModel(this);
    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("tree"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true); // cheap layout for 10 000 siblings
    m_tree->setAlternatingRowColors(true);
    m_tree->setTextElideMode(Qt::ElideRight);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(KeyColumn, QHeaderView::Interactive);
    m_tree->header()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(TypeColumn, QHeaderView::Interactive);
    m_tree->setColumnWidth(KeyColumn, 130);
    m_tree->setColumnWidth(TypeColumn, 60);
    m_tree->addAction(m_copyValue);
    m_tree->addAction(m_copyPointer);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QTreeView::customContextMenuRequested, this, [this](const QPoint &pos) {
        if (!m_tree->indexAt(pos).isValid())
            return;
        QMenu menu;
        menu.addAction(m_copyValue);
        menu.addAction(m_copyPointer);
        menu.addSeparator();
        menu.addAction(m_copyEvent);
        menu.exec(m_tree->viewport()->mapToGlobal(pos));
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        const bool value = currentNode() != nullptr;
        m_copyValue->setEnabled(value);
        m_copyPointer->setEnabled(value);
    });
    tv->addWidget(m_tree);
    m_tabs->addTab(treePage, tr("Tree"));

    auto *rawPage = new QWidget;
    auto *rv = new QVBoxLayout(rawPage);
    rv->setContentsMargins(0, 4, 0, 0);
    m_exact = new QCheckBox(tr("Exact bytes as received"));
    m_exact->setObjectName(QStringLiteral("exactBytes"));
    m_exact->setToolTip(
        tr("Off: indented for reading (tokens unchanged). On: the bytes as they arrived, in one line."));
    rv->addWidget(m_exact);
    m_raw = monospaceView(QStringLiteral("raw"));
    rv->addWidget(m_raw);
    m_tabs->addTab(rawPage, tr("Raw"));
    // The text is set when the Raw tab is looked at: most selections never need it.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { updateRaw(); });
    connect(m_exact, &QCheckBox::toggled, this, [this] {
        m_rawDirty = true;
        updateRaw();
    });
    v->addWidget(m_tabs, 1);

    m_stack->addWidget(page);
}

void DetailsPane::buildRejectPage()
{
    auto *page = new QWidget;
    auto *v = new QVBoxLayout(page);
    v->setContentsMargins(8, 8, 8, 4);
    v->setSpacing(6);

    auto *title = new QLabel(tr("Not an event: rejected input"));
    QFont bold = title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    title->setFont(bold);
    v->addWidget(title);

    m_rejectReason = valueLabel();
    m_rejectReason->setObjectName(QStringLiteral("rejectReason"));
    QPalette p = m_rejectReason->palette();
    p.setColor(QPalette::WindowText, kError);
    m_rejectReason->setPalette(p);
    v->addWidget(m_rejectReason);

    auto *copyBytes = new QAction(tr("Copy bytes"), this);
    copyBytes->setObjectName(QStringLiteral("copyRejectBytes"));
    copyBytes->setToolTip(tr("Copy the bytes as shown (text, or the hex dump)"));
    connect(copyBytes, &QAction::triggered, this, [this] { copy(m_rejectBytes->toPlainText()); });
    auto *copyReason = new QAction(tr("Copy reason"), this);
    copyReason->setObjectName(QStringLiteral("copyRejectReason"));
    connect(copyReason, &QAction::triggered, this,
            [this] { copy(qs(m_reject.where) + QStringLiteral(": ") + qs(m_reject.reason)); });
    auto *actions = new QToolBar;
    actions->setToolButtonStyle(Qt::ToolButtonTextOnly);
    actions->setFloatable(false);
    actions->setMovable(false);
    actions->addActions({copyBytes, copyReason});
    v->addWidget(actions);

    m_rejectForm = formLayout();
    auto add = [this](const QString &label, const char *name) {
        QLabel *l = valueLabel();
        l->setObjectName(QLatin1String(name));
        m_rejectForm->addRow(label, l);
        return l;
    };
    m_rejectWhere = add(tr("From"), "rejectWhere");
    m_rejectTopic = add(tr("Topic"), "rejectTopic");
    m_rejectReceived = add(tr("Received"), "rejectReceived");
    m_rejectSize = add(tr("Size"), "rejectSize");
    v->addLayout(m_rejectForm);

    m_rejectBytes = monospaceView(QStringLiteral("rejectBytes"));
    m_rejectBytes->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    v->addWidget(m_rejectBytes, 1);

    m_stack->addWidget(page);
}

void DetailsPane::clear()
{
    m_model->setTree(nullptr);
    m_shownStore = nullptr;
    m_details = EventDetails{};
    m_rawBytes.clear();
    m_reject = RejectDetails{};
    m_raw->clear();
    m_rejectBytes->clear();
    m_stack->setCurrentIndex(HintPage);
}

void DetailsPane::setRow(QLabel *field, const QString &text)
{
    field->setText(text);
    m_form->setRowVisible(field, !text.isEmpty());
}

void DetailsPane::showEvent(const EventStore &store, uint32_t index)
{
    if (!store.contains(index)) {
        clear();
        return;
    }
    // The same event again (a live update: new effects, a later copy): the envelope is
    // refreshed, the tree keeps what the person opened and selected.
    const bool same = m_stack->currentIndex() == EventPage && m_shownStore == &store
                      && m_details.envelope.index == index && m_rawBytes == store.raw(index);
    if (same) {
        m_details.envelope = EventEnvelope::of(store, index);
    } else {
        m_model->setTree(nullptr); // it points into m_details
        m_details = EventDetails::of(store, index);
        m_rawBytes.assign(store.raw(index));
        m_reject = RejectDetails{};
    }
    m_shownStore = &store;
    const EventEnvelope &e = m_details.envelope;

    m_header->setText(
        QStringLiteral("%1  ·  %2  ·  %3").arg(elided(e.eventType), elided(e.source), qs(formatClock(e.timestampNs))));
    m_header->setToolTip(elided(e.time));

    setRow(m_eventId, elided(e.eventId));
    setRow(m_type, e.defaultVersion ? tr("%1  v1 (no eventVersion)").arg(elided(e.eventType))
                                    : tr("%1  v%2").arg(elided(e.eventType)).arg(e.version));
    setRow(m_source, elided(e.source));
    setRow(m_time, elided(e.time));
    setRow(m_received,
           e.received.empty() ? QString() : tr("%1  (ingest lag %2)").arg(elided(e.received), elided(e.ingestLag)));
    setRow(m_correlation, e.correlationId.empty() ? tr("none") : elided(e.correlationId));

    QString cause;
    if (e.causationId.empty()) {
        cause = muted(tr("none: a root event"));
    } else if (!e.cause.seen()) {
        cause = html(e.causationId) + QStringLiteral("<br>")
                + muted(tr("not in the input: a command, or a lost event").toHtmlEscaped());
    } else {
        QString lag = tr("reaction lag %1").arg(elided(e.cause.lag)).toHtmlEscaped();
        if (e.cause.lagNs < 0)
            lag = QStringLiteral("<span style=\"color:%1\">%2</span>")
                      .arg(kError.name(), tr("stamped %1 before its cause (clock skew)")
                                              .arg(qs(formatDuration(-e.cause.lagNs)))
                                              .toHtmlEscaped());
        cause = eventLink(e.cause.index, elided(e.causationId)) + QStringLiteral(" · ") + html(e.cause.eventType)
                + QStringLiteral(" · ") + html(e.cause.source) + QStringLiteral("<br>") + lag;
    }
    m_causation->setText(cause);
    m_causation->setToolTip(e.cause.seen() ? tr("Go to the cause") : QString());
    m_form->setRowVisible(m_causation, true);

    QStringList effects;
    for (const EventEnvelope::Effect &f : e.effects)
        effects << eventLink(f.index, elided(f.eventId)) + QStringLiteral(" · ") + html(f.eventType)
                       + QStringLiteral(" · ") + html(f.source) + QStringLiteral(" · +") + html(f.lag);
    if (e.moreEffects)
        effects << muted(tr("… and %1 more").arg(grouped(e.moreEffects)).toHtmlEscaped());
    setRow(m_effects, effects.isEmpty() ? muted(tr("none seen")) : effects.join(QStringLiteral("<br>")));

    QString duplicates;
    if (e.firstOccurrence != e.index && e.firstOccurrence != EventEnvelope::kNone)
        duplicates =
            tr("a later copy of %1").arg(eventLink(e.firstOccurrence, tr("the first %1").arg(elided(e.eventId))));
    else if (e.duplicates)
        duplicates = (e.duplicates == 1 ? tr("1 later copy with this eventId")
                                        : tr("%1 later copies with this eventId").arg(grouped(e.duplicates)))
                         .toHtmlEscaped();
    setRow(m_duplicates, duplicates);
    setRow(m_topic, elided(e.topic));
    setRow(m_origin, elided(e.where()));
    m_origin->setToolTip(elided(e.origin));
    setRow(m_flags, elided(e.flagsText()));
    setRow(m_size, tr("%1 bytes").arg(grouped(e.rawBytes)));

    m_copyCorrelation->setEnabled(!e.correlationId.empty());
    if (!same) {
        fillTree();
        m_rawDirty = true;
        updateRaw();
    }
    m_stack->setCurrentIndex(EventPage);
}

void DetailsPane::fillTree()
{
    const JsonTree &tree = m_details.tree;
    QStringList notes;
    if (!tree.ok())
        notes << qs(tree.error);
    if (tree.replacedUtf8)
        notes << tr("Bytes that are not valid UTF-8 are shown as \uFFFD.");
    m_treeNote->setText(notes.join(QLatin1Char(' ')));
    m_treeNote->setVisible(!notes.isEmpty());
    m_copyValue->setEnabled(false);
    m_copyPointer->setEnabled(false);
    if (!tree.ok())
        return;

    m_model->setTree(&tree);
    // The payload is what people open an event for.
    for (const char *key : {"data", "metadata"})
        if (const QModelIndex index = m_model->topLevel(key); index.isValid())
            m_tree->expand(index);
}

const JsonNode *DetailsPane::currentNode() const
{
    const QModelIndex current = m_tree->currentIndex();
    const JsonNode *node = current.isValid() ? m_model->node(current) : nullptr;
    return node && node->kind != JsonNode::Kind::More ? node : nullptr;
}

void DetailsPane::updateRaw()
{
    if (!m_rawDirty || m_tabs->currentWidget() != m_raw->parentWidget())
        return;
    m_rawDirty = false;
    const bool exact = m_exact->isChecked();
    std::string_view text = exact ? std::string_view(m_rawBytes) : std::string_view(m_details.tree.pretty);
    // A text view takes about 0.3 s per MiB to lay out: a huge event shows its beginning
    // (cut at a line end, or a character boundary) and says so; the copy action has it all.
    QString note;
    if (text.size() > kMaxRawText) {
        size_t cut = exact ? kMaxRawText : text.rfind('\n', kMaxRawText);
        if (cut == std::string_view::npos || cut == 0)
            cut = kMaxRawText;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
        note = tr("\n… shown up to here: %1 of %2 bytes (Copy JSON copies all of them)")
                   .arg(grouped(cut), grouped(text.size()));
        text = text.substr(0, cut);
    }
    m_raw->setLineWrapMode(exact ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    m_raw->setPlainText(QString::fromUtf8(text.data(), qsizetype(text.size())) + note);
}

void DetailsPane::showRejected(const RejectedInput &reject)
{
    m_model->setTree(nullptr);
    m_shownStore = nullptr;
    m_details = EventDetails{};
    m_rawBytes.clear();
    m_raw->clear();
    m_reject = RejectDetails::of(reject);

    m_rejectReason->setText(elided(m_reject.reason, 4000));
    auto set = [this](QLabel *field, const QString &text) {
        field->setText(text);
        m_rejectForm->setRowVisible(field, !text.isEmpty());
    };
    set(m_rejectWhere, elided(m_reject.where));
    set(m_rejectTopic, elided(m_reject.topic));
    set(m_rejectReceived, elided(m_reject.received));
    QString size = m_reject.frames.size() > 1
                       ? tr("%1 bytes in %2 frames").arg(grouped(m_reject.bytes)).arg(m_reject.frames.size())
                       : tr("%1 bytes").arg(grouped(m_reject.bytes));
    if (m_reject.cut)
        size += tr(" (only the first 64 KiB of each frame were kept)");
    set(m_rejectSize, size);

    QString text;
    const size_t n = m_reject.frames.size();
    for (size_t i = 0; i < n; ++i) {
        const RejectDetails::Frame &f = m_reject.frames[i];
        if (n > 1 || f.hex) {
            QString title = n > 1 ? tr("frame %1 of %2, %3 bytes").arg(i + 1).arg(n).arg(grouped(f.bytes))
                                  : tr("%1 bytes").arg(grouped(f.bytes));
            if (f.hex)
                title += tr(", not text: hex");
            text += QStringLiteral("── %1 ──\n").arg(title);
        }
        text += qs(f.text);
        if (i + 1 < n && !text.endsWith(QLatin1Char('\n')))
            text += QLatin1Char('\n');
    }
    if (n == 0)
        text = tr("(no bytes)");
    // Text wraps; a hex dump keeps its columns.
    const bool hex = std::any_of(m_reject.frames.begin(), m_reject.frames.end(), [](const auto &f) { return f.hex; });
    m_rejectBytes->setLineWrapMode(hex ? QPlainTextEdit::NoWrap : QPlainTextEdit::WidgetWidth);
    m_rejectBytes->setPlainText(text);
    m_stack->setCurrentIndex(RejectPage);
}

void DetailsPane::linkActivated(const QString &link)
{
    if (!link.startsWith(kEventLink))
        return;
    bool ok = false;
    const uint32_t index = link.mid(kEventLink.size()).toUInt(&ok);
    if (ok)
        emit eventRequested(index);
}

void DetailsPane::copy(const QString &text)
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

} // namespace eventlens
