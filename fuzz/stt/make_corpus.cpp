// Writes the STT seed corpora fuzz/corpus/stt_<target>/ from the wire bytes of vectors/stt/*.json
// and from the honest run of the fuzz targets' fixed pair (stt_driver.hpp), or with --check
// verifies that the committed corpora are exactly what it would write. Names say where a seed
// came from: tlv_tc<N>, msg_tc<N>, hs_tc<N>_m<K>, script_<what>. Other files in a corpus
// directory (units added by a fuzzing run) are left alone.
//
//   fuzz_make_corpus_stt [--check] [--vectors DIR] [--out DIR]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "fuzz/machine_driver.hpp"
#include "fuzz/stt/stt_driver.hpp"
#include "vectors/gen/json_strict.hpp"

namespace {

namespace fs = std::filesystem;
using namespace shakedown;
using vectors::Json;

// Small inputs keep replays fast; libFuzzer grows the rest.
constexpr std::size_t kMaxSeedBytes = 4096;
constexpr std::size_t kMaxSeedsPerTarget = 256;

class Corpora {
public:
    void add(const std::string& target, const std::string& name, ByteView data) {
        if (data.size() > kMaxSeedBytes || m_out[target].size() >= kMaxSeedsPerTarget) {
            return;
        }
        if (!m_seen[target].insert(Bytes(data.begin(), data.end())).second) {
            return;
        }
        m_out[target][name] = Bytes(data.begin(), data.end());
    }
    [[nodiscard]] const std::map<std::string, std::map<std::string, Bytes>>& all() const { return m_out; }

private:
    std::map<std::string, std::set<Bytes>> m_seen;
    std::map<std::string, std::map<std::string, Bytes>> m_out;
};

Bytes hex_of(const Json& j) { return *from_hex(j.get<std::string>()); }

void from_vectors(Corpora& c, const std::string& dir) {
    const Json tlv = vectors::read_json_file(dir + "/stt/tlv_test.json");
    for (const Json& g : tlv["testGroups"]) {
        for (const Json& t : g["tests"]) {
            const std::string name = "tlv_tc" + std::to_string(t["tcId"].get<int>());
            c.add("stt_tlv", name, hex_of(t["wire"]));
            // The negative control replays its corpus as a passing test: only inputs the planted
            // bug does not trip (strictly valid ones) belong there.
            if (stt::decode(hex_of(t["wire"])).ok()) {
                c.add("stt_negative_control", name, hex_of(t["wire"]));
            }
        }
    }
    const Json msgs = vectors::read_json_file(dir + "/stt/messages_test.json");
    for (const Json& g : msgs["testGroups"]) {
        const bool frame = g["type"] == "SttFrame";
        for (const Json& t : g["tests"]) {
            const std::string name = "msg_tc" + std::to_string(t["tcId"].get<int>());
            c.add(frame ? "stt_frame" : "stt_message", name, hex_of(t["wire"]));
            if (!frame) {
                c.add("stt_tlv", name, hex_of(t["wire"]));
            }
        }
    }
    const Json hs = vectors::read_json_file(dir + "/stt/handshake_test.json");
    for (const Json& g : hs["testGroups"]) {
        for (const Json& t : g["tests"]) {
            const std::string id = "hs_tc" + std::to_string(t["tcId"].get<int>());
            const Json& inputs = t["inputs"];
            if (inputs.contains("mutations")) {
                for (const Json& m : inputs["mutations"]) {
                    if (m["op"] == "replace") {
                        c.add("stt_frame", id + "_replace", hex_of(m["wire"]));
                    }
                }
            }
            if (t["expected"].contains("data")) {
                std::size_t k = 0;
                for (const Json& d : t["expected"]["data"]) {
                    if (d.contains("wire")) {
                        c.add("stt_frame", id + "_data" + std::to_string(k), hex_of(d["wire"]));
                    }
                    ++k;
                }
            }
        }
    }
}

void from_fixed_pair(Corpora& c) {
    const std::vector<Bytes> w = stt::fuzz::honest_run();
    for (std::size_t k = 0; k < w.size(); ++k) {
        c.add("stt_frame", "script_honest_m" + std::to_string(k), w[k]);
    }
    // The machine targets' scripts (fuzz/machine_driver.hpp): the honest peer's datagrams as they
    // are, changed, replayed, and datagrams of the pair's run it would never send then.
    using namespace shakedown::fuzz::script;
    const auto inject = [](std::initializer_list<Bytes> datagrams, std::uint8_t then) {
        Bytes s;
        for (const Bytes& d : datagrams) {
            append_with_length(s, kInjectRaw, d);
        }
        s.push_back(then);
        return s;
    };
    for (const char* target : {"stt_initiator", "stt_responder"}) {
        c.add(target, "script_honest", Bytes{kHonest});
        c.add(target, "script_honest_to_end", Bytes{kHonestToEnd});
        c.add(target, "script_duplicate_first", Bytes{kHonest, kDuplicate, kHonestToEnd});
        c.add(target, "script_flip_first", Bytes{kFlip, 0x00, 0x30, 0x01, kHonestToEnd});
        c.add(target, "script_flip_first_header", Bytes{kFlip, 0x00, 0x04, 0x01, kHonestToEnd});
        c.add(target, "script_truncate_first", Bytes{kTruncate, 0x00, 0x20, kHonestToEnd});
        c.add(target, "script_append_to_first", Bytes{kAppend, 1, 0x00, kHonestToEnd});
        c.add(target, "script_flip_second", Bytes{kHonest, kFlip, 0x00, 0x30, 0x01, kHonestToEnd});
    }
    c.add("stt_initiator", "script_reflected_hello", inject({w[0]}, kHonestToEnd));
    c.add("stt_initiator", "script_final_first", inject({w[3]}, kHonestToEnd));
    c.add("stt_responder", "script_reflected_response", inject({w[0], w[1]}, kHonestToEnd));
    c.add("stt_responder", "script_proof_first", inject({w[2]}, kHonestToEnd));
    auto record = [](std::uint8_t addr, const Bytes& d) {
        Bytes r{addr};
        const Bytes j = stt::fuzz::join({d});
        r.insert(r.end(), j.begin(), j.end());
        return r;
    };
    c.add("stt_manager", "script_honest", concat({record(0, w[0]), record(0, w[2])}));
    c.add("stt_manager", "script_proof_from_other_address", concat({record(0, w[0]), record(1, w[2]), record(0, w[2])}));
    c.add("stt_manager", "script_replay_other_address", concat({record(0, w[0]), record(1, w[0])}));
    Bytes expire = record(0, w[0]);
    expire.insert(expire.end(), 11, 0xff);
    const Bytes late = record(0, w[2]);
    expire.insert(expire.end(), late.begin(), late.end());
    c.add("stt_manager", "script_timeout", expire);

    // Data frames sealed by the initiator of the fixed pair's session.
    FixedClock clock(stt::fuzz::kNow);
    SeededRng ri(stt::fuzz::rng_seed(Role::initiator));
    SeededRng rr(stt::fuzz::rng_seed(Role::acceptor));
    stt::Handshake i(stt::fuzz::config(Role::initiator), ri, clock);
    stt::Handshake r(stt::fuzz::config(Role::acceptor), rr, clock);
    i.start();
    r.start();
    for (int round = 0; round < 4; ++round) {
        for (Bytes& d : i.take_output()) {
            r.receive(d);
        }
        for (Bytes& d : r.take_output()) {
            i.receive(d);
        }
    }
    SeededRng frames(stt::fuzz::filled(0x77));
    for (std::uint32_t k = 0; k < 3 && i.session() != nullptr; ++k) {
        const Bytes payload(k * 40, static_cast<std::uint8_t>(k));
        auto f = i.session()->seal(payload, k, stt::fuzz::kNow * 1000, frames);
        if (f) {
            c.add("stt_data_frame", "script_sealed_" + std::to_string(k), *f);
        }
    }
}

Bytes read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
    bool check = false;
    std::string vectors_dir = std::string(SHAKEDOWN_SOURCE_DIR) + "/vectors";
    std::string out_dir = std::string(SHAKEDOWN_SOURCE_DIR) + "/fuzz/corpus";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--check") {
            check = true;
        } else if (a == "--vectors" && i + 1 < argc) {
            vectors_dir = argv[++i];
        } else if (a == "--out" && i + 1 < argc) {
            out_dir = argv[++i];
        } else {
            std::fprintf(stderr, "usage: fuzz_make_corpus_stt [--check] [--vectors DIR] [--out DIR]\n");
            return 2;
        }
    }
    Corpora c;
    try {
        from_vectors(c, vectors_dir);
        from_fixed_pair(c);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_make_corpus_stt: %s\n", e.what());
        return 1;
    }
    int drift = 0;
    std::size_t n = 0;
    for (const auto& [target, seeds] : c.all()) {
        const fs::path dir = fs::path(out_dir) / target;
        if (!check) {
            fs::create_directories(dir);
        }
        for (const auto& [name, data] : seeds) {
            ++n;
            const fs::path p = dir / name;
            if (check) {
                if (!fs::exists(p) || read_file(p) != data) {
                    std::fprintf(stderr, "%s: missing or differs\n", p.c_str());
                    drift = 1;
                }
            } else {
                std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data.data()),
                                                         static_cast<std::streamsize>(data.size()));
            }
        }
    }
    std::printf("%zu seeds %s\n", n, check ? (drift ? "checked: DRIFT" : "up to date") : "written");
    return drift;
}
