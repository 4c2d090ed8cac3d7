// libFuzzer target: the filter bar's query language. Every query either parses or says why
// with a span inside the query; a parsed one is evaluated against a small store (the saga
// from tests/data) and a rejected-input row; completions and tokenAt run at the cursors a person would use.
#include "core/decoder.h"
#include "core/eventfilter.h"
#include "core/eventstore.h"
#include "core/rejectedinput.h"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

const eventlens::EventStore &sagaStore()
{
    static eventlens::EventStore store;
    static bool loaded = [] {
        std::ifstream in(EVENTLENS_TEST_DATA "/saga.jsonl");
        eventlens::Decoder decoder;
        std::string line;
        while (std::getline(in, line)) {
            eventlens::DecodedEvent e;
            eventlens::DecodeError error;
            if (decoder.decode(line, e, error))
                store.append(e); // copies the bytes
        }
        return store.size() > 0;
    }();
    if (!loaded)
        std::abort();
    return store;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view query(reinterpret_cast<const char *>(data), size);
    const eventlens::EventStore &store = sagaStore();
    eventlens::EventFilter::Error error;
    if (const auto filter = eventlens::EventFilter::parse(query, error)) {
        std::vector<uint32_t> selected;
        filter->select(store, store.firstIndex(), store.endIndex(), selected);
        for (uint32_t i = store.firstIndex(); i < store.endIndex(); ++i)
            (void)filter->matches(store, i);
        eventlens::RejectedInput reject;
        reject.origin = "fuzz";
        reject.reason = "not JSON";
        reject.frames = {std::string(query)};
        (void)filter->matches(reject);
    } else if (error.message.empty() || error.offset > size || error.length > size - error.offset) {
        std::abort(); // an error always says what, and underlines a span of the query
    }
    // Completions where a person would ask for them: at both ends and after each separator.
    std::vector<size_t> cursors = {0, size};
    for (size_t i = 0; i < size && cursors.size() < 16; ++i)
        if (query[i] == ':' || query[i] == ',' || query[i] == ' ' || query[i] == '"' || query[i] == '-')
            cursors.push_back(i + 1);
    for (size_t cursor : cursors) {
        const auto token = eventlens::EventFilter::tokenAt(query, cursor);
        if (token.first > token.second || token.second > size)
            std::abort();
        (void)eventlens::EventFilter::completions(query, cursor, store);
    }
    return 0;
}
