#include "conformance/registry/variant.hpp"

#include <algorithm>

namespace shakedown::registry {

const Profile* Variant::find_profile(std::string_view n) const {
    for (const auto& p : profiles) {
        if (p.name == n) {
            return &p;
        }
    }
    return nullptr;
}

const Knob* Variant::find_knob(std::string_view n) const {
    for (const auto& k : knobs) {
        if (k.name == n) {
            return &k;
        }
    }
    return nullptr;
}

const Variant* find(std::string_view name) {
    for (const auto* v : variants()) {
        if (v->name == name) {
            return v;
        }
    }
    return nullptr;
}

std::vector<std::string> names() {
    std::vector<std::string> out;
    for (const auto* v : variants()) {
        out.push_back(v->name);
    }
    return out;
}

}  // namespace shakedown::registry
