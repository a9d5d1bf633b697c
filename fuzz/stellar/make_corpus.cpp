// Writes the seed corpora fuzz/corpus/<target>/ from the wire bytes of vectors/stellar/*.json, or
// with --check verifies that the committed corpora are exactly what it would write.
//
// Names are deterministic and say where a seed came from: codec_tc<N> (codec_test.json case N),
// handshake_tc<N>_... (handshake_test.json case N), script_<what> (hand-written state-machine
// scripts). A seed whose bytes another seed of the same target already has is left out. Other
// files in a corpus directory (libFuzzer's SHA-1-named units added by `ci/fuzz.sh --merge`) are
// left alone.
//
//   fuzz_make_corpus [--check] [--vectors DIR] [--out DIR]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz/stellar/stellar_machine_target.hpp"
#include "stellar/codec.hpp"
#include "vectors/gen/json_strict.hpp"

namespace {

namespace fs = std::filesystem;
using namespace shakedown;
using vectors::Json;

// Enough seeds to cover every message shape the vectors have, few enough that a replay stays fast
// and the repository small; libFuzzer finds the rest from there.
constexpr std::size_t kMaxSeedsPerTarget = 64;

struct Seed {
    std::string name;
    Bytes data;
};

// Seeds are added as primary (codec cases, scripts: each one a deliberate case, always kept) or
// secondary (layers of transcript records: many near-duplicates). Secondary seeds fill what room
// the cap leaves, taken evenly across the vectors rather than from the first few transcripts.
class Corpora {
public:
    void add(const std::string& target, const std::string& name, ByteView data, bool primary = true) {
        if (!m_seen[target].insert(Bytes(data.begin(), data.end())).second) {
            return;
        }
        auto& list = primary ? m_primary[target] : m_secondary[target];
        list.push_back(Seed{name, Bytes(data.begin(), data.end())});
    }
    void add(const std::string& target, const std::string& name, std::uint8_t prefix, ByteView data,
             bool primary = true) {
        Bytes b{prefix};
        b.insert(b.end(), data.begin(), data.end());
        add(target, name, b, primary);
    }

    [[nodiscard]] std::map<std::string, std::vector<Seed>> select() const {
        std::map<std::string, std::vector<Seed>> out;
        for (const auto& [target, seen] : m_seen) {
            (void)seen;
            std::vector<Seed> seeds;
            if (const auto p = m_primary.find(target); p != m_primary.end()) {
                seeds = p->second;
            }
            if (const auto s = m_secondary.find(target); s != m_secondary.end()) {
                const std::size_t room = seeds.size() < kMaxSeedsPerTarget ? kMaxSeedsPerTarget - seeds.size() : 0;
                const std::size_t n = s->second.size();
                const std::size_t take = std::min(room, n);
                for (std::size_t i = 0; i < take; ++i) {
                    seeds.push_back(s->second[i * n / take]);
                }
            }
            out[target] = std::move(seeds);
        }
        return out;
    }

private:
    std::map<std::string, std::vector<Seed>> m_primary;
    std::map<std::string, std::vector<Seed>> m_secondary;
    std::map<std::string, std::set<Bytes>> m_seen;
};

Bytes hex(const Json& j) {
    return vectors::hex_value(j, "wire");
}

std::string tc_name(const char* file, const Json& test) {
    return std::string(file) + "_tc" + std::to_string(test.at("tcId").get<int>());
}

void from_codec(const Json& doc, Corpora& c) {
    static const std::map<std::string, std::string> kTargets = {
        {"Frame", "stellar_frame"},
        {"AuthCert", "stellar_auth_cert"},
        {"Hello", "stellar_hello"},
        {"Auth", "stellar_auth"},
        {"Error", "stellar_error"},
        {"StellarMessage", "stellar_stellar_message"},
        {"AuthenticatedMessage", "stellar_authenticated_message"},
    };
    for (const Json& group : doc.at("testGroups")) {
        const std::string message = group.at("message").get<std::string>();
        const auto target = kTargets.find(message);
        if (target == kTargets.end()) {
            throw vectors::VectorError("codec_test.json: no fuzz target for message " + message);
        }
        for (const Json& test : group.at("tests")) {
            const Bytes wire = hex(test.at("wire"));
            const std::string name = tc_name("codec", test);
            if (message == "Frame") {
                // stellar_frame's control byte: bit 0 = the limits after authentication.
                c.add(target->second, name, test.at("authenticated").get<bool>() ? 1 : 0, wire);
            } else {
                c.add(target->second, name, wire);
            }
            // The negative control starts from AUTH bodies it handles correctly and must find the
            // planted bug by itself.
            if (message == "Auth" && test.at("result") == "valid") {
                c.add("stellar_negative_control", name, wire);
            }
        }
    }
}

// Every layer of one record as it travelled: the framed record, the AuthenticatedMessage body, the
// StellarMessage and, for the handshake messages, their bodies.
void add_layers(Corpora& c, const std::string& name, const Bytes& record) {
    c.add("stellar_frame", name, 0, record, false);
    if (record.size() < 4) {
        return;
    }
    const ByteView body = ByteView(record).subspan(4);
    c.add("stellar_authenticated_message", name, body, false);
    const auto am = stellar::parse_authenticated_message(body);
    if (!am) {
        return;
    }
    const ByteView message = stellar::mac_covered_bytes(body);
    c.add("stellar_stellar_message", name, message, false);
    const ByteView arm = message.subspan(4);
    switch (stellar::type_of(am->message)) {
        case stellar::MessageType::hello:
            c.add("stellar_hello", name, arm, false);
            c.add("stellar_auth_cert", name, stellar::serialize(std::get<stellar::Hello>(am->message).cert), false);
            break;
        case stellar::MessageType::auth: c.add("stellar_auth", name, arm, false); break;
        case stellar::MessageType::error_msg: c.add("stellar_error", name, arm, false); break;
        default: break;
    }
}

void from_transcripts(const Json& doc, Corpora& c) {
    for (const Json& group : doc.at("testGroups")) {
        for (const Json& test : group.at("tests")) {
            const std::string name = tc_name("handshake", test);
            // What each role received, in order, as records the script injects as they are (op 6):
            // the input of the state-machine target of that role.
            Bytes to_initiator;
            Bytes to_acceptor;
            Bytes stream{0};
            const Json& messages = test.at("expected").at("messages");
            for (std::size_t i = 0; i < messages.size(); ++i) {
                const Json& m = messages[i];
                std::vector<Bytes> delivered;
                if (m.contains("delivered")) {
                    for (const Json& d : m.at("delivered")) {
                        delivered.push_back(hex(d));
                    }
                } else {
                    delivered.push_back(hex(m.at("wire")));
                }
                Bytes& to = m.at("from") == "initiator" ? to_acceptor : to_initiator;
                for (std::size_t j = 0; j < delivered.size(); ++j) {
                    const std::string rec_name =
                        name + "_m" + std::to_string(i) + (j == 0 ? "" : "_d" + std::to_string(j));
                    add_layers(c, rec_name, delivered[j]);
                    fuzz::script::append_with_length(to, fuzz::script::kInjectRaw, delivered[j]);
                    stream.insert(stream.end(), delivered[j].begin(), delivered[j].end());
                }
            }
            c.add("stellar_initiator", name, to_initiator, false);
            c.add("stellar_acceptor", name, to_acceptor, false);
            c.add("stellar_frame", name + "_stream", stream, false);
        }
    }
}

// Script seeds (fuzz/machine_driver.hpp, Stellar's variant op in stellar_machine_target.hpp):
// starting points deep in the handshake that the transcript seeds cannot express, such as a valid
// MAC on a wrong sequence number.
void scripts(Corpora& c) {
    using namespace fuzz::script;
    const std::uint8_t resequence_next = op(kVariant, 0);
    const std::uint8_t resequence_last = op(kVariant, 1);
    const std::vector<std::pair<std::string, Bytes>> scripts = {
        {"honest", {kHonest}},
        {"honest_explicit", {kHonest, kHonest, kHonest, kHonest, kHonest}},
        {"honest_split", {op(kSplit, 0), op(kSplit, 3), op(kSplit, 15)}},
        {"mutate_first_mac", {kFlip, 0xff, 0xff, 0x80}},
        {"mutate_second_mac", {kHonest, kFlip, 0xff, 0xff, 0x01, kHonest}},
        {"mutate_second_header", {kHonest, kFlip, 0x00, 0x00, 0x80, kHonest}},
        {"mutate_second_type", {kHonest, kFlip, 0x00, 0x13, 0x02, kHonest}},
        {"mutate_third_flags", {kHonest, kHonest, kFlip, 0x00, 0x17, 0x01}},
        {"truncate_second", {kHonest, kTruncate, 0x00, 0x20, kHonest}},
        {"append_to_second", {kHonest, kAppend, 4, 0x80, 0x00, 0x00, 0x08, kHonest}},
        {"replace_second", {kHonest, kReplace, 0x00, 0x04, 0x80, 0x00, 0x00, 0x00}},
        {"replay_second", {kHonest, kHonest, kDuplicate, kHonest}},
        {"reorder_second", {kHonest, kReorder, kHonest}},
        {"drop_second", {kHonest, kDrop, kHonest, kHonest}},
        {"resequence_second_plus_one", {kHonest, resequence_next, 1}},
        {"resequence_second_minus_one", {kHonest, resequence_next, 0xff}},
        {"resequence_third_plus_one", {kHonest, kHonest, resequence_next, 1}},
        {"peer_closed_after_hello", {kHonest, kPeerClosed}},
        {"timeout_after_hello", {kHonest, kIdleTimeout}},
        {"injected_record_after_hello", {kHonest, kInjectUnit, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, kHonest}},
        {"raw_bytes_after_hello", {kHonest, kInjectRaw, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, kHonest}},
        // Authentic records the honest peer never sends (replayed, re-sequenced, MAC'd): a second
        // HELLO once keys exist, and an AUTH after authentication.
        {"authentic_second_hello", {kHonest, resequence_last, 0}},
        {"authentic_auth_after_authentication", {kHonest, kHonest, resequence_last, 1}},
    };
    for (const auto& [what, bytes] : scripts) {
        c.add("stellar_initiator", "script_" + what, bytes);
        c.add("stellar_acceptor", "script_" + what, bytes);
    }
    // The state-machine negative controls start from honest runs only, which they handle
    // correctly: the fuzzer has to find the planted bug by itself.
    for (const char* role : {"initiator", "acceptor"}) {
        for (const char* bug : {"mac", "sequence"}) {
            const std::string target = std::string("stellar_") + role + "_negative_" + bug;
            c.add(target, "script_honest", Bytes{fuzz::script::kHonest});
            c.add(target, "script_honest_explicit", Bytes{0, 0, 0, 0, 0});
        }
    }
}

// The targets' honest peers must be the vectors' tcId 1 sides, or the transcript seeds would be
// noise to them: each must send exactly the records tcId 1 lists.
void check_fixed_peers(const Json& handshake) {
    const Json& honest = handshake.at("testGroups").at(0).at("tests").at(0);
    if (honest.at("tcId") != 1 || honest.at("result") != "valid") {
        throw vectors::VectorError("handshake_test.json: tcId 1 is not the honest handshake");
    }
    const Json& messages = honest.at("expected").at("messages");
    fuzz::FixedSide initiator_side(Role::initiator);
    stellar::Handshake initiator(fuzz::config_for(Role::initiator), initiator_side.rng, initiator_side.clock);
    initiator.start();
    const auto hello = initiator.take_records();
    fuzz::FixedSide acceptor_side(Role::acceptor);
    stellar::Handshake acceptor(fuzz::config_for(Role::acceptor), acceptor_side.rng, acceptor_side.clock);
    acceptor.receive(hex(messages.at(0).at("wire")));
    const auto answer = acceptor.take_records();
    if (hello.size() != 1 || hello[0] != hex(messages.at(0).at("wire")) || answer.empty() ||
        answer[0] != hex(messages.at(1).at("wire"))) {
        throw vectors::VectorError(
            "the fuzz targets' fixed peers (fuzz/stellar/stellar_machine_target.hpp) no longer match "
            "handshake_test.json tcId 1; update their secrets from the vector");
    }
}

bool same_file(const fs::path& p, const Bytes& want) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        return false;
    }
    const Bytes have{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return have == want;
}

bool is_generated_name(const std::string& name) {
    return name.rfind("codec_", 0) == 0 || name.rfind("handshake_", 0) == 0 || name.rfind("script_", 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    bool check = false;
    fs::path vectors_dir = fs::path(SHAKEDOWN_SOURCE_DIR) / "vectors" / "stellar";
    fs::path out_dir = fs::path(SHAKEDOWN_SOURCE_DIR) / "fuzz" / "corpus";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--check") {
            check = true;
        } else if (arg == "--vectors" && i + 1 < argc) {
            vectors_dir = argv[++i];
        } else if (arg == "--out" && i + 1 < argc) {
            out_dir = argv[++i];
        } else {
            std::fprintf(stderr, "usage: %s [--check] [--vectors DIR] [--out DIR]\n", argv[0]);
            return 2;
        }
    }

    Corpora corpora;
    try {
        const Json codec = vectors::read_json_file((vectors_dir / "codec_test.json").string());
        const Json handshake = vectors::read_json_file((vectors_dir / "handshake_test.json").string());
        check_fixed_peers(handshake);
        from_codec(codec, corpora);
        scripts(corpora);
        from_transcripts(handshake, corpora);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_corpus: %s\n", e.what());
        return 2;
    }

    std::size_t problems = 0;
    std::size_t total_files = 0;
    std::size_t total_bytes = 0;
    for (const auto& [target, seeds] : corpora.select()) {
        const fs::path dir = out_dir / target;
        std::set<std::string> names;
        std::size_t bytes = 0;
        if (!check) {
            fs::create_directories(dir);
        }
        for (const Seed& s : seeds) {
            names.insert(s.name);
            bytes += s.data.size();
            const fs::path p = dir / s.name;
            if (same_file(p, s.data)) {
                continue;
            }
            if (check) {
                std::fprintf(stderr, "out of date: %s\n", p.c_str());
                ++problems;
                continue;
            }
            std::ofstream out(p, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(s.data.data()), static_cast<std::streamsize>(s.data.size()));
            if (!out) {
                std::fprintf(stderr, "cannot write %s\n", p.c_str());
                return 2;
            }
        }
        std::error_code ec;
        if (fs::is_directory(dir, ec)) {
            for (const auto& e : fs::directory_iterator(dir)) {
                const std::string name = e.path().filename().string();
                if (is_generated_name(name) && names.count(name) == 0) {
                    if (check) {
                        std::fprintf(stderr, "stale: %s\n", e.path().c_str());
                        ++problems;
                    } else {
                        fs::remove(e.path());
                    }
                }
            }
        }
        std::printf("%-32s %3zu seeds %7zu bytes\n", target.c_str(), seeds.size(), bytes);
        total_files += seeds.size();
        total_bytes += bytes;
    }
    std::printf("%-32s %3zu seeds %7zu bytes\n", "total", total_files, total_bytes);
    if (problems != 0) {
        std::fprintf(stderr, "%zu corpus file(s) differ from the vectors; run fuzz_make_corpus to regenerate\n",
                     problems);
        return 1;
    }
    return 0;
}
