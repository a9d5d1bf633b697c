// Runs two reference Stellar peers in step (vectors/gen/in_step.hpp) with Stellar's unit hooks:
// records labelled by MessageType, re-framed with their record mark, re-MACed under the sender's
// key when re-sequenced. Used to generate and verify transcript
// vectors, by property tests and by benchmarks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stellar/handshake.hpp"
#include "vectors/gen/in_step.hpp"

namespace shakedown::vectors::stellar {

namespace ss = shakedown::stellar;

// One side of a transcript: the node's configuration plus what it is injected with (the random
// bytes it draws, X25519 secret then nonce, and its clock). `role` is set by position.
struct SideInputs : ss::HandshakeConfig {
    ByteArray<32> ecdh_secret{};
    ByteArray<32> nonce{};
    std::uint64_t now = 0;
};

using shakedown::vectors::Mutation;
using shakedown::vectors::MutationOp;
using shakedown::vectors::mutation_op_from_string;
using shakedown::vectors::to_string;

struct TranscriptInputs {
    SideInputs initiator;
    SideInputs acceptor;
    std::vector<Mutation> mutations;
};

struct RecordOut {
    Role from = Role::initiator;
    std::string type;
    Bytes wire;
    std::optional<std::vector<Bytes>> delivered;
};

struct SideOutcome {
    std::string state;  // authenticated | rejected | peer_closed
    std::optional<Error> error;
    std::optional<std::size_t> at_message;
    std::optional<std::string> response;  // silent | ERR_…
    std::optional<ByteArray<32>> shared_key;
    std::optional<ByteArray<32>> send_mac_key;
    std::optional<ByteArray<32>> recv_mac_key;
};

struct TranscriptResult {
    std::vector<RecordOut> messages;
    SideOutcome initiator;
    SideOutcome acceptor;
    // Not part of the vector format: bytes of an incomplete record each side still holds.
    std::size_t initiator_pending = 0;
    std::size_t acceptor_pending = 0;
    // Both sides completed the handshake and neither closed the connection on its own.
    [[nodiscard]] bool both_authenticated() const {
        return initiator.state == "authenticated" && acceptor.state == "authenticated" && !initiator.error &&
               !acceptor.error;
    }
};

[[nodiscard]] ss::HandshakeConfig to_config(const SideInputs& side, Role role);
// Fails (invalid_argument) only for inputs the format cannot express: a mutation naming a record
// that never exists, or a run that does not settle within the record budget.
[[nodiscard]] Result<TranscriptResult> run_transcript(const TranscriptInputs& inputs);

}  // namespace shakedown::vectors::stellar
