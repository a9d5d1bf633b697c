#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/paths.hpp"
#include "vectors/gen/json_strict.hpp"
#include "conformance/registry/variant.hpp"
#include "vectors/gen/vectors.hpp"

namespace shakedown::cli {

namespace fs = std::filesystem;

namespace {

int run_generate(const std::string& variant, const std::string& out_dir, const std::string& wycheproof) {
    const std::vector<std::string> which = variant.empty() ? registry::names() : std::vector<std::string>{variant};
    try {
        for (const auto& name : which) {
            const auto* v = registry::find(name);
            if (v == nullptr || !v->vectors.generate) {
                continue;  // a variant without vectors yet
            }
            for (const auto& f : v->vectors.generate(vectors::GenerateOptions{wycheproof})) {
                const fs::path path = fs::path(out_dir) / f.relative_path;
                fs::create_directories(path.parent_path());
                std::ofstream out(path, std::ios::binary | std::ios::trunc);
                out << f.text;
                if (!out) {
                    std::cerr << "shakedown: cannot write " << path.string() << "\n";
                    return 1;
                }
                std::cout << "wrote " << path.string() << " (" << f.text.size() << " bytes)\n";
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "shakedown: vectors generate: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

std::vector<std::string> default_files() {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& v : registry::names()) {
        const fs::path dir = fs::path(vectors_dir()) / v;
        for (const auto& e : fs::directory_iterator(dir, ec)) {
            if (e.path().extension() == ".json") {
                files.push_back(e.path().string());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

vectors::CaseChecker lookup(const std::string& variant, const std::string& schema) {
    const auto* v = registry::find(variant);
    return v != nullptr && v->vectors.checker ? v->vectors.checker(schema) : nullptr;
}

int run_verify(std::vector<std::string> files, bool quiet) {
    if (files.empty()) {
        files = default_files();
    }
    std::size_t passed = 0;
    std::size_t failed = 0;
    bool file_error = false;
    for (const auto& f : files) {
        const auto report = vectors::verify_file(f, lookup);
        passed += report.passed;
        failed += report.failed;
        file_error = file_error || report.file_error;
        for (const auto& p : report.problems) {
            std::cerr << p << "\n";
        }
        if (!quiet) {
            std::cout << f << ": " << report.passed << " passed, " << report.failed << " failed"
                      << (report.file_error ? " (file error)" : "") << "\n";
        }
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    if (file_error) {
        return 2;
    }
    return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace

void add_vectors_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("vectors", "generate or verify known-answer test vectors");
    cmd->require_subcommand(1);

    auto* gen = cmd->add_subcommand("generate", "write every vector file, byte for byte reproducible");
    static std::string variant;
    static std::string out_dir;
    static std::string wycheproof;
    gen->add_option("--variant", variant, "only this variant")->check(CLI::IsMember(registry::names()));
    gen->add_option("--out", out_dir, "output directory (default: the source tree's vectors/)");
    gen->add_option("--wycheproof", wycheproof, "directory of Wycheproof files (low-order X25519 keys)");
    gen->callback([&exit_code] {
        exit_code = run_generate(variant, out_dir.empty() ? vectors_dir() : out_dir,
                                 wycheproof.empty() ? wycheproof_dir() : wycheproof);
    });

    auto* ver = cmd->add_subcommand("verify", "replay every vector, both roles in step; ends with 'N passed, M failed'");
    static std::vector<std::string> files;
    static bool quiet = false;
    ver->add_option("files", files, "vector files (default: every file under vectors/)");
    ver->add_flag("--quiet,-q", quiet, "only the summary line and problems");
    ver->callback([&exit_code] { exit_code = run_verify(files, quiet); });
}

}  // namespace shakedown::cli
