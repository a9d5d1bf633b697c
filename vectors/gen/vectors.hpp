// Entry points of the vector tooling, variant-independent: generate every file of a variant,
// verify any file. Each variant supplies its generator and case checkers through the registry
// (conformance/registry/variant.hpp); the file-level structure (Wycheproof-like header, notes,
// test groups, tcIds, numberOfTests) is checked here once for all.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "vectors/gen/json_strict.hpp"

namespace shakedown::vectors {

struct VerifyReport {
    std::size_t passed = 0;
    std::size_t failed = 0;
    // One line per problem: "FILE: tcId N: FIELD: detail" (or "FILE: detail" for file-level ones).
    std::vector<std::string> problems;
    bool file_error = false;  // the file could not be read as a vector file at all
};

struct GeneratedFile {
    std::string relative_path;  // under vectors/, e.g. "stellar/handshake_test.json"
    std::string text;
};

struct GenerateOptions {
    std::string wycheproof_dir;  // third_party/wycheproof unless overridden
};

// Checks one test of one group; throws VectorError naming the field on a mismatch.
using CaseChecker = std::function<void(const Json& group, const Json& test)>;

// The checker of a file's test groups, by the file's "variant" and "schema" (nullptr: none).
using CheckerLookup = std::function<CaseChecker(const std::string& variant, const std::string& schema)>;

// Checks the file-level structure and runs every test through the looked-up checker. Never
// throws: unreadable or malformed files are reported in problems with file_error set.
[[nodiscard]] VerifyReport verify_file(const std::string& path, const CheckerLookup& lookup);

}  // namespace shakedown::vectors
