// Shim flags: one table per variant serves `shakedown peer`, the shim contract
// (conformance/SHIM.md) and the in-process reference, all parsed by parse_settings.
#pragma once

#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shakedown::registry {

// A flag a shim (and `shakedown peer`) takes, by name without the leading dashes. One table
// serves the CLI and the shim parser.
struct ShimFlag {
    std::string name;        // "seed", "network", "now", ...
    std::string value_name;  // "HEX", "UNIX", ... (empty: a switch without a value)
    std::string help;
    bool repeatable = false;
    // Checks a value as it is parsed: empty when it is good, else what is wrong with it.
    std::function<std::string(const std::string&)> check = {};
};

// Parsed shim flags: name -> values in order (a switch has one empty value).
using Settings = std::map<std::string, std::vector<std::string>>;

// Parses `--name value` pairs against the table. Unknown flags go to `unimplemented` (the shim
// contract's exit 89); a missing value is an error.
[[nodiscard]] bool parse_settings(const std::vector<ShimFlag>& table, const std::vector<std::string>& args,
                                  Settings& out, std::vector<std::string>& unimplemented, std::string& error);
[[nodiscard]] std::optional<std::string> setting(const Settings& s, const std::string& name);

// A whole decimal number of type T, nothing else.
template <class T>
[[nodiscard]] bool parse_number(const std::string& s, T& out) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

}  // namespace shakedown::registry
