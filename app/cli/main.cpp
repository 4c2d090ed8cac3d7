// eventlens-cli: argument parsing only; the commands live in core (core/commands.h).
#include "core/commands.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

using eventlens::commands::Format;

namespace {

Format toFormat(const std::string &name)
{
    return name == "json" ? Format::Json : name == "dot" ? Format::Dot : Format::Text;
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"eventlens-cli: inspect recorded event streams (JSON Lines) from the command line.\n"
                 "Exit codes: 0 ok, 1 input had rejected lines (validate), 2 usage error or unreadable file.",
                 "eventlens-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "eventlens-cli " EVENTLENS_VERSION);

    std::vector<std::string> files;
    std::string format = "text";
    std::string correlation;

    auto *validate = app.add_subcommand("validate", "Check recordings line by line; report every rejected line");
    validate->add_option("files", files, "Recording files (.jsonl)")->required()->type_name("FILE");
    validate->add_option("--format", format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("text|json");

    auto *stats = app.add_subcommand("stats", "Counts, duplicates, flows, unseen causes, types and sources");
    stats->add_option("files", files, "Recording files (.jsonl)")->required()->type_name("FILE");
    stats->add_option("--format", format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->type_name("text|json");

    auto *flow = app.add_subcommand("flow", "The causation graph of one business flow (correlationId)");
    flow->add_option("files", files, "Recording files (.jsonl)")->required()->type_name("FILE");
    flow->add_option("-c,--correlation", correlation, "correlationId, or a unique prefix of one")->required();
    flow->add_option("--format", format, "Output format (dot: Graphviz)")
        ->check(CLI::IsMember({"text", "json", "dot"}))
        ->type_name("text|json|dot");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success &e) {
        return app.exit(e); // --help, --version
    } catch (const CLI::ParseError &e) {
        // One line on stderr and exit code 2, whatever CLI11's own code would be.
        std::string what = e.what();
        while (!what.empty() && what.back() == '\n')
            what.pop_back();
        std::cerr << "eventlens-cli: " << what << " (see 'eventlens-cli --help')\n";
        return eventlens::commands::ExitUsage;
    }

    std::ios::sync_with_stdio(false);
    if (validate->parsed())
        return eventlens::commands::validate(files, toFormat(format), std::cout, std::cerr);
    if (stats->parsed())
        return eventlens::commands::stats(files, toFormat(format), std::cout, std::cerr);
    if (flow->parsed())
        return eventlens::commands::flow(files, correlation, toFormat(format), std::cout, std::cerr);
    return eventlens::commands::ExitUsage;
}
