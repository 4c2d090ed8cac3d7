// eventlens-cli throughput: events per time bin per event type, source or topic.
#include "core/commands.h"

#include "core/commandsupport.h"

#include "core/analysis.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/textformat.h"
#include "core/throughputanalyzer.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace eventlens::commands {

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSecond = 1000 * kMs;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kMaxBinNs = 1000 * 24 * kHour; ///< 1000 days
/// Bins printed as rows in text; more and the text gives a per-series summary instead.
constexpr size_t kMaxTextRows = 60;
/// Series given their own column in text; the rest are summed as "other".
constexpr size_t kTextColumns = 8;

/// A bin width as a person reads it: "10 ms", "1.5 s", "15 s", "2 min", "1 h".
std::string widthText(int64_t ns)
{
    if (ns % kHour == 0)
        return std::to_string(ns / kHour) + " h";
    if (ns % kMinute == 0)
        return std::to_string(ns / kMinute) + " min";
    if (ns % kSecond == 0)
        return std::to_string(ns / kSecond) + " s";
    if (ns < kSecond)
        return std::to_string(ns / kMs) + " ms";
    return formatDuration(ns);
}

/// A bin width as --bin takes it: "10ms", "1500ms", "15s", "2m", "1h".
std::string widthFlag(int64_t ns)
{
    if (ns % kHour == 0)
        return std::to_string(ns / kHour) + "h";
    if (ns % kMinute == 0)
        return std::to_string(ns / kMinute) + "m";
    if (ns % kSecond == 0)
        return std::to_string(ns / kSecond) + "s";
    return std::to_string(ns / kMs) + "ms";
}


/// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
std::string csvField(std::string_view s)
{
    if (s.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    return out + '"';
}

const char *keyText(ThroughputKey key)
{
    return key == ThroughputKey::Type ? "event type" : key == ThroughputKey::Source ? "source" : "topic";
}

/// One column of the text output: a series, or several summed.
struct Column {
    std::string name;
    std::vector<uint64_t> counts;
    uint64_t total = 0;
};

std::vector<Column> textColumns(const ThroughputAnalyzer::Result &r)
{
    std::vector<Column> columns;
    const size_t bins = r.bins();
    // Nine series show as nine columns: an "other" of one would hide a name for nothing.
    const bool fold = r.series.size() > kTextColumns + 1;
    for (size_t s = 0; s < r.series.size(); ++s) {
        const auto &series = r.series[s];
        if (!fold || s < kTextColumns)
            columns.push_back({series.name, std::vector<uint64_t>(bins, 0), 0});
        else if (s == kTextColumns)
            columns.push_back({"other", std::vector<uint64_t>(bins, 0), 0});
        Column &c = columns.back();
        for (size_t i = 0; i < bins; ++i)
            c.counts[i] += series.points[i].count;
        c.total += series.total;
    }
    if (columns.size() > 1) {
        Column all{"all", std::vector<uint64_t>(bins, 0), 0};
        for (const Column &c : columns) {
            for (size_t i = 0; i < bins; ++i)
                all.counts[i] += c.counts[i];
            all.total += c.total;
        }
        columns.push_back(std::move(all));
    }
    return columns;
}

void printText(const ThroughputAnalyzer::Result &r, ThroughputKey key, ThroughputClock clock, int64_t askedNs,
               std::ostream &out)
{
    const char *clockText = clock == ThroughputClock::Event ? "event time" : "receive time";
    out << "Throughput by " << keyText(key) << " (" << clockText << ")";
    if (r.fromNs == kNoTime) {
        out << ": no events";
        if (clock == ThroughputClock::Received)
            out << " with a receive time (recordings made by `eventlens-cli record` have them)";
        out << '\n';
        return;
    }
    uint64_t events = 0;
    for (const auto &s : r.series)
        events += s.total;
    const size_t bins = r.bins();
    out << ": " << formatCount(events) << (events == 1 ? " event in " : " events in ") << formatCount(bins)
        << (bins == 1 ? " bin of " : " bins of ") << widthText(r.binNs) << ", " << formatTime(r.fromNs) << " → "
        << formatTime(r.toNs) << '\n';
    if (r.widened)
        out << "  (" << widthText(askedNs) << " bins would be more than " << formatCount(ThroughputAnalyzer::kMaxPoints)
            << ": widened to " << widthText(r.binNs) << ")\n";
    out << '\n';

    // Times of day when the bins fall within one UTC day, else full times.
    const bool oneDay = formatTime(r.fromNs).substr(0, 10) == formatTime(r.toNs - 1).substr(0, 10);
    auto timeText = [&](int64_t t) { return oneDay ? formatClock(t) : formatTime(t); };
    const std::vector<Column> columns = textColumns(r);

    if (bins <= kMaxTextRows) {
        TextTable table;
        std::vector<std::string> header{"TIME"};
        for (const Column &c : columns)
            header.push_back(c.name);
        table.setHeader(std::move(header));
        for (size_t c = 1; c <= columns.size(); ++c)
            table.setRightAligned(c);
        for (size_t i = 0; i < bins; ++i) {
            std::vector<std::string> row{timeText(r.fromNs + static_cast<int64_t>(i) * r.binNs)};
            for (const Column &c : columns)
                row.push_back(formatCount(c.counts[i]));
            table.addRow(std::move(row));
        }
        table.print(out);
        return;
    }

    // Too many rows to read: per series the mean and the peak.
    const double seconds = static_cast<double>(r.toNs - r.fromNs) / 1e9;
    const double binSeconds = static_cast<double>(r.binNs) / 1e9;
    TextTable table;
    table.setHeader({key == ThroughputKey::Type     ? "EVENT TYPE"
                     : key == ThroughputKey::Source ? "SOURCE"
                                                    : "TOPIC",
                     "EVENTS", "MEAN/S", "PEAK/S", "PEAK BIN"});
    for (size_t c = 1; c <= 3; ++c)
        table.setRightAligned(c);
    for (const Column &c : columns) {
        const auto peak = std::max_element(c.counts.begin(), c.counts.end()); // the first of equals
        const size_t at = static_cast<size_t>(peak - c.counts.begin());
        table.addRow({c.name, formatCount(c.total), formatSignificant(static_cast<double>(c.total) / seconds),
                      formatSignificant(static_cast<double>(*peak) / binSeconds),
                      timeText(r.fromNs + static_cast<int64_t>(at) * r.binNs)});
    }
    table.print(out);
    const int64_t coarser = ThroughputAnalyzer::autoBinNs(r.fromNs, r.toNs - 1, kMaxTextRows);
    out << '\n' << formatCount(bins) << " bins are too many to list here: every bin with --format csv";
    if (coarser > r.binNs)
        out << ", or fewer with --bin " << widthFlag(coarser);
    out << '\n';
}

void printJson(const ThroughputAnalyzer::Result &r, const ThroughputArgs &args, std::ostream &out)
{
    Json series = Json::array();
    for (const auto &s : r.series) {
        Json points = Json::array();
        for (const auto &p : s.points)
            points.push_back({{"t", formatTime(p.startNs)}, {"count", p.count}});
        series.push_back({{"name", s.name}, {"total", s.total}, {"points", std::move(points)}});
    }
    out << dump(Json{{"by", args.by},
                     {"clock", args.clock},
                     {"binMs", r.binNs / kMs},
                     {"widened", r.widened},
                     {"from", timeOrNull(r.fromNs)},
                     {"to", timeOrNull(r.toNs)},
                     {"series", std::move(series)}})
        << '\n';
}

void printCsv(const ThroughputAnalyzer::Result &r, std::ostream &out)
{
    std::string line = "time";
    for (const auto &s : r.series)
        line += ',' + csvField(s.name);
    out << line << '\n';
    for (size_t i = 0; i < r.bins(); ++i) {
        line = formatTime(r.fromNs + static_cast<int64_t>(i) * r.binNs);
        for (const auto &s : r.series)
            line += ',' + std::to_string(s.points[i].count);
        out << line << '\n';
    }
}

} // namespace

bool parseBinWidth(const std::string &text, int64_t &ns, std::string &error)
{
    const std::string example = " (e.g. 10ms, 250ms, 1s, 1.5s, 2m, 1h)";
    size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        ++i;
    const std::string whole = text.substr(0, i);
    std::string fraction;
    if (i < text.size() && text[i] == '.') {
        const size_t start = ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9')
            ++i;
        fraction = text.substr(start, i - start);
        if (fraction.empty()) {
            error = "'" + text + "' is not a bin width" + example;
            return false;
        }
    }
    const std::string unit = text.substr(i);
    const int64_t scale = unit == "ms"                   ? kMs
                          : unit == "s"                  ? kSecond
                          : unit == "m" || unit == "min" ? kMinute
                          : unit == "h"                  ? kHour
                                                         : 0;
    if (whole.empty() || scale == 0) {
        error = "'" + text + "' is not a bin width" + example;
        return false;
    }
    while (!fraction.empty() && fraction.back() == '0')
        fraction.pop_back();
    const size_t digits = whole.find_first_not_of('0');
    if (digits != std::string::npos && whole.size() - digits > 9) {
        error = "'" + text + "' is longer than the longest bin, 1000 days";
        return false;
    }
    const int64_t w = std::stoll(whole);
    if (w > kMaxBinNs / scale) {
        error = "'" + text + "' is longer than the longest bin, 1000 days";
        return false;
    }
    int64_t value = w * scale;
    bool exact = fraction.size() <= 6;
    if (exact && !fraction.empty()) {
        int64_t pow = 1;
        for (size_t k = 0; k < fraction.size(); ++k)
            pow *= 10;
        const int64_t part = std::stoll(fraction) * scale; // < 10^6 × 3.6·10^12: fits
        exact = part % pow == 0;
        value += part / pow;
    }
    if (exact && value > kMaxBinNs) {
        error = "'" + text + "' is longer than the longest bin, 1000 days";
        return false;
    }
    if (exact && value > 0 && value < ThroughputAnalyzer::kBaseBinNs) {
        error = "'" + text + "' is finer than the finest bin, 10ms";
        return false;
    }
    if (value == 0 && exact) {
        error = "'" + text + "' is not a bin width: it must be longer than 0" + example;
        return false;
    }
    if (!exact || value % ThroughputAnalyzer::kBaseBinNs != 0) {
        error = "'" + text + "' is not a whole number of 10ms steps";
        return false;
    }
    ns = value;
    return true;
}

int throughput(const Input &input, const ThroughputArgs &args, Format format, std::ostream &out, std::ostream &err)
{
    ThroughputKey key;
    if (args.by == "type")
        key = ThroughputKey::Type;
    else if (args.by == "source")
        key = ThroughputKey::Source;
    else if (args.by == "topic")
        key = ThroughputKey::Topic;
    else {
        err << "eventlens-cli: --by: '" << args.by << "' is not one of type, source, topic\n";
        return ExitUsage;
    }
    ThroughputClock clock;
    if (args.clock == "event")
        clock = ThroughputClock::Event;
    else if (args.clock == "received")
        clock = ThroughputClock::Received;
    else {
        err << "eventlens-cli: --clock: '" << args.clock << "' is not one of event, received\n";
        return ExitUsage;
    }
    if (format == Format::Dot) {
        err << "eventlens-cli: --format: throughput writes text, json or csv\n";
        return ExitUsage;
    }

    EventStore store;
    std::vector<RecordingReport> reports;
    if (!loadAll(input, store, reports, err))
        return ExitUsage;
    ThroughputAnalyzer analyzer;
    Analysis analysis(store);
    analysis.add(analyzer);
    analysis.update();
    const ThroughputAnalyzer::Result r = analyzer.bins(key, clock, args.binNs);

    if (format == Format::Json)
        printJson(r, args, out);
    else if (format == Format::Csv)
        printCsv(r, out);
    else
        printText(r, key, clock, args.binNs, out);
    return ExitOk;
}

} // namespace eventlens::commands
