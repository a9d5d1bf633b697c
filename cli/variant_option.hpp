// --variant and --profile, shared by every subcommand: required once several variants are
// registered, defaulted while there is one; a profile defaults to the variant's first.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "conformance/registry/variant.hpp"

namespace shakedown::cli {

struct VariantChoice {
    std::string variant;
    std::string profile;
};

inline void add_variant_options(CLI::App* cmd, VariantChoice& choice) {
    cmd->add_option("--variant", choice.variant, "handshake variant (shakedown list)")
        ->check(CLI::IsMember(registry::names()));
    cmd->add_option("--profile", choice.profile, "the variant's profile (default: its first)");
}

// The chosen variant, or nullptr after printing a usage error.
inline const registry::Variant* resolve_variant(const char* command, VariantChoice& choice) {
    if (choice.variant.empty()) {
        if (registry::variants().size() != 1) {
            std::cerr << "shakedown " << command << ": --variant is required (one of:";
            for (const auto& n : registry::names()) {
                std::cerr << " " << n;
            }
            std::cerr << ")\n";
            return nullptr;
        }
        choice.variant = registry::variants().front()->name;
    }
    const auto* v = registry::find(choice.variant);
    if (v == nullptr) {
        std::cerr << "shakedown " << command << ": unknown variant '" << choice.variant << "'\n";
        return nullptr;
    }
    if (choice.profile.empty()) {
        choice.profile = v->profiles.empty() ? std::string() : v->profiles.front().name;
    } else if (v->find_profile(choice.profile) == nullptr) {
        std::cerr << "shakedown " << command << ": variant " << v->name << " has no profile '" << choice.profile
                  << "' (profiles:";
        for (const auto& p : v->profiles) {
            std::cerr << " " << p.name;
        }
        std::cerr << ")\n";
        return nullptr;
    }
    return v;
}

}  // namespace shakedown::cli
