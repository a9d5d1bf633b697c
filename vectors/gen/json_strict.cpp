#include "vectors/gen/json_strict.hpp"

#include <fstream>
#include <sstream>

namespace shakedown::vectors {

StrictObject::StrictObject(const Json& j, std::string path) : m_j(j), m_path(std::move(path)) {
    if (!m_j.is_object()) {
        throw VectorError(m_path + ": expected an object");
    }
}

const Json& StrictObject::req(const std::string& key) {
    const Json* v = opt(key);
    if (v == nullptr) {
        throw VectorError(m_path + ": missing key '" + key + "'");
    }
    return *v;
}

const Json* StrictObject::opt(const std::string& key) {
    auto it = m_j.find(key);
    if (it == m_j.end()) {
        return nullptr;
    }
    m_used.insert(key);
    return &*it;
}

std::string StrictObject::str(const std::string& key) {
    const Json& v = req(key);
    if (!v.is_string()) {
        throw VectorError(m_path + "." + key + ": expected a string");
    }
    return v.get<std::string>();
}

std::int64_t StrictObject::integer(const std::string& key, std::int64_t min, std::int64_t max) {
    const Json& v = req(key);
    if (!v.is_number_integer()) {
        throw VectorError(m_path + "." + key + ": expected an integer");
    }
    const auto x = v.get<std::int64_t>();
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        throw VectorError(m_path + "." + key + ": integer out of range");
    }
    if (x < min || x > max) {
        throw VectorError(m_path + "." + key + ": " + std::to_string(x) + " is outside [" + std::to_string(min) + ", " +
                          std::to_string(max) + "]");
    }
    return x;
}

std::uint64_t StrictObject::u64(const std::string& key) { return u64_value(req(key), m_path + "." + key); }

Bytes StrictObject::hex(const std::string& key) { return hex_value(req(key), m_path + "." + key); }

StrictObject StrictObject::object(const std::string& key) { return StrictObject(req(key), m_path + "." + key); }

void StrictObject::finish() const {
    for (auto it = m_j.begin(); it != m_j.end(); ++it) {
        if (m_used.count(it.key()) == 0) {
            throw VectorError(m_path + ": unknown key '" + it.key() + "'");
        }
    }
}

Bytes hex_value(const Json& j, const std::string& path) {
    if (!j.is_string()) {
        throw VectorError(path + ": expected a hex string");
    }
    const auto& s = j.get_ref<const std::string&>();
    for (const char c : s) {
        if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
            throw VectorError(path + ": not lower-case hex");
        }
    }
    auto b = from_hex(s);
    if (!b) {
        throw VectorError(path + ": odd-length hex");
    }
    return *b;
}

std::uint64_t u64_value(const Json& j, const std::string& path) {
    if (!j.is_string()) {
        throw VectorError(path + ": expected a decimal string (64-bit integer)");
    }
    const auto& s = j.get_ref<const std::string&>();
    if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) {
        throw VectorError(path + ": not a canonical decimal u64");
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            throw VectorError(path + ": not a decimal u64");
        }
        const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) {
            throw VectorError(path + ": u64 overflow");
        }
        v = v * 10 + d;
    }
    return v;
}

Json u64_json(std::uint64_t v) { return std::to_string(v); }

Json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw VectorError(path + ": cannot open");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return Json::parse(ss.str());
    } catch (const Json::parse_error& e) {
        throw VectorError(path + ": invalid JSON at byte " + std::to_string(e.byte));
    }
}

std::string dump_canonical(const Json& j) { return j.dump(2) + "\n"; }

}  // namespace shakedown::vectors
