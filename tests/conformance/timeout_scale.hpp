// The factor every deadline of a conformance test is stretched by (SHAKEDOWN_TIMEOUT_SCALE, set by
// the CMake registration: larger under the sanitizers and a loaded ctest -j).
#pragma once

#include <cstdlib>

namespace shakedown::test {

inline double timeout_scale() {
    const char* s = std::getenv("SHAKEDOWN_TIMEOUT_SCALE");
    return s != nullptr ? std::atof(s) : 1.0;
}

}  // namespace shakedown::test
