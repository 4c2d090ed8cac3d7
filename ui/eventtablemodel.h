#pragma once

#include "core/eventfilter.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace eventlens {

class EventStore;
struct RejectedInput;

/// The event table: one row per event of the store that the filter keeps, and one per kept
/// rejected input (placed before the event that arrived after it, `RejectedInput::beforeEvent`).
///
/// It holds a list of row keys (store indexes, or reject numbers) and nothing per row:
/// millions of rows cost 8 bytes each, and data() formats a cell only when a view asks for
/// it (visible rows). Live updates come through appended(), once per poll: the new rows go
/// in with one insert, evicted ones out with one remove.
///
/// Belongs to the GUI thread, like the store and rejects it reads (the workspace's owner).
class EventTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { Time, Type, Version, Source, Correlation, Causation, Lag, Flags, ColumnCount };
    enum Roles {
        EventIndexRole = Qt::UserRole, ///< uint: store index (invalid for a rejected row)
        RejectIndexRole,               ///< qulonglong: index into the rejects deque (invalid for an event)
        CorrelationRole,               ///< QString: the whole correlationId (empty when none)
        EventIdRole,                   ///< QString: the whole eventId (empty for a rejected row)
        CausationRole,                 ///< QString: the whole causationId
        LagRole,                       ///< qlonglong ns: reaction lag (invalid without a cause in the store)
        TimeRole,                      ///< qlonglong ns since the epoch, UTC (invalid when unknown)
        FlagsRole,                     ///< int: RowFlag bits
    };
    /// What the Flags column shows, as bits (FlagsRole).
    enum RowFlag {
        DuplicateFlag = 1 << 0,
        RedeliveryFlag = 1 << 1,
        CollisionFlag = 1 << 2,
        GhostCauseFlag = 1 << 3,
        SkewFlag = 1 << 4,
        RejectedFlag = 1 << 5,
        NoCorrelationFlag = 1 << 6,
        RootFlag = 1 << 7,
    };

    explicit EventTableModel(QObject *parent = nullptr);
    ~EventTableModel() override;

    /// What to show (nullptr: nothing); the rows are rebuilt with the current filter.
    void setSource(const EventStore *store, const std::deque<RejectedInput> *rejects);
    /// Re-filters everything (one reset).
    void setFilter(EventFilter filter);
    const EventFilter &filter() const { return m_filter; }

    /// After a live poll: events [firstEvent, endEvent) and the last `newRejects` of the
    /// rejects are new; `droppedRejects` fell off the front of the (bounded) rejects deque.
    /// Rows of evicted events (store.firstIndex() rose) and of dropped rejects are removed
    /// first (one remove per contiguous run; normally one), then the new matching rows are
    /// inserted at the end with one insert. Rejects placed before the oldest retained event
    /// are not shown (their place in the table is gone).
    void appended(uint32_t firstEvent, uint32_t endEvent, size_t newRejects, size_t droppedRejects = 0);

    /// The row showing event `index`, or -1 (filtered out, evicted, unknown). O(log rows).
    int rowOfEvent(uint32_t index) const;
    /// The row showing reject `reject` (an index into the rejects deque), or -1.
    int rowOfReject(size_t reject) const;
    /// The store index of `row`, if it shows an event.
    std::optional<uint32_t> eventAt(int row) const;
    /// The index into the rejects deque of `row`, if it shows a reject.
    std::optional<size_t> rejectAt(int row) const;
    /// Rows (events and rejects) the filter keeps.
    size_t matchedRows() const { return m_rows.size(); }
    /// The events of the rows, in row order (rejects left out): what an export writes.
    std::vector<uint32_t> matchedEvents() const;
    /// Rows there would be with no filter: retained events and shown rejects.
    size_t totalRows() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    /// A row: a store index, or kReject | reject number (counted from the first reject ever
    /// seen, so rows stay valid while the deque drops its front).
    using Row = uint64_t;
    static constexpr Row kReject = Row(1) << 32;

    void rebuild();
    /// Where a row sorts: events by index, a reject just before its beforeEvent.
    std::pair<uint64_t, int> position(Row row) const;
    void appendMatching(uint32_t from, uint32_t end, uint64_t firstReject, uint64_t endReject,
                        std::vector<Row> &out) const;
    const RejectedInput *reject(Row row) const;
    QVariant eventData(uint32_t index, int column, int role) const;
    QVariant rejectData(const RejectedInput &reject, size_t position, int column, int role) const;
    int eventFlags(uint32_t index) const;
    const QString &typeName(uint16_t type) const;
    const QString &sourceName(uint16_t source) const;

    const EventStore *m_store = nullptr;
    const std::deque<RejectedInput> *m_rejects = nullptr;
    EventFilter m_filter;
    std::vector<Row> m_rows;
    uint64_t m_rejectBase = 0;                               ///< number of the rejects deque's front
    uint64_t m_rejectEnd = 0;                                ///< number after the newest reject seen
    uint32_t m_firstEvent = 0;                               ///< store.firstIndex() as of the last update
    uint32_t m_endEvent = 0;                                 ///< events below this were filtered
    mutable std::vector<QString> m_typeNames, m_sourceNames; ///< shared, so a cell copies no characters
};

} // namespace eventlens
