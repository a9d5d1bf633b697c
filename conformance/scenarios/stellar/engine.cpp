#include "conformance/scenarios/stellar/engine.hpp"

#include <algorithm>

namespace shakedown::conformance::stellar_scenarios {

using ss::MessageType;

namespace {

bool contains(const std::vector<MessageType>& v, MessageType t) { return std::find(v.begin(), v.end(), t) != v.end(); }

std::string ms(Millis d) { return std::to_string(d.count()) + " ms"; }

// Waits for one of `want`; other messages are graded and skipped. Returns the message, or a
// description of how the target broke off.
std::optional<std::string> await(Conn& c, const std::vector<MessageType>& want, Millis timeout,
                                 const std::string& after_what, Observation& out) {
    const Millis scaled = c.ctx().scaled(timeout);
    const Deadline deadline = after(scaled);
    for (;;) {
        Observation o = c.next(deadline);
        if (o.kind == Observation::Kind::message) {
            if (contains(want, o.type)) {
                out = std::move(o);
                return std::nullopt;
            }
            if (o.type == MessageType::error_msg) {
                return "sent " + describe(o) + " in reply to " + after_what;
            }
            continue;
        }
        if (o.kind == Observation::Kind::timeout) {
            return "sent nothing within " + ms(scaled) + " of " + after_what;
        }
        return "answered " + after_what + " with " + describe(o);
    }
}

bool send_with(Conn& c, const Bytes& record, const Pacing& pacing) {
    if (pacing) {
        return c.send_paced(record, pacing.sizes(record.size()), c.ctx().scaled(pacing.gap));
    }
    return c.send(record);
}

Bytes our_hello_record(Conn& c, const Tweaks& t) {
    ss::Hello h = c.honest_hello();
    if (t.hello) {
        t.hello(c, h);
        c.sign(h);
    }
    Bytes record = c.hello_record(h, t.bit31);
    if (t.hello_record) {
        t.hello_record(record);
    }
    return record;
}

// After the target's AUTH, stellar-core's acceptor sends PEERS and SEND_MORE_EXTENDED (and
// GET_SCP_STATE); an initiator sends SEND_MORE_EXTENDED once our AUTH verified.
std::optional<std::string> collect_after_auth(Conn& c, const std::string& after_what) {
    const bool acceptor = c.target_role() == ss::Role::acceptor;
    const Deadline deadline = after(c.ctx().scaled(Millis(1000)));
    bool peers = false;
    bool flow = false;
    bool scp = false;
    auto take = [&](const Observation& o) -> std::optional<std::string> {
        if (o.kind != Observation::Kind::message) {
            return "answered " + after_what + " with " + describe(o);
        }
        if (o.type == MessageType::error_msg) {
            return "sent " + describe(o) + " after " + after_what;
        }
        peers = peers || o.type == MessageType::peers;
        flow = flow || o.type == MessageType::send_more_extended;
        scp = scp || o.type == MessageType::get_scp_state;
        return std::nullopt;
    };
    while (!flow) {
        Observation o = c.next(deadline);
        if (o.kind == Observation::Kind::timeout) {
            break;
        }
        if (auto f = take(o)) {
            return f;
        }
    }
    // A short grace for what stellar-core sends right after (GET_SCP_STATE).
    const Deadline grace = after(c.ctx().scaled(Millis(80)));
    for (;;) {
        Observation o = c.next(grace);
        if (o.kind == Observation::Kind::timeout) {
            break;
        }
        if (auto f = take(o)) {
            return f;
        }
    }
    if (!flow) {
        c.report(Verdict::fail, Category::after_auth,
                 "no SEND_MORE_EXTENDED within 1 s of " + after_what +
                     " (flow control was requested with AUTH flags 200: without it stellar-core never floods to "
                     "this peer)");
    }
    if (acceptor && !peers) {
        c.report(Verdict::non_strict, Category::after_auth,
                 "no PEERS after its AUTH (stellar-core's acceptor sends PEERS right after AUTH)");
    }
    if (!scp) {
        c.report(Verdict::pass, Category::after_auth,
                 "no GET_SCP_STATE after authentication (stellar-core sends one; optional here)");
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> play_honest(Conn& c, Stage until, const Tweaks& t, bool& completed) {
    Observation o;
    if (c.target_role() == ss::Role::acceptor) {
        if (until == Stage::start) {
            return std::nullopt;
        }
        if (!send_with(c, our_hello_record(c, t), t.hello_pacing)) {
            return "closed the connection before our HELLO was written";
        }
        if (auto f = await(c, {MessageType::hello}, Millis(2000), "our HELLO", o)) {
            return f;
        }
        if (until == Stage::after_hello) {
            return std::nullopt;
        }
        Bytes auth = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes}, MacMode::good, std::nullopt, t.bit31);
        if (t.pipeline) {
            const Bytes flow = c.authenticated(ss::kDefaultFlowControl, MacMode::good, std::nullopt, t.bit31);
            auth.insert(auth.end(), flow.begin(), flow.end());
        }
        if (!send_with(c, auth, t.auth_pacing)) {
            return "closed the connection before our AUTH was written";
        }
        if (auto f = await(c, {MessageType::auth}, Millis(2000), "our AUTH", o)) {
            return f;
        }
    } else {
        if (auto f = await(c, {MessageType::hello}, Millis(2000), "the connection", o)) {
            return f;
        }
        if (until == Stage::start) {
            return std::nullopt;
        }
        if (!send_with(c, our_hello_record(c, t), t.hello_pacing)) {
            return "closed the connection before our HELLO was written";
        }
        if (auto f = await(c, {MessageType::auth}, Millis(2000), "our HELLO", o)) {
            return f;
        }
        if (until == Stage::after_hello) {
            return std::nullopt;
        }
        const Bytes auth = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes}, MacMode::good, std::nullopt, t.bit31);
        Bytes rest = c.authenticated(ss::Peers{}, MacMode::good, std::nullopt, t.bit31);
        const Bytes flow = c.authenticated(ss::kDefaultFlowControl, MacMode::good, std::nullopt, t.bit31);
        rest.insert(rest.end(), flow.begin(), flow.end());
        if (t.auth_pacing) {
            if (!send_with(c, auth, t.auth_pacing) || !c.send(rest)) {
                return "closed the connection before our AUTH was written";
            }
        } else {
            Bytes all = auth;
            all.insert(all.end(), rest.begin(), rest.end());
            if (!c.send(all)) {
                return "closed the connection before our AUTH was written";
            }
        }
    }
    const bool acceptor = c.target_role() == ss::Role::acceptor;
    if (auto f = collect_after_auth(c, acceptor ? "its AUTH" : "our AUTH")) {
        return f;
    }
    completed = true;
    if (acceptor && !t.pipeline) {
        if (!c.send(c.authenticated(ss::kDefaultFlowControl, MacMode::good, std::nullopt, t.bit31))) {
            return "closed the connection before our SEND_MORE_EXTENDED was written";
        }
        // Settle: an ERROR or close here is a rejection of what we just sent.
        const Deadline settle = after(c.ctx().scaled(Millis(80)));
        for (;;) {
            Observation s = c.next(settle);
            if (s.kind == Observation::Kind::timeout) {
                break;
            }
            if (s.kind != Observation::Kind::message || s.type == MessageType::error_msg) {
                return "answered our SEND_MORE_EXTENDED with " + describe(s);
            }
        }
    }
    return std::nullopt;
}

bool continue_honestly(Conn& c) {
    if (c.target_role() == ss::Role::acceptor) {
        if (!c.sent_hello()) {
            return c.send_hello(c.honest_hello());
        }
        if (c.their_hello() && c.has_keys() && !c.our_auth_sent()) {
            return c.send(c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes}));
        }
        return false;
    }
    if (!c.their_hello()) {
        return false;
    }
    if (!c.sent_hello()) {
        return c.send_hello(c.honest_hello());
    }
    if (c.their_auth_seen() && c.has_keys() && !c.our_auth_sent()) {
        Bytes all = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
        const Bytes peers = c.authenticated(ss::Peers{});
        const Bytes flow = c.authenticated(ss::kDefaultFlowControl);
        all.insert(all.end(), peers.begin(), peers.end());
        all.insert(all.end(), flow.begin(), flow.end());
        return c.send(all);
    }
    return false;
}

namespace {

std::vector<MessageType> default_markers(ss::Role target, Stage stage, const std::vector<MessageType>& before) {
    if (stage == Stage::established) {
        return {};
    }
    if (stage == Stage::start) {
        return {MessageType::auth};
    }
    std::vector<MessageType> m{MessageType::send_more_extended, MessageType::send_more, MessageType::get_scp_state};
    if (target == ss::Role::acceptor) {
        if (!contains(before, MessageType::auth)) {
            m.push_back(MessageType::auth);
        }
    } else {
        m.push_back(MessageType::peers);
    }
    return m;
}

std::string went_on(MessageType t) {
    switch (t) {
        case MessageType::auth: return "went on with the handshake (sent AUTH)";
        case MessageType::hello: return "answered with a new HELLO";
        default: return "went on as authenticated (sent " + std::string(ss::to_string(t)) + ")";
    }
}

std::string error_label(ss::ErrorCode code) { return "ERROR " + std::string(ss::to_string(code)); }

}  // namespace

Judgement evaluate(Conn& c, Stage stage, const Reaction& r) {
    const std::vector<MessageType> markers = r.markers ? *r.markers : default_markers(c.target_role(), stage, r.before);
    std::vector<MessageType> seen;
    ReactionHooks hooks;
    hooks.reference = "stellar-core";
    hooks.error_message = "ERROR";
    hooks.prompt_limit = "the 2 s handshake idle timeout";
    hooks.next = [&](Deadline deadline) {
        Observation o = c.next(deadline);
        Reply reply;
        switch (o.kind) {
            case Observation::Kind::message:
                reply.kind = Reply::Kind::message;
                seen.push_back(o.type);
                reply.name = ss::to_string(o.type);
                if (o.type == MessageType::error_msg) {
                    reply.error = error_label(std::get<ss::ErrorMsg>(o.msg->message).code);
                } else if (contains(markers, o.type)) {
                    reply.went_on = went_on(o.type);
                }
                break;
            case Observation::Kind::timeout: reply.kind = Reply::Kind::timeout; break;
            case Observation::Kind::closed: reply.kind = Reply::Kind::closed; break;
            case Observation::Kind::reset: reply.kind = Reply::Kind::reset; break;
            case Observation::Kind::malformed:
            case Observation::Kind::framing_error:
            case Observation::Kind::limit:
                reply.kind = Reply::Kind::garbage;
                reply.description = describe(o);
                break;
        }
        return reply;
    };
    hooks.probe = [&c] { return continue_honestly(c); };
    // stellar-core's acceptor answers a HELLO it accepts with its own before any ERROR, and rejects
    // a bad HELLO without answering it.
    const auto hello_order = [&](Judgement& j) {
        if (c.target_role() != ss::Role::acceptor || stage != Stage::start) {
            return;
        }
        const bool hello_answered = contains(seen, MessageType::hello);
        if (contains(r.before, MessageType::hello) && !hello_answered) {
            j.verdict = Verdict::non_strict;
            j.reason = "rejected without answering HELLO first; stellar-core sends its HELLO, then the ERROR "
                       "(so an initiator still waiting for HELLO can read it)";
        } else if (!contains(r.before, MessageType::hello) && hello_answered) {
            j.verdict = Verdict::non_strict;
            j.reason = "answered with its HELLO before rejecting" +
                       std::string(j.probes > 0 ? " (rejected only our AUTH)" : "") +
                       "; stellar-core rejects this HELLO without answering it";
        }
    };
    return evaluate_reaction(c.ctx(), r, r.core_sends_error ? std::optional(error_label(r.code)) : std::nullopt, hooks,
                             hello_order);
}

Driver::Driver(ScenarioContext& ctx, Env& env, ss::Role target_role, const std::vector<Category>& grades)
    : ConnectionDriver<Conn>(ctx, target_role, [&grades] {
          std::vector<std::string> names;
          for (const Category g : grades) {
              names.emplace_back(to_string(g));
          }
          return names;
      }()),
      m_env(env) {
    SystemRng rng;
    m_ours = make_identity(rng);
    rng.fill(m_target_seed);
    if (ctx.target().takes_flags(target_role)) {
        m_expected_target = crypto::ed25519_from_seed(m_target_seed).public_key;
    } else {
        m_expected_target = env.target_peer_id;
    }
}

Conn* Driver::connect() {
    ConnectionRequest request;
    request.target_role = target_role();
    request.flags = {"--seed", to_hex(m_target_seed), "--network", m_env.network_passphrase};
    return ConnectionDriver<Conn>::connect(request, [&](std::unique_ptr<Transport> transport, std::uint8_t index) {
        return std::make_unique<Conn>(ctx(), m_env, findings(), target_role(), m_ours, m_expected_target,
                                      std::move(transport), index);
    });
}

}  // namespace shakedown::conformance::stellar_scenarios
