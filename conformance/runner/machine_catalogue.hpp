// Scenarios written once against the common Machine interface, for every variant. The runner plays
// the other role with the variant's own reference machine (the harness), sends what that machine
// emits after an optional rewrite (a flipped bit, a truncated or duplicated unit, a replay from an
// earlier session, silence), and grades how the target reacts:
//   Expect::complete  the target must finish the handshake (and say so, where it reports);
//   Expect::reject    the target must refuse, at the rewritten unit: by closing, by an error the
//                     harness recognises, or by reporting HANDSHAKE_FAILED; going on with the
//                     handshake, or staying open and silent on a stream, is graded `on_accept`.
// A variant builds its catalogue from generic families (every unit truncated, extended, flipped,
// dropped, duplicated, swapped, oversized, replayed) plus scenarios of its own (a reflected
// message, a skewed clock), all as data; docs/adding-a-variant.md shows how.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/machine.hpp"
#include "conformance/runner/runner.hpp"

namespace shakedown::conformance {

// Rewrites the units the harness's honest machine emits, in order: `index` counts the harness's
// units on this connection from 0; the result is sent instead (empty: nothing). One rewriter
// serves one run, so it may keep state (swap_with_next does).
using UnitRewriter = std::function<std::vector<Bytes>(std::size_t index, const Bytes& unit)>;
using RewriterFactory = std::function<UnitRewriter()>;

namespace rewrite {
[[nodiscard]] RewriterFactory flip_bit(std::size_t unit, std::size_t bit);  // past the end: the last bit
[[nodiscard]] RewriterFactory flip_last_bit(std::size_t unit);
[[nodiscard]] RewriterFactory truncate(std::size_t unit, std::size_t keep);  // the first `keep` bytes
[[nodiscard]] RewriterFactory append(std::size_t unit, Bytes extra);
[[nodiscard]] RewriterFactory pad_to(std::size_t unit, std::size_t size, std::uint8_t fill);
[[nodiscard]] RewriterFactory drop(std::size_t unit);
[[nodiscard]] RewriterFactory duplicate(std::size_t unit);
[[nodiscard]] RewriterFactory swap_with_next(std::size_t unit);
[[nodiscard]] RewriterFactory insert_before(std::size_t unit, Bytes extra);
[[nodiscard]] RewriterFactory replace(std::size_t unit, std::function<Bytes(const Bytes&)> change);
}  // namespace rewrite

enum class Expect : std::uint8_t { complete, reject };

struct MachineScenario {
    ScenarioInfo info;  // id "<target role>.<class>.<name>", title, class, target role, rule
    Expect expect = Expect::reject;
    // Shim flags for the target in this scenario (after the environment's), e.g. --now.
    std::vector<std::string> target_flags;
    // The scenario means nothing without target_flags (clock control, limits): a running target
    // must have been started with them (ScenarioInfo::target_config), and a shim is started with
    // them on a connection of its own.
    bool requires_target_flags = false;
    // Graded from the target's own report (ScenarioInfo::needs_target_report).
    bool needs_target_report = false;
    // Shim flags of the harness's own machine (e.g. its --now, a wrong password).
    std::vector<std::string> harness_flags;
    // The first harness unit those flags change (what the target sends before it is not its
    // reaction to the change); 0: from the first.
    std::size_t configured_from_unit = 0;
    RewriterFactory rewrite;  // none: honest
    // Run an honest handshake first, then send that session's unit `replay_unit` in place of the
    // fresh one.
    std::optional<std::size_t> replay_unit;
    // Stop sending after this many harness units: the target must give up by its own deadline.
    std::optional<std::size_t> stall_after;
    // The target's unit with this index (counted from 0 on this connection) is lost on the way: the
    // harness never sees it. The harness's own timers run meanwhile (its machine's idle_timeout(),
    // as a peer would drive it), so a retransmitting harness sends again too. A datagram
    // protocol's target must send it again (or answer the harness's retransmission) to complete.
    std::optional<std::size_t> lose_target_unit;
    // Send the harness's units one byte at a time, this far apart (a read timeout never fires):
    // graded as a stalled handshake, which only the target's overall deadline ends.
    std::optional<Millis> trickle_gap;
    // Hold harness unit `first` back for `second` (a span of the target's own clock, not scaled),
    // then send it unchanged: a message that arrives after the target's deadline, which the target
    // must refuse (a target that closes meanwhile has refused). Counted as the change.
    std::optional<std::pair<std::size_t, Millis>> late_unit;
    // The refusal must show on the wire within the environment's reaction time (the target closes,
    // or answers with an error): a target that keeps waiting, and closes only at its read timeout
    // or once we hang up, has not refused (a length prefix it would buffer, for example).
    bool refusal_on_the_wire = false;
    // The target must refuse before it answers the changed unit: anything it sends after the
    // change (other than an error the harness recognises) is going on, even when it gives up
    // later (a server that answers a wrong password and fails only at the next message).
    bool refuse_before_answering = false;
    // How to grade a target that accepts what it must reject (FAIL unless the spec allows it).
    Verdict on_accept = Verdict::fail;
    std::string consequence;  // what acceptance means, appended to the reason
    // A property of the protocol itself that the scenario shows (every conforming target has it):
    // when the scenario passes, the text this returns is added as an informational finding
    // (severity PASS, category "protocol"). It sees the units each side sent on the graded
    // connection.
    std::function<std::string(const std::vector<Bytes>& harness_units, const std::vector<Bytes>& target_units)>
        protocol_note;
    // The error the reference gives (impl/common/error.hpp name); noted when a target reports
    // another one.
    std::string expected_error;
    Millis deadline{3000};
    // The runner's side of the connection made by this factory instead of the target's
    // (ConnectionRequest::transport); sets ScenarioInfo::needs_own_transport.
    std::shared_ptr<const TransportFactory> transport;
};

struct MachineEnvironment {
    // The harness's machine for `role` (the reference of the variant), configured by shim flags.
    std::function<std::unique_ptr<Machine>(Role role, const std::vector<std::string>& flags, std::string& error)> make;
    // Flags every scenario gives the target before its own (its keys, its profile's settings).
    std::vector<std::string> target_flags;
    // Datagram transports: a target that refuses may stay silent rather than close.
    bool silence_is_rejection = false;
    // The harness's machine sends an earlier unit again, byte for byte (it answers a duplicate, or
    // retransmits): such a unit is not a new one (the scenario's unit numbering does not move) and
    // goes out exactly as it did the first time.
    bool resends = false;
    // How long a rejecting target may take to close after the offending unit.
    Millis reaction{1500};
    // Where a unit's body starts and how to frame a changed body (a record mark, a length prefix,
    // a datagram's frame header), so the generic families change the message rather than its
    // framing. Without them the whole unit is the body.
    std::function<std::size_t(const Bytes& unit)> body_offset;
    std::function<Bytes(const Bytes& unit, const Bytes& body)> reframe;

    // `change` applied to the unit's body, then reframed.
    [[nodiscard]] Bytes rebody(const Bytes& unit, const std::function<Bytes(Bytes)>& change) const;
};

[[nodiscard]] std::unique_ptr<Scenario> make_machine_scenario(std::shared_ptr<const MachineEnvironment> env,
                                                              MachineScenario spec);

// How many units the harness sends in an honest handshake when the target plays `target_role`,
// and their sizes, from an in-memory run of the reference against itself.
struct HonestShape {
    std::vector<std::size_t> harness_unit_sizes;  // up to the one after which the target completed
    bool completed = false;
    std::string error;
};
[[nodiscard]] HonestShape honest_shape(const MachineEnvironment& env, Role target_role,
                                       const std::vector<std::string>& target_flags = {},
                                       const std::vector<std::string>& harness_flags = {});

// The generic families for one target role: the honest handshake, then for every harness unit up
// to the one that completes the target's handshake: its body truncated (by one byte and to
// nothing), a trailing byte, the body's first and last bit flipped, dropped (silence), duplicated
// (all but the last), swapped with the next, grown past `oversize` bytes, and replayed from an
// earlier session. `keep` may drop or adjust any of them (return false to drop), since not every
// family applies to every unit of every protocol (a duplicate that the protocol answers again,
// a final unit the target never acknowledges).
struct FamilyOptions {
    Role target_role = Role::acceptor;
    std::string id_prefix;  // e.g. "" or "password." (after the role)
    std::vector<std::string> target_flags;
    std::vector<std::string> harness_flags;
    std::vector<std::string> unit_names;  // names of the harness's units, for titles ("HELLO", ...)
    std::size_t oversize = 70000;
    std::function<bool(MachineScenario&, std::size_t unit)> keep;
};
[[nodiscard]] std::vector<MachineScenario> generic_families(const MachineEnvironment& env, const FamilyOptions& o);

}  // namespace shakedown::conformance
