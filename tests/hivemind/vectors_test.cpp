// The checked-in vector files are exactly what the generator writes, and every case passes the
// C++ checker (which replays it through the reference).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "vectors/gen/hivemind/hivemind_vectors.hpp"
#include "vectors/gen/json_strict.hpp"

namespace shakedown::hivemind::vectors {
namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::vector<shakedown::vectors::GeneratedFile>& generated() {
    static const auto files = generate({});
    return files;
}

TEST(HiveMindVectors, RegenerationReproducesTheCheckedInFilesByteForByte) {
    ASSERT_EQ(generated().size(), 2U);
    for (const auto& f : generated()) {
        EXPECT_EQ(read(std::string(SHAKEDOWN_SOURCE_DIR) + "/vectors/" + f.relative_path), f.text) << f.relative_path;
    }
}

TEST(HiveMindVectors, EveryCasePassesTheChecker) {
    for (const auto& f : generated()) {
        const auto file = shakedown::vectors::read_json_file(std::string(SHAKEDOWN_SOURCE_DIR) + "/vectors/" + f.relative_path);
        const auto check = checker(file.at("schema").get<std::string>());
        ASSERT_TRUE(check) << f.relative_path;
        std::size_t n = 0;
        for (const auto& group : file.at("testGroups")) {
            for (const auto& test : group.at("tests")) {
                ++n;
                for (const auto& flag : test.at("flags")) {
                    EXPECT_TRUE(file.at("notes").contains(flag.get<std::string>()))
                        << f.relative_path << " tcId " << test.at("tcId") << ": flag " << flag << " has no note";
                }
                try {
                    check(group, test);
                } catch (const shakedown::vectors::VectorError& e) {
                    ADD_FAILURE() << f.relative_path << " tcId " << test.at("tcId") << ": " << e.what();
                }
            }
        }
        EXPECT_EQ(n, file.at("numberOfTests").get<std::size_t>());
    }
}

TEST(HiveMindVectors, TheCheckerCatchesACorruptedValue) {
    const auto& f = generated().back();
    auto file = shakedown::vectors::Json::parse(f.text);
    auto& test = file["testGroups"][0]["tests"][0];
    std::string key = test["clientOutcome"]["keys"]["key"].get<std::string>();
    key[0] = key[0] == '0' ? '1' : '0';
    test["clientOutcome"]["keys"]["key"] = key;
    EXPECT_THROW(checker(file["schema"].get<std::string>())(file["testGroups"][0], test),
                 shakedown::vectors::VectorError);
    auto codec = shakedown::vectors::Json::parse(generated().front().text);
    auto& ct = codec["testGroups"][0]["tests"][1];
    ct["data"] = "00";
    EXPECT_THROW(checker(codec["schema"].get<std::string>())(codec["testGroups"][0], ct),
                 shakedown::vectors::VectorError);
}

}  // namespace
}  // namespace shakedown::hivemind::vectors
