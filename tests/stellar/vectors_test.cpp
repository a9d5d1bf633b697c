#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/stellar/stellar_vectors.hpp"
#include "vectors/gen/vectors.hpp"
#include "vectors/gen/wycheproof.hpp"

namespace shakedown::vectors {
namespace {

namespace fs = std::filesystem;

const std::string kSource = SHAKEDOWN_SOURCE_DIR;

CaseChecker lookup(const std::string& variant, const std::string& schema) {
    return variant == "stellar" ? stellar::vectors::checker(schema) : nullptr;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("shakedown-vectors-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

TEST(Vectors, CheckedInFilesVerify) {
    for (const char* f : {"stellar/handshake_test.json", "stellar/codec_test.json"}) {
        const auto report = verify_file(kSource + "/vectors/" + f, lookup);
        EXPECT_FALSE(report.file_error) << f;
        EXPECT_GT(report.passed, 0U) << f;
        EXPECT_EQ(report.failed, 0U) << f;
        for (const auto& p : report.problems) {
            ADD_FAILURE() << p;
        }
    }
}

TEST(Vectors, GenerationReproducesCheckedInFilesByteForByte) {
    for (const auto& f : stellar::vectors::generate(GenerateOptions{default_wycheproof_dir()})) {
        EXPECT_EQ(f.text, slurp(kSource + "/vectors/" + f.relative_path)) << f.relative_path;
    }
}

TEST(Vectors, ATamperedExpectedValueIsReportedWithItsCaseAndField) {
    Json file = read_json_file(kSource + "/vectors/stellar/handshake_test.json");
    auto& test = file["testGroups"][0]["tests"][0];
    std::string wire = test["expected"]["messages"][2]["wire"].get<std::string>();
    wire[60] = wire[60] == '0' ? '1' : '0';
    test["expected"]["messages"][2]["wire"] = wire;
    const fs::path p = scratch("tampered.json");
    std::ofstream(p) << file.dump(2);
    const auto report = verify_file(p.string(), lookup);
    EXPECT_EQ(report.failed, 1U);
    ASSERT_EQ(report.problems.size(), 1U);
    EXPECT_NE(report.problems[0].find("tcId 1"), std::string::npos) << report.problems[0];
    EXPECT_NE(report.problems[0].find("expected.messages[2].wire"), std::string::npos) << report.problems[0];
}

TEST(Vectors, ATamperedCodecErrorIsReported) {
    Json file = read_json_file(kSource + "/vectors/stellar/codec_test.json");
    for (auto& g : file["testGroups"]) {
        for (auto& t : g["tests"]) {
            if (t["result"] == "invalid") {
                t["offset"] = t["offset"].get<std::size_t>() + 1;
                const fs::path p = scratch("codec.json");
                std::ofstream(p) << file.dump(2);
                const auto report = verify_file(p.string(), lookup);
                EXPECT_EQ(report.failed, 1U);
                return;
            }
        }
    }
    FAIL() << "no invalid codec case";
}

TEST(Vectors, UnknownKeysAndUndefinedFlagsAreErrors) {
    Json file = read_json_file(kSource + "/vectors/stellar/handshake_test.json");
    file["testGroups"][0]["tests"][0]["inputs"]["initiator"]["surprise"] = 1;
    file["testGroups"][0]["tests"][1]["flags"].push_back("NoSuchFlag");
    const fs::path p = scratch("keys.json");
    std::ofstream(p) << file.dump(2);
    const auto report = verify_file(p.string(), lookup);
    EXPECT_EQ(report.failed, 2U);
    ASSERT_EQ(report.problems.size(), 2U);
    EXPECT_NE(report.problems[0].find("unknown key 'surprise'"), std::string::npos) << report.problems[0];
    EXPECT_NE(report.problems[1].find("NoSuchFlag"), std::string::npos) << report.problems[1];
}

TEST(Vectors, MalformedFilesAreFileErrorsNamingTheFile) {
    const fs::path p = scratch("broken.json");
    std::ofstream(p) << "{\"variant\": \"stellar\", ";
    const auto report = verify_file(p.string(), lookup);
    EXPECT_TRUE(report.file_error);
    ASSERT_FALSE(report.problems.empty());
    EXPECT_NE(report.problems[0].find("broken.json"), std::string::npos);
    const auto missing = verify_file((fs::temp_directory_path() / "shakedown-no-such-file.json").string(), lookup);
    EXPECT_TRUE(missing.file_error);
}

}  // namespace
}  // namespace shakedown::vectors
