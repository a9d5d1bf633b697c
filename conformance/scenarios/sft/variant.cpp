// SFT in the registry: profiles, messages, vector hooks, the transport (framing.hpp), the
// reference machines built from shim flags and the limits of their server, bug knobs, fuzz
// targets, the handshake and record-layer benchmarks and the conformance catalogue (catalogue.hpp).
#include "conformance/scenarios/sft/variant.hpp"

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "conformance/scenarios/sft/catalogue.hpp"
#include "conformance/scenarios/sft/framing.hpp"
#include "conformance/scenarios/sft/sandbox.hpp"
#include "sft/machine.hpp"
#include "sft/quirks.hpp"
#include "vectors/gen/sft/sft_vectors.hpp"

namespace shakedown::sft {

namespace {

// A machine that owns what the reference peer gives it: its sandbox; with --ping, a client that
// sends one ping once its handshake completes (a record for the initiator's record scenarios).
class PeerMachine final : public Machine {
public:
    PeerMachine(Config cfg, std::unique_ptr<FileStore> store, Rng& rng, const Clock& clock, bool ping)
        : m_store(std::move(store)), m_endpoint(with_store(std::move(cfg), m_store.get()), rng, clock), m_ping(ping) {}

    [[nodiscard]] Role role() const noexcept override { return m_endpoint.role(); }
    void start() override { m_endpoint.start(); }
    void receive(ByteView input) override {
        m_endpoint.receive(input);
        if (m_ping && m_endpoint.authenticated()) {
            m_ping = false;
            (void)m_endpoint.ping();
        }
    }
    void peer_closed() override { m_endpoint.peer_closed(); }
    void idle_timeout() override { m_endpoint.idle_timeout(); }
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override { return m_endpoint.idle_timeout_ms(); }
    [[nodiscard]] shakedown::Action next_action() const override { return m_endpoint.next_action(); }
    [[nodiscard]] std::vector<Bytes> take_output() override { return m_endpoint.take_output(); }
    [[nodiscard]] bool authenticated() const noexcept override { return m_endpoint.authenticated(); }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_endpoint.closure(); }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override { return m_endpoint.derived_keys(); }
    [[nodiscard]] std::size_t pending_bytes() const noexcept override { return m_endpoint.pending_bytes(); }

private:
    static Config with_store(Config c, FileStore* s) {
        c.store = s;
        return c;
    }
    std::unique_ptr<FileStore> m_store;
    Endpoint m_endpoint;
    bool m_ping;
};

const std::string* one(const registry::Settings& s, const std::string& name) {
    const auto it = s.find(name);
    return it == s.end() || it->second.empty() ? nullptr : &it->second.back();
}

template <std::size_t N>
bool hex_setting(const registry::Settings& s, const std::string& name, std::optional<ByteArray<N>>& out,
                 std::string& error) {
    const std::string* v = one(s, name);
    if (v == nullptr) {
        return true;
    }
    const auto b = from_hex(*v);
    if (!b || b->size() != N) {
        error = "--" + name + ": expected " + std::to_string(N) + " bytes of hex";
        return false;
    }
    ByteArray<N> a{};
    std::copy(b->begin(), b->end(), a.begin());
    out = a;
    return true;
}

using conformance::sft_scenarios::parse_deadline;

std::string deadline_check(const std::string& text) {
    return parse_deadline(text) ? "" : "whole seconds from 1 to " + std::to_string(kHandshakeDeadlineSeconds);
}

std::unique_ptr<Machine> make_machine(const registry::MachineRequest& req, Rng& rng, const Clock& clock,
                                      std::string& error) {
    const auto profile = profile_from_string(req.profile.empty() ? "described" : req.profile);
    if (!profile) {
        error = "unknown profile '" + req.profile + "'";
        return nullptr;
    }
    Config cfg;
    cfg.role = req.role;
    cfg.profile = *profile;
    std::optional<ByteArray<32>> seed;
    std::optional<ByteArray<32>> peer;
    if (!hex_setting(req.settings, "identity-seed", seed, error) ||
        !hex_setting(req.settings, "peer-identity", peer, error)) {
        return nullptr;
    }
    if (seed) {
        cfg.identity_seed = *seed;
    } else {
        rng.fill(cfg.identity_seed);  // upstream-v2 servers make a new identity per start
    }
    cfg.peer_identity = peer;
    if (const std::string* off = one(req.settings, "utc-offset")) {
        try {
            cfg.utc_offset_seconds = std::stoll(*off);
        } catch (const std::exception&) {
            error = "--utc-offset: not an integer";
            return nullptr;
        }
    }
    if (const std::string* d = one(req.settings, "handshake-deadline")) {
        const auto seconds = parse_deadline(*d);
        if (!seconds) {
            error = "--handshake-deadline: whole seconds from 1 to " + std::to_string(kHandshakeDeadlineSeconds);
            return nullptr;
        }
        cfg.handshake_deadline_seconds = *seconds;
    }
    for (const auto& k : req.knobs) {
        if (!set_quirk(cfg.quirks, k)) {
            error = "unknown knob '" + k + "'";
            return nullptr;
        }
    }
    if (cfg.profile == Profile::described && !cfg.peer_identity && !cfg.quirks.no_identity_check) {
        error = "described needs --peer-identity (the pinned server key, or the provisioned client key)";
        return nullptr;
    }
    // One derivation budget for all of this process's server connections (docs/protocols/sft.md §7);
    // --kdf-budget sets another per-window budget (one throttle per value, shared alike) or none.
    if (req.role == Role::acceptor) {
        static std::mutex mutex;
        static std::map<std::size_t, std::shared_ptr<KdfThrottle>> throttles;
        std::size_t budget = kKdfBudget;
        const std::string* b = one(req.settings, "kdf-budget");
        if (b == nullptr || *b != "unlimited") {
            if (b != nullptr) {
                try {
                    budget = static_cast<std::size_t>(std::stoull(*b));
                } catch (const std::exception&) {
                    error = "--kdf-budget: a number or 'unlimited'";
                    return nullptr;
                }
            }
            const std::lock_guard<std::mutex> lock(mutex);
            auto& t = throttles[budget];
            if (!t) {
                t = std::make_shared<KdfThrottle>(budget);
            }
            cfg.kdf_throttle = t;
        }
    }
    std::unique_ptr<FileStore> store;
    if (const std::string* dir = one(req.settings, "sandbox")) {
        auto d = std::make_unique<DirectoryFileStore>(*dir);
        if (!d->valid()) {
            error = "--sandbox: cannot open " + *dir;
            return nullptr;
        }
        store = std::move(d);
    } else {
        store = std::make_unique<MemoryFileStore>();
    }
    const bool ping = req.settings.contains("ping");
    if (ping && req.role != Role::initiator) {
        error = "--ping: a client's switch";
        return nullptr;
    }
    return std::make_unique<PeerMachine>(std::move(cfg), std::move(store), rng, clock, ping);
}

// Both roles in memory with the §10 known-answer keys, a fresh PBKDF2 on each side.
template <std::size_t N>
ByteArray<N> hx(std::string_view h) {
    const auto b = from_hex(h);
    ByteArray<N> a{};
    std::copy(b->begin(), b->end(), a.begin());
    return a;
}
const auto kClientEph = hx<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
const auto kServerEph = hx<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
const auto kServerSeed = hx<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const auto kClientSeed = hx<32>("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");

void bench_handshake(Profile p) {
    SeededRng crng(kClientEph);
    SeededRng srng(kServerEph);
    FixedClock clock(1767225600);
    Config c;
    c.role = Role::initiator;
    c.profile = p;
    c.identity_seed = kClientSeed;
    c.peer_identity = crypto::ed25519_from_seed(kServerSeed).public_key;
    Config s;
    s.role = Role::acceptor;
    s.profile = p;
    s.identity_seed = kServerSeed;
    s.peer_identity = crypto::ed25519_from_seed(kClientSeed).public_key;
    Endpoint client(c, crng, clock);
    Endpoint server(s, srng, clock);
    server.start();
    client.start();
    for (int round = 0; round < 4; ++round) {
        for (auto& u : client.take_output()) {
            server.receive(u);
        }
        for (auto& u : server.take_output()) {
            client.receive(u);
        }
    }
}

// Exactly the primitives that handshake performs, in the same sizes.
void bench_primitives(Profile p) {
    const Secret<32> a(kClientEph);
    const Secret<32> b(kServerEph);
    const auto server_id = crypto::ed25519_from_seed(kServerSeed);
    const auto client_id = crypto::ed25519_from_seed(kClientSeed);
    const auto A = crypto::x25519_public(a);
    const auto B = crypto::x25519_public(b);
    auto ss1 = crypto::x25519(a, B);
    auto ss2 = crypto::x25519(b, A);
    const Bytes salt = kdf_salt(p, B, A);
    auto dk1 = crypto::pbkdf2_hmac(crypto::Hash::sha256, ss1->view(), salt, kPbkdf2Iterations, 64);
    auto dk2 = crypto::pbkdf2_hmac(crypto::Hash::sha256, ss2->view(), salt, kPbkdf2Iterations, 64);
    const auto& signer = p == Profile::described ? client_id : server_id;
    const Bytes t = signed_transcript(p, A, B, server_id.public_key);
    const auto sig = crypto::ed25519_sign(signer, t);
    (void)crypto::ed25519_verify(signer.public_key, t, sig);
    (void)crypto::sha256(ByteView(*dk1).subspan(32));
    (void)crypto::sha256(ByteView(*dk2).subspan(32));
    if (p == Profile::upstream_v2) {
        const ByteArray<12> n{};
        const ByteView key = ByteView(*dk1).subspan(32);
        for (int i = 0; i < 2; ++i) {
            auto sealed = crypto::aes_gcm_seal(key, n, {}, as_bytes(kAuthOk));
            (void)crypto::aes_gcm_open(key, n, {}, *sealed);
        }
    }
}

// The record layer's throughput (docs/protocols/sft.md §9): one record sealed and opened whole
// (seal_record, open_record: V8..V13) under an upstream-v2 key, against AES-256-GCM sealing and
// opening the same plaintext with a 49-byte AAD through the same facade.
struct RecordBenchInput {
    RecordKey key;
    PayloadType type = PayloadType::data;
    std::uint64_t offset = 0;
    ByteArray<12> nonce{};
    Bytes plaintext;
    Bytes aad;  // the record's own header[0:49]
};

registry::ThroughputCase record_throughput(std::string name, PayloadType type, std::uint64_t offset, Bytes plaintext) {
    auto in = std::make_shared<RecordBenchInput>();
    in->key.profile = Profile::upstream_v2;
    in->key.aes_key = Secret<32>(hx<32>("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    in->key.key_id = key_id(Profile::upstream_v2, in->key.aes_key);
    in->type = type;
    in->offset = offset;
    in->nonce = hx<12>("101112131415161718191a1b");
    in->plaintext = std::move(plaintext);
    const Bytes record = seal_record(in->key, type, offset, in->nonce, in->plaintext);
    in->aad.assign(record.begin(), record.begin() + kAadLen);
    registry::ThroughputCase t;
    t.name = std::move(name);
    t.bytes_per_op = in->plaintext.size();
    t.layer = [in] {
        const Bytes rec = seal_record(in->key, in->type, in->offset, in->nonce, in->plaintext);
        if (!open_record(in->key, rec)) {
            std::abort();  // a refused record would time the failure path
        }
    };
    t.raw = [in] {
        const ByteView key = in->key.aes_key.view();
        const auto sealed = crypto::aes_gcm_seal(key, in->nonce, in->aad, in->plaintext);
        if (!sealed || !crypto::aes_gcm_open(key, in->nonce, in->aad, *sealed)) {
            std::abort();
        }
    };
    return t;
}

// A signed ping, as the JSON records of a session carry it.
Bytes bench_ping_json() {
    Message m;
    m.type = MsgType::ping;
    m.timestamp = "2026-01-01T00:00:00";
    m.seq = 1;
    sign(m, hx<32>("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"));
    const std::string text = wire_json(m);
    return Bytes(text.begin(), text.end());
}

registry::Variant build() {
    registry::Variant v;
    v.name = "sft";
    v.summary = "SFT (AegisTransfer): X25519 + Ed25519 handshake, PBKDF2 600,000, AES-256-GCM records, file transfer";
    v.doc = "docs/protocols/sft.md";
    v.profiles = {{"described", "the published design: server first, fixed-size messages, the client signs"},
                  {"upstream-v2", "the deployed code: client first, u32be-prefixed fields, the server signs, AUTH_OK"}};
    v.messages = {"H1", "H2", "H3", "H4", "D1", "D2", "record"};
    for (std::size_t i = 0; i < kMsgTypeCount; ++i) {
        v.messages.push_back("json:" + std::string(to_string(static_cast<MsgType>(i))));
    }
    v.messages.push_back("data");
    v.transport_name = "tcp (self-delimiting records; upstream-v2 handshake fields u32be-prefixed)";
    v.vectors.generate = [](const shakedown::vectors::GenerateOptions& o) { return vectors::generate(o); };
    v.vectors.checker = [](const std::string& schema) { return vectors::checker(schema); };
    v.transport = [](const std::string& profile, const registry::Settings&) {
        const auto p = profile_from_string(profile.empty() ? "described" : profile);
        return conformance::sft_scenarios::make_transport_factory(p.value_or(Profile::described));
    };
    // The server's answer to floods (docs/protocols/sft.md §7), both profiles: every admitted
    // connection may cost a PBKDF2 (upstream-v2: before any authentication; described: once the
    // client's signature verifies), so one address gets the derivation budget's worth of
    // connections per window, and the server serves at most 50 at once. The KdfThrottle of
    // make_machine still bounds the derivations themselves across addresses. A server without a
    // budget (--kdf-budget unlimited) has none to share out, and one of 0 refuses every
    // derivation anyway: neither limits addresses.
    v.connection_limits = [](const std::string&, const registry::Settings& settings) {
        conformance::ConnectionLimits l;
        l.max_concurrent = kMaxConcurrentConnections;
        l.per_address_per_window = kKdfBudget;
        if (const std::string* b = one(settings, "kdf-budget")) {
            std::size_t n = 0;
            l.per_address_per_window = *b == "unlimited" ? 0 : registry::parse_number(*b, n) ? n : kKdfBudget;
        }
        l.window = std::chrono::duration_cast<conformance::Millis>(std::chrono::seconds(kKdfWindowSeconds));
        return std::optional<conformance::ConnectionLimits>(l);
    };
    v.make_machine = make_machine;
    // conform --reference: the described reference needs keys to exist at all; its acceptor gets
    // the §10 server keys by default (every scenario gives its own flags on top).
    v.reference_peer = [](const std::string& profile, const registry::Settings& settings,
                          const std::vector<std::string>& knobs) -> std::shared_ptr<conformance::LocalPeer> {
        registry::Settings s = settings;
        s["identity-seed"].insert(s["identity-seed"].begin(), to_hex(kServerSeed));
        // Only described needs it (the provisioned client key); in upstream-v2 it would pin the
        // initiators, which must pin nothing unless a scenario says so.
        if (profile == "described" || profile.empty()) {
            s["peer-identity"].insert(s["peer-identity"].begin(),
                                      to_hex(crypto::ed25519_from_seed(kClientSeed).public_key));
        }
        std::string knob_text;
        for (const auto& k : knobs) {
            knob_text += (knob_text.empty() ? " with --bug " : ", ") + k;
        }
        return std::make_shared<conformance::MachineReferencePeer>(
            "shakedown reference peer (in process)" + knob_text, variant().transport(profile, s),
            registry::flagged_machine_factory(variant(), profile, s, knobs), registry::drive_limits(s),
            variant().connection_limits(profile, s));
    };
    v.catalogue = [](const registry::CatalogueOptions& o) {
        return conformance::sft_scenarios::make_catalogue(variant(), o);
    };
    // described: the §10 identities, each side pinning the other's key; a wrong credential is a
    // client key the server was not provisioned with. upstream-v2 clients pin nothing and sign
    // nothing (only the server authenticates).
    v.load = [](const std::string& profile) {
        registry::LoadSetup s;
        if (profile == "upstream-v2") {
            s.no_credential = "an upstream-v2 client presents no credential: only the server signs (docs/protocols/sft.md)";
            return s;
        }
        const auto client = crypto::ed25519_from_seed(kClientSeed).public_key;
        const auto server = crypto::ed25519_from_seed(kServerSeed).public_key;
        s.initiator = {"--identity-seed", to_hex(kClientSeed), "--peer-identity", to_hex(server)};
        s.acceptor = {"--identity-seed", to_hex(kServerSeed), "--peer-identity", to_hex(client)};
        s.wrong_credential = {"--identity-seed", std::string(64, '7')};
        return s;
    };
    // The §10 identities, each side pinning the other's key (the acceptor is the server).
    v.loopback = [](const std::string&) {
        const auto client = crypto::ed25519_from_seed(kClientSeed).public_key;
        const auto server = crypto::ed25519_from_seed(kServerSeed).public_key;
        return std::vector<registry::LoopbackPair>{
            {"default",
             {{"identity-seed", {to_hex(kClientSeed)}}, {"peer-identity", {to_hex(server)}}},
             {{"identity-seed", {to_hex(kServerSeed)}}, {"peer-identity", {to_hex(client)}}}}};
    };
    v.shim_flags = {
        {"now", "UNIX", "the clock, in seconds since the epoch (timestamps, J1, J6, the handshake deadline)", false},
        {"identity-seed", "HEX", "32-byte Ed25519 seed of this end's identity (random when absent)", false},
        {"peer-identity", "HEX", "client: the pinned server key; described server: the provisioned client key", false},
        {"sandbox", "DIR", "the directory the reference keeps transferred files in (memory when absent)", false},
        {"ping", "", "client: send one ping once the handshake completes", false},
        {"utc-offset", "SECONDS", "naive local time = UTC + this offset, for JSON timestamps", false},
        // An established SFT session waits for requests as long as the peer keeps it: this bound
        // is what ends a live peer's connection after its handshake.
        {"timeout-ms", "MS", "upper bound on one connection's life, the handshake included", false},
        // The catalogue's servers run without the flood budget (it would end a catalogue after
        // ten handshakes); acceptor.dos.kdf-budget-spent grades the budget with 0.
        {"kdf-budget", "N|unlimited", "a server's unauthenticated key derivations per 60 s (default 10)", false},
        {"handshake-deadline", "SECONDS", "the overall handshake deadline, 1 to 30 (default 30, A5)", false,
         deadline_check},
    };
    // The deadline scenarios wait out the target's handshake deadline (30 s by the spec); a target
    // that can shorten it (--handshake-deadline) is graded on the shorter one, in seconds, not minutes.
    v.conform_flags = {
        {"deadline-scenarios-at", "SECONDS",
         "run the deadline and silence scenarios with the target's --handshake-deadline SECONDS (1 to 30)", false,
         deadline_check},
    };
    for (const auto& q : quirk_table()) {
        registry::Knob k;
        k.name = std::string(q.name);
        k.summary = std::string(q.description);
        if (k.name == "accept-reflected-confirmation" || k.name == "accept-any-length-prefix" ||
            k.name == "unthrottled-kdf") {
            k.profiles = {"upstream-v2"};
        }
        // The scenarios that exist to catch each knob (docs/protocols/sft.md, "Conformance
        // catalogue"). The replay set's memory has none: J1 admits 100 JSON records a minute, so
        // the 10,001st seq that would show it is 100 minutes away.
        static const std::map<std::string, std::vector<std::string>> must_fail = {
            {"no-identity-check", {"initiator.identity.foreign-server-key"}},
            {"accept-reflected-confirmation", {"initiator.confirmation.reflected-h3"}},
            {"accept-any-length-prefix", {"acceptor.length.h1-prefix-1mib", "initiator.length.h2-prefix-1mib"}},
            {"unthrottled-kdf", {"acceptor.dos.kdf-budget-spent"}},
            {"hmac-optional", {"acceptor.records.unsigned-ping"}},
            {"accept-float-seq", {"acceptor.records.float-seq"}},
            {"accept-reflected-record", {"initiator.records.reflected-ping"}},
            {"no-handshake-deadline", {"acceptor.deadline.u0-trickled", "initiator.deadline.u0-trickled"}},
            {"accept-data-replay", {"acceptor.records.replayed-data"}},
            {"no-data-bounds", {"acceptor.records.data-past-size"}},
        };
        if (const auto it = must_fail.find(k.name); it != must_fail.end()) {
            k.must_fail = it->second;
        }
        if (k.name == "replay-set-never-evicts") {
            k.off_the_wire =
                "J1 admits 100 JSON records a minute: the seq set passes its 10,000 only after 100 minutes "
                "(tests/sft/knob_test.cpp: SftKnobs.ReplaySetIsBoundedUnlessNeverEvicts)";
        }
        v.knobs.push_back(std::move(k));
    }
    for (const char* t :
         {"h1", "h2", "confirm", "d1", "d2", "record_header", "record", "json_message", "payload", "canonical_json",
          "client_upstream", "server_upstream", "client_described", "server_described", "negative_control"}) {
        v.fuzz_targets.push_back(std::string("sft_") + t);
    }
    for (const Profile p : {Profile::described, Profile::upstream_v2}) {
        v.bench.push_back(registry::BenchCase{"sft/" + std::string(to_string(p)), [p] { bench_handshake(p); },
                                              [p] { bench_primitives(p); }});
    }
    // DATA records of one transfer chunk (§6: files go in 4,096-byte DATA records), and a ping.
    v.throughput.push_back(record_throughput("sft/record/data-" + std::to_string(kChunkSize), PayloadType::data,
                                             kChunkSize, Bytes(kChunkSize, 0x5a)));
    const Bytes ping = bench_ping_json();
    v.throughput.push_back(
        record_throughput("sft/record/json-ping-" + std::to_string(ping.size()), PayloadType::json, 0, ping));
    return v;
}

}  // namespace

const registry::Variant& variant() {
    static const registry::Variant v = build();
    return v;
}

}  // namespace shakedown::sft
