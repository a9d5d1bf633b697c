// Every bug knob changes the outcome of at least one transcript vector of a profile it applies
// to: the vectors can tell each misbehaviour from the reference (and name the cases that do).
#include <gtest/gtest.h>

#include "shadowmesh/quirks.hpp"
#include "vectors/gen/shadowmesh/support.hpp"

namespace shakedown::shadowmesh::vectors {
namespace {

TEST(ShadowMeshKnobCoverage, EveryKnobIsCaughtByATranscriptVector) {
    const Json file = shakedown::vectors::read_json_file(std::string(SHAKEDOWN_SOURCE_DIR) +
                                                         "/vectors/shadowmesh/transcript_test.json");
    for (const auto& info : quirk_table()) {
        Quirks q;
        ASSERT_TRUE(set_quirk(q, info.name));
        std::vector<std::int64_t> caught;
        for (const auto& g : file.at("testGroups")) {
            if (info.strict_only && g.at("profile") != "strict") {
                continue;
            }
            for (const auto& t : g.at("tests")) {
                const Json with_knob = run_transcript_case(g, t, q);
                if (with_knob.at("expected") != t.at("expected") || with_knob.at("result") != t.at("result")) {
                    caught.push_back(t.at("tcId").get<std::int64_t>());
                }
            }
        }
        EXPECT_FALSE(caught.empty()) << info.name << " is caught by no transcript vector";
        std::string ids;
        for (std::size_t i = 0; i < caught.size() && i < 12; ++i) {
            ids += (i ? " " : "") + std::to_string(caught[i]);
        }
        std::printf("%-22s caught by %zu cases (first: %s)\n", std::string(info.name).c_str(), caught.size(),
                    ids.c_str());
    }
}

}  // namespace
}  // namespace shakedown::shadowmesh::vectors
