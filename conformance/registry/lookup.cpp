// Lookup over the generated list of registered variants (registry.cpp, from variants.cmake).
#include "conformance/registry/variant.hpp"

namespace shakedown::registry {

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
