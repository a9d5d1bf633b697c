// The ShadowMesh conformance catalogue (docs/protocols/shadowmesh.md, "Conformance catalogue"): the
// generic machine families in both roles, adjusted where the protocol makes a family meaningless,
// and the rows of the adversarial catalogue (§8) that a peer on the wire can be asked about.
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::shadowmesh {

[[nodiscard]] conformance::Catalogue make_catalogue(const registry::CatalogueOptions& options);

}  // namespace shakedown::shadowmesh
