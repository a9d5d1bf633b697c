#include "conformance/scenarios/hivemind/catalogue.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <tuple>
#include <utility>

#include "common/crypto.hpp"
#include "common/rng.hpp"
#include "conformance/registry/forwarding_machine.hpp"
#include "conformance/runner/machine_catalogue.hpp"
#include "conformance/runner/websocket.hpp"
#include "hivemind/handshake.hpp"
#include "vectors/gen/hivemind/hivemind_vectors.hpp"

namespace shakedown::hivemind {

namespace cf = shakedown::conformance;

namespace {

// ---------------------------------------------------------------------------------------------
// The harness: the variant's reference machine of the target's profile, built from shim flags,
// plus switches only the catalogue gives it (they configure the harness, never a target):
//   --reflect-envelope     as server: message 4 carries the client's own envelope (salt 0);
//   --oaep-sha256          as RSA server: message 4's secret encrypted with OAEP-SHA-256;
//   --oaep-label TEXT      as RSA server: ... with OAEP and a non-empty label;
//   --bus-after-hello N    as client: N sealed BUS messages after the HELLO;
//   --binarized-hello KIND as binarizing client: the HELLO replaced by a sealed malformed
//                          binarized frame (unknown_type, metadata_past_end, zlib_bomb);
//   --zero-random          every random byte is zero, so a sealed message's nonce is known;
//   --harness-knob NAME    a bug knob of the harness itself (an empty password, which the strict
//                          reference refuses to use, on the harness's side).

class ZeroRng final : public Rng {
public:
    void fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), std::uint8_t{0}); }
};

std::string text_of(const Bytes& unit) {
    return unit.empty() ? std::string() : std::string(unit.begin() + 1, unit.end());
}

// The span of the string value of the first `"key": "` in `text`; npos when there is none. The
// values the scenarios edit (envelopes, names, encoded fields) contain no escapes.
std::pair<std::size_t, std::size_t> value_span(const std::string& text, std::string_view key) {
    const std::string pattern = "\"" + std::string(key) + "\": \"";
    const auto at = text.find(pattern);
    if (at == std::string::npos) {
        return {std::string::npos, 0};
    }
    const auto start = at + pattern.size();
    const auto end = text.find('"', start);
    if (end == std::string::npos) {
        return {std::string::npos, 0};
    }
    return {start, end - start};
}

// `unit` with the string value of `key` changed (unchanged when the key is absent, which the
// engine reports as a change that never applied).
Bytes edit_value(const Bytes& unit, std::string_view key, const std::function<std::string(std::string)>& change) {
    if (unit.empty()) {
        return unit;
    }
    std::string text = text_of(unit);
    const auto [start, size] = value_span(text, key);
    if (start == std::string::npos) {
        return unit;
    }
    text = text.substr(0, start) + change(text.substr(start, size)) + text.substr(start + size);
    Bytes out{unit.front()};
    out.insert(out.end(), text.begin(), text.end());
    return out;
}

Bytes edit_frame_fields(const Bytes& unit, const std::function<std::string(std::string)>& change) {
    Bytes out = unit;
    for (const char* field : {"ciphertext", "tag", "nonce"}) {
        out = edit_value(out, field, change);
    }
    return out;
}

// What the harness's own switches ask of its machine, beside the shim flags.
struct HarnessOptions {
    bool reflect = false;
    // As RSA server: message 4's envelope rebuilt with OAEP under this hash and label (the
    // protocol's is SHA-1 with an empty label), still signed with our key.
    std::optional<crypto::Hash> oaep_hash;
    std::string oaep_label;
    // As client: this many sealed BUS messages after our HELLO.
    std::size_t bus_after_hello = 0;
    // As client with binarize: our HELLO replaced by a sealed binarized frame of this kind
    // (unknown_type, metadata_past_end, zlib_bomb).
    std::string binarized_hello;
};

// The JSON string escapes a PEM needs (newlines), both ways.
std::string json_escape_pem(const std::string& pem) {
    std::string out;
    for (const char c : pem) {
        if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}
std::string json_unescape_pem(const std::string& v) {
    std::string out;
    for (std::size_t k = 0; k < v.size(); ++k) {
        if (v[k] == '\\' && k + 1 < v.size() && v[k + 1] == 'n') {
            out.push_back('\n');
            ++k;
        } else {
            out.push_back(v[k]);
        }
    }
    return out;
}

// A binarized frame (docs/protocols/hivemind.md, "Binarized frames") that carries a client HELLO
// but breaks one rule: its header is two whole bytes (start bit, versioned 0, type, compression,
// metadata length), then the metadata and the payload.
Bytes malformed_binarized_hello(const std::string& kind) {
    const std::string payload = R"({"pubkey": "", "session": {}, "site_id": "unknown"})";
    const auto header = [](unsigned type, bool compressed, std::uint8_t meta_len) {
        return Bytes{static_cast<std::uint8_t>(0x80U | (type << 1U) | (compressed ? 1U : 0U)), meta_len, '{', '}'};
    };
    Bytes out;
    if (kind == "unknown_type") {
        out = header(13, false, 2);  // types run 0..12
        out.insert(out.end(), payload.begin(), payload.end());
    } else if (kind == "metadata_past_end") {
        out = header(static_cast<unsigned>(FrameType::hello), false, 255);
        out.insert(out.end(), payload.begin(), payload.end());
    } else {
        // A valid HELLO payload followed by 2 MiB of JSON whitespace: twice the reader's bound,
        // about 2 KiB compressed.
        std::string bomb = payload;
        bomb.append(std::size_t{2} << 20U, ' ');
        out = header(static_cast<unsigned>(FrameType::hello), true, 2);
        const Bytes z = zlib_compress(as_bytes(bomb));
        out.insert(out.end(), z.begin(), z.end());
    }
    return out;
}

class HarnessMachine final : public registry::ForwardingMachine {
public:
    HarnessMachine(std::unique_ptr<Rng> rng, HarnessOptions options)
        : m_rng(std::move(rng)), m_options(std::move(options)) {}
    // The inner machine holds references to the Rng and the clock: it goes first.
    ~HarnessMachine() override { set(nullptr); }
    HarnessMachine(const HarnessMachine&) = delete;
    HarnessMachine& operator=(const HarnessMachine&) = delete;
    [[nodiscard]] Rng& rng() { return *m_rng; }
    [[nodiscard]] const Clock& clock() const { return m_clock; }

    void receive(ByteView input) override {
        const Bytes unit(input.begin(), input.end());
        if (m_options.reflect && !m_client_envelope) {
            const std::string text = text_of(unit);
            const auto [start, size] = value_span(text, "envelope");
            if (start != std::string::npos) {
                m_client_envelope = text.substr(start, size);
            }
        }
        if (m_options.oaep_hash && m_client_pubkey.empty()) {
            const std::string text = text_of(unit);
            const auto [start, size] = value_span(text, "pubkey");
            if (start != std::string::npos) {
                m_client_pubkey = json_unescape_pem(text.substr(start, size));
            }
        }
        inner().receive(input);
    }
    [[nodiscard]] std::vector<Bytes> take_output() override {
        auto out = inner().take_output();
        if (m_options.reflect && m_client_envelope) {
            for (auto& u : out) {
                u = edit_value(u, "envelope", [this](const std::string&) { return *m_client_envelope; });
            }
        }
        if (m_options.oaep_hash) {
            for (auto& u : out) {
                u = edit_value(u, "envelope", [this](const std::string& e) { return other_oaep_envelope(e); });
            }
        }
        if (!m_extras_done && inner().authenticated() && !out.empty()) {
            m_extras_done = true;
            auto* hive = dynamic_cast<HiveMachine*>(&inner());
            if (hive != nullptr && !m_options.binarized_hello.empty()) {
                if (auto sealed = hive->seal_raw(malformed_binarized_hello(m_options.binarized_hello), true)) {
                    out.back() = std::move(*sealed);
                }
            }
            for (std::size_t k = 0; hive != nullptr && k < m_options.bus_after_hello; ++k) {
                HiveMessage bus;
                bus.msg_type = "bus";
                bus.payload.set("n", Json::integer(static_cast<std::int64_t>(k)));
                if (auto sealed = hive->seal_message(bus)) {
                    out.push_back(std::move(*sealed));
                }
            }
        }
        return out;
    }

private:
    // Message 4's RSA envelope again, over the same secret, with the OAEP parameters asked for.
    std::string other_oaep_envelope(const std::string& envelope) {
        Bytes secret;
        for (const auto& k : inner().derived_keys()) {
            if (k.name == "rsa_secret") {
                secret = k.value;
            }
        }
        auto client = crypto::RsaKey::from_pem(m_client_pubkey);
        auto own = crypto::RsaKey::from_pem(vectors::test_key_pem("server_rsa2048"));
        if (secret.empty() || !client || !own) {
            return envelope;
        }
        auto ct = oaep_encrypt(*client, *m_options.oaep_hash, as_bytes(m_options.oaep_label), secret, *m_rng);
        secure_wipe(secret);
        if (!ct) {
            return envelope;
        }
        auto sig = pss_sha256_sign(*own, *ct, *m_rng);
        return sig ? to_hex(concat({*sig, *ct})) : envelope;
    }

    std::unique_ptr<Rng> m_rng;
    SystemClock m_clock;
    HarnessOptions m_options;
    std::optional<std::string> m_client_envelope;
    std::string m_client_pubkey;
    bool m_extras_done = false;
};

std::shared_ptr<cf::MachineEnvironment> environment(const registry::Variant& variant, const std::string& profile) {
    auto env = std::make_shared<cf::MachineEnvironment>();
    const registry::Variant* v = &variant;
    env->make = [v, profile](Role role, const std::vector<std::string>& flags,
                             std::string& why) -> std::unique_ptr<Machine> {
        registry::MachineRequest request{role, profile, {}, {}};
        std::vector<std::string> rest;
        HarnessOptions options;
        bool zero = false;
        for (std::size_t k = 0; k < flags.size(); ++k) {
            if (flags[k] == "--reflect-envelope") {
                options.reflect = true;
            } else if (flags[k] == "--oaep-sha256") {
                options.oaep_hash = crypto::Hash::sha256;
            } else if (flags[k] == "--oaep-label" && k + 1 < flags.size()) {
                options.oaep_hash = options.oaep_hash.value_or(crypto::Hash::sha1);
                options.oaep_label = flags[++k];
            } else if (flags[k] == "--bus-after-hello" && k + 1 < flags.size()) {
                options.bus_after_hello = static_cast<std::size_t>(std::stoul(flags[++k]));
            } else if (flags[k] == "--binarized-hello" && k + 1 < flags.size()) {
                options.binarized_hello = flags[++k];
            } else if (flags[k] == "--zero-random") {
                zero = true;
            } else if (flags[k] == "--harness-knob" && k + 1 < flags.size()) {
                request.knobs.push_back(flags[++k]);
            } else {
                rest.push_back(flags[k]);
            }
        }
        std::vector<std::string> unimplemented;
        if (!registry::parse_settings(v->shim_flags, rest, request.settings, unimplemented, why)) {
            return nullptr;
        }
        if (!unimplemented.empty()) {
            why = "unimplemented flag " + unimplemented.front();
            return nullptr;
        }
        auto owner = std::make_unique<HarnessMachine>(
            zero ? std::unique_ptr<Rng>(std::make_unique<ZeroRng>()) : std::make_unique<SystemRng>(), std::move(options));
        auto inner = v->make_machine(request, owner->rng(), owner->clock(), why);
        if (!inner) {
            return nullptr;
        }
        owner->set(std::move(inner));
        return owner;
    };
    // One opcode byte, then the WebSocket message: the families change the message.
    env->body_offset = [](const Bytes& unit) -> std::size_t { return unit.empty() ? 0 : 1; };
    // The handshake's idle limit is 5 s; a refusal comes at once.
    env->reaction = cf::Millis(2500);
    return env;
}

// The fixed test keys as files, for the --key and --pin flags (a shim reads them by path).
// The path is the same in every process of one user (a running target is started with it, and
// the catalogue that grades it is built in another process); each writer replaces the file whole.
std::string key_file(std::string_view name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir = fs::temp_directory_path(ec) / ("shakedown-hivemind-keys-" + std::to_string(::getuid()));
    fs::create_directories(dir, ec);
    const fs::path path = dir / (std::string(name) + ".pem");
    const std::string pem = vectors::test_key_pem(name);
    {
        std::ifstream in(path, std::ios::binary);
        const std::string have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (have == pem) {
            return path.string();
        }
    }
    const fs::path tmp = dir / (std::string(name) + ".pem." + std::to_string(::getpid()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << pem;
    }
    fs::rename(tmp, path, ec);
    return path.string();
}

// ---------------------------------------------------------------------------------------------
// The modes, each a set of flags both sides take.

struct ModeSpec {
    std::string name;
    std::vector<std::string> flags;
    // The harness's units in an honest handshake, by target role (docs/protocols/hivemind.md,
    // "Messages"): a server target gets messages 3 and 5, a client target messages 1, 2 and 4
    // (pre-shared: 5 only, and 1 and 2).
    std::vector<std::string> client_units;
    std::vector<std::string> server_units;
};

std::vector<ModeSpec> modes() {
    const std::vector<std::string> psk = {"--mode", "preshared", "--crypto-key", "0123456789abcdef"};
    return {
        {"password",
         {},
         {"HANDSHAKE (client offer)", "HELLO (client, encrypted)"},
         {"HELLO (server)", "HANDSHAKE (parameters)", "HANDSHAKE (server choice)"}},
        {"rsa",
         {"--mode", "rsa"},
         {"HANDSHAKE (client offer)", "HELLO (client, encrypted)"},
         {"HELLO (server)", "HANDSHAKE (parameters)", "HANDSHAKE (server choice)"}},
        {"preshared", psk, {"HELLO (client, encrypted)"}, {"HELLO (server)", "HANDSHAKE (parameters)"}},
    };
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool contains(const std::string& id, std::string_view part) {
    return id.find(part) != std::string::npos;
}

// The families of one role in one mode, with the cases the protocol makes meaningless dropped or
// adjusted (each with its reason).
void add_families(std::vector<cf::MachineScenario>& out, const cf::MachineEnvironment& env, const ModeSpec& mode,
                  Role target) {
    cf::FamilyOptions o;
    o.target_role = target;
    o.id_prefix = mode.name + ".";
    o.target_flags = mode.flags;
    o.harness_flags = mode.flags;
    o.unit_names = target == Role::acceptor ? mode.client_units : mode.server_units;
    const bool password = mode.name == "password";
    const bool preshared = mode.name == "preshared";
    o.keep = [&](cf::MachineScenario& s, std::size_t unit) {
        const std::string& id = s.info.id;
        // A running target serves the password mode only (its defaults); the other modes need
        // the target configured with --mode.
        s.requires_target_flags = !mode.flags.empty();
        // The idle limit is one timer of the machine, the same in every mode and state: it is
        // graded in password mode only, which keeps the catalogue's wall time down.
        if (contains(id, ".idle.") && !password) {
            return false;
        }
        if (target == Role::acceptor) {
            // Server target. Message 3 is answered (message 4) before the server can know that
            // anything is wrong with what follows: a duplicated message 3, or one replayed from
            // an earlier session (password: its envelope is valid, only the key then differs),
            // is refused at the client's HELLO, after our side has completed. Only the target's
            // own report tells the two apart, so these need a reporting target (the shim or the
            // in-process reference), not a running one.
            if (!preshared && unit == 0 && (contains(id, ".order.u0.duplicated") || contains(id, ".replay."))) {
                s.needs_target_report = true;
            }
            // Message 3 can only follow message 4 after the target answered it: holding message 3
            // back until message 5 deadlocks, a stall that the idle family grades already.
            if (!preshared && unit == 0 && contains(id, ".swapped")) {
                return false;
            }
            // RSA mode: message 3 carries only the client's public key and lists, the same bytes
            // in every session, so a replayed one is a fresh one.
            if (mode.name == "rsa" && unit == 0 && contains(id, ".replay.")) {
                s.expect = cf::Expect::complete;
                s.info.rule = "RSA message 3 carries no session value: the same message in every session";
            }
            // Pre-shared key (v0): the channel has no freshness at all (the key is fixed, the
            // frames carry no sequence number); a replayed HELLO decrypts. A protocol finding
            // (NoReplayProtection), not a rule a target can follow.
            if (preshared && contains(id, ".replay.")) {
                return false;
            }
        } else {
            // Client target. HELLO and HANDSHAKE (parameters) are the server's configuration,
            // the same bytes in every session: a replayed one is a fresh one.
            if (contains(id, ".replay.") && unit <= 1) {
                s.expect = cf::Expect::complete;
                s.info.rule =
                    "the server's HELLO and parameters carry no session value: the same message in every session";
            }
            // The server's choice (message 4) binds nothing of the session the client can check:
            // a replayed password envelope verifies, a replayed RSA envelope opens (to the
            // client's fixed key); only the server notices, at the client's HELLO. A protocol
            // finding (docs/protocols/hivemind.md, "Password handshake"), not a client rule.
            if (contains(id, ".replay.") && unit == 2) {
                return false;
            }
            // Message 4 only comes after the client's message 3, which needs message 2: holding
            // message 2 back until message 4 deadlocks (a stall, graded by the idle family).
            if (!preshared && unit == 1 && contains(id, ".swapped")) {
                return false;
            }
        }
        return true;
    };
    for (auto& s : cf::generic_families(env, o)) {
        if (s.info.id.find(".happy.") != std::string::npos) {
            s.requires_target_flags = !mode.flags.empty();
        }
        out.push_back(std::move(s));
    }
}

// ---------------------------------------------------------------------------------------------
// HiveMind's own scenarios.

struct Builder {
    const std::vector<ModeSpec>& all_modes;
    std::vector<cf::MachineScenario>& out;
    // The variant's transport with default settings (the harness's side of a connection).
    std::shared_ptr<const cf::TransportFactory> transport;

    cf::MachineScenario& add(Role target, const ModeSpec& mode, const std::string& cls, const std::string& name,
                             std::string title, std::string rule) {
        cf::MachineScenario s;
        s.info.id = std::string(to_string(target)) + "." + mode.name + "." + cls + "." + name;
        s.info.cls = cls;
        s.info.title = std::move(title);
        s.info.rule = std::move(rule);
        s.info.target_role = target;
        s.target_flags = mode.flags;
        s.harness_flags = mode.flags;
        s.requires_target_flags = !mode.flags.empty();
        out.push_back(std::move(s));
        return out.back();
    }
};

const ModeSpec& find_mode(const std::vector<ModeSpec>& ms, std::string_view name) {
    return *std::find_if(ms.begin(), ms.end(), [&](const ModeSpec& m) { return m.name == name; });
}

void add_credentials(Builder& b) {
    const ModeSpec& pw = find_mode(b.all_modes, "password");
    for (const Role target : {Role::acceptor, Role::initiator}) {
        auto& s = b.add(target, pw, "credential", "wrong_password", "our side uses another password",
                        "an envelope made with another password is refused (bad_credentials)");
        s.harness_flags = {"--password", "not-the-password"};
        if (target == Role::initiator) {
            // Our server must answer the client's envelope, which it cannot verify, for the
            // client to see a wrong one.
            s.harness_flags.insert(s.harness_flags.end(), {"--harness-knob", "skip-envelope-check"});
        }
        s.expected_error = "bad_credentials";
        // A server must refuse message 3 itself: one that answers it (message 4) has not checked
        // the password, even though it fails later on our HELLO (which its key cannot open).
        s.refuse_before_answering = target == Role::acceptor;
        s.consequence = target == Role::acceptor ? "the server never checks the password: anyone gets message 4"
                                                 : "";
        // A server that refuses an empty password closes before our side sends anything, which
        // the engine cannot tell from a change that never applied: graded on the client only.
        if (target == Role::acceptor) {
            continue;
        }
        auto& e = b.add(target, pw, "credential", "empty_password", "both sides configured with an empty password",
                        "the reference refuses to run with an empty password (bad_credentials at start)");
        e.target_flags = {"--password", ""};
        e.requires_target_flags = true;
        e.harness_flags = {"--password", "", "--harness-knob", "accept-empty-password"};
        e.expected_error = "bad_credentials";
        e.consequence = "an empty password makes every key an offline guess away";
    }
    // The client's envelope with its digest changed (its IV kept): only a server that verifies
    // envelopes notices; one that does not derives the same key and completes.
    {
        auto& s = b.add(Role::acceptor, pw, "envelope", "digest_changed",
                        "message 3's envelope with one digest digit changed",
                        "the server verifies the client's envelope (bad_credentials)");
        s.rewrite = cf::rewrite::replace(0, [](const Bytes& u) {
            return edit_value(u, "envelope", [](std::string e) {
                if (e.size() > 20) {
                    e.replace(20, 1, 1, e[20] == '0' ? '1' : '0');
                }
                return e;
            });
        });
        s.expected_error = "bad_credentials";
        s.consequence = "the server never checks the password: anyone completes up to message 4";
    }
    {
        auto& s = b.add(Role::initiator, pw, "envelope", "digest_changed",
                        "message 4's envelope with one digest digit changed",
                        "the client verifies the server's envelope (bad_credentials)");
        s.rewrite = cf::rewrite::replace(2, [](const Bytes& u) {
            return edit_value(u, "envelope", [](std::string e) {
                if (e.size() > 20) {
                    e.replace(20, 1, 1, e[20] == '0' ? '1' : '0');
                }
                return e;
            });
        });
        s.expected_error = "bad_credentials";
    }
    // 50 characters: the first 48 are the honest envelope.
    for (const Role target : {Role::acceptor, Role::initiator}) {
        auto& s = b.add(target, pw, "envelope", "trailing_hex", "the envelope with two hex digits appended",
                        "an envelope is exactly 48 characters (bad_length)");
        s.rewrite = cf::rewrite::replace(target == Role::acceptor ? 0 : 2, [](const Bytes& u) {
            return edit_value(u, "envelope", [](std::string e) { return e + "00"; });
        });
        s.expected_error = "bad_length";
    }
    for (const Role target : {Role::acceptor, Role::initiator}) {
        auto& s = b.add(target, pw, "envelope", "empty", "an empty envelope",
                        "an envelope is exactly 48 characters (bad_length)");
        s.rewrite = cf::rewrite::replace(target == Role::acceptor ? 0 : 2, [](const Bytes& u) {
            return edit_value(u, "envelope", [](const std::string&) { return std::string(); });
        });
        s.expected_error = "bad_length";
    }
    // Malformed envelopes (docs/protocols/hivemind.md, "Password handshake"): each is refused
    // before the target answers it. Upstream crashes on the short and non-hex ones, takes the
    // uppercase IV without checking the rest (server), and accepts 80 digits.
    struct Malformed {
        const char* name;
        const char* title;
        const char* error;
        std::string (*change)(std::string);
    };
    const Malformed malformed[] = {
        {"short", "an envelope of 10 characters", "bad_length", [](std::string e) { return e.substr(0, 10); }},
        {"non_hex", "an envelope whose IV holds a character that is not hex", "decode_error",
         [](std::string e) {
             if (e.size() > 3) {
                 e[3] = 'g';
             }
             return e;
         }},
        {"uppercase", "the envelope in uppercase hex", "non_canonical",
         [](std::string e) {
             std::transform(e.begin(), e.end(), e.begin(),
                            [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
             return e;
         }},
        {"eighty_digits", "the envelope followed by 32 more hex digits (80 in all)", "bad_length",
         [](std::string e) { return e + std::string(32, '0'); }},
    };
    for (const auto& m : malformed) {
        for (const Role target : {Role::acceptor, Role::initiator}) {
            auto& s = b.add(target, pw, "envelope", m.name, m.title,
                            "an envelope is exactly 48 lowercase hex characters and is verified");
            s.rewrite = cf::rewrite::replace(target == Role::acceptor ? 0 : 2, [change = m.change](const Bytes& u) {
                return edit_value(u, "envelope", change);
            });
            s.expected_error = m.error;
            s.refuse_before_answering = target == Role::acceptor;
        }
    }
    // Message 4 carries the client's own envelope: salt IV ^ IV = 0.
    {
        auto& s = b.add(Role::initiator, pw, "reflection", "own_envelope", "message 4 echoes the client's envelope",
                        "a reflected envelope (salt 0) is refused (replay)");
        s.harness_flags = {"--reflect-envelope"};
        s.expected_error = "replay";
        s.consequence = "a server that knows no password passes as one that does";
    }
}

// The server's choice rewritten: nothing in the protocol binds it, the strict client recomputes it.
void add_negotiation(Builder& b) {
    for (const char* mode_name : {"password", "rsa"}) {
        const ModeSpec& m = find_mode(b.all_modes, mode_name);
        {
            auto& s = b.add(Role::initiator, m, "downgrade", "encoding",
                            "message 4 names JSON-HEX instead of the negotiated encoding",
                            "the client checks the server's choice against the advertised lists (negotiation_failed)");
            s.rewrite = cf::rewrite::replace(2, [](const Bytes& u) {
                return edit_value(u, "encoding", [](const std::string& e) {
                    return std::string(e == "JSON-HEX" ? "JSON-B64" : "JSON-HEX");
                });
            });
            s.expected_error = "negotiation_failed";
            s.consequence = "a man in the middle picks the encoding";
        }
        {
            auto& s = b.add(Role::initiator, m, "downgrade", "cipher",
                            "the client prefers ChaCha20-Poly1305; message 4 names AES-GCM",
                            "the client checks the server's choice against the advertised lists (negotiation_failed)");
            s.target_flags = concat(m.flags, {"--ciphers", "CHACHA20-POLY1305,AES-GCM"});
            s.requires_target_flags = true;
            s.harness_flags = m.flags;
            s.rewrite = cf::rewrite::replace(2, [](const Bytes& u) {
                return edit_value(u, "cipher", [](const std::string& c) {
                    return std::string(c == "AES-GCM" ? "CHACHA20-POLY1305" : "AES-GCM");
                });
            });
            s.expected_error = "negotiation_failed";
            s.consequence = "a man in the middle picks the cipher";
        }
        {
            auto& s = b.add(Role::acceptor, m, "negotiation", "no_common_cipher", "the client offers no cipher",
                            "an empty intersection is refused (negotiation_failed)");
            s.harness_flags = concat(m.flags, {"--ciphers", ""});
            s.expected_error = "negotiation_failed";
        }
        {
            auto& s = b.add(Role::acceptor, m, "negotiation", "unknown_encoding", "message 3 lists an unknown encoding",
                            "an unknown encoding name is refused (unknown_type)");
            s.rewrite = cf::rewrite::replace(0, [](const Bytes& u) {
                std::string text = text_of(u);
                const auto at = text.find("\"JSON-HEX\"");
                if (at != std::string::npos) {
                    text.replace(at, 10, "\"JSON-XYZ\"");
                }
                Bytes out{u.front()};
                out.insert(out.end(), text.begin(), text.end());
                return out;
            });
            s.expected_error = "unknown_type";
        }
        {
            auto& s = b.add(Role::acceptor, m, "negotiation", "unknown_cipher", "message 3 lists an unknown cipher",
                            "an unknown cipher name is refused (unknown_type)");
            s.rewrite = cf::rewrite::replace(0, [](const Bytes& u) {
                std::string text = text_of(u);
                const auto at = text.find("\"AES-GCM\"");
                if (at != std::string::npos) {
                    text.replace(at, 9, "\"AES-XYZ\"");
                }
                Bytes out{u.front()};
                out.insert(out.end(), text.begin(), text.end());
                return out;
            });
            s.expected_error = "unknown_type";
            s.refuse_before_answering = true;
        }
        {
            auto& s = b.add(Role::acceptor, m, "negotiation", "no_common_encoding", "the client offers no encoding",
                            "an empty intersection is refused (negotiation_failed)");
            s.harness_flags = concat(m.flags, {"--encodings", ""});
            s.expected_error = "negotiation_failed";
            s.refuse_before_answering = true;
        }
    }
    // The server's parameters with min_protocol_version above max, in every mode.
    for (const auto& m : b.all_modes) {
        auto& s = b.add(Role::initiator, m, "negotiation", "min_above_max",
                        "message 2 says min_protocol_version 2, max_protocol_version 1",
                        "a version range that is empty is refused (wrong_version)");
        s.rewrite = cf::rewrite::replace(1, [](const Bytes& u) {
            std::string text = text_of(u);
            const std::string key = "\"min_protocol_version\": ";
            const auto at = text.find(key);
            if (at != std::string::npos && at + key.size() < text.size()) {
                text[at + key.size()] = '2';
            }
            Bytes out{u.front()};
            out.insert(out.end(), text.begin(), text.end());
            return out;
        });
        s.expected_error = "wrong_version";
        s.refuse_before_answering = true;
    }
}

void add_rsa_keys(Builder& b) {
    const ModeSpec& rsa = find_mode(b.all_modes, "rsa");
    for (const Role target : {Role::acceptor, Role::initiator}) {
        for (const char* weak : {"weak_rsa1024", "weak_e3"}) {
            auto& s = b.add(target, rsa, "weak_key", weak, std::string("our RSA key is ") + weak,
                            "a modulus under 2048 bits or an exponent below 65537 is refused (weak_key)");
            s.harness_flags = concat(rsa.flags, {"--key", key_file(weak)});
            s.expected_error = "weak_key";
            s.consequence = "the session key is protected by a breakable RSA key";
        }
    }
    // Keys no one can hold the private half of, or should not: e = 1 (the "encryption" is the
    // identity) and a modulus with a small prime factor (factored at once). Fixed public keys
    // (vectors/hivemind/keys/) put in place of the public key our side sends: a strict peer refuses
    // at that message, before answering it.
    for (const Role target : {Role::acceptor, Role::initiator}) {
        for (const char* weak : {"weak_e1_public", "weak_small_factor_public"}) {
            const std::string name = std::string(weak).substr(0, std::string(weak).size() - 7);
            auto& s = b.add(target, rsa, "weak_key", name,
                            std::string(target == Role::acceptor ? "message 3" : "our HELLO") + " carries the public key " +
                                weak,
                            "an RSA key with e = 1 or a small prime factor is refused (weak_key)");
            const std::string pem = json_escape_pem(vectors::test_key_pem(weak));
            s.rewrite = cf::rewrite::replace(0, [pem](const Bytes& u) {
                return edit_value(u, "pubkey", [pem](const std::string&) { return pem; });
            });
            s.expected_error = "weak_key";
            s.refuse_before_answering = true;
            s.consequence = std::string(weak) == "weak_e1_public" ? "the session secret travels in the clear"
                                                                  : "anyone who factors the modulus reads the secret";
        }
    }
    // OAEP under other parameters than the protocol's SHA-1 and empty label, correctly signed.
    for (const auto& [name, flags, title] :
         {std::tuple<std::string, std::vector<std::string>, std::string>{
              "oaep_sha256", {"--oaep-sha256"}, "message 4's secret encrypted with OAEP-SHA-256"},
          {"oaep_label", {"--oaep-label", "hivemind"}, "message 4's secret encrypted with OAEP and the label \"hivemind\""}}) {
        auto& s = b.add(Role::initiator, rsa, "envelope", name, title,
                        "the secret is OAEP with SHA-1, MGF1-SHA-1 and an empty label; anything else fails to "
                        "decrypt (crypto_failure)");
        s.harness_flags = concat(rsa.flags, flags);
        s.configured_from_unit = 2;
        s.expected_error = "crypto_failure";
    }
    {
        auto& s = b.add(Role::initiator, rsa, "pin", "matching_key", "the client pins the server's key",
                        "a pinned key that matches completes");
        s.expect = cf::Expect::complete;
        s.target_flags = concat(rsa.flags, {"--pin", key_file("server_rsa2048")});
    }
    {
        auto& s = b.add(Role::initiator, rsa, "pin", "changed_key", "the client pins another key than the server's",
                        "a server key other than the pinned one is refused (bad_credentials)");
        s.target_flags = concat(rsa.flags, {"--pin", key_file("server_rsa2048")});
        s.harness_flags = concat(rsa.flags, {"--key", key_file("other_rsa2048")});
        s.expected_error = "bad_credentials";
        s.consequence = "any server impersonates the pinned one";
    }
    {
        auto& s = b.add(Role::initiator, rsa, "envelope", "signature_changed",
                        "message 4's RSA envelope with one signature digit changed",
                        "the PSS signature over the envelope is verified (bad_signature)");
        s.rewrite = cf::rewrite::replace(2, [](const Bytes& u) {
            return edit_value(u, "envelope", [](std::string e) {
                if (e.size() > 100) {
                    e.replace(100, 1, 1, e[100] == '0' ? '1' : '0');
                }
                return e;
            });
        });
        s.expected_error = "bad_signature";
        s.consequence = "anyone who can encrypt to the client's key passes as the server";
    }
}

// The encrypted client HELLO (a server target's last unit) in each encoding and cipher, and with
// non-canonical spellings of its fields.
void add_channel(Builder& b) {
    const ModeSpec& pw = find_mode(b.all_modes, "password");
    const std::vector<std::string> encodings = {"JSON-B91",         "JSON-Z85B", "JSON-Z85P", "JSON-B64",
                                                "JSON-URLSAFE-B64", "JSON-B32",  "JSON-HEX"};
    for (const Role target : {Role::acceptor, Role::initiator}) {
        for (const auto& e : encodings) {
            std::string name = e.substr(5);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return c == '-' ? '_' : static_cast<char>(std::tolower(c)); });
            auto& s = b.add(target, pw, "encoding", name, "the channel negotiated in " + e,
                            "every advertised encoding is written and read as docs/protocols/hivemind.md specifies");
            s.expect = cf::Expect::complete;
            s.harness_flags = {"--encodings", e};
        }
        auto& c = b.add(target, pw, "cipher", "chacha20_poly1305", "the channel negotiated with ChaCha20-Poly1305",
                        "both ciphers work");
        c.expect = cf::Expect::complete;
        c.target_flags = {"--ciphers", "CHACHA20-POLY1305"};
        c.requires_target_flags = true;
        c.harness_flags = {"--ciphers", "CHACHA20-POLY1305"};
        auto& z = b.add(target, pw, "channel", "binarized", "both sides ask for binarized frames",
                        "binary frames carry the channel when both sides binarize");
        z.expect = cf::Expect::complete;
        z.target_flags = {"--binarize"};
        z.requires_target_flags = true;
        z.harness_flags = {"--binarize"};
    }
    for (const auto& m : b.all_modes) {
        const std::size_t hello = m.name == "preshared" ? 0 : 1;
        {
            // JSON-HEX is the pre-shared mode's only encoding.
            auto& s = b.add(Role::acceptor, m, "encoding", "hex_uppercase",
                            "the client HELLO's fields in uppercase hex", "JSON-HEX is lowercase (non_canonical)");
            s.harness_flags = concat(m.flags, {"--encodings", "JSON-HEX"});
            s.rewrite = cf::rewrite::replace(hello, [](const Bytes& u) {
                return edit_frame_fields(u, [](std::string v) {
                    std::transform(v.begin(), v.end(), v.begin(),
                                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
                    return v;
                });
            });
            s.expected_error = "non_canonical";
        }
        {
            auto& s =
                b.add(Role::acceptor, m, "crypto", "plaintext_hello", "the client HELLO sent in plaintext",
                      "with crypto required, a plaintext message after the handshake is refused (unexpected_message)");
            s.rewrite = cf::rewrite::replace(hello, [](const Bytes&) {
                const std::string text =
                    R"({"msg_type": "hello", "payload": {"pubkey": "", "session": {}, "site_id": "unknown"}, "metadata": {}, "route": [], "node": null, "target_site_id": null, "target_pubkey": null, "source_peer": null})";
                Bytes out(text.size() + 1);
                out[0] = 0x01;
                std::copy(text.begin(), text.end(), out.begin() + 1);
                return out;
            });
            s.expected_error = "unexpected_message";
            s.consequence = "a man in the middle injects plaintext into an encrypted session";
        }
        {
            // The same JSON object, its key spelled with an escape: a frame is encrypted when it
            // has a top-level "ciphertext" key, however the key is written.
            auto& s = b.add(Role::acceptor, m, "crypto", "escaped_ciphertext_key",
                            "the client HELLO's \"ciphertext\" key written as \"cipher\\u0074ext\"",
                            "an encrypted frame is recognised by its parsed keys, not by a substring");
            s.expect = cf::Expect::complete;
            s.rewrite = cf::rewrite::replace(hello, [](const Bytes& u) {
                std::string text = text_of(u);
                const auto at = text.find("\"ciphertext\"");
                if (at != std::string::npos) {
                    text.replace(at, 12, "\"cipher\\u0074ext\"");
                }
                Bytes out{u.front()};
                out.insert(out.end(), text.begin(), text.end());
                return out;
            });
        }
    }
    // The encrypted HELLO's fields damaged (JSON-HEX, so that each edit is exact): a tag one byte
    // short, no ciphertext at all, a 12-byte nonce where AES-GCM takes 16.
    {
        struct Damage {
            const char* name;
            const char* title;
            const char* field;
            const char* error;
            std::string (*change)(std::string);
        };
        const Damage damages[] = {
            {"truncated_tag", "the client HELLO's tag one byte short", "tag", "bad_length",
             [](std::string v) { return v.substr(0, v.size() >= 2 ? v.size() - 2 : 0); }},
            {"empty_ciphertext", "the client HELLO with a zero-length ciphertext", "ciphertext", "bad_mac",
             [](std::string) { return std::string(); }},
            {"short_nonce", "the client HELLO's AES-GCM nonce cut to 12 bytes", "nonce", "bad_length",
             [](std::string v) { return v.substr(0, 24); }},
        };
        for (const auto& d : damages) {
            auto& s = b.add(Role::acceptor, pw, "channel", d.name, d.title,
                            "an encrypted frame has a 16-byte tag, a nonce of the cipher's size, and authenticates");
            s.harness_flags = {"--encodings", "JSON-HEX", "--ciphers", "AES-GCM"};
            s.rewrite = cf::rewrite::replace(1, [field = std::string(d.field), change = d.change](const Bytes& u) {
                return edit_value(u, field, change);
            });
            s.expected_error = d.error;
        }
    }
    // No sequence number and no AAD (docs/protocols/hivemind.md, "Encrypted channel"): a sealed
    // message delivered again, or two delivered in the other order, open as they are. Every
    // conforming target accepts them; the scenarios report it as a property of the protocol.
    {
        const auto note = [](std::string what) {
            return [what](const std::vector<Bytes>&, const std::vector<Bytes>&) {
                return "NoReplayProtection: the target accepted " + what +
                       "; the channel has no sequence number and no AAD, so a man in the middle replays and "
                       "reorders encrypted messages unnoticed (informational)";
            };
        };
        auto& r = b.add(Role::acceptor, pw, "channel", "replayed_message",
                        "two sealed BUS messages after the HELLO, the first delivered twice",
                        "the protocol cannot tell a replayed message (informational finding)");
        r.expect = cf::Expect::complete;
        r.harness_flags = {"--bus-after-hello", "2"};
        r.rewrite = cf::rewrite::duplicate(2);
        r.protocol_note = note("a sealed BUS message delivered twice");
        auto& o = b.add(Role::acceptor, pw, "channel", "reordered_messages",
                        "two sealed BUS messages after the HELLO, delivered in the other order",
                        "the protocol cannot tell reordered messages (informational finding)");
        o.expect = cf::Expect::complete;
        o.harness_flags = {"--bus-after-hello", "2"};
        o.rewrite = cf::rewrite::swap_with_next(2);
        o.protocol_note = note("two sealed BUS messages in swapped order");
    }
    // A plaintext message (crypto optional) whose text holds "ciphertext" as a value: it is
    // plaintext, since its keys are a HiveMessage's.
    {
        auto& s = b.add(Role::acceptor, pw, "crypto", "ciphertext_in_plaintext",
                        "crypto optional: the client HELLO in plaintext, its site_id \"ciphertext\"",
                        "an encrypted frame is recognised by its parsed keys, not by a substring");
        s.expect = cf::Expect::complete;
        s.target_flags = {"--crypto-optional"};
        s.requires_target_flags = true;
        s.rewrite = cf::rewrite::replace(1, [](const Bytes&) {
            const std::string text =
                R"({"msg_type": "hello", "payload": {"pubkey": "", "session": {}, "site_id": "ciphertext"}, "metadata": {}, "route": [], "node": null, "target_site_id": null, "target_pubkey": null, "source_peer": null})";
            Bytes out(text.size() + 1);
            out[0] = 0x01;
            std::copy(text.begin(), text.end(), out.begin() + 1);
            return out;
        });
    }
    // Binarized HELLOs, well sealed, whose frame breaks one rule.
    for (const auto& [kind, title, error] :
         {std::tuple<std::string, std::string, std::string>{"unknown_type", "a binarized frame of type 13",
                                                            "unknown_type"},
          {"metadata_past_end", "a binarized frame whose metadata length (255) runs past its end", "truncated"},
          {"zlib_bomb", "a compressed binarized frame inflating to 2 MiB", "oversize"}}) {
        auto& s = b.add(Role::acceptor, pw, "binarized", kind, "the client HELLO as " + title,
                        "a binarized frame has a known type, fits its lengths, and inflates within a bound");
        s.target_flags = {"--binarize"};
        s.requires_target_flags = true;
        s.harness_flags = {"--binarize", "--binarized-hello", kind};
        s.configured_from_unit = 1;
        s.expected_error = error;
    }
    for (const char* e : {"JSON-B64", "JSON-URLSAFE-B64"}) {
        const std::string name = std::string(e) == "JSON-B64" ? "b64_unpadded" : "urlsafe_b64_unpadded";
        auto& s = b.add(Role::acceptor, pw, "encoding", name,
                        std::string("the client HELLO's ") + e + " fields without padding",
                        "base64 fields carry exactly the padding their data needs");
        s.harness_flags = {"--encodings", e};
        s.rewrite = cf::rewrite::replace(1, [](const Bytes& u) {
            return edit_frame_fields(u, [](std::string v) {
                v.erase(std::remove(v.begin(), v.end(), '='), v.end());
                return v;
            });
        });
    }
    {
        // The harness's randomness is zero, so the nonce's basE91 text is all 'A' (value 0): a
        // character outside the alphabet in its place means the same bytes only to a decoder
        // that reads unknown characters as 'A'.
        auto& s = b.add(Role::acceptor, pw, "encoding", "b91_unknown_character",
                        "the client HELLO's basE91 nonce with a character outside the alphabet",
                        "basE91 refuses characters outside its alphabet (decode_error)");
        s.harness_flags = {"--encodings", "JSON-B91", "--zero-random"};
        s.rewrite = cf::rewrite::replace(1, [](const Bytes& u) {
            return edit_value(u, "nonce", [](std::string v) {
                if (const auto a = v.find('A'); a != std::string::npos) {
                    v[a] = '\'';
                }
                return v;
            });
        });
        s.expected_error = "decode_error";
    }
}

// The upgrade without a well-formed authorization parameter (docs/protocols/hivemind.md,
// "Transport"): the target must refuse the upgrade, or close before its HELLO. Answering with
// HELLO serves a client that never identified itself.
class AuthorizationRefusal final : public cf::Scenario {
public:
    AuthorizationRefusal(std::string name, std::string title, std::string query) : m_query(std::move(query)) {
        m_info.id = "acceptor.password.transport." + name;
        m_info.cls = "transport";
        m_info.title = std::move(title);
        m_info.rule = "an upgrade without a well-formed ?authorization=base64(useragent:access_key) is refused";
        m_info.target_role = Role::acceptor;
        m_info.needs_own_transport = true;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        cf::WebSocketOptions o;
        o.opcode_prefix = true;
        o.path = "/";
        o.query = m_query;
        cf::ConnectionRequest request;
        request.target_role = Role::acceptor;
        request.transport = std::make_shared<cf::WebSocketTransportFactory>(std::move(o));
        auto opened = ctx.open(request, cf::Millis(5000));
        cf::ScenarioOutcome out;
        if (opened.status == cf::OpenResult::Status::unimplemented) {
            return {cf::Verdict::unimplemented, opened.error, {}, false};
        }
        if (opened.status != cf::OpenResult::Status::ok) {
            // The TCP connection was made: the upgrade itself was refused or aborted.
            out = opened.error.rfind("upgrade", 0) == 0
                      ? cf::ScenarioOutcome{cf::Verdict::pass, "the target refused the upgrade (" + opened.error + ")",
                                            {}, false}
                      : cf::ScenarioOutcome{cf::Verdict::fail, "could not reach the target: " + opened.error, {},
                                            false};
        } else {
            cf::Transport& t = *opened.transport;
            const cf::Incoming in = t.receive_any(cf::after(ctx.scaled(cf::Millis(1500))));
            t.abort();
            if (in.kind == cf::Incoming::Kind::message) {
                out = {cf::Verdict::fail,
                       "the target completed the upgrade and sent a " + std::to_string(in.wire.size()) +
                           "-byte message; " + m_info.rule,
                       {}, false};
            } else if (in.kind == cf::Incoming::Kind::timeout) {
                out = {cf::Verdict::fail, "the target completed the upgrade and kept the connection open; " + m_info.rule,
                       {}, false};
            } else {
                out = {cf::Verdict::pass,
                       "the target completed the upgrade, then closed before its HELLO (" +
                           std::string(to_string(in.kind)) + ")",
                       {}, false};
            }
        }
        (void)ctx.finish_target();
        return out;
    }

private:
    cf::ScenarioInfo m_info;
    std::string m_query;
};

// What an eavesdropper does with one captured password envelope: IV || SHA-256(IV || password)
// truncated, so each guess costs one SHA-256. The default password of these scenarios is the last
// word of a small dictionary; the cost per guess is measured here, on the runner's machine.
std::string offline_dictionary_note(const std::vector<Bytes>& target_units) {
    std::string envelope;
    for (const auto& u : target_units) {
        const std::string text = text_of(u);
        const auto [start, size] = value_span(text, "envelope");
        if (start != std::string::npos && size == kEnvelopeHexLength) {
            envelope = text.substr(start, size);
            break;
        }
    }
    const auto iv_bytes = from_hex(envelope.substr(0, 16));
    if (envelope.empty() || !iv_bytes || iv_bytes->size() != 8) {
        return "";
    }
    Iv iv{};
    std::copy(iv_bytes->begin(), iv_bytes->end(), iv.begin());
    constexpr std::size_t kGuesses = 20000;
    std::vector<std::string> words;
    words.reserve(kGuesses + 1);
    for (std::size_t k = 0; k < kGuesses; ++k) {
        words.push_back("guess-" + std::to_string(k));
    }
    words.emplace_back("test-password-123");
    std::optional<std::size_t> found;
    const auto start = cf::SteadyClock::now();
    for (std::size_t k = 0; k < words.size(); ++k) {
        if (password_envelope(words[k], iv) == envelope && !found) {
            found = k + 1;
        }
    }
    const double ns = static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(cf::SteadyClock::now() - start).count());
    const double per_guess = ns / static_cast<double>(words.size());
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.0f ns per guess (one SHA-256), %.0f s per 10^9 guesses on one core", per_guess,
                  per_guess);
    return "OfflineDictionaryAttack: the target's envelope " + envelope + ", captured from the wire, tested against " +
           std::to_string(words.size()) + " guesses: " + buf + "; " +
           (found ? "the password was found at guess " + std::to_string(*found)
                  : std::string("the password was not in this dictionary")) +
           " (informational: the envelope is a fast hash of the password, PBKDF2 protects only the key)";
}

void add_transport_and_guessing(Builder& b, std::vector<std::unique_ptr<cf::Scenario>>& extra) {
    extra.push_back(std::make_unique<AuthorizationRefusal>("no_authorization",
                                                           "the upgrade request without an authorization parameter", ""));
    extra.push_back(std::make_unique<AuthorizationRefusal>(
        "malformed_authorization", "the upgrade request's authorization parameter is not base64",
        "authorization=%%%not-base64%%%"));
    const ModeSpec& pw = find_mode(b.all_modes, "password");
    // Slow and partial delivery: each of our messages in WebSocket frames of 24 bytes, 20 ms
    // apart (a HELLO with its PEM key in about 25 frames), well within the 5 s handshake limit:
    // the target reassembles them and completes.
    if (const auto* ws = dynamic_cast<const cf::WebSocketTransportFactory*>(b.transport.get())) {
        cf::WebSocketOptions o = ws->options();
        o.fragment_size = 24;
        o.fragment_gap = cf::Millis(20);
        const auto trickle = std::make_shared<cf::WebSocketTransportFactory>(std::move(o));
        for (const Role target : {Role::acceptor, Role::initiator}) {
            auto& s = b.add(target, pw, "transport", "trickled",
                            "every message of ours in 24-byte frames, 20 ms apart",
                            "fragmented messages are reassembled, and slow delivery within the deadline completes");
            s.expect = cf::Expect::complete;
            s.transport = trickle;
        }
        // Below the framing: our upgrade request or response and every frame of ours written to
        // the socket 7 bytes at a time, 1 to 3 ms apart (TCP_NODELAY; some 200 segments as the
        // server, whose HELLO carries its PEM key: under half a second, before the watch after the
        // handshake): the target reassembles the stream and completes.
        cf::WebSocketOptions segmented = ws->options();
        segmented.segment_size = 7;
        segmented.segment_gap = cf::Millis(1);
        segmented.segment_jitter = cf::Millis(2);
        const auto segments = std::make_shared<cf::WebSocketTransportFactory>(std::move(segmented));
        for (const Role target : {Role::acceptor, Role::initiator}) {
            auto& s = b.add(target, pw, "transport", "tcp_segments",
                            "our upgrade and every frame of ours written 7 bytes at a time, 1 to 3 ms apart",
                            "a WebSocket stream split into small TCP segments is reassembled, and the handshake "
                            "completes within its deadline");
            s.expect = cf::Expect::complete;
            s.transport = segments;
        }
    }
    for (const Role target : {Role::acceptor, Role::initiator}) {
        auto& s = b.add(target, pw, "credential", "offline_dictionary",
                        "an honest handshake; the target's envelope then attacked offline",
                        "a captured envelope allows an offline dictionary attack (informational finding, with the "
                        "measured cost per guess)");
        s.expect = cf::Expect::complete;
        s.protocol_note = [](const std::vector<Bytes>&, const std::vector<Bytes>& target_units) {
            return offline_dictionary_note(target_units);
        };
    }
}

}  // namespace

const std::map<std::string_view, std::vector<std::string>>& knob_scenarios() {
    static const std::map<std::string_view, std::vector<std::string>> m = {
        {"skip-envelope-check",
         {"acceptor.password.envelope.digest_changed", "acceptor.password.credential.wrong_password",
          "acceptor.password.envelope.uppercase", "acceptor.password.envelope.eighty_digits"}},
        {"accept-reflection", {"initiator.password.reflection.own_envelope"}},
        {"lax-envelope", {"*.password.envelope.trailing_hex", "*.password.envelope.eighty_digits"}},
        {"accept-empty-password", {"*.password.credential.empty_password"}},
        {"plaintext-after-handshake", {"acceptor.*.crypto.plaintext_hello"}},
        {"ciphertext-substring",
         {"acceptor.*.crypto.escaped_ciphertext_key", "acceptor.password.crypto.ciphertext_in_plaintext"}},
        {"ignore-bad-signature", {"initiator.rsa.envelope.signature_changed"}},
        {"accept-any-choice", {"initiator.*.downgrade.encoding", "initiator.*.downgrade.cipher"}},
        {"trust-every-key", {"initiator.rsa.pin.changed_key"}},
        {"accept-weak-rsa-keys", {"*.rsa.weak_key.*"}},
        {"hex-accepts-uppercase", {"acceptor.*.encoding.hex_uppercase"}},
        {"lax-base64", {"acceptor.password.encoding.*b64_unpadded"}},
        {"b91-zero-table", {"acceptor.password.encoding.b91_unknown_character"}},
        {"b91-compiled-alphabet", {"*.password.encoding.b91", "*.password.happy.honest", "*.rsa.happy.honest"}},
        {"z85p-broken", {"acceptor.password.encoding.z85p"}},
    };
    return m;
}

cf::Catalogue make_catalogue(const registry::Variant& variant, const registry::CatalogueOptions& options) {
    const std::string profile = options.profile.empty() ? variant.profiles.front().name : options.profile;
    const auto env = environment(variant, profile);
    const auto ms = modes();
    std::vector<cf::MachineScenario> specs;
    for (const Role target : {Role::acceptor, Role::initiator}) {
        for (const auto& m : ms) {
            add_families(specs, *env, m, target);
        }
    }
    Builder b{ms, specs, variant.transport ? variant.transport(profile, {}) : nullptr};
    add_credentials(b);
    add_negotiation(b);
    add_rsa_keys(b);
    add_channel(b);
    std::vector<std::unique_ptr<cf::Scenario>> extra;
    add_transport_and_guessing(b, extra);
    // Grouped by target role, each group in the order above.
    std::stable_sort(specs.begin(), specs.end(), [](const cf::MachineScenario& x, const cf::MachineScenario& y) {
        return x.info.target_role == Role::acceptor && y.info.target_role != Role::acceptor;
    });
    cf::Catalogue cat;
    cat.variant = variant.name;
    cat.description = "HiveMind password, RSA and pre-shared-key handshakes (docs/protocols/hivemind.md)";
    for (auto& s : specs) {
        // PBKDF2 (100000 iterations) on both sides, and RSA in RSA mode, on a loaded machine.
        s.deadline = std::max(s.deadline, cf::Millis(10000));
        cat.scenarios.push_back(cf::make_machine_scenario(env, std::move(s)));
    }
    for (auto& s : extra) {
        cat.scenarios.push_back(std::move(s));
    }
    std::stable_partition(cat.scenarios.begin(), cat.scenarios.end(),
                          [](const std::unique_ptr<cf::Scenario>& x) { return x->info().target_role == Role::acceptor; });
    return cat;
}

}  // namespace shakedown::hivemind
