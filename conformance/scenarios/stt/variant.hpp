// The STT variant's registry descriptor (conformance/registry/variant.hpp).
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::stt {

[[nodiscard]] const registry::Variant& variant();

}  // namespace shakedown::stt
