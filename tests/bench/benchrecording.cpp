#include "benchrecording.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace eventlens::bench {

bool parseBenchOptions(int argc, char **argv, const char *name, BenchOptions &o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", argv[i]);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--events")
            o.events = std::strtoull(value(), nullptr, 10);
        else if (a == "--runs")
            o.runs = std::max(1, std::atoi(value()));
        else if (a == "--file")
            o.file = value();
        else if (a == "--rate")
            o.rate = std::max(1.0, std::atof(value()));
        else if (a == "--check")
            o.check = true;
        else {
            std::printf("usage: %s [--events N] [--runs N] [--file PATH] [--rate EVENTS_PER_S] [--check]\n", name);
            if (a == "--help" || a == "-h")
                std::exit(0);
            return false;
        }
    }
    return o.events > 0;
}

BenchRecording::~BenchRecording()
{
    if (!m_tempDir.empty()) {
        std::remove(m_path.c_str());
        rmdir(m_tempDir.c_str());
    }
}

bool BenchRecording::prepare(const BenchOptions &o, const char *name, std::string &error)
{
    m_path = o.file;
    if (m_path.empty()) {
        std::string dir = std::string("/tmp/") + name + ".XXXXXX";
        if (!mkdtemp(dir.data())) {
            error = "cannot make a temporary directory in /tmp";
            return false;
        }
        m_tempDir = dir;
        m_path = dir + "/recording.jsonl";
    }
    if (!m_tempDir.empty() || access(m_path.c_str(), R_OK) != 0) {
        RecordingGenerator generator;
        generator.setEventsPerSecond(o.rate);
        return generator.write(m_path, o.events, m_stats, error);
    }
    m_stats.events = o.events; // reused: assumed to hold what --events says
    return true;
}

} // namespace eventlens::bench
