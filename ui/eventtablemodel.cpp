#include "ui/eventtablemodel.h"

#include "core/eventstore.h"
#include "core/rejectedinput.h"
#include "core/textformat.h"
#include "ui/palette.h"
#include "ui/uitext.h"

#include <QBrush>
#include <QColor>
#include <QThread>

#include <algorithm>
#include <climits>
#include <tuple>

namespace eventlens {

namespace {

constexpr QRgb kRejectedBackground = 0xffffe3e3;

/// "HH:mm:ss.zzz", UTC, built in place: data() allocates nothing but the QString.
QString clockText(int64_t ns)
{
    int64_t ms = ns / 1'000'000 - (ns % 1'000'000 < 0); // floor, for times before 1970
    int64_t ofDay = ms % 86'400'000;
    if (ofDay < 0)
        ofDay += 86'400'000;
    const int h = int(ofDay / 3'600'000), m = int(ofDay / 60'000 % 60), s = int(ofDay / 1000 % 60),
              z = int(ofDay % 1000);
    const char text[12] = {
        char('0' + h / 10), char('0' + h % 10), ':', char('0' + m / 10),  char('0' + m % 10),      ':',
        char('0' + s / 10), char('0' + s % 10), '.', char('0' + z / 100), char('0' + z / 10 % 10), char('0' + z % 10)};
    return QString::fromLatin1(text, 12);
}

/// Ids are long (UUIDs): the table shows their start, enough to tell flows apart and to
/// paste into `corr:` (which takes a prefix and ignores the ellipsis).
QString shortId(std::string_view id)
{
    constexpr size_t kShown = 8;
    if (id.size() <= kShown + 3)
        return QString::fromUtf8(id.data(), qsizetype(id.size()));
    size_t cut = kShown;
    while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80) // not inside a UTF-8 character
        --cut;
    QString s = QString::fromUtf8(id.data(), qsizetype(cut));
    s += QChar(0x2026);
    return s;
}

QString flagsText(int flags)
{
    QString s;
    auto add = [&s](QLatin1String word) {
        if (!s.isEmpty())
            s += QLatin1String(", ");
        s += word;
    };
    if (flags & EventTableModel::RejectedFlag)
        add(QLatin1String("rejected"));
    if (flags & EventTableModel::RedeliveryFlag)
        add(QLatin1String("redelivered"));
    else if (flags & EventTableModel::CollisionFlag)
        add(QLatin1String("collision"));
    else if (flags & EventTableModel::DuplicateFlag)
        add(QLatin1String("dup"));
    if (flags & EventTableModel::GhostCauseFlag)
        add(QLatin1String("ghost cause"));
    if (flags & EventTableModel::SkewFlag)
        add(QLatin1String("skew"));
    if (flags & EventTableModel::NoCorrelationFlag)
        add(QLatin1String("no corr"));
    return s;
}

QString flagsToolTip(int flags)
{
    QStringList lines;
    if (flags & EventTableModel::RedeliveryFlag)
        lines << EventTableModel::tr("Redelivered: an earlier event has this id and the same bytes.");
    if (flags & EventTableModel::CollisionFlag)
        lines << EventTableModel::tr("Id collision: an earlier event has this id with other content.");
    if (flags & EventTableModel::GhostCauseFlag)
        lines << EventTableModel::tr("Ghost cause: its causationId names no event in the store (a command, or a "
                                     "lost event).");
    if (flags & EventTableModel::SkewFlag)
        lines << EventTableModel::tr("Clock skew: stamped before its cause.");
    if (flags & EventTableModel::NoCorrelationFlag)
        lines << EventTableModel::tr("No correlationId.");
    return lines.join('\n');
}

} // namespace

EventTableModel::EventTableModel(QObject *parent) : QAbstractTableModel(parent)
{ }

EventTableModel::~EventTableModel() = default;

void EventTableModel::setSource(const EventStore *store, const std::deque<RejectedInput> *rejects)
{
    Q_ASSERT(thread() == QThread::currentThread());
    beginResetModel();
    m_store = store;
    m_rejects = store ? rejects : nullptr;
    m_rejectBase = 0;
    m_typeNames.clear();
    m_sourceNames.clear();
    rebuild();
    endResetModel();
}

void EventTableModel::setFilter(EventFilter filter)
{
    Q_ASSERT(thread() == QThread::currentThread());
    beginResetModel();
    m_filter = std::move(filter);
    rebuild();
    endResetModel();
}

void EventTableModel::rebuild()
{
    m_rows.clear();
    m_rows.shrink_to_fit(); // a narrower filter gives the memory back
    if (!m_store) {
        m_rejectEnd = m_rejectBase;
        m_firstEvent = m_endEvent = 0;
        return;
    }
    m_firstEvent = m_store->firstIndex();
    m_endEvent = m_store->endIndex();
    m_rejectEnd = m_rejectBase + (m_rejects ? m_rejects->size() : 0);
    appendMatching(m_firstEvent, m_endEvent, m_rejectBase, m_rejectEnd, m_rows);
}

void EventTableModel::appendMatching(uint32_t from, uint32_t end, uint64_t firstReject, uint64_t endReject,
                                     std::vector<Row> &out) const
{
    std::vector<uint32_t> events;
    m_filter.select(*m_store, from, end, events);
    std::vector<uint64_t> rejects;
    for (uint64_t n = firstReject; n < endReject; ++n) {
        const RejectedInput &r = (*m_rejects)[n - m_rejectBase];
        if (r.beforeEvent >= m_firstEvent && m_filter.matches(r))
            rejects.push_back(n);
    }
    out.reserve(out.size() + events.size() + rejects.size());
    // Merge: a reject goes before the first event that arrived after it.
    auto e = events.begin();
    for (uint64_t n : rejects) {
        const uint32_t before = (*m_rejects)[n - m_rejectBase].beforeEvent;
        for (; e != events.end() && *e < before; ++e)
            out.push_back(*e);
        out.push_back(kReject | n);
    }
    out.insert(out.end(), e, events.end());
}

std::vector<uint32_t> EventTableModel::matchedEvents() const
{
    std::vector<uint32_t> events;
    events.reserve(m_rows.size());
    for (Row row : m_rows)
        if (!(row & kReject))
            events.push_back(static_cast<uint32_t>(row));
    return events;
}

void EventTableModel::appended(uint32_t firstEvent, uint32_t endEvent, size_t newRejects, size_t droppedRejects)
{
    Q_ASSERT(thread() == QThread::currentThread());
    if (!m_store)
        return;
    (void)firstEvent; // the model knows where it stopped (m_endEvent); firstEvent should equal it
    m_rejectBase += droppedRejects;
    const uint64_t rejectEnd = m_rejectBase + (m_rejects ? m_rejects->size() : 0);
    Q_ASSERT(rejectEnd - m_rejectEnd == newRejects);
    (void)newRejects;
    const uint32_t first = m_store->firstIndex();

    // Evicted events and forgotten rejects leave: usually one run at the top.
    if (first > m_firstEvent || droppedRejects > 0) {
        auto gone = [&](Row row) {
            if (!(row & kReject))
                return row < first;
            const uint64_t n = row & ~kReject;
            return n < m_rejectBase || (*m_rejects)[n - m_rejectBase].beforeEvent < first;
        };
        std::vector<std::pair<size_t, size_t>> runs; // [begin, end)
        for (size_t i = 0; i < m_rows.size(); ++i) {
            if (!gone(m_rows[i]))
                continue;
            if (!runs.empty() && runs.back().second == i)
                ++runs.back().second;
            else
                runs.emplace_back(i, i + 1);
        }
        m_firstEvent = first;
        if (runs.size() > 8) {
            beginResetModel();
            std::erase_if(m_rows, gone);
            endResetModel();
        } else {
            for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
                beginRemoveRows({}, int(run->first), int(run->second - 1));
                m_rows.erase(m_rows.begin() + qsizetype(run->first), m_rows.begin() + qsizetype(run->second));
                endRemoveRows();
            }
        }
    }
    m_firstEvent = first;

    // New rows, with one insert.
    const uint32_t from = std::max(m_endEvent, first);
    const uint32_t end = std::max(std::min(endEvent, m_store->endIndex()), from);
    const uint64_t firstNewReject = std::max(m_rejectEnd, m_rejectBase);
    std::vector<Row> added;
    appendMatching(from, end, firstNewReject, rejectEnd, added);
    m_endEvent = end;
    m_rejectEnd = rejectEnd;
    if (added.empty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size() - 1));
    m_rows.insert(m_rows.end(), added.begin(), added.end());
    endInsertRows();
}

const RejectedInput *EventTableModel::reject(Row row) const
{
    const uint64_t n = row & ~kReject;
    if (!m_rejects || n < m_rejectBase || n - m_rejectBase >= m_rejects->size())
        return nullptr; // forgotten (only between the steps of an update)
    return &(*m_rejects)[n - m_rejectBase];
}

std::pair<uint64_t, int> EventTableModel::position(Row row) const
{
    if (!(row & kReject))
        return {row, 1};
    const RejectedInput *r = reject(row);
    return {r ? r->beforeEvent : 0, 0};
}

int EventTableModel::rowOfEvent(uint32_t index) const
{
    const auto it = std::partition_point(m_rows.begin(), m_rows.end(),
                                         [&](Row row) { return position(row) < std::pair<uint64_t, int>(index, 1); });
    return it != m_rows.end() && *it == index ? int(it - m_rows.begin()) : -1;
}

int EventTableModel::rowOfReject(size_t reject) const
{
    if (!m_rejects || reject >= m_rejects->size())
        return -1;
    const Row wanted = kReject | (m_rejectBase + reject);
    const auto key = std::tuple(uint64_t((*m_rejects)[reject].beforeEvent), 0, wanted);
    const auto it = std::partition_point(m_rows.begin(), m_rows.end(), [&](Row row) {
        const auto [pos, rank] = position(row);
        return std::tuple(pos, rank, row) < key;
    });
    return it != m_rows.end() && *it == wanted ? int(it - m_rows.begin()) : -1;
}

std::optional<uint32_t> EventTableModel::eventAt(int row) const
{
    if (row < 0 || size_t(row) >= m_rows.size() || (m_rows[size_t(row)] & kReject))
        return std::nullopt;
    return uint32_t(m_rows[size_t(row)]);
}

std::optional<size_t> EventTableModel::rejectAt(int row) const
{
    if (row < 0 || size_t(row) >= m_rows.size() || !(m_rows[size_t(row)] & kReject))
        return std::nullopt;
    const uint64_t n = m_rows[size_t(row)] & ~kReject;
    if (n < m_rejectBase)
        return std::nullopt;
    return size_t(n - m_rejectBase);
}

size_t EventTableModel::totalRows() const
{
    if (!m_store)
        return 0;
    size_t rejects = 0;
    if (m_rejects) {
        // Rejects come in arrival order, so their beforeEvent never decreases.
        const uint32_t first = m_store->firstIndex();
        rejects = size_t(m_rejects->end()
                         - std::partition_point(m_rejects->begin(), m_rejects->end(),
                                                [first](const RejectedInput &r) { return r.beforeEvent < first; }));
    }
    return m_store->size() + rejects;
}

int EventTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<size_t>(m_rows.size(), INT_MAX));
}

int EventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const QString &EventTableModel::typeName(uint16_t type) const
{
    if (type >= m_typeNames.size()) {
        const size_t known = m_typeNames.size();
        m_typeNames.resize(std::max<size_t>(m_store->typeCount(), type + 1u));
        for (size_t i = known; i < m_typeNames.size(); ++i)
            m_typeNames[i] = elided(m_store->typeName(uint16_t(i)));
    }
    return m_typeNames[type];
}

const QString &EventTableModel::sourceName(uint16_t source) const
{
    if (source >= m_sourceNames.size()) {
        const size_t known = m_sourceNames.size();
        m_sourceNames.resize(std::max<size_t>(m_store->sourceCount(), source + 1u));
        for (size_t i = known; i < m_sourceNames.size(); ++i)
            m_sourceNames[i] = elided(m_store->sourceName(uint16_t(i)));
    }
    return m_sourceNames[source];
}

int EventTableModel::eventFlags(uint32_t index) const
{
    const EventRecord &r = m_store->record(index);
    int flags = 0;
    if (r.flags & Duplicate)
        flags |= DuplicateFlag;
    if (r.flags & Redelivery)
        flags |= RedeliveryFlag;
    if (r.flags & IdCollision)
        flags |= CollisionFlag;
    if (r.correlationId == EventStore::kNone)
        flags |= NoCorrelationFlag;
    if (r.causationId == EventStore::kNone) {
        flags |= RootFlag;
    } else {
        const uint32_t cause = m_store->cause(index);
        if (cause == EventStore::kNone || !m_store->contains(cause))
            flags |= GhostCauseFlag;
        else if (r.timestampNs < m_store->record(cause).timestampNs)
            flags |= SkewFlag;
    }
    return flags;
}

QVariant EventTableModel::data(const QModelIndex &index, int role) const
{
    if (!m_store || !index.isValid() || index.row() >= int(m_rows.size()) || index.column() >= ColumnCount)
        return {};
    const Row row = m_rows[size_t(index.row())];
    if (row & kReject) {
        const uint64_t n = row & ~kReject;
        const RejectedInput *r = reject(row);
        if (!r) {
            if (role == Qt::DisplayRole && index.column() == Type)
                return tr("rejected");
            return {};
        }
        return rejectData(*r, size_t(n - m_rejectBase), index.column(), role);
    }
    if (!m_store->contains(uint32_t(row)))
        return {}; // evicted (only between the steps of an update)
    return eventData(uint32_t(row), index.column(), role);
}

QVariant EventTableModel::eventData(uint32_t index, int column, int role) const
{
    const EventRecord &r = m_store->record(index);
    auto lag = [&]() -> std::optional<int64_t> {
        if (r.causationId == EventStore::kNone)
            return std::nullopt;
        const uint32_t cause = m_store->cause(index);
        if (cause == EventStore::kNone || !m_store->contains(cause))
            return std::nullopt;
        return r.timestampNs - m_store->record(cause).timestampNs;
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Time:
            return clockText(r.timestampNs);
        case Type:
            return typeName(r.type);
        case Version:
            return int(r.version);
        case Source:
            return sourceName(r.source);
        case Correlation:
            return shortId(m_store->correlationId(index));
        case Causation:
            return shortId(m_store->causationId(index));
        case Lag:
            if (const auto ns = lag())
                return QString::fromStdString(formatDuration(*ns));
            return {};
        case Flags:
            return flagsText(eventFlags(index));
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case Time: {
            QString tip = QString::fromStdString(formatTime(r.timestampNs));
            if (r.receivedNs != kNoTime)
                tip += tr("\nreceived %1").arg(QString::fromStdString(formatTime(r.receivedNs)));
            return tip;
        }
        case Version:
            if (r.flags & DefaultVersion)
                return tr("No eventVersion: taken as 1.");
            return {};
        case Correlation:
            return elided(m_store->correlationId(index));
        case Causation: {
            if (r.causationId == EventStore::kNone)
                return tr("No causationId: the start of a flow.");
            const QString id = elided(m_store->causationId(index));
            const uint32_t cause = m_store->cause(index);
            if (cause == EventStore::kNone || !m_store->contains(cause))
                return tr("%1\nNot in the store: a command, or a lost event (ghost cause).").arg(id);
            return tr("%1\n%2 from %3")
                .arg(id, typeName(m_store->record(cause).type), sourceName(m_store->record(cause).source));
        }
        case Lag:
            if (lag())
                return tr("Reaction lag: this event's time minus its cause's.");
            return {};
        case Flags:
            return flagsToolTip(eventFlags(index));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == Lag || column == Version)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (column == Lag) {
            if (const auto ns = lag(); ns && *ns < 0)
                return QBrush(QColor(palette::kSkew));
        } else if (column == Causation && (eventFlags(index) & GhostCauseFlag)) {
            return QBrush(QColor(palette::kGhost));
        } else if (column == Flags) {
            const int flags = eventFlags(index);
            if (flags & (SkewFlag | CollisionFlag))
                return QBrush(QColor(palette::kSkew));
            if (flags & (RedeliveryFlag | GhostCauseFlag | NoCorrelationFlag))
                return QBrush(QColor(palette::kWarning));
        }
        return {};
    case Qt::BackgroundRole:
        if (column == Source)
            return QBrush(colorForSource(m_store->sourceName(r.source)));
        return {};
    case EventIndexRole:
        return uint(index);
    case CorrelationRole:
        return qs(m_store->correlationId(index));
    case EventIdRole:
        return qs(m_store->eventId(index));
    case CausationRole:
        return qs(m_store->causationId(index));
    case LagRole:
        if (const auto ns = lag())
            return qlonglong(*ns);
        return {};
    case TimeRole:
        return qlonglong(r.timestampNs);
    case FlagsRole:
        return eventFlags(index);
    }
    return {};
}

QVariant EventTableModel::rejectData(const RejectedInput &reject, size_t position, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Time:
            return reject.receivedNs == kNoTime ? QVariant() : QVariant(clockText(reject.receivedNs));
        case Type:
            return tr("rejected");
        case Source:
            return elided(reject.where());
        case Flags:
            return flagsText(RejectedFlag);
        }
        return {};
    case Qt::ToolTipRole:
        if (column == Time && reject.receivedNs != kNoTime)
            return tr("received %1").arg(QString::fromStdString(formatTime(reject.receivedNs)));
        return tr("Rejected (%1): %2").arg(elided(reject.where()), elided(reject.reason, 4000));
    case Qt::BackgroundRole:
        return QBrush(QColor(kRejectedBackground));
    case Qt::ForegroundRole:
        if (column == Flags)
            return QBrush(QColor(palette::kSkew));
        return {};
    case RejectIndexRole:
        return qulonglong(position);
    case TimeRole:
        return reject.receivedNs == kNoTime ? QVariant() : QVariant(qlonglong(reject.receivedNs));
    case FlagsRole:
        return int(RejectedFlag);
    }
    return {};
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Time:
            return tr("Time (UTC)");
        case Type:
            return tr("Type");
        case Version:
            return tr("Ver.");
        case Source:
            return tr("Source");
        case Correlation:
            return tr("Correlation");
        case Causation:
            return tr("Causation");
        case Lag:
            return tr("Lag");
        case Flags:
            return tr("Flags");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Time:
            return tr("When it occurred (producer clock), UTC");
        case Version:
            return tr("eventVersion");
        case Lag:
            return tr("Reaction lag: the event's time minus its cause's time; red when negative (clock skew)");
        case Flags:
            return tr("Duplicates, ghost causes, clock skew, rejected input");
        }
    } else if (role == Qt::TextAlignmentRole && (section == Lag || section == Version)) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

} // namespace eventlens
