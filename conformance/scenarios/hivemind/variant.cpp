// HiveMind in the registry: profiles, messages, the reference machines configured from shim
// flags, the WebSocket transport (whose upgrade carries the authorization parameter), bug knobs,
// fuzz targets, vectors, the handshake benchmark and the conformance catalogue (catalogue.cpp); the
// reference peer is the generic machine peer over the transport.
#include "conformance/scenarios/hivemind/variant.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <utility>

#include "conformance/runner/websocket.hpp"
#include "conformance/scenarios/hivemind/catalogue.hpp"
#include "hivemind/handshake.hpp"
#include "hivemind/known_servers.hpp"
#include "vectors/gen/hivemind/hivemind_vectors.hpp"

namespace shakedown::hivemind {

namespace {

// Settings are read directly (the registry's parse_settings fills them from shim_flags).
const std::vector<std::string>* values(const registry::Settings& s, const std::string& name) {
    const auto it = s.find(name);
    return it == s.end() ? nullptr : &it->second;
}
std::optional<std::string> one(const registry::Settings& s, const std::string& name) {
    const auto* v = values(s, name);
    return v == nullptr || v->empty() ? std::nullopt : std::optional<std::string>(v->back());
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// A list flag given once per item or as one comma-separated value.
std::vector<std::string> list_of(const std::vector<std::string>& raw) {
    std::vector<std::string> out;
    for (const auto& r : raw) {
        std::size_t start = 0;
        while (start <= r.size()) {
            const auto comma = r.find(',', start);
            const auto item = r.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!item.empty()) {
                out.push_back(item);
            }
            if (comma == std::string::npos) {
                break;
            }
            start = comma + 1;
        }
    }
    return out;
}

std::unique_ptr<Machine> make_machine(const registry::MachineRequest& req, Rng& rng, const Clock& clock,
                                      std::string& error) {
    Config c;
    c.role = req.role;
    const auto mode = mode_from_string(one(req.settings, "mode").value_or("password"));
    if (!mode) {
        error = "--mode must be password, rsa or preshared";
        return nullptr;
    }
    c.mode = *mode;
    c.password = one(req.settings, "password").value_or(c.mode == Mode::password ? "test-password-123" : "");
    c.crypto_key = one(req.settings, "crypto-key").value_or("");
    if (const auto path = one(req.settings, "key")) {
        if (!read_file(*path, c.own_key_pem)) {
            error = "cannot read --key " + *path;
            return nullptr;
        }
    } else if (req.role == Role::acceptor || c.mode == Mode::rsa) {
        // The fixed test keys (vectors/hivemind/keys/) when none is given.
        c.own_key_pem = vectors::test_key_pem(req.role == Role::acceptor ? "server_rsa2048" : "client_rsa2048");
    }
    if (const auto path = one(req.settings, "pin")) {
        if (!read_file(*path, c.pinned_server_pem)) {
            error = "cannot read --pin " + *path;
            return nullptr;
        }
    }
    if (const auto path = one(req.settings, "known-servers"); path && req.role == Role::initiator) {
        // Checked now, so that a malformed file is a configuration error before any connection.
        KnownServersFile file(*path);
        KnownServersError problem;
        if (!file.load(problem)) {
            error = "--known-servers " + problem.describe();
            return nullptr;
        }
        if (c.mode == Mode::rsa) {
            if (req.remote.empty()) {
                error = "--known-servers needs the server's HOST:PORT (a live initiator, shakedown peer --connect)";
                return nullptr;
            }
            c.known_servers =
                known_servers_store(*path, req.remote, [](const std::string& line) { std::cerr << line << std::endl; });
        }
    }
    c.binarize = values(req.settings, "binarize") != nullptr;
    c.crypto_required = values(req.settings, "crypto-optional") == nullptr;
    if (const auto* e = values(req.settings, "encodings")) {
        c.encodings = list_of(*e);
    }
    if (const auto* e = values(req.settings, "ciphers")) {
        c.ciphers = list_of(*e);
    } else if (req.role == Role::acceptor) {
        c.ciphers = {"AES-GCM", "CHACHA20-POLY1305"};
    }
    for (const auto& name : req.knobs) {
        if (!set_quirk(c.quirks, name)) {
            error = "unknown knob " + name;
            return nullptr;
        }
    }
    if (req.profile == "upstream") {
        for (const auto& info : quirk_table()) {
            c.quirks.*info.flag = true;
        }
    }
    return std::make_unique<HiveMachine>(std::move(c), rng, clock);
}

// The value of `name` in the query of an upgrade target, as sent (HiveMind's authorization is
// not percent-encoded); nullopt when absent.
std::optional<std::string_view> query_parameter(std::string_view target, std::string_view name) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        }
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return std::nullopt;
}

// The machines' units are WebSocket messages behind one opcode byte, which is the transport's
// opcode prefix.
static_assert(kOpText == 0x01 && kOpBinary == 0x02, "HiveMind units must match the WebSocket opcode prefix");

// WebSocket on path "/": the client's upgrade carries ?authorization= (useragent:access_key);
// the server refuses an upgrade without a well-formed one, or, when it was given --access-key,
// with another key.
std::shared_ptr<const conformance::TransportFactory> transport(const std::string& /*profile*/,
                                                               const registry::Settings& settings) {
    conformance::WebSocketOptions o;
    o.opcode_prefix = true;
    o.path = "/";
    const Authorization own{one(settings, "useragent").value_or("shakedown"),
                            one(settings, "access-key").value_or("shakedown-access-key")};
    o.query = "authorization=" + write_authorization(own);
    o.accept_target = [required = one(settings, "access-key")](std::string_view target, std::string& why) {
        const auto value = query_parameter(target, "authorization");
        if (!value) {
            why = "no authorization parameter";
            return false;
        }
        const auto auth = parse_authorization(*value);
        if (!auth) {
            why = "malformed authorization parameter: " + auth.failure().describe();
            return false;
        }
        if (required && auth->access_key != *required) {
            why = "unknown access key";
            return false;
        }
        return true;
    };
    return std::make_shared<conformance::WebSocketTransportFactory>(std::move(o));
}

// One in-memory handshake of `mode` and, separately, exactly the primitives it performs.
registry::BenchCase bench_case(Mode mode) {
    registry::BenchCase b;
    b.name = "hivemind/" + std::string(to_string(mode));
    // Both machines in memory. Their configurations are made once and copied into each pair of
    // machines; the units go through one output buffer kept from handshake to handshake, as a
    // connection loop keeps its write buffer.
    const auto configs = std::make_shared<const std::pair<Config, Config>>([mode] {
        Config client;
        client.role = Role::initiator;
        client.mode = mode;
        client.password = "test-password-123";
        client.crypto_key = "0123456789abcdef";
        client.encodings = {"JSON-HEX"};
        Config server = client;
        server.role = Role::acceptor;
        server.own_key_pem = vectors::test_key_pem("server_rsa2048");
        server.encodings = kDefaultEncodings;
        if (mode == Mode::rsa) {
            client.own_key_pem = vectors::test_key_pem("client_rsa2048");
        }
        return std::pair{client, server};
    }());
    b.handshake = [configs] {
        static OutputUnits units;
        SystemRng rng;
        FixedClock clock(0);
        HiveMachine c(configs->first, rng, clock);
        HiveMachine s(configs->second, rng, clock);
        s.start();
        c.start();
        for (int round = 0; round < 4; ++round) {
            units.clear();
            s.drain_output(units);
            for (const ByteView u : units) {
                c.receive(u);
            }
            units.clear();
            c.drain_output(units);
            for (const ByteView u : units) {
                s.receive(u);
            }
        }
    };
    // Every cryptographic operation the two machines perform, in the same numbers: key loading
    // and PEM export, strength checks, envelopes, PBKDF2, and the HELLO's seal and open.
    b.primitives = [mode] {
        static const std::string server_pem = vectors::test_key_pem("server_rsa2048");
        static const std::string client_pem = vectors::test_key_pem("client_rsa2048");
        SystemRng rng;
        const auto server_key = crypto::RsaKey::from_pem(server_pem);
        const std::string server_pub_pem = public_pem(*server_key);
        Bytes key(mode == Mode::preshared ? 16 : 32, 1);
        if (mode == Mode::password) {
            const Iv a = rng.array<8>();
            const Iv b2 = rng.array<8>();
            const auto ea = password_envelope("test-password-123", a);
            const auto eb = password_envelope("test-password-123", b2);
            (void)verify_password_envelope(ea, "test-password-123");
            (void)verify_password_envelope(eb, "test-password-123");
            (void)password_key("test-password-123", xor_salt(a, b2));
            (void)password_key("test-password-123", xor_salt(b2, a));
        } else if (mode == Mode::rsa) {
            const auto client_key = crypto::RsaKey::from_pem(client_pem);
            const std::string client_pub_pem = public_pem(*client_key);
            const auto server_pub = crypto::RsaKey::from_pem(server_pub_pem);
            (void)check_rsa_strength(*server_pub);
            (void)public_pem(*server_pub);
            const auto client_pub = crypto::RsaKey::from_pem(client_pub_pem);
            (void)check_rsa_strength(*client_pub);
            Bytes secret(32);
            rng.fill(secret);
            const auto env = rsa_envelope(*server_key, *client_pub, secret, rng);
            (void)open_rsa_envelope(*env, *server_pub, *client_key);
        }
        if (mode != Mode::password) {
            // The server's IV, drawn at start in every mode (the password draws are above).
            (void)rng.array<8>();
        }
        Bytes nonce(16);
        rng.fill(nonce);
        const auto sealed = seal(Cipher::aes_gcm, key, nonce, Bytes(200, 3));
        (void)open(Cipher::aes_gcm, key, *sealed);
    };
    return b;
}

registry::Variant make_variant() {
    registry::Variant v;
    v.name = "hivemind";
    v.summary = "HiveMind (OpenVoiceOS) password v1, RSA and pre-shared-key handshakes and the encrypted channel";
    v.doc = "docs/protocols/hivemind.md";
    v.profiles = {{"strict", "the reference's rules: every envelope verified, canonical encodings, no reflection"},
                  {"upstream", "the pinned upstream (hivemind-core 4.0.1a1, hivemind_bus_client 0.4.3): every bug knob on"}};
    v.messages = {"HELLO (server)", "HANDSHAKE (parameters)", "HANDSHAKE (client offer)", "HANDSHAKE (server choice)",
                  "HELLO (client, encrypted)", "encrypted text frame", "encrypted binary frame", "binarized frame"};
    v.transport_name = "websocket";
    v.vectors.generate = [](const shakedown::vectors::GenerateOptions& o) { return vectors::generate(o); };
    v.vectors.checker = [](const std::string& schema) { return vectors::checker(schema); };
    v.make_machine = &make_machine;
    v.catalogue = [](const registry::CatalogueOptions& options) { return make_catalogue(variant(), options); };
    v.transport = &transport;
    // Each authentication mode, with the default password and the fixed test RSA keys.
    v.loopback = [](const std::string&) {
        std::vector<registry::LoopbackPair> pairs;
        for (const char* mode : {"password", "rsa", "preshared"}) {
            const registry::Settings s{{"mode", {mode}}, {"crypto-key", {"0123456789abcdef"}}};
            pairs.push_back({mode, s, s});
        }
        return pairs;
    };
    // Password mode with the default password on both sides; a wrong credential is another password.
    v.load = [](const std::string&) {
        registry::LoadSetup s;
        s.wrong_credential = {"--password", "not-the-password"};
        return s;
    };
    v.shim_flags = {
        {"now", "UNIX", "current time in seconds (HiveMind carries no timestamps; accepted and ignored)", false},
        {"mode", "MODE", "password (default), rsa or preshared", false},
        {"password", "TEXT", "the shared password (default test-password-123)", false},
        {"crypto-key", "TEXT", "pre-shared crypto_key, 16/24/32 characters (mode preshared)", false},
        {"key", "FILE", "own RSA private key PEM (default: the fixed test key of the role)", false},
        {"pin", "FILE", "client: pinned server public key PEM (default: trust on first use)", false},
        {"known-servers", "FILE",
         "client, RSA: trust a server's key on first use and pin it afterwards, in FILE (lines 'HOST:PORT "
         "SHA256:<hex>'; created when absent)",
         false},
        {"encodings", "LIST", "encodings in preference order (comma-separated or repeated)", true},
        {"ciphers", "LIST", "ciphers in preference order (AES-GCM, CHACHA20-POLY1305)", true},
        {"binarize", "", "offer binarized frames", false},
        {"crypto-optional", "", "server: do not require encryption", false},
        {"access-key", "TEXT",
         "client: the access key of the authorization parameter (default shakedown-access-key); server: the only "
         "one accepted (default: any)",
         false},
        {"useragent", "TEXT", "client: the useragent of the authorization parameter (default shakedown)", false},
    };
    // The upstream profile has every knob on already: each knob is graded against the strict one.
    for (const auto& q : quirk_table()) {
        const auto it = knob_scenarios().find(q.name);
        v.knobs.push_back(registry::Knob{std::string(q.name), std::string(q.description),
                                         it == knob_scenarios().end() ? std::vector<std::string>{} : it->second,
                                         {"strict"}, {}});
    }
    v.fuzz_targets = {"hivemind_json", "hivemind_message", "hivemind_server_hello", "hivemind_server_params",
                      "hivemind_client_offer", "hivemind_server_choice", "hivemind_client_hello",
                      "hivemind_password_envelope", "hivemind_rsa_envelope", "hivemind_decode_hex", "hivemind_decode_b64",
                      "hivemind_decode_urlsafe_b64", "hivemind_decode_b32", "hivemind_decode_b91", "hivemind_decode_z85b",
                      "hivemind_decode_z85p", "hivemind_binarized_frame", "hivemind_encrypted_json_frame",
                      "hivemind_encrypted_binary_frame", "hivemind_authorization", "hivemind_server", "hivemind_client",
                      "hivemind_negative_control"};
    v.bench = {bench_case(Mode::password), bench_case(Mode::rsa), bench_case(Mode::preshared)};
    return v;
}

}  // namespace

const registry::Variant& variant() {
    static const registry::Variant v = make_variant();
    return v;
}

}  // namespace shakedown::hivemind
