// The HiveMind registry descriptor (conformance/registry/variant.hpp).
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::hivemind {

[[nodiscard]] const registry::Variant& variant();

}  // namespace shakedown::hivemind
