#include "conformance/registry/settings.hpp"

#include <algorithm>

namespace shakedown::registry {

bool parse_settings(const std::vector<ShimFlag>& table, const std::vector<std::string>& args, Settings& out,
                    std::vector<std::string>& unimplemented, std::string& error) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0) {
            error = "unexpected argument '" + a + "'";
            return false;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inline_value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const auto it = std::find_if(table.begin(), table.end(), [&](const ShimFlag& f) { return f.name == name; });
        if (it == table.end()) {
            unimplemented.push_back(a);
            if (!inline_value && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
                ++i;  // skip its value too
            }
            continue;
        }
        std::string value;
        if (!it->value_name.empty()) {
            if (inline_value) {
                value = *inline_value;
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                error = "--" + name + " needs a value (" + it->value_name + ")";
                return false;
            }
        }
        if (it->check) {
            if (const std::string why = it->check(value); !why.empty()) {
                error = "--" + name + " '" + value + "': " + why;
                return false;
            }
        }
        auto& slot = out[name];
        if (!slot.empty() && !it->repeatable) {
            slot.clear();  // the last one wins, as with most command lines
        }
        slot.push_back(std::move(value));
    }
    return true;
}

std::optional<std::string> setting(const Settings& s, const std::string& name) {
    const auto it = s.find(name);
    if (it == s.end() || it->second.empty()) {
        return std::nullopt;
    }
    return it->second.back();
}

}  // namespace shakedown::registry
