#include "core/commandsupport.h"

#include "core/event.h"
#include "core/eventstore.h"
#include "core/jsonlreader.h"
#include "core/textformat.h"

#include <ostream>

namespace eventlens::commands {

bool loadAll(const Input &input, EventStore &store, std::vector<RecordingReport> &reports, std::ostream &err)
{
    JsonlReader::Options options;
    options.decoder = input.decoder;
    JsonlReader reader(options);
    for (const std::string &path : input.files) {
        RecordingReport report;
        std::string error;
        if (!reader.load(path, store, report, error)) {
            err << "eventlens-cli: " << error << '\n';
            return false;
        }
        reports.push_back(std::move(report));
    }
    return true;
}

std::string dump(const Json &j)
{
    return j.dump(2, ' ', false, Json::error_handler_t::replace);
}

Json timeOrNull(int64_t ns)
{
    return ns == kNoTime ? Json(nullptr) : Json(formatTime(ns));
}

std::string dotString(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\')
            out.push_back('\\');
        out.push_back(c);
    }
    return out + '"';
}

} // namespace eventlens::commands
