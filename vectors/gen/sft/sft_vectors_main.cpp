// sft_vectors generate DIR      write vectors/sft/*.json under DIR (the vectors folder)
// sft_vectors check DIR         regenerate and compare byte for byte with DIR's files
// sft_vectors verify FILE...    run the C++ case checkers over files; ends "N passed, M failed"
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/sft/sft_vectors.hpp"

namespace {

namespace fs = std::filesystem;
using shakedown::vectors::Json;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int usage() {
    std::cerr << "usage: sft_vectors generate|check VECTORS_DIR [WYCHEPROOF_DIR] | verify FILE...\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        return usage();
    }
    const std::string cmd = argv[1];
    try {
        if (cmd == "generate" || cmd == "check") {
            const fs::path dir = argv[2];
            shakedown::vectors::GenerateOptions opts;
            opts.wycheproof_dir = argc > 3 ? argv[3] : (dir.parent_path() / "third_party" / "wycheproof").string();
            const auto files = shakedown::sft::vectors::generate(opts);
            int drift = 0;
            for (const auto& f : files) {
                const fs::path p = dir / f.relative_path;
                if (cmd == "generate") {
                    fs::create_directories(p.parent_path());
                    std::ofstream(p, std::ios::binary) << f.text;
                    std::cout << "wrote " << p.string() << "\n";
                } else if (!fs::exists(p) || slurp(p) != f.text) {
                    std::cout << p.string() << ": differs from a fresh generation\n";
                    ++drift;
                } else {
                    std::cout << p.string() << ": reproduced byte for byte\n";
                }
            }
            return drift == 0 ? 0 : 1;
        }
        if (cmd == "verify") {
            std::size_t passed = 0;
            std::size_t failed = 0;
            for (int i = 2; i < argc; ++i) {
                const std::string path = argv[i];
                const Json j = shakedown::vectors::read_json_file(path);
                const auto check = shakedown::sft::vectors::checker(j.at("schema").get<std::string>());
                if (!check || j.at("variant") != "sft") {
                    std::cout << path << ": not an SFT vector file\n";
                    ++failed;
                    continue;
                }
                std::size_t count = 0;
                std::set<std::int64_t> ids;
                for (const auto& g : j.at("testGroups")) {
                    for (const auto& t : g.at("tests")) {
                        ++count;
                        const auto id = t.at("tcId").get<std::int64_t>();
                        try {
                            if (!ids.insert(id).second) {
                                throw shakedown::vectors::VectorError("tcId: duplicate");
                            }
                            for (const auto& f : t.at("flags")) {
                                if (!j.at("notes").contains(f.get<std::string>())) {
                                    throw shakedown::vectors::VectorError("flags: " + f.dump() + " not in notes");
                                }
                            }
                            check(g, t);
                            ++passed;
                        } catch (const std::exception& e) {
                            ++failed;
                            std::cout << path << ": tcId " << id << ": " << e.what() << "\n";
                        }
                    }
                }
                if (count != j.at("numberOfTests").get<std::size_t>()) {
                    std::cout << path << ": numberOfTests does not match\n";
                    ++failed;
                }
            }
            std::cout << passed << " passed, " << failed << " failed\n";
            return failed == 0 && passed > 0 ? 0 : 1;
        }
    } catch (const std::exception& e) {
        std::cerr << "sft_vectors: " << e.what() << "\n";
        return 2;
    }
    return usage();
}
