#pragma once

// What makes a monkey test's failure replayable: the seed and the last actions, printed when
// the process crashes (SIGSEGV, SIGABRT, … — which is also how assertions and sanitizer reports
// end), when a sanitizer reports, and when the GUI thread's event loop stalls. Used by
// tst_monkey; the log is written by the GUI thread, read by the watchdog thread and by signal
// handlers (which only write(2) what is already formatted).

#include <QCoreApplication>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include <execinfo.h>
#include <pthread.h>
#include <unistd.h>

extern "C" {
// Present when the test runs under AddressSanitizer / UBSan (weak: absent otherwise).
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
void __sanitizer_print_stack_trace() __attribute__((weak));
}

namespace monkey {

/// The last actions, as fixed-size lines a signal handler can print.
class ActionLog {
public:
    static constexpr int kKept = 20;
    static constexpr int kLength = 240;

    void setSeed(uint64_t seed) { m_seed = seed; }
    uint64_t seed() const { return m_seed; }

    /// An action starts (GUI thread): it is "in progress" until end().
    void begin(const char *text)
    {
        std::lock_guard lock(m_mutex);
        const uint64_t n = m_count.load();
        std::snprintf(m_lines[n % kKept], kLength, "#%llu %s", static_cast<unsigned long long>(n), text);
        m_count.store(n + 1);
        m_inProgress.store(true);
    }
    /// Replaces the text of the action in progress (what it turned out to do).
    void detail(const char *text)
    {
        std::lock_guard lock(m_mutex);
        const uint64_t n = m_count.load();
        if (n > 0)
            std::snprintf(m_lines[(n - 1) % kKept], kLength, "#%llu %s", static_cast<unsigned long long>(n - 1), text);
    }
    void end() { m_inProgress.store(false); }
    /// The latest action's line (GUI thread).
    std::string last()
    {
        std::lock_guard lock(m_mutex);
        const uint64_t n = m_count.load();
        return n ? std::string(m_lines[(n - 1) % kKept]) : std::string();
    }
    uint64_t count() const { return m_count.load(); }

    /// Writes the seed, how to replay, and the last actions to stderr. Async-signal-safe
    /// apart from reading lines the GUI thread may be writing (best effort in a crash).
    void dump(const char *why) const
    {
        char head[512];
        std::snprintf(head, sizeof head,
                      "\n=== MONKEY FAILURE: %s\n=== seed %llu (replay: EVENTLENS_MONKEY_SEED=%llu)\n"
                      "=== last %d of %llu actions, oldest first:\n",
                      why, static_cast<unsigned long long>(m_seed), static_cast<unsigned long long>(m_seed), kKept,
                      static_cast<unsigned long long>(m_count.load()));
        say(head);
        const uint64_t n = m_count.load();
        for (uint64_t i = n > uint64_t(kKept) ? n - kKept : 0; i < n; ++i) {
            say("    ");
            say(m_lines[i % kKept]);
            if (i + 1 == n && m_inProgress.load())
                say("   <-- in progress");
            say("\n");
        }
        say("=== end of monkey report\n");
    }

    static void say(const char *s) { [[maybe_unused]] auto r = ::write(2, s, std::strlen(s)); }

private:
    std::mutex m_mutex;
    char m_lines[kKept][kLength] = {};
    std::atomic<uint64_t> m_count{0};
    std::atomic<bool> m_inProgress{false};
    uint64_t m_seed = 0;
};

namespace detail {
inline ActionLog *g_log = nullptr;
inline std::atomic<bool> g_reported{false};
inline std::atomic<bool> g_stalled{false};
inline struct sigaction g_previous[32];
inline constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

inline void printStack()
{
    if (__sanitizer_print_stack_trace) {
        __sanitizer_print_stack_trace();
        return;
    }
    void *frames[64];
    const int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, 2);
}

inline void onSignal(int sig, siginfo_t *info, void *)
{
    if (g_log && !g_reported.exchange(true)) {
        char why[160];
        if (g_stalled.load())
            std::snprintf(why, sizeof why, "the GUI thread's event loop stalled (its stack follows)");
        else
            std::snprintf(why, sizeof why, "signal %d (%s)", sig, strsignal(sig));
        g_log->dump(why);
        if (g_stalled.load()) {
            ActionLog::say("=== GUI thread's stack:\n");
            printStack();
        }
    }
    // Hand the signal on to whoever had it before (the sanitizer, QtTest's handler, or the
    // default), so their report and the exit status are what they would have been.
    sigaction(sig, &g_previous[sig], nullptr);
    if (info && info->si_code > 0 && sig != SIGABRT)
        return; // a real fault: returning runs the faulting instruction again, into that handler
    raise(sig);
}

inline void onSanitizerDeath()
{
    if (g_log && !g_reported.exchange(true))
        g_log->dump("a sanitizer reported an error (its report is above)");
}
} // namespace detail

/// Prints `log` when the process dies of a signal or a sanitizer report; call from the GUI
/// thread after QTest has installed its own handlers (they are chained to, not replaced).
inline void installCrashReport(ActionLog *log)
{
    detail::g_log = log;
    for (int sig : detail::kSignals) {
        struct sigaction sa = {};
        sa.sa_sigaction = detail::onSignal;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        sigaction(sig, &sa, &detail::g_previous[sig]);
    }
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(detail::onSanitizerDeath);
}

inline void removeCrashReport()
{
    for (int sig : detail::kSignals)
        sigaction(sig, &detail::g_previous[sig], nullptr);
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(nullptr);
    detail::g_log = nullptr;
}

/// Fails the process when the GUI thread's event loop does not run for longer than a limit:
/// a timer on the GUI thread beats, a thread of its own checks the beat. On a stall it prints
/// the log (seed, last actions, the one in progress) and the GUI thread's stack, then aborts.
class Watchdog {
public:
    Watchdog(ActionLog &log, std::chrono::milliseconds limit) : m_log(log), m_limit(limit)
    {
        m_gui = pthread_self();
        beat();
        QObject::connect(&m_beat, &QTimer::timeout, [this] { beat(); });
        m_beat.start(50);
        m_thread = std::thread([this] { watch(); });
    }
    ~Watchdog()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    /// The longest the loop went without a beat so far (ms), and the action then in progress
    /// or last done (GUI thread).
    int64_t longestGapMs() const { return m_longest.load(); }
    const std::string &longestGapAction() const { return m_longestAction; }

private:
    static int64_t nowNs()
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    void beat()
    {
        const int64_t now = nowNs();
        const int64_t last = m_last.exchange(now);
        if (last && (now - last) / 1000000 > m_longest.load()) {
            m_longest.store((now - last) / 1000000);
            m_longestAction = m_log.last();
        }
    }
    void watch()
    {
        std::unique_lock lock(m_mutex);
        while (!m_wake.wait_for(lock, std::chrono::milliseconds(100), [this] { return m_stop; })) {
            const int64_t gapMs = (nowNs() - m_last.load()) / 1000000;
            if (gapMs <= m_limit.count() || detail::g_reported.load())
                continue; // (a crash being reported: its stack trace takes its time)
            char why[200];
            std::snprintf(why, sizeof why, "the GUI thread's event loop has not run for %lld ms (limit %lld ms)",
                          static_cast<long long>(gapMs), static_cast<long long>(m_limit.count()));
            ActionLog::say("\n=== MONKEY: ");
            ActionLog::say(why);
            ActionLog::say("\n");
            // The GUI thread reports itself (log and its own stack) from the signal handler.
            detail::g_stalled.store(true);
            pthread_kill(m_gui, SIGABRT);
            lock.unlock();
            std::this_thread::sleep_for(std::chrono::seconds(5));
            if (!detail::g_reported.exchange(true))
                m_log.dump(why); // the GUI thread could not even take a signal
            std::abort();
        }
    }

    ActionLog &m_log;
    std::chrono::milliseconds m_limit;
    pthread_t m_gui;
    QTimer m_beat;
    std::atomic<int64_t> m_last{0};
    std::atomic<int64_t> m_longest{0};
    std::string m_longestAction;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace monkey
