#include "conformance/scenarios/stt/session_scenarios.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "conformance/runner/scenario_driver.hpp"
#include "conformance/runner/udp.hpp"
#include "conformance/scenarios/stt/session_machine.hpp"
#include "stt/frame.hpp"
#include "stt/messages.hpp"
#include "stt/session.hpp"
#include "stt/suite.hpp"

namespace shakedown::stt {

namespace {

namespace cf = shakedown::conformance;
using cf::Millis;

// The whole scenario, the wait for the target's first data frame or an echo (a local answer takes
// well under a millisecond), and how long a refused frame or message must stay unanswered.
constexpr Millis kDeadline{4000};
constexpr Millis kAnswer{1500};
constexpr Millis kWatch{400};
// The target's bound on pending handshakes in the flood scenario (--max-pending).
constexpr std::size_t kFloodBound = 4;

// The harness: the reference handshake with the conformance peers' default seeds (the target's
// defaults, unless the target was started with others).
Config harness_config(Role role) {
    Config c;
    c.role = role;
    c.node_seed = SecretBytes(default_node_seed(role));
    c.shared_seed = SecretBytes(as_bytes(kDefaultSharedSeed));
    return c;
}

std::string text(ByteView b) { return {b.begin(), b.end()}; }

struct Outcome {
    cf::Verdict verdict = cf::Verdict::fail;
    std::string reason;
    bool completed = false;
};

Outcome pass(std::string reason, bool completed) { return {cf::Verdict::pass, std::move(reason), completed}; }
Outcome failed(std::string reason, bool completed) { return {cf::Verdict::fail, std::move(reason), completed}; }

// One connection: the harness's handshake machine against the target, both directions recorded.
class Link {
public:
    Link(cf::Transport& t, Handshake& h, Rng& rng, cf::ScenarioContext& ctx, cf::Deadline end)
        : m_t(t), m_h(h), m_rng(rng), m_ctx(ctx), m_end(end) {}

    bool send(const Bytes& d) {
        m_harness_sent.push_back(d);
        return !m_t.send(d, std::min(m_end, cf::after(Millis(2000))));
    }
    bool flush() {
        for (const Bytes& d : m_h.take_output()) {
            if (!send(d)) {
                return false;
            }
        }
        return true;
    }
    // The next datagram from the target within `within` (scaled; next_raw: as given) and the
    // scenario's deadline.
    std::optional<Bytes> next(Millis within) { return next_raw(m_ctx.scaled(within)); }
    std::optional<Bytes> next_raw(Millis within) {
        const cf::Incoming in = m_t.receive_any(std::min(m_end, cf::after(within)));
        if (in.kind != cf::Incoming::Kind::message || in.wire.empty()) {
            m_ended = in.kind == cf::Incoming::Kind::timeout ? "" : std::string(cf::to_string(in.kind));
            return std::nullopt;
        }
        m_target_sent.push_back(in.wire);
        return in.wire;
    }
    [[nodiscard]] bool repeat(const Bytes& d) const {
        return std::count(m_target_sent.begin(), m_target_sent.end(), d) > 1;
    }
    [[nodiscard]] std::string silence(Millis within) const {
        return m_ended.empty() ? "nothing within " + std::to_string(m_ctx.scaled(within).count()) + " ms"
                               : "the transport ended (" + m_ended + ")";
    }

    // Plays the harness until it completed, failed or `intercept` claims a datagram of the target's
    // (returned, not given to the harness). Answers the harness's own timers (it retransmits).
    std::optional<Bytes> play(const std::function<bool(const Bytes&)>& intercept, std::string& why) {
        m_h.start();
        if (!flush()) {
            why = "the harness could not send";
            return std::nullopt;
        }
        while (!m_h.authenticated() && m_h.next_action() != Action::closed) {
            const Millis idle(m_h.idle_timeout_ms().value_or(static_cast<std::uint32_t>(kDeadline.count())));
            const auto d = next(idle);
            if (!d) {
                if (!m_ended.empty() || cf::SteadyClock::now() >= m_end) {
                    why = m_ended.empty() ? "the scenario's deadline passed" : "the transport ended (" + m_ended + ")";
                    return std::nullopt;
                }
                m_h.idle_timeout();
                (void)flush();
                continue;
            }
            if (intercept && intercept(*d)) {
                return d;
            }
            m_h.receive(*d);
            if (!flush()) {
                why = "the harness could not send";
                return std::nullopt;
            }
        }
        if (!m_h.authenticated()) {
            const auto c = m_h.closure();
            why = c ? std::string(to_string(c->failure.code)) + (c->failure.detail ? std::string(": ") + c->failure.detail : "")
                    : "no closure";
        }
        return std::nullopt;
    }

    [[nodiscard]] Millis scaled(Millis d) const { return m_ctx.scaled(d); }
    [[nodiscard]] const std::vector<Bytes>& harness_sent() const { return m_harness_sent; }
    [[nodiscard]] Handshake& harness() { return m_h; }
    [[nodiscard]] Rng& rng() { return m_rng; }

private:
    cf::Transport& m_t;
    Handshake& m_h;
    Rng& m_rng;
    cf::ScenarioContext& m_ctx;
    cf::Deadline m_end;
    std::vector<Bytes> m_harness_sent;
    std::vector<Bytes> m_target_sent;
    std::string m_ended;
};

// A data frame the target sent, as the harness's channel opened it.
struct DataFrame {
    Bytes wire;
    Result<OpenedFrame> opened = Failure{Error::decode_error, 0, "not opened"};
};

class Session {
public:
    explicit Session(Link& link) : m_l(link), m_ch(*link.harness().session()) {}

    // The next data frame from the target; handshake datagrams (a retransmission) go to the
    // harness, which answers a duplicate again. `within` is scaled (next_raw: as given).
    std::optional<DataFrame> next(Millis within) { return next_raw(m_l.scaled(within)); }
    std::optional<DataFrame> next_raw(Millis within) {
        for (;;) {
            auto d = m_l.next_raw(within);
            if (!d) {
                return std::nullopt;
            }
            if (!is_data_frame(*d)) {
                m_l.harness().receive(*d);
                (void)m_l.flush();
                continue;
            }
            DataFrame f;
            f.wire = *d;
            f.opened = m_ch.open(*d);
            return f;
        }
    }
    Bytes seal(std::string_view payload, std::uint32_t stream) {
        auto f = m_ch.seal(as_bytes(payload), stream, now_ms(), m_l.rng());
        return f ? std::move(f).value() : Bytes{};
    }
    // Why a frame of the target's did not open, with what it does open under where that tells
    // the defect (a header left out of the associated data).
    std::string why_not(const DataFrame& f) {
        std::string s = f.opened.failure().describe();
        Quirks lenient;
        lenient.unauthenticated_header = true;
        lenient.ignore_data_sequence = true;
        Handshake& h = m_l.harness();
        SessionChannel loose(h.role(), *h.session_key(), h.session_id(), lenient);
        if (loose.open(f.wire)) {
            s += "; it opens only without its 30-byte header as associated data: the target does not "
                 "authenticate the frame header";
        }
        return s;
    }
    // Waits for the echo of `payload` (stream 2). Empty: it came; else why not.
    std::string await_echo(std::string_view payload) {
        for (;;) {
            const auto f = next(kAnswer);
            if (!f) {
                return "the target did not echo our data frame (" + m_l.silence(kAnswer) +
                       "): it does not open frames sealed under the session key derived from the shared seed and "
                       "the transcript, or does not answer them as the contract says";
            }
            if (!f->opened) {
                return "a data frame of the target's does not open under the session key (" + why_not(*f) + ")";
            }
            if (f->opened->header.stream_id == kEchoStream && text(f->opened->payload) == payload) {
                return {};
            }
        }
    }
    // Watches for an answer to a frame that must be refused: the payloads of the echoes that came.
    std::vector<std::string> echoes_within(Millis within, std::string& bad) {
        std::vector<std::string> out;
        const auto until = cf::after(m_l.scaled(within));
        while (cf::SteadyClock::now() < until) {
            const auto left = std::chrono::duration_cast<Millis>(until - cf::SteadyClock::now());
            const auto f = next_raw(std::max(left, Millis(1)));
            if (!f) {
                break;
            }
            if (!f->opened) {
                bad = why_not(*f);
                continue;
            }
            if (f->opened->header.stream_id == kEchoStream) {
                out.push_back(text(f->opened->payload));
            }
        }
        return out;
    }

private:
    std::uint64_t now_ms() const {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    }
    Link& m_l;
    SessionChannel& m_ch;
};

class WireScenario final : public cf::Scenario {
public:
    WireScenario(std::shared_ptr<const cf::MachineEnvironment> env, Role role, WireCase c)
        : m_env(std::move(env)), m_case(c) {
        const bool acceptor = role == Role::acceptor;
        const auto set = [&](std::string cls, std::string name, std::string title, std::string rule) {
            m_info.id = std::string(to_string(role)) + "." + cls + "." + name;
            m_info.cls = std::move(cls);
            m_info.title = std::move(title);
            m_info.rule = std::move(rule);
        };
        switch (c) {
            case WireCase::echo:
                set("session", "echo", "after the handshake, a data frame each way and its echo",
                    "data frames are sealed under keys from HKDF over the shared seed and the transcript: the "
                    "target's open under them, and it echoes ours on stream 2 (Data exchange)");
                break;
            case WireCase::header_tampered:
                set("session", "header_tampered", "a data frame whose header timestamp changed in transit",
                    "the 30-byte header is associated data: a changed header fails, `bad_mac`, and is not echoed "
                    "(Session data frames)");
                break;
            case WireCase::replayed:
                set("session", "replayed", "a data frame sent again, byte for byte",
                    "a sequence number not above every one accepted is `bad_sequence`: a replay is not echoed "
                    "(Session data frames)");
                break;
            case WireCase::reordered:
                set("session", "reordered", "two data frames, the newer sent first",
                    "the newer frame is accepted (a gap is loss), the older one is `bad_sequence` and not echoed "
                    "(Session data frames)");
                break;
            case WireCase::stale_first:
                set("reorder", acceptor ? "hello_after_auth_proof" : "response_after_final",
                    acceptor ? "a retransmitted HELLO that arrives after the AUTH_PROOF, once the handshake completed"
                             : "a RESPONSE sent again that arrives after FINAL, once the handshake completed",
                    "a copy of the peer's first message overtaken by the rest of the handshake changes nothing and "
                    "is not answered: the session goes on under the same keys, and the target echoes our data frame "
                    "(Duplicates)");
                break;
            case WireCase::reflected:
                set("reflect", acceptor ? "response" : "hello",
                    std::string("the target's own ") + (acceptor ? "RESPONSE" : "HELLO") + " sent back to it",
                    "a reflected message is one of the other role's, `unexpected_message` (Validation order)");
                break;
            case WireCase::wrong_seed_proof:
                set("credential", "wrong_shared_seed", "an AUTH_PROOF sealed under another shared seed",
                    "the proof must open under the shared seed's key, else `bad_credentials`: only holders of the "
                    "shared seed complete (responder AUTH_PROOF)");
                break;
            case WireCase::auth_proof_second_source:
                set("address", "auth_proof_second_source", "the AUTH_PROOF sent from another source port than its HELLO",
                    "handshakes are kept per peer address: an AUTH_PROOF from an address with no HELLO creates "
                    "nothing and completes nothing; from the HELLO's address it then completes (HandshakeManager)");
                break;
            case WireCase::data_second_source:
                set("address", "data_second_source", "a session's data frame sent from another source port",
                    "sessions are kept per peer address: nothing about one address answers another, so the frame "
                    "is not echoed; from the session's own address it is (HandshakeManager)");
                break;
            case WireCase::flood:
                set("address", "flood", "a HELLO, then four more from new source ports (target bound 4)",
                    "at most max-pending handshakes are pending; a new one evicts the oldest first: the first "
                    "HELLO's AUTH_PROOF completes nothing, the four newer ones complete (HandshakeManager)");
                m_own_flags = {"--max-pending", std::to_string(kFloodBound)};
                break;
            case WireCase::expiry:
                set("address", "expiry", "an AUTH_PROOF 2.1 s after its HELLO (target timeout 1000 ms)",
                    "a pending handshake expires after the handshake timeout: its AUTH_PROOF completes nothing "
                    "(HandshakeManager)");
                m_own_flags = {"--handshake-timeout-ms", "1000"};
                break;
        }
        m_info.target_role = role;
        m_info.target_config = m_env->target_flags;
        m_info.target_config.insert(m_info.target_config.end(), m_own_flags.begin(), m_own_flags.end());
    }

    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        const Role role = m_info.target_role;
        cf::ScenarioDriver driver(ctx, role);
        SystemRng rng;
        SystemClock clock;
        Handshake harness(harness_config(other(role)), rng, clock);
        cf::ConnectionRequest request;
        request.target_role = role;
        // Scenarios with flags of their own need a target configured by them (a running one was
        // started with them: ScenarioInfo::target_config).
        request.dedicated = !m_own_flags.empty();
        if (ctx.target().takes_flags(role) || request.dedicated) {
            request.flags = m_info.target_config;
        }
        auto opened = driver.open(request);
        if (!opened) {
            return driver.open_failure();
        }
        const bool refusal = m_case == WireCase::reflected || m_case == WireCase::wrong_seed_proof;
        if (refusal) {
            driver.must_not_complete(opened->index);
        }
        const cf::Deadline end = cf::after(ctx.scaled(kDeadline));
        if (m_case == WireCase::flood || m_case == WireCase::expiry) {
            Link link(*opened->transport, harness, rng, ctx, end);
            const Outcome o = m_case == WireCase::flood ? flood_case(link, *opened) : expiry_case(link);
            opened->transport->close();
            return driver.conclude(o.verdict, o.reason, o.completed);
        }
        if (m_case == WireCase::auth_proof_second_source || m_case == WireCase::data_second_source) {
            // A second source port: the runner's datagram transport, its chosen datagrams sent from
            // another socket (MutatingTransport's second_source).
            auto* datagrams = dynamic_cast<cf::DatagramTransport*>(opened->transport.get());
            if (datagrams == nullptr) {
                opened->transport->close();
                return driver.conclude(cf::Verdict::unimplemented,
                                       "the connection to the target is not a datagram transport", false);
            }
            (void)opened->transport.release();
            auto from_second = std::make_shared<bool>(false);
            cf::MutatingTransport t(std::unique_ptr<cf::DatagramTransport>(datagrams),
                                    [from_second](std::size_t, ByteView) {
                                        return *from_second ? cf::DatagramMutation{cf::DatagramMutation::Kind::second_source, {}}
                                                            : cf::DatagramMutation{};
                                    });
            t.attach(&ctx.transcript(), opened->index);
            Link link(t, harness, rng, ctx, end);
            const Outcome o = address_case(link, t, *from_second);
            t.close();
            return driver.conclude(o.verdict, o.reason, o.completed);
        }
        Link link(*opened->transport, harness, rng, ctx, end);
        const Outcome o = refusal ? handshake_case(link) : session_case(link);
        opened->transport->close();
        return driver.conclude(o.verdict, o.reason, o.completed);
    }

private:
    [[nodiscard]] Outcome session_case(Link& l) const {
        std::string why;
        (void)l.play(nullptr, why);
        if (!l.harness().authenticated() || l.harness().session() == nullptr) {
            return failed("the handshake did not complete: " + why, false);
        }
        Session s(l);
        const bool initiator = m_info.target_role == Role::initiator;
        if (m_case == WireCase::stale_first) {
            // The datagram a retransmission of ours would repeat: our first one, byte for byte.
            if (l.harness_sent().empty() || !l.send(Bytes(l.harness_sent().front()))) {
                return failed("the harness could not send its first message again", true);
            }
        }
        if (initiator) {
            // The contract: the initiator's first data frame, on stream 1; we echo it.
            const auto first = s.next(kAnswer);
            if (!first) {
                return failed("the target sent no data frame after FINAL (" + l.silence(kAnswer) +
                                  "); the contract has the initiator send one on stream 1",
                              true);
            }
            if (!first->opened) {
                return failed("the target's first data frame does not open under the session key (" +
                                  s.why_not(*first) +
                                  "): its session key is not HKDF over the shared seed and the transcript (an XOR of "
                                  "the public nonces and node ids would let any observer read and forge the session)",
                              true);
            }
            if (first->opened->header.stream_id != kPingStream) {
                return failed("the target's first data frame is on stream " +
                                  std::to_string(first->opened->header.stream_id) + ", not 1",
                              true);
            }
            if (!l.send(s.seal(text(first->opened->payload), kEchoStream))) {
                return failed("the harness could not send its echo", true);
            }
        }
        // Our own frame on stream 1, and its echo: the target opens ours and seals its own.
        const Bytes ping = s.seal("harness ping", kPingStream);
        if (!l.send(ping)) {
            return failed("the harness could not send a data frame", true);
        }
        if (const std::string e = s.await_echo("harness ping"); !e.empty()) {
            if (m_case == WireCase::stale_first) {
                return failed(std::string("after a copy of our ") + (initiator ? "RESPONSE" : "HELLO") +
                                  " that the handshake had overtaken: " + e +
                                  "; a stale duplicate must neither end nor reset the session",
                              true);
            }
            return failed(e, true);
        }
        // The target's echoes over the watch: `refused` must not come back (`finding` if it does),
        // `required`, when given, must (`missing` if not), and every frame of the target's must open.
        const auto watch = [&](std::string_view refused, const std::string& finding, std::string_view required,
                               const std::string& missing, const std::string& ok) {
            std::string bad;
            const auto echoes = s.echoes_within(kWatch, bad);
            const auto echoed = [&](std::string_view p) {
                return std::find(echoes.begin(), echoes.end(), p) != echoes.end();
            };
            if (echoed(refused)) {
                return failed(finding, true);
            }
            if (!required.empty() && !echoed(required)) {
                return failed(missing, true);
            }
            return bad.empty() ? pass(ok, true) : failed("a data frame of the target's does not open (" + bad + ")", true);
        };
        switch (m_case) {
            case WireCase::stale_first:
                return pass(std::string("after the copy of our ") + (initiator ? "RESPONSE" : "HELLO") +
                                ", the target still echoed our data frame under the session's keys",
                            true);
            case WireCase::echo:
                return pass(std::string(initiator ? "the target's data frame opened under the session key, and " : "") +
                                "the target echoed ours under it",
                            true);
            case WireCase::header_tampered: {
                const Bytes sealed = s.seal("changed header", kPingStream);
                auto f = parse_frame(sealed);
                if (!f) {
                    return failed("the harness could not build the frame", true);
                }
                f->header.timestamp_ms ^= 0x01U;
                if (!l.send(serialize_frame(*f))) {
                    return failed("the harness could not send a data frame", true);
                }
                return watch("changed header",
                             "the target echoed a data frame whose header timestamp was changed in transit: it does "
                             "not authenticate the header",
                             {}, {}, "the frame with a changed header was not echoed");
            }
            case WireCase::replayed:
                if (!l.send(ping)) {
                    return failed("the harness could not send a data frame", true);
                }
                return watch("harness ping",
                             "the target echoed a data frame it had already accepted (the same sequence number): it "
                             "accepts replays",
                             {}, {}, "the replayed frame was not echoed");
            case WireCase::reordered: {
                const Bytes older = s.seal("older frame", kPingStream);
                const Bytes newer = s.seal("newer frame", kPingStream);
                if (!l.send(newer) || !l.send(older)) {
                    return failed("the harness could not send a data frame", true);
                }
                return watch("older frame",
                             "the target echoed a data frame older than one it had accepted (reordered): it does not "
                             "check sequence numbers",
                             "newer frame",
                             "the target did not echo the newer frame, whose sequence skipped one: a gap is loss, not "
                             "an attack",
                             "the newer frame was echoed, the older one not");
            }
            default:
                break;
        }
        return failed("not a session scenario", true);
    }

    [[nodiscard]] Outcome handshake_case(Link& l) const {
        std::string why;
        // Either case keeps the target's first datagram from the harness.
        const auto first = l.play([](const Bytes&) { return true; }, why);
        if (!first) {
            return failed("the target sent nothing to answer (" + why + ")", false);
        }
        std::string what;
        if (m_case == WireCase::reflected) {
            what = m_info.target_role == Role::acceptor ? "its own RESPONSE sent back" : "its own HELLO sent back";
            if (!l.send(*first)) {
                return failed("the harness could not send", false);
            }
        } else {
            // The honest AUTH_PROOF, its proof sealed again under another shared seed's key.
            Handshake& h = l.harness();
            h.receive(*first);
            const auto out = h.take_output();
            const auto hello = parse_frame(l.harness_sent().front());
            const auto response = parse_frame(*first);
            const auto proof = out.size() == 1 ? parse_frame(out.front()) : Result<Frame>(Failure{});
            auto message = proof ? parse_message(proof->payload) : Result<Message>(Failure{});
            auto* a = message ? std::get_if<AuthProof>(&*message) : nullptr;
            if (!hello || !response || a == nullptr) {
                return failed("the harness did not get as far as an AUTH_PROOF (" +
                                  (h.closure() ? h.closure()->failure.describe() : std::string("no closure")) + ")",
                              false);
            }
            const ReferenceSuite other_seed(Bytes(32, 0x5a));
            auto sealed =
                other_seed.encrypt(a->session_id, proof_aad(hello->payload, response->payload, a->timestamp_ms), l.rng());
            if (!sealed) {
                return failed("the harness could not seal", false);
            }
            a->proof = sealed->ciphertext;
            a->proof_metadata = sealed->metadata;
            what = "an AUTH_PROOF sealed under another shared seed";
            if (!l.send(h.wrap(*message, 2))) {
                return failed("the harness could not send", false);
            }
        }
        // Refused: nothing new comes back (a repeat of what the target sent before is its
        // retransmission, not an answer).
        const auto until = cf::after(l.scaled(kWatch));
        while (cf::SteadyClock::now() < until) {
            const auto left = std::chrono::duration_cast<Millis>(until - cf::SteadyClock::now());
            const auto d = l.next_raw(std::max(left, Millis(1)));
            if (!d) {
                break;
            }
            if (!l.repeat(*d)) {
                return failed("the target answered " + what + " (" + std::to_string(d->size()) + " bytes)", true);
            }
        }
        return pass("the target did not answer " + what, false);
    }

    // Sends `d` from the second source and watches both addresses for an answer.
    [[nodiscard]] static std::string answered_from_second(Link& l, cf::MutatingTransport& t, bool& from_second,
                                                          const Bytes& d) {
        from_second = true;
        const bool sent = l.send(d);
        from_second = false;
        if (!sent) {
            return "the harness could not send from a second source port";
        }
        const cf::Incoming in = t.receive_second_source(cf::after(l.scaled(kWatch)));
        if (in.kind == cf::Incoming::Kind::message) {
            return "the target answered the second source port (" + std::to_string(in.wire.size()) + " bytes)";
        }
        if (const auto other = l.next_raw(Millis(1)); other && !l.repeat(*other)) {
            return "the target answered the first address instead (" + std::to_string(other->size()) + " bytes)";
        }
        return {};
    }

    [[nodiscard]] Outcome address_case(Link& l, cf::MutatingTransport& t, bool& from_second) const {
        std::string why;
        Handshake& h = l.harness();
        if (m_case == WireCase::auth_proof_second_source) {
            const auto response = l.play([](const Bytes&) { return true; }, why);
            if (!response) {
                return failed("the target sent nothing to answer (" + why + ")", false);
            }
            h.receive(*response);
            const auto out = h.take_output();
            if (out.size() != 1) {
                return failed("the harness did not get as far as an AUTH_PROOF", false);
            }
            if (const std::string a = answered_from_second(l, t, from_second, out.front()); !a.empty()) {
                return failed(a + " to an AUTH_PROOF from another address than its HELLO: handshake state is shared "
                                  "between addresses",
                              true);
            }
            // The same AUTH_PROOF from the HELLO's address: the handshake there is intact.
            if (!l.send(out.front())) {
                return failed("the harness could not send", false);
            }
            const auto final = l.next(kAnswer);
            if (final) {
                h.receive(*final);
            }
            if (!h.authenticated()) {
                return failed("the AUTH_PROOF from the HELLO's own address did not complete after the one from another "
                              "address (" + (final ? std::string("not a FINAL") : l.silence(kAnswer)) +
                                  "): the other address's datagram disturbed this handshake",
                              false);
            }
            return pass("refused from another address, completed from the HELLO's own", true);
        }
        (void)l.play(nullptr, why);
        if (!h.authenticated() || h.session() == nullptr) {
            return failed("the handshake did not complete: " + why, false);
        }
        Session s(l);
        // One frame from the second source, then (the session's own address must not fall quiet
        // for as long as a peer lingers after a handshake: a second at most) the next one from the
        // session's own address, and its echo; an answer to the first comes before that.
        const Bytes foreign = s.seal("from another address", kPingStream);
        const Bytes own = s.seal("harness ping", kPingStream);
        from_second = true;
        const bool sent = l.send(foreign);
        from_second = false;
        if (!sent) {
            return failed("the harness could not send from a second source port", true);
        }
        const auto leaked = [&](Millis within) {
            const cf::Incoming in = t.receive_second_source(cf::after(within));
            return in.kind == cf::Incoming::Kind::message;
        };
        const std::string leak = "the target answered a data frame of this session sent from another address: "
                                 "session state leaks between addresses";
        if (leaked(Millis(300))) {
            return failed(leak, true);
        }
        if (!l.send(own)) {
            return failed("the harness could not send a data frame", true);
        }
        if (const std::string e = s.await_echo("harness ping"); !e.empty()) {
            return failed("from the session's own address: " + e, true);
        }
        if (leaked(Millis(50))) {
            return failed(leak, true);
        }
        return pass("not answered from another address, echoed from the session's own", true);
    }

    // The harness's AUTH_PROOF for the RESPONSE `response`, sent; whether anything new answered.
    [[nodiscard]] static std::optional<std::string> proof_answered(Link& l, const Bytes& response) {
        Handshake& h = l.harness();
        h.receive(response);
        const auto out = h.take_output();
        if (out.size() != 1 || !l.send(out.front())) {
            return std::nullopt;
        }
        const auto until = cf::after(l.scaled(kWatch));
        while (cf::SteadyClock::now() < until) {
            const auto left = std::chrono::duration_cast<Millis>(until - cf::SteadyClock::now());
            const auto d = l.next_raw(std::max(left, Millis(1)));
            if (!d) {
                break;
            }
            if (!l.repeat(*d)) {
                return "the target answered it (" + std::to_string(d->size()) + " bytes)";
            }
        }
        return std::string();
    }

    [[nodiscard]] Outcome expiry_case(Link& l) const {
        std::string why;
        const auto response = l.play([](const Bytes&) { return true; }, why);
        if (!response) {
            return failed("the target did not answer the HELLO (" + why + ")", false);
        }
        // The target's own clock runs: not scaled.
        std::this_thread::sleep_for(Millis(2100));
        const auto answered = proof_answered(l, *response);
        if (!answered) {
            return failed("the harness did not get as far as an AUTH_PROOF", false);
        }
        if (!answered->empty()) {
            return failed("an AUTH_PROOF 2.1 s after its HELLO, past the target's 1000 ms handshake timeout: " +
                              *answered + "; pending handshakes never expire",
                          true);
        }
        return pass("the pending handshake had expired: its late AUTH_PROOF was not answered", false);
    }

    [[nodiscard]] Outcome flood_case(Link& l, cf::ScenarioDriver::Opened& opened) const {
        std::string why;
        const auto response = l.play([](const Bytes&) { return true; }, why);
        if (!response) {
            return failed("the target did not answer the first HELLO (" + why + ")", false);
        }
        auto* datagrams = dynamic_cast<cf::DatagramTransport*>(opened.transport.get());
        if (datagrams == nullptr) {
            return failed("the connection to the target is not a datagram transport", false);
        }
        // Four more initiators, each from a source port of its own, each answered.
        struct Newer {
            std::unique_ptr<Handshake> h;
            std::unique_ptr<cf::Transport> t;
            Bytes response;
        };
        SystemClock clock;
        std::vector<Newer> newer;
        const cf::UdpTransportFactory udp;
        for (std::size_t k = 0; k < kFloodBound; ++k) {
            Newer n;
            n.h = std::make_unique<Handshake>(harness_config(Role::initiator), l.rng(), clock);
            std::string error;
            n.t = udp.connect(datagrams->remote(), cf::after(Millis(2000)), error);
            if (!n.t) {
                return failed("a second source port could not be opened: " + error, false);
            }
            n.h->start();
            for (const Bytes& d : n.h->take_output()) {
                (void)n.t->send(d, cf::after(Millis(2000)));
            }
            const cf::Incoming in = n.t->receive(cf::after(l.scaled(kAnswer)));
            if (in.kind != cf::Incoming::Kind::message) {
                return failed("the target did not answer the HELLO from new source port " + std::to_string(k + 1) +
                                  " (" + std::string(cf::to_string(in.kind)) + "): a full table must evict, not refuse",
                              false);
            }
            n.response = in.wire;
            newer.push_back(std::move(n));
        }
        const auto answered = proof_answered(l, *response);
        if (!answered) {
            return failed("the harness did not get as far as an AUTH_PROOF", false);
        }
        if (!answered->empty()) {
            return failed("the AUTH_PROOF of the oldest of " + std::to_string(kFloodBound + 1) +
                              " pending handshakes (target bound " + std::to_string(kFloodBound) + "): " + *answered +
                              "; the number of pending handshakes is not bounded, or not the oldest was evicted",
                          true);
        }
        // The newer ones are all still there: each completes.
        for (std::size_t k = 0; k < newer.size(); ++k) {
            Newer& n = newer[k];
            n.h->receive(n.response);
            for (const Bytes& d : n.h->take_output()) {
                (void)n.t->send(d, cf::after(Millis(2000)));
            }
            const cf::Incoming in = n.t->receive(cf::after(l.scaled(kAnswer)));
            if (in.kind == cf::Incoming::Kind::message) {
                n.h->receive(in.wire);
            }
            n.t->close();
            if (!n.h->authenticated()) {
                return failed("the handshake from new source port " + std::to_string(k + 1) +
                                  " did not complete: a newer handshake than the oldest was evicted",
                              false);
            }
        }
        return pass("the oldest pending handshake was evicted, the " + std::to_string(kFloodBound) +
                        " newer ones completed",
                    true);
    }

    std::shared_ptr<const cf::MachineEnvironment> m_env;
    std::vector<std::string> m_own_flags;
    WireCase m_case;
    cf::ScenarioInfo m_info;
};

}  // namespace

std::unique_ptr<cf::Scenario> make_wire_scenario(std::shared_ptr<const cf::MachineEnvironment> env, Role target_role,
                                                 WireCase c) {
    return std::make_unique<WireScenario>(std::move(env), target_role, c);
}

}  // namespace shakedown::stt
