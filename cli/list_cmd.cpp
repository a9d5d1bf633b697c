// shakedown list: every registered variant with its profiles, messages, vector files, flags,
// bug knobs and fuzz targets; --json for scripts (ci/main.sh, ci/fuzz.sh), --names for one name
// per line.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/paths.hpp"
#include "conformance/registry/variant.hpp"

namespace shakedown::cli {

namespace {

std::vector<std::string> vector_files(const std::string& variant) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(vectors_dir() + "/" + variant, ec)) {
        if (e.path().extension() == ".json") {
            out.push_back("vectors/" + variant + "/" + e.path().filename().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

nlohmann::ordered_json describe(const registry::Variant& v) {
    nlohmann::ordered_json j;
    j["name"] = v.name;
    j["summary"] = v.summary;
    j["doc"] = v.doc;
    j["transport"] = v.transport_name;
    j["profiles"] = nlohmann::ordered_json::array();
    for (const auto& p : v.profiles) {
        j["profiles"].push_back({{"name", p.name}, {"summary", p.summary}});
    }
    j["messages"] = v.messages;
    j["vectors"] = vector_files(v.name);
    j["conformance"] = static_cast<bool>(v.catalogue);
    j["reference_peer"] = registry::has_reference_peer(v);
    j["shim_flags"] = nlohmann::ordered_json::array();
    for (const auto& f : v.shim_flags) {
        j["shim_flags"].push_back({{"name", f.name}, {"value", f.value_name}, {"help", f.help}});
    }
    j["knobs"] = nlohmann::ordered_json::array();
    for (const auto& k : v.knobs) {
        j["knobs"].push_back(
            {{"name", k.name}, {"summary", k.summary}, {"must_fail", k.must_fail}, {"profiles", k.profiles}});
        if (!k.off_the_wire.empty()) {
            j["knobs"].back()["off_the_wire"] = k.off_the_wire;
        }
    }
    j["fuzz_targets"] = v.fuzz_targets;
    // shakedown load, per profile: the flags that make a wrong credential, or why there is none.
    j["load"] = nlohmann::ordered_json::array();
    for (const auto& p : v.profiles) {
        const registry::LoadSetup s = v.load ? v.load(p.name) : registry::LoadSetup{};
        j["load"].push_back({{"profile", p.name},
                             {"wrong_credential", s.wrong_credential},
                             {"no_credential", s.wrong_credential.empty() && s.no_credential.empty()
                                                   ? std::string("the variant declares no credential")
                                                   : s.no_credential}});
    }
    return j;
}

}  // namespace

void add_list_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("list", "show variants: profiles, messages, vector files, knobs, fuzz targets");
    static bool json = false;
    static bool names_only = false;
    cmd->add_flag("--json", json, "machine-readable output");
    cmd->add_flag("--names", names_only, "variant names only, one per line");
    cmd->callback([&exit_code] {
        if (names_only) {
            for (const auto* v : registry::variants()) {
                std::cout << v->name << "\n";
            }
        } else if (json) {
            auto all = nlohmann::ordered_json::array();
            for (const auto* v : registry::variants()) {
                all.push_back(describe(*v));
            }
            std::cout << all.dump(2) << "\n";
        } else {
            for (const auto* v : registry::variants()) {
                std::cout << v->name << "  " << v->summary << "\n  doc:       " << v->doc
                          << "\n  transport: " << v->transport_name << "\n  profiles: ";
                for (const auto& p : v->profiles) {
                    std::cout << " " << p.name;
                }
                std::cout << "\n  messages: ";
                for (const auto& m : v->messages) {
                    std::cout << " " << m;
                }
                std::cout << "\n  vectors:  ";
                for (const auto& f : vector_files(v->name)) {
                    std::cout << " " << f;
                }
                std::cout << "\n  conformance catalogue: " << (v->catalogue ? "yes" : "not yet")
                          << "; bug knobs: " << v->knobs.size() << "; fuzz targets: " << v->fuzz_targets.size() << "\n";
            }
        }
        exit_code = 0;
    });
}

}  // namespace shakedown::cli
