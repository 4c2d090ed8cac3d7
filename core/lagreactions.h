#pragma once

#include <cstdint>
#include <vector>

namespace eventlens {

class EventStore;

/// One reaction of a consumer: an effect (an event the consumer published) and the event its
/// causationId names, both in the store. The same edges LagAnalyzer measures, one by one.
struct Reaction {
    uint32_t effect = 0;  ///< store index (the event whose flow a person selects)
    uint32_t cause = 0;   ///< store index
    int64_t effectNs = 0; ///< the effect's timestamp
    int64_t lagNs = 0;    ///< effect.timestamp − cause.timestamp; negative is skew
    bool skew() const { return lagNs < 0; }
};

/// The reactions of `consumer` (a source number) to causes of type `causeType` — or of any
/// type with EventStore::kNoName — that the store holds, in the order the effects arrived.
/// Like the analyses' causation edges: duplicates are not reactions (a redelivered effect is
/// the same reaction), effects whose cause is unseen or evicted have no lag, and skew
/// (a negative lag) is kept, for the caller to show apart. O(events of the consumer).
std::vector<Reaction> reactionsOf(const EventStore &store, uint16_t consumer, uint16_t causeType);

} // namespace eventlens
