// The Stellar overlay handshake scenario catalogue (docs/protocols/stellar.md): the happy path in
// both roles and every adversarial class of docs/protocols/stellar.md that applies, each scenario
// graded against what stellar-core does.
#pragma once

#include <memory>

#include "conformance/runner/runner.hpp"
#include "conformance/runner/transport.hpp"
#include "conformance/scenarios/stellar/framing.hpp"
#include "conformance/scenarios/stellar/session.hpp"

namespace shakedown::conformance::stellar_scenarios {

[[nodiscard]] Catalogue make_catalogue(std::shared_ptr<Env> env);

}  // namespace shakedown::conformance::stellar_scenarios
