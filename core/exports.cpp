#include "core/exports.h"

#include "core/commandsupport.h"
#include "core/eventstore.h"
#include "core/flowgraph.h"
#include "core/textformat.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>

namespace eventlens {

namespace {

/// Writes through `path.part`, renamed over `path` once complete.
bool writeFile(const std::string &path, std::string &error, const std::function<void(std::ostream &)> &write)
{
    const std::string part = path + ".part";
    {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        if (!out) {
            error = "cannot write " + path + ": " + std::strerror(errno);
            return false;
        }
        write(out);
        out.flush();
        if (!out) {
            error = "cannot write " + path + ": " + std::strerror(errno);
            std::remove(part.c_str());
            return false;
        }
    }
    if (std::rename(part.c_str(), path.c_str()) != 0) {
        error = "cannot write " + path + ": " + std::strerror(errno);
        std::remove(part.c_str());
        return false;
    }
    return true;
}

/// An RFC 4180 field: quoted when it holds a comma, a quote or a line break.
void csvField(std::ostream &out, std::string_view s)
{
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out << s;
        return;
    }
    out << '"';
    for (char c : s) {
        if (c == '"')
            out << '"';
        out << c;
    }
    out << '"';
}

/// Nanoseconds as milliseconds, exactly: "12.3", "-0.000001", "1500".
std::string exactMilliseconds(int64_t ns)
{
    const uint64_t magnitude = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
    std::string s = (ns < 0 ? "-" : "") + std::to_string(magnitude / 1'000'000);
    std::string fraction = std::to_string(magnitude % 1'000'000);
    fraction.insert(0, 6 - fraction.size(), '0');
    while (!fraction.empty() && fraction.back() == '0')
        fraction.pop_back();
    return fraction.empty() ? s : s + "." + fraction;
}

std::string flagWords(const EventStore &store, uint32_t index, std::optional<int64_t> lag)
{
    const EventRecord &r = store.record(index);
    std::string words;
    auto add = [&](const char *w) { words += (words.empty() ? "" : " ") + std::string(w); };
    if (r.flags & Redelivery)
        add("redelivered");
    else if (r.flags & IdCollision)
        add("collision");
    if (r.causationId != EventStore::kNone && store.cause(index) == EventStore::kNone)
        add("ghost-cause");
    if (lag && *lag < 0)
        add("skew");
    return words;
}

} // namespace

bool exportJsonl(const EventStore &store, std::span<const uint32_t> events, const std::string &path, std::string &error)
{
    return writeFile(path, error, [&](std::ostream &out) {
        for (uint32_t i : events)
            if (store.contains(i))
                out << store.raw(i) << '\n';
    });
}

bool exportCsv(const EventStore &store, std::span<const uint32_t> events, const std::string &path, std::string &error)
{
    return writeFile(path, error, [&](std::ostream &out) {
        out << "time,eventId,eventType,eventVersion,source,correlationId,causationId,lagMs,flags\r\n";
        for (uint32_t i : events) {
            if (!store.contains(i))
                continue;
            const EventRecord &r = store.record(i);
            std::optional<int64_t> lag;
            const uint32_t cause = r.causationId == EventStore::kNone ? EventStore::kNone : store.cause(i);
            if (cause != EventStore::kNone && store.contains(cause))
                lag = r.timestampNs - store.record(cause).timestampNs;
            csvField(out, formatTime(r.timestampNs));
            out << ',';
            csvField(out, store.eventId(i));
            out << ',';
            csvField(out, store.typeName(r.type));
            out << ',' << r.version << ',';
            csvField(out, store.sourceName(r.source));
            out << ',';
            csvField(out, store.correlationId(i));
            out << ',';
            csvField(out, store.causationId(i));
            out << ',';
            if (lag)
                out << exactMilliseconds(*lag);
            out << ',' << flagWords(store, i, lag) << "\r\n";
        }
    });
}

bool exportFlowDot(const EventStore &store, const FlowGraph &graph, const std::string &path, std::string &error)
{
    return writeFile(path, error, [&](std::ostream &out) { commands::printFlowDot(store, graph, out); });
}

} // namespace eventlens
