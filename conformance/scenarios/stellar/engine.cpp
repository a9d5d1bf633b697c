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

}  // namespace

Judgement evaluate(Conn& c, Stage stage, const Reaction& r) {
    const std::vector<MessageType> markers = r.markers ? *r.markers : default_markers(c.target_role(), stage, r.before);
    const Millis window = c.ctx().scaled(r.deadline);
    const Millis quiet = c.ctx().scaled(Millis(250));
    Deadline deadline = after(window);
    Deadline quiet_until = after(quiet);
    Deadline last_sent = SteadyClock::now();
    std::optional<Deadline> reacted;  // when the first ERROR or the close arrived
    int probes = 0;
    std::vector<MessageType> seen;
    std::optional<ss::ErrorMsg> error;
    std::optional<MessageType> accepted;
    Observation last;
    enum class End : std::uint8_t { stalled, closed, garbage } end = End::stalled;
    for (;;) {
        const bool probing = r.probe && !error && probes < 3;
        Observation o = c.next(probing ? std::min(deadline, quiet_until) : deadline);
        if (o.kind == Observation::Kind::message) {
            seen.push_back(o.type);
            if (o.type == MessageType::error_msg) {
                if (!reacted) {
                    reacted = SteadyClock::now();
                }
                error = std::get<ss::ErrorMsg>(o.msg->message);
                // stellar-core drops right after sending ERROR.
                deadline = std::min(deadline, after(c.ctx().scaled(Millis(500))));
                continue;
            }
            if (!error && contains(markers, o.type)) {
                accepted = o.type;
                break;
            }
            quiet_until = after(quiet);
            continue;
        }
        if (o.kind == Observation::Kind::timeout) {
            if (SteadyClock::now() >= deadline) {
                end = End::stalled;
                break;
            }
            if (probing && continue_honestly(c)) {
                ++probes;
                last_sent = SteadyClock::now();
                quiet_until = after(quiet);
                deadline = std::max(deadline, after(window));
            } else {
                probes = 3;
            }
            continue;
        }
        if (!reacted) {
            reacted = SteadyClock::now();
        }
        last = std::move(o);
        end = (last.kind == Observation::Kind::closed || last.kind == Observation::Kind::reset) ? End::closed
                                                                                             : End::garbage;
        break;
    }
    Judgement j;
    j.error_seen = error.has_value();
    const bool hello_answered = c.target_role() == ss::Role::acceptor && stage == Stage::start &&
                                contains(seen, MessageType::hello);
    const std::string expected_error =
        "ERROR " + std::string(ss::to_string(r.code));
    if (!accepted && reacted && r.prompt.count() > 0 && *reacted - last_sent > r.prompt) {
        const auto late = std::chrono::duration_cast<Millis>(*reacted - last_sent);
        j.verdict = r.on_stall;
        j.reason = "reacted only after " + ms(late) +
                   ", past the 2 s handshake idle timeout: it waited instead of rejecting; " + r.core;
        return j;
    }
    if (accepted) {
        j.verdict = r.on_accept;
        j.reason = went_on(*accepted) + (probes > 0 ? " once we continued" : "") + "; " + r.core;
        return j;
    }
    if (end == End::closed || end == End::garbage) {
        const std::string closing = end == End::garbage ? "sent " + describe(last)
                                    : last.kind == Observation::Kind::reset ? "reset the connection"
                                                                            : "closed the connection";
        if (r.core_sends_error) {
            if (error && error->code == r.code) {
                j.verdict = Verdict::pass;
                j.reason = "rejected with " + expected_error + ", as stellar-core does";
            } else if (error) {
                j.verdict = r.on_other;
                j.reason = "rejected with ERROR " + std::string(ss::to_string(error->code)) + "; " + r.core;
            } else {
                j.verdict = r.on_other;
                j.reason = closing + " without an ERROR; " + r.core;
            }
        } else {
            if (!error) {
                j.verdict = Verdict::pass;
                j.reason = closing + ", as stellar-core does";
            } else {
                j.verdict = r.on_other;
                j.reason = "sent ERROR " + std::string(ss::to_string(error->code)) + " before closing; " + r.core;
            }
        }
        if (j.verdict == Verdict::pass && c.target_role() == ss::Role::acceptor && stage == Stage::start) {
            if (contains(r.before, MessageType::hello) && !hello_answered) {
                j.verdict = Verdict::non_strict;
                j.reason = "rejected without answering HELLO first; stellar-core sends its HELLO, then the ERROR "
                           "(so an initiator still waiting for HELLO can read it)";
            } else if (!contains(r.before, MessageType::hello) && hello_answered) {
                j.verdict = Verdict::non_strict;
                j.reason = "answered with its HELLO before rejecting" +
                           std::string(probes > 0 ? " (rejected only our AUTH)" : "") +
                           "; stellar-core rejects this HELLO without answering it";
            }
        }
        if (end == End::garbage && j.verdict == Verdict::pass) {
            j.verdict = Verdict::fail;
            j.reason = closing;
        }
        return j;
    }
    if (error) {
        const bool right = r.core_sends_error && error->code == r.code;
        j.verdict = right ? Verdict::non_strict : r.on_other;
        j.reason = "sent ERROR " + std::string(ss::to_string(error->code)) +
                   " but kept the connection open (stellar-core drops right after its ERROR)";
        return j;
    }
    j.verdict = r.on_stall;
    std::string sent;
    for (const MessageType t : seen) {
        sent += (sent.empty() ? "" : ", ") + std::string(ss::to_string(t));
    }
    j.reason = "kept the connection open for " + ms(window) + " without rejecting" +
               (sent.empty() ? "" : " (it sent " + sent + ")") + "; " + r.core;
    return j;
}

Driver::Driver(ScenarioContext& ctx, Env& env, ss::Role target_role, std::vector<Category> grades)
    : m_ctx(ctx), m_env(env), m_target_role(target_role), m_grades(std::move(grades)) {
    SystemRng rng;
    m_ours = make_identity(rng);
    rng.fill(m_target_seed);
    const PeerRole role = target_role == ss::Role::acceptor ? PeerRole::acceptor : PeerRole::initiator;
    if (ctx.target().takes_flags(role)) {
        m_expected_target = crypto::ed25519_from_seed(m_target_seed).public_key;
    } else {
        m_expected_target = env.target_peer_id;
    }
}

Driver::~Driver() {
    for (auto& c : m_conns) {
        c->close();
    }
}

Conn* Driver::connect() {
    ConnectionRequest request;
    request.target_role = m_target_role == ss::Role::acceptor ? PeerRole::acceptor : PeerRole::initiator;
    request.flags = {"--seed", to_hex(m_target_seed), "--network", m_env.network_passphrase};
    const std::uint8_t index = m_ctx.connections_opened();
    auto r = m_ctx.open(request, Millis(5000));
    if (r.status != OpenResult::Status::ok) {
        m_open_status = r.status;
        m_open_error = r.error;
        return nullptr;
    }
    m_conns.push_back(std::make_unique<Conn>(m_ctx, m_env, m_findings, m_target_role, m_ours, m_expected_target,
                                             std::move(r.transport), index));
    m_conn_index.push_back(index);
    return m_conns.back().get();
}

ScenarioOutcome Driver::open_failure() const {
    ScenarioOutcome o;
    if (m_open_status == OpenResult::Status::unimplemented) {
        o.verdict = Verdict::unimplemented;
        o.reason = m_open_error;
    } else {
        o.verdict = Verdict::fail;
        o.reason = "could not reach the target: " + m_open_error;
    }
    return o;
}

void Driver::must_not_complete(const Conn& c) {
    for (std::size_t i = 0; i < m_conns.size(); ++i) {
        if (m_conns[i].get() == &c) {
            m_guarded.push_back(m_conn_index[i]);
        }
    }
}

ScenarioOutcome Driver::conclude(Verdict verdict, std::string reason, bool completed) {
    for (auto& c : m_conns) {
        c->close();
    }
    const auto& reports = m_ctx.finish_target();
    // A shim's own account: HANDSHAKE_OK where the target had to refuse is a FAIL even if the wire
    // did not show it (an initiator may accept silently).
    for (const std::uint8_t index : m_guarded) {
        if (index < reports.size()) {
            for (const auto& line : reports[index].lines) {
                if (line.rfind("HANDSHAKE_OK", 0) == 0 && verdict != Verdict::fail) {
                    verdict = Verdict::fail;
                    reason = "the target reported HANDSHAKE_OK on connection " + std::to_string(index) +
                             ", where it had to refuse (" + reason + ")";
                }
            }
        }
    }
    ScenarioOutcome out;
    out.handshake_completed = completed;
    Verdict worst_finding = Verdict::pass;
    std::string finding_reason;
    for (const auto& [category, f] : m_findings.all()) {
        Finding g = f;
        const bool graded_here = std::find(m_grades.begin(), m_grades.end(), category) != m_grades.end();
        g.counted = f.severity == Verdict::fail || (f.severity == Verdict::non_strict && graded_here);
        if (g.counted && worst(worst_finding, g.severity) != worst_finding) {
            worst_finding = g.severity;
            finding_reason = g.text;
        }
        out.findings.push_back(std::move(g));
    }
    out.verdict = verdict;
    out.reason = std::move(reason);
    if (worst(verdict, worst_finding) != verdict) {
        out.verdict = worst_finding;
        out.reason = finding_reason + (out.reason.empty() ? "" : " [" + out.reason + "]");
    }
    return out;
}

}  // namespace shakedown::conformance::stellar_scenarios
