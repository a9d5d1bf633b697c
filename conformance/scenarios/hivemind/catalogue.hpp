// The HiveMind conformance catalogue (docs/protocols/hivemind.md, "Conformance catalogue"): the
// generic machine families for both roles in each mode (password, RSA, pre-shared key), and the
// protocol's own scenarios (wrong or reflected envelopes, downgraded choices, weak and changed RSA
// keys, non-canonical field encodings, plaintext after the handshake), as data for the generic
// engine (conformance/runner/machine_catalogue.hpp).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/registry/variant.hpp"

namespace shakedown::hivemind {

[[nodiscard]] conformance::Catalogue make_catalogue(const registry::Variant& variant,
                                                    const registry::CatalogueOptions& options);

// Which scenarios each bug knob must FAIL (ids or '*' patterns), for the strict profile.
[[nodiscard]] const std::map<std::string_view, std::vector<std::string>>& knob_scenarios();

}  // namespace shakedown::hivemind
