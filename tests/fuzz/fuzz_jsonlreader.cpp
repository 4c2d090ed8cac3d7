// libFuzzer target: a recording file through the real reader path (JsonlReader::load into an
// EventStore). The first byte picks the block size (small blocks cut lines across block
// boundaries) and whether the reader decodes on its threads; the rest is the file, written
// to an in-memory file (memfd) so nothing touches the disk.
#include "core/eventstore.h"
#include "core/jsonlreader.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const size_t blockSizes[] = {64, 100, 4096, 8u * 1024 * 1024};
    eventlens::JsonlReader::Options options;
    options.blockSize = blockSizes[data[0] & 3];
    options.parallel = (data[0] & 4) != 0;
    ++data;
    --size;

    static const int fd = memfd_create("fuzz.jsonl", 0);
    static const std::string path = "/proc/self/fd/" + std::to_string(fd);
    if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size))
        std::abort();

    eventlens::EventStore store;
    eventlens::RecordingReport report;
    std::string error;
    if (!eventlens::JsonlReader(options).load(path, store, report, error))
        std::abort(); // the file exists and is readable: only bad lines may be refused
    // Every line is loaded or reported: nothing dropped silently.
    if (report.accepted != store.size() || report.accepted + report.rejected.size() > report.lines
        || report.bytes != size)
        std::abort();
    for (const eventlens::RejectedLine &r : report.rejected)
        if (r.reason.empty() || r.line == 0 || r.line > report.lines)
            std::abort();
    return 0;
}
