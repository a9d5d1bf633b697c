// Stellar's registry entry (conformance/registry/variant.hpp).
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::stellar {

[[nodiscard]] const registry::Variant& variant();

}  // namespace shakedown::stellar
