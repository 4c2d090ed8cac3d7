#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace eventlens {

class Workspace;

/// Opens a recording into a new Workspace on a thread of its own, so the window that asked
/// stays responsive: progress can be read and the load cancelled from any thread. The
/// finished workspace is handed over with take(), after which the taker's thread owns it.
class WorkspaceLoad {
public:
    enum class Phase { Reading, Analysing, Done };

    /// Starts loading `path`. `finished` is called once, on the load thread, when the load
    /// ends in any way (loaded, failed or cancelled): post it to the owner's thread.
    WorkspaceLoad(std::string path, std::function<void()> finished = {});
    ~WorkspaceLoad(); ///< cancels and waits
    WorkspaceLoad(const WorkspaceLoad &) = delete;
    WorkspaceLoad &operator=(const WorkspaceLoad &) = delete;

    const std::string &path() const { return m_path; }
    void cancel() { m_cancel = true; }
    bool isFinished() const { return m_phase.load() == Phase::Done; }
    Phase phase() const { return m_phase.load(); }
    uint64_t bytesDone() const { return m_done.load(); }
    uint64_t bytesTotal() const { return m_total.load(); }

    /// After isFinished(): the loaded workspace, or nullptr with `error` set (the file could
    /// not be read, or "cancelled"). Waits for the load thread to end.
    std::unique_ptr<Workspace> take(std::string &error);

private:
    void run();

    std::string m_path;
    std::function<void()> m_finished;
    std::atomic<bool> m_cancel{false};
    std::atomic<Phase> m_phase{Phase::Reading};
    std::atomic<uint64_t> m_done{0}, m_total{0};
    std::unique_ptr<Workspace> m_result;
    std::string m_error;
    std::thread m_thread;
};

} // namespace eventlens
