// STT scenarios that see both sides of the exchange (catalogue.cpp adds them): the session data
// frames of the conformance contract after a complete handshake (session_machine.hpp), a message
// of the target's own reflected back to it, and an AUTH_PROOF sealed under another shared seed.
#pragma once

#include <memory>

#include "conformance/runner/machine_catalogue.hpp"

namespace shakedown::stt {

enum class WireCase : std::uint8_t {
    // Session data (class `session`), both roles.
    echo,             // the target's frames open under the session key, and it echoes ours
    header_tampered,  // a frame whose header changed in transit is not echoed
    replayed,         // a frame sent again is not echoed again
    reordered,        // of two frames sent out of order, the older is not echoed
    // Reordered handshake datagrams (class `reorder`), both roles.
    stale_first,      // the harness's first message again after completion: the session goes on
    // The handshake (classes `reflect` and `credential`).
    reflected,        // the target's first datagram sent back to it
    wrong_seed_proof, // (responder target) an AUTH_PROOF sealed under another shared seed
    // Peer addresses (class `address`, responder target), sent from a second source port.
    auth_proof_second_source,  // AUTH_PROOF from another address than its HELLO does not complete
    data_second_source,        // a session's data frame from another address is not answered
    flood,                     // (--max-pending 4) four newer HELLOs evict the oldest pending handshake
    expiry,                    // (--handshake-timeout-ms 1000) a handshake pending 2.1 s has expired
};

// The scenario for `c` against a target playing `target_role`; refusals are graded on the wire
// within `reaction` and, where the target reports, by its report.
[[nodiscard]] std::unique_ptr<conformance::Scenario> make_wire_scenario(
    std::shared_ptr<const conformance::MachineEnvironment> env, Role target_role, WireCase c);

}  // namespace shakedown::stt
