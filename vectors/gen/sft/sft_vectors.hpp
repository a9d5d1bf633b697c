// SFT vector files: generation (reproducible byte for byte) and the C++ case checkers, which
// recompute every case from its inputs with the reference and compare.
#pragma once

#include <string>
#include <vector>

#include "vectors/gen/vectors.hpp"

namespace shakedown::sft::vectors {

[[nodiscard]] std::vector<shakedown::vectors::GeneratedFile> generate(const shakedown::vectors::GenerateOptions& opts);
// nullptr for an unknown schema.
[[nodiscard]] shakedown::vectors::CaseChecker checker(const std::string& schema);

}  // namespace shakedown::sft::vectors
