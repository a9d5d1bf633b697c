#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::ErrorCode;
using ss::MessageType;
using ss::Role;

void add_auth_checks(Builder& b) {
    const std::string flags_rule = "stellar.md, Validation: AUTH flags != 200 (including the old 100) -> ERROR "
                                   "ERR_CONF (acceptor has already sent AUTH and PEERS)";
    for (const std::int32_t f : {100, 0, 201, -1}) {
        const std::string name = f < 0 ? "flags.negative" : "flags." + std::to_string(f);
        b.both(reject_case(name, "AUTH flags " + std::to_string(f), flags_rule, Stage::after_hello,
                           auth(MacMode::good, std::nullopt, f)),
               [](Role r) {
                   Reaction x = error(ErrorCode::conf, "ERROR ERR_CONF (AUTH flags must be 200)");
                   if (r == Role::acceptor) {
                       x.before = {MessageType::auth, MessageType::peers};
                   }
                   return x;
               });
    }
    const std::string mac_rule = "stellar.md, Receive rule: every message but ERROR_MSG carries sequence == "
                                 "recv_seq and a valid MAC -> else ERROR ERR_AUTH";
    struct M {
        const char* name;
        const char* title;
        MacMode mode;
        bool initiator_only;
    };
    for (const M m : {M{"mac.flipped", "AUTH with one MAC bit flipped", MacMode::flipped, false},
                      M{"mac.zero", "AUTH with an all-zero MAC", MacMode::zero, false},
                      M{"mac.other-direction", "AUTH MACed with the key of the other direction",
                        MacMode::other_direction, false},
                      M{"mac.without-sequence", "AUTH MAC computed over the message without the sequence",
                        MacMode::without_sequence, false},
                      M{"mac.seed-prefix", "AUTH MACed with the seed document's send key (prefix by direction)",
                        MacMode::sender_view, true}}) {
        auto spec = reject_case(m.name, m.title, mac_rule, Stage::after_hello, auth(m.mode));
        spec.reaction = auth_error("unexpected MAC");
        if (m.initiator_only) {
            // As initiator the seed's reading gives the right key; only an acceptor's differs.
            spec.target = Role::initiator;
            b.add(spec);
        } else {
            b.both(spec);
        }
    }
    for (const auto& [name, seq] :
         std::vector<std::pair<std::string, std::uint64_t>>{{"sequence.one", 1}, {"sequence.max", ~std::uint64_t{0}}}) {
        auto spec = reject_case(name, "AUTH with sequence " + std::to_string(seq) + " (MAC valid for it)", mac_rule,
                             Stage::after_hello, auth(MacMode::good, seq));
        spec.reaction = auth_error("unexpected auth sequence");
        b.both(spec);
    }
    {
        auto spec = reject_case("reflect.auth", "its own AUTH sent back to it", mac_rule, Stage::after_hello,
                             [](Conn& c) { return c.send(c.their_auth_wire()); });
        spec.target = Role::initiator;
        spec.reaction = auth_error("unexpected MAC");
        b.add(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
