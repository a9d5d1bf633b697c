// Entry points of the vector tooling: generate every file of a variant, verify any file.
#pragma once

#include <string>
#include <vector>

namespace shakedown::vectors {

struct VerifyReport {
    std::size_t passed = 0;
    std::size_t failed = 0;
    // One line per problem: "FILE: tcId N: FIELD: detail" (or "FILE: detail" for file-level ones).
    std::vector<std::string> problems;
    bool file_error = false;  // the file could not be read as a vector file at all
};

// Never throws: unreadable or malformed files are reported in problems with file_error set.
[[nodiscard]] VerifyReport verify_file(const std::string& path);

struct GeneratedFile {
    std::string relative_path;  // under vectors/, e.g. "stellar/handshake_test.json"
    std::string text;
};
// Throws VectorError when generation itself fails (e.g. Wycheproof input missing).
[[nodiscard]] std::vector<GeneratedFile> generate(const std::string& variant, const std::string& wycheproof_dir);
[[nodiscard]] std::vector<std::string> variants();

}  // namespace shakedown::vectors
