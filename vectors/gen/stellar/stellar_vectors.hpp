// Stellar's vector files: generation and the case checkers (registry VectorHooks).
#pragma once

#include <string>
#include <vector>

#include "vectors/gen/vectors.hpp"

namespace shakedown::stellar::vectors {

[[nodiscard]] std::vector<shakedown::vectors::GeneratedFile> generate(const shakedown::vectors::GenerateOptions& options);
[[nodiscard]] shakedown::vectors::CaseChecker checker(const std::string& schema);

}  // namespace shakedown::stellar::vectors
