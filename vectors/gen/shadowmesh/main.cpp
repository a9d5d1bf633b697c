// shadowmesh_vectors [--check | --verify]: writes vectors/shadowmesh/*.json (default), reports
// files that differ from a fresh generation (--check), or runs the C++ case checkers over the
// checked-in files (--verify). The registry's `shakedown vectors generate --variant shadowmesh`
// calls the same generate().
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/shadowmesh/shadowmesh_vectors.hpp"

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
    namespace sv = shakedown::vectors;
    const std::filesystem::path root = std::filesystem::path(SHAKEDOWN_SOURCE_DIR) / "vectors";
    const std::string mode = argc > 1 ? argv[1] : "";
    try {
        if (mode == "--verify") {
            std::size_t passed = 0;
            std::size_t failed = 0;
            for (const auto& f : shakedown::shadowmesh::vectors::generate({})) {
                const auto file = sv::read_json_file((root / f.relative_path).string());
                const auto check = shakedown::shadowmesh::vectors::checker(file.at("schema").get<std::string>());
                if (!check) {
                    std::cout << f.relative_path << ": no checker for its schema\n";
                    ++failed;
                    continue;
                }
                std::size_t count = 0;
                for (const auto& g : file.at("testGroups")) {
                    for (const auto& t : g.at("tests")) {
                        ++count;
                        try {
                            for (const auto& fl : t.at("flags")) {
                                if (!file.at("notes").contains(fl.get<std::string>())) {
                                    throw sv::VectorError("flags: " + fl.dump() + " not in notes");
                                }
                            }
                            check(g, t);
                            ++passed;
                        } catch (const std::exception& e) {
                            ++failed;
                            std::cout << f.relative_path << ": tcId " << t.value("tcId", -1) << ": " << e.what()
                                      << "\n";
                        }
                    }
                }
                if (count != file.at("numberOfTests").get<std::size_t>()) {
                    std::cout << f.relative_path << ": numberOfTests does not match\n";
                    ++failed;
                }
            }
            std::cout << passed << " passed, " << failed << " failed\n";
            return failed == 0 && passed > 0 ? 0 : 1;
        }
        int drift = 0;
        for (const auto& f : shakedown::shadowmesh::vectors::generate({})) {
            const auto path = root / f.relative_path;
            if (mode == "--check") {
                if (slurp(path) != f.text) {
                    std::cout << path.string() << ": differs from a fresh generation\n";
                    drift = 1;
                }
            } else {
                std::filesystem::create_directories(path.parent_path());
                std::ofstream(path, std::ios::binary) << f.text;
                std::cout << "wrote " << path.string() << "\n";
            }
        }
        return drift;
    } catch (const std::exception& e) {
        std::cerr << "shadowmesh_vectors: " << e.what() << "\n";
        return 2;
    }
}
