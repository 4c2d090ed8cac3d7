#include "core/eventfilter.h"

#include "core/eventfilterwords.h"
#include "core/eventstore.h"
#include "core/textmatch.h"

#include <algorithm>
#include <set>

namespace eventlens {

using namespace textmatch;
using namespace filterwords;

// --- completion -----------------------------------------------------------------------------------

std::pair<size_t, size_t> EventFilter::tokenAt(std::string_view text, size_t cursor)
{
    cursor = std::min(cursor, text.size());
    size_t start = 0;
    bool quoted = false;
    for (size_t i = 0; i < cursor; ++i) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (quoted && text[i] == '\\' && i + 1 < cursor)
            ++i;
        else if (!quoted && isBlank(text[i]))
            start = i + 1;
    }
    size_t end = cursor;
    for (; end < text.size(); ++end) {
        if (text[end] == '"')
            quoted = !quoted;
        else if (quoted && text[end] == '\\' && end + 1 < text.size())
            ++end;
        else if (!quoted && isBlank(text[end]))
            break;
    }
    return {start, std::min(end, text.size())};
}

std::vector<std::string> EventFilter::completions(std::string_view text, size_t cursor, const EventStore &store)
{
    cursor = std::min(cursor, text.size());
    const size_t start = tokenAt(text, cursor).first;
    std::string_view token = text.substr(start, cursor - start);
    std::string lead;
    if (token.starts_with('-')) {
        lead = "-";
        token.remove_prefix(1);
    }
    std::vector<std::string> out;
    const size_t colon = token.find(':');
    if (colon == std::string_view::npos) {
        // A field name being typed.
        for (size_t i = 0; i < kCanonicalFields; ++i) {
            const std::string_view name = kFieldNames[i].name;
            if (!startsWithFolded(name, token))
                continue;
            if (name == "lag") {
                out.push_back(lead + "lag<");
                out.push_back(lead + "lag>");
            } else {
                out.push_back(lead + std::string(name) + ':');
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    const std::string field = lowerAscii(token.substr(0, colon));
    std::string_view values = token.substr(colon + 1);
    // Complete the last item of a comma list; keep the ones before it as typed.
    size_t itemStart = 0;
    bool quoted = false;
    for (size_t i = 0; i < values.size(); ++i) {
        if (values[i] == '"')
            quoted = !quoted;
        else if (!quoted && values[i] == ',')
            itemStart = i + 1;
    }
    const std::string head = lead + std::string(token.substr(0, colon + 1 + itemStart));
    std::string_view item = values.substr(itemStart);
    if (item.starts_with('"'))
        item.remove_prefix(1);

    std::vector<std::string_view> names;
    if (field == "is") {
        names = isNames();
    } else if (field == "type" || field == "cause.type" || field == "eventtype") {
        for (uint16_t id = 0; id < store.typeCount(); ++id)
            names.push_back(store.typeName(id));
    } else if (field == "source" || field == "cause.source") {
        for (uint16_t id = 0; id < store.sourceCount(); ++id)
            names.push_back(store.sourceName(id));
    } else if (field == "topic") {
        // The store does not list its topics: collect the ids its retained events use.
        std::vector<bool> seen(EventStore::kNoName + 1u);
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i)
            seen[store.record(i).topic] = true;
        for (uint32_t id = 0; id < EventStore::kNoName; ++id)
            if (seen[id])
                names.push_back(store.topicName(static_cast<uint16_t>(id)));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (std::string_view n : names) {
        if (out.size() == kMaxCompletions)
            break;
        if (startsWithFolded(n, item))
            out.push_back(head + quotedIfNeeded(n));
    }
    return out;
}

} // namespace eventlens
