// Stellar's benchmark cases for bench/handshake_bench (registry BenchCase).
#pragma once

#include <vector>

#include "conformance/registry/variant.hpp"

namespace shakedown::stellar {

[[nodiscard]] std::vector<registry::BenchCase> bench_cases();

}  // namespace shakedown::stellar
