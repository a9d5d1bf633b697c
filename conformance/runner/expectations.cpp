#include "conformance/runner/expectations.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace shakedown::conformance {

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative matcher with single-star backtracking.
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

std::optional<Expectations> Expectations::parse(std::string_view json_text, std::string& error) {
    const auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    Expectations out;
    std::set<std::string> seen;
    for (const auto& [key, value] : doc.items()) {
        if (key == "implementation") {
            if (!value.is_string()) {
                error = "'implementation' must be a string";
                return std::nullopt;
            }
            out.m_implementation = value.get<std::string>();
        } else if (key == "skip" || key == "expected_failures") {
            if (!value.is_array()) {
                error = "'" + key + "' must be an array";
                return std::nullopt;
            }
            for (const auto& e : value) {
                if (!e.is_object()) {
                    error = "entries of '" + key + "' must be objects";
                    return std::nullopt;
                }
                Entry entry;
                entry.kind = key == "skip" ? Expectation::skip : Expectation::expected_failure;
                for (const auto& [k, v] : e.items()) {
                    if ((k != "id" && k != "reason") || !v.is_string()) {
                        error = "in '" + key + "': unknown key or non-string value '" + k + "'";
                        return std::nullopt;
                    }
                }
                if (!e.contains("id") || !e.contains("reason") || e["id"].get<std::string>().empty() ||
                    e["reason"].get<std::string>().empty()) {
                    error = "in '" + key + "': every entry needs a non-empty 'id' and 'reason'";
                    return std::nullopt;
                }
                entry.pattern = e["id"].get<std::string>();
                entry.reason = e["reason"].get<std::string>();
                if (!seen.insert(entry.pattern).second) {
                    error = "'" + entry.pattern + "' is listed twice";
                    return std::nullopt;
                }
                out.m_entries.push_back(std::move(entry));
            }
        } else if (key == "comment") {
            // Free text for humans.
        } else {
            error = "unknown key '" + key + "'";
            return std::nullopt;
        }
    }
    return out;
}

std::optional<Expectations> Expectations::load(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read " + path;
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto e = parse(text.str(), error);
    if (!e) {
        error = path + ": " + error;
    }
    return e;
}

const Expectations::Entry* Expectations::lookup(std::string_view id) const {
    for (const auto& e : m_entries) {
        if (glob_match(e.pattern, id)) {
            return &e;
        }
    }
    return nullptr;
}

std::vector<std::string> Expectations::unmatched(const std::vector<std::string>& ids) const {
    std::vector<std::string> out;
    for (const auto& e : m_entries) {
        bool any = false;
        for (const auto& id : ids) {
            if (glob_match(e.pattern, id)) {
                any = true;
                break;
            }
        }
        if (!any) {
            out.push_back(e.pattern);
        }
    }
    return out;
}

}  // namespace shakedown::conformance
