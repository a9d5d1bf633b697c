#include "sft/profile.hpp"

namespace shakedown::sft {

std::string_view to_string(Profile p) noexcept { return p == Profile::described ? "described" : "upstream-v2"; }

std::optional<Profile> profile_from_string(std::string_view s) noexcept {
    if (s == "described") {
        return Profile::described;
    }
    if (s == "upstream-v2") {
        return Profile::upstream_v2;
    }
    return std::nullopt;
}

}  // namespace shakedown::sft
