// The ShadowMesh registry descriptor (conformance/registry/variant.hpp).
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::shadowmesh {

[[nodiscard]] const registry::Variant& variant();

}  // namespace shakedown::shadowmesh
