// Writes the ShadowMesh seed corpora fuzz/corpus/shadowmesh_<target>/ from the wire bytes of
// vectors/shadowmesh/*.json, or with --check verifies that the committed corpora are exactly what
// it would write. Seed names say where they came from: codec_tc<N>, header_tc<N>, validate_tc<N>,
// transcript_tc<N>. A seed whose bytes another seed of the target already has is left out.
//
//   fuzz_make_corpus_shadowmesh [--check]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz/machine_driver.hpp"
#include "shadowmesh/messages.hpp"
#include "vectors/gen/json_strict.hpp"

namespace {

namespace fs = std::filesystem;
using namespace shakedown;
using vectors::Json;

constexpr std::size_t kMaxSeedsPerTarget = 128;
constexpr std::uint64_t kScriptT1 = 1762230765000;  // the machine driver's starting clock

struct Seed {
    std::string name;
    Bytes data;
};

class Corpora {
public:
    void add(const std::string& target, const std::string& name, ByteView data) {
        auto& seeds = m_seeds[target];
        if (seeds.size() >= kMaxSeedsPerTarget || !m_seen[target].insert(Bytes(data.begin(), data.end())).second) {
            return;
        }
        seeds.push_back(Seed{name, Bytes(data.begin(), data.end())});
    }
    [[nodiscard]] const std::map<std::string, std::vector<Seed>>& seeds() const { return m_seeds; }

private:
    std::map<std::string, std::vector<Seed>> m_seeds;
    std::map<std::string, std::set<Bytes>> m_seen;
};

void put_u16(Bytes& out, std::size_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

// The transcript's connection-0 events as a script of the state-machine driver
// (fuzz/machine_driver.hpp, ShadowMesh's variant op in fuzz/shadowmesh/shadowmesh_machine_target.hpp):
// the driver opens the machine itself at T1.
Bytes script_of(const Json& test) {
    using namespace fuzz::script;
    Bytes out;
    std::uint64_t now = kScriptT1;
    bool first_open = true;
    for (const auto& e : test.at("inputs").at("events")) {
        if (e.at("conn").get<std::size_t>() != 0) {
            continue;
        }
        const std::uint64_t at = vectors::u64_value(e.at("at"), "at");
        while (at > now) {
            const std::uint64_t step = std::min<std::uint64_t>(at - now, 0xffff);
            out.push_back(op(kVariant, 1));
            put_u16(out, static_cast<std::size_t>(step));
            now += step;
        }
        const std::string op = e.at("op").get<std::string>();
        if (op == "open") {
            if (!first_open) {
                break;
            }
            first_open = false;
        } else if (op == "binary" || op == "text") {
            const Bytes w = vectors::hex_value(e.at("wire"), "wire");
            if (w.size() >= 512) {
                break;
            }
            append_with_length(out, op == "binary" ? kInjectRaw : fuzz::script::op(kVariant, 0), w);
        } else if (op == "idle_timeout") {
            out.push_back(kIdleTimeout);
        } else if (op == "peer_closed") {
            out.push_back(kPeerClosed);
        }
    }
    return out;
}

Corpora build(const fs::path& vectors_dir) {
    Corpora c;
    const Json codec = vectors::read_json_file((vectors_dir / "codec_test.json").string());
    for (const auto& g : codec.at("testGroups")) {
        const std::string type = g.at("type").get<std::string>();
        for (const auto& t : g.at("tests")) {
            const std::string name = "codec_tc" + std::to_string(t.at("tcId").get<std::int64_t>());
            if (type == "ShadowMeshHeader") {
                c.add("shadowmesh_header", name, vectors::hex_value(t.at("bytes"), "bytes"));
                continue;
            }
            if (type == "ShadowMeshValidateMessageType") {
                // A header of that type (version 1, no flags, empty payload): the header target
                // puts its type byte through both registry checks.
                const auto id = static_cast<std::uint8_t>(t.at("type_id").get<std::int64_t>());
                const Bytes header = {shadowmesh::kProtocolVersion, id, 0, 0, 0, 0, 0, 0};
                c.add("shadowmesh_header", "validate_tc" + std::to_string(t.at("tcId").get<std::int64_t>()), header);
                continue;
            }
            if (type != "ShadowMeshCodec") {
                continue;
            }
            const Bytes w = vectors::hex_value(t.at("wire"), "wire");
            c.add("shadowmesh_frame", name, w);
            c.add("shadowmesh_upstream_frame", name, w);
            if (w.size() < shadowmesh::kHeaderSize) {
                continue;
            }
            c.add("shadowmesh_header", name, ByteView(w).first(shadowmesh::kHeaderSize));
            const ByteView payload = ByteView(w).subspan(shadowmesh::kHeaderSize);
            const std::string message = g.at("message").get<std::string>();
            if (message == "REHANDSHAKE_REQUEST") {
                c.add("shadowmesh_request", name, payload);
                if (t.at("result") == "valid" && g.at("profile") == "strict") {
                    // The negative control's corpus: inputs its planted bug handles correctly.
                    c.add("shadowmesh_negative_control", name, payload);
                }
            } else if (message == "REHANDSHAKE_RESPONSE") {
                c.add("shadowmesh_response", name, payload);
            } else if (message == "REHANDSHAKE_COMPLETE") {
                c.add("shadowmesh_complete", name, payload);
            } else if (w[1] == 0x0f || w[1] == 0x0e) {
                c.add("shadowmesh_close", name, payload);
            }
        }
    }
    const Json transcripts = vectors::read_json_file((vectors_dir / "transcript_test.json").string());
    for (const auto& g : transcripts.at("testGroups")) {
        const std::string target = "shadowmesh_" + g.at("role").get<std::string>() + "_" + g.at("profile").get<std::string>();
        // Hand-made scripts first: the honest peer's frames as they are, changed, replayed, late.
        using namespace fuzz::script;
        const std::vector<std::pair<std::string, Bytes>> scripts = {
            {"honest", {kHonest}},
            {"honest_to_end", {kHonestToEnd}},
            {"flip_first_mac", {kFlip, 0x00, 0x20, 0x01, kHonestToEnd}},
            {"flip_first_header", {kFlip, 0x00, 0x00, 0x01, kHonestToEnd}},
            {"truncate_first", {kTruncate, 0x00, 0x10, kHonestToEnd}},
            {"append_to_first", {kAppend, 2, 0x00, 0x00, kHonestToEnd}},
            {"duplicate_first", {kHonest, kDuplicate, kHonestToEnd}},
            {"late_first", {op(kVariant, 1), 0xff, 0xff, kHonestToEnd}},
            {"text_first", {op(kVariant, 0), 0x00, 0x02, '{', '}', kHonestToEnd}},
        };
        for (const auto& [what, bytes] : scripts) {
            c.add(target, "script_" + what, bytes);
        }
        for (const auto& t : g.at("tests")) {
            c.add(target, "transcript_tc" + std::to_string(t.at("tcId").get<std::int64_t>()), script_of(t));
        }
    }
    return c;
}

Bytes slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
    const bool check = argc > 1 && std::string(argv[1]) == "--check";
    const fs::path root(SHAKEDOWN_SOURCE_DIR);
    try {
        const Corpora c = build(root / "vectors" / "shadowmesh");
        int drift = 0;
        for (const auto& [target, seeds] : c.seeds()) {
            const fs::path dir = root / "fuzz" / "corpus" / target;
            if (!check) {
                fs::create_directories(dir);
            }
            for (const auto& s : seeds) {
                const fs::path p = dir / s.name;
                if (check) {
                    if (!fs::exists(p) || slurp(p) != s.data) {
                        std::printf("%s: missing or different\n", p.string().c_str());
                        drift = 1;
                    }
                } else {
                    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(s.data.data()),
                                                             static_cast<std::streamsize>(s.data.size()));
                }
            }
            std::printf("%s: %zu seeds\n", target.c_str(), seeds.size());
        }
        return drift;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_make_corpus_shadowmesh: %s\n", e.what());
        return 2;
    }
}
