#include "conformance/scenarios/hivemind/catalogue.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <utility>

#include "common/rng.hpp"
#include "conformance/registry/forwarding_machine.hpp"
#include "conformance/runner/machine_catalogue.hpp"
#include "vectors/gen/hivemind/hivemind_vectors.hpp"

namespace shakedown::hivemind {

namespace cf = shakedown::conformance;

namespace {

// ---------------------------------------------------------------------------------------------
// The harness: the variant's reference machine of the target's profile, built from shim flags,
// plus three switches only the catalogue gives it (they configure the harness, never a target):
//   --reflect-envelope   as server: message 4 carries the client's own envelope (salt 0);
//   --zero-random        every random byte is zero, so a sealed message's nonce is known;
//   --harness-knob NAME  a bug knob of the harness itself (an empty password, which the strict
//                        reference refuses to use, on the harness's side).

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

class HarnessMachine final : public registry::ForwardingMachine {
public:
    HarnessMachine(std::unique_ptr<Rng> rng, bool reflect) : m_rng(std::move(rng)), m_reflect(reflect) {}
    // The inner machine holds references to the Rng and the clock: it goes first.
    ~HarnessMachine() override { set(nullptr); }
    HarnessMachine(const HarnessMachine&) = delete;
    HarnessMachine& operator=(const HarnessMachine&) = delete;
    [[nodiscard]] Rng& rng() { return *m_rng; }
    [[nodiscard]] const Clock& clock() const { return m_clock; }

    void receive(ByteView input) override {
        if (m_reflect && !m_client_envelope) {
            const Bytes unit(input.begin(), input.end());
            const std::string text = text_of(unit);
            const auto [start, size] = value_span(text, "envelope");
            if (start != std::string::npos) {
                m_client_envelope = text.substr(start, size);
            }
        }
        inner().receive(input);
    }
    [[nodiscard]] std::vector<Bytes> take_output() override {
        auto out = inner().take_output();
        if (m_reflect && m_client_envelope) {
            for (auto& u : out) {
                u = edit_value(u, "envelope", [this](const std::string&) { return *m_client_envelope; });
            }
        }
        return out;
    }

private:
    std::unique_ptr<Rng> m_rng;
    SystemClock m_clock;
    bool m_reflect = false;
    std::optional<std::string> m_client_envelope;
};

std::shared_ptr<cf::MachineEnvironment> environment(const registry::Variant& variant, const std::string& profile) {
    auto env = std::make_shared<cf::MachineEnvironment>();
    const registry::Variant* v = &variant;
    env->make = [v, profile](Role role, const std::vector<std::string>& flags,
                             std::string& why) -> std::unique_ptr<Machine> {
        registry::MachineRequest request{role, profile, {}, {}};
        std::vector<std::string> rest;
        bool reflect = false;
        bool zero = false;
        for (std::size_t k = 0; k < flags.size(); ++k) {
            if (flags[k] == "--reflect-envelope") {
                reflect = true;
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
            zero ? std::unique_ptr<Rng>(std::make_unique<ZeroRng>()) : std::make_unique<SystemRng>(), reflect);
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

}  // namespace

const std::map<std::string_view, std::vector<std::string>>& knob_scenarios() {
    static const std::map<std::string_view, std::vector<std::string>> m = {
        {"skip-envelope-check", {"acceptor.password.envelope.digest_changed"}},
        {"accept-reflection", {"initiator.password.reflection.own_envelope"}},
        {"lax-envelope", {"*.password.envelope.trailing_hex"}},
        {"accept-empty-password", {"*.password.credential.empty_password"}},
        {"plaintext-after-handshake", {"acceptor.*.crypto.plaintext_hello"}},
        {"ciphertext-substring", {"acceptor.*.crypto.escaped_ciphertext_key"}},
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
    Builder b{ms, specs};
    add_credentials(b);
    add_negotiation(b);
    add_rsa_keys(b);
    add_channel(b);
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
    return cat;
}

}  // namespace shakedown::hivemind
