// Loading and iterating Wycheproof vector files for the crypto facade tests.
//
// Every case of a file goes through for_each_case(); a checker either checks it or skips it with
// a reason. The tally then insists that the file was read completely (the number of cases seen
// equals numberOfTests) and that nothing was silently dropped.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.hpp"

#ifndef SHAKEDOWN_WYCHEPROOF_DIR
#error "SHAKEDOWN_WYCHEPROOF_DIR must name the directory holding the Wycheproof JSON files"
#endif

namespace shakedown::wycheproof {

using json = nlohmann::json;

// The environment wins over the compiled-in path so a checkout elsewhere can still be tested.
inline std::filesystem::path data_dir() {
    const char* env = std::getenv("SHAKEDOWN_WYCHEPROOF_DIR");
    if (env != nullptr && *env != '\0') {
        return env;
    }
    return SHAKEDOWN_WYCHEPROOF_DIR;
}

// Tests may throw: a missing or unparsable file must fail the test, not skip it.
inline json load(const std::string& file_name) {
    const std::filesystem::path path = data_dir() / file_name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot open Wycheproof file " + path.string() +
                                 " (set SHAKEDOWN_WYCHEPROOF_DIR to the directory holding it)");
    }
    return json::parse(in);
}

inline Bytes hex_field(const json& object, const char* key) {
    const auto& text = object.at(key).get_ref<const std::string&>();
    auto bytes = from_hex(text);
    if (!bytes) {
        throw std::runtime_error(std::string("field '") + key + "' is not hex: " + text);
    }
    return *bytes;
}

enum class Expect { valid, invalid, acceptable };

inline Expect parse_expect(const std::string& result) {
    if (result == "valid") {
        return Expect::valid;
    }
    if (result == "invalid") {
        return Expect::invalid;
    }
    if (result == "acceptable") {
        return Expect::acceptable;
    }
    throw std::runtime_error("unknown Wycheproof result '" + result + "'");
}

inline const char* to_string(Expect e) {
    switch (e) {
        case Expect::valid: return "valid";
        case Expect::invalid: return "invalid";
        case Expect::acceptable: return "acceptable";
    }
    return "?";
}

class Case {
public:
    Case(std::string file, const json& group, const json& test)
        : m_file(std::move(file)),
          m_group(group),
          m_test(test),
          m_tc_id(test.at("tcId").get<int>()),
          m_comment(test.value("comment", std::string())),
          m_expect(parse_expect(test.at("result").get<std::string>())),
          m_flags(test.value("flags", std::vector<std::string>())) {}

    [[nodiscard]] const json& group() const { return m_group; }
    [[nodiscard]] const json& test() const { return m_test; }
    [[nodiscard]] int tc_id() const { return m_tc_id; }
    [[nodiscard]] Expect expect() const { return m_expect; }
    [[nodiscard]] const std::vector<std::string>& flags() const { return m_flags; }
    [[nodiscard]] bool has_flag(std::string_view flag) const {
        for (const auto& f : m_flags) {
            if (f == flag) {
                return true;
            }
        }
        return false;
    }
    [[nodiscard]] Bytes hex(const char* key) const { return hex_field(m_test, key); }

    // Attached to every failure inside the case so it can be found in the file.
    [[nodiscard]] std::string where() const {
        std::ostringstream out;
        out << m_file << " tcId " << m_tc_id << " (" << to_string(m_expect) << ", comment: \"" << m_comment
            << "\", flags:";
        for (const auto& f : m_flags) {
            out << ' ' << f;
        }
        out << ')';
        return out.str();
    }

    void skip(std::string reason) { m_skip_reason = std::move(reason); }
    [[nodiscard]] const std::string& skip_reason() const { return m_skip_reason; }

private:
    std::string m_file;
    const json& m_group;
    const json& m_test;
    int m_tc_id;
    std::string m_comment;
    Expect m_expect;
    std::vector<std::string> m_flags;
    std::string m_skip_reason;
};

struct Tally {
    int seen = 0;
    int checked_valid = 0;
    int checked_invalid = 0;
    int checked_acceptable = 0;
    int skipped = 0;
    std::map<std::string, int> skip_reasons;

    [[nodiscard]] int checked() const { return checked_valid + checked_invalid + checked_acceptable; }
};

// Runs check(Case&) on every test of every group, then verifies and reports the tally.
// expected_algorithm guards against pointing a checker at the wrong kind of file; documented_skips
// is how many cases the caller's stated skip rules are known to cover, so a vector update that
// changes it fails instead of quietly checking less.
template <class Check>
Tally for_each_case(const std::string& file_name, const std::string& expected_algorithm, int documented_skips,
                    Check&& check) {
    const json doc = load(file_name);
    Tally tally;
    EXPECT_EQ(doc.at("algorithm").get<std::string>(), expected_algorithm) << file_name;
    const int declared = doc.at("numberOfTests").get<int>();
    for (const auto& group : doc.at("testGroups")) {
        for (const auto& test : group.at("tests")) {
            Case c(file_name, group, test);
            ++tally.seen;
            SCOPED_TRACE(c.where());
            check(c);
            if (!c.skip_reason().empty()) {
                ++tally.skipped;
                ++tally.skip_reasons[c.skip_reason()];
                continue;
            }
            switch (c.expect()) {
                case Expect::valid: ++tally.checked_valid; break;
                case Expect::invalid: ++tally.checked_invalid; break;
                case Expect::acceptable: ++tally.checked_acceptable; break;
            }
        }
    }

    std::cout << "[wycheproof] " << file_name << ": " << tally.seen << " cases, checked " << tally.checked()
              << " (valid " << tally.checked_valid << ", invalid " << tally.checked_invalid << ", acceptable "
              << tally.checked_acceptable << "), skipped " << tally.skipped << '\n';
    for (const auto& [reason, count] : tally.skip_reasons) {
        std::cout << "[wycheproof]   skipped " << count << ": " << reason << '\n';
    }
    ::testing::Test::RecordProperty("cases_seen", tally.seen);
    ::testing::Test::RecordProperty("checked_valid", tally.checked_valid);
    ::testing::Test::RecordProperty("checked_invalid", tally.checked_invalid);
    ::testing::Test::RecordProperty("checked_acceptable", tally.checked_acceptable);
    ::testing::Test::RecordProperty("skipped", tally.skipped);

    EXPECT_EQ(tally.seen, declared) << file_name << ": numberOfTests disagrees with the cases present";
    EXPECT_GT(tally.checked(), 0) << file_name << ": no case was checked";
    EXPECT_EQ(tally.skipped, documented_skips) << file_name << ": skips differ from the documented ones";
    EXPECT_GE(tally.checked(), declared - documented_skips) << file_name << ": cases went missing";
    return tally;
}

}  // namespace shakedown::wycheproof
