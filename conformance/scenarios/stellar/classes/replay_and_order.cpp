#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::ErrorCode;
using ss::MessageType;
using ss::Role;

namespace {

// Connection 1 completes; connection 2 replays connection 1's AUTH (or its HELLO and AUTH).
ScenarioOutcome cross_connection(Driver& d, bool whole_session) {
    Conn* c1 = d.connect();
    if (c1 == nullptr) {
        return d.open_failure();
    }
    bool completed = false;
    if (auto f = play_honest(*c1, Stage::established, {}, completed)) {
        return honest_failure(d, "connection 0", *f, completed);
    }
    const Bytes hello1 = c1->sent_hello_wire();
    const Bytes auth1 = c1->sent_auth_wire();
    c1->close();
    let_close_settle(d);
    Conn* c2 = d.connect();
    if (c2 == nullptr) {
        return d.open_failure();
    }
    d.must_not_complete(*c2);
    bool unused = false;
    Observation o;
    if (!whole_session) {
        if (auto f = play_honest(*c2, Stage::after_hello, {}, unused)) {
            return honest_failure(d, "connection 1", *f, completed);
        }
    } else if (d.target_role() == Role::acceptor) {
        (void)c2->send(hello1);
        const Deadline deadline = after(d.ctx().scaled(Millis(2000)));
        for (;;) {
            o = c2->next(deadline);
            if (o.kind != Observation::Kind::message || o.type == MessageType::hello ||
                o.type == MessageType::error_msg) {
                break;
            }
        }
        if (!o.is(MessageType::hello)) {
            // Stricter than stellar-core, which keeps no record of nonces it has seen.
            return d.conclude(Verdict::pass, "refused the replayed HELLO outright (" + describe(o) + ")", completed);
        }
    } else {
        const Deadline deadline = after(d.ctx().scaled(Millis(2000)));
        o = c2->next(deadline);
        if (!o.is(MessageType::hello)) {
            return honest_failure(d, "connection 1", "its first message was " + describe(o), completed);
        }
        (void)c2->send(hello1);
        for (;;) {
            o = c2->next(deadline);
            if (o.kind != Observation::Kind::message || o.type == MessageType::auth ||
                o.type == MessageType::error_msg) {
                break;
            }
        }
        if (!o.is(MessageType::auth)) {
            return d.conclude(Verdict::pass, "refused the replayed HELLO outright (" + describe(o) + ")", completed);
        }
    }
    (void)c2->send(auth1);
    const auto j = evaluate(*c2, Stage::after_hello,
                            auth_error("unexpected MAC' (MAC keys depend on both nonces, fresh per connection"));
    return d.conclude(j.verdict, j.reason, completed);
}

}  // namespace

void add_replay_and_order(Builder& b) {
    {
        auto spec = reject_case("replay.duplicate-hello", "our HELLO twice in one write",
                             "stellar.md, Validation: a re-sent zero-MAC HELLO -> ERROR ERR_AUTH 'unexpected MAC'",
                             Stage::start, [](Conn& c) {
                                 Bytes r = c.hello_record(c.honest_hello());
                                 const Bytes again = r;
                                 r.insert(r.end(), again.begin(), again.end());
                                 return c.send(r);
                             });
        b.both(spec, [](Role r) {
            Reaction x = auth_error("unexpected MAC");
            x.before = {r == Role::acceptor ? MessageType::hello : MessageType::auth};
            x.markers = std::vector<MessageType>{};
            return x;
        });
    }
    {
        auto spec = reject_case("replay.maced-second-hello", "a second HELLO, correctly MACed",
                             "stellar.md, Validation: correctly MACed second HELLO -> drop", Stage::after_hello,
                             [](Conn& c) { return c.send(c.authenticated(*c.sent_hello())); });
        spec.reaction = drop("drops a second HELLO", false);
        spec.reaction.markers = std::vector<MessageType>{MessageType::hello, MessageType::auth,
                                                      MessageType::send_more_extended};
        b.both(spec);
    }
    {
        auto spec = reject_case("replay.duplicate-auth", "our AUTH twice, byte for byte",
                             "stellar.md, Receive rule: the copy's sequence is no longer recv_seq -> ERROR ERR_AUTH",
                             Stage::after_hello, [](Conn& c) {
                                 Bytes a = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
                                 Bytes all = a;
                                 if (c.target_role() == Role::initiator) {
                                     const Bytes p = c.authenticated(ss::Peers{});
                                     const Bytes f = c.authenticated(ss::kDefaultFlowControl);
                                     all.insert(all.end(), p.begin(), p.end());
                                     all.insert(all.end(), f.begin(), f.end());
                                 }
                                 all.insert(all.end(), a.begin(), a.end());
                                 return c.send(all);
                             });
        spec.completes_first = true;
        b.both(spec, [](Role r) {
            Reaction x = auth_error("unexpected auth sequence");
            x.markers = std::vector<MessageType>{};
            x.before = r == Role::acceptor ? std::vector<MessageType>{MessageType::auth, MessageType::peers,
                                                                      MessageType::send_more_extended}
                                           : std::vector<MessageType>{MessageType::send_more_extended};
            return x;
        });
    }
    for (const bool whole : {false, true}) {
        CaseSpec spec;
        spec.name = whole ? "replay.cross-connection-session" : "replay.cross-connection-auth";
        spec.title = whole ? "HELLO and AUTH of a completed connection replayed on a new one"
                        : "the AUTH of a completed connection replayed on a new one";
        spec.rule = "stellar.md, Cryptography: MAC keys from both nonces, fresh per connection -> ERROR ERR_AUTH";
        spec.custom = [whole](Driver& d, const CaseSpec&) { return cross_connection(d, whole); };
        b.both(spec);
    }
    const std::string order_rule = "stellar.md, Validation: AUTH before HELLO, or a second AUTH -> ERROR ERR_MISC "
                                   "'out-of-order AUTH message'";
    {
        auto spec = reject_case("order.auth-before-hello", "AUTH before our HELLO", order_rule, Stage::start,
                             [](Conn& c) { return c.send(c.unauthenticated(ss::Auth{ss::kAuthFlagFlowControlBytes})); });
        spec.reaction = error(ErrorCode::misc, "ERROR ERR_MISC 'out-of-order AUTH message'");
        spec.reaction.markers = std::vector<MessageType>{MessageType::auth, MessageType::send_more_extended};
        b.both(spec);
    }
    {
        auto spec = reject_case("order.peers-before-auth", "PEERS (correctly MACed) before our AUTH",
                             "stellar.md, Validation: any non-handshake type before auth completes -> silent drop",
                             Stage::after_hello, [](Conn& c) {
                                 Bytes all = c.authenticated(ss::Peers{});
                                 if (c.target_role() == Role::initiator) {
                                     const Bytes a = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
                                     all.insert(all.end(), a.begin(), a.end());
                                 }
                                 return c.send(all);
                             });
        spec.reaction = drop("non-handshake message before authentication, silent drop", true);
        b.both(spec);
    }
    {
        auto spec = reject_case("order.message-before-hello", "SEND_MORE_EXTENDED, unauthenticated, before our HELLO",
                             "stellar.md, Validation: any non-handshake type before auth completes -> silent drop",
                             Stage::start,
                             [](Conn& c) { return c.send(c.unauthenticated(ss::kDefaultFlowControl)); });
        spec.reaction = drop("non-handshake message before authentication, silent drop", true);
        b.both(spec);
    }
    {
        auto spec = reject_case("order.error-injected", "an unauthenticated ERROR_MSG in the middle of the handshake",
                             "stellar.md, Receive rule: ERROR_MSG is never authenticated; receiving it ends the "
                             "connection",
                             Stage::after_hello, [](Conn& c) {
                                 return c.send(c.unauthenticated(ss::ErrorMsg{ErrorCode::misc, "shakedown test"}));
                             });
        spec.reaction = drop("closes on ERROR_MSG", false);
        spec.reaction.on_stall = Verdict::non_strict;
        spec.reaction.markers = std::vector<MessageType>{};
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
