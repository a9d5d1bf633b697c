// ShadowMesh in the registry: profiles, messages, vectors, the reference machines configured from
// the shim flags, the TLS WebSocket transport, bug knobs, fuzz targets and the benchmark
// (docs/protocols/shadowmesh.md), and the conformance catalogue (catalogue.hpp); the reference
// peer is the generic machine peer over the transport.
#include "conformance/scenarios/shadowmesh/variant.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "common/crypto.hpp"
#include "conformance/runner/websocket.hpp"
#include "conformance/scenarios/shadowmesh/catalogue.hpp"
#include "conformance/scenarios/shadowmesh/close_transport.hpp"
#include "shadowmesh/clock.hpp"
#include "shadowmesh/keys.hpp"
#include "shadowmesh/rehandshake.hpp"
#include "vectors/gen/shadowmesh/shadowmesh_vectors.hpp"

namespace shakedown::shadowmesh {

namespace {

// A reference machine that owns what it needs beyond the caller's Rng: the fixed clock of
// `--now` (when given) and nothing else; it forwards the Machine interface.
// Every draw is the same 32 bytes (--challenge): a harness that replays a recorded REQUEST holds
// the challenge that REQUEST carries, so it can check the answer to it.
class FixedChallengeRng final : public Rng {
public:
    explicit FixedChallengeRng(const Challenge& c) : m_challenge(c) {}
    void fill(std::span<std::uint8_t> out) override {
        for (std::size_t i = 0; i < out.size(); ++i) {
            out[i] = m_challenge[i % m_challenge.size()];
        }
    }

private:
    Challenge m_challenge;
};

// Without --now it reads the caller's clock when that reads milliseconds, and the system clock in
// milliseconds otherwise: the registry's clock is the system time in whole seconds, too coarse for
// the 5,000 ms deadline and for timestamps in milliseconds (§4.3).
class ReferenceMachine final : public Machine {
public:
    ReferenceMachine(Config config, Rng& rng, const Clock& caller_clock, std::optional<std::uint64_t> now_ms,
                     std::optional<Challenge> challenge)
        : m_fixed(now_ms ? std::make_unique<FixedMillisClock>(*now_ms) : nullptr),
          m_rng(challenge ? std::make_unique<FixedChallengeRng>(*challenge) : nullptr),
          m_machine(std::move(config), m_rng ? *m_rng : rng, clock_of(m_fixed.get(), caller_clock)) {}

    [[nodiscard]] Role role() const noexcept override { return m_machine.role(); }
    void start() override { m_machine.start(); }
    void receive(ByteView input) override { m_machine.receive(input); }
    void peer_closed() override { m_machine.peer_closed(); }
    void idle_timeout() override { m_machine.idle_timeout(); }
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override { return m_machine.idle_timeout_ms(); }
    [[nodiscard]] Action next_action() const override { return m_machine.next_action(); }
    [[nodiscard]] std::vector<Bytes> take_output() override { return m_machine.take_output(); }
    [[nodiscard]] bool authenticated() const noexcept override { return m_machine.authenticated(); }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_machine.closure(); }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override { return m_machine.derived_keys(); }

private:
    static const Clock& clock_of(const FixedMillisClock* fixed, const Clock& caller) {
        static const SystemMillisClock system;
        if (fixed != nullptr) {
            return *fixed;
        }
        return dynamic_cast<const MillisClock*>(&caller) != nullptr ? caller : system;
    }

    std::unique_ptr<FixedMillisClock> m_fixed;
    std::unique_ptr<FixedChallengeRng> m_rng;
    Rehandshake m_machine;
};

const std::string* single(const registry::Settings& s, const std::string& name) {
    const auto it = s.find(name);
    return it == s.end() || it->second.empty() ? nullptr : &it->second.back();
}

// Absent: `out` keeps its default (the §9 test keys, see make_machine).
template <std::size_t N>
bool hex_setting(const registry::Settings& s, const std::string& name, ByteArray<N>& out, std::string& error) {
    const std::string* v = single(s, name);
    if (v == nullptr) {
        return true;
    }
    const auto b = from_hex(*v);
    if (!b || b->size() != N) {
        error = "--" + name + " must be " + std::to_string(N) + " bytes of hex";
        return false;
    }
    std::copy(b->begin(), b->end(), out.begin());
    return true;
}

// Bug knobs of the TLS transport rather than of the machines (impl/shadowmesh/quirks.hpp has
// those): what a peer that gets TLS wrong does.
struct TransportKnob {
    std::string_view name;
    std::string_view description;
};
constexpr TransportKnob kTransportKnobs[] = {
    {"no-pin-check", "the dialer takes any certificate, whatever --pinned-cert says"},
    {"allow-tls12", "TLS 1.2 accepted beside TLS 1.3, as client and as server"},
    {"text-as-binary", "a text WebSocket message is taken as a binary one"},
    {"session-tickets", "the listener issues TLS session tickets (one key for the process) and resumes them"},
    {"client-resumes-across-peers",
     "the dialer keeps the TLS session ticket of its last connection and offers it on the next, whatever peer it "
     "dials"},
};
bool is_transport_knob(std::string_view name) {
    return std::any_of(std::begin(kTransportKnobs), std::end(kTransportKnobs),
                       [name](const TransportKnob& k) { return k.name == name; });
}

// One replay cache per profile for every connection of this process's responders: the same
// REQUEST on two connections is a replay (docs/protocols/shadowmesh.md §5).
std::shared_ptr<ChallengeCache> shared_cache() {
    static const auto cache = std::make_shared<ChallengeCache>(kMaxSkewMs);
    return cache;
}

std::unique_ptr<Machine> make_machine(const registry::MachineRequest& request, Rng& rng, const Clock& clock,
                                      std::string& error) {
    const auto profile = profile_from_string(request.profile.empty() ? "strict" : request.profile);
    if (!profile) {
        error = "unknown profile '" + request.profile + "'";
        return nullptr;
    }
    Config cfg;
    cfg.role = request.role;
    cfg.profile = *profile;
    // Without key flags both roles hold the §9 test keys crosswise (the responder's TX is the
    // initiator's RX), so a running peer and the conformance harness match with no flags at all.
    cfg.keys.session_id = counting_bytes<16>(0x01);
    const bool responder = request.role == Role::acceptor;
    ByteArray<32> tx = counting_bytes<32>(responder ? 0x01 : 0x21);
    ByteArray<32> rx = counting_bytes<32>(responder ? 0x21 : 0x01);
    Challenge fixed_challenge{};
    if (!hex_setting(request.settings, "session-id", cfg.keys.session_id, error) ||
        !hex_setting(request.settings, "tx-key", tx, error) || !hex_setting(request.settings, "rx-key", rx, error) ||
        !hex_setting(request.settings, "challenge", fixed_challenge, error)) {
        return nullptr;
    }
    const std::optional<Challenge> challenge =
        single(request.settings, "challenge") != nullptr ? std::optional<Challenge>(fixed_challenge) : std::nullopt;
    cfg.keys.tx = Secret<32>(tx);
    cfg.keys.rx = Secret<32>(rx);
    secure_wipe(tx);
    secure_wipe(rx);
    std::optional<std::uint64_t> now;
    if (const std::string* v = single(request.settings, "now")) {
        try {
            std::size_t used = 0;
            now = std::stoull(*v, &used);
            if (used != v->size()) {
                throw std::invalid_argument("trailing characters");
            }
        } catch (const std::exception&) {
            error = "--now must be Unix milliseconds";
            return nullptr;
        }
    }
    for (const auto& k : request.knobs) {
        if (is_transport_knob(k)) {
            continue;  // the transport's (transport_with)
        }
        const auto table = quirk_table();
        const auto it = std::find_if(table.begin(), table.end(), [&k](const QuirkInfo& q) { return q.name == k; });
        if (it == table.end()) {
            error = "unknown knob '" + k + "'";
            return nullptr;
        }
        if (it->strict_only && cfg.profile != Profile::strict) {
            error = "knob '" + k + "' applies to the strict profile only";
            return nullptr;
        }
        cfg.quirks.*(it->flag) = true;
    }
    if (cfg.role == Role::acceptor && cfg.profile == Profile::strict) {
        cfg.replay_cache = shared_cache();
    }
    return std::make_unique<ReferenceMachine>(std::move(cfg), rng, clock, now, challenge);
}

// WebSocket over TLS 1.3 on path /ws; one unit is one binary message. The listener makes its
// certificate at run time (its pins are printed on the TRANSPORT line); the dialer checks the
// --pinned-cert pin when given. The transport knobs break the last two. `text`: what a received
// text message is (close_transport.hpp).
std::shared_ptr<const conformance::TransportFactory> make_transport(const registry::Settings& settings,
                                                                    const std::vector<std::string>& knobs,
                                                                    TextMessages text) {
    const auto on = [&knobs](std::string_view k) { return std::find(knobs.begin(), knobs.end(), k) != knobs.end(); };
    conformance::WebSocketOptions o;
    o.tls = true;
    o.path = "/ws";
    o.opcode_prefix = false;
    if (const std::string* pin = single(settings, "pinned-cert"); pin != nullptr && !on("no-pin-check")) {
        o.pin_sha256 = *pin;
    }
    if (on("allow-tls12")) {
        o.tls_versions = conformance::TlsVersions::tls12_and_13;
    }
    o.issue_tickets = on("session-tickets");
    if (on("client-resumes-across-peers")) {
        // One store per factory: a peer run's connections share it (a shim's whole process).
        o.resumption = std::make_shared<conformance::TlsResumption>();
    }
    return std::make_shared<CloseAwareTransportFactory>(
        std::make_shared<conformance::WebSocketTransportFactory>(std::move(o)), text);
}

// The reference peer's transport: text messages refused (strict) or skipped (upstream), V12.
std::shared_ptr<const conformance::TransportFactory> transport_with(const std::string& profile,
                                                                    const registry::Settings& settings,
                                                                    const std::vector<std::string>& knobs) {
    const bool text_as_binary = std::find(knobs.begin(), knobs.end(), "text-as-binary") != knobs.end();
    return make_transport(settings, knobs,
                          text_as_binary          ? TextMessages::deliver
                          : profile == "upstream" ? TextMessages::skip
                                                  : TextMessages::refuse);
}

// The runner's side (and the descriptor's transport): text messages delivered as they came.
std::shared_ptr<const conformance::TransportFactory> transport(const std::string& /*profile*/,
                                                               const registry::Settings& settings) {
    return make_transport(settings, {}, TextMessages::deliver);
}

// The reference inside the runner: the generic machine peer over the transport its knobs make,
// except that each initiator dials with a transport made from its own flags (--pinned-cert), as a
// shim started with them would.
class ReferencePeer final : public conformance::LocalPeer {
public:
    ReferencePeer(std::string profile, registry::Settings settings, std::vector<std::string> knobs,
                  conformance::FlaggedMachineFactory make)
        : m_profile(std::move(profile)),
          m_settings(std::move(settings)),
          m_knobs(std::move(knobs)),
          m_make(std::move(make)),
          m_inner(describe_with(m_knobs), transport_with(m_profile, m_settings, m_knobs), m_make,
                  registry::drive_limits(m_settings)) {}

    [[nodiscard]] std::string describe() const override { return m_inner.describe(); }
    [[nodiscard]] std::optional<conformance::Endpoint> acceptor(std::string& error) override {
        return m_inner.acceptor(error);
    }
    [[nodiscard]] bool takes_flags(conformance::PeerRole role) const override { return m_inner.takes_flags(role); }
    [[nodiscard]] std::unique_ptr<conformance::LocalRun> start_acceptor(const std::vector<std::string>& flags,
                                                                        conformance::Endpoint& at,
                                                                        std::string& error) override {
        return m_inner.start_acceptor(flags, at, error);
    }
    [[nodiscard]] std::unique_ptr<conformance::LocalRun> start_initiator(const conformance::Endpoint& to,
                                                                         const std::vector<std::string>& flags,
                                                                         std::string& error) override {
        const auto one = one_process(flags, error);
        return one ? one->start_initiator(to, flags, error) : nullptr;
    }
    // Both connections dial through one transport, as one shim process would.
    [[nodiscard]] bool connects_again() const override { return true; }
    [[nodiscard]] std::unique_ptr<conformance::LocalRun> start_initiator_then(const conformance::Endpoint& to,
                                                                              const conformance::Endpoint& then,
                                                                              const std::vector<std::string>& flags,
                                                                              std::string& error) override {
        const auto one = one_process(flags, error);
        return one ? one->start_initiator_then(to, then, flags, error) : nullptr;
    }

private:
    // The reference as one process started with `flags` would be (its transport built from them),
    // or nullptr with `error`.
    [[nodiscard]] std::unique_ptr<conformance::MachineReferencePeer> one_process(const std::vector<std::string>& flags,
                                                                               std::string& error) const {
        registry::Settings s = m_settings;
        std::vector<std::string> unimplemented;
        if (!registry::parse_settings(variant().shim_flags, flags, s, unimplemented, error)) {
            return nullptr;
        }
        return std::make_unique<conformance::MachineReferencePeer>(describe(), transport_with(m_profile, s, m_knobs),
                                                                   m_make, registry::drive_limits(m_settings));
    }

    static std::string describe_with(const std::vector<std::string>& knobs) {
        std::string text = "shakedown reference peer (in process)";
        for (std::size_t i = 0; i < knobs.size(); ++i) {
            text += (i == 0 ? " with --bug " : ", ") + knobs[i];
        }
        return text;
    }

    std::string m_profile;
    registry::Settings m_settings;
    std::vector<std::string> m_knobs;
    conformance::FlaggedMachineFactory m_make;
    conformance::MachineReferencePeer m_inner;
};

std::shared_ptr<conformance::LocalPeer> reference_peer(const std::string& profile, const registry::Settings& settings,
                                                       const std::vector<std::string>& knobs) {
    auto make = registry::flagged_machine_factory(variant(), profile, settings, knobs);
    // Check the configuration once, before any scenario runs.
    std::string error;
    if (!make(Role::acceptor, {}, error)) {
        return nullptr;
    }
    return std::make_shared<ReferencePeer>(profile, settings, knobs, std::move(make));
}

// Which scenarios of the catalogue (catalogue.cpp) each knob must FAIL, by id or '*' pattern.
const std::map<std::string_view, std::vector<std::string>>& must_fail() {
    static const std::map<std::string_view, std::vector<std::string>> m = {
        // A MAC the honest peer cannot verify (or that does not verify the honest one).
        {"mac-wrong-key", {"*.happy.honest"}},
        {"complete-mac-rx-key", {"*.happy.honest"}},
        {"mac-over-session-id", {"*.happy.honest"}},
        // A MAC that is not (fully) checked: a flipped last bit is in the second half.
        {"no-mac-check",
         {"*.mac.first_bit", "*.mac.last_bit", "*.mac.zero", "*.mac.second_half_zero", "*.mac.over_*",
          "acceptor.mac.tx_r_key", "initiator.mac.rx_r_key", "*.keys.independent_session"}},
        {"mac-compare-16", {"*.mac.last_bit", "*.mac.second_half_zero"}},
        {"no-session-id-check", {"*.session.*", "*.bitflip.u0.first_bit"}},
        // Seconds on the wire: the honest peer's milliseconds are far in the future, and its own
        // seconds far in the past for the peer.
        {"skew-in-seconds", {"*.happy.honest"}},
        {"no-timestamp-check", {"*.clock.ts_*", "*.clock.*_30001ms"}},
        {"no-deadline", {"*.idle.*"}},
        {"no-replay-cache", {"acceptor.replay.u0.from_earlier_session", "acceptor.replay.two_connections_at_once"}},
        {"accept-after-done", {"*.done.*"}},
        {"ignore-wrong-message", {"*.order.*"}},
        {"lenient-codec", {"*.trailing.*.one_byte", "*.codec.flags_*", "*.codec.trailing_ten"}},
        // TLS (catalogue tls.*): a certificate that does not match the pin, TLS 1.2.
        {"no-pin-check", {"initiator.tls.pin_mismatch"}},
        {"allow-tls12", {"*.tls.tls12_only"}},
        {"text-as-binary", {"acceptor.text.request"}},
        {"session-tickets", {"acceptor.tls.no_resumption"}},
        {"client-resumes-across-peers", {"initiator.tls.no_resumption_across_peers"}},
    };
    return m;
}

std::vector<registry::Knob> knobs() {
    std::vector<registry::Knob> out;
    for (const auto& q : quirk_table()) {
        registry::Knob k;
        k.name = std::string(q.name);
        k.summary = std::string(q.description);
        if (const auto it = must_fail().find(q.name); it != must_fail().end()) {
            k.must_fail = it->second;
        }
        if (q.strict_only) {
            k.profiles = {"strict"};
        }
        out.push_back(std::move(k));
    }
    for (const auto& t : kTransportKnobs) {
        registry::Knob k;
        k.name = std::string(t.name);
        k.summary = std::string(t.description);
        if (const auto it = must_fail().find(t.name); it != must_fail().end()) {
            k.must_fail = it->second;
        }
        out.push_back(std::move(k));
    }
    return out;
}

// Both machines in memory, one full exchange, as a long-running responder sees it: one replay
// cache for every exchange, fresh challenges from running generators, and 30.001 s between
// exchanges so each insert expires the previous entry (a steady state, not a growing cache). The
// provisioned session ID and keys are made once; each exchange copies them into its machines. The
// frames go through one output buffer kept from exchange to exchange, as a connection loop keeps
// its write buffer.
void bench_exchange(Profile p) {
    static FixedMillisClock clock(1762230765000);
    static SeededRng rng_i(counting_bytes<32>(0x10));
    static SeededRng rng_r(counting_bytes<32>(0x30));
    static const auto cache = std::make_shared<ChallengeCache>(kMaxSkewMs);
    static const SessionId sid = counting_bytes<16>(0x01);
    static const Secret<32> key_a(counting_bytes<32>(0x01));
    static const Secret<32> key_b(counting_bytes<32>(0x21));
    static OutputUnits units;
    clock.advance(kMaxSkewMs + 1);
    Rehandshake ini(Config{Role::initiator, p, SessionKeys{sid, key_b, key_a}, nullptr, {}}, rng_i, clock);
    Rehandshake res(Config{Role::acceptor, p, SessionKeys{sid, key_a, key_b}, cache, {}}, rng_r, clock);
    const auto pass = [](Rehandshake& from, Rehandshake& to) {
        units.clear();
        from.drain_output(units);
        for (const ByteView u : units) {
            to.receive(u);
        }
    };
    ini.start();
    res.start();
    pass(ini, res);
    pass(res, ini);
    pass(ini, res);
    if (!ini.authenticated() || !res.authenticated()) {
        std::abort();  // a benchmark of a failing exchange would measure the wrong thing
    }
}

// Exactly the primitive operations of one exchange: two 32-byte challenge draws, four
// HMAC-SHA256 over 32 bytes (RESPONSE made and checked, COMPLETE made and checked), two
// constant-time 32-byte MAC comparisons and three constant-time 16-byte SessionID comparisons.
// The keys and session IDs are made once, as in bench_exchange.
void bench_primitives() {
    static SeededRng rng(counting_bytes<32>(0x10));
    static const Secret<32> key_a(counting_bytes<32>(0x01));
    static const Secret<32> key_b(counting_bytes<32>(0x21));
    static const SessionId sid = counting_bytes<16>(0x01);
    static const SessionId received = counting_bytes<16>(0x01);
    const Challenge c_i = rng.array<32>();
    const Challenge c_r = rng.array<32>();
    const auto m1 = crypto::hmac_sha256(key_a.view(), c_i);
    const auto m2 = crypto::hmac_sha256(key_a.view(), c_i);
    const auto m3 = crypto::hmac_sha256(key_b.view(), c_r);
    const auto m4 = crypto::hmac_sha256(key_b.view(), c_r);
    if (!ct_equal(m1, m2) || !ct_equal(m3, m4) || !ct_equal(sid, received) || !ct_equal(received, sid) ||
        !ct_equal(sid, received)) {
        std::abort();
    }
}

// One wss connection as the re-handshake runs over it, both ends in this process on loopback: TCP
// connect, the TLS 1.3 handshake (a self-signed P-256 certificate, made once) and the WebSocket
// upgrade to /ws, then both ends dropped.
void bench_connection() {
    static const conformance::WebSocketTransportFactory factory = [] {
        conformance::WebSocketOptions o;
        o.tls = true;
        o.path = "/ws";
        return conformance::WebSocketTransportFactory(std::move(o));
    }();
    static const std::unique_ptr<conformance::Listener> listener = [] {
        std::string error;
        auto l = factory.listen(conformance::Endpoint{}, error);
        if (!l) {
            std::abort();
        }
        return l;
    }();
    std::string error;
    auto client = factory.connect(conformance::Endpoint{"127.0.0.1", listener->port()},
                                  conformance::after(conformance::Millis(5000)), error);
    auto server = listener->accept(conformance::after(conformance::Millis(5000)), error);
    if (!client || !server) {
        std::abort();  // a set-up that fails would measure the wrong thing
    }
    // Torn down without the closing handshake, which would wait for a peer this thread is not reading.
    client->abort();
    server->abort();
}

// Both peers hold the same session ID and each other's keys crosswise (TX of one is RX of the other).
std::vector<registry::LoopbackPair> loopback(const std::string& /*profile*/) {
    const std::string sid = to_hex(counting_bytes<16>(0x01));
    const std::string a = to_hex(counting_bytes<32>(0x21));
    const std::string b = to_hex(counting_bytes<32>(0x01));
    const std::string now = "1762230765000";
    return {{"default",
             {{"session-id", {sid}}, {"tx-key", {a}}, {"rx-key", {b}}, {"now", {now}}},
             {{"session-id", {sid}}, {"tx-key", {b}}, {"rx-key", {a}}, {"now", {now}}}}};
}

registry::Variant build();

// shakedown peer: the generic machine peer, except that an initiator asked for no connection limit
// (--max-connections 0, the self-test's reconnecting peer) connects again after each exchange
// until stopped or its --timeout-ms passes; the generic peer makes one connection then.
int serve(const registry::PeerRun& run) {
    static const registry::Variant generic = [] {
        registry::Variant v = build();
        v.serve = nullptr;
        return v;
    }();
    // The transport knobs reach the transport through a copy of the descriptor.
    registry::Variant with_knobs = generic;
    with_knobs.transport = [knobs = run.knobs](const std::string& profile, const registry::Settings& settings) {
        return transport_with(profile, settings, knobs);
    };
    if (run.role != Role::initiator || run.max_connections != 0) {
        return registry::serve(with_knobs, run);
    }
    const bool bounded = run.timeout_ms > 0;
    const auto until = conformance::after(conformance::Millis(bounded ? run.timeout_ms : 0));
    registry::PeerRun one = run;
    one.max_connections = 1;
    int status = 0;
    while (!(bounded && conformance::SteadyClock::now() >= until)) {
        if (registry::serve(with_knobs, one) != 0) {
            status = 1;
            // Nobody listening yet (or any more): do not spin.
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    return status;
}

registry::Variant build() {
    registry::Variant v;
    v.name = "shadowmesh";
    v.summary = "ShadowMesh direct-P2P re-handshake: HMAC challenge-response over provisioned session keys (0x30-0x32)";
    v.doc = "docs/protocols/shadowmesh.md";
    v.profiles = {
        {"strict", "exact sizes, version 1, flags 0, every violation aborts with CLOSE, challenge replay cache"},
        {"upstream",
         "the deployed decoder: longer Length and trailing bytes ignored, Flags ignored, undecodable "
         "messages dropped, no replay cache"},
    };
    v.messages = {"REHANDSHAKE_REQUEST", "REHANDSHAKE_RESPONSE", "REHANDSHAKE_COMPLETE", "CLOSE", "ERROR",
                  "HEARTBEAT",           "HEARTBEAT_ACK"};
    v.transport_name = "websocket+tls";
    v.vectors.generate = vectors::generate;
    v.vectors.checker = vectors::checker;
    v.make_machine = make_machine;
    v.transport = transport;
    v.reference_peer = reference_peer;
    v.catalogue = make_catalogue;
    v.serve = serve;
    v.serve_connects_again = true;  // through the generic peer, on one transport
    v.shim_flags = {
        {"profile", "NAME", "strict or upstream", false},
        {"session-id", "HEX", "the 16-byte session ID both peers hold (default: the §9 test ID)", false},
        {"tx-key", "HEX", "this side's 32-byte TX session key (default: the §9 test key of its role)", false},
        {"rx-key", "HEX", "this side's 32-byte RX session key (default: the §9 test key of its role)", false},
        {"challenge", "HEX", "draw this 32-byte challenge instead of a random one (a harness replaying a REQUEST)",
         false},
        {"pinned-cert", "SHA256", "SHA-256 of the peer's certificate or public key (transport)", false},
        {"now", "UNIX_MS", "fix the clock at this Unix time in milliseconds", false},
    };
    v.knobs = knobs();
    v.fuzz_targets = {"shadowmesh_header",
                      "shadowmesh_request",
                      "shadowmesh_response",
                      "shadowmesh_complete",
                      "shadowmesh_close",
                      "shadowmesh_frame",
                      "shadowmesh_upstream_frame",
                      "shadowmesh_initiator_strict",
                      "shadowmesh_initiator_upstream",
                      "shadowmesh_responder_strict",
                      "shadowmesh_responder_upstream",
                      "shadowmesh_negative_control"};
    v.loopback = loopback;
    // The §9 keys on both sides by default; a wrong credential is a wrong TX key of the initiator
    // alone, so that it still accepts the responder's proof and the responder refuses its own.
    v.load = [](const std::string&) {
        registry::LoadSetup s;
        s.wrong_credential = {"--tx-key", std::string(64, '7')};
        return s;
    };
    v.bench = {
        {"shadowmesh/strict", [] { bench_exchange(Profile::strict); }, bench_primitives, bench_connection},
        {"shadowmesh/upstream", [] { bench_exchange(Profile::upstream); }, bench_primitives},
    };
    return v;
}

}  // namespace

const registry::Variant& variant() {
    static const registry::Variant v = build();
    return v;
}

}  // namespace shakedown::shadowmesh
