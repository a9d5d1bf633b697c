// Two reference machines run in step over an in-memory FIFO, with in-flight mutations
// (vectors/README.md, "Running in step"). Written once against the common Machine interface;
// a variant supplies how its units are labelled, where their body is, how to re-frame a changed
// body and how to re-authenticate a unit under a new sequence number.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/machine.hpp"

namespace shakedown::vectors {

enum class MutationOp : std::uint8_t {
    flip_bit, set_header, truncate, append, drop, duplicate, inject_before, resequence, replace
};
[[nodiscard]] std::string_view to_string(MutationOp op);
[[nodiscard]] std::optional<MutationOp> mutation_op_from_string(std::string_view s);

struct Mutation {
    std::size_t message = 0;
    MutationOp op = MutationOp::flip_bit;
    std::uint64_t value = 0;  // bit, header value, length or sequence
    Bytes data;               // append / inject_before / replace
};

struct UnitHooks {
    // A label for the unit as emitted ("HELLO", "?"), read without trusting the rest of it.
    std::function<std::string(ByteView unit)> type;
    // Bytes of the unit's header that set_header overwrites (big-endian value), and where the
    // body starts (truncate and append act on the body, then `reframe`).
    std::size_t header_size = 0;
    std::function<Bytes(ByteView unit, ByteView new_body)> reframe;
    // The unit re-sent under sequence `seq`, authenticated with the sender's keys as they are now;
    // nullopt leaves it unchanged (not an authenticated unit).
    std::function<std::optional<Bytes>(ByteView unit, std::uint64_t seq, const Machine& sender)> resequence;
};

struct Unit {
    Role from = Role::initiator;
    std::string type;
    Bytes wire;
    std::optional<std::vector<Bytes>> delivered;  // set when a mutation changed what arrived
};

struct InStepResult {
    std::vector<Unit> units;
    // Index of the unit whose delivery closed each side (initiator, acceptor).
    std::array<std::optional<std::size_t>, 2> closed_at;
};

// Runs until no unit is in flight, then settles: closes propagate, then idle timeouts (initiator
// first), then their closes. Fails (invalid_argument) only for a mutation naming a unit that is
// never emitted, or a run that does not settle within `max_units`.
[[nodiscard]] Result<InStepResult> run_in_step(Machine& initiator, Machine& acceptor,
                                               const std::vector<Mutation>& mutations, const UnitHooks& hooks,
                                               std::size_t max_units = 64);

}  // namespace shakedown::vectors
