#include "conformance/scenarios/shadowmesh/catalogue.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "common/crypto.hpp"
#include "conformance/runner/machine_peer.hpp"
#include "conformance/runner/websocket.hpp"
#include "conformance/scenarios/shadowmesh/close_transport.hpp"
#include "conformance/scenarios/shadowmesh/variant.hpp"
#include "shadowmesh/keys.hpp"
#include "shadowmesh/messages.hpp"
#include "shadowmesh/rehandshake.hpp"

namespace shakedown::shadowmesh {

namespace {

namespace cf = conformance;
namespace rw = conformance::rewrite;

// The targets' fixed clock for the skew-window scenarios: §9's T1, in milliseconds.
constexpr std::uint64_t kNowMs = 1762230765000;
// Where the fields sit in a frame (§3.2-3.4): the SessionID after the header, the MAC after it
// (RESPONSE, COMPLETE), the timestamp in the last 8 bytes of all three.
constexpr std::size_t kSidAt = kHeaderSize;
constexpr std::size_t kMacAt = kHeaderSize + 16;

Bytes set_timestamp(Bytes frame, std::uint64_t ts) {
    if (frame.size() >= kHeaderSize + 8) {
        for (std::size_t i = 0; i < 8; ++i) {
            frame[frame.size() - 1 - i] = static_cast<std::uint8_t>(ts >> (8 * i));
        }
    }
    return frame;
}

std::uint64_t timestamp(const Bytes& frame) {
    std::uint64_t ts = 0;
    for (std::size_t i = frame.size() - 8; i < frame.size(); ++i) {
        ts = (ts << 8U) | frame[i];
    }
    return ts;
}

Bytes set_header(Bytes frame, std::size_t at, std::initializer_list<std::uint8_t> bytes) {
    for (const auto b : bytes) {
        if (at < frame.size()) {
            frame[at] = b;
        }
        ++at;
    }
    return frame;
}

// A header with `length` and a payload (what a peer would frame).
Bytes frame_of(std::uint8_t type, const Bytes& payload) {
    Bytes f{kProtocolVersion, type, 0, 0};
    const auto n = static_cast<std::uint32_t>(payload.size());
    for (int s = 24; s >= 0; s -= 8) {
        f.push_back(static_cast<std::uint8_t>(n >> static_cast<unsigned>(s)));
    }
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

// `change` applied only to a re-handshake message of its full size (REQUEST or COMPLETE 64 bytes,
// RESPONSE 96): the harness's unit at that index may instead be its own CLOSE, when it has already
// refused the target, and then it passes unchanged (the scenario then says its change never applied).
std::function<Bytes(const Bytes&)> on_message(std::function<Bytes(const Bytes&)> change) {
    return [change = std::move(change)](const Bytes& u) {
        const bool rehandshake = u.size() >= kHeaderSize + 56 && u[0] == kProtocolVersion &&
                                 (u[1] == static_cast<std::uint8_t>(MessageType::rehandshake_request) ||
                                  u[1] == static_cast<std::uint8_t>(MessageType::rehandshake_response) ||
                                  u[1] == static_cast<std::uint8_t>(MessageType::rehandshake_complete));
        return rehandshake ? change(u) : u;
    };
}

// Unit `k` changed, then (when `then_honest`) the unchanged unit after it: a peer that drops the
// changed message (the upstream profile's decoder, §2) still completes with the honest one.
cf::RewriterFactory changed(std::size_t k, std::function<Bytes(const Bytes&)> change, bool then_honest) {
    return [k, change = std::move(change), then_honest]() -> cf::UnitRewriter {
        return [k, change, then_honest](std::size_t index, const Bytes& u) {
            if (index != k) {
                return std::vector<Bytes>{u};
            }
            return then_honest ? std::vector<Bytes>{change(u), u} : std::vector<Bytes>{change(u)};
        };
    };
}

// A decoy message before unit `k` (a message of the wrong type now, §5 V6).
cf::RewriterFactory before(std::size_t k, std::function<Bytes(const Bytes&)> decoy) {
    return changed(k, std::move(decoy), true);
}

class Builder {
public:
    Builder(const std::string& profile, std::shared_ptr<cf::MachineEnvironment> env)
        : m_profile(profile), m_upstream(profile == "upstream"), m_env(std::move(env)) {}

    [[nodiscard]] bool upstream() const { return m_upstream; }
    [[nodiscard]] const std::string& profile() const { return m_profile; }
    [[nodiscard]] const std::shared_ptr<cf::MachineEnvironment>& env() const { return m_env; }

    cf::MachineScenario& add(Role role, const std::string& cls, const std::string& name, std::string title,
                             std::string rule) {
        cf::MachineScenario s;
        s.info.id = std::string(to_string(role)) + "." + cls + "." + name;
        s.info.cls = cls;
        s.info.title = std::move(title);
        s.info.rule = std::move(rule);
        s.info.target_role = role;
        m_specs.push_back(std::move(s));
        return m_specs.back();
    }
    void push(cf::MachineScenario s) { m_specs.push_back(std::move(s)); }
    void extra(std::unique_ptr<cf::Scenario> s) { m_extra.push_back(std::move(s)); }

    [[nodiscard]] cf::Catalogue take() {
        cf::Catalogue cat;
        cat.variant = "shadowmesh";
        cat.description = "ShadowMesh direct-P2P re-handshake, profile " + m_profile + " (docs/protocols/shadowmesh.md)";
        for (const Role role : {Role::acceptor, Role::initiator}) {
            for (auto& s : m_specs) {
                if (s.info.target_role == role) {
                    cat.scenarios.push_back(cf::make_machine_scenario(m_env, std::move(s)));
                }
            }
            for (auto& s : m_extra) {
                if (s && s->info().target_role == role) {
                    cat.scenarios.push_back(std::move(s));
                }
            }
        }
        return cat;
    }

private:
    std::string m_profile;
    bool m_upstream;
    std::shared_ptr<cf::MachineEnvironment> m_env;
    std::vector<cf::MachineScenario> m_specs;
    std::vector<std::unique_ptr<cf::Scenario>> m_extra;
};

// The honest exchange, then the harness's last unit once more after DONE (X20): the target must
// close (unexpected_message). The generic scenarios cannot ask this: a target that reported
// HANDSHAKE_OK has "accepted", whatever it does next.
class AfterDone final : public cf::Scenario {
public:
    AfterDone(std::shared_ptr<const cf::MachineEnvironment> env, Role role) : m_env(std::move(env)) {
        const bool acceptor = role == Role::acceptor;
        m_info.id = std::string(to_string(role)) + ".done." + (acceptor ? "second_complete" : "second_response");
        m_info.cls = "done";
        m_info.title = acceptor ? "COMPLETE sent again after the exchange finished"
                                : "RESPONSE sent again after the exchange finished";
        m_info.rule = "a re-handshake message after DONE is unexpected_message: the peer closes "
                      "(docs/protocols/shadowmesh.md §5, X20)";
        m_info.target_role = role;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        const Role role = m_info.target_role;
        std::string error;
        auto harness = m_env->make(other(role), {}, error);
        if (!harness) {
            return {cf::Verdict::fail, "the harness could not be configured: " + error, {}, false};
        }
        cf::ConnectionRequest request;
        request.target_role = role;
        auto opened = ctx.open(request, cf::Millis(5000));
        if (opened.status == cf::OpenResult::Status::unimplemented) {
            return {cf::Verdict::unimplemented, opened.error, {}, false};
        }
        if (opened.status != cf::OpenResult::Status::ok) {
            return {cf::Verdict::fail, "could not open a connection: " + opened.error, {}, false};
        }
        cf::Transport& t = *opened.transport;
        const cf::Deadline end = cf::after(ctx.scaled(cf::Millis(3000)));
        Bytes last;
        const auto flush = [&]() {
            for (auto& u : harness->take_output()) {
                last = u;
                if (t.send(u, end)) {
                    return false;
                }
            }
            return true;
        };
        harness->start();
        bool ok = flush();
        while (ok && !harness->authenticated() && harness->next_action() != Action::closed) {
            const cf::Incoming in = t.receive_any(end);
            if (in.kind != cf::Incoming::Kind::message) {
                break;
            }
            harness->receive(in.wire);
            ok = flush();
        }
        if (!harness->authenticated() || !ok) {
            t.close();
            return {cf::Verdict::fail, "the honest exchange before the extra message did not complete", {}, false};
        }
        // The acceptor finishes on our COMPLETE, which it never acknowledges: the same COMPLETE
        // again comes after it on the same stream.
        std::string how;
        if (!t.send(last, cf::after(cf::Millis(2000)))) {
            const cf::Deadline watch = cf::after(ctx.scaled(cf::Millis(1500)));
            for (;;) {
                const cf::Incoming in = t.receive_any(watch);
                if (in.kind == cf::Incoming::Kind::timeout) {
                    break;
                }
                if (in.kind != cf::Incoming::Kind::message) {
                    how = std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail);
                    break;
                }
            }
        } else {
            how = "the connection was gone before the extra message";
        }
        t.shutdown_send();
        t.close();
        const auto& reports = ctx.finish_target();
        if (!reports.empty()) {
            bool ok_line = false;
            for (const auto& line : reports.back().lines) {
                ok_line = ok_line || line.rfind("HANDSHAKE_OK", 0) == 0;
            }
            if (!ok_line) {
                return {cf::Verdict::fail, "the target did not report the honest exchange as complete", {}, false};
            }
        }
        if (how.empty()) {
            return {cf::Verdict::fail,
                    "the target kept the connection open after a re-handshake message that came after DONE; a "
                    "replayed or injected exchange message goes unnoticed",
                    {}, true};
        }
        return {cf::Verdict::pass, "the target closed the connection (" + how + ")", {}, true};
    }

private:
    std::shared_ptr<const cf::MachineEnvironment> m_env;
    cf::ScenarioInfo m_info;
};

// X9 across connections: one REQUEST sent on two connections to the same responder before either
// is answered. The replay cache is shared by the responder's connections, so exactly one is
// answered and the other refused (strict); a peer without the cache answers both.
class SameRequestTwice final : public cf::Scenario {
public:
    explicit SameRequestTwice(std::shared_ptr<const cf::MachineEnvironment> env) : m_env(std::move(env)) {
        m_info.id = "acceptor.replay.two_connections_at_once";
        m_info.cls = "replay";
        m_info.title = "the same REQUEST on two connections at once";
        m_info.rule =
            "a REQUEST challenge already seen within the window is refused on every connection of the "
            "responder: replay (docs/protocols/shadowmesh.md §5, V11, X9)";
        m_info.target_role = Role::acceptor;
        m_info.needs_single_process = true;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        std::string error;
        auto harness = m_env->make(Role::initiator, {}, error);
        if (!harness) {
            return {cf::Verdict::fail, "the harness could not be configured: " + error, {}, false};
        }
        harness->start();
        const auto units = harness->take_output();
        if (units.empty()) {
            return {cf::Verdict::fail, "the harness sent no REQUEST", {}, false};
        }
        const Bytes& request_frame = units.front();
        std::unique_ptr<cf::Transport> conns[2];
        for (auto& c : conns) {
            cf::ConnectionRequest request;
            request.target_role = Role::acceptor;
            request.flags = m_env->target_flags;
            auto opened = ctx.open(request, cf::Millis(5000));
            if (opened.status == cf::OpenResult::Status::unimplemented) {
                return {cf::Verdict::unimplemented, opened.error, {}, false};
            }
            if (opened.status != cf::OpenResult::Status::ok) {
                return {cf::Verdict::fail, "could not open a connection: " + opened.error, {}, false};
            }
            c = std::move(opened.transport);
        }
        for (auto& c : conns) {
            if (c->send(request_frame, cf::after(cf::Millis(2000)))) {
                return {cf::Verdict::fail, "the REQUEST could not be sent", {}, false};
            }
        }
        // Each connection: a RESPONSE, or the end of the connection (a refusal), within the
        // reaction time.
        int answered = 0;
        std::string refusals;
        const cf::Deadline end = cf::after(ctx.scaled(m_env->reaction + cf::Millis(1000)));
        for (auto& c : conns) {
            const cf::Incoming in = c->receive_any(end);
            if (in.kind == cf::Incoming::Kind::message && in.wire.size() > 1 &&
                in.wire[1] == static_cast<std::uint8_t>(MessageType::rehandshake_response)) {
                ++answered;
            } else {
                refusals += (refusals.empty() ? "" : ", ") + std::string(to_string(in.kind)) +
                            (in.detail.empty() ? "" : " (" + in.detail + ")");
            }
            c->abort();
        }
        (void)ctx.finish_target();
        if (answered == 2) {
            return {cf::Verdict::fail,
                    "both connections were answered: a REQUEST replayed within the window goes unnoticed (V11)",
                    {},
                    false};
        }
        if (answered == 0) {
            return {cf::Verdict::fail, "neither connection was answered: " + refusals, {}, false};
        }
        return {cf::Verdict::pass, "one connection answered, the other refused: " + refusals, {}, false};
    }

private:
    std::shared_ptr<const cf::MachineEnvironment> m_env;
    cf::ScenarioInfo m_info;
};

// ---- TLS (docs/protocols/shadowmesh.md §12, "TLS"): what the design asks of the TLS under the
// exchange. The runner's side of these connections is made by the scenario (another certificate,
// TLS 1.2 only), which it watches: a refusal shows as a failed TLS handshake.

// What happened to the TLS handshakes of one scenario's connections (its factory records them).
struct TlsLog {
    std::mutex mutex;
    std::vector<std::string> tls_failures;  // "TLS handshake: ..." errors, timeouts excluded
    std::vector<std::string> other_failures;
    void record(const std::string& error) {
        std::lock_guard<std::mutex> lock(mutex);
        const bool tls =
            error.find("TLS handshake") != std::string::npos && error.find("timed out") == std::string::npos;
        (tls ? tls_failures : other_failures).push_back(error);
    }
    std::optional<std::string> tls_failure() {
        std::lock_guard<std::mutex> lock(mutex);
        return tls_failures.empty() ? std::nullopt : std::optional<std::string>(tls_failures.front());
    }
};

class WatchedListener final : public cf::Listener {
public:
    WatchedListener(std::unique_ptr<cf::Listener> inner, std::shared_ptr<TlsLog> log)
        : m_inner(std::move(inner)), m_log(std::move(log)) {}
    [[nodiscard]] std::uint16_t port() const override { return m_inner->port(); }
    [[nodiscard]] std::unique_ptr<cf::Transport> accept(cf::Deadline deadline, std::string& error) override {
        auto t = m_inner->accept(deadline, error);
        if (!t && error.rfind("handshake failed: ", 0) == 0) {
            m_log->record(error);
        }
        return t;
    }
    [[nodiscard]] std::string describe() const override { return m_inner->describe(); }

private:
    std::unique_ptr<cf::Listener> m_inner;
    std::shared_ptr<TlsLog> m_log;
};

class WatchedFactory final : public cf::TransportFactory {
public:
    WatchedFactory(std::shared_ptr<const cf::TransportFactory> inner, std::shared_ptr<TlsLog> log)
        : m_inner(std::move(inner)), m_log(std::move(log)) {}
    [[nodiscard]] std::string name() const override { return m_inner->name(); }
    [[nodiscard]] std::unique_ptr<cf::Transport> connect(const cf::Endpoint& to, cf::Deadline deadline,
                                                         std::string& error) const override {
        auto t = m_inner->connect(to, deadline, error);
        if (!t) {
            m_log->record(error);
        }
        return t;
    }
    [[nodiscard]] std::unique_ptr<cf::Listener> listen(const cf::Endpoint& at, std::string& error) const override {
        auto l = m_inner->listen(at, error);
        return l ? std::make_unique<WatchedListener>(std::move(l), m_log) : nullptr;
    }

private:
    std::shared_ptr<const cf::TransportFactory> m_inner;
    std::shared_ptr<TlsLog> m_log;
};

// The variant's transport (TLS WebSocket on /ws, CLOSE-aware) with the scenario's TLS options.
std::shared_ptr<const cf::TransportFactory> runner_transport(cf::WebSocketOptions o) {
    o.tls = true;
    o.path = "/ws";
    o.opcode_prefix = false;
    return std::make_shared<CloseAwareTransportFactory>(std::make_shared<cf::WebSocketTransportFactory>(std::move(o)));
}

// The target must refuse the TLS the runner offers: it aborts the TLS handshake, or closes before
// sending anything over it. Completing it and sending REQUEST (or, for an acceptor, completing the
// handshake at all with TLS 1.2) is a FAIL, and so is a target that never tries.
class TlsRefusal final : public cf::Scenario {
public:
    TlsRefusal(Role role, std::string name, std::string title, std::string rule, cf::WebSocketOptions runner_side,
               std::vector<std::string> target_flags)
        : m_runner_side(std::move(runner_side)), m_target_flags(std::move(target_flags)) {
        m_info.id = std::string(to_string(role)) + ".tls." + name;
        m_info.cls = "tls";
        m_info.title = std::move(title);
        m_info.rule = std::move(rule);
        m_info.target_role = role;
        m_info.needs_own_transport = true;
        m_info.target_config = m_target_flags;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        const Role role = m_info.target_role;
        auto log = std::make_shared<TlsLog>();
        cf::ConnectionRequest request;
        request.target_role = role;
        request.flags = m_target_flags;
        request.dedicated = !m_target_flags.empty();
        request.transport = std::make_shared<WatchedFactory>(runner_transport(m_runner_side), log);
        auto opened = ctx.open(request, cf::Millis(5000));
        cf::ScenarioOutcome out;
        if (opened.status == cf::OpenResult::Status::unimplemented) {
            return {cf::Verdict::unimplemented, opened.error, {}, false};
        }
        if (opened.status != cf::OpenResult::Status::ok) {
            if (const auto why = log->tls_failure()) {
                out = {cf::Verdict::pass, "the target refused the TLS handshake (" + *why + ")", {}, false};
            } else {
                out = {cf::Verdict::fail, "no TLS handshake was refused: " + opened.error, {}, false};
            }
        } else if (role == Role::acceptor) {
            opened.transport->abort();
            out = {cf::Verdict::fail, "the target completed the TLS handshake and the upgrade", {}, false};
        } else {
            // The initiator speaks first: anything it sends went over TLS it should have refused.
            cf::Transport& t = *opened.transport;
            const cf::Incoming in = t.receive_any(cf::after(ctx.scaled(cf::Millis(1500))));
            t.abort();
            if (in.kind == cf::Incoming::Kind::message) {
                out = {cf::Verdict::fail,
                       "the target sent a " + std::to_string(in.wire.size()) +
                           "-byte message over TLS it should have refused",
                       {},
                       false};
            } else if (in.kind == cf::Incoming::Kind::timeout) {
                out = {cf::Verdict::fail,
                       "the target completed the TLS handshake and kept the connection open",
                       {},
                       false};
            } else {
                out = {cf::Verdict::pass,
                       "the target completed the TLS handshake, then closed before sending anything (" +
                           std::string(to_string(in.kind)) + ")",
                       {},
                       false};
            }
        }
        for (const auto& report : ctx.finish_target()) {
            for (const auto& line : report.lines) {
                if (line.rfind("HANDSHAKE_OK", 0) == 0) {
                    return {cf::Verdict::fail,
                            "the target reported a completed exchange over TLS it should have refused",
                            {},
                            true};
                }
            }
        }
        if (out.verdict == cf::Verdict::fail) {
            out.reason += "; " + m_info.rule;
        }
        return out;
    }

private:
    cf::ScenarioInfo m_info;
    cf::WebSocketOptions m_runner_side;
    std::vector<std::string> m_target_flags;
};

// No session resumption across peers: the runner connects, keeps any session ticket the target
// gives, and connects again offering it. A target connection that presents another certificate
// (each connection of an in-process or shim target has its own) and resumes that session has
// resumed across identities, and presented no certificate for a pin to be checked against.
class NoResumption final : public cf::Scenario {
public:
    NoResumption() {
        m_info.id = "acceptor.tls.no_resumption";
        m_info.cls = "tls";
        m_info.title = "a session ticket from an earlier connection offered on a new one";
        m_info.rule = "no TLS session resumption across peers (docs/protocols/shadowmesh.md §12, TLS)";
        m_info.target_role = Role::acceptor;
        m_info.needs_own_transport = true;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        auto resumption = std::make_shared<cf::TlsResumption>();
        cf::WebSocketOptions o;
        o.resumption = resumption;
        cf::ConnectionRequest request;
        request.target_role = Role::acceptor;
        request.transport = runner_transport(std::move(o));
        std::string first_certificate;
        for (int k = 0; k < 2; ++k) {
            auto opened = ctx.open(request, cf::Millis(5000));
            if (opened.status == cf::OpenResult::Status::unimplemented) {
                return {cf::Verdict::unimplemented, opened.error, {}, false};
            }
            if (opened.status != cf::OpenResult::Status::ok) {
                return {cf::Verdict::fail, "could not open connection " + std::to_string(k) + ": " + opened.error, {},
                        false};
            }
            // Tickets come after the handshake; a short read lets every record that came be seen.
            (void)opened.transport->receive_any(cf::after(ctx.scaled(cf::Millis(200))));
            opened.transport->abort();
            std::lock_guard<std::mutex> lock(resumption->mutex);
            if (k == 0) {
                first_certificate = resumption->certificate_sha256;
                if (resumption->tickets == 0) {
                    (void)ctx.finish_target();
                    return {cf::Verdict::pass, "the target issued no session ticket", {}, false};
                }
            } else if (resumption->resumed) {
                (void)ctx.finish_target();
                return {cf::Verdict::fail,
                        "the target resumed the session of an earlier connection (certificate SHA-256 " +
                            first_certificate +
                            "): a resumed session presents no certificate, so a pinning peer cannot check it",
                        {}, false};
            }
        }
        (void)ctx.finish_target();
        std::lock_guard<std::mutex> lock(resumption->mutex);
        if (!resumption->offered) {
            return {cf::Verdict::fail, "the runner could not offer the ticket it was given (a runner error)", {}, false};
        }
        return {cf::Verdict::pass,
                "the target issued " + std::to_string(resumption->tickets) +
                    " session ticket(s) but ran a full handshake when one was offered",
                {}, false};
    }

private:
    cf::ScenarioInfo m_info;
};

// The honest exchange over `t`, with the harness as responder, until the harness completes or
// gives up, or `end`; then the connection is closed. nullopt: completed; otherwise why not.
std::optional<std::string> honest_exchange(const cf::MachineEnvironment& env, cf::Transport& t, cf::Deadline end) {
    std::string error;
    auto harness = env.make(Role::acceptor, {}, error);
    if (!harness) {
        t.abort();
        return "the harness could not be configured: " + error;
    }
    harness->start();
    std::string why;
    while (!harness->authenticated() && harness->next_action() != Action::closed) {
        if (!cf::flush_output(*harness, t, end)) {
            why = "the harness could not send";
            break;
        }
        const cf::Incoming in = t.receive_any(end);
        if (in.kind != cf::Incoming::Kind::message) {
            why = "waiting for the target: " + std::string(to_string(in.kind)) +
                  (in.detail.empty() ? "" : " (" + in.detail + ")");
            break;
        }
        harness->receive(in.wire);
    }
    (void)cf::flush_output(*harness, t, end);  // whatever the harness said last (a refusal's CLOSE)
    t.close();
    if (harness->authenticated()) {
        return std::nullopt;
    }
    if (why.empty()) {
        const auto c = harness->closure();
        why = "the harness refused the target: " + (c ? std::string(to_string(c->failure.code)) : "unknown");
        if (c && c->failure.detail != nullptr && *c->failure.detail != '\0') {
            why += ": " + std::string(c->failure.detail);
        }
    }
    return why;
}

// No session resumption across peers, with the target as client. The target connects twice from
// one process (ConnectionRequest::then_transport, SHIM.md --then-connect): first to a runner
// listener that presents certificate A and issues TLS 1.3 session tickets, then, once that
// connection has ended, to a second listener. Across peers the second presents certificate B and
// watches the ClientHello: a pre_shared_key extension (41), or a non-empty session_ticket (35),
// offers the session begun with A to B, and is a FAIL whether or not B takes it (a resumed session
// presents no certificate, so the pin the target would check is never seen). The same-peer
// control presents A again under the same ticket key: resuming there is the target's choice, and
// the scenario passes either way once both exchanges complete.
class ResumptionOnSecondConnection final : public cf::Scenario {
public:
    ResumptionOnSecondConnection(std::shared_ptr<const cf::MachineEnvironment> env, bool same_peer,
                                 cf::GeneratedCertificate first, cf::GeneratedCertificate second)
        : m_env(std::move(env)), m_same_peer(same_peer), m_first(std::move(first)), m_second(std::move(second)) {
        m_info.id =
            same_peer ? "initiator.tls.second_connection_same_peer" : "initiator.tls.no_resumption_across_peers";
        m_info.cls = "tls";
        m_info.title = same_peer
                           ? "a second connection to a peer with the same certificate, after one that issued tickets"
                           : "a second connection to a peer with another certificate, after one that issued tickets";
        m_info.rule = same_peer ? "resuming with the same peer is allowed, and both exchanges complete "
                                  "(docs/protocols/shadowmesh.md §12, TLS)"
                                : "no TLS session resumption across peers: the ClientHello to another peer offers no "
                                  "session (docs/protocols/shadowmesh.md §12, TLS)";
        m_info.target_role = Role::initiator;
        m_info.needs_own_transport = true;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        auto hellos = std::make_shared<cf::TlsClientHellos>();
        cf::WebSocketOptions first;
        first.certificate_pem = m_first.certificate_pem;
        first.private_key_pem = m_first.private_key_pem;
        first.issue_tickets = true;
        cf::WebSocketOptions second;
        second.certificate_pem = m_second.certificate_pem;
        second.private_key_pem = m_second.private_key_pem;
        second.issue_tickets = m_same_peer;  // the same key: a session of the first can resume here
        second.client_hellos = hellos;
        cf::ConnectionRequest request;
        request.target_role = Role::initiator;
        request.flags = m_env->target_flags;
        request.transport = runner_transport(std::move(first));
        request.then_transport = runner_transport(std::move(second));
        auto opened = ctx.open(request, cf::Millis(5000));
        if (opened.status == cf::OpenResult::Status::unimplemented) {
            return {cf::Verdict::unimplemented, opened.error, {}, false};
        }
        if (opened.status != cf::OpenResult::Status::ok) {
            return {cf::Verdict::fail, "could not open the first connection: " + opened.error, {}, false};
        }
        if (!opened.then_listener) {
            return {cf::Verdict::fail, "no listener for the second connection (a runner error)", {}, false};
        }
        const auto one = honest_exchange(*m_env, *opened.transport, cf::after(ctx.scaled(cf::Millis(5000))));
        std::string error;
        auto again = opened.then_listener->accept(cf::after(ctx.scaled(cf::Millis(5000))), error);
        std::optional<std::string> two;
        if (again) {
            const std::uint8_t index = ctx.connections_opened();
            again->attach(&ctx.transcript(), index);
            ctx.transcript().event(index, "connected again (the target's second connection)");
            two = honest_exchange(*m_env, *again, cf::after(ctx.scaled(cf::Millis(5000))));
        }
        for (const auto& report : ctx.finish_target()) {
            for (const auto& line : report.lines) {
                if (line.rfind("CRASHED", 0) == 0) {
                    return {cf::Verdict::fail, "the target reported " + line, {}, false};
                }
            }
        }
        if (!again) {
            std::string why = "the target made no second connection: " + error;
            if (one) {
                why += " (the first exchange did not complete either: " + *one + ")";
            }
            return {cf::Verdict::fail, why, {}, !one};
        }
        std::lock_guard<std::mutex> lock(hellos->mutex);
        const bool offered = hellos->offered_psk > 0 || hellos->offered_ticket > 0;
        if (!m_same_peer && offered) {
            const std::string offer = hellos->offered_psk > 0 ? "a pre_shared_key extension (41)"
                                                              : "a non-empty session_ticket extension (35)";
            return {cf::Verdict::fail,
                    "the target's ClientHello to a peer presenting another certificate carried " + offer +
                        ", offering the TLS session begun with the first peer" +
                        (hellos->resumed > 0 ? ", and the handshake resumed it" : "") +
                        ": a resumed session presents no certificate, so a pin is never checked",
                    {},
                    !one && !two};
        }
        if (one) {
            return {cf::Verdict::fail, "the first exchange did not complete: " + *one, {}, false};
        }
        if (two) {
            return {cf::Verdict::fail, "the second exchange did not complete: " + *two, {}, true};
        }
        std::string how = "the second ClientHello offered no session";
        if (m_same_peer && hellos->resumed > 0) {
            how = "the second TLS handshake resumed the first's session";
        } else if (m_same_peer && offered) {
            how = "the second ClientHello offered the first's session, and a full handshake followed";
        }
        return {cf::Verdict::pass, "both exchanges completed; " + how, {}, true};
    }

private:
    std::shared_ptr<const cf::MachineEnvironment> m_env;
    bool m_same_peer;
    cf::GeneratedCertificate m_first;
    cf::GeneratedCertificate m_second;
    cf::ScenarioInfo m_info;
};

void add_tls(Builder& b) {
    std::string error;
    const auto pinned = cf::generate_self_signed_certificate(error);
    const auto other = cf::generate_self_signed_certificate(error);
    const auto pins = pinned ? cf::certificate_pins(pinned->certificate_pem) : std::nullopt;
    if (!pinned || !other || !pins) {
        return;  // cannot happen with a working OpenSSL; the catalogue then lacks these rows
    }
    // The target pinned to a certificate: the runner serves it (completes, by either pin form) or
    // another one (refused).
    const struct {
        const char* name;
        const char* title;
        std::string pin;
    } matches[] = {
        {"pin_certificate", "pinned to the SHA-256 of the runner's certificate", pins->certificate_sha256},
        {"pin_public_key", "pinned to the SHA-256 of the runner's public key", pins->spki_sha256},
    };
    for (const auto& m : matches) {
        auto& s = b.add(Role::initiator, "tls", m.name, std::string("the target ") + m.title,
                        "a peer whose certificate matches the pin is accepted (docs/protocols/shadowmesh.md §12, TLS)");
        cf::WebSocketOptions o;
        o.certificate_pem = pinned->certificate_pem;
        o.private_key_pem = pinned->private_key_pem;
        s.transport = runner_transport(std::move(o));
        s.expect = cf::Expect::complete;
        s.requires_target_flags = true;
        s.target_flags = {"--pinned-cert", m.pin};
    }
    {
        cf::WebSocketOptions o;
        o.certificate_pem = other->certificate_pem;
        o.private_key_pem = other->private_key_pem;
        b.extra(std::make_unique<TlsRefusal>(
            Role::initiator, "pin_mismatch", "the runner presents a certificate other than the one the target pins",
            "with pinning on, a certificate that does not match the pin is refused before any re-handshake message "
            "(docs/protocols/shadowmesh.md §12, TLS)",
            std::move(o), std::vector<std::string>{"--pinned-cert", pins->certificate_sha256}));
    }
    for (const Role role : {Role::acceptor, Role::initiator}) {
        cf::WebSocketOptions o;
        o.tls_versions = cf::TlsVersions::tls12;
        const bool acceptor = role == Role::acceptor;
        b.extra(std::make_unique<TlsRefusal>(
            role, "tls12_only",
            acceptor ? "the runner connects offering TLS 1.2 and nothing newer"
                     : "the runner accepts the connection with TLS 1.2 and nothing newer",
            "TLS 1.3 only (docs/protocols/shadowmesh.md §12, TLS)", std::move(o), std::vector<std::string>{}));
    }
    b.extra(std::make_unique<NoResumption>());
    b.extra(std::make_unique<ResumptionOnSecondConnection>(b.env(), false, *pinned, *other));
    b.extra(std::make_unique<ResumptionOnSecondConnection>(b.env(), true, *pinned, *pinned));
}

// ---- Text messages (V12, X18). The runner's side sends one of its units as a text WebSocket
// message: the WebSocket transport with an opcode byte before every unit (websocket.hpp), hidden
// here from the harness and the transcript.
class OpcodeTransport final : public cf::Transport {
public:
    OpcodeTransport(std::unique_ptr<cf::Transport> inner, std::size_t text_at)
        : m_inner(std::move(inner)), m_text_at(text_at) {}

    [[nodiscard]] std::error_code send(ByteView bytes, cf::Deadline deadline) override {
        const bool text = m_sent++ == m_text_at;
        if (m_transcript != nullptr) {
            m_transcript->sent(m_index, bytes, text ? "text" : "");
        }
        Bytes b{static_cast<std::uint8_t>(text ? 0x01 : 0x02)};
        b.insert(b.end(), bytes.begin(), bytes.end());
        return m_inner->send(b, deadline);
    }
    [[nodiscard]] cf::Incoming receive(cf::Deadline deadline) override { return strip(m_inner->receive(deadline)); }
    [[nodiscard]] cf::Incoming receive_any(cf::Deadline deadline) override {
        return strip(m_inner->receive_any(deadline));
    }
    void shutdown_send() override { m_inner->shutdown_send(); }
    void close() override { m_inner->close(); }
    void abort() override { m_inner->abort(); }
    [[nodiscard]] std::size_t bytes_received() const override { return m_inner->bytes_received(); }
    [[nodiscard]] std::string peer_address() const override { return m_inner->peer_address(); }
    void attach(cf::Transcript* transcript, std::uint8_t index) override {
        m_transcript = transcript;
        m_index = index;
    }

private:
    cf::Incoming strip(cf::Incoming in) {
        if (in.kind == cf::Incoming::Kind::message && !in.wire.empty()) {
            in.detail = in.wire.front() == 0x01 ? "text" : "";
            in.wire.erase(in.wire.begin());
            in.payload = in.wire;
            if (m_transcript != nullptr) {
                m_transcript->received(m_index, in.wire, in.detail);
            }
        } else if (m_transcript != nullptr && in.kind != cf::Incoming::Kind::timeout) {
            m_transcript->event(m_index, std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail));
        }
        return in;
    }

    std::unique_ptr<cf::Transport> m_inner;
    std::size_t m_text_at;
    std::size_t m_sent = 0;
    cf::Transcript* m_transcript = nullptr;
    std::uint8_t m_index = 0;
};

// Sends the runner's unit number `text_at` (counting every send of a connection) as text.
class TextAtFactory final : public cf::TransportFactory {
public:
    explicit TextAtFactory(std::size_t text_at) : m_text_at(text_at) {
        cf::WebSocketOptions o;
        o.tls = true;
        o.path = "/ws";
        o.opcode_prefix = true;
        m_inner = std::make_shared<cf::WebSocketTransportFactory>(std::move(o));
    }
    [[nodiscard]] std::string name() const override { return m_inner->name(); }
    [[nodiscard]] std::unique_ptr<cf::Transport> connect(const cf::Endpoint& to, cf::Deadline deadline,
                                                         std::string& error) const override {
        auto t = m_inner->connect(to, deadline, error);
        return t ? std::make_unique<OpcodeTransport>(std::move(t), m_text_at) : nullptr;
    }
    [[nodiscard]] std::unique_ptr<cf::Listener> listen(const cf::Endpoint& at, std::string& error) const override {
        auto l = m_inner->listen(at, error);
        const std::size_t text_at = m_text_at;
        return l ? std::make_unique<cf::WrappingListener>(std::move(l),
                                                          [text_at](std::unique_ptr<cf::Transport> t) {
                                                              return std::make_unique<OpcodeTransport>(std::move(t),
                                                                                                       text_at);
                                                          })
                 : nullptr;
    }

private:
    std::shared_ptr<const cf::TransportFactory> m_inner;
    std::size_t m_text_at;
};

std::shared_ptr<const cf::TransportFactory> text_at(std::size_t send_index) {
    return std::make_shared<CloseAwareTransportFactory>(std::make_shared<TextAtFactory>(send_index));
}

// A fixed clock whose u64 millisecond timestamp is eight bytes below 0x80 (February 2020), so that a
// REQUEST with a printable challenge is valid UTF-8 as a whole: a WebSocket peer refuses a text
// message that is not (RFC 6455 §8.1) before any ShadowMesh rule is asked.
constexpr std::uint64_t kAsciiNowMs = 0x01707f7f7f7fULL;

void add_text(Builder& b) {
    const bool upstream = b.upstream();
    {
        // REQUEST as text, valid UTF-8: strict refuses it, upstream skips it and answers the
        // binary REQUEST after it.
        auto printable = SystemRng().array<32>();
        for (auto& c : printable) {
            c = static_cast<std::uint8_t>(0x21 + c % 0x5e);
        }
        const std::string now = std::to_string(kAsciiNowMs);
        auto& s = b.add(Role::acceptor, "text", "request", "REQUEST in a text WebSocket message (valid UTF-8)",
                        upstream ? "upstream skips a text message and keeps reading (docs/protocols/shadowmesh.md §2, "
                                   "V12, X18)"
                                 : "binary WebSocket messages only: a text one is refused (docs/protocols/shadowmesh.md "
                                   "§2, V12, X18)");
        s.transport = text_at(0);
        s.harness_flags = {"--challenge", to_hex(printable), "--now", now};
        s.requires_target_flags = true;
        s.target_flags = {"--now", now};
        if (upstream) {
            s.rewrite = changed(0, [](const Bytes& u) { return u; }, true);
            s.expect = cf::Expect::complete;
            s.info.title += ", then the same REQUEST in a binary one";
        } else {
            s.consequence = "a text message is taken as a protocol message";
        }
    }
    if (upstream) {
        // The MAC-carrying messages are not valid UTF-8: a WebSocket peer refuses them as text
        // messages before it could skip them (below, strict only).
        return;
    }
    for (const Role role : {Role::acceptor, Role::initiator}) {
        const bool acceptor = role == Role::acceptor;
        auto& s = b.add(role, "text", acceptor ? "complete" : "response",
                        std::string(acceptor ? "COMPLETE" : "RESPONSE") + " in a text WebSocket message",
                        "binary WebSocket messages only; a text message that is not UTF-8 is also a WebSocket error "
                        "(docs/protocols/shadowmesh.md §2, V12, X18)");
        s.transport = text_at(acceptor ? 1 : 0);
        s.configured_from_unit = acceptor ? 1 : 0;
        s.consequence = "a text message is taken as a protocol message";
    }
}

// The generic families (conformance/runner/machine_catalogue.hpp) for one role, with the
// exceptions the protocol makes.
void add_families(Builder& b, Role role, const std::string& challenge) {
    const bool acceptor = role == Role::acceptor;
    const bool upstream = b.upstream();
    cf::FamilyOptions o;
    o.target_role = role;
    o.unit_names = acceptor ? std::vector<std::string>{"REQUEST", "COMPLETE"} : std::vector<std::string>{"RESPONSE"};
    const auto env = b.env();
    o.keep = [acceptor, upstream, env, challenge](cf::MachineScenario& s, std::size_t unit) {
        const std::string& id = s.info.id;
        // The generic orderings cannot happen here: REQUEST is answered before the initiator can
        // send anything else, so a duplicate is answered (then refused), and COMPLETE cannot
        // precede the RESPONSE that it answers. order.* below sends these cases after RESPONSE.
        if (id.find(".order.") != std::string::npos) {
            return false;
        }
        // The last bit of every message is the low bit of its timestamp, which nothing
        // authenticates (§4.2): a 1 ms change within the 30 s window is accepted by design (§8,
        // "what the protocol cannot see"). mac.* flips the MAC's bits instead.
        if (id.ends_with(".bitflip.u" + std::to_string(unit) + ".last_bit")) {
            s.expect = cf::Expect::complete;
            s.info.rule = "a timestamp 1 ms off stays inside the ±30 s window (docs/protocols/shadowmesh.md §4.3)";
            return true;
        }
        // A shorter Length is bad_length in strict (V3); upstream's decoder fails on the short
        // payload and drops the message, keeping the connection (§2, V3): the honest message
        // that follows completes.
        if (id.find(".truncation.") != std::string::npos) {
            if (upstream) {
                const bool empty = id.ends_with(".empty");
                s.rewrite = changed(unit,
                                    [env, empty](const Bytes& u) {
                                        return env->rebody(u, [empty](Bytes body) {
                                            if (empty) {
                                                return Bytes{};
                                            }
                                            body.pop_back();
                                            return body;
                                        });
                                    },
                                    true);
                s.expect = cf::Expect::complete;
                s.info.title += ", then the honest message";
                s.info.rule = "upstream drops an undecodable message and keeps waiting (docs/protocols/shadowmesh.md §2, V3)";
            } else {
                s.expected_error = "bad_length";
            }
            return true;
        }
        if (id.find(".trailing.") != std::string::npos) {
            s.expected_error = "bad_length";  // the reframed Length is one too long (V3)
            s.consequence = "a longer Length is accepted (V3)";
            return true;
        }
        if (id.find(".replay.") != std::string::npos && acceptor && unit == 0) {
            // The harness holds the replayed REQUEST's challenge, so a peer without a replay
            // cache (V11) completes with it; the cache spans connections of one process.
            s.harness_flags = {"--challenge", challenge};
            s.info.needs_single_process = true;
            s.expected_error = "replay";
            s.consequence = "a recorded REQUEST is answered within the window (V11)";
            return true;
        }
        if (id.find(".idle.") != std::string::npos) {
            // The reference gives up after 5 s in every waiting state (V10).
            s.deadline = cf::Millis(9000);
        }
        return true;
    };
    for (auto& s : cf::generic_families(*env, o)) {
        b.push(std::move(s));
    }
}

// The harness's machine with a bug knob of the reference on: a peer that MACs the wrong thing
// (X7, X8), as the knob describes.
std::shared_ptr<cf::MachineEnvironment> harness_with_knob(const Builder& b, const std::string& knob) {
    auto e = std::make_shared<cf::MachineEnvironment>(*b.env());
    e->make = registry::flagged_machine_factory(variant(), b.profile(), {}, {knob});
    return e;
}

// MACs made with the wrong key or over the wrong input (X7, X8), keys from another relay session
// (X22), and CLOSE in the middle of the exchange.
void add_keys_and_close(Builder& b, Role role) {
    const bool acceptor = role == Role::acceptor;
    const std::size_t mac_unit = acceptor ? 1 : 0;
    const std::string mac_name = acceptor ? "COMPLETE" : "RESPONSE";
    const std::string mac_rule = acceptor ? "the responder checks HMAC(RX_R, c_R) over exactly c_R: bad_mac "
                                            "(docs/protocols/shadowmesh.md §4.2, V9, X8)"
                                          : "the initiator checks HMAC(RX_I, c_I) over exactly c_I: bad_mac "
                                            "(docs/protocols/shadowmesh.md §4.2, V9, X7)";
    // (A harness with mac-over-session-id would also refuse the target's honest RESPONSE, so it
    // grades only the initiator; over_request_challenge below changes COMPLETE's input instead.)
    struct Knobbed {
        const char* name;
        const char* knob;
        const char* title;
    };
    const std::vector<Knobbed> knobbed =
        acceptor ? std::vector<Knobbed>{{"tx_r_key", "complete-mac-rx-key",
                                         "COMPLETE MACed with the responder's TX key (the initiator's RX)"}}
                 : std::vector<Knobbed>{{"rx_r_key", "mac-wrong-key", "RESPONSE MACed with the responder's RX key"},
                                        {"over_session_id", "mac-over-session-id", "RESPONSE MACed over sid || c_I"}};
    for (const auto& k : knobbed) {
        cf::MachineScenario s;
        s.info.id = std::string(to_string(role)) + ".mac." + k.name;
        s.info.cls = "mac";
        s.info.title = k.title;
        s.info.rule = mac_rule;
        s.info.target_role = role;
        s.configured_from_unit = mac_unit;
        s.expected_error = "bad_mac";
        s.consequence = "the peer is not authenticated by its key";
        b.extra(cf::make_machine_scenario(harness_with_knob(b, k.knob), std::move(s)));
    }
    if (acceptor) {
        // COMPLETE MACed over the initiator's own challenge: the harness draws the challenge given
        // (fresh per run, and not the replay scenario's, which the target's cache would refuse),
        // so the MAC over it can be made here.
        const std::string challenge = to_hex(SystemRng().array<32>());
        auto& s = b.add(role, "mac", "over_request_challenge", "COMPLETE MACed over c_I instead of c_R", mac_rule);
        Challenge c{};
        const auto raw = from_hex(challenge).value_or(Bytes(32, 0));
        std::copy_n(raw.begin(), std::min(raw.size(), c.size()), c.begin());
        const auto mac = crypto::hmac_sha256(counting_bytes<32>(0x21), c);  // the harness initiator's TX (§9)
        s.harness_flags = {"--challenge", challenge};
        s.rewrite = rw::replace(1, on_message([mac](const Bytes& u) {
                                    Bytes f = u;
                                    std::copy(mac.begin(), mac.end(), f.begin() + kMacAt);
                                    return f;
                                }));
        s.expected_error = "bad_mac";
        s.consequence = "the peer is not authenticated by its key";
    }
    {
        // X22: the harness's TX key comes from a relay session of its own (its RX key still
        // matches, so it takes the target's RESPONSE and goes on).
        const Secret<32> master(counting_bytes<32>(0x40));
        NodeId peer{};
        NodeId relay{};
        peer.fill(0xaa);
        relay.fill(0x22);
        const auto other = session_keys_code(master, counting_bytes<16>(0x01), peer, relay);
        auto& s = b.add(role, "keys", "independent_session",
                        mac_name + " from a peer keyed by another relay session (TX_" + (acceptor ? "I" : "R") +
                            " is not the target's RX)",
                        "keys from independent relay sessions do not mirror: bad_mac (docs/protocols/shadowmesh.md "
                        "§4.1, X22)");
        s.harness_flags = {"--tx-key", to_hex(other.tx.array())};
        s.configured_from_unit = mac_unit;
        s.expected_error = "bad_mac";
        s.consequence = "the peer is not authenticated by its key";
    }
    {
        // X19: the honest message 5,001 ms into the state that waits for it (the target's clock,
        // never scaled); the reference has given up at 5,000 ms, and a peer that only looks at
        // the clock when a message comes must refuse this one.
        auto& s = b.add(role, "idle", "message_5001ms_in", mac_name + " 5,001 ms after the target's last message",
                        "each waiting state lasts at most 5,000 ms: timeout (docs/protocols/shadowmesh.md §5, V10, X19)");
        s.late_unit = std::make_pair(mac_unit, cf::Millis(kDeadlineMs + 1));
        s.deadline = cf::Millis(9000);
        s.expected_error = "timeout";
        s.consequence = "the exchange is not bounded in time";
    }
    {
        // CLOSE in place of the harness's next message.
        const Bytes close = encode_frame(CloseMsg{kCloseNormal, {}});
        auto& s =
            b.add(role, "close", acceptor ? "instead_of_complete" : "instead_of_response",
                  std::string("CLOSE (normal) in place of ") + mac_name,
                  "CLOSE mid-exchange ends it: the peer gives up without completing (docs/protocols/shadowmesh.md "
                  "§5)");
        s.rewrite = rw::replace(mac_unit, [close](const Bytes&) { return close; });
        s.expected_error = "peer_error";
    }
}

void add_specific(Builder& b, Role role) {
    const bool acceptor = role == Role::acceptor;
    const bool upstream = b.upstream();
    const std::string first = acceptor ? "REQUEST" : "RESPONSE";
    // The unit carrying the MAC the target checks: COMPLETE (acceptor) or RESPONSE (initiator).
    const std::size_t mac_unit = acceptor ? 1 : 0;
    const std::string mac_name = acceptor ? "COMPLETE" : "RESPONSE";

    // MAC (V9, X6).
    struct MacCase {
        const char* name;
        const char* title;
        std::function<Bytes(const Bytes&)> change;
    };
    const MacCase macs[] = {
        {"first_bit", "with the first bit of its MAC flipped",
         [](const Bytes& u) { return set_header(u, kMacAt, {static_cast<std::uint8_t>(u[kMacAt] ^ 0x80U)}); }},
        {"last_bit", "with the last bit of its MAC flipped",
         [](const Bytes& u) {
             return set_header(u, kMacAt + 31, {static_cast<std::uint8_t>(u[kMacAt + 31] ^ 0x01U)});
         }},
        {"second_half_zero", "with the last 16 bytes of its MAC zeroed (only the first half right)",
         [](const Bytes& u) {
             Bytes f = u;
             std::fill(f.begin() + kMacAt + 16, f.begin() + kMacAt + 32, 0);
             return f;
         }},
        {"zero", "with an all-zero MAC",
         [](const Bytes& u) {
             Bytes f = u;
             std::fill(f.begin() + kMacAt, f.begin() + kMacAt + 32, 0);
             return f;
         }},
    };
    for (const auto& m : macs) {
        auto& s = b.add(role, "mac", m.name, mac_name + " " + m.title,
                        "the ChallengeResponse is compared in full, constant time: bad_mac (docs/protocols/shadowmesh.md "
                        "§4.2, V9, X6)");
        s.rewrite = rw::replace(mac_unit, on_message(m.change));
        s.expected_error = "bad_mac";
        s.consequence = "the peer is not authenticated by its key";
    }

    // SessionID (V7, X2).
    {
        auto& s = b.add(role, "session", "last_bit", first + " with the last bit of its SessionID flipped",
                        "a SessionID that is not ours is unknown_session (V7, X2)");
        s.rewrite = rw::replace(0, on_message([](const Bytes& u) {
            return set_header(u, kSidAt + 15, {static_cast<std::uint8_t>(u[kSidAt + 15] ^ 0x01U)});
        }));
        s.expected_error = "unknown_session";
    }
    if (acceptor) {
        auto& s = b.add(role, "session", "complete_other", "COMPLETE with another SessionID",
                        "a SessionID that is not ours is unknown_session (V7, X2)");
        s.rewrite = rw::replace(1, on_message([](const Bytes& u) {
            Bytes f = u;
            for (std::size_t i = kSidAt; i < kSidAt + 16; ++i) {
                f[i] = static_cast<std::uint8_t>(~f[i]);
            }
            return f;
        }));
        s.expected_error = "unknown_session";
    }

    // Timestamps far outside the window, whatever the target's clock (V8, X4, X5).
    struct Stamp {
        const char* name;
        const char* title;
        std::function<std::uint64_t(std::uint64_t)> ts;
        const char* error;
    };
    const Stamp stamps[] = {
        {"ts_zero", "timestamp 0", [](std::uint64_t) { return std::uint64_t{0}; }, "stale_timestamp"},
        {"ts_max", "timestamp 2^64 - 1", [](std::uint64_t) { return ~std::uint64_t{0}; }, "future_timestamp"},
        {"ts_seconds", "timestamp in seconds", [](std::uint64_t t) { return t / 1000; }, "stale_timestamp"},
        {"ts_nanoseconds", "timestamp in nanoseconds", [](std::uint64_t t) { return t * 1000000; },
         "future_timestamp"},
    };
    for (const auto& st : stamps) {
        auto& s = b.add(role, "clock", st.name, first + " with " + st.title,
                        "|now - ts| <= 30,000 ms, in milliseconds (docs/protocols/shadowmesh.md §4.3, V8, X4, X5)");
        const auto f = st.ts;
        s.rewrite = rw::replace(0, on_message([f](const Bytes& u) { return set_timestamp(u, f(timestamp(u))); }));
        s.expected_error = st.error;
        s.consequence = "timestamps do not bound the exchange in time";
    }
    if (acceptor) {
        auto& s = b.add(role, "clock", "ts_zero_complete", "COMPLETE with timestamp 0",
                        "COMPLETE's timestamp is checked too (docs/protocols/shadowmesh.md §5 R1, V8)");
        s.rewrite = rw::replace(1, on_message([](const Bytes& u) { return set_timestamp(u, 0); }));
        s.expected_error = "stale_timestamp";
    }
    // The window's edges against a fixed target clock (X3): 29,999 ms passes, 30,001 ms does not;
    // 30,000 itself is never tested (the deployed documentation leaves it open, §4.3).
    struct Edge {
        const char* name;
        std::int64_t offset;
        cf::Expect expect;
        const char* error;
    };
    for (const Edge e : {Edge{"stale_30001ms", -30001, cf::Expect::reject, "stale_timestamp"},
                         Edge{"stale_29999ms", -29999, cf::Expect::complete, ""},
                         Edge{"future_29999ms", 29999, cf::Expect::complete, ""},
                         Edge{"future_30001ms", 30001, cf::Expect::reject, "future_timestamp"}}) {
        auto& s = b.add(role, "clock", e.name,
                        first + " stamped " + std::to_string(e.offset) + " ms from the target's fixed clock",
                        "|now - ts| <= 30,000 ms: 29,999 passes, 30,001 is refused (docs/protocols/shadowmesh.md "
                        "§4.3, X3)");
        const std::string now = std::to_string(kNowMs);
        s.requires_target_flags = true;
        s.target_flags = {"--now", now};
        s.harness_flags = {"--now", now};
        const auto ts = static_cast<std::uint64_t>(static_cast<std::int64_t>(kNowMs) + e.offset);
        s.rewrite = rw::replace(0, on_message([ts](const Bytes& u) { return set_timestamp(u, ts); }));
        s.expect = e.expect;
        s.expected_error = e.error;
    }

    // A message of the wrong type now (V6, X17): refused in both profiles. Each decoy comes
    // before the honest message, so a peer that drops it instead completes.
    const Bytes heartbeat = frame_of(static_cast<std::uint8_t>(MessageType::heartbeat), {});
    if (acceptor) {
        {
            auto& s = b.add(role, "order", "complete_before_request", "a COMPLETE before REQUEST",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            // REQUEST's payload has COMPLETE's layout (sid, 32 bytes, ts): only the type differs.
            s.rewrite = before(0, on_message([](const Bytes& u) {
                return set_header(u, 1, {static_cast<std::uint8_t>(MessageType::rehandshake_complete)});
            }));
            s.expected_error = "unexpected_message";
        }
        {
            auto& s = b.add(role, "order", "response_to_responder", "a RESPONSE sent to the responder before REQUEST",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            s.rewrite = before(0, on_message([](const Bytes& u) {
                // REQUEST's sid and challenge, 32 more bytes and its timestamp: a well-formed RESPONSE.
                Bytes payload(u.begin() + kHeaderSize, u.begin() + kHeaderSize + 48);
                payload.insert(payload.end(), u.begin() + kHeaderSize + 16, u.begin() + kHeaderSize + 48);
                payload.insert(payload.end(), u.end() - 8, u.end());
                return frame_of(static_cast<std::uint8_t>(MessageType::rehandshake_response), payload);
            }));
            s.expected_error = "unexpected_message";
        }
        {
            auto& s = b.add(role, "order", "heartbeat_before_complete", "a HEARTBEAT between RESPONSE and COMPLETE",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            s.rewrite = before(1, [heartbeat](const Bytes&) { return heartbeat; });
            s.expected_error = "unexpected_message";
        }
        {
            auto& s = b.add(role, "order", "request_again_before_complete",
                            "REQUEST again after RESPONSE, then COMPLETE (two exchanges interleaved)",
                            "a second REQUEST in R1 is unexpected_message (docs/protocols/shadowmesh.md §5, §8)");
            s.rewrite = []() -> cf::UnitRewriter {
                auto held = std::make_shared<Bytes>();
                return [held](std::size_t index, const Bytes& u) {
                    if (index == 0) {
                        *held = u;
                        return std::vector<Bytes>{u};
                    }
                    return index == 1 ? std::vector<Bytes>{*held, u} : std::vector<Bytes>{u};
                };
            };
            s.expected_error = "unexpected_message";
        }
    } else {
        {
            auto& s = b.add(role, "order", "heartbeat_before_response", "a HEARTBEAT before RESPONSE",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            s.rewrite = before(0, [heartbeat](const Bytes&) { return heartbeat; });
            s.expected_error = "unexpected_message";
        }
        {
            auto& s = b.add(role, "order", "request_to_initiator", "a REQUEST sent to the initiator before RESPONSE",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            s.rewrite = before(0, on_message([](const Bytes& u) {
                // sid and 32 bytes of RESPONSE, its timestamp: a well-formed REQUEST.
                Bytes payload(u.begin() + kHeaderSize, u.begin() + kHeaderSize + 48);
                payload.insert(payload.end(), u.end() - 8, u.end());
                return frame_of(static_cast<std::uint8_t>(MessageType::rehandshake_request), payload);
            }));
            s.expected_error = "unexpected_message";
        }
    }

    // Framing (§2, V1-V5). What strict refuses, the deployed decoder either accepts (Flags,
    // trailing bytes: reference-upstream.json lists these as upstream's defects) or drops and
    // keeps waiting (Version, type, Length: the honest message after it completes).
    struct Codec {
        const char* name;
        const char* title;
        std::function<Bytes(const Bytes&)> change;
        bool upstream_drops;
        const char* error;
    };
    const Codec codecs[] = {
        {"flags_0001", "Flags 0x0001", [](const Bytes& u) { return set_header(u, 2, {0x00, 0x01}); }, false,
         "bad_flags"},
        {"flags_ffff", "Flags 0xFFFF", [](const Bytes& u) { return set_header(u, 2, {0xFF, 0xFF}); }, false,
         "bad_flags"},
        {"trailing_ten", "ten bytes after the message (Length unchanged)",
         [](const Bytes& u) {
             Bytes f = u;
             f.resize(f.size() + 10, 0);
             return f;
         },
         false, "trailing_bytes"},
        {"version_2", "Version 2", [](const Bytes& u) { return set_header(u, 0, {0x02}); }, true, "wrong_version"},
        {"type_0x33", "type 0x33", [](const Bytes& u) { return set_header(u, 1, {0x33}); }, true, "unknown_type"},
        {"type_0x11", "type 0x11 (MULTI_HOP, no layout)", [](const Bytes& u) { return set_header(u, 1, {0x11}); },
         true, "unknown_type"},
        {"type_0x20", "type 0x20 (CONFIG_UPDATE, no layout)", [](const Bytes& u) { return set_header(u, 1, {0x20}); },
         true, "unknown_type"},
        {"length_65536", "Length 65,536", [](const Bytes& u) { return set_header(u, 4, {0x00, 0x01, 0x00, 0x00}); },
         true, "oversize"},
    };
    for (const auto& c : codecs) {
        auto& s = b.add(role, "codec", c.name, first + " with " + c.title,
                        "strict decodes exactly (docs/protocols/shadowmesh.md §2, V1-V5, X10-X16)");
        if (upstream && c.upstream_drops) {
            s.rewrite = changed(0, on_message(c.change), true);
            s.expect = cf::Expect::complete;
            s.info.title += ", then the honest " + first;
            s.info.rule = "upstream drops an undecodable message and keeps waiting (docs/protocols/shadowmesh.md §2, §6)";
        } else {
            s.rewrite = rw::replace(0, on_message(c.change));
            s.expected_error = c.error;
            s.consequence = "the peer decodes more than the protocol defines";
        }
    }
}

}  // namespace

cf::Catalogue make_catalogue(const registry::CatalogueOptions& options) {
    const std::string profile = options.profile.empty() ? "strict" : options.profile;
    auto env = registry::machine_environment(variant(), profile);
    // One WebSocket message is one frame: the generic families change the payload and the
    // Length follows it, so a truncation is a shorter message rather than a broken header.
    env->body_offset = [](const Bytes& unit) { return std::min(unit.size(), kHeaderSize); };
    env->reframe = [](const Bytes& unit, const Bytes& body) {
        Bytes f(unit.begin(), unit.begin() + static_cast<std::ptrdiff_t>(std::min(unit.size(), kHeaderSize)));
        f.resize(kHeaderSize, 0);
        const auto n = static_cast<std::uint32_t>(body.size());
        for (std::size_t i = 0; i < 4; ++i) {
            f[4 + i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
        }
        f.insert(f.end(), body.begin(), body.end());
        return f;
    };
    // A fresh challenge per run for the replay scenario, so no earlier run's cache entry meets it.
    const std::string challenge = to_hex(SystemRng().array<32>());
    Builder b(profile, env);
    for (const Role role : {Role::acceptor, Role::initiator}) {
        add_families(b, role, challenge);
        add_specific(b, role);
        add_keys_and_close(b, role);
        b.extra(std::make_unique<AfterDone>(env, role));
    }
    b.extra(std::make_unique<SameRequestTwice>(env));
    add_text(b);
    add_tls(b);
    return b.take();
}

}  // namespace shakedown::shadowmesh
