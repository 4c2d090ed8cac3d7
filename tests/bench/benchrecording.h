#pragma once

#include "recordinggenerator.h"

#include <cstdint>
#include <string>

namespace eventlens::bench {

/// The options the recording benchmarks share: --events N, --runs N, --file PATH, --rate N, --check.
struct BenchOptions {
    uint64_t events = 1'000'000;
    int runs = 5;
    std::string file; ///< reuse this recording when it exists, else write it there and keep it
    bool check = false;
    double rate = 1000; ///< --rate: recorded events per second
};

/// Parses the shared options for the benchmark `name`; --help prints the usage and exits 0.
/// False (after printing the usage) for anything else.
bool parseBenchOptions(int argc, char **argv, const char *name, BenchOptions &options);

/// The recording a benchmark measures: --file when it exists, else one it generates (a
/// temporary one, removed again when this goes, unless --file named where to keep it).
class BenchRecording {
public:
    BenchRecording() = default;
    ~BenchRecording();
    BenchRecording(const BenchRecording &) = delete;
    BenchRecording &operator=(const BenchRecording &) = delete;

    /// False with `error` when it cannot be written.
    bool prepare(const BenchOptions &options, const char *name, std::string &error);
    const std::string &path() const { return m_path; }
    const RecordingGenerator::Stats &stats() const { return m_stats; }

private:
    std::string m_path;
    std::string m_tempDir; ///< to remove, when generated into a temporary directory
    RecordingGenerator::Stats m_stats;
};

} // namespace eventlens::bench
