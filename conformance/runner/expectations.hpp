// Per-implementation expectations (in the manner of tlsfuzzer's expected failures and BoGo's
// config files): which scenarios to skip and which are expected to fail, each with a reason.
//
//   {
//     "implementation": "name and version",
//     "skip":              [{"id": "initiator.idle.*", "reason": "..."}],
//     "expected_failures": [{"id": "acceptor.network.wrong-id", "reason": "D-10: ..."}]
//   }
//
// `id` is a scenario id or a pattern (`*` any run of characters, `?` one character). Unknown keys,
// an entry without a reason, an id listed twice and a pattern that matches no scenario are errors:
// a stale expectations file must not silently stop doing its job.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/verdict.hpp"

namespace shakedown::conformance {

[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text);

class Expectations {
public:
    struct Entry {
        std::string pattern;
        std::string reason;
        Expectation kind = Expectation::none;
    };

    [[nodiscard]] static std::optional<Expectations> parse(std::string_view json_text, std::string& error);
    [[nodiscard]] static std::optional<Expectations> load(const std::string& path, std::string& error);

    // The first entry whose pattern matches `id`.
    [[nodiscard]] const Entry* lookup(std::string_view id) const;
    // Patterns matching none of `ids`.
    [[nodiscard]] std::vector<std::string> unmatched(const std::vector<std::string>& ids) const;

    [[nodiscard]] const std::string& implementation() const { return m_implementation; }
    [[nodiscard]] const std::vector<Entry>& entries() const { return m_entries; }

private:
    std::string m_implementation;
    std::vector<Entry> m_entries;
};

}  // namespace shakedown::conformance
