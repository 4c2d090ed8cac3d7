#pragma once

#include "core/workspace.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace eventlens {

/// Time travel over a recording: the recording as it stood at a moment (the cursor).
///
/// The view is a workspace of its own holding copies of the recording's events stamped at
/// or before the cursor, appended in timestamp order (ties: file order), with the analyses
/// of that workspace — so everything that reads a workspace (the table, a flow graph, the
/// topology, the charts, the anomalies) shows the state "as of" the cursor, as a live
/// session would have seen it had the events arrived in the order they are stamped. A bad
/// line of the file joins the view once the cursor passes the event just before it in the
/// file.
///
/// Moving the cursor forward only adds events (a flow graph grows); moving it back starts a
/// fresh view, filled again up to the cursor. Filling is incremental: poll() appends within
/// a time budget, so a GUI stays responsive while a cursor moved far into a big recording
/// catches up (about a million events a second here).
///
/// The recording must outlive the cursor and not change. One owner thread.
class TimeCursor {
public:
    explicit TimeCursor(const Workspace &recording);
    ~TimeCursor();
    TimeCursor(const TimeCursor &) = delete;
    TimeCursor &operator=(const TimeCursor &) = delete;

    /// The earliest and latest event timestamps of the recording (0 when it has no events).
    int64_t startNs() const { return m_startNs; }
    int64_t endNs() const { return m_endNs; }
    /// Where the cursor is: events stamped at or before it are "as of" it.
    int64_t cursorNs() const { return m_cursorNs; }

    /// Moves the cursor. True when the view started afresh (the cursor moved back): the
    /// owner shows view() anew. The previous view stays valid until the next moveTo() or
    /// poll(), so the owner can let go of it first.
    bool moveTo(int64_t ns);
    /// The timestamp of the first event after the cursor (kNoTime at the end) / of the last
    /// event before it (kNoTime at the start): where "next event" and "previous event" go.
    int64_t nextEventNs() const;
    int64_t previousEventNs() const;

    /// Appends, for about `budget`, the events up to the cursor that the view lacks (and the
    /// bad lines before them), then brings the view's analyses up to date.
    Workspace::Update poll(std::chrono::steady_clock::duration budget);
    /// Whether the view holds every event stamped at or before the cursor.
    bool caughtUp() const { return m_appended == m_target && m_rejectsIn == rejectsDue(); }

    Workspace &view() { return *m_view; }
    const Workspace &view() const { return *m_view; }
    const Workspace &recording() const { return m_recording; }
    /// Events stamped at or before the cursor, and of those, how many the view holds so far.
    size_t eventsAsOf() const { return m_target; }
    size_t eventsInView() const { return m_appended; }
    size_t totalEvents() const { return m_order.size(); }

private:
    void restart();
    size_t countAtOrBefore(int64_t ns) const;
    size_t rejectsDue() const; ///< m_rejectOrder[0, rejectsDue()) belong in the view as of the cursor

    const Workspace &m_recording;
    std::vector<uint32_t> m_order; ///< the recording's store indexes by timestamp, then file order
    struct PendingReject {
        int64_t afterNs; ///< joins once this time is passed: the timestamp of the event before it in the file
        size_t reject;   ///< index into the recording's rejects()
    };
    std::vector<PendingReject> m_rejectOrder; ///< by afterNs, then file order
    int64_t m_startNs = 0, m_endNs = 0;
    int64_t m_cursorNs = 0;
    size_t m_target = 0;    ///< m_order[0, m_target) are at or before the cursor
    size_t m_appended = 0;  ///< m_order[0, m_appended) are in the view
    size_t m_rejectsIn = 0; ///< m_rejectOrder[0, m_rejectsIn) are in the view
    std::unique_ptr<Workspace> m_view;
    std::unique_ptr<Workspace> m_retired; ///< the view before the last restart, until the next call
};

} // namespace eventlens
