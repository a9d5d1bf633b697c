// Writes the HiveMind seed corpora fuzz/corpus/hivemind_<target>/ from the vectors' wire bytes,
// or with --check verifies the committed corpora are exactly what it would write. Names say where
// a seed came from: codec_tc<N>, handshake_tc<N>[_u<unit>], script_<what>. A seed whose bytes the same target
// already has is left out; other files in a corpus directory (merged units) are left alone.
//
//   fuzz_make_corpus_hivemind [--check] [--out DIR]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "fuzz/machine_driver.hpp"
#include "hivemind/codecs.hpp"
#include "hivemind/handshake.hpp"
#include "vectors/gen/hivemind/hivemind_vectors.hpp"
#include "vectors/gen/json_strict.hpp"

namespace {

namespace fs = std::filesystem;
using namespace shakedown;
using VJson = shakedown::vectors::Json;

constexpr std::size_t kMaxSeedsPerTarget = 48;

class Corpora {
public:
    void add(const std::string& target, const std::string& name, ByteView data) {
        if (!m_seen[target].insert(Bytes(data.begin(), data.end())).second || m_seeds[target].size() >= kMaxSeedsPerTarget) {
            return;
        }
        m_seeds[target].emplace_back(name, Bytes(data.begin(), data.end()));
    }
    [[nodiscard]] const std::map<std::string, std::vector<std::pair<std::string, Bytes>>>& seeds() const { return m_seeds; }

private:
    std::map<std::string, std::vector<std::pair<std::string, Bytes>>> m_seeds;
    std::map<std::string, std::set<Bytes>> m_seen;
};

Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes hexv(const VJson& j) { return vectors::hex_value(j, "hex"); }
std::uint8_t encoding_index(const std::string& name) {
    const auto e = hivemind::encoding_from_wire(name);
    return e ? static_cast<std::uint8_t>(*e) : 0;
}

void from_codec(const VJson& doc, Corpora& c) {
    for (const auto& g : doc.at("testGroups")) {
        const std::string type = g.at("type").get<std::string>();
        for (const auto& t : g.at("tests")) {
            const std::string name = "codec_tc" + std::to_string(t.at("tcId").get<int>());
            if (type == "HiveMindEncoding") {
                std::string e = g.at("encoding").get<std::string>().substr(5);
                for (auto& ch : e) {
                    ch = ch == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                }
                const Bytes text = text_bytes(t.at("text").get<std::string>());
                c.add("hivemind_decode_" + e, name, text);
                if (e == "hex" && t.at("result") == "valid") {
                    c.add("hivemind_negative_control", name, text);
                }
            } else if (type == "HiveMindJson") {
                c.add("hivemind_json", name, hexv(t.at("hex")));
            } else if (type == "HiveMindMessage") {
                c.add("hivemind_message", name, hexv(t.at("hex")));
            } else if (type == "HiveMindFrame") {
                c.add("hivemind_binarized_frame", name, hexv(t.at("hex")));
            } else if (type == "HiveMindPasswordEnvelope") {
                const std::string pw = t.at("password").get<std::string>();
                Bytes in{static_cast<std::uint8_t>(pw.size())};
                in.insert(in.end(), pw.begin(), pw.end());
                const std::string env = t.at("envelope").get<std::string>();
                in.insert(in.end(), env.begin(), env.end());
                c.add("hivemind_password_envelope", name, in);
            } else if (type == "HiveMindRsaEnvelope") {
                c.add("hivemind_rsa_envelope", name, text_bytes(t.at("envelope").get<std::string>()));
            } else if (type == "HiveMindEncryptedFrame") {
                const bool binary = t.at("binary").get<bool>();
                if (binary) {
                    Bytes in{static_cast<std::uint8_t>(g.at("cipher") == "AES-GCM" ? 0 : 1)};
                    const Bytes f = hexv(t.at("frame"));
                    in.insert(in.end(), f.begin(), f.end());
                    c.add("hivemind_encrypted_binary_frame", name, in);
                } else {
                    Bytes in{encoding_index(g.at("encoding").get<std::string>())};
                    const std::string f = t.at("frame").get<std::string>();
                    in.insert(in.end(), f.begin(), f.end());
                    c.add("hivemind_encrypted_json_frame", name, in);
                }
            } else if (type == "HiveMindAuthorization") {
                c.add("hivemind_authorization", name, text_bytes(t.at("value").get<std::string>()));
            }
        }
    }
}

Bytes unit_of(const VJson& u) {
    if (u.contains("raw")) {
        return hexv(u.at("raw"));
    }
    const std::uint8_t op = u.at("opcode") == "text" ? hivemind::kOpText : hivemind::kOpBinary;
    Bytes out{op};
    const Bytes body = u.contains("text") ? text_bytes(u.at("text").get<std::string>()) : hexv(u.at("hex"));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

// The machine-target input for one side of a transcript, when the target's configuration
// (fuzz/hivemind/hivemind_machine_target.hpp) can express that side's: the configuration bytes,
// then a script (fuzz/machine_driver.hpp) injecting the units that side received.
std::optional<Bytes> machine_input(const VJson& t, bool server, const std::vector<Bytes>& units) {
    const VJson& s = t.at(server ? "server" : "client");
    const std::string mode = t.at("mode").get<std::string>();
    if (!s.at("knobs").empty() || s.at("password") != (mode == "preshared" ? "" : "test-password-123")) {
        return std::nullopt;
    }
    std::uint8_t flags = mode == "rsa" ? 1 : mode == "preshared" ? 2 : 0;
    flags = static_cast<std::uint8_t>(flags | (s.at("binarize").get<bool>() ? 4 : 0));
    std::uint8_t enc = 0;
    std::uint8_t cipher = 0;
    const auto encodings = s.at("encodings").get<std::vector<std::string>>();
    const auto ciphers = s.at("ciphers").get<std::vector<std::string>>();
    if (server) {
        if (encodings != hivemind::kDefaultEncodings || ciphers != std::vector<std::string>{"AES-GCM", "CHACHA20-POLY1305"} ||
            !s.at("cryptoRequired").get<bool>()) {
            return std::nullopt;
        }
    } else {
        if (!s.at("pinnedKey").is_null() || ciphers.size() != 1) {
            return std::nullopt;
        }
        if (encodings == hivemind::kDefaultEncodings) {
            flags |= 8;
        } else if (encodings.size() == 1) {
            enc = encoding_index(encodings[0]);
        } else {
            return std::nullopt;
        }
        cipher = ciphers[0] == "AES-GCM" ? 0 : 1;
    }
    Bytes rng = hexv(s.at("rng"));
    if (rng.size() > hivemind::hmfuzz::kRngBytes) {
        return std::nullopt;
    }
    rng.resize(hivemind::hmfuzz::kRngBytes, 0);
    Bytes in(3 + rng.size());
    in[0] = flags;
    in[1] = enc;
    in[2] = cipher;
    std::copy(rng.begin(), rng.end(), in.begin() + 3);
    for (const auto& u : units) {
        if (u.size() >= fuzz::script::kMaxInjected) {
            return std::nullopt;
        }
        fuzz::script::append_with_length(in, fuzz::script::kInjectRaw, u);
    }
    return in;
}

// Salts the transcripts derive keys from: the machine targets run PBKDF2 at full strength for
// these (so seeds reach the encrypted HELLO) and at one iteration for any other.
std::set<std::string> g_salts;

// Honest runs against the target's own peer, per mode, binarize flag and cipher, and a few changed
// units: the configuration bytes, a seed for the machine's randomness, then the script.
void scripts(Corpora& c) {
    using namespace fuzz::script;
    for (const int flags : {0, 1, 2, 4, 5, 6, 8, 9, 10}) {
        for (const int cipher : {0, 1}) {
            // The machine's draws expanded from a seed byte (hivemind_machine_target.hpp).
            Bytes head(3 + hivemind::hmfuzz::kRngSeedBytes);
            head[0] = static_cast<std::uint8_t>(flags | hivemind::hmfuzz::kSeededRng);
            head[2] = static_cast<std::uint8_t>(cipher);
            for (std::size_t i = 0; i < hivemind::hmfuzz::kRngSeedBytes; ++i) {
                head[3 + i] = static_cast<std::uint8_t>(0x40 + i);
            }
            const std::string name = "script_f" + std::to_string(flags) + "_c" + std::to_string(cipher);
            const auto add = [&](const std::string& what, std::initializer_list<std::uint8_t> script) {
                Bytes in = head;
                in.insert(in.end(), script.begin(), script.end());
                c.add("hivemind_server", name + what, in);
                c.add("hivemind_client", name + what, in);
            };
            add("_honest", {kHonestToEnd});
            if (cipher == 0 && flags <= 2) {
                add("_flip_first", {kFlip, 0x00, 0x20, 0x01, kHonestToEnd});
                add("_flip_second", {kHonest, kFlip, 0x00, 0x30, 0x01, kHonestToEnd});
                add("_duplicate_first", {kHonest, kDuplicate, kHonestToEnd});
            }
        }
    }
}

void from_transcripts(const VJson& doc, Corpora& c) {
    for (const auto& g : doc.at("testGroups")) {
        for (const auto& t : g.at("tests")) {
            for (const char* side : {"clientOutcome", "serverOutcome"}) {
                const auto& keys = t.at(side).at("keys");
                if (keys.contains("salt")) {
                    g_salts.insert(keys.at("salt").get<std::string>());
                }
            }
            const std::string name = "handshake_tc" + std::to_string(t.at("tcId").get<int>());
            std::vector<Bytes> to_server;
            std::vector<Bytes> to_client;
            std::size_t server_shakes = 0;
            const auto& wire = t.at("wire");
            for (std::size_t i = 0; i < wire.size(); ++i) {
                const Bytes u = unit_of(wire[i]);
                const bool from_server = wire[i].at("from") == "server";
                (from_server ? to_client : to_server).push_back(u);
                if (u.size() > 0xffff) {
                    continue;
                }
                const std::string uname = name + "_u" + std::to_string(i);
                const ByteView body = ByteView(u).subspan(u.empty() ? 0 : 1);
                if (u.empty() || u[0] != hivemind::kOpText) {
                    const auto& o = t.at(from_server ? "clientOutcome" : "serverOutcome");
                    Bytes in{static_cast<std::uint8_t>(o.at("cipher") == "CHACHA20-POLY1305" ? 1 : 0)};
                    in.insert(in.end(), body.begin(), body.end());
                    c.add("hivemind_encrypted_binary_frame", uname, in);
                    continue;
                }
                const auto m = hivemind::parse_message(body);
                if (!m) {
                    const auto& o = t.at(from_server ? "clientOutcome" : "serverOutcome");
                    if (o.at("encoding").is_string()) {
                        Bytes in{encoding_index(o.at("encoding").get<std::string>())};
                        in.insert(in.end(), body.begin(), body.end());
                        c.add("hivemind_encrypted_json_frame", uname, in);
                    }
                    c.add("hivemind_json", uname, body);
                    continue;
                }
                c.add("hivemind_message", uname, body);
                const Bytes payload = text_bytes(hivemind::dump_json(m->payload));
                if (from_server && m->msg_type == "hello") {
                    c.add("hivemind_server_hello", uname, payload);
                } else if (from_server && m->msg_type == "shake") {
                    c.add(server_shakes++ == 0 ? "hivemind_server_params" : "hivemind_server_choice", uname, payload);
                } else if (!from_server && m->msg_type == "shake") {
                    c.add("hivemind_client_offer", uname, payload);
                } else if (!from_server && m->msg_type == "hello") {
                    c.add("hivemind_client_hello", uname, payload);
                }
            }
            for (const auto& r : t.at("serverOutcome").at("received")) {
                const auto m = hivemind::parse_message(as_bytes(r.get<std::string>()));
                if (m && m->msg_type == "hello") {
                    c.add("hivemind_client_hello", name, text_bytes(hivemind::dump_json(m->payload)));
                }
            }
            if (const auto in = machine_input(t, true, to_server)) {
                c.add("hivemind_server", name, *in);
            }
            if (const auto in = machine_input(t, false, to_client)) {
                c.add("hivemind_client", name, *in);
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool check = false;
    fs::path out = fs::path(SHAKEDOWN_SOURCE_DIR) / "fuzz" / "corpus";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--check") {
            check = true;
        } else if (a == "--out" && i + 1 < argc) {
            out = argv[++i];
        } else {
            std::fprintf(stderr, "usage: fuzz_make_corpus_hivemind [--check] [--out DIR]\n");
            return 2;
        }
    }
    Corpora c;
    try {
        scripts(c);
        for (const auto& f : hivemind::vectors::generate({})) {
            const VJson doc = VJson::parse(f.text);
            if (doc.at("schema") == hivemind::vectors::kCodecSchema) {
                from_codec(doc, c);
            } else {
                from_transcripts(doc, c);
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_make_corpus_hivemind: %s\n", e.what());
        return 1;
    }
    std::size_t drift = 0;
    std::size_t written = 0;
    {
        std::string inc = "// Generated by fuzz_make_corpus_hivemind from the transcript vectors (do not edit).\n";
        for (const auto& salt : g_salts) {
            inc += "\"" + salt + "\",\n";
        }
        const fs::path p = fs::path(SHAKEDOWN_SOURCE_DIR) / "fuzz" / "hivemind" / "vector_salts.inc";
        if (check) {
            std::ifstream in(p, std::ios::binary);
            const std::string have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            if (have != inc) {
                std::fprintf(stderr, "differs: %s\n", p.string().c_str());
                ++drift;
            }
        } else {
            std::ofstream(p, std::ios::binary) << inc;
        }
    }
    for (const auto& [target, seeds] : c.seeds()) {
        const fs::path dir = out / target;
        if (!check) {
            fs::create_directories(dir);
        }
        for (const auto& [name, data] : seeds) {
            const fs::path p = dir / name;
            if (check) {
                std::ifstream in(p, std::ios::binary);
                const Bytes have((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
                if (!fs::exists(p)) {
                    std::fprintf(stderr, "missing: %s\n", p.string().c_str());
                    ++drift;
                } else if (have != data) {
                    std::fprintf(stderr, "differs: %s\n", p.string().c_str());
                    ++drift;
                }
            } else {
                std::ofstream o(p, std::ios::binary);
                o.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
                ++written;
            }
        }
    }
    if (check) {
        std::printf("%zu corpus files drifted\n", drift);
        return drift == 0 ? 0 : 1;
    }
    std::printf("wrote %zu seeds for %zu targets\n", written, c.seeds().size());
    return 0;
}
