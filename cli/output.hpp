// Writing a report file, as every subcommand that writes one does it.
#pragma once

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace shakedown::cli {

// Creates the parent folders; says on stderr what it wrote, or why it could not.
inline bool write_file(const char* command, const std::string& path, const std::string& text) {
    const std::filesystem::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) {
        std::filesystem::create_directories(p.parent_path(), ec);
    }
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
        std::cerr << "shakedown " << command << ": cannot write " << path << "\n";
        return false;
    }
    std::cerr << "wrote " << path << "\n";
    return true;
}

}  // namespace shakedown::cli
