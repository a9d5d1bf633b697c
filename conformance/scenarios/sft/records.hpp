// SFT scenarios after the handshake (docs/protocols/sft.md §4, §6): the generic machine scenarios
// end with the handshake, so these drive the harness client through it, then send records made
// with the session's keys (a signed ping, one without its HMAC, a float seq, the server's own
// pong played back, a DATA record twice, DATA past the announced size) and grade whether the
// server answers or closes.
#pragma once

#include <memory>

#include "conformance/runner/machine_catalogue.hpp"
#include "sft/profile.hpp"

namespace shakedown::conformance::sft_scenarios {

// The records scenarios for `target` (the server's: pings, reflections, DATA bounds and replays;
// the client's: its own ping reflected); `env` as for the generic families of that role.
void add_record_scenarios(Catalogue& cat, std::shared_ptr<const MachineEnvironment> env, sft::Profile profile,
                          Role target);

}  // namespace shakedown::conformance::sft_scenarios
