// Full handshake transcripts: both reference machines played in step from scripted randomness,
// with optional edits of the wire (a man in the middle), every unit and each side's outcome.
#include <map>
#include <memory>
#include <optional>

#include "hivemind/handshake.hpp"
#include "vectors/gen/hivemind/hivemind_vectors.hpp"
#include "vectors/gen/json_strict.hpp"

namespace shakedown::hivemind::vectors {

namespace {

using shakedown::vectors::GeneratedFile;
using shakedown::vectors::StrictObject;
using shakedown::vectors::VectorError;
using VJson = shakedown::vectors::Json;

struct SideSpec {
    std::string password = "test-password-123";
    std::string crypto_key;
    std::string key;     // test key name, or empty
    std::string pinned;  // client: test key name whose public part is pinned
    bool binarize = false;
    bool crypto_required = true;
    std::vector<std::string> encodings = kDefaultEncodings;
    std::vector<std::string> ciphers = kDefaultCiphers;
    std::vector<std::string> knobs;
    Bytes rng;  // exact bytes drawn (checking) or a prefix before the seeded stream (generating)
};

struct Edit {
    std::size_t unit = 0;
    std::string op;  // replace, drop, duplicate, inject
    Bytes data;      // replace / inject: a transport unit (inject with seal: opcode + plaintext)
    std::string from;  // inject: the sender
    bool seal = false;
};

struct CaseSpec {
    std::string group;
    std::string comment;
    std::vector<std::string> flags;
    std::string result = "valid";
    Mode mode = Mode::password;
    SideSpec client;
    SideSpec server;
    std::vector<Edit> edits;
    // Upstream-knob cases whose outcome is the finding: "acceptable" when the handshake
    // completes, "invalid" when it does not.
    bool result_from_run = false;
};

// PBKDF2 at the spec's 100000 iterations, once per (password, salt) in a run.
PasswordKdf cached_kdf() {
    return [](std::string_view password, const Iv& salt, std::uint32_t iterations) -> Result<SecretBytes> {
        static std::map<std::string, Bytes> cache;
        const std::string id = std::string(password) + "|" + to_hex(salt) + "|" + std::to_string(iterations);
        auto it = cache.find(id);
        if (it == cache.end()) {
            SK_TRY(SecretBytes k, password_key(password, salt, iterations));
            it = cache.emplace(id, Bytes(k.view().begin(), k.view().end())).first;
        }
        return SecretBytes(it->second);
    };
}

std::string public_of(const std::string& key_name) {
    auto k = crypto::RsaKey::from_pem(test_key_pem(key_name));
    if (!k) {
        throw VectorError("unknown test key " + key_name);
    }
    return public_pem(*k);
}

Config config_of(const SideSpec& s, Role role, Mode mode) {
    Config c;
    c.role = role;
    c.mode = mode;
    c.password = s.password;
    c.crypto_key = s.crypto_key;
    if (!s.key.empty()) {
        c.own_key_pem = test_key_pem(s.key);
        if (c.own_key_pem.empty()) {
            throw VectorError("unknown test key " + s.key);
        }
    }
    if (!s.pinned.empty()) {
        c.pinned_server_pem = public_of(s.pinned);
    }
    c.binarize = s.binarize;
    c.crypto_required = s.crypto_required;
    c.encodings = s.encodings;
    c.ciphers = s.ciphers;
    c.kdf = cached_kdf();
    for (const auto& k : s.knobs) {
        if (!set_quirk(c.quirks, k)) {
            throw VectorError("unknown knob " + k);
        }
    }
    return c;
}

struct Run {
    std::unique_ptr<ScriptedRng> client_rng;
    std::unique_ptr<ScriptedRng> server_rng;
    FixedClock clock{0};
    std::unique_ptr<HiveMachine> client;
    std::unique_ptr<HiveMachine> server;
    std::vector<std::pair<std::string, Bytes>> wire;
    Bytes client_script;
    Bytes server_script;
};

Bytes script_for(const Bytes& prefix, std::uint8_t seed, bool exact) {
    if (exact) {
        return prefix;
    }
    ByteArray<32> s{};
    s.fill(seed);
    SeededRng rng(s);
    Bytes tail(2048);
    rng.fill(tail);
    return concat({prefix, tail});
}

std::unique_ptr<Run> run(const CaseSpec& spec, bool exact_rng) {
    auto r = std::make_unique<Run>();
    r->client_script = script_for(spec.client.rng, 0xc1, exact_rng);
    r->server_script = script_for(spec.server.rng, 0x51, exact_rng);
    r->client_rng = std::make_unique<ScriptedRng>(r->client_script);
    r->server_rng = std::make_unique<ScriptedRng>(r->server_script);
    r->client = std::make_unique<HiveMachine>(config_of(spec.client, Role::initiator, spec.mode), *r->client_rng, r->clock);
    r->server = std::make_unique<HiveMachine>(config_of(spec.server, Role::acceptor, spec.mode), *r->server_rng, r->clock);
    r->server->start();
    r->client->start();
    std::size_t index = 0;
    for (int round = 0; round < 32; ++round) {
        bool moved = false;
        for (const bool from_server : {true, false}) {
            HiveMachine& from = from_server ? *r->server : *r->client;
            HiveMachine& to = from_server ? *r->client : *r->server;
            const std::string from_name = from_server ? "server" : "client";
            for (auto& u : from.take_output()) {
                moved = true;
                const std::size_t i = index++;
                std::vector<Bytes> deliver{u};
                for (const auto& e : spec.edits) {
                    if (e.unit != i) {
                        continue;
                    }
                    if (e.op == "replace") {
                        deliver = {e.data};
                    } else if (e.op == "drop") {
                        deliver.clear();
                    } else if (e.op == "duplicate") {
                        deliver = {u, u};
                    }
                }
                for (const auto& d : deliver) {
                    r->wire.emplace_back(from_name, d);
                    to.receive(d);
                }
                for (const auto& e : spec.edits) {
                    if (e.unit != i || e.op != "inject") {
                        continue;
                    }
                    HiveMachine& sender = e.from == "server" ? *r->server : *r->client;
                    HiveMachine& receiver = e.from == "server" ? *r->client : *r->server;
                    Bytes unit = e.data;
                    if (e.seal) {
                        auto sealed = sender.seal_raw(ByteView(e.data).subspan(1), e.data[0] == kOpBinary);
                        if (!sealed) {
                            throw VectorError("inject: cannot seal: " + sealed.failure().describe());
                        }
                        unit = *sealed;
                    }
                    r->wire.emplace_back(e.from, unit);
                    receiver.receive(unit);
                }
            }
        }
        if (!moved) {
            break;
        }
    }
    if (r->client_rng->exhausted() || r->server_rng->exhausted()) {
        throw VectorError("scripted randomness ran out");
    }
    return r;
}

VJson unit_json(const Bytes& u) {
    VJson j = VJson::object();
    if (!u.empty() && u[0] == kOpText && check_utf8(ByteView(u).subspan(1)).ok()) {
        j["opcode"] = "text";
        j["text"] = std::string(u.begin() + 1, u.end());
    } else if (!u.empty() && (u[0] == kOpText || u[0] == kOpBinary)) {
        j["opcode"] = u[0] == kOpText ? "text" : "binary";
        j["hex"] = to_hex(ByteView(u).subspan(1));
    } else {
        j["raw"] = to_hex(u);
    }
    return j;
}

Bytes unit_from(StrictObject& o) {
    if (const VJson* raw = o.opt("raw")) {
        return shakedown::vectors::hex_value(*raw, o.path() + ".raw");
    }
    const std::string op = o.str("opcode");
    if (op != "text" && op != "binary") {
        throw VectorError(o.path() + ".opcode: text or binary");
    }
    const std::uint8_t code = op == "text" ? kOpText : kOpBinary;
    if (const VJson* t = o.opt("text")) {
        if (!t->is_string()) {
            throw VectorError(o.path() + ".text: expected a string");
        }
        return concat({Bytes{code}, as_bytes(t->get<std::string>())});
    }
    return concat({Bytes{code}, o.hex("hex")});
}

VJson side_json(const SideSpec& s, const Bytes& used_rng, bool client) {
    VJson j = VJson::object();
    j["password"] = s.password;
    j["cryptoKey"] = s.crypto_key;
    j["key"] = s.key.empty() ? VJson(nullptr) : VJson(s.key);
    if (client) {
        j["pinnedKey"] = s.pinned.empty() ? VJson(nullptr) : VJson(s.pinned);
    } else {
        j["cryptoRequired"] = s.crypto_required;
    }
    j["binarize"] = s.binarize;
    j["encodings"] = s.encodings;
    j["ciphers"] = s.ciphers;
    j["knobs"] = s.knobs;
    j["rng"] = to_hex(used_rng);
    return j;
}

SideSpec side_from(StrictObject o, bool client) {
    SideSpec s;
    s.password = o.str("password");
    s.crypto_key = o.str("cryptoKey");
    const VJson& key = o.req("key");
    s.key = key.is_null() ? "" : key.get<std::string>();
    if (client) {
        const VJson& pin = o.req("pinnedKey");
        s.pinned = pin.is_null() ? "" : pin.get<std::string>();
    } else {
        s.crypto_required = o.req("cryptoRequired").get<bool>();
    }
    s.binarize = o.req("binarize").get<bool>();
    s.encodings = o.req("encodings").get<std::vector<std::string>>();
    s.ciphers = o.req("ciphers").get<std::vector<std::string>>();
    s.knobs = o.req("knobs").get<std::vector<std::string>>();
    s.rng = o.hex("rng");
    o.finish();
    return s;
}

VJson outcome_json(const HiveMachine& m) {
    VJson j = VJson::object();
    j["authenticated"] = m.authenticated();
    const auto c = m.closure();
    j["error"] = c ? VJson(std::string(to_string(c->failure.code))) : VJson(nullptr);
    j["offset"] = c && c->failure.offset != kNoOffset ? VJson(c->failure.offset) : VJson(nullptr);
    j["atMessage"] = c ? VJson(c->at_message) : VJson(nullptr);
    j["sent"] = c ? VJson(c->sent) : VJson(nullptr);
    VJson keys = VJson::object();
    for (const auto& k : m.derived_keys()) {
        keys[k.name] = to_hex(k.value);
    }
    j["keys"] = keys;
    j["encoding"] = m.encoding() ? VJson(std::string(wire_name(*m.encoding()))) : VJson(nullptr);
    j["cipher"] = m.cipher() ? VJson(std::string(wire_name(*m.cipher()))) : VJson(nullptr);
    j["binarize"] = m.binarized();
    VJson received = VJson::array();
    for (const auto& r : m.received()) {
        received.push_back(serialize_message(r.message));
    }
    j["received"] = received;
    return j;
}

VJson edit_json(const Edit& e) {
    VJson j = VJson::object();
    j["unit"] = e.unit;
    j["op"] = e.op;
    if (e.op == "replace" || e.op == "inject") {
        j["data"] = unit_json(e.data);
    }
    if (e.op == "inject") {
        j["from"] = e.from;
        j["seal"] = e.seal;
    }
    return j;
}

Edit edit_from(StrictObject o) {
    Edit e;
    e.unit = static_cast<std::size_t>(o.integer("unit", 0, 1000));
    e.op = o.str("op");
    if (e.op == "replace" || e.op == "inject") {
        StrictObject d = o.object("data");
        e.data = unit_from(d);
        d.finish();
    }
    if (e.op == "inject") {
        e.from = o.str("from");
        e.seal = o.req("seal").get<bool>();
    }
    o.finish();
    return e;
}

VJson wire_json(const Run& r) {
    VJson w = VJson::array();
    for (const auto& [from, unit] : r.wire) {
        VJson j = VJson::object();
        j["from"] = from;
        const VJson u = unit_json(unit);
        for (const auto& [k, v] : u.items()) {
            j[k] = v;
        }
        w.push_back(j);
    }
    return w;
}

// ---- Case construction -------------------------------------------------------------------

SideSpec client_side(Mode mode) {
    SideSpec s;
    if (mode == Mode::rsa) {
        s.key = "client_rsa2048";
    }
    if (mode == Mode::preshared) {
        s.crypto_key = "0123456789abcdef";
        s.password.clear();
    }
    return s;
}

SideSpec server_side(Mode mode) {
    SideSpec s;
    s.key = "server_rsa2048";
    s.ciphers = {"AES-GCM", "CHACHA20-POLY1305"};
    if (mode == Mode::preshared) {
        s.crypto_key = "0123456789abcdef";
        s.password.clear();
    }
    return s;
}

CaseSpec base(std::string group, Mode mode, std::string comment) {
    CaseSpec c;
    c.group = std::move(group);
    c.mode = mode;
    c.comment = std::move(comment);
    c.client = client_side(mode);
    c.server = server_side(mode);
    return c;
}

// The unit at `index` of an unedited run of `spec`.
Bytes original_unit(const CaseSpec& spec, std::size_t index) {
    CaseSpec plain = spec;
    plain.edits.clear();
    auto r = run(plain, false);
    if (index >= r->wire.size()) {
        throw VectorError("original_unit: no unit " + std::to_string(index));
    }
    return r->wire[index].second;
}

HiveMessage message_of(const Bytes& unit) {
    auto m = parse_message(ByteView(unit).subspan(1));
    if (!m) {
        throw VectorError("original unit is not a HiveMessage");
    }
    return *m;
}

Edit replace(std::size_t unit, Bytes data) { return Edit{unit, "replace", std::move(data), "", false}; }
Edit replace_text(std::size_t unit, const std::string& text) { return replace(unit, text_unit(text)); }
Edit inject_sealed(std::size_t after, std::string from, std::uint8_t opcode, ByteView plaintext) {
    return Edit{after, "inject", concat({Bytes{opcode}, plaintext}), std::move(from), true};
}
Edit inject_plain(std::size_t after, std::string from, Bytes unit) {
    return Edit{after, "inject", std::move(unit), std::move(from), false};
}

// Rewrites one payload field of the HiveMessage in unit `index`.
Edit rewrite_payload(const CaseSpec& spec, std::size_t index, const std::string& key, Json value) {
    HiveMessage m = message_of(original_unit(spec, index));
    m.payload.set(key, std::move(value));
    return replace_text(index, serialize_message(m));
}

Bytes bus_plaintext(const std::string& utterance) {
    HiveMessage bus;
    bus.msg_type = "bus";
    bus.payload.set("type", Json::string("recognizer_loop:utterance"));
    bus.payload.set("data", Json::object({{"utterances", Json::array({Json::string(utterance)}), 0}}));
    const std::string s = serialize_message(bus);
    return Bytes(s.begin(), s.end());
}

Bytes frame_bytes(const BinFrame& f) {
    auto w = serialize_frame(f);
    if (!w) {
        throw VectorError("cannot serialize frame");
    }
    return *w;
}

std::vector<CaseSpec> password_cases() {
    std::vector<CaseSpec> out;
    for (const auto e : all_encodings()) {
        auto c = base("password", Mode::password, std::string("password handshake, AES-GCM, ") +
                                                      std::string(wire_name(e)) + " text frames");
        c.client.encodings = {std::string(wire_name(e))};
        c.flags = {"Valid", "OfflineDictionaryAttack"};
        out.push_back(c);
    }
    for (const auto* enc : {"JSON-B64", "JSON-Z85P"}) {
        auto c = base("password", Mode::password, std::string("password handshake, ChaCha20-Poly1305, ") + enc);
        c.client.encodings = {enc};
        c.client.ciphers = {"CHACHA20-POLY1305"};
        c.flags = {"Valid"};
        out.push_back(c);
    }
    for (const auto* cipher : {"AES-GCM", "CHACHA20-POLY1305"}) {
        auto c = base("password", Mode::password, std::string("password handshake, binarized, ") + cipher);
        c.client.binarize = c.server.binarize = true;
        c.client.ciphers = {cipher};
        c.flags = {"Valid", "Binarized"};
        out.push_back(c);
    }
    {
        auto c = base("password", Mode::password, "the upstream known answer's IVs, client offering every default encoding");
        c.client.rng = *from_hex("0001020304050607");
        c.server.rng = *from_hex("f0e1d2c3b4a59687");
        c.flags = {"Valid", "KnownAnswer"};
        out.push_back(c);
    }
    {
        auto c = base("password", Mode::password, "wrong password: the strict server rejects the envelope and closes");
        c.client.password = "wrong-password";
        c.result = "invalid";
        c.flags = {"WrongPassword"};
        out.push_back(c);
    }
    {
        auto c = base("password", Mode::password,
                      "wrong password against the upstream server (never verifies): only the client notices");
        c.client.password = "wrong-password";
        c.server.knobs = {"skip-envelope-check"};
        c.result = "invalid";
        c.flags = {"WrongPassword", "UpstreamDefect"};
        out.push_back(c);
    }
    for (const bool knob : {false, true}) {
        auto c = base("password", Mode::password,
                      knob ? "reflected envelope accepted by a client with the upstream rule: salt 0, keys diverge"
                           : "the server's answer echoes the client's own envelope (reflection, salt 0)");
        const HiveMessage offer = message_of(original_unit(c, 2));
        c.edits = {rewrite_payload(c, 3, "envelope", *offer.payload.find("envelope"))};
        if (knob) {
            c.client.knobs = {"accept-reflection"};
        }
        c.result = "invalid";
        c.flags = knob ? std::vector<std::string>{"Reflection", "UpstreamDefect"} : std::vector<std::string>{"Reflection"};
        out.push_back(c);
    }
    {
        auto c = base("password", Mode::password, "envelope of the client's own making: valid for it");
        const std::string env = message_of(original_unit(c, 2)).payload.find("envelope")->s;
        std::string upper = env;
        for (auto& ch : upper) {
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        }
        const std::vector<std::pair<std::string, std::string>> bad = {
            {"envelope of 15 characters", env.substr(0, 15)},
            {"empty envelope", ""},
            {"envelope whose IV is not hex", "zz" + env.substr(2)},
            {"uppercase envelope", upper},
            {"envelope of 80 hex digits (valid 48 then 32 more)", env + env.substr(0, 32)},
            {"envelope of 47 characters", env.substr(0, 47)},
        };
        for (const auto& [what, value] : bad) {
            for (const bool knob : {false, true}) {
                auto m = base("password", Mode::password,
                              "malformed client envelope: " + what + (knob ? ", upstream server" : ""));
                m.edits = {rewrite_payload(m, 2, "envelope", Json::string(value))};
                if (knob) {
                    m.server.knobs = {"skip-envelope-check"};
                    m.result_from_run = true;
                }
                m.result = "invalid";
                m.flags = knob ? std::vector<std::string>{"MalformedEnvelope", "UpstreamDefect"}
                               : std::vector<std::string>{"MalformedEnvelope"};
                out.push_back(m);
            }
        }
    }
    {
        auto c = base("password", Mode::password, "empty password on both sides: both refuse to start");
        c.client.password = c.server.password = "";
        c.result = "invalid";
        c.flags = {"EmptyPassword"};
        out.push_back(c);
        c.comment = "empty password on both sides with the upstream rule: the handshake completes";
        c.client.knobs = c.server.knobs = {"accept-empty-password"};
        c.result = "acceptable";
        c.flags = {"EmptyPassword", "UpstreamDefect"};
        out.push_back(c);
    }
    return out;
}

std::vector<CaseSpec> rsa_cases() {
    std::vector<CaseSpec> out;
    {
        auto c = base("rsa", Mode::rsa, "RSA handshake, trust on first use, AES-GCM, JSON-HEX");
        c.client.encodings = {"JSON-HEX"};
        c.flags = {"Valid", "TrustOnFirstUse"};
        out.push_back(c);
    }
    {
        auto c = base("rsa", Mode::rsa, "RSA handshake, pinned server key, ChaCha20-Poly1305, binarized");
        c.client.pinned = "server_rsa2048";
        c.client.ciphers = {"CHACHA20-POLY1305"};
        c.client.binarize = c.server.binarize = true;
        c.flags = {"Valid", "Pinned", "Binarized"};
        out.push_back(c);
    }
    {
        auto c = base("rsa", Mode::rsa, "RSA handshake, pinned key, JSON-B91");
        c.client.pinned = "server_rsa2048";
        c.client.encodings = {"JSON-B91"};
        c.flags = {"Valid", "Pinned"};
        out.push_back(c);
    }
    {
        auto c = base("rsa", Mode::rsa, "RSA handshake, trust on first use, ChaCha20-Poly1305, JSON-B64 text frames");
        c.client.ciphers = {"CHACHA20-POLY1305"};
        c.client.encodings = {"JSON-B64"};
        c.flags = {"Valid", "TrustOnFirstUse"};
        out.push_back(c);
    }
    {
        auto c = base("rsa", Mode::rsa, "RSA handshake, trust on first use, AES-GCM, binarized");
        c.client.ciphers = {"AES-GCM"};
        c.client.binarize = c.server.binarize = true;
        c.flags = {"Valid", "TrustOnFirstUse", "Binarized"};
        out.push_back(c);
    }
    {
        auto c = base("rsa", Mode::rsa, "the server presents another key than the pinned one");
        c.client.pinned = "other_rsa2048";
        c.result = "invalid";
        c.flags = {"PinMismatch"};
        out.push_back(c);
        c.comment = "another key than the pinned one, client without pinning (upstream-like)";
        c.client.knobs = {"trust-every-key"};
        c.result = "acceptable";
        c.flags = {"PinMismatch", "UpstreamDefect"};
        out.push_back(c);
    }
    for (const bool knob : {false, true}) {
        auto c = base("rsa", Mode::rsa, knob ? "tampered PSS signature, client ignoring the failure (upstream)"
                                             : "tampered PSS signature in the server's envelope");
        std::string env = message_of(original_unit(c, 3)).payload.find("envelope")->s;
        env[0] = env[0] == '0' ? '1' : '0';
        c.edits = {rewrite_payload(c, 3, "envelope", Json::string(env))};
        if (knob) {
            c.client.knobs = {"ignore-bad-signature"};
        }
        c.result = knob ? "acceptable" : "invalid";
        c.flags = knob ? std::vector<std::string>{"TamperedSignature", "UpstreamDefect"}
                       : std::vector<std::string>{"TamperedSignature"};
        out.push_back(c);
    }
    {
        // Envelopes built outside the machine with the wrong OAEP parameters, correctly signed.
        const auto server_key = crypto::RsaKey::from_pem(test_key_pem("server_rsa2048")).value();
        const auto client_pub = crypto::RsaKey::from_pem(public_of("client_rsa2048")).value();
        const Bytes secret(32, 0x5e);
        for (const auto& [what, hash, label] :
             {std::tuple<std::string, crypto::Hash, std::string>{"OAEP with SHA-256 instead of SHA-1", crypto::Hash::sha256, ""},
              {"OAEP with a non-empty label", crypto::Hash::sha1, "hivemind"}}) {
            auto c = base("rsa", Mode::rsa, "server envelope: " + what);
            SeededRng rng(ByteArray<32>{0x0e});
            const Bytes ct = oaep_encrypt(client_pub, hash, as_bytes(label), secret, rng).value();
            const Bytes sig = pss_sha256_sign(server_key, ct, rng).value();
            c.edits = {rewrite_payload(c, 3, "envelope", Json::string(to_hex(concat({sig, ct}))))};
            c.result = "invalid";
            c.flags = {"WrongOaepParameters"};
            out.push_back(c);
        }
    }
    for (const auto* weak : {"weak_rsa1024", "weak_e3", "weak_e1_public", "weak_small_factor_public"}) {
        for (const bool knob : {false, true}) {
            auto c = base("rsa", Mode::rsa, std::string("server HELLO presents a weak key: ") + weak +
                                                (knob ? ", client accepting weak keys" : ""));
            c.edits = {rewrite_payload(c, 0, "pubkey", Json::string(public_of(weak)))};
            if (knob) {
                c.client.knobs = {"accept-weak-rsa-keys"};
            }
            c.result = "invalid";
            c.flags = {"WeakServerKey"};
            if (knob) {
                c.flags.emplace_back("UpstreamDefect");
            }
            out.push_back(c);
        }
    }
    return out;
}

std::vector<CaseSpec> negotiation_cases() {
    std::vector<CaseSpec> out;
    for (const bool knob : {false, true}) {
        auto c = base("negotiation", Mode::password,
                      knob ? "server's choice rewritten to JSON-HEX, client accepting any choice (downgrade)"
                           : "server's choice rewritten to JSON-HEX (downgrade)");
        c.edits = {rewrite_payload(c, 3, "encoding", Json::string("JSON-HEX"))};
        if (knob) {
            c.client.knobs = {"accept-any-choice"};
        }
        c.result = knob ? "acceptable" : "invalid";
        c.flags = knob ? std::vector<std::string>{"Downgrade", "UpstreamDefect"} : std::vector<std::string>{"Downgrade"};
        out.push_back(c);
    }
    {
        auto c = base("negotiation", Mode::password, "server choice without encoding and cipher: JSON-HEX / AES-GCM");
        c.client.encodings = {"JSON-HEX"};
        HiveMessage m = message_of(original_unit(c, 3));
        m.payload = Json::object({{"envelope", *m.payload.find("envelope"), 0}});
        c.edits = {replace_text(3, serialize_message(m))};
        c.flags = {"Valid", "Defaults"};
        out.push_back(c);
    }
    {
        auto c = base("negotiation", Mode::password, "no common cipher");
        c.client.ciphers = {"CHACHA20-POLY1305"};
        c.server.ciphers = {"AES-GCM"};
        c.result = "invalid";
        c.flags = {"EmptyIntersection"};
        out.push_back(c);
        c.comment = "no common encoding";
        c.client.ciphers = kDefaultCiphers;
        c.client.encodings = {"JSON-B91"};
        c.server.encodings = {"JSON-HEX"};
        out.push_back(c);
    }
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"encodings", "JSON-ROT13"}, {"ciphers", "AES-CBC"}}) {
        auto c = base("negotiation", Mode::password, "client offers an unknown name in " + key);
        c.edits = {rewrite_payload(c, 2, key, Json::array({Json::string(value), Json::string(key == "ciphers" ? "AES-GCM" : "JSON-HEX")}))};
        c.result = "invalid";
        c.flags = {"UnknownAlgorithm"};
        out.push_back(c);
    }
    {
        auto c = base("negotiation", Mode::password, "server advertises min_protocol_version 2 > max 1");
        c.edits = {rewrite_payload(c, 1, "min_protocol_version", Json::integer(2))};
        c.result = "invalid";
        c.flags = {"VersionRange"};
        out.push_back(c);
    }
    {
        auto c = base("negotiation", Mode::preshared, "pre-shared crypto_key (v0): no handshake, encrypted HELLO");
        c.flags = {"Valid", "PreSharedKey"};
        out.push_back(c);
    }
    return out;
}

std::vector<CaseSpec> channel_cases() {
    std::vector<CaseSpec> out;
    auto hex_case = [](std::string comment) {
        auto c = base("channel", Mode::password, std::move(comment));
        c.client.encodings = {"JSON-HEX"};
        return c;
    };
    {
        auto c = hex_case("the client's encrypted HELLO delivered twice: accepted twice (no sequence numbers)");
        c.edits = {Edit{4, "duplicate", {}, "", false}};
        c.result = "acceptable";
        c.flags = {"NoReplayProtection"};
        out.push_back(c);
    }
    {
        auto c = hex_case("two BUS messages after the handshake, then the first replayed: all accepted");
        c.edits = {inject_sealed(4, "client", kOpText, bus_plaintext("one")),
                   inject_sealed(4, "client", kOpText, bus_plaintext("two"))};
        c.result = "acceptable";
        c.flags = {"NoReplayProtection"};
        out.push_back(c);
        // Replay: the same sealed unit again, which needs its bytes: take them from a run.
        auto first = run(c, false);
        const Bytes one = first->wire[5].second;
        c.comment = "a sealed BUS message replayed after a later one (reordering and replay)";
        c.edits.push_back(inject_plain(4, "client", one));
        out.push_back(c);
    }
    for (const bool knob : {false, true}) {
        auto c = hex_case(knob ? "plaintext BUS after the handshake, crypto required, upstream rule (accepted)"
                               : "plaintext BUS after the handshake while crypto is required");
        const Bytes pt = bus_plaintext("hello");
        c.edits = {inject_plain(4, "client", text_unit(std::string(pt.begin(), pt.end())))};
        if (knob) {
            c.server.knobs = {"plaintext-after-handshake"};
        }
        c.result = knob ? "acceptable" : "invalid";
        c.flags = knob ? std::vector<std::string>{"PlaintextAfterHandshake", "UpstreamDefect"}
                       : std::vector<std::string>{"PlaintextAfterHandshake"};
        out.push_back(c);
    }
    for (const bool knob : {false, true}) {
        auto c = hex_case(knob ? "plaintext containing \"ciphertext\", server deciding by substring (upstream)"
                               : "plaintext containing \"ciphertext\", strict server deciding by structure");
        const Bytes pt = bus_plaintext("what is ciphertext");
        c.edits = {inject_plain(4, "client", text_unit(std::string(pt.begin(), pt.end())))};
        c.server.knobs = {"plaintext-after-handshake"};
        if (knob) {
            c.server.knobs.emplace_back("ciphertext-substring");
        }
        c.result = knob ? "invalid" : "acceptable";
        c.flags = knob ? std::vector<std::string>{"CiphertextSubstring", "UpstreamDefect"}
                       : std::vector<std::string>{"CiphertextSubstring", "PlaintextAfterHandshake"};
        out.push_back(c);
    }
    {
        // Rewrites of the client's encrypted HELLO (unit 4, JSON-HEX).
        auto base_case = hex_case("");
        const Bytes hello = original_unit(base_case, 4);
        const Json frame = parse_json(ByteView(hello).subspan(1)).value();
        const std::string ct = frame.find("ciphertext")->s;
        const std::string tag = frame.find("tag")->s;
        const std::string nonce = frame.find("nonce")->s;
        auto frame_text = [](std::vector<std::pair<std::string, std::string>> fields) {
            Json j = Json::object();
            for (auto& [k, v] : fields) {
                j.set(k, Json::string(v));
            }
            return dump_json(j);
        };
        std::string flipped = ct;
        flipped[0] = flipped[0] == '0' ? '1' : '0';
        const std::vector<std::tuple<std::string, std::string, std::string, std::vector<std::string>>> rewrites = {
            {"HELLO with the tag inside the ciphertext and no tag field", "valid",
             frame_text({{"ciphertext", ct + tag}, {"nonce", nonce}}), {"Valid", "TagInCiphertext"}},
            {"HELLO with a truncated tag (15 bytes)", "invalid",
             frame_text({{"ciphertext", ct}, {"tag", tag.substr(0, 30)}, {"nonce", nonce}}), {"TruncatedTag"}},
            {"HELLO without a tag and a ciphertext shorter than one", "invalid",
             frame_text({{"ciphertext", tag.substr(0, 20)}, {"nonce", nonce}}), {"TruncatedTag"}},
            {"HELLO with a zero-length ciphertext", "invalid",
             frame_text({{"ciphertext", ""}, {"tag", tag}, {"nonce", nonce}}), {"ZeroLengthCiphertext"}},
            {"HELLO with a 12-byte nonce under AES-GCM", "invalid",
             frame_text({{"ciphertext", ct}, {"tag", tag}, {"nonce", nonce.substr(0, 24)}}), {"WrongNonceSize"}},
            {"HELLO with one ciphertext bit flipped", "invalid",
             frame_text({{"ciphertext", flipped}, {"tag", tag}, {"nonce", nonce}}), {"BitFlip"}},
            {"HELLO with an uppercase hex nonce", "invalid",
             frame_text({{"ciphertext", ct}, {"tag", tag}, {"nonce", [&] {
                              std::string u = nonce;
                              for (auto& ch : u) {
                                  ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                              }
                              return u;
                          }()}}),
             {"NonCanonicalEncoding"}},
        };
        for (const auto& [what, result, text, flags] : rewrites) {
            auto c = hex_case(what);
            c.edits = {replace_text(4, text)};
            c.result = result;
            c.flags = flags;
            out.push_back(c);
        }
        auto c = hex_case("HELLO as a binary frame although binarize was not negotiated");
        c.edits = {replace(4, binary_unit(from_hex(nonce + ct + tag).value()))};
        c.result = "invalid";
        c.flags = {"UnexpectedBinary"};
        out.push_back(c);
    }
    return out;
}

std::vector<CaseSpec> binarized_cases() {
    std::vector<CaseSpec> out;
    auto bin_case = [](std::string comment) {
        auto c = base("binarized", Mode::password, std::move(comment));
        c.client.binarize = c.server.binarize = true;
        return c;
    };
    const Bytes bus_json = bus_plaintext("compressed");
    {
        auto c = bin_case("a compressed BUS frame after the handshake");
        BinFrame f;
        f.type = FrameType::bus;
        f.compressed = true;
        const std::string payload = dump_json(message_of(text_unit(std::string(bus_json.begin(), bus_json.end()))).payload);
        f.payload.assign(payload.begin(), payload.end());
        c.edits = {inject_sealed(4, "client", kOpBinary, frame_bytes(f))};
        c.flags = {"Valid", "Binarized"};
        out.push_back(c);
    }
    {
        auto c = bin_case("binarized frame of unknown type 13");
        c.edits = {inject_sealed(4, "client", kOpBinary, Bytes{0x9a, 0x02, '{', '}', '{', '}'})};
        c.result = "invalid";
        c.flags = {"UnknownFrameType"};
        out.push_back(c);
    }
    {
        auto c = bin_case("binarized frame whose metadata length runs past the end");
        c.edits = {inject_sealed(4, "client", kOpBinary, Bytes{0x82, 0x40, '{', '}'})};
        c.result = "invalid";
        c.flags = {"MetadataPastEnd"};
        out.push_back(c);
    }
    {
        auto c = bin_case("binarized frame without a start bit in its first byte");
        c.edits = {inject_sealed(4, "client", kOpBinary, Bytes{0x00, 0x82, 0x02, '{', '}'})};
        c.result = "invalid";
        c.flags = {"BadStartBit"};
        out.push_back(c);
    }
    {
        auto c = bin_case("zlib bomb: a compressed payload inflating past 1 MiB");
        BinFrame f;
        f.type = FrameType::bus;
        f.compressed = true;
        f.payload.assign(kMaxInflated + 1, '0');
        c.edits = {inject_sealed(4, "client", kOpBinary, frame_bytes(f))};
        c.result = "invalid";
        c.flags = {"ZlibBomb"};
        out.push_back(c);
    }
    return out;
}

std::vector<CaseSpec> robustness_cases() {
    std::vector<CaseSpec> out;
    auto c0 = base("robustness", Mode::password, "");
    const Bytes hello = original_unit(c0, 0);
    const Bytes params = original_unit(c0, 1);
    const std::string hello_text(hello.begin() + 1, hello.end());
    const auto add = [&](std::string comment, std::vector<Edit> edits, std::vector<std::string> flags) {
        auto c = base("robustness", Mode::password, std::move(comment));
        c.edits = std::move(edits);
        c.result = "invalid";
        c.flags = std::move(flags);
        out.push_back(c);
    };
    add("server HELLO truncated to half", {replace_text(0, hello_text.substr(0, hello_text.size() / 2))}, {"Truncated"});
    add("server HELLO followed by trailing bytes", {replace_text(0, hello_text + " x")}, {"TrailingBytes"});
    add("server HELLO delivered twice", {Edit{0, "duplicate", {}, "", false}}, {"Duplicated"});
    add("server HANDSHAKE before HELLO", {replace(0, params), replace(1, hello)}, {"OutOfOrder"});
    add("server HELLO as a binary frame", {replace(0, binary_unit(ByteView(hello).subspan(1)))}, {"UnexpectedBinary"});
    add("server HELLO with an unknown key in the HiveMessage",
        {replace_text(0, hello_text.substr(0, hello_text.size() - 1) + ", \"extra\": 1}")}, {"UnknownKey"});
    add("server HELLO with a duplicate key",
        {replace_text(0, hello_text.substr(0, hello_text.size() - 1) + ", \"node\": null}")}, {"DuplicateKey"});
    std::string deep = "{\"msg_type\": \"hello\", \"payload\": " + std::string(40, '[') + std::string(40, ']') + "}";
    add("server HELLO nested past the depth bound", {replace_text(0, deep)}, {"Oversize"});
    add("server HELLO with a lone surrogate escape",
        {replace_text(0, "{\"msg_type\": \"hello\", \"payload\": {\"node_id\": \"\\ud800\", \"pubkey\": \"\"}}")},
        {"InvalidUtf8"});
    add("server HELLO with invalid UTF-8", {replace(0, concat({text_unit("{\"msg_type\": \"hel"), Bytes{0xff},
                                                              as_bytes("lo\"}")}))},
        {"InvalidUtf8"});
    add("client HANDSHAKE lost: both sides wait for each other (the idle timeout ends it)", {Edit{2, "drop", {}, "", false}}, {"OutOfOrder"});
    return out;
}

const std::vector<std::pair<std::string, std::string>> kGroups = {
    {"password", "Password handshake v1: envelopes, salt, PBKDF2 key, encrypted HELLO."},
    {"rsa", "RSA handshake: OAEP (SHA-1) secret signed with PSS (SHA-256), trust on first use and pinning."},
    {"negotiation", "Encoding and cipher negotiation, defaults, versions, the pre-shared key mode."},
    {"channel", "The encrypted channel after the handshake: replay, plaintext, tags, nonces."},
    {"binarized", "Binarized frames inside the encrypted channel: types, metadata, zlib bound."},
    {"robustness", "Malformed, truncated, duplicated and reordered handshake messages."},
};

VJson notes() {
    auto note = [](const char* bug, const char* desc, const char* effect) {
        return VJson{{"bugType", bug}, {"description", desc}, {"effect", effect}};
    };
    VJson n = VJson::object();
    n["Valid"] = note("BASIC", "A handshake as the two reference roles run it.", "Both sides authenticate with equal keys.");
    n["KnownAnswer"] = note("BASIC", "Uses the IVs of the upstream known answer (docs/protocols/hivemind.md).",
                            "Salt and key equal the known answer.");
    n["OfflineDictionaryAttack"] = note("INFORMATIONAL",
        "A captured envelope lets an eavesdropper test password guesses offline at one SHA-256 each.",
        "Finding (informational); nothing a peer can detect.");
    n["Binarized"] = note("BASIC", "Binary frames after the handshake (binarize negotiated).", "Decrypts to a binarized frame.");
    n["WrongPassword"] = note("AUTH", "The peers hold different passwords.", "The strict server rejects the envelope.");
    n["UpstreamDefect"] = note("KNOWN_BUG", "Runs with a bug knob reproducing a pinned upstream defect.",
                               "The outcome differs from the strict one; conformance grades it.");
    n["Reflection"] = note("AUTH", "An envelope echoed back to its maker gives salt 0.", "Rejected with replay.");
    n["MalformedEnvelope"] = note("DECODING", "Short, long, non-hex or uppercase password envelopes.",
                                  "Rejected before any key is derived.");
    n["EmptyPassword"] = note("CONFIG", "An empty password.", "The strict reference refuses to run.");
    n["TrustOnFirstUse"] = note("AUTH", "No pinned key: the client trusts the first server key it sees.",
                                "The key is reported for pinning.");
    n["Pinned"] = note("AUTH", "The client pins the server's key.", "Only that key is accepted.");
    n["PinMismatch"] = note("AUTH", "The server's key differs from the pinned one.", "Rejected with bad_credentials.");
    n["TamperedSignature"] = note("AUTH", "A PSS signature that does not verify.", "Rejected with bad_signature.");
    n["WrongOaepParameters"] = note("CRYPTO", "OAEP with another hash or a label.", "Decryption fails (crypto_failure).");
    n["WeakServerKey"] = note("WEAK_KEY", "1024-bit modulus, e = 3, e = 1, or a modulus with a small factor.",
                              "Rejected with weak_key.");
    n["Downgrade"] = note("NEGOTIATION", "The server's choice is rewritten; nothing in the protocol binds it.",
                          "The strict client checks the choice against the advertised lists.");
    n["Defaults"] = note("BASIC", "Missing fields take their documented defaults.", "Accepted.");
    n["EmptyIntersection"] = note("NEGOTIATION", "No common encoding or cipher.", "Closed without a status.");
    n["UnknownAlgorithm"] = note("NEGOTIATION", "An encoding or cipher name nobody knows.", "Aborted (unknown_type).");
    n["VersionRange"] = note("NEGOTIATION", "min_protocol_version above max_protocol_version.", "Rejected (wrong_version).");
    n["PreSharedKey"] = note("BASIC", "v0: the crypto_key's bytes are the AES key, no handshake.", "Accepted.");
    n["NoReplayProtection"] = note("PROTOCOL", "No sequence numbers or AAD: replayed or reordered frames decrypt.",
                                   "Accepted by every implementation; a protocol finding.");
    n["PlaintextAfterHandshake"] = note("PROTOCOL", "Unencrypted JSON after the handshake.",
                                        "Rejected when crypto is required.");
    n["CiphertextSubstring"] = note("PARSING", "A plaintext message containing the word ciphertext.",
                                    "Upstream tries to decrypt it; the strict reading goes by structure.");
    n["TagInCiphertext"] = note("EDGE_CASE", "No tag field: the last 16 ciphertext bytes are the tag.", "Accepted.");
    n["TruncatedTag"] = note("DECODING", "A tag shorter than 16 bytes.", "Rejected.");
    n["ZeroLengthCiphertext"] = note("DECODING", "An empty ciphertext with the original tag.", "Rejected (bad_mac).");
    n["WrongNonceSize"] = note("DECODING", "A 12-byte nonce where AES-GCM uses 16.", "Rejected (bad_length).");
    n["BitFlip"] = note("CRYPTO", "One flipped ciphertext bit.", "Rejected (bad_mac).");
    n["NonCanonicalEncoding"] = note("MALLEABILITY", "A field in a spelling the encoder never writes.", "Rejected.");
    n["UnexpectedBinary"] = note("PROTOCOL", "A binary frame where a text frame is due.", "Rejected.");
    n["UnknownFrameType"] = note("DECODING", "Binarized type 13..31.", "Rejected (unknown_type).");
    n["MetadataPastEnd"] = note("DECODING", "Metadata length beyond the frame.", "Rejected (truncated).");
    n["BadStartBit"] = note("DECODING", "No start bit in the first byte.", "Rejected (decode_error).");
    n["ZlibBomb"] = note("RESOURCE", "A small zlib stream inflating past the bound.", "Rejected (oversize).");
    n["Truncated"] = note("DECODING", "A message cut short.", "Rejected (truncated).");
    n["TrailingBytes"] = note("DECODING", "Bytes after the JSON value.", "Rejected (trailing_bytes).");
    n["Duplicated"] = note("PROTOCOL", "A handshake message delivered twice.", "Rejected (unexpected_message).");
    n["OutOfOrder"] = note("PROTOCOL", "Handshake messages in the wrong order.", "Rejected.");
    n["UnknownKey"] = note("DECODING", "A HiveMessage key outside the eight.", "Aborted (unknown_type).");
    n["DuplicateKey"] = note("DECODING", "A JSON object naming a key twice.", "Rejected (duplicate_key).");
    n["Oversize"] = note("RESOURCE", "JSON nested past the depth bound.", "Rejected (oversize).");
    n["InvalidUtf8"] = note("DECODING", "Invalid UTF-8 or a lone surrogate escape.", "Rejected (bad_utf8).");
    return n;
}

VJson case_json(const CaseSpec& spec, std::size_t tc_id) {
    auto r = run(spec, false);
    const std::size_t cu = r->client_script.size() - r->client_rng->unused();
    const std::size_t su = r->server_script.size() - r->server_rng->unused();
    const bool clean = r->client->authenticated() && r->server->authenticated() && !r->client->closure() &&
                       !r->server->closure();
    const std::string result = spec.result_from_run ? (clean ? "acceptable" : "invalid") : spec.result;
    VJson t = VJson::object();
    t["tcId"] = tc_id;
    t["comment"] = spec.comment;
    t["flags"] = spec.flags;
    t["result"] = result;
    t["mode"] = std::string(to_string(spec.mode));
    t["client"] = side_json(spec.client, Bytes(r->client_script.begin(), r->client_script.begin() + static_cast<std::ptrdiff_t>(cu)), true);
    t["server"] = side_json(spec.server, Bytes(r->server_script.begin(), r->server_script.begin() + static_cast<std::ptrdiff_t>(su)), false);
    VJson edits = VJson::array();
    for (const auto& e : spec.edits) {
        edits.push_back(edit_json(e));
    }
    t["edits"] = edits;
    t["wire"] = wire_json(*r);
    t["clientOutcome"] = outcome_json(*r->client);
    t["serverOutcome"] = outcome_json(*r->server);
    // The case's result must agree with what happened: valid means both authenticated and
    // nobody closed.
    if ((result == "valid" && !clean) || (result == "invalid" && clean)) {
        throw VectorError("case '" + spec.comment + "': result " + spec.result + " disagrees with the run");
    }
    return t;
}

}  // namespace

std::vector<GeneratedFile> generate_transcripts() {
    std::vector<CaseSpec> all;
    for (auto* f : {&password_cases, &rsa_cases, &negotiation_cases, &channel_cases, &binarized_cases, &robustness_cases}) {
        auto v = (*f)();
        all.insert(all.end(), v.begin(), v.end());
    }
    VJson file = VJson::object();
    file["variant"] = "hivemind";
    file["schema"] = kTranscriptSchema;
    file["generatedBy"] = "shakedown vectors generate --variant hivemind (do not edit)";
    file["header"] = {
        "HiveMind handshake transcripts: both reference roles in step from scripted randomness.",
        "Units are WebSocket messages (opcode text or binary). Edits model a man in the middle; unit indexes count "
        "the units as the sender emitted them. Offsets count from the start of the offending message's body.",
        "Passwords use PBKDF2-HMAC-SHA256 with 100000 iterations (docs/protocols/hivemind.md)."};
    file["notes"] = notes();
    VJson groups = VJson::array();
    std::size_t id = 1;
    std::size_t count = 0;
    for (const auto& [name, summary] : kGroups) {
        VJson g = VJson::object();
        g["type"] = "HiveMindTranscript";
        g["name"] = name;
        g["summary"] = summary;
        VJson tests = VJson::array();
        for (const auto& spec : all) {
            if (spec.group == name) {
                tests.push_back(case_json(spec, id++));
                ++count;
            }
        }
        g["tests"] = tests;
        groups.push_back(g);
    }
    file["numberOfTests"] = count;
    file["testGroups"] = groups;
    return {GeneratedFile{"hivemind/handshake_test.json", shakedown::vectors::dump_canonical(file)}};
}

void check_transcript_case(const VJson& group, const VJson& test) {
    if (group.value("type", "") != "HiveMindTranscript") {
        throw VectorError("group type must be HiveMindTranscript");
    }
    StrictObject t(test, "test");
    (void)t.integer("tcId", 1, 1000000);
    CaseSpec spec;
    spec.comment = t.str("comment");
    spec.flags = t.req("flags").get<std::vector<std::string>>();
    spec.result = t.str("result");
    const auto mode = mode_from_string(t.str("mode"));
    if (!mode) {
        throw VectorError("mode: unknown");
    }
    spec.mode = *mode;
    spec.client = side_from(t.object("client"), true);
    spec.server = side_from(t.object("server"), false);
    for (const auto& e : t.req("edits")) {
        spec.edits.push_back(edit_from(StrictObject(e, "edits[]")));
    }
    const VJson& wire = t.req("wire");
    const VJson& co = t.req("clientOutcome");
    const VJson& so = t.req("serverOutcome");
    t.finish();
    auto r = run(spec, true);
    if (r->client_rng->unused() != 0 || r->server_rng->unused() != 0) {
        throw VectorError("rng: scripted randomness not fully used");
    }
    const VJson w = wire_json(*r);
    if (w != wire) {
        for (std::size_t i = 0; i < std::max(w.size(), wire.size()); ++i) {
            if (i >= w.size() || i >= wire.size() || w[i] != wire[i]) {
                throw VectorError("wire[" + std::to_string(i) + "]: differs from the reference's");
            }
        }
    }
    if (outcome_json(*r->client) != co) {
        throw VectorError("clientOutcome: differs: " + outcome_json(*r->client).dump());
    }
    if (outcome_json(*r->server) != so) {
        throw VectorError("serverOutcome: differs: " + outcome_json(*r->server).dump());
    }
    const bool clean = r->client->authenticated() && r->server->authenticated() && !r->client->closure() &&
                       !r->server->closure();
    if ((spec.result == "valid" && !clean) || (spec.result == "invalid" && clean)) {
        throw VectorError("result: disagrees with the run");
    }
}

}  // namespace shakedown::hivemind::vectors
