#include "ui/problemspane.h"

#include "ui/uitext.h"

#include "core/textformat.h"

#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace eventlens {

namespace {

enum Columns { ProblemColumn, CountColumn, ColumnCount };
enum Roles { TypeRole = Qt::UserRole, KeyRole, IdsRole, RejectRole, KindRole };
enum ItemType { GroupItem, AnomalyItem, RejectItem, MoreItem };

/// Groups with more children than this start collapsed (until the person opens them).
constexpr int kExpandedUpTo = 50;

const QColor kMuted(0x5f, 0x63, 0x68);
const QColor kCalm(0x2e, 0x7d, 0x32);

QColor severityColor(Anomaly::Severity s)
{
    switch (s) {
    case Anomaly::Severity::Error:
        return {0xc6, 0x28, 0x28};
    case Anomaly::Severity::Warning:
        return {0xef, 0x6c, 0x00};
    case Anomaly::Severity::Info:
        return {0x19, 0x76, 0xd2};
    }
    return kMuted;
}

/// A filled dot in the severity's colour: the same mark in every style and theme.
QIcon severityIcon(Anomaly::Severity s)
{
    static std::array<QIcon, 3> icons;
    QIcon &icon = icons[static_cast<size_t>(s)];
    if (icon.isNull()) {
        for (int size : {12, 16, 24, 32}) {
            QPixmap pm(size, size);
            pm.fill(Qt::transparent);
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(Qt::NoPen);
            p.setBrush(severityColor(s));
            const qreal m = size / 6.0;
            p.drawEllipse(QRectF(m, m, size - 2 * m, size - 2 * m));
            p.end();
            icon.addPixmap(pm);
        }
    }
    return icon;
}

QString kindTitle(Anomaly::Kind kind)
{
    switch (kind) {
    case Anomaly::Kind::Rejected:
        return ProblemsPane::tr("Rejected input");
    case Anomaly::Kind::IdCollision:
        return ProblemsPane::tr("Id collisions");
    case Anomaly::Kind::Cycle:
        return ProblemsPane::tr("Causation cycles");
    case Anomaly::Kind::ConsumerStopped:
        return ProblemsPane::tr("Consumers that stopped reacting");
    case Anomaly::Kind::UnseenCause:
        return ProblemsPane::tr("Unseen causes");
    case Anomaly::Kind::Skew:
        return ProblemsPane::tr("Clock skew");
    case Anomaly::Kind::SchemaMix:
        return ProblemsPane::tr("Schema version mixes");
    case Anomaly::Kind::Redelivery:
        return ProblemsPane::tr("Redeliveries");
    case Anomaly::Kind::CrossFlow:
        return ProblemsPane::tr("Causes in another flow");
    }
    return {};
}

QString rejectText(const RejectedInput &r)
{
    return elided(r.where()) + QStringLiteral(": ") + elided(r.reason, 1000);
}

/// What makes a finding the same one from one update to the next, while its count and
/// sentence change ("1 reaction …" becomes "2 reactions …"): for most kinds the first event
/// it names (its first effect, first copy, first member of a cycle); a stopped consumer
/// names its newest causes, which change, so there it is the sentence up to its colon
/// ("inventory stopped reacting to order.placed").
QString keyOf(const Anomaly &a)
{
    const QString message = qs(a.message);
    QString key = QString::number(static_cast<int>(a.kind)) + QLatin1Char('|');
    if (a.kind == Anomaly::Kind::ConsumerStopped)
        return key + message.section(QLatin1Char(':'), 0, 0);
    if (a.eventIds.empty())
        return key + message;
    return key + qs(a.eventIds.front());
}

int typeOf(const QTreeWidgetItem *item)
{
    return item->data(ProblemColumn, TypeRole).toInt();
}

/// Groups in the order people read them: errors, warnings, information; then by kind.
std::array<Anomaly::Kind, Anomaly::kKinds> groupOrder()
{
    std::array<Anomaly::Kind, Anomaly::kKinds> order;
    for (int k = 0; k < Anomaly::kKinds; ++k)
        order[static_cast<size_t>(k)] = static_cast<Anomaly::Kind>(k);
    std::stable_sort(order.begin(), order.end(),
                     [](Anomaly::Kind a, Anomaly::Kind b) { return Anomaly::severityOf(a) > Anomaly::severityOf(b); });
    return order;
}

} // namespace

ProblemsPane::ProblemsPane(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_filter(new QLineEdit)
    , m_stack(new QStackedWidget)
    , m_tree(new QTreeWidget)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_stack);
    m_stack->setObjectName(QStringLiteral("pages"));

    auto *empty = new QLabel(tr("No problems found"));
    empty->setObjectName(QStringLiteral("noProblems"));
    empty->setAlignment(Qt::AlignCenter);
    QPalette p = empty->palette();
    p.setColor(QPalette::WindowText, kCalm);
    empty->setPalette(p);
    m_stack->addWidget(empty);

    auto *page = new QWidget;
    auto *v = new QVBoxLayout(page);
    v->setContentsMargins(4, 4, 4, 0);
    v->setSpacing(4);
    auto *top = new QHBoxLayout;
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setTextFormat(Qt::PlainText);
    top->addWidget(m_summary, 1);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setPlaceholderText(tr("Filter problems"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(260);
    top->addWidget(m_filter);
    v->addLayout(top);

    m_tree->setObjectName(QStringLiteral("problems"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Problem"), tr("Count")});
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setTextElideMode(Qt::ElideRight);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(ProblemColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(CountColumn, QHeaderView::Interactive);
    m_tree->setColumnWidth(CountColumn, 60);
    v->addWidget(m_tree, 1);
    m_stack->addWidget(page);

    connect(m_filter, &QLineEdit::textChanged, this, &ProblemsPane::applyFilter);
    connect(m_tree, &QTreeWidget::itemClicked, this, &ProblemsPane::activate);
    // Enter (and, on some platforms, a single click) activates; a double click already
    // went through itemClicked, so only activations without a mouse button count here.
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (QGuiApplication::mouseButtons() == Qt::NoButton)
            activate(item);
    });
    auto remember = [this](QTreeWidgetItem *item, bool expanded) {
        if (m_updating || typeOf(item) != GroupItem)
            return;
        m_expanded[static_cast<size_t>(item->data(ProblemColumn, KindRole).toInt())] = expanded;
    };
    connect(m_tree, &QTreeWidget::itemExpanded, this, [remember](QTreeWidgetItem *item) { remember(item, true); });
    connect(m_tree, &QTreeWidget::itemCollapsed, this, [remember](QTreeWidgetItem *item) { remember(item, false); });

    setProblems({}, {}, 0);
}

ProblemsPane::~ProblemsPane() = default;

QString ProblemsPane::summary() const
{
    return m_summaryText;
}

QTreeWidgetItem *ProblemsPane::group(Anomaly::Kind kind)
{
    QTreeWidgetItem *&g = m_groups[static_cast<size_t>(kind)];
    if (g)
        return g;
    g = new QTreeWidgetItem;
    g->setData(ProblemColumn, TypeRole, GroupItem);
    g->setData(ProblemColumn, KindRole, static_cast<int>(kind));
    g->setIcon(ProblemColumn, severityIcon(Anomaly::severityOf(kind)));
    QFont bold = g->font(ProblemColumn);
    bold.setBold(true);
    g->setFont(ProblemColumn, bold);
    g->setFlags(Qt::ItemIsEnabled);
    // Insert it where the order of groups puts it.
    int position = 0;
    for (Anomaly::Kind k : groupOrder()) {
        if (k == kind)
            break;
        if (m_groups[static_cast<size_t>(k)])
            ++position;
    }
    m_tree->insertTopLevelItem(position, g);
    return g;
}

void ProblemsPane::removeGroup(Anomaly::Kind kind)
{
    QTreeWidgetItem *&g = m_groups[static_cast<size_t>(kind)];
    delete g;
    g = nullptr;
}

void ProblemsPane::setChild(QTreeWidgetItem *item, const Child &child)
{
    // Only what changed: unchanged rows cost no repaint.
    if (item->text(ProblemColumn) != child.text)
        item->setText(ProblemColumn, child.text);
    if (item->text(CountColumn) != child.count)
        item->setText(CountColumn, child.count);
    if (item->toolTip(ProblemColumn) != child.toolTip)
        item->setToolTip(ProblemColumn, child.toolTip);
    if (item->data(ProblemColumn, IdsRole).toStringList() != child.eventIds)
        item->setData(ProblemColumn, IdsRole, child.eventIds);
}

QTreeWidgetItem *ProblemsPane::newChild(const Child &child)
{
    auto *item = new QTreeWidgetItem;
    item->setData(ProblemColumn, TypeRole, child.reject >= 0 ? RejectItem : AnomalyItem);
    item->setData(ProblemColumn, KeyRole, child.key);
    if (child.reject >= 0)
        item->setData(ProblemColumn, RejectRole, child.reject);
    item->setTextAlignment(CountColumn, Qt::AlignRight | Qt::AlignVCenter);
    setChild(item, child);
    return item;
}

void ProblemsPane::updateChildren(QTreeWidgetItem *group, const std::vector<Child> &children, const QString &more)
{
    // The "… N more" item, when there is one, is the first child.
    const bool hadMore = group->childCount() > 0 && typeOf(group->child(0)) == MoreItem;
    if (more.isEmpty() && hadMore) {
        delete group->takeChild(0);
    } else if (!more.isEmpty()) {
        QTreeWidgetItem *m = hadMore ? group->child(0) : new QTreeWidgetItem;
        if (!hadMore) {
            m->setData(ProblemColumn, TypeRole, MoreItem);
            m->setForeground(ProblemColumn, kMuted);
            QFont italic = m->font(ProblemColumn);
            italic.setItalic(true);
            m->setFont(ProblemColumn, italic);
            m->setFlags(Qt::ItemIsEnabled);
            group->insertChild(0, m);
        }
        if (m->text(ProblemColumn) != more)
            m->setText(ProblemColumn, more);
    }
    const int offset = more.isEmpty() ? 0 : 1;
    const int old = group->childCount() - offset;
    const int wanted = static_cast<int>(children.size());
    auto keyAt = [&](int i) { return group->child(offset + i)->data(ProblemColumn, KeyRole).toString(); };

    // The usual change while live: a few items fell off the front, a few arrived at the end,
    // the rest are the same ones in the same order (texts and counts may have changed).
    int drop = -1;
    if (old == 0) {
        drop = 0;
    } else if (wanted > 0) {
        for (int j = 0; j < old; ++j)
            if (keyAt(j) == children[0].key) {
                drop = j;
                break;
            }
        if (drop >= 0 && old - drop <= wanted) {
            for (int i = drop; i < old && drop >= 0; ++i)
                if (keyAt(i) != children[static_cast<size_t>(i - drop)].key)
                    drop = -1;
        } else {
            drop = -1;
        }
    }
    if (drop >= 0) {
        for (int i = 0; i < drop; ++i)
            delete group->takeChild(offset);
        const int kept = old - drop;
        for (int i = 0; i < kept; ++i)
            setChild(group->child(offset + i), children[static_cast<size_t>(i)]);
        QList<QTreeWidgetItem *> added;
        for (int i = kept; i < wanted; ++i)
            added << newChild(children[static_cast<size_t>(i)]);
        group->addChildren(added);
        return;
    }

    // Anything else: rebuild the group's items, keeping the current one by its key.
    QTreeWidgetItem *current = m_tree->currentItem();
    const QString currentKey =
        current && current->parent() == group ? current->data(ProblemColumn, KeyRole).toString() : QString();
    while (group->childCount() > offset)
        delete group->takeChild(group->childCount() - 1);
    QList<QTreeWidgetItem *> added;
    added.reserve(wanted);
    for (const Child &c : children)
        added << newChild(c);
    group->addChildren(added);
    if (!currentKey.isEmpty())
        for (QTreeWidgetItem *item : std::as_const(added))
            if (item->data(ProblemColumn, KeyRole).toString() == currentKey) {
                m_tree->setCurrentItem(item);
                break;
            }
}

void ProblemsPane::setProblems(const std::vector<Anomaly> &anomalies, const std::deque<RejectedInput> &rejects,
                               uint64_t rejectsForgotten)
{
    m_updating = true;
    QScrollBar *scroll = m_tree->verticalScrollBar();
    const int scrolled = scroll->value();

    const bool listRejects = !rejects.empty() || rejectsForgotten > 0;
    // Rejects are never changed once kept, so equal counts mean nothing new — unless these
    // are another workspace's: the newest one's text tells.
    bool rejectsChanged =
        listRejects != m_rejectsListed || rejects.size() != m_rejectsSize || rejectsForgotten != m_rejectsForgotten;
    if (!rejectsChanged && !rejects.empty()) {
        const QTreeWidgetItem *g = m_groups[static_cast<size_t>(Anomaly::Kind::Rejected)];
        const QTreeWidgetItem *newest = g && g->childCount() ? g->child(g->childCount() - 1) : nullptr;
        rejectsChanged = !newest || newest->text(ProblemColumn) != rejectText(rejects.back());
    }
    m_rejectsListed = listRejects;
    m_rejectsSize = rejects.size();
    m_rejectsForgotten = rejectsForgotten;

    std::array<std::vector<Child>, Anomaly::kKinds> byKind;
    std::array<uint64_t, Anomaly::kKinds> totals{};
    std::array<uint64_t, 3> bySeverity{};
    for (const Anomaly &a : anomalies) {
        if (listRejects && a.kind == Anomaly::Kind::Rejected)
            continue; // listed from `rejects`, with their bytes
        const auto k = static_cast<size_t>(a.kind);
        ++bySeverity[static_cast<size_t>(Anomaly::severityOf(a.kind))];
        totals[k] += a.count;
        Child c;
        c.text = elided(a.message, 1000);
        c.count = grouped(a.count);
        for (const std::string &id : a.eventIds)
            c.eventIds << qs(id);
        c.key = keyOf(a);
        c.toolTip = c.text;
        if (!c.eventIds.isEmpty())
            c.toolTip +=
                QLatin1Char('\n')
                + tr("Events: %1%2 (click to show them)")
                      .arg(c.eventIds.join(QStringLiteral(", ")),
                           a.count > static_cast<uint64_t>(c.eventIds.size()) ? QStringLiteral(", …") : QString());
        byKind[k].push_back(std::move(c));
    }
    const uint64_t rejectTotal = rejects.size() + rejectsForgotten;
    bySeverity[static_cast<size_t>(Anomaly::Severity::Error)] += rejectTotal;

    m_tree->setUpdatesEnabled(false);
    for (Anomaly::Kind kind : groupOrder()) {
        const auto k = static_cast<size_t>(kind);
        const bool rejected = kind == Anomaly::Kind::Rejected && listRejects;
        const bool present = rejected ? rejectTotal > 0 : !byKind[k].empty();
        if (!present) {
            removeGroup(kind);
            continue;
        }
        const bool fresh = m_groups[k] == nullptr;
        QTreeWidgetItem *g = group(kind);
        const uint64_t total = rejected ? rejectTotal : totals[k];
        const QString title = QStringLiteral("%1 (%2)").arg(kindTitle(kind), grouped(total));
        if (g->text(ProblemColumn) != title)
            g->setText(ProblemColumn, title);
        if (rejected) {
            if (fresh || rejectsChanged) {
                // The newest kMaxRejectsShown, in arrival order.
                const size_t shown = std::min(rejects.size(), kMaxRejectsShown);
                std::vector<Child> children;
                children.reserve(shown);
                for (size_t i = rejects.size() - shown; i < rejects.size(); ++i) {
                    const RejectedInput &r = rejects[i];
                    Child c;
                    c.reject = static_cast<qint64>(rejectsForgotten + i);
                    c.key = QString::number(c.reject);
                    c.text = rejectText(r);
                    c.toolTip = c.text + QLatin1Char('\n') + tr("Click to see its bytes");
                    children.push_back(std::move(c));
                }
                const uint64_t hidden = rejectTotal - shown;
                updateChildren(g, children,
                               hidden == 0   ? QString()
                               : hidden == 1 ? tr("… 1 earlier rejected input, not listed")
                                             : tr("… %1 earlier rejected inputs, not listed").arg(grouped(hidden)));
            }
        } else {
            updateChildren(g, byKind[k], QString());
        }
        if (fresh)
            g->setExpanded(m_expanded[k].value_or(g->childCount() <= kExpandedUpTo));
    }
    applyFilter();
    m_tree->setUpdatesEnabled(true);
    scroll->setValue(scrolled);

    QStringList parts;
    const char *names[3][2] = {{"info", "info"}, {"warning", "warnings"}, {"error", "errors"}};
    for (int s = 2; s >= 0; --s)
        if (const uint64_t n = bySeverity[static_cast<size_t>(s)])
            parts << grouped(n) + QLatin1Char(' ') + QLatin1String(names[s][n == 1 ? 0 : 1]);
    m_summaryText = parts.join(QStringLiteral(", "));
    if (m_summary->text() != m_summaryText)
        m_summary->setText(m_summaryText);
    m_stack->setCurrentIndex(parts.isEmpty() ? 0 : 1);
    m_updating = false;
}

void ProblemsPane::applyFilter()
{
    const QString needle = m_filter->text().trimmed();
    for (QTreeWidgetItem *g : m_groups) {
        if (!g)
            continue;
        const bool groupMatches = needle.isEmpty() || g->text(ProblemColumn).contains(needle, Qt::CaseInsensitive);
        int visible = 0;
        for (int i = 0; i < g->childCount(); ++i) {
            QTreeWidgetItem *c = g->child(i);
            const bool show =
                groupMatches
                || (typeOf(c) != MoreItem
                    && (c->text(ProblemColumn).contains(needle, Qt::CaseInsensitive)
                        || c->data(ProblemColumn, IdsRole).toStringList().contains(needle, Qt::CaseInsensitive)));
            if (c->isHidden() == show)
                c->setHidden(!show);
            visible += show;
        }
        const bool showGroup = groupMatches || visible > 0;
        if (g->isHidden() == showGroup)
            g->setHidden(!showGroup);
    }
}

void ProblemsPane::activate(QTreeWidgetItem *item)
{
    if (!item)
        return;
    switch (typeOf(item)) {
    case AnomalyItem: {
        const QStringList ids = item->data(ProblemColumn, IdsRole).toStringList();
        if (!ids.isEmpty())
            emit eventsRequested(ids);
        break;
    }
    case RejectItem: {
        const qint64 absolute = item->data(ProblemColumn, RejectRole).toLongLong();
        if (absolute >= static_cast<qint64>(m_rejectsForgotten)
            && absolute - static_cast<qint64>(m_rejectsForgotten) < static_cast<qint64>(m_rejectsSize))
            emit rejectRequested(static_cast<size_t>(absolute - static_cast<qint64>(m_rejectsForgotten)));
        break;
    }
    default:
        break;
    }
}

} // namespace eventlens
