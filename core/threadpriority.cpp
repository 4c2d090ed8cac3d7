#include "core/threadpriority.h"

#include <algorithm>
#include <atomic>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace eventlens {

namespace {
std::atomic<int> g_nice{0};
}

void setBackgroundNice(int increment)
{
    g_nice = std::clamp(increment, 0, 19);
}

int backgroundNice()
{
    return g_nice.load();
}

void lowerThisThreadToBackground()
{
    const int increment = g_nice.load();
    if (increment == 0)
        return;
#if defined(__linux__)
    // On Linux a nice value belongs to a thread (its kernel task id), not to the process.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    const int current = ::getpriority(PRIO_PROCESS, tid);
    ::setpriority(PRIO_PROCESS, tid, std::min(19, current + increment)); // raising nice needs no privilege
#endif
}

} // namespace eventlens
