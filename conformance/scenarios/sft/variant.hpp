// The SFT registry descriptor (conformance/registry/variant.hpp).
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::sft {

[[nodiscard]] const registry::Variant& variant();

}  // namespace shakedown::sft
