// hivemind_vectors_tool [--check] [DIR]: writes every HiveMind vector file under DIR (default:
// the source tree's vectors/), or with --check reports files that differ from a fresh generation.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "vectors/gen/hivemind/hivemind_vectors.hpp"

int main(int argc, char** argv) {
    bool check = false;
    std::string dir = std::string(SHAKEDOWN_SOURCE_DIR) + "/vectors";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--check") {
            check = true;
        } else {
            dir = a;
        }
    }
    try {
        int drift = 0;
        for (const auto& f : shakedown::hivemind::vectors::generate({})) {
            const std::string path = dir + "/" + f.relative_path;
            if (check) {
                std::ifstream in(path, std::ios::binary);
                std::stringstream ss;
                ss << in.rdbuf();
                if (ss.str() != f.text) {
                    std::fprintf(stderr, "%s: differs from a fresh generation\n", path.c_str());
                    ++drift;
                }
            } else {
                std::ofstream out(path, std::ios::binary);
                out << f.text;
                std::printf("wrote %s\n", path.c_str());
            }
        }
        return drift == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
