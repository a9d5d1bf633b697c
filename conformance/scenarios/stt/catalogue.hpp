// The STT conformance catalogue (docs/protocols/stt.md, "Conformance catalogue"): the generic
// machine families in both roles over framed handshake datagrams, plus STT's own classes (TLV
// strictness, frame checks, commitment, field lengths, credentials, foreign-role messages, clock
// skew and window edges, idle deadlines), each graded against what the reference does.
#pragma once

#include "conformance/registry/variant.hpp"

namespace shakedown::stt {

[[nodiscard]] conformance::Catalogue make_catalogue(const registry::Variant& v, const registry::CatalogueOptions& options);

}  // namespace shakedown::stt
