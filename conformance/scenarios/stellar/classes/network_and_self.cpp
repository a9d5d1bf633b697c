#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::Role;

namespace {

// Connection 1 captures the acceptor's HELLO; connection 2 sends it back to it.
ScenarioOutcome self_reflected_acceptor(Driver& d, const CaseSpec&) {
    Conn* c1 = d.connect();
    if (c1 == nullptr) {
        return d.open_failure();
    }
    bool completed = false;
    if (auto f = play_honest(*c1, Stage::after_hello, {}, completed)) {
        return honest_failure(d, "connection 0", *f, completed);
    }
    const Bytes theirs = c1->their_hello_wire();
    c1->close();
    Conn* c2 = d.connect();
    if (c2 == nullptr) {
        return d.open_failure();
    }
    d.must_not_complete(*c2);
    (void)c2->send(theirs);
    const auto j = evaluate(*c2, Stage::start, config_error(Role::acceptor, "connecting to self"));
    return d.conclude(j.verdict, j.reason, false);
}

// Connection 1 stays authenticated; connection 2 comes from the same node.
ScenarioOutcome already_connected(Driver& d, const CaseSpec&) {
    Conn* c1 = d.connect();
    if (c1 == nullptr) {
        return d.open_failure();
    }
    bool completed = false;
    if (auto f = play_honest(*c1, Stage::established, {}, completed)) {
        return honest_failure(d, "connection 0", *f, completed);
    }
    Conn* c2 = d.connect();
    if (c2 == nullptr) {
        return d.open_failure();
    }
    d.must_not_complete(*c2);
    (void)c2->send_hello(c2->honest_hello());
    const auto j = evaluate(*c2, Stage::start, config_error(Role::acceptor, "already-connected peer"));
    return d.conclude(j.verdict, j.reason, completed);
}

}  // namespace

void add_network_and_self(Builder& b) {
    b.both(reject_case("network.wrong-id",
                       "HELLO networkID of another network, AuthCert signed for the target's network",
                       "stellar.md, Validation: networkID differs -> ERROR ERR_CONF 'wrong network passphrase'",
                       Stage::start,
                       hello_edit([](Conn&, ss::Hello& h) { h.network_id = ss::network_id(kOtherNetwork); })),
           [](Role r) { return config_error(r, "wrong network passphrase"); });
    {
        auto spec = reject_case("network.other-network-peer", "a peer of another network: networkID and AuthCert both for it",
                             "stellar.md, Cryptography: the cert is verified with the verifier's own networkID",
                             Stage::start, [](Conn& c) {
                                 ss::Hello h = c.honest_hello();
                                 h.network_id = ss::network_id(kOtherNetwork);
                                 c.sign(h, kOtherNetwork);
                                 return c.send_hello(h);
                             });
        spec.reaction = cert_drop("the cert does not verify for its network");
        b.both(spec);
    }
    {
        auto spec = reject_case("self.reflected-hello", "its own HELLO sent back to it",
                             "stellar.md, Validation: peerID equals own -> ERROR ERR_CONF 'connecting to self'",
                             Stage::start, [](Conn& c) { return c.send(c.their_hello_wire()); });
        spec.target = Role::initiator;
        spec.reaction = config_error(Role::initiator, "connecting to self");
        b.add(spec);
    }
    {
        CaseSpec spec;
        spec.name = "self.reflected-hello";
        spec.title = "its HELLO from an earlier connection sent back to it";
        spec.rule = "stellar.md, Validation: peerID equals own -> ERROR ERR_CONF 'connecting to self'";
        spec.target = Role::acceptor;
        spec.custom = self_reflected_acceptor;
        b.add(spec);
    }
    {
        CaseSpec spec;
        spec.name = "session.already-connected";
        spec.title = "a second connection from a node already authenticated";
        spec.rule = "stellar.md, Validation: same peerID already connected -> ERROR ERR_CONF 'already-connected peer'";
        spec.target = Role::acceptor;
        spec.single_process = true;
        spec.custom = already_connected;
        b.add(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
