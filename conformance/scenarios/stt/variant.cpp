// STT descriptor: the reference machines behind the shim flags, the UDP transport (so the generic
// reference peer serves them), the bug knobs, the vector hooks, the fuzz targets and the handshake
// benchmark. The scenario catalogue is not part of it yet.
#include "conformance/scenarios/stt/variant.hpp"

#include "common/crypto.hpp"
#include "conformance/runner/udp.hpp"
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

std::unique_ptr<Machine> make_machine(const registry::MachineRequest& request, Rng& rng, const Clock& clock,
                                      std::string& error) {
    Config c;
    c.role = request.role;
    Bytes node_seed(32, request.role == Role::initiator ? 0x01 : 0x02);
    Bytes shared(as_bytes("Shakedown STT conformance seed!!").begin(), as_bytes("Shakedown STT conformance seed!!").end());
    if (!hex_setting(request.settings, "node-seed", node_seed, error) ||
        !hex_setting(request.settings, "shared-seed", shared, error)) {
        return nullptr;
    }
    c.node_seed = SecretBytes(node_seed);
    c.shared_seed = SecretBytes(shared);
    secure_wipe(node_seed);
    secure_wipe(shared);
    if (const std::string* suite = last_value(request.settings, "suite"); suite != nullptr && *suite != kReferenceSuite) {
        error = "--suite: only " + std::string(kReferenceSuite) + " is implemented";
        return nullptr;
    }
    if (const std::string* w = last_value(request.settings, "timestamp-window-ms"); w != nullptr) {
        try {
            const unsigned long v = std::stoul(*w);
            if (v > UINT32_MAX) {
                throw std::out_of_range("window");
            }
            c.timestamp_window_ms = static_cast<std::uint32_t>(v);
        } catch (const std::exception&) {
            error = "--timestamp-window-ms: expected milliseconds";
            return nullptr;
        }
    }
    for (const std::string& k : request.knobs) {
        if (!set_quirk(c.quirks, k)) {
            error = "unknown knob '" + k + "'";
            return nullptr;
        }
    }
    return std::make_unique<Handshake>(std::move(c), rng, clock);
}

void run_handshake() {
    FixedClock clock(1767225600);
    ByteArray<32> si{};
    si.fill(0xa1);
    ByteArray<32> sr{};
    sr.fill(0xb2);
    SeededRng ri(si);
    SeededRng rr(sr);
    Config ci;
    ci.role = Role::initiator;
    ci.node_seed = SecretBytes(Bytes(32, 1));
    ci.shared_seed = SecretBytes(Bytes(32, 3));
    Config cr = ci;
    cr.role = Role::acceptor;
    cr.node_seed = SecretBytes(Bytes(32, 2));
    Handshake i(std::move(ci), ri, clock);
    Handshake r(std::move(cr), rr, clock);
    i.start();
    r.start();
    for (int round = 0; round < 3; ++round) {
        for (Bytes& d : i.take_output()) {
            r.receive(d);
        }
        for (Bytes& d : r.take_output()) {
            i.receive(d);
        }
    }
    if (!i.authenticated() || !r.authenticated()) {
        std::abort();  // a benchmark of a failing handshake would measure nothing
    }
}

// Exactly the primitive operations one handshake performs (docs/protocols/stt.md, "Key schedule"):
// 4 random draws (two 32-byte nonces, two 24-byte AEAD nonces), 6 SHA-256 (two node ids,
// commitment made and checked, two transcript hashes), 4 HKDF (two handshake keys, two session
// keys), 4 HKDF-Expand (data keys), 2 XChaCha20-Poly1305 seals (challenge, proof) and 2 opens.
void run_primitives() {
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
    const Bytes nonce24(24, 5);
    const Bytes h(195, 7);
    const Bytes resp(240, 8);
    Bytes sink;
    for (int k = 0; k < 6; ++k) {
        const auto d = crypto::sha256(k < 4 ? ByteView(seed) : ByteView(resp));
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
    v.profiles = {{"strict", "the reference: framed handshake datagrams, strict TLV, the design document's security intent"}};
    v.messages = {"HELLO", "RESPONSE", "AUTH_PROOF", "FINAL"};
    v.transport_name = "udp";
    v.vectors.generate = [](const shakedown::vectors::GenerateOptions& o) { return stt::vectors::generate(o); };
    v.vectors.checker = [](const std::string& schema) { return stt::vectors::checker(schema); };
    v.make_machine = make_machine;
    // One machine unit is one datagram carrying one frame; the transport's bound is the frame
    // layer's, so an oversized datagram reaches the machine (as a limit) and is judged there.
    v.transport = [](const std::string&, const registry::Settings&) {
        conformance::UdpLimits limits;
        limits.max_datagram = kMaxDatagram;
        return std::make_shared<const conformance::UdpTransportFactory>(limits);
    };
    v.shim_flags = {
        {"node-seed", "HEX", "this node's seed (node_id = SHA-256 of it)", false},
        {"shared-seed", "HEX", "the network's shared seed", false},
        {"suite", "NAME", "cipher suite (xchacha20poly1305-hkdf-sha256)", false},
        {"timestamp-window-ms", "MS", "accepted clock difference either way (default 30000)", false},
        {"now", "UNIX", "the clock, in seconds since the Unix epoch", false},
    };
    for (const QuirkInfo& q : quirk_table()) {
        v.knobs.push_back({std::string(q.name), std::string(q.description), {}, {}});
    }
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

}  // namespace shakedown::stt
