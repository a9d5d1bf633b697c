#include "vectors/gen/vectors.hpp"

#include <functional>
#include <set>

#include "vectors/gen/json_strict.hpp"

namespace shakedown::vectors {

namespace {

std::string case_label(const Json& test) {
    if (test.is_object() && test.contains("tcId") && test["tcId"].is_number_integer()) {
        return "tcId " + std::to_string(test["tcId"].get<std::int64_t>());
    }
    return "test without tcId";
}

}  // namespace

VerifyReport verify_file(const std::string& path, const CheckerLookup& lookup) {
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
        const CaseChecker check = lookup(variant, schema);
        if (!check) {
            throw VectorError(path + ": no checker for variant '" + variant + "' with schema '" + schema + "'");
        }
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

}  // namespace shakedown::vectors
