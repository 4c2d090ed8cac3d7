#include "core/workspaceload.h"

#include "core/threadpriority.h"
#include "core/workspace.h"

namespace eventlens {

WorkspaceLoad::WorkspaceLoad(std::string path, std::function<void()> finished)
    : m_path(std::move(path)), m_finished(std::move(finished))
{
    m_thread = std::thread([this] {
        lowerThisThreadToBackground();
        run();
    });
}

WorkspaceLoad::~WorkspaceLoad()
{
    cancel();
    if (m_thread.joinable())
        m_thread.join();
}

void WorkspaceLoad::run()
{
    auto workspace = std::make_unique<Workspace>();
    std::string error;
    const bool ok = workspace->loadRecording(
        m_path,
        [this](uint64_t done, uint64_t total) {
            m_done = done;
            m_total = total;
            if (done >= total)
                m_phase = Phase::Analysing; // the reader is through; the analyses run next
            return !m_cancel.load();
        },
        error);
    if (ok && !m_cancel.load())
        m_result = std::move(workspace);
    else
        m_error = ok || error.empty() ? std::string("cancelled") : error;
    m_phase = Phase::Done;
    if (m_finished)
        m_finished();
}

std::unique_ptr<Workspace> WorkspaceLoad::take(std::string &error)
{
    if (m_thread.joinable())
        m_thread.join();
    error = m_error;
    return std::move(m_result);
}

} // namespace eventlens
