// The factor every deadline of a conformance test is stretched by (SHAKEDOWN_TIMEOUT_SCALE, set by
// the CMake registration: larger under the sanitizers and a loaded ctest -j), and deadlines
// stretched by it.
#pragma once

#include <cstdlib>

#include "conformance/runner/net.hpp"

namespace shakedown::test {

inline double timeout_scale() {
    const char* s = std::getenv("SHAKEDOWN_TIMEOUT_SCALE");
    return s != nullptr ? std::atof(s) : 1.0;
}
inline double scale() { return timeout_scale(); }
// A deadline `ms` milliseconds from now, stretched by the scale.
inline conformance::Deadline in_ms(int ms) {
    return conformance::after(conformance::Millis(static_cast<long>(ms * timeout_scale())));
}

}  // namespace shakedown::test
