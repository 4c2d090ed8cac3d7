#include "core/timecursor.h"

#include <algorithm>

namespace eventlens {

namespace {
/// Events appended between two looks at the clock (and the most one append of copies takes).
constexpr size_t kChunk = 2048;
} // namespace

TimeCursor::TimeCursor(const Workspace &recording) : m_recording(recording)
{
    // The store's time index: by timestamp, then arrival (file order); sorted once, when the
    // recording was loaded.
    const EventStore &store = recording.store();
    m_order = store.inTimeRange(INT64_MIN, INT64_MAX); // (RFC 3339 times end in year 9999, long before)
    if (!m_order.empty()) {
        m_startNs = store.record(m_order.front()).timestampNs;
        m_endNs = store.record(m_order.back()).timestampNs;
    }
    // A bad line joins when the event before it in the file does (at once when none is).
    const std::deque<RejectedInput> &rejects = recording.rejects();
    m_rejectOrder.reserve(rejects.size());
    for (size_t n = 0; n < rejects.size(); ++n) {
        const uint32_t before = rejects[n].beforeEvent;
        const int64_t after = before > store.firstIndex() && store.contains(before - 1)
                                  ? store.record(before - 1).timestampNs
                                  : INT64_MIN;
        m_rejectOrder.push_back({after, n});
    }
    std::stable_sort(m_rejectOrder.begin(), m_rejectOrder.end(),
                     [](const PendingReject &a, const PendingReject &b) { return a.afterNs < b.afterNs; });
    m_cursorNs = m_startNs;
    restart();
}

TimeCursor::~TimeCursor() = default;

void TimeCursor::restart()
{
    m_retired = std::move(m_view);
    m_view = std::make_unique<Workspace>();
    m_appended = 0;
    m_rejectsIn = 0;
    m_target = countAtOrBefore(m_cursorNs);
}

size_t TimeCursor::countAtOrBefore(int64_t ns) const
{
    const EventStore &store = m_recording.store();
    return static_cast<size_t>(std::partition_point(m_order.begin(), m_order.end(),
                                                    [&](uint32_t i) { return store.record(i).timestampNs <= ns; })
                               - m_order.begin());
}

bool TimeCursor::moveTo(int64_t ns)
{
    m_retired.reset();
    const bool back = ns < m_cursorNs;
    m_cursorNs = ns;
    const size_t target = countAtOrBefore(ns);
    // Back past what the view holds: start afresh. (Back within events not yet appended,
    // or not past any event, needs nothing but a lower target.)
    const bool restartNeeded = back && (target < m_appended || rejectsDue() < m_rejectsIn);
    if (restartNeeded) {
        restart();
        return true;
    }
    m_target = target;
    return false;
}

size_t TimeCursor::rejectsDue() const
{
    // Those whose event before them in the file is at or before the cursor.
    return static_cast<size_t>(std::partition_point(m_rejectOrder.begin(), m_rejectOrder.end(),
                                                    [&](const PendingReject &r) { return r.afterNs <= m_cursorNs; })
                               - m_rejectOrder.begin());
}

int64_t TimeCursor::nextEventNs() const
{
    const size_t n = countAtOrBefore(m_cursorNs);
    return n < m_order.size() ? m_recording.store().record(m_order[n]).timestampNs : kNoTime;
}

int64_t TimeCursor::previousEventNs() const
{
    // The latest event stamped strictly before the cursor.
    const EventStore &store = m_recording.store();
    const auto it = std::partition_point(m_order.begin(), m_order.end(),
                                         [&](uint32_t i) { return store.record(i).timestampNs < m_cursorNs; });
    return it == m_order.begin() ? kNoTime : store.record(*(it - 1)).timestampNs;
}

Workspace::Update TimeCursor::poll(std::chrono::steady_clock::duration budget)
{
    m_retired.reset();
    const auto deadline = std::chrono::steady_clock::now() + budget;
    const EventStore &store = m_recording.store();
    const std::deque<RejectedInput> &rejects = m_recording.rejects();
    const size_t due = rejectsDue();
    Workspace::Update total;
    total.firstEvent = total.endEvent = m_view->store().endIndex();
    std::vector<const RejectedInput *> joining;
    while (m_appended < m_target || m_rejectsIn < due) {
        // Up to the next bad line due: the events stamped up to the one before it in the file.
        size_t end = m_target;
        joining.clear();
        if (m_rejectsIn < due) {
            const int64_t after = m_rejectOrder[m_rejectsIn].afterNs;
            end = std::min(end, countAtOrBefore(after));
            if (end <= m_appended)
                for (; m_rejectsIn < due && m_rejectOrder[m_rejectsIn].afterNs == after; ++m_rejectsIn)
                    joining.push_back(&rejects[m_rejectOrder[m_rejectsIn].reject]);
        }
        end = std::min(end, m_appended + kChunk);
        const std::span<const uint32_t> events(m_order.data() + m_appended, std::max(end, m_appended) - m_appended);
        const Workspace::Update u = m_view->appendCopies(store, events, joining);
        m_appended += events.size();
        total.endEvent = u.endEvent;
        total.newRejects += u.newRejects;
        total.droppedRejects += u.droppedRejects;
        if (std::chrono::steady_clock::now() >= deadline)
            break;
    }
    return total;
}

} // namespace eventlens
