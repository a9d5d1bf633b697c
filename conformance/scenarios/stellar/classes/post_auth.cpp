#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::ErrorCode;
using ss::MessageType;

void add_post_auth(Builder& b) {
    const std::string rule = "stellar.md, Receive rule: sequence == recv_seq and a valid MAC, after the handshake too";
    auto established = [&](const char* name, const char* title, Stimulus s, Reaction r) {
        auto spec = reject_case(name, title, rule, Stage::established, std::move(s));
        spec.reaction = std::move(r);
        spec.reaction.markers = std::vector<MessageType>{};
        b.both(spec);
    };
    established("post-auth.forged-mac", "SEND_MORE_EXTENDED with a flipped MAC after the handshake",
                [](Conn& c) { return c.send(c.authenticated(ss::SendMoreExtended{10, 1000}, MacMode::flipped)); },
                auth_error("unexpected MAC"));
    established("post-auth.skipped-sequence", "SEND_MORE_EXTENDED skipping a sequence number",
                [](Conn& c) {
                    return c.send(c.authenticated(ss::SendMoreExtended{10, 1000}, MacMode::good, c.send_sequence() + 1));
                },
                auth_error("unexpected auth sequence"));
    established("post-auth.replayed-auth", "our AUTH record replayed after the handshake",
                [](Conn& c) { return c.send(c.sent_auth_wire()); }, auth_error("unexpected auth sequence"));
    established("post-auth.reflected-auth", "its AUTH record sent back after the handshake",
                [](Conn& c) { return c.send(c.their_auth_wire()); }, auth_error("unexpected auth sequence"));
    established("post-auth.hello-again", "our HELLO (zero MAC) sent again after the handshake",
                [](Conn& c) { return c.send(c.sent_hello_wire()); }, auth_error("unexpected auth sequence"));
    established("post-auth.second-auth", "a correctly MACed second AUTH after the handshake",
                [](Conn& c) { return c.send(c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes})); },
                error(ErrorCode::misc, "ERROR ERR_MISC 'out-of-order AUTH message'"));
    established("post-auth.oversize-17mib", "a record mark announcing 17 MiB after the handshake",
                send_bytes([](Conn&) { return Bytes{0x81, 0x10, 0x00, 0x00}; }),
                drop("records over 16 MiB: silent drop at the record mark", false));
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
