#include "ui/compareview.h"

#include "ui/flowgraphview.h"
#include "ui/graphedgeitem.h"
#include "ui/graphnodeitem.h"
#include "ui/palette.h"
#include "ui/uitext.h"

#include "core/eventstore.h"
#include "core/textformat.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QShortcut>
#include <QSplitter>
#include <QStringListModel>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>

namespace eventlens {

namespace {

// What a difference looks like, on the graphs and in the list. Red and green as in a diff;
// orange as the palette's milder warnings; blue apart from the selection's lighter blue.
constexpr QRgb kMissing = 0xffc62828; ///< in A only
constexpr QRgb kExtra = 0xff2e7d32;   ///< in B only
constexpr QRgb kSlower = palette::kWarning;
constexpr QRgb kFaster = 0xff1565c0;
constexpr qreal kMarkedOutline = 3.5;
constexpr qreal kMarkedEdge = 2.6;
constexpr qreal kLagEdge = 4;
constexpr int kListRows = 8;     ///< differences shown without scrolling
constexpr int kTitleWidth = 200; ///< pixels of a side's file name, at most

using Match = FlowComparison::Match;
using Verdict = FlowComparison::Verdict;
using Kind = FlowDifference::Kind;

QRgb colorOf(Kind kind)
{
    switch (kind) {
    case Kind::Missing:
    case Kind::Fewer:
    case Kind::MissingLink:
        return kMissing;
    case Kind::Extra:
    case Kind::More:
    case Kind::ExtraLink:
        return kExtra;
    case Kind::Slower:
    case Kind::Longer:
        return kSlower;
    case Kind::Faster:
    case Kind::Shorter:
        return kFaster;
    }
    return palette::kText;
}

QIcon swatch(QRgb color)
{
    QPixmap p(12, 12);
    p.fill(Qt::transparent);
    QPainter painter(&p);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(color));
    painter.drawRoundedRect(QRectF(1, 1, 10, 10), 2, 2);
    return QIcon(p);
}

QString colored(QRgb color, const QString &text)
{
    return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(QColor(color).name(), text);
}

QString plain(const QString &richText)
{
    QTextDocument doc;
    doc.setHtml(richText);
    return doc.toPlainText();
}

QString duration(int64_t ns)
{
    return QString::fromStdString(formatDuration(ns));
}

/// A link's lag in A, then in B: "40 ms → 900 ms".
QString lagChange(const FlowComparison::EdgeDiff &d)
{
    return QStringLiteral("%1 \u2192 %2").arg(duration(*d.leftLagNs), duration(*d.rightLagNs));
}

} // namespace

CompareView::CompareView(QWidget *parent) : QWidget(parent)
{
    m_headline = new QLabel(this);
    m_headline->setTextFormat(Qt::RichText);
    m_headline->setWordWrap(true);
    m_list = new QListWidget(this);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setToolTip(QStringLiteral("Click a difference to select its events on both sides"));
    m_list->setUniformItemSizes(true);
    connect(m_list, &QListWidget::itemClicked, this, &CompareView::differenceActivated);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(buildSide(Left));
    splitter->addWidget(buildSide(Right));
    splitter->setChildrenCollapsible(false);
    splitter->setStretchFactor(0, 1); // two halves, whatever the titles
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_headline);
    layout->addWidget(m_list);
    layout->addWidget(splitter, 1);
    compare();

    // A window of its own: it closes as a dialog does (Esc) and as a document does (Ctrl+W).
    for (const QKeySequence &keys : {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::CTRL | Qt::Key_W)}) {
        auto *close = new QShortcut(keys, this);
        close->setContext(Qt::WidgetWithChildrenShortcut);
        connect(close, &QShortcut::activated, this, &QWidget::close);
    }
}

CompareView::~CompareView() = default;

QWidget *CompareView::buildSide(Side side)
{
    SideState &s = m_sides[side];
    auto *pane = new QWidget(this);
    s.title = new QLabel(pane);
    s.title->setTextFormat(Qt::RichText);
    s.picker = new QComboBox(pane);
    s.picker->setModel(new QStringListModel(s.picker)); // a big recording has many flows: one model, no items
    s.picker->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    s.picker->setMinimumContentsLength(14);
    s.picker->setToolTip(side == Left ? QStringLiteral("The flow of A (the reference)")
                                      : QStringLiteral("The flow of B compared with A's"));
    connect(s.picker, &QComboBox::activated, this, [this, side](int index) { pickerActivated(side, index); });
    s.summary = new QLabel(pane);
    s.summary->setTextFormat(Qt::RichText);
    s.view = new FlowGraphView(pane);
    s.view->setWaitsForLayout(true); // drawn on request: never left blank for a busy Graphviz
    connect(s.view, &FlowGraphView::eventActivated, this,
            [this, side](uint32_t storeIndex) { nodeActivated(side, storeIndex); });

    auto *header = new QHBoxLayout;
    header->addWidget(s.title);
    header->addWidget(s.picker);
    header->addWidget(s.summary, 1);
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(s.view, 1);
    return pane;
}

void CompareView::setLeft(const EventStore &store, const QString &title)
{
    SideState &s = m_sides[Left];
    s.store = &store;
    setTitle(Left, title);
    fillPicker(Left);
    s.flow = store.correlationCount() ? std::string(store.correlationName(0)) : std::string();
    if (m_sides[Right].store && m_sides[Right].store != &store)
        m_sides[Right].flow = matchingFlow(store, s.flow, *m_sides[Right].store);
    compare();
}

void CompareView::setRight(const EventStore &store, const QString &title)
{
    SideState &s = m_sides[Right];
    s.store = &store;
    setTitle(Right, title);
    fillPicker(Right);
    if (m_sides[Left].store)
        s.flow = matchingFlow(*m_sides[Left].store, m_sides[Left].flow, store);
    else
        s.flow = store.correlationCount() ? std::string(store.correlationName(0)) : std::string();
    compare();
}

void CompareView::setTitle(Side side, const QString &title)
{
    // A long file name is elided (in full in the tooltip), so both halves keep their width.
    const QString shown = m_sides[side].title->fontMetrics().elidedText(title, Qt::ElideMiddle, kTitleWidth);
    m_sides[side].title->setText(QStringLiteral("<b>%1</b> %2")
                                     .arg(side == Left ? QLatin1Char('A') : QLatin1Char('B'))
                                     .arg(shown.toHtmlEscaped()));
    m_sides[side].title->setToolTip(title);
}

void CompareView::clearRight()
{
    SideState &s = m_sides[Right];
    s.store = nullptr;
    s.flow.clear();
    s.title->clear();
    fillPicker(Right);
    compare();
}

void CompareView::clear()
{
    // Both stores first: compare() must not read a left store that is going.
    for (SideState &s : m_sides) {
        s.store = nullptr;
        s.flow.clear();
        s.title->clear();
    }
    fillPicker(Left);
    fillPicker(Right);
    compare();
}

void CompareView::setFlows(const std::string &leftCorrelation, const std::string &rightCorrelation)
{
    m_sides[Left].flow = leftCorrelation;
    m_sides[Right].flow = rightCorrelation;
    compare();
}

void CompareView::setOptions(const FlowCompareOptions &options)
{
    m_options = options;
    compare();
}

void CompareView::refresh()
{
    fillPicker(Left);
    fillPicker(Right);
    compare();
}

void CompareView::fillPicker(Side side)
{
    SideState &s = m_sides[side];
    QStringList flows;
    if (s.store) {
        flows.reserve(static_cast<qsizetype>(s.store->correlationCount()));
        for (size_t n = 0; n < s.store->correlationCount(); ++n)
            flows << qs(s.store->correlationName(n));
    }
    static_cast<QStringListModel *>(s.picker->model())->setStringList(flows);
    s.picker->setEnabled(!flows.isEmpty());
}

void CompareView::pickerActivated(Side side, int index)
{
    SideState &s = m_sides[side];
    if (!s.store || index < 0 || static_cast<size_t>(index) >= s.store->correlationCount())
        return;
    s.flow = std::string(s.store->correlationName(static_cast<size_t>(index)));
    const SideState &right = m_sides[Right];
    if (side == Left && right.store && right.store != s.store)
        m_sides[Right].flow = matchingFlow(*s.store, s.flow, *right.store);
    compare();
}

void CompareView::compare()
{
    for (int side : {Left, Right}) {
        SideState &s = m_sides[side];
        s.graph = s.store ? buildFlowGraph(*s.store, s.flow) : FlowGraph();
        // The picker shows the flow (-1 when the store has no such flow).
        const int index = s.picker->findText(QString::fromStdString(s.flow), Qt::MatchExactly | Qt::MatchCaseSensitive);
        s.picker->setCurrentIndex(index);
    }
    const bool both = !m_sides[Left].graph.empty() && !m_sides[Right].graph.empty();
    m_comparison = both ? compareFlows(*m_sides[Left].store, m_sides[Left].graph, *m_sides[Right].store,
                                       m_sides[Right].graph, m_options)
                        : FlowComparison();
    m_differences = both ? listDifferences(m_comparison) : std::vector<FlowDifference>();

    for (int side : {Left, Right}) {
        SideState &s = m_sides[side];
        // Drawn afresh every time: marks of an earlier comparison must not stay on the items.
        s.view->clear(QString());
        if (!s.store)
            s.view->clear(side == Left ? QStringLiteral("Open a recording to compare")
                                       : QStringLiteral("Open a second recording to compare with,\nor pick "
                                                        "another flow of the same one"));
        else if (s.store->correlationCount() == 0)
            s.view->clear(QStringLiteral("No flows in this recording (no event has a correlationId)"));
        else {
            // Slower and faster links show both lags: laid out with room for them.
            const FlowComparison::Side &c = side == Left ? m_comparison.left : m_comparison.right;
            std::vector<QString> labels(s.graph.edges.size());
            for (size_t e = 0; both && e < labels.size() && e < c.edges.size(); ++e) {
                if (c.edges[e] == FlowComparison::kNone || c.edgeMatch[e] != Match::Matched)
                    continue;
                const FlowComparison::EdgeDiff &d = m_comparison.edges[c.edges[e]];
                if ((d.verdict == Verdict::Slower || d.verdict == Verdict::Faster) && d.leftLagNs && d.rightLagNs)
                    labels[e] = lagChange(d);
            }
            s.view->setEdgeLabels(std::move(labels));
            s.view->setFlow(*s.store, s.graph);
        }
        if (both)
            markGraph(static_cast<Side>(side));
    }
    showSummaries();
}

void CompareView::markGraph(Side side)
{
    const SideState &s = m_sides[side];
    const FlowComparison::Side &c = side == Left ? m_comparison.left : m_comparison.right;
    const FlowGraph &g = s.graph;
    if (c.nodes.size() != g.nodes.size() || c.edges.size() != g.edges.size())
        return;
    const Match unmatched = side == Left ? Match::Missing : Match::Extra;
    const QColor color(side == Left ? kMissing : kExtra);
    const uint32_t mark = side == Left ? Missing : Extra;
    const QString otherName = side == Left ? QStringLiteral("B") : QStringLiteral("A");

    for (size_t n = 0; n < g.nodes.size(); ++n) {
        GraphNodeItem *item = s.view->nodeItemAt(n);
        if (!item || c.nodes[n] != unmatched)
            continue;
        GraphNodeItem::Style style = item->style();
        style.outline = color;
        style.outlineWidth = kMarkedOutline;
        style.dashed = false;
        item->setStyle(style);
        std::vector<GraphNodeItem::Badge> badges = item->badges();
        badges.insert(badges.begin(), {QStringLiteral("not in %1").arg(otherName), color, Qt::white});
        item->setBadges(std::move(badges));
        item->setMarks(item->marks() | mark);
        const QString type = qs(s.store->typeName(s.store->record(g.nodes[n].event).type));
        const auto t = std::find_if(m_comparison.types.begin(), m_comparison.types.end(),
                                    [&](const FlowComparison::TypeDiff &d) { return d.type == type.toStdString(); });
        if (t == m_comparison.types.end())
            continue; // not reached: every compared node's type is listed
        const uint32_t here = side == Left ? t->left : t->right, there = side == Left ? t->right : t->left;
        item->setToolTip(item->toolTip()
                         + QStringLiteral("\n\nNot in %1: %1 has %2 %3, %4 has %5")
                               .arg(otherName)
                               .arg(there)
                               .arg(type)
                               .arg(side == Left ? QStringLiteral("A") : QStringLiteral("B"))
                               .arg(here));
    }

    const QFont lagFont = pixelFont(11, true); // as FlowGraphView laid the label out (setEdgeLabels)
    for (size_t e = 0; e < g.edges.size(); ++e) {
        GraphEdgeItem *item = s.view->edgeItemAt(e);
        if (!item)
            continue;
        GraphEdgeItem::Style style = item->style();
        if (c.edgeMatch[e] == unmatched) {
            style.color = color;
            style.width = std::max(style.width, kMarkedEdge);
            if (!(item->marks() & FlowGraphView::Skew)) // "skew −30 ms" stays red: an error of its own
                style.labelColor = color;
            item->setStyle(style);
            item->setMarks(item->marks() | mark);
            item->setToolTip(item->toolTip() + QStringLiteral("\n\nNot in %1: no such link there").arg(otherName));
            continue;
        }
        if (c.edges[e] == FlowComparison::kNone || c.edgeMatch[e] != Match::Matched)
            continue;
        const FlowComparison::EdgeDiff &d = m_comparison.edges[c.edges[e]];
        if (d.verdict != Verdict::Slower && d.verdict != Verdict::Faster)
            continue;
        const bool slower = d.verdict == Verdict::Slower;
        style.color = QColor(slower ? kSlower : kFaster);
        style.width = kLagEdge;
        style.labelColor = style.color;
        style.dashed = false;
        item->setStyle(style);
        item->setZValue(0.6); // over the critical path
        item->setLabelKeepingLeft({lagChange(d)}, lagFont);
        item->setMarks(item->marks() | (slower ? Slower : Faster));
        item->setToolTip(QStringLiteral("%1 \u2192 %2 reacts %3 in B: %4 in A, %5 in B (medians over %6 and %7 "
                                        "such links)")
                             .arg(qs(d.causeType), qs(d.effectType),
                                  slower ? QStringLiteral("slower") : QStringLiteral("faster"), duration(*d.leftLagNs),
                                  duration(*d.rightLagNs))
                             .arg(d.left)
                             .arg(d.right));
    }
}

void CompareView::showSummaries()
{
    for (int side : {Left, Right}) {
        SideState &s = m_sides[side];
        const FlowGraph &g = s.graph;
        if (g.empty()) {
            s.summary->setText(s.store && !s.flow.empty()
                                   ? QStringLiteral("no flow %1").arg(QString::fromStdString(s.flow).toHtmlEscaped())
                                   : QString());
            continue;
        }
        const size_t events = g.eventCount();
        QString text = QStringLiteral("%1 event%2").arg(events).arg(events == 1 ? "" : "s");
        if (events > 1) {
            QString d = duration(g.durationNs());
            if (side == Right && m_comparison.duration == Verdict::Slower)
                d = colored(kSlower, QStringLiteral("<b>%1</b>").arg(d));
            else if (side == Right && m_comparison.duration == Verdict::Faster)
                d = colored(kFaster, QStringLiteral("<b>%1</b>").arg(d));
            text += QStringLiteral(" in %1").arg(d);
        }
        s.summary->setText(text);
    }

    m_list->clear();
    for (size_t i = 0; i < m_differences.size(); ++i) {
        const FlowDifference &d = m_differences[i];
        auto *item = new QListWidgetItem(swatch(colorOf(d.kind)), QString::fromStdString(d.text), m_list);
        item->setData(Qt::UserRole, static_cast<qulonglong>(i));
    }
    // As tall as its rows, up to kListRows (then it scrolls): the graphs get the rest.
    const int rows = std::clamp(m_list->count(), 1, kListRows);
    m_list->setFixedHeight(rows * m_list->sizeHintForRow(0) + 2 * m_list->frameWidth() + 2);
    const bool both = !m_sides[Left].graph.empty() && !m_sides[Right].graph.empty();
    m_list->setVisible(both && !m_differences.empty());
    if (!both) {
        m_headline->setText(QStringLiteral("Pick a flow on each side to compare them"));
        return;
    }
    const QString ratio = QString::fromStdString(formatSignificant(m_options.slowerRatio));
    const QString minimum = duration(m_options.minDifferenceNs);
    if (m_differences.empty()) {
        m_headline->setText(colored(kExtra, QStringLiteral("<b>Same shape</b>"))
                            + QStringLiteral(": the same event types and links; no reaction (nor the whole flow) "
                                             "×%1 and %2 slower or faster")
                                  .arg(ratio, minimum));
        return;
    }
    const size_t n = m_differences.size();
    m_headline->setText(
        QStringLiteral("<b>%1 difference%2 of B from A</b> &nbsp; %3 &nbsp; %4 &nbsp; %5 &nbsp; %6")
            .arg(n)
            .arg(n == 1 ? "" : "s")
            .arg(colored(kMissing, QStringLiteral("\u25a0 not in B")),
                 colored(kExtra, QStringLiteral("\u25a0 not in A")),
                 colored(kSlower,
                         QStringLiteral("\u25a0 slower in B (\u2265 \u00d7%1 and \u2265 %2)").arg(ratio, minimum)),
                 colored(kFaster, QStringLiteral("\u25a0 faster"))));
}

void CompareView::nodeActivated(Side side, uint32_t storeIndex)
{
    emit eventActivated(side, storeIndex);
    const FlowGraph &g = m_sides[side].graph;
    for (size_t n = 0; n < g.nodes.size(); ++n)
        if (!g.nodes[n].ghost && g.nodes[n].event == storeIndex) {
            select(side, n);
            const FlowComparison::Side &c = side == Left ? m_comparison.left : m_comparison.right;
            select(side == Left ? Right : Left, n < c.partner.size() ? c.partner[n] : FlowComparison::kNone);
            return;
        }
}

void CompareView::differenceActivated(QListWidgetItem *item)
{
    const size_t i = item->data(Qt::UserRole).toULongLong();
    if (i >= m_differences.size())
        return;
    const FlowDifference &d = m_differences[i];
    // The first event each side has of the type (a missing one: A's first unmatched), or the
    // effect of the first link of that kind.
    for (int side : {Left, Right}) {
        const FlowGraph &g = m_sides[side].graph;
        const FlowComparison::Side &c = side == Left ? m_comparison.left : m_comparison.right;
        size_t found = FlowComparison::kNone;
        if (d.type != FlowComparison::kNone) {
            const std::string &type = m_comparison.types[d.type].type;
            for (size_t n = 0; n < g.nodes.size() && found == FlowComparison::kNone; ++n)
                if (c.nodes[n] != Match::NotCompared && c.nodes[n] != Match::Matched
                    && m_sides[side].store->typeName(m_sides[side].store->record(g.nodes[n].event).type) == type)
                    found = n;
            for (size_t n = 0; n < g.nodes.size() && found == FlowComparison::kNone; ++n)
                if (c.nodes[n] != Match::NotCompared
                    && m_sides[side].store->typeName(m_sides[side].store->record(g.nodes[n].event).type) == type)
                    found = n;
        } else if (d.edge != FlowComparison::kNone) {
            for (size_t e = 0; e < g.edges.size() && found == FlowComparison::kNone; ++e)
                if (c.edges[e] == d.edge)
                    found = g.edges[e].effect;
        } else {
            found = g.latest; // the duration: where each flow ends
        }
        select(static_cast<Side>(side), found);
    }
}

void CompareView::select(Side side, size_t node)
{
    const FlowGraph &g = m_sides[side].graph;
    m_sides[side].view->setSelectedEvent(node < g.nodes.size() && !g.nodes[node].ghost ? g.nodes[node].event
                                                                                       : UINT32_MAX);
}

QStringList CompareView::differences() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out << m_list->item(i)->text();
    return out;
}

QString CompareView::headline() const
{
    return plain(m_headline->text());
}

QString CompareView::sideSummary(Side side) const
{
    return plain(m_sides[side].summary->text());
}

} // namespace eventlens
