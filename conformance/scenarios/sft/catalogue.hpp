// SFT's conformance catalogue (docs/protocols/sft.md, "Conformance catalogue"): the generic machine
// families (conformance/runner/machine_catalogue.hpp) for both roles of the profile, trimmed to
// what the profile's handshake can detect, and SFT's own scenarios (a foreign server key, a
// reflected AUTH_OK, a length prefix past any field, a spent derivation budget).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "conformance/registry/variant.hpp"

namespace shakedown::conformance::sft_scenarios {

// A handshake deadline in whole seconds, 1 to the spec's 30 (a deployment may only shorten it):
// the reference's --handshake-deadline and conform's --deadline-scenarios-at.
[[nodiscard]] std::optional<std::uint32_t> parse_deadline(const std::string& text);

[[nodiscard]] Catalogue make_catalogue(const registry::Variant& v, const registry::CatalogueOptions& options);

}  // namespace shakedown::conformance::sft_scenarios
