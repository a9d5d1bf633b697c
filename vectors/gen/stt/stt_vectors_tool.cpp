// stt_vectors: writes the STT vector files (--write), checks that regenerating reproduces the
// checked-in files byte for byte (--check), and runs the C++ case checkers over them (--verify),
// with the file-level rules of vectors/README.md (unique tcIds, flags defined in notes,
// numberOfTests).
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "vectors/gen/stt/stt_vectors.hpp"

namespace {

using shakedown::vectors::Json;
using shakedown::vectors::VectorError;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return in ? ss.str() : std::string{};
}

int verify(const std::string& dir, const std::vector<shakedown::vectors::GeneratedFile>& files) {
    std::size_t passed = 0;
    std::size_t failed = 0;
    for (const auto& f : files) {
        const std::string path = dir + "/" + f.relative_path;
        try {
            const Json file = shakedown::vectors::read_json_file(path);
            const auto check = shakedown::stt::vectors::checker(file.at("schema").get<std::string>());
            if (!check || file.at("variant") != "stt") {
                throw VectorError(path + ": not an STT vector file");
            }
            const Json& notes = file.at("notes");
            std::set<std::int64_t> ids;
            std::size_t count = 0;
            for (const Json& group : file.at("testGroups")) {
                for (const Json& test : group.at("tests")) {
                    ++count;
                    const std::string label = path + ": tcId " + test.value("tcId", Json(-1)).dump();
                    try {
                        if (!ids.insert(test.at("tcId").get<std::int64_t>()).second) {
                            throw VectorError("tcId: duplicate");
                        }
                        for (const Json& flag : test.at("flags")) {
                            if (!notes.contains(flag.get<std::string>())) {
                                throw VectorError("flags: " + flag.dump() + " is not defined in notes");
                            }
                        }
                        check(group, test);
                        ++passed;
                    } catch (const std::exception& e) {
                        ++failed;
                        std::cerr << label << ": " << e.what() << "\n";
                    }
                }
            }
            if (count != file.at("numberOfTests").get<std::size_t>()) {
                ++failed;
                std::cerr << path << ": numberOfTests does not match\n";
            }
        } catch (const std::exception& e) {
            ++failed;
            std::cerr << path << ": " << e.what() << "\n";
        }
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    const std::string dir = argc > 2 ? argv[2] : std::string(SHAKEDOWN_SOURCE_DIR) + "/vectors";
    if (mode != "--write" && mode != "--check" && mode != "--verify") {
        std::cerr << "usage: stt_vectors --write|--check|--verify [VECTORS_DIR]\n";
        return 2;
    }
    std::vector<shakedown::vectors::GeneratedFile> files;
    try {
        files = shakedown::stt::vectors::generate({});
    } catch (const std::exception& e) {
        std::cerr << "generation failed: " << e.what() << "\n";
        return 1;
    }
    if (mode == "--verify") {
        return verify(dir, files);
    }
    int drift = 0;
    for (const auto& f : files) {
        const std::string path = dir + "/" + f.relative_path;
        if (mode == "--write") {
            std::ofstream(path, std::ios::binary) << f.text;
            std::cout << "wrote " << path << "\n";
        } else if (read_text(path) != f.text) {
            std::cerr << path << ": differs from what the generator produces\n";
            drift = 1;
        }
    }
    if (mode == "--check" && drift == 0) {
        std::cout << files.size() << " files reproduced byte for byte\n";
    }
    return drift;
}
