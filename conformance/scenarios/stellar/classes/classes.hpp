// Building blocks shared by the Stellar scenario classes (one file per class in this folder):
// the scenario spec, the builder that collects specs in catalogue order, stimuli and the
// stellar-core reactions they are graded against.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "conformance/scenarios/stellar/engine.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

struct CaseSpec {
    std::string name;  // "<class>.<case>"; the id is "<target role>.<name>"
    std::string title;
    Role target = Role::acceptor;
    Stage stage = Stage::start;
    Tweaks tweaks;
    Stimulus stimulus;  // empty: the target must complete the handshake
    Reaction reaction;
    Acceptance acceptance;
    std::vector<Category> grades;
    std::string rule;
    bool single_process = false;
    bool completes_first = false;  // the stimulus itself completes a handshake before misbehaving
    std::function<ScenarioOutcome(Driver&, const CaseSpec&)> custom;
};

class Builder {
public:
    void add(CaseSpec c) { m_cases.push_back(std::move(c)); }
    // The same case for both roles.
    void both(const CaseSpec& c) {
        for (const Role r : {Role::acceptor, Role::initiator}) {
            CaseSpec x = c;
            x.target = r;
            add(std::move(x));
        }
    }
    // Both roles, with a role-dependent reaction.
    void both(CaseSpec c, const std::function<Reaction(Role)>& reaction) {
        for (const Role r : {Role::acceptor, Role::initiator}) {
            CaseSpec x = c;
            x.target = r;
            x.reaction = reaction(r);
            add(std::move(x));
        }
    }
    std::vector<CaseSpec> take() { return std::move(m_cases); }

private:
    std::vector<CaseSpec> m_cases;
};

inline const std::string kOtherNetwork = "Public Global Stellar Network ; September 2015";

[[nodiscard]] CaseSpec accept_case(std::string name, std::string title, std::string rule, Acceptance a = {});
[[nodiscard]] CaseSpec reject_case(std::string name, std::string title, std::string rule, Stage stage, Stimulus s);

// ------------------------------------------------------------------ stimuli

[[nodiscard]] Stimulus hello_edit(std::function<void(Conn&, ss::Hello&)> edit, bool resign = true);
[[nodiscard]] Stimulus send_bytes(std::function<Bytes(Conn&)> make);
// Our honest HELLO record, then `mutate` on the framed bytes.
[[nodiscard]] Stimulus hello_record_edit(std::function<void(Conn&, Bytes&)> mutate);
[[nodiscard]] Bytes frame(Bytes xdr);
[[nodiscard]] Bytes envelope(std::uint32_t v, std::int32_t type, ByteView body);
[[nodiscard]] Bytes hello_xdr(Conn&, const ss::Hello& h);
void flip(Bytes& b, std::size_t byte, unsigned bit_from_msb);

using ss::HelloLayout;
// Offsets of the HELLO fields in its framed record.
[[nodiscard]] HelloLayout record_layout(const ss::Hello& h);

[[nodiscard]] Stimulus hello_flip(std::function<std::size_t(const HelloLayout&)> where, unsigned bit);
[[nodiscard]] Stimulus auth(MacMode mode, std::optional<std::uint64_t> seq = std::nullopt, std::int32_t flags = 200);
// AUTH record then a mutation of its bytes (mark 0..3, v 4..7, seq 8..15, type 16..19, flags
// 20..23, MAC 24..55).
[[nodiscard]] Stimulus auth_record_edit(std::function<void(Bytes&)> mutate);

// ------------------------------------------------------------------ reactions

[[nodiscard]] Reaction drop(std::string core, bool probe);
[[nodiscard]] Reaction error(ss::ErrorCode code, std::string core);
// HELLO validation failures after the cert check (stellar-core Peer::recvHello): the acceptor
// has already answered with its HELLO, then ERROR ERR_CONF.
[[nodiscard]] Reaction config_error(ss::Role target, const std::string& text);
// Certificate, signature and key failures: silent drop, before the acceptor answers.
[[nodiscard]] Reaction cert_drop(const std::string& why);
[[nodiscard]] Reaction corrupt_xdr();
[[nodiscard]] Reaction auth_error(const std::string& text);
[[nodiscard]] Reaction framing_drop(const std::string& why);
[[nodiscard]] Acceptance must_accept(Verdict on_reject, std::string core);
[[nodiscard]] ByteArray<32> random_key();

// ------------------------------------------------------------------ multi-connection scenarios

// A running target removes a closed connection's node from its connected peers when it notices
// the close; give it that moment before the same node connects again.
void let_close_settle(Driver& d);
[[nodiscard]] ScenarioOutcome honest_failure(Driver& d, const std::string& which, const std::string& f, bool completed);

// ------------------------------------------------------------------ the classes, in catalogue order

void add_happy(Builder& b);
void add_output(Builder& b);
void add_versions_and_addresses(Builder& b);
void add_network_and_self(Builder& b);
void add_certs_and_clocks(Builder& b);
void add_keys(Builder& b);
void add_auth_checks(Builder& b);
void add_post_auth(Builder& b);
void add_replay_and_order(Builder& b);
void add_encoding(Builder& b);
void add_bitflips(Builder& b);
void add_framing(Builder& b);
void add_idle_and_slow(Builder& b);

}  // namespace shakedown::conformance::stellar_scenarios::cases
