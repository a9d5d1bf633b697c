#include "common/result.hpp"

namespace shakedown {

std::string Failure::describe() const {
    std::string out{to_string(code)};
    if (offset != kNoOffset) {
        out += " at byte ";
        out += std::to_string(offset);
    }
    if (detail != nullptr && *detail != '\0') {
        out += ": ";
        out += detail;
    }
    return out;
}

}  // namespace shakedown
