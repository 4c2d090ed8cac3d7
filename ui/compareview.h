#pragma once

#include "core/flowcompare.h"
#include "core/flowgraph.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <array>
#include <cstdint>
#include <string>

class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;

namespace eventlens {

class EventStore;
class FlowGraphView;

/// Two flows side by side — one of recording A on the left, one of recording B (or of A
/// again) on the right — with what differs listed above them and marked on both graphs: event
/// types only A has (red outline, "not in B"), only B has (green, "not in A"), reactions that
/// got slower (thick orange edge with both lags) or faster (blue), links only one side has.
/// Matching is by shape (compareFlows()), so two runs with different ids compare well.
///
/// Each side has a picker of its recording's flows. Giving a side a store picks a flow for it:
/// the left its first flow, the right the flow of B most like the left's (matchingFlow(): the
/// same correlationId when B has it). Changing the left flow picks the right one again, unless
/// both sides show the same store (two flows of one recording are picked by hand). Clicking a
/// node selects it and its counterpart on the other side; clicking a difference selects the
/// events it is about.
///
/// The view keeps references to both stores: they must outlive it, or be replaced (setLeft(),
/// setRight()) or dropped (clearRight(), clear()) before they go. A store that grows (a live session) is
/// read again on refresh(). GUI thread only.
class CompareView : public QWidget {
    Q_OBJECT

public:
    enum Side { Left = 0, Right = 1 };
    Q_ENUM(Side)
    /// What the view marks on the graphs' items (GraphNodeItem::marks(), GraphEdgeItem::marks()),
    /// above FlowGraphView's own marks.
    enum Mark : uint32_t {
        Missing = 1u << 16, ///< node or edge: A has it, B has no counterpart (left graph)
        Extra = 1u << 17,   ///< node or edge: B has it, A has no counterpart (right graph)
        Slower = 1u << 18,  ///< edge: B reacts slower on this link (both graphs)
        Faster = 1u << 19,  ///< edge: B reacts faster (both graphs)
    };

    explicit CompareView(QWidget *parent = nullptr);
    ~CompareView() override;

    /// Recording A, the reference, named `title` (e.g. its file name); shows its first flow.
    void setLeft(const EventStore &store, const QString &title);
    /// Recording B (may be the same store as A), named `title`; shows its flow most like A's.
    void setRight(const EventStore &store, const QString &title);
    /// Stops showing recording B (before it is closed).
    void clearRight();
    /// Stops showing both recordings (before either is closed); reads neither store.
    void clear();
    /// Shows these flows (correlationIds) and compares them; an id a side does not have shows
    /// a hint on that side.
    void setFlows(const std::string &leftCorrelation, const std::string &rightCorrelation);
    /// Thresholds for slower and faster, and whether links are told apart by consumer.
    void setOptions(const FlowCompareOptions &options);
    /// Reads the stores again: new flows in the pickers, the shown flows rebuilt and compared.
    void refresh();

    /// The comparison shown; empty (no types, no edges) until both sides show a flow.
    const FlowComparison &comparison() const { return m_comparison; }
    std::string leftCorrelation() const { return m_sides[Left].flow; }
    std::string rightCorrelation() const { return m_sides[Right].flow; }

    // --- test hooks -------------------------------------------------------------------
    FlowGraphView *graph(Side side) const { return m_sides[side].view; }
    QComboBox *flowPicker(Side side) const { return m_sides[side].picker; }
    /// The differences as listed, top down.
    QStringList differences() const;
    /// The line over the list, as plain text ("4 differences of B from A", "Same shape…").
    QString headline() const;
    /// A side's line under its picker, as plain text ("6 events in 130 ms").
    QString sideSummary(Side side) const;

signals:
    /// An event was clicked on one side: its index in that side's store.
    void eventActivated(eventlens::CompareView::Side side, uint32_t storeIndex);

private:
    struct SideState {
        const EventStore *store = nullptr;
        std::string flow;
        FlowGraph graph;
        QLabel *title = nullptr;
        QComboBox *picker = nullptr;
        QLabel *summary = nullptr;
        FlowGraphView *view = nullptr;
    };

    QWidget *buildSide(Side side);
    void setTitle(Side side, const QString &title);
    void fillPicker(Side side);
    void pickerActivated(Side side, int index);
    void compare();
    void markGraph(Side side);
    void showSummaries();
    void nodeActivated(Side side, uint32_t storeIndex);
    void differenceActivated(QListWidgetItem *item);
    void select(Side side, size_t node);

    std::array<SideState, 2> m_sides;
    FlowCompareOptions m_options;
    FlowComparison m_comparison;
    std::vector<FlowDifference> m_differences;
    QLabel *m_headline;
    QListWidget *m_list;
};

} // namespace eventlens
