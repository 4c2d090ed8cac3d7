#include "ui/graphlayout.h"

#include <QStringList>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

// The dot layout plugin, linked in (ui/CMakeLists.txt) so that no plugin configuration is needed.
extern "C" {
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
}

namespace eventlens {

namespace {

// Our own builtin list rather than the conventional global `lt_preloaded_symbols`: that name
// is Graphviz's extern, and an application defining it twice would not link.
const lt_symlist_t kBuiltins[] = {
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {nullptr, nullptr},
};

/// Graphviz's API takes `char *` for strings it only reads.
char *cstr(const char *s)
{
    return const_cast<char *>(s);
}

/// Graphviz reports problems through a process-wide callback: collected here while a
/// layout runs (the GUI thread is the only caller).
QString *g_messages = nullptr;

int collectMessage(char *message)
{
    if (g_messages)
        g_messages->append(QString::fromLocal8Bit(message));
    return 0;
}

/// Sends Graphviz's messages to `sink` for the scope's lifetime, instead of stderr.
class MessageCapture {
public:
    explicit MessageCapture(QString &sink) : m_previous(agseterrf(collectMessage)) { g_messages = &sink; }
    ~MessageCapture()
    {
        agseterrf(m_previous);
        g_messages = nullptr;
    }
    MessageCapture(const MessageCapture &) = delete;
    MessageCapture &operator=(const MessageCapture &) = delete;

private:
    agusererrf m_previous;
};

/// Errors among Graphviz's messages (warnings dropped), on one line.
QString errorsIn(const QString &messages)
{
    QStringList errors;
    for (const QString &line : messages.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        if (!line.startsWith(QLatin1String("Warning")))
            errors << line.trimmed();
    return errors.join(QLatin1Char(' '));
}

bool hasDotLayout(GVC_t *gvc)
{
    int count = 0;
    char **list = gvPluginList(gvc, "layout", &count, nullptr);
    bool found = false;
    for (int i = 0; i < count; ++i) {
        // Entries read "dot" or, from some versions, "dot:<package>".
        const std::string name = list[i];
        found = found || name == "dot" || name.rfind("dot:", 0) == 0;
        std::free(list[i]);
    }
    std::free(list);
    return found;
}

/// The one Graphviz context, made on first use: the linked-in dot plugin first, then
/// Graphviz's own plugin loading.
struct Context {
    GVC_t *gvc = nullptr;
    QString error; ///< why there is no usable context

    Context()
    {
        QString messages;
        const MessageCapture capture(messages);
        gvc = gvContextPlugins(kBuiltins, 0);
        if (gvc && hasDotLayout(gvc))
            return;
        if (gvc)
            gvFreeContext(gvc);
        gvc = gvContext();
        if (gvc && hasDotLayout(gvc))
            return;
        if (gvc)
            gvFreeContext(gvc);
        gvc = nullptr;
        error = QStringLiteral("Graphviz has no 'dot' layout plugin: neither the linked-in one nor "
                               "libgvplugin_dot_layout from Graphviz's plugin directory could be loaded");
        const QString reason = errorsIn(messages);
        if (!reason.isEmpty())
            error += QStringLiteral(" (%1)").arg(reason);
    }
    ~Context()
    {
        if (gvc)
            gvFreeContext(gvc);
    }
    Context(const Context &) = delete;
    Context &operator=(const Context &) = delete;
};

Context &context()
{
    static Context c;
    return c;
}

/// A length in points as Graphviz's inches.
std::string inches(double points)
{
    return std::to_string(points / 72.0);
}

/// Graphviz lengths are bounded; a broken size must not make dot allocate without end.
double clampPoints(double v)
{
    return std::isfinite(v) ? std::clamp(v, 1.0, 20000.0) : 1.0;
}

/// A label that is an empty box of the given size: dot keeps exactly that much room.
std::string labelBox(QSizeF size)
{
    const int w = static_cast<int>(std::ceil(std::clamp(size.width(), 1.0, 4000.0)));
    const int h = static_cast<int>(std::ceil(std::clamp(size.height(), 1.0, 4000.0)));
    return "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\"><TR><TD FIXEDSIZE=\"TRUE\" "
           "WIDTH=\""
           + std::to_string(w) + "\" HEIGHT=\"" + std::to_string(h) + "\"></TD></TR></TABLE>";
}

/// Closes the graph (and frees its layout) whatever way layout() leaves.
class GraphHolder {
public:
    GraphHolder(GVC_t *gvc, Agraph_t *g) : m_gvc(gvc), m_graph(g) { }
    ~GraphHolder()
    {
        if (m_laidOut)
            gvFreeLayout(m_gvc, m_graph);
        agclose(m_graph);
    }
    GraphHolder(const GraphHolder &) = delete;
    GraphHolder &operator=(const GraphHolder &) = delete;
    void setLaidOut() { m_laidOut = true; }

private:
    GVC_t *m_gvc;
    Agraph_t *m_graph;
    bool m_laidOut = false;
};

} // namespace

std::vector<bool> GraphLayout::backEdges() const
{
    // Depth first from each node in order, as dot does: an edge to a node still on the walk
    // closes a cycle. Iterative, so a long chain cannot overflow the stack.
    std::vector<std::vector<size_t>> out(m_nodes.size());
    for (size_t i = 0; i < m_edges.size(); ++i)
        if (m_edges[i].from != m_edges[i].to) // loops are drawn as loops, never turned
            out[m_edges[i].from].push_back(i);
    enum : char { New, OnWalk, Done };
    std::vector<char> state(m_nodes.size(), New);
    std::vector<bool> back(m_edges.size(), false);
    std::vector<std::pair<size_t, size_t>> walk; // node, next of its edges to follow
    for (size_t root = 0; root < m_nodes.size(); ++root) {
        if (state[root] != New)
            continue;
        state[root] = OnWalk;
        walk.push_back({root, 0});
        while (!walk.empty()) {
            auto &[node, next] = walk.back();
            if (next == out[node].size()) {
                state[node] = Done;
                walk.pop_back();
                continue;
            }
            const size_t edge = out[node][next++];
            const size_t to = m_edges[edge].to;
            if (state[to] == OnWalk) {
                back[edge] = true;
            } else if (state[to] == New) {
                state[to] = OnWalk;
                walk.push_back({to, 0});
            }
        }
    }
    return back;
}

size_t GraphLayout::addNode(const Node &node)
{
    m_nodes.push_back(node);
    return m_nodes.size() - 1;
}

size_t GraphLayout::addEdge(const Edge &edge)
{
    m_edges.push_back(edge);
    return m_edges.size() - 1;
}

namespace {
/// Graphviz keeps global state (its context, error handler, layout globals): one layout at a
/// time, whichever thread asks. Recursive: a thread holding it (hold()) lays out under it.
/// Not a timed mutex: its timed lock is not seen by ThreadSanitizer, and polling try_lock()
/// for a few milliseconds does the same.
std::recursive_mutex &graphvizLock()
{
    static std::recursive_mutex lock;
    return lock;
}
} // namespace

std::unique_lock<std::recursive_mutex> GraphLayout::tryHold(std::chrono::milliseconds wait)
{
    std::unique_lock<std::recursive_mutex> lock(graphvizLock(), std::try_to_lock);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!lock.owns_lock() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        lock.try_lock();
    }
    return lock;
}

std::unique_lock<std::recursive_mutex> GraphLayout::hold()
{
    return std::unique_lock<std::recursive_mutex>(graphvizLock());
}

bool GraphLayout::layout(QString &error)
{
    const std::lock_guard<std::recursive_mutex> lock(graphvizLock());
    return layoutUnlocked(error);
}

bool GraphLayout::layoutUnlocked(QString &error)
{
    m_centers.clear();
    m_geometry.clear();
    m_bounds = QRectF();
    error.clear();
    for (size_t i = 0; i < m_edges.size(); ++i)
        if (m_edges[i].from >= m_nodes.size() || m_edges[i].to >= m_nodes.size()) {
            error = QStringLiteral("Cannot lay out the graph: edge %1 joins node %2 to node %3, but there are %4 nodes")
                        .arg(i)
                        .arg(m_edges[i].from)
                        .arg(m_edges[i].to)
                        .arg(m_nodes.size());
            return false;
        }
    if (m_nodes.empty())
        return true;

    Context &ctx = context();
    if (!ctx.gvc) {
        error = ctx.error;
        return false;
    }

    QString messages;
    const MessageCapture capture(messages);
    Agraph_t *g = agopen(cstr("g"), Agdirected, nullptr);
    if (!g) {
        error = QStringLiteral("Cannot lay out the graph: Graphviz could not create it");
        return false;
    }
    GraphHolder holder(ctx.gvc, g);

    agattr(g, AGRAPH, cstr("rankdir"), cstr(m_direction == Direction::LeftToRight ? "LR" : "TB"));
    agattr(g, AGRAPH, cstr("nodesep"), cstr(inches(m_nodeSep).c_str()));
    agattr(g, AGRAPH, cstr("ranksep"), cstr(inches(m_rankSep).c_str()));
    if (m_boundedEffort) {
        // Fewer crossing-minimisation passes (mclimit scales them; no second pass), fewer
        // network simplex iterations for ranking and placement (nslimit1, nslimit: per node),
        // a smaller search for entering edges (searchsize). The graph's size stays the bound.
        agattr(g, AGRAPH, cstr("mclimit"), cstr("0.1"));
        agattr(g, AGRAPH, cstr("nslimit"), cstr("1"));
        agattr(g, AGRAPH, cstr("nslimit1"), cstr("1"));
        agattr(g, AGRAPH, cstr("searchsize"), cstr("10"));
        agattr(g, AGRAPH, cstr("remincross"), cstr("false"));
    }
    Agsym_t *shape = agattr(g, AGNODE, cstr("shape"), cstr("box"));
    agattr(g, AGNODE, cstr("fixedsize"), cstr("true"));
    agattr(g, AGNODE, cstr("label"), cstr(""));
    Agsym_t *width = agattr(g, AGNODE, cstr("width"), cstr("0.75"));
    Agsym_t *height = agattr(g, AGNODE, cstr("height"), cstr("0.5"));
    Agsym_t *label = agattr(g, AGEDGE, cstr("label"), cstr(""));
    Agsym_t *weight = agattr(g, AGEDGE, cstr("weight"), cstr("1"));
    Agsym_t *dir = agattr(g, AGEDGE, cstr("dir"), cstr("forward"));

    std::vector<Agnode_t *> nodes;
    nodes.reserve(m_nodes.size());
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        Agnode_t *n = agnode(g, cstr(std::to_string(i).c_str()), 1);
        if (m_nodes[i].shape == Shape::Ellipse)
            agxset(n, shape, cstr("ellipse"));
        agxset(n, width, cstr(inches(clampPoints(m_nodes[i].size.width())).c_str()));
        agxset(n, height, cstr(inches(clampPoints(m_nodes[i].size.height())).c_str()));
        nodes.push_back(n);
    }
    // Edges that close a cycle go to dot turned round (drawn with the arrow at their tail), so
    // that dot has no cycle to break: its own cycle breaking (acyclic()) leaks memory in
    // Graphviz 2.42 and picks the same edges as this does.
    const std::vector<bool> reversed = backEdges();
    std::vector<Agedge_t *> edges;
    edges.reserve(m_edges.size());
    for (size_t i = 0; i < m_edges.size(); ++i) {
        const Edge &e = m_edges[i];
        Agedge_t *edge = reversed[i] ? agedge(g, nodes[e.to], nodes[e.from], nullptr, 1)
                                     : agedge(g, nodes[e.from], nodes[e.to], nullptr, 1);
        if (reversed[i])
            agxset(edge, dir, cstr("back"));
        if (!e.labelSize.isEmpty()) {
            char *html = agstrdup_html(g, cstr(labelBox(e.labelSize).c_str()));
            agxset(edge, label, html);
            agstrfree(g, html);
        }
        if (e.weight != 1)
            agxset(edge, weight, cstr(std::to_string(std::clamp(e.weight, 0, 1000)).c_str()));
        edges.push_back(edge);
    }

    if (gvLayout(ctx.gvc, g, "dot") != 0) {
        const QString reason = errorsIn(messages);
        error = reason.isEmpty() ? QStringLiteral("Graphviz could not lay out the graph")
                                 : QStringLiteral("Graphviz could not lay out the graph: %1").arg(reason);
        return false;
    }
    holder.setLaidOut();

    // Graphviz's y axis points up: flip it, and move the drawing's corner to (0, 0).
    const boxf bb = GD_bb(g);
    auto toQt = [&bb](pointf p) { return QPointF(p.x - bb.LL.x, bb.UR.y - p.y); };
    m_bounds = QRectF(0, 0, bb.UR.x - bb.LL.x, bb.UR.y - bb.LL.y);
    m_centers.reserve(nodes.size());
    for (Agnode_t *n : nodes)
        m_centers.push_back(toQt(ND_coord(n)));
    m_geometry.resize(edges.size());
    for (size_t i = 0; i < edges.size(); ++i) {
        EdgeGeometry &geo = m_geometry[i];
        const splines *spl = ED_spl(edges[i]);
        if (spl && spl->size > 0) {
            for (int b = 0; b < spl->size; ++b) {
                const bezier &bz = spl->list[b];
                if (bz.size < 1)
                    continue;
                const QPointF first = toQt(bz.list[0]);
                if (geo.spline.empty())
                    geo.spline.push_back(first);
                else if (geo.spline.back() != first) // pieces that do not touch: a straight join
                    geo.spline.insert(geo.spline.end(), {geo.spline.back(), first, first});
                for (int k = 1; k + 2 < bz.size; k += 3)
                    geo.spline.insert(geo.spline.end(), {toQt(bz.list[k]), toQt(bz.list[k + 1]), toQt(bz.list[k + 2])});
                if (bz.eflag)
                    geo.arrowTip = toQt(bz.ep);
                if (bz.sflag) // a turned edge: its arrow is at dot's tail, our head
                    geo.arrowTip = toQt(bz.sp);
            }
            if (reversed[i]) // back to from → to; Bézier control points reverse with their curve
                std::reverse(geo.spline.begin(), geo.spline.end());
        }
        if (geo.spline.size() < 4) { // no route from dot: a straight line between the centres
            const QPointF a = m_centers[m_edges[i].from], b = m_centers[m_edges[i].to];
            geo.spline = {a, a, b, b};
            geo.arrowTip.reset();
        }
        if (const textlabel_t *l = ED_label(edges[i]); l && l->set)
            geo.labelCenter = toQt(l->pos);
    }
    return true;
}

namespace {

/// The results of a layout as bytes, from the child process to its parent: plain numbers in
/// this machine's representation (both ends are the same program).
class Writer {
public:
    template<typename T> void put(const T &v) { m_bytes.append(reinterpret_cast<const char *>(&v), sizeof v); }
    void put(QPointF p) { put(p.x()), put(p.y()); }
    const std::string &bytes() const { return m_bytes; }

private:
    std::string m_bytes;
};

class Reader {
public:
    explicit Reader(const std::string &bytes) : m_bytes(bytes) { }
    template<typename T> bool get(T &v)
    {
        if (m_bytes.size() - m_at < sizeof v)
            return false;
        std::memcpy(&v, m_bytes.data() + m_at, sizeof v);
        m_at += sizeof v;
        return true;
    }
    bool get(QPointF &p)
    {
        double x = 0, y = 0;
        const bool ok = get(x) && get(y);
        p = QPointF(x, y);
        return ok;
    }
    bool atEnd() const { return m_at == m_bytes.size(); }

private:
    const std::string &m_bytes;
    size_t m_at = 0;
};

bool writeAll(int fd, const std::string &bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += size_t(n);
    }
    return true;
}

/// Ends a child process that is still running (it is killed: dot has no way to stop) and
/// reaps it; nothing when it was reaped already.
class Child {
public:
    explicit Child(pid_t pid) : m_pid(pid) { }
    ~Child()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            reap();
        }
    }
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;
    /// Waits for the child to exit; its status.
    int reap()
    {
        int status = 0;
        while (m_pid > 0 && ::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
        m_pid = 0;
        return status;
    }

private:
    pid_t m_pid;
};

} // namespace

GraphLayout::Outcome GraphLayout::layoutIsolated(QString &error, std::chrono::milliseconds budget,
                                                 const std::atomic<bool> &cancelled)
{
    using Clock = std::chrono::steady_clock;
    const Clock::time_point deadline = Clock::now() + budget;
    m_centers.clear();
    m_geometry.clear();
    m_bounds = QRectF();
    error.clear();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        error = QStringLiteral("Cannot lay out the graph: no pipe to a layout process (%1)")
                    .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return Outcome::Failed;
    }
    pid_t pid = -1;
    {
        // Forked under the lock, so that the child's copy of Graphviz's state is not halfway
        // through another thread's layout; held for the fork only.
        const std::lock_guard<std::recursive_mutex> lock(graphvizLock());
        context(); // made once, here, rather than again in every child
        pid = ::fork();
        if (pid == 0) {
            // The child: lay out, send the results, and leave without running anything of
            // the parent's (no destructors, no atexit handlers, no Qt).
            ::close(fds[0]);
            QString childError;
            Writer w;
            const bool ok = layoutUnlocked(childError);
            w.put(uint8_t(ok ? 1 : 0));
            if (!ok) {
                const QByteArray text = childError.toUtf8();
                w.put(uint32_t(text.size()));
                std::string bytes = w.bytes();
                bytes.append(text.constData(), size_t(text.size()));
                ::_exit(writeAll(fds[1], bytes) ? 0 : 1);
            }
            w.put(m_bounds.width());
            w.put(m_bounds.height());
            w.put(uint64_t(m_centers.size()));
            for (QPointF c : m_centers)
                w.put(c);
            w.put(uint64_t(m_geometry.size()));
            for (const EdgeGeometry &e : m_geometry) {
                w.put(uint64_t(e.spline.size()));
                for (QPointF p : e.spline)
                    w.put(p);
                w.put(uint8_t(e.arrowTip.has_value()));
                w.put(e.arrowTip.value_or(QPointF()));
                w.put(uint8_t(e.labelCenter.has_value()));
                w.put(e.labelCenter.value_or(QPointF()));
            }
            ::_exit(writeAll(fds[1], w.bytes()) ? 0 : 1);
        }
    }
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        error = QStringLiteral("Cannot lay out the graph: no layout process (%1)")
                    .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return Outcome::Failed;
    }
    Child child(pid);
    std::string bytes;
    char buffer[65536];
    for (;;) {
        if (cancelled) {
            ::close(fds[0]);
            return Outcome::Cancelled;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            ::close(fds[0]);
            return Outcome::OverBudget;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, int(std::min<long long>(left.count(), 20)));
        if (ready < 0 && errno != EINTR) {
            ::close(fds[0]);
            error = QStringLiteral("Cannot lay out the graph: lost the layout process (%1)")
                        .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return Outcome::Failed;
        }
        if (ready <= 0)
            continue;
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // the child is done (or died)
        bytes.append(buffer, size_t(n));
    }
    ::close(fds[0]);
    const int status = child.reap();

    Reader r(bytes);
    uint8_t ok = 0;
    if (!r.get(ok) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error = WIFSIGNALED(status)
                    ? QStringLiteral("Graphviz could not lay out the graph: the layout process died (signal %1)")
                          .arg(WTERMSIG(status))
                    : QStringLiteral("Graphviz could not lay out the graph: the layout process ended early");
        return Outcome::Failed;
    }
    if (!ok) {
        uint32_t size = 0;
        r.get(size);
        const size_t header = sizeof ok + sizeof size; // the message follows them
        error = bytes.size() < header ? QStringLiteral("Graphviz could not lay out the graph")
                                      : QString::fromUtf8(bytes.data() + header,
                                                          qsizetype(std::min<size_t>(size, bytes.size() - header)));
        return Outcome::Failed;
    }
    double width = 0, height = 0;
    uint64_t count = 0;
    bool good = r.get(width) && r.get(height) && r.get(count) && count == m_nodes.size();
    m_bounds = QRectF(0, 0, width, height);
    m_centers.resize(good ? count : 0);
    for (size_t i = 0; good && i < m_centers.size(); ++i)
        good = r.get(m_centers[i]);
    good = good && r.get(count) && count == m_edges.size();
    m_geometry.resize(good ? count : 0);
    for (size_t i = 0; good && i < m_geometry.size(); ++i) {
        EdgeGeometry &e = m_geometry[i];
        uint64_t points = 0;
        good = r.get(points) && points <= bytes.size();
        e.spline.resize(good ? points : 0);
        for (QPointF &p : e.spline)
            good = good && r.get(p);
        uint8_t has = 0;
        QPointF p;
        good = good && r.get(has) && r.get(p);
        if (has)
            e.arrowTip = p;
        good = good && r.get(has) && r.get(p);
        if (has)
            e.labelCenter = p;
    }
    if (!good || !r.atEnd()) {
        m_centers.clear();
        m_geometry.clear();
        m_bounds = QRectF();
        error = QStringLiteral("Graphviz could not lay out the graph: the layout process sent a malformed result");
        return Outcome::Failed;
    }
    return Outcome::Done;
}

} // namespace eventlens
