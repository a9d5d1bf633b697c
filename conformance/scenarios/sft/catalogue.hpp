// SFT's conformance catalogue (docs/protocols/sft.md, "Conformance catalogue"): the generic machine
// families (conformance/runner/machine_catalogue.hpp) for both roles of the profile, trimmed to
// what the profile's handshake can detect, and SFT's own scenarios (a foreign server key, a
// reflected AUTH_OK, a length prefix past any field, a spent derivation budget).
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::conformance::sft_scenarios {

[[nodiscard]] Catalogue make_catalogue(const registry::Variant& v, const registry::CatalogueOptions& options);

}  // namespace shakedown::conformance::sft_scenarios
