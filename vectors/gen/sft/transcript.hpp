// Runs an SFT client and server in memory, in step, from fully explicit inputs, optionally
// altering the wire messages in between; records every wire message, the derived keys and each
// side's outcome. Shared by the vector generator, the vector checker and the tests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/machine.hpp"
#include "sft/machine.hpp"

namespace shakedown::sft::vectors {

enum class MutationOp : std::uint8_t {
    flip_bit,    // arg = bit index (bit 0 = the MSB of byte 0)
    replace,     // bytes replace the message
    truncate,    // keep the first arg bytes
    append,      // bytes after the message
    drop,        // never delivered
    duplicate,   // delivered twice
    reflect,     // delivered back to its sender instead
    forge_json,  // text sealed as a JSON record under the sender's key, nonce given, seq etc. as written
    forge_data,  // bytes sealed as DATA at arg (offset), nonce given
    set_clock,   // before delivery, the receiver's clock reads arg
    patch,       // bytes overwrite the message from offset arg
    forge_type,  // bytes sealed as a record of payload_type arg (offset 0), nonce given
};
[[nodiscard]] std::string_view to_string(MutationOp op) noexcept;
[[nodiscard]] std::optional<MutationOp> mutation_op_from_string(std::string_view s) noexcept;

struct Mutation {
    std::size_t message = 0;
    MutationOp op = MutationOp::flip_bit;
    std::uint64_t arg = 0;
    Bytes bytes;
    std::string text;
    ByteArray<12> nonce{};
};

struct SideInputs {
    ByteArray<32> eph_secret{};
    ByteArray<32> identity_seed{};
    std::optional<ByteArray<32>> peer_identity;
    ByteArray<32> nonce_seed{};  // nonces: ChaCha20 stream (SeededRng) under this seed
    std::uint64_t now = 1767225600;
    std::map<std::string, Bytes> files;
    std::vector<std::string> knobs;
};

// Client operations after the handshake, each run to quiescence: ping, list, upload NAME,
// download NAME, advance SECONDS (both clocks).
struct Step {
    std::string op;
    std::string arg;
};

struct TranscriptInputs {
    Profile profile = Profile::upstream_v2;
    SideInputs client;
    SideInputs server;
    std::vector<Step> steps;
    std::vector<Mutation> mutations;
};

struct WireMessage {
    Role from = Role::initiator;
    std::string kind;  // what the sender sent before any mutation: H1..H4, D1, D2, JSON:<type>, DATA
    Bytes wire;        // as delivered (after any mutation)
    bool delivered = true;
};

struct SideOutcome {
    bool authenticated = false;
    std::string state;               // "established", "closed", "peer_closed", or a handshake state
    std::optional<Error> error;      // set when this side closed on a failure
    std::optional<std::size_t> at_message;  // global index of the message that caused it
    std::string sent;                // what it said on the way out
    std::vector<TransferEvent> events;
    std::map<std::string, Bytes> files;
    std::vector<DerivedKey> keys;
};

struct Transcript {
    std::vector<WireMessage> messages;
    SideOutcome client;
    SideOutcome server;
};

// invalid_argument for inputs that cannot run (unknown knob, a mutation of a message never sent).
[[nodiscard]] Result<Transcript> run_transcript(const TranscriptInputs& in, Deriver& deriver);

// The message kind as a reader sees it: handshake names by profile and direction, records by
// their header (decrypting with `keys` when given).
[[nodiscard]] std::string describe_record(ByteView wire, const SessionKeys* keys, Profile p);

}  // namespace shakedown::sft::vectors
