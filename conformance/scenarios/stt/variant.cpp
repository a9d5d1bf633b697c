// STT descriptor: the reference machines behind the shim flags, the UDP transport (so the generic
// reference peer serves them), the bug knobs, the vector hooks, the fuzz targets and the handshake
// benchmark, and the conformance catalogue (catalogue.cpp).
#include "conformance/scenarios/stt/variant.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "common/crypto.hpp"
#include "conformance/registry/forwarding_machine.hpp"
#include "conformance/runner/udp.hpp"
#include "conformance/scenarios/stt/catalogue.hpp"
#include "conformance/scenarios/stt/node.hpp"
#include "conformance/scenarios/stt/session_machine.hpp"
#include "stt/frame.hpp"
#include "stt/handshake.hpp"
#include "stt/quirks.hpp"
#include "stt/session.hpp"
#include "stt/suite.hpp"
#include "vectors/gen/stt/stt_vectors.hpp"

namespace shakedown::stt {

namespace {

constexpr std::string_view kReferenceSuite = "xchacha20poly1305-hkdf-sha256";

// The last value given for a flag (a repeated non-repeatable flag: the last one wins).
const std::string* last_value(const registry::Settings& s, const std::string& name) {
    auto it = s.find(name);
    return it == s.end() || it->second.empty() ? nullptr : &it->second.back();
}

bool ms_setting(const registry::Settings& s, const std::string& name, std::uint32_t& out, std::string& error) {
    const std::string* v = last_value(s, name);
    if (v == nullptr) {
        return true;
    }
    try {
        const unsigned long n = std::stoul(*v);
        if (n > UINT32_MAX) {
            throw std::out_of_range(name);
        }
        out = static_cast<std::uint32_t>(n);
    } catch (const std::exception&) {
        error = "--" + name + ": expected milliseconds";
        return false;
    }
    return true;
}

// One node's replay cache. The spec shares it across every handshake of a node; the generic
// reference server builds a machine per peer address, so the responders built for one node (one
// node seed and shared seed) share it here, and a HELLO replayed in a later session is `replay`.
// The lock serialises the machines that share it (the server runs each connection on its thread).
struct NodeReplayCache {
    std::mutex mutex;
    std::shared_ptr<NonceCache> cache = std::make_shared<NonceCache>();
};

std::shared_ptr<NodeReplayCache> node_replay_cache(const Bytes& node_seed, const Bytes& shared_seed) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<NodeReplayCache>> caches;
    const std::string key = to_hex(node_seed) + "/" + to_hex(shared_seed);
    const std::lock_guard<std::mutex> lock(mutex);
    auto& c = caches[key];
    if (!c) {
        c = std::make_shared<NodeReplayCache>();
    }
    return c;
}

// A responder whose every step holds its node's cache lock.
class NodeResponder final : public registry::ForwardingMachine {
public:
    NodeResponder(std::unique_ptr<Machine> inner, std::shared_ptr<NodeReplayCache> node)
        : ForwardingMachine(std::move(inner)), m_node(std::move(node)) {}
    void start() override {
        locked([&] { ForwardingMachine::start(); });
    }
    void receive(ByteView input) override {
        locked([&] { ForwardingMachine::receive(input); });
    }
    void peer_closed() override {
        locked([&] { ForwardingMachine::peer_closed(); });
    }
    void idle_timeout() override {
        locked([&] { ForwardingMachine::idle_timeout(); });
    }

private:
    template <typename F>
    void locked(F&& f) {
        const std::lock_guard<std::mutex> lock(m_node->mutex);
        f();
    }
    std::shared_ptr<NodeReplayCache> m_node;
};

// The runner's in-process and shim sessions open a listener for an initiator target, accept one
// transport and drop the listener. A TCP connection outlives its listener; a UDP "connection" is
// the listener's socket and reader thread, so it would end there ("listener closed"). This
// factory's accepted transports keep their listener alive until they are gone.
class ListenerKeepingTransport final : public conformance::Transport {
public:
    ListenerKeepingTransport(std::unique_ptr<conformance::Transport> inner, std::shared_ptr<conformance::Listener> l)
        : m_inner(std::move(inner)), m_listener(std::move(l)) {}
    ~ListenerKeepingTransport() override { m_inner.reset(); }
    [[nodiscard]] std::error_code send(ByteView b, conformance::Deadline d) override { return m_inner->send(b, d); }
    [[nodiscard]] conformance::Incoming receive(conformance::Deadline d) override { return m_inner->receive(d); }
    [[nodiscard]] conformance::Incoming receive_any(conformance::Deadline d) override {
        return m_inner->receive_any(d);
    }
    void shutdown_send() override { m_inner->shutdown_send(); }
    void close() override { m_inner->close(); }
    void abort() override { m_inner->abort(); }
    [[nodiscard]] std::size_t bytes_received() const override { return m_inner->bytes_received(); }
    [[nodiscard]] std::string peer_address() const override { return m_inner->peer_address(); }
    [[nodiscard]] bool reports_peer_close() const override { return m_inner->reports_peer_close(); }
    void attach(conformance::Transcript* t, std::uint8_t index) override { m_inner->attach(t, index); }

private:
    std::unique_ptr<conformance::Transport> m_inner;
    std::shared_ptr<conformance::Listener> m_listener;
};

class UdpFactory final : public conformance::TransportFactory {
public:
    explicit UdpFactory(conformance::UdpLimits limits) : m_inner(limits) {}
    [[nodiscard]] std::string name() const override { return m_inner.name(); }
    [[nodiscard]] std::unique_ptr<conformance::Transport> connect(const conformance::Endpoint& to,
                                                                  conformance::Deadline d,
                                                                  std::string& error) const override {
        return m_inner.connect(to, d, error);
    }
    [[nodiscard]] std::unique_ptr<conformance::Listener> listen(const conformance::Endpoint& at,
                                                                std::string& error) const override {
        std::shared_ptr<conformance::Listener> l = m_inner.listen(at, error);
        if (!l) {
            return nullptr;
        }
        // Each accepted transport keeps the listener alive (see ListenerKeepingTransport).
        std::weak_ptr<conformance::Listener> weak = l;
        return std::make_unique<conformance::WrappingListener>(l, [weak](std::unique_ptr<conformance::Transport> t) {
            return std::make_unique<ListenerKeepingTransport>(std::move(t), weak.lock());
        });
    }

private:
    conformance::UdpTransportFactory m_inner;
};

bool hex_setting(const registry::Settings& s, const std::string& name, Bytes& out, std::string& error) {
    const std::string* v = last_value(s, name);
    if (v == nullptr) {
        return true;
    }
    auto b = from_hex(*v);
    if (!b || b->empty()) {
        error = "--" + name + ": expected non-empty hex";
        return false;
    }
    out = std::move(*b);
    return true;
}

// The handshake configuration the shim flags and knobs ask for (the replay cache is the caller's).
bool config_from(const registry::MachineRequest& request, Config& c, Bytes& node_seed, Bytes& shared,
                 std::string& error) {
    c.role = request.role;
    node_seed = default_node_seed(request.role);
    shared.assign(as_bytes(kDefaultSharedSeed).begin(), as_bytes(kDefaultSharedSeed).end());
    if (!hex_setting(request.settings, "node-seed", node_seed, error) ||
        !hex_setting(request.settings, "shared-seed", shared, error)) {
        return false;
    }
    c.node_seed = SecretBytes(node_seed);
    c.shared_seed = SecretBytes(shared);
    if (const std::string* suite = last_value(request.settings, "suite");
        suite != nullptr && *suite != kReferenceSuite) {
        error = "--suite: only " + std::string(kReferenceSuite) + " is implemented";
        return false;
    }
    if (!ms_setting(request.settings, "timestamp-window-ms", c.timestamp_window_ms, error) ||
        !ms_setting(request.settings, "handshake-timeout-ms", c.handshake_timeout_ms, error) ||
        !ms_setting(request.settings, "retransmit-ms", c.retransmit_ms, error)) {
        return false;
    }
    for (const std::string& k : request.knobs) {
        if (!set_quirk(c.quirks, k)) {
            error = "unknown knob '" + k + "'";
            return false;
        }
    }
    return true;
}

std::unique_ptr<Machine> make_machine(const registry::MachineRequest& request, Rng& rng, const Clock& clock,
                                      std::string& error) {
    Config c;
    Bytes node_seed;
    Bytes shared;
    const bool ok = config_from(request, c, node_seed, shared, error);
    std::shared_ptr<NodeReplayCache> node;
    if (ok && request.role == Role::acceptor) {
        node = node_replay_cache(node_seed, shared);
        c.replay_cache = node->cache;
    }
    secure_wipe(node_seed);
    secure_wipe(shared);
    if (!ok) {
        return nullptr;
    }
    // The handshake, then the conformance contract's data exchange (session_machine.hpp).
    auto machine = std::make_unique<SessionMachine>(std::make_unique<Handshake>(std::move(c), rng, clock), rng, clock);
    if (node) {
        return std::make_unique<NodeResponder>(std::move(machine), std::move(node));
    }
    return machine;
}

// ---- the reference acceptor as a node: one HandshakeManager behind one socket (node.hpp) --------

// A Node with the randomness and clock it reads (--now freezes the clock).
struct NodeHost {
    SystemRng rng;
    std::unique_ptr<Clock> clock;
    // The replay cache of every node with the same seeds (node_replay_cache), and its lock.
    std::shared_ptr<NodeReplayCache> cache;
    std::unique_ptr<Node> node;
};

std::unique_ptr<NodeHost> make_node(const registry::Settings& settings, const std::vector<std::string>& knobs,
                                    Node::Emit emit, std::string& error) {
    registry::MachineRequest request{Role::acceptor, "strict", settings, knobs};
    ManagerConfig mc;
    Bytes node_seed;
    Bytes shared;
    const bool ok = config_from(request, mc.base, node_seed, shared, error);
    auto host = std::make_unique<NodeHost>();
    if (ok) {
        // A restarted node (one per scenario in process) keeps the node's replay cache.
        host->cache = node_replay_cache(node_seed, shared);
        mc.base.replay_cache = host->cache->cache;
    }
    secure_wipe(node_seed);
    secure_wipe(shared);
    if (!ok) {
        return nullptr;
    }
    if (const auto v = registry::setting(settings, "max-pending")) {
        if (!registry::parse_number(*v, mc.max_pending) || mc.max_pending == 0) {
            error = "--max-pending: expected a positive number";
            return nullptr;
        }
    }
    if (const auto now = registry::setting(settings, "now")) {
        std::uint64_t n = 0;
        if (!registry::parse_number(*now, n)) {
            error = "--now needs a Unix time in seconds";
            return nullptr;
        }
        host->clock = std::make_unique<FixedClock>(n);
    } else {
        host->clock = std::make_unique<SystemClock>();
    }
    host->node = std::make_unique<Node>(std::move(mc), host->rng, *host->clock, std::move(emit), &host->cache->mutex);
    return host;
}

// Lines emitted by a node before whoever reports them is known (a one-connection acceptor's run).
struct LineRelay {
    std::mutex mutex;
    conformance::LineSink sink;
    void operator()(const std::string& line) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (sink) {
            sink(line);
        }
    }
};

// conform --reference: the acceptor is a node (one shared, with the run's settings, or one per
// connection that asks for flags of its own); initiators are the generic reference's.
class NodePeer final : public conformance::LocalPeer {
public:
    NodePeer(registry::Settings settings, std::vector<std::string> knobs, std::shared_ptr<conformance::LocalPeer> generic)
        : m_settings(std::move(settings)), m_knobs(std::move(knobs)), m_generic(std::move(generic)) {}
    ~NodePeer() override {
        m_stop.store(true);
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    [[nodiscard]] std::string describe() const override { return "reference node (in process)"; }
    [[nodiscard]] std::optional<conformance::Endpoint> acceptor(std::string& error) override {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_host) {
            auto host = make_node(m_settings, m_knobs, [](const std::string&) {}, error);
            if (!host || !host->node->listen(conformance::Endpoint{"127.0.0.1", 0}, error)) {
                error = "reference node: " + error;
                return std::nullopt;
            }
            m_host = std::move(host);
            m_thread = std::thread([this] { (void)m_host->node->serve(0, std::nullopt, m_stop); });
        }
        return conformance::Endpoint{"127.0.0.1", m_host->node->port()};
    }
    [[nodiscard]] bool takes_flags(conformance::PeerRole) const override { return true; }
    [[nodiscard]] std::unique_ptr<conformance::LocalRun> start_acceptor(const std::vector<std::string>& flags,
                                                                        conformance::Endpoint& at,
                                                                        std::string& error) override {
        registry::Settings settings = m_settings;
        std::vector<std::string> unimplemented;
        if (!registry::parse_settings(variant().shim_flags, flags, settings, unimplemented, error)) {
            return nullptr;
        }
        if (!unimplemented.empty()) {
            error = "unimplemented flag " + unimplemented.front();
            return nullptr;
        }
        auto relay = std::make_shared<LineRelay>();
        std::shared_ptr<NodeHost> host = make_node(settings, m_knobs, [relay](const std::string& l) { (*relay)(l); }, error);
        if (!host || !host->node->listen(conformance::Endpoint{"127.0.0.1", 0}, error)) {
            return nullptr;
        }
        at = conformance::Endpoint{"127.0.0.1", host->node->port()};
        return std::make_unique<conformance::ThreadedRun>(
            [host, relay](const std::atomic<bool>& stop, const conformance::LineSink& emit) {
                {
                    const std::lock_guard<std::mutex> lock(relay->mutex);
                    relay->sink = emit;
                }
                const std::size_t completed = host->node->serve(1, std::nullopt, stop);
                {
                    const std::lock_guard<std::mutex> lock(relay->mutex);
                    relay->sink = nullptr;
                }
                return completed > 0;
            },
            "reference node (in process)");
    }
    [[nodiscard]] std::unique_ptr<conformance::LocalRun> start_initiator(const conformance::Endpoint& to,
                                                                         const std::vector<std::string>& flags,
                                                                         std::string& error) override {
        return m_generic->start_initiator(to, flags, error);
    }

private:
    registry::Settings m_settings;
    std::vector<std::string> m_knobs;
    std::shared_ptr<conformance::LocalPeer> m_generic;
    std::mutex m_mutex;
    std::atomic<bool> m_stop{false};
    std::unique_ptr<NodeHost> m_host;
    std::thread m_thread;
};

// The variant without its own peer hooks: the generic machine peer over its transport.
const registry::Variant& generic_variant();

std::shared_ptr<conformance::LocalPeer> reference_peer(const std::string& profile, const registry::Settings& settings,
                                                       const std::vector<std::string>& knobs) {
    std::string error;
    auto generic = registry::reference_peer(generic_variant(), profile, settings, knobs, error);
    if (!generic) {
        return nullptr;
    }
    return std::make_shared<NodePeer>(settings, knobs, std::move(generic));
}

// shakedown peer: the acceptor is a node; the initiator is the generic machine peer's.
int serve(const registry::PeerRun& run) {
    if (run.role == Role::initiator) {
        return registry::serve(generic_variant(), run);
    }
    std::string error;
    auto host = make_node(run.settings, run.knobs, run.emit, error);
    if (!host) {
        run.emit("HANDSHAKE_FAILED configuration: " + error);
        return 2;
    }
    if (!host->node->listen(run.endpoint, error)) {
        run.emit("HANDSHAKE_FAILED listen: " + error);
        return 1;
    }
    run.emit("LISTENING " + std::to_string(host->node->port()));
    const std::optional<conformance::Deadline> until =
        run.timeout_ms > 0 ? std::optional<conformance::Deadline>(conformance::after(conformance::Millis(run.timeout_ms)))
                           : std::nullopt;
    const std::atomic<bool> stop{false};
    const std::size_t completed = host->node->serve(run.max_connections, until, stop);
    return completed > 0 && completed == host->node->addresses_ended() ? 0 : 1;
}

// Which scenarios each knob must FAIL (conform --reference --bug NAME). The knobs of the data
// session, of the HandshakeManager, the session key derivation and the TLV bounds change nothing a
// handshake peer can see over the generic per-address server: each says why, and the unit test
// that catches it (knob_off_the_wire; docs/protocols/stt.md, "Conformance catalogue").
const std::map<std::string_view, std::vector<std::string>>& knob_scenarios() {
    static const std::map<std::string_view, std::vector<std::string>> m = {
        {"tlv-accept-trailing-bytes", {"*.trailing.u*.one_byte", "*.oversize.u*.grown"}},
        {"tlv-truncate-short-fields", {"*.tlv.u*.length_past_end"}},
        {"tlv-duplicate-keys-overwrite", {"*.tlv.u*.duplicate_key"}},
        {"skip-commitment-check", {"acceptor.commitment.u0.flipped"}},
        {"skip-timestamp-check", {"*.clock.stale_1h", "*.clock.future_1h", "*.clock.edge_*_31s"}},
        // A RESPONSE's 1-byte nonce is refused by the challenge anyway (it seals the 32-byte one).
        {"skip-length-checks", {"acceptor.length.*", "initiator.length.u0.node_id_31"}},
        {"no-replay-cache", {"acceptor.replay.u0.from_earlier_session"}},
        {"unframed-handshake", {"*.happy.honest", "*.framing.u*.unframed"}},
        // A responder's pending handshake is the node's: the manager's expiry gives it up.
        {"no-idle-timeout", {"initiator.idle.*"}},
        // A responder never retransmits (it answers duplicates), so only the initiator's losses.
        {"no-retransmit", {"initiator.loss.*"}},
        {"stale-duplicate-ends-session", {"*.reorder.*"}},
        // The data exchange after the handshake (session_machine.hpp, session_scenarios.cpp).
        {"xor-session-key", {"*.session.echo"}},
        {"unauthenticated-header", {"*.session.header_tampered"}},
        {"ignore-data-sequence", {"*.session.replayed", "*.session.reordered"}},
        // The reference acceptor is a node: one HandshakeManager by source address (node.hpp).
        {"manager-any-address", {"acceptor.address.data_second_source"}},
        {"manager-no-timeouts", {"acceptor.address.expiry", "acceptor.idle.*"}},
        {"manager-unbounded", {"acceptor.address.flood"}},
    };
    return m;
}

const std::map<std::string_view, std::string>& knob_off_the_wire() {
    static const std::map<std::string_view, std::string> m = {
        {"tlv-no-limits",
         "nothing a peer can see follows from the TLV bounds: every field of the four messages is a BYTES, INT or "
         "STRING, so a value past a bound (a LIST or DICT) is refused by the message check with the knob too "
         "(*.tlv.u*.depth_9, count_1025 and count_claimed send them: decode_error or truncated instead of oversize "
         "or bad_length, a difference only a report shows, and error names are graded as notes); and within a "
         "1472-byte datagram the knob's decoder, which never allocates for a declared count and stops recursing at "
         "256 levels, costs microseconds and memory in proportion to the datagram, so an honest handshake after "
         "the hostile datagram completes as before (tests/stt/tlv_test.cpp: SttTlv.UpstreamLeniencies; "
         "tests/stt/manager_test.cpp: SttManager.HostileTlvLeavesNoTraceWithOrWithoutBounds)"},
    };
    return m;
}

// The sizes of a handshake's HELLO and RESPONSE TLVs (the transcript hash and the AADs cover them).
struct WireSizes {
    std::size_t hello_tlv = 0;
    std::size_t response_tlv = 0;
};

// The size of the TLV a handshake datagram carries.
std::size_t tlv_size(ByteView datagram) {
    const auto f = parse_frame_view(datagram);
    if (!f) {
        std::abort();
    }
    return f->payload.size();
}

// Both machines in memory, one complete handshake. The provisioned seeds are made once and each
// handshake copies them into its machines; the datagrams go through one output buffer kept from
// handshake to handshake, as a connection loop keeps its write buffer.
// `sizes`, when given, receives the sizes of the TLVs sent.
void handshake_once(WireSizes* sizes) {
    static const FixedClock clock(1767225600);
    static const auto configs = [] {
        Config ci;
        ci.role = Role::initiator;
        ci.node_seed = SecretBytes(Bytes(32, 1));
        ci.shared_seed = SecretBytes(Bytes(32, 3));
        Config cr = ci;
        cr.role = Role::acceptor;
        cr.node_seed = SecretBytes(Bytes(32, 2));
        return std::pair{ci, cr};
    }();
    static OutputUnits units;
    ByteArray<32> si{};
    si.fill(0xa1);
    ByteArray<32> sr{};
    sr.fill(0xb2);
    SeededRng ri(si);
    SeededRng rr(sr);
    Handshake i(configs.first, ri, clock);
    Handshake r(configs.second, rr, clock);
    i.start();
    r.start();
    for (int round = 0; round < 3; ++round) {
        units.clear();
        i.drain_output(units);
        for (const ByteView d : units) {
            if (sizes != nullptr && sizes->hello_tlv == 0) {
                sizes->hello_tlv = tlv_size(d);
            }
            r.receive(d);
        }
        units.clear();
        r.drain_output(units);
        for (const ByteView d : units) {
            if (sizes != nullptr && sizes->response_tlv == 0) {
                sizes->response_tlv = tlv_size(d);
            }
            i.receive(d);
        }
    }
    if (!i.authenticated() || !r.authenticated()) {
        std::abort();  // a benchmark of a failing handshake would measure nothing
    }
}

void run_handshake() { handshake_once(nullptr); }

// Exactly the primitive operations one handshake performs (docs/protocols/stt.md, "Key schedule"),
// on the sizes of a real one: 4 random draws (two 32-byte nonces, two 24-byte AEAD nonces), 6
// SHA-256 (two node ids of 32-byte seeds, the 64-byte commitment made and checked, two transcript
// hashes over both TLVs), 4 HKDF (two handshake keys, two session keys), 4 HKDF-Expand (data keys),
// 2 XChaCha20-Poly1305 seals (challenge, proof) and 2 opens.
void run_primitives() {
    static const WireSizes sizes = [] {
        WireSizes s;
        handshake_once(&s);
        return s;
    }();
    ByteArray<32> rs{};
    rs.fill(0xa1);
    SeededRng rng(rs);
    Bytes n32(32);
    Bytes n24(24);
    rng.fill(n32);
    rng.fill(n32);
    rng.fill(n24);
    rng.fill(n24);
    const Bytes seed(32, 3);
    const Bytes commitment_input(64, 4);
    const Bytes nonce24(24, 5);
    const Bytes h(sizes.hello_tlv, 7);
    const Bytes resp(sizes.response_tlv, 8);
    const Bytes transcript(8 + h.size() + resp.size(), 6);
    Bytes sink;
    for (const Bytes* input : {&seed, &seed, &commitment_input, &commitment_input, &transcript, &transcript}) {
        const auto d = crypto::sha256(*input);
        sink.push_back(d[0]);
    }
    Bytes key(32, 0);
    for (int k = 0; k < 4; ++k) {
        auto out = crypto::hkdf(k < 2 ? ByteView{} : ByteView(h).first(32), seed, as_bytes(kHandshakeKeyInfo), 32);
        key = *out;
    }
    for (int k = 0; k < 4; ++k) {
        auto out = crypto::hkdf_expand(key, as_bytes(kDataKeyI2R), 32);
        sink.push_back((*out)[0]);
    }
    const Bytes aad_c = challenge_aad(h);
    const Bytes aad_p = proof_aad(h, resp, 1);
    const auto challenge = xchacha20_poly1305_seal(key, nonce24, aad_c, Bytes(64, 9));
    const auto proof = xchacha20_poly1305_seal(key, nonce24, aad_p, Bytes(8, 9));
    const auto c_open = xchacha20_poly1305_open(key, nonce24, aad_c, *challenge);
    const auto p_open = xchacha20_poly1305_open(key, nonce24, aad_p, *proof);
    if (!c_open || !p_open || sink.empty()) {
        std::abort();
    }
}

registry::Variant build() {
    registry::Variant v;
    v.name = "stt";
    v.summary = "Seigr Toolset Transmissions: pre-shared-seed handshake in STT TLV over UDP";
    v.doc = "docs/protocols/stt.md";
    v.profiles = {
        {"strict", "the reference: framed handshake datagrams, strict TLV, the design document's security intent"}};
    v.messages = {"HELLO", "RESPONSE", "AUTH_PROOF", "FINAL"};
    v.transport_name = "udp";
    v.vectors.generate = [](const shakedown::vectors::GenerateOptions& o) { return stt::vectors::generate(o); };
    v.vectors.checker = [](const std::string& schema) { return stt::vectors::checker(schema); };
    v.make_machine = make_machine;
    // The acceptor is a node: every datagram to one HandshakeManager by source address (node.hpp).
    v.reference_peer = reference_peer;
    v.serve = serve;
    v.catalogue = [](const registry::CatalogueOptions& o) { return make_catalogue(variant(), o); };
    // One machine unit is one datagram carrying one frame; the transport's bound is the frame
    // layer's, so an oversized datagram reaches the machine (as a limit) and is judged there.
    v.transport = [](const std::string&, const registry::Settings&) {
        conformance::UdpLimits limits;
        limits.max_datagram = kMaxDatagram;
        return std::make_shared<const UdpFactory>(limits);
    };
    v.shim_flags = {
        {"node-seed", "HEX", "this node's seed (node_id = SHA-256 of it)", false},
        {"shared-seed", "HEX", "the network's shared seed", false},
        {"suite", "NAME", "cipher suite (xchacha20poly1305-hkdf-sha256)", false},
        {"timestamp-window-ms", "MS", "accepted clock difference either way (default 30000)", false},
        {"handshake-timeout-ms", "MS", "give up a handshake after this long without progress (default 10000)", false},
        {"retransmit-ms", "MS",
         "initiator: send an unanswered HELLO or AUTH_PROOF again after this long, doubling, at most 3 times "
         "(default 1000; 0: never)",
         false},
        {"now", "UNIX", "the clock, in seconds since the Unix epoch", false},
        {"max-pending", "N",
         "acceptor: pending handshakes held at once; a new one evicts the oldest (default 256)", false},
    };
    // A target with another cipher suite (upstream's STC cannot be reproduced): the harness grades
    // what it can without sealing or opening (docs/protocols/stt.md, "Conformance catalogue").
    v.conform_flags = {
        {"target-suite", "NAME",
         "the cipher suite the target uses; with another than xchacha20poly1305-hkdf-sha256, only the scenarios "
         "that send a HELLO alone run, the others are UNIMPLEMENTED",
         false},
    };
    for (const QuirkInfo& q : quirk_table()) {
        registry::Knob k{std::string(q.name), std::string(q.description), {}, {}, {}};
        if (const auto it = knob_scenarios().find(q.name); it != knob_scenarios().end()) {
            k.must_fail = it->second;
        }
        if (const auto it = knob_off_the_wire().find(q.name); it != knob_off_the_wire().end()) {
            k.off_the_wire = it->second;
        }
        v.knobs.push_back(std::move(k));
    }
    // The default seeds on both sides; a wrong credential is another network's shared seed.
    v.load = [](const std::string&) {
        registry::LoadSetup s;
        s.wrong_credential = {"--shared-seed", std::string(64, '7')};
        return s;
    };
    v.fuzz_targets = {"stt_tlv",       "stt_message",   "stt_frame",   "stt_data_frame",
                      "stt_initiator", "stt_responder", "stt_manager", "stt_negative_control"};
    v.bench = {{"stt/strict", run_handshake, run_primitives}};
    return v;
}

}  // namespace

const registry::Variant& variant() {
    static const registry::Variant v = build();
    return v;
}

namespace {
const registry::Variant& generic_variant() {
    static const registry::Variant v = [] {
        registry::Variant g = variant();
        g.reference_peer = nullptr;
        g.serve = nullptr;
        return g;
    }();
    return v;
}
}  // namespace

}  // namespace shakedown::stt
