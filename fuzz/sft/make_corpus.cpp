// Writes the seed corpora fuzz/corpus/sft_<target>/ from the wire bytes of vectors/sft/*.json and
// a few hand-written session scripts, or with --check verifies that the committed seeds are
// exactly what it would write. Seed names say where they came from (codec_tc<N>, <profile>_tc<N>_m<I>,
// script_<what>); other files in a corpus directory (libFuzzer's own) are left alone.
//
//   fuzz_make_corpus_sft [--check] [--vectors DIR] [--out DIR]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz/machine_driver.hpp"
#include "sft/message.hpp"
#include "vectors/gen/json_strict.hpp"

namespace {

namespace fs = std::filesystem;
using namespace shakedown;
using vectors::Json;

constexpr std::size_t kMaxSeedsPerTarget = 48;

struct Corpora {
    std::map<std::string, std::vector<std::pair<std::string, Bytes>>> seeds;
    std::map<std::string, std::set<Bytes>> seen;
    void add(const std::string& target, const std::string& name, Bytes data) {
        if (seeds[target].size() >= kMaxSeedsPerTarget || !seen[target].insert(data).second) {
            return;
        }
        seeds[target].emplace_back(name, std::move(data));
    }
};

// What one side received, injected as it is (fuzz/machine_driver.hpp, op 6) in pieces the op
// takes.
Bytes raw_stream(const std::vector<Bytes>& units) {
    Bytes out;
    for (const auto& u : units) {
        for (std::size_t i = 0; i < u.size(); i += 4096) {
            const std::size_t n = std::min<std::size_t>(4096, u.size() - i);
            fuzz::script::append_with_length(out, fuzz::script::kInjectRaw, ByteView(u).subspan(i, n));
        }
    }
    return out;
}

// A variant op (fuzz/sft/sft_fuzz.hpp) with a u16be length and its bytes.
void sealed(Bytes& s, std::uint8_t arg, std::string_view body) {
    fuzz::script::append_with_length(s, fuzz::script::op(fuzz::script::kVariant, arg), as_bytes(body));
}

std::string message(sft::MsgType t, sft::json::Value payload, std::int64_t seq) {
    sft::Message m;
    m.type = t;
    m.payload = std::move(payload);
    m.seq = seq;
    m.timestamp = "2026-01-01T00:00:00";
    return sft::wire_json(m);
}

// After an honest handshake (op 14): a session of messages the input writes, re-signed and sealed
// as the peer would (variant op 2), DATA records (variant op 1), a clock step (variant op 4); the
// client first downloading f.bin from the honest server (variant op 3).
void scripts(Corpora& c) {
    using sft::MsgType;
    using namespace fuzz::script;
    const auto empty = sft::json::Value::make_object({});
    const auto data = [](Bytes& s, std::uint8_t block, std::string_view body) {
        s.push_back(op(kVariant, 1));
        s.push_back(block);
        s.push_back(static_cast<std::uint8_t>(body.size() >> 8));
        s.push_back(static_cast<std::uint8_t>(body.size()));
        s.insert(s.end(), body.begin(), body.end());
    };
    for (const char* target : {"sft_server_upstream", "sft_server_described", "sft_client_upstream",
                               "sft_client_described"}) {
        c.add(target, "script_honest", Bytes{kHonestToEnd});
        c.add(target, "script_honest_split", Bytes{op(kSplit, 0), op(kSplit, 7), op(kSplit, 15), kHonestToEnd});
        c.add(target, "script_flip_first", Bytes{kFlip, 0x00, 0x10, 0x01, kHonestToEnd});
        c.add(target, "script_flip_first_tail", Bytes{kFlip, 0xff, 0xff, 0x01, kHonestToEnd});
        c.add(target, "script_truncate_first", Bytes{kTruncate, 0x00, 0x20, kHonestToEnd});
        c.add(target, "script_append_to_first", Bytes{kAppend, 2, 0x00, 0x00, kHonestToEnd});
    }
    for (const char* target : {"sft_server_upstream", "sft_server_described"}) {
        Bytes s{kHonestToEnd};
        sealed(s, 2, message(MsgType::ping, empty, 0));
        sealed(s, 2, message(MsgType::list_files_request, empty, 1));
        sealed(s, 2, message(MsgType::file_header,
                             sft::to_json(sft::FileHeader{"u.bin", 4100, std::string(64, 'a'), "2026-01-01T00:00:00Z"}), 2));
        data(s, 0, std::string(2047, 'x'));
        data(s, 1, "yyyy");
        sealed(s, 2, message(MsgType::file_complete, sft::to_json(sft::FileComplete{"u.bin", 4100, std::nullopt}), 3));
        sealed(s, 2, message(MsgType::download_file_request, sft::to_json(sft::DownloadFileRequest{"f.bin"}), 4));
        sealed(s, 2, message(MsgType::file_resume_ack, sft::to_json(sft::FileResumeAck{"f.bin", 1000}), 5));
        s.push_back(op(kVariant, 4));
        s.push_back(0);
        c.add(target, "script_session", s);
    }
    for (const char* target : {"sft_client_upstream", "sft_client_described"}) {
        c.add(target, "script_download", Bytes{kHonestToEnd, op(kVariant, 3), kHonestToEnd});
        Bytes s{kHonestToEnd, op(kVariant, 3)};
        sealed(s, 2, message(MsgType::file_header,
                             sft::to_json(sft::FileHeader{"f.bin", 5, std::string(64, 'b'), "2026-01-01T00:00:00Z"}), 0));
        data(s, 0, "hello");
        sealed(s, 2, message(MsgType::file_complete, sft::to_json(sft::FileComplete{"f.bin", 5, std::nullopt}), 1));
        sealed(s, 2, message(MsgType::pong, empty, 2));
        c.add(target, "script_download_forged", s);
    }
}

void from_codec(Corpora& c, const Json& doc) {
    const std::map<std::string, std::string> target = {
        {"H1", "sft_h1"}, {"H2", "sft_h2"}, {"Confirm", "sft_confirm"}, {"D1", "sft_d1"}, {"D2", "sft_d2"},
        {"RecordHeader", "sft_record_header"}, {"Record", "sft_record"}, {"JsonMessage", "sft_json_message"},
        {"CanonicalJson", "sft_canonical_json"}, {"Payload", "sft_payload"}};
    for (const auto& g : doc.at("testGroups")) {
        const std::string msg = g.at("message").get<std::string>();
        for (const auto& t : g.at("tests")) {
            Bytes wire = vectors::hex_value(t.at("wire"), "wire");
            const std::string name = "codec_tc" + std::to_string(t.at("tcId").get<int>());
            if (msg == "Payload") {
                const auto type = sft::msg_type_from_string(t.at("context").at("type").get<std::string>());
                wire.insert(wire.begin(), static_cast<std::uint8_t>(*type));
            }
            c.add(target.at(msg), name, wire);
            if (msg == "Record" && wire.size() >= 65) {
                c.add("sft_record_header", name + "_header", Bytes(wire.begin(), wire.begin() + 65));
            }
            // The negative control's corpus must not hold its planted bug's trigger.
            if (msg == "D1" && t.at("result") == "valid") {
                c.add("sft_negative_control", name, wire);
            }
        }
    }
}

void from_transcripts(Corpora& c, const Json& doc, const std::string& profile) {
    const bool up = profile == "upstream-v2";
    const std::string suffix = up ? "upstream" : "described";
    for (const auto& g : doc.at("testGroups")) {
        for (const auto& t : g.at("tests")) {
            const std::string id = t.at("case").get<std::string>();
            const std::string base = profile + "_tc" + std::to_string(t.at("tcId").get<int>());
            std::vector<Bytes> to_server;
            std::vector<Bytes> to_client;
            std::size_t i = 0;
            for (const auto& m : t.at("expected").at("messages")) {
                const Bytes wire = vectors::hex_value(m.at("wire"), "wire");
                const std::string kind = m.at("kind").get<std::string>();
                const std::string name = base + "_m" + std::to_string(i++);
                static const std::map<std::string, std::string> hs = {
                    {"H1", "sft_h1"}, {"H2", "sft_h2"}, {"H3", "sft_confirm"}, {"H4", "sft_confirm"}, {"D1", "sft_d1"}, {"D2", "sft_d2"}};
                if (const auto it = hs.find(kind); it != hs.end()) {
                    c.add(it->second, name, wire);
                } else if (up && (id == "honest" || id == "transfer")) {
                    c.add("sft_record", name, wire);
                }
                (m.at("from") == "initiator" ? to_server : to_client).push_back(wire);
            }
            if (id == "honest" || id == "transfer" || id == "A1" || id == "A6" || id == "A9") {
                c.add("sft_server_" + suffix, base, raw_stream(to_server));
                c.add("sft_client_" + suffix, base, raw_stream(to_client));
            }
        }
    }
}

Bytes slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int main(int argc, char** argv) {
    bool check = false;
    fs::path vectors_dir = fs::path(SHAKEDOWN_SOURCE_DIR) / "vectors";
    fs::path out = fs::path(SHAKEDOWN_SOURCE_DIR) / "fuzz" / "corpus";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--check") {
            check = true;
        } else if (a == "--vectors" && i + 1 < argc) {
            vectors_dir = argv[++i];
        } else if (a == "--out" && i + 1 < argc) {
            out = argv[++i];
        } else {
            std::fprintf(stderr, "usage: fuzz_make_corpus_sft [--check] [--vectors DIR] [--out DIR]\n");
            return 2;
        }
    }
    Corpora c;
    try {
        scripts(c);
        from_codec(c, vectors::read_json_file((vectors_dir / "sft" / "codec_test.json").string()));
        for (const std::string p : {"upstream-v2", "described"}) {
            from_transcripts(c, vectors::read_json_file((vectors_dir / "sft" / (p + "_transcript_test.json")).string()), p);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_make_corpus_sft: %s\n", e.what());
        return 2;
    }
    int drift = 0;
    std::size_t written = 0;
    for (const auto& [target, seeds] : c.seeds) {
        const fs::path dir = out / target;
        std::set<std::string> expected;
        for (const auto& [name, data] : seeds) {
            expected.insert(name);
            const fs::path p = dir / name;
            if (check) {
                if (!fs::exists(p) || slurp(p) != data) {
                    std::printf("%s: missing or differs\n", p.string().c_str());
                    ++drift;
                }
            } else {
                fs::create_directories(dir);
                std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data.data()),
                                                          static_cast<std::streamsize>(data.size()));
                ++written;
            }
        }
        if (check && fs::exists(dir)) {
            for (const auto& e : fs::directory_iterator(dir)) {
                const std::string n = e.path().filename().string();
                const bool ours = n.rfind("codec_tc", 0) == 0 || n.rfind("script_", 0) == 0 ||
                                  n.rfind("upstream-v2_tc", 0) == 0 || n.rfind("described_tc", 0) == 0;
                if (ours && expected.count(n) == 0) {
                    std::printf("%s: stale seed\n", e.path().string().c_str());
                    ++drift;
                }
            }
        }
    }
    if (check) {
        std::printf("%s\n", drift == 0 ? "corpora up to date" : "corpora drifted: run fuzz_make_corpus_sft");
        return drift == 0 ? 0 : 1;
    }
    std::printf("wrote %zu seeds\n", written);
    return 0;
}
