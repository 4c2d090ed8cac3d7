#include "core/lagreactions.h"

#include "core/eventstore.h"

namespace eventlens {

std::vector<Reaction> reactionsOf(const EventStore &store, uint16_t consumer, uint16_t causeType)
{
    std::vector<Reaction> out;
    for (const uint32_t effect : store.ofSource(consumer)) {
        if (!store.contains(effect))
            continue;
        const EventRecord &e = store.record(effect);
        if (e.flags & Duplicate)
            continue;
        const uint32_t cause = store.cause(effect);
        if (cause == EventStore::kNone || !store.contains(cause))
            continue;
        const EventRecord &c = store.record(cause);
        if (causeType != EventStore::kNoName && c.type != causeType)
            continue;
        out.push_back({effect, cause, e.timestampNs, e.timestampNs - c.timestampNs});
    }
    return out;
}

} // namespace eventlens
