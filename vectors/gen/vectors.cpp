#include "vectors/gen/vectors.hpp"

#include <functional>
#include <set>

#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/stellar_catalogue.hpp"
#include "vectors/gen/stellar_verify.hpp"

namespace shakedown::vectors {

namespace {

CaseChecker checker_for(const std::string& variant, const std::string& schema, const std::string& file) {
    if (variant == "stellar" && schema == "transcript.schema.json") {
        return [file](const Json& group, const Json& test) {
            if (group.value("type", "") != "StellarHandshake") {
                throw VectorError("group type must be StellarHandshake");
            }
            stellar::verify_transcript_case(test);
        };
    }
    if (variant == "stellar" && schema == "codec.schema.json") {
        return [](const Json& group, const Json& test) {
            if (group.value("type", "") != "StellarCodec" || !group.contains("message") || !group["message"].is_string()) {
                throw VectorError("group type must be StellarCodec with a message name");
            }
            stellar::verify_codec_case(group["message"].get<std::string>(), test);
        };
    }
    throw VectorError(file + ": no verifier for variant '" + variant + "' with schema '" + schema + "'");
}

std::string case_label(const Json& test) {
    if (test.is_object() && test.contains("tcId") && test["tcId"].is_number_integer()) {
        return "tcId " + std::to_string(test["tcId"].get<std::int64_t>());
    }
    return "test without tcId";
}

}  // namespace

VerifyReport verify_file(const std::string& path) {
    VerifyReport report;
    try {
        const Json file = read_json_file(path);
        StrictObject top(file, path);
        const std::string variant = top.str("variant");
        const std::string schema = top.str("schema");
        (void)top.str("generatedBy");
        (void)top.req("header");
        const Json& notes = top.req("notes");
        if (!notes.is_object()) {
            throw VectorError(path + ": notes must be an object");
        }
        const auto declared = static_cast<std::size_t>(top.integer("numberOfTests", 0, INT64_MAX));
        const Json& groups = top.req("testGroups");
        if (!groups.is_array()) {
            throw VectorError(path + ": testGroups must be an array");
        }
        top.finish();
        const CaseChecker check = checker_for(variant, schema, path);
        std::set<std::int64_t> ids;
        std::size_t count = 0;
        for (const auto& group : groups) {
            if (!group.is_object() || !group.contains("tests") || !group["tests"].is_array()) {
                throw VectorError(path + ": every test group needs a tests array");
            }
            for (const auto& test : group["tests"]) {
                ++count;
                const std::string label = case_label(test);
                try {
                    if (!test.is_object() || !test.contains("tcId") || !test["tcId"].is_number_integer()) {
                        throw VectorError("tcId: missing or not an integer");
                    }
                    if (!ids.insert(test["tcId"].get<std::int64_t>()).second) {
                        throw VectorError("tcId: duplicate");
                    }
                    if (!test.contains("flags") || !test["flags"].is_array()) {
                        throw VectorError("flags: missing or not an array");
                    }
                    for (const auto& f : test["flags"]) {
                        if (!f.is_string() || !notes.contains(f.get<std::string>())) {
                            throw VectorError("flags: " + f.dump() + " is not defined in notes");
                        }
                    }
                    check(group, test);
                    ++report.passed;
                } catch (const VectorError& e) {
                    ++report.failed;
                    report.problems.push_back(path + ": " + label + ": " + e.what());
                } catch (const std::exception& e) {
                    ++report.failed;
                    report.problems.push_back(path + ": " + label + ": malformed: " + e.what());
                }
            }
        }
        if (count != declared) {
            report.problems.push_back(path + ": numberOfTests is " + std::to_string(declared) + " but the file has " +
                                      std::to_string(count));
            report.file_error = true;
        }
    } catch (const std::exception& e) {
        report.problems.emplace_back(e.what());
        report.file_error = true;
    }
    return report;
}

std::vector<std::string> variants() { return {"stellar"}; }

std::vector<GeneratedFile> generate(const std::string& variant, const std::string& wycheproof_dir) {
    if (variant != "stellar") {
        throw VectorError("unknown variant '" + variant + "' (known: stellar)");
    }
    return {
        {"stellar/handshake_test.json", dump_canonical(stellar::generate_handshake_file(wycheproof_dir))},
        {"stellar/codec_test.json", dump_canonical(stellar::generate_codec_file())},
    };
}

}  // namespace shakedown::vectors
