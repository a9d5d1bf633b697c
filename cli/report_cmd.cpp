// shakedown report merge: the JSON reports of several targets (of one variant or several) as one
// compatibility matrix.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "conformance/runner/matrix.hpp"
#include "conformance/runner/report.hpp"

namespace shakedown::cli {

namespace {

namespace cf = shakedown::conformance;

struct MergeFlags {
    std::vector<std::string> inputs;
    std::string html;
    std::string junit;
    std::string json;
};

int run_merge(const MergeFlags& f) {
    std::vector<cf::MatrixSource> sources;
    for (const auto& path : f.inputs) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) {
            std::cerr << "shakedown report merge: " << path << ": "
                      << (std::filesystem::exists(path, ec) ? "not a file" : "no such file") << "\n";
            return 2;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::cerr << "shakedown report merge: " << path << ": cannot read it\n";
            return 2;
        }
        std::ostringstream text;
        text << in.rdbuf();
        if (!in.good() && !in.eof()) {
            std::cerr << "shakedown report merge: " << path << ": cannot read it\n";
            return 2;
        }
        std::string error;
        auto report = cf::parse_report_json(text.str(), error);
        if (!report) {
            std::cerr << "shakedown report merge: " << path << ": " << error << "\n";
            return 2;
        }
        sources.push_back({path, std::move(*report)});
    }
    std::cout << cf::matrix_summary(sources);
    bool written = true;
    if (!f.html.empty()) {
        written = write_file("report merge", f.html, cf::matrix_html(sources)) && written;
    }
    if (!f.junit.empty()) {
        written = write_file("report merge", f.junit, cf::matrix_junit(sources)) && written;
    }
    if (!f.json.empty()) {
        written = write_file("report merge", f.json, cf::matrix_json(sources)) && written;
    }
    return written ? 0 : 2;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("report", "work with conformance reports");
    cmd->require_subcommand(1);
    auto flags = std::make_shared<MergeFlags>();
    auto* merge = cmd->add_subcommand("merge", "merge the JSON reports of several targets into a compatibility matrix");
    merge->footer(
        "Inputs: reports written by shakedown conform --report-json, of one variant or several (grouped by variant\n"
        "and profile; within a group, one column per report). A deviation is a verdict other than PASS or SKIPPED.\n"
        "Exit: 0 when the outputs were written; 2 on a missing or malformed input (the message names the file and\n"
        "the JSON path) or an output that cannot be written. Verdicts do not change the exit status.");
    merge->add_option("reports", flags->inputs, "report JSON files (shakedown conform --report-json)")
        ->required()
        ->type_name("REPORT.json");
    merge->add_option("--html", flags->html, "write the matrix as a self-contained HTML page");
    merge->add_option("--junit", flags->junit, "write a JUnit XML report, one testsuite per target");
    merge->add_option("--json", flags->json, "write the merged matrix as JSON");
    merge->callback([flags, &exit_code] { exit_code = run_merge(*flags); });
}

}  // namespace shakedown::cli
