// Strict reading of vector JSON: every access names its path, unknown keys are errors, and every
// problem surfaces as a VectorError whose text names the key (callers add the file and tcId).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>

#include "common/bytes.hpp"

namespace shakedown::vectors {

using Json = nlohmann::ordered_json;

class VectorError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class StrictObject {
public:
    StrictObject(const Json& j, std::string path);
    [[nodiscard]] const Json& req(const std::string& key);
    [[nodiscard]] const Json* opt(const std::string& key);
    [[nodiscard]] std::string str(const std::string& key);
    [[nodiscard]] std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max);
    [[nodiscard]] std::uint64_t u64(const std::string& key);  // decimal string
    [[nodiscard]] Bytes hex(const std::string& key);
    template <std::size_t N>
    [[nodiscard]] ByteArray<N> hex_array(const std::string& key) {
        const Bytes b = hex(key);
        if (b.size() != N) {
            throw VectorError(m_path + "." + key + ": expected " + std::to_string(N) + " bytes, got " +
                              std::to_string(b.size()));
        }
        ByteArray<N> out{};
        std::copy(b.begin(), b.end(), out.begin());
        return out;
    }
    [[nodiscard]] StrictObject object(const std::string& key);
    [[nodiscard]] const std::string& path() const { return m_path; }
    // Throws if a key was present but never read.
    void finish() const;

private:
    const Json& m_j;
    std::string m_path;
    std::set<std::string> m_used;
};

[[nodiscard]] Bytes hex_value(const Json& j, const std::string& path);
[[nodiscard]] std::uint64_t u64_value(const Json& j, const std::string& path);
[[nodiscard]] Json u64_json(std::uint64_t v);

// Reads a whole file as JSON; VectorError names the file and the parse position on failure.
[[nodiscard]] Json read_json_file(const std::string& path);
// The canonical text of a generated file: 2-space indent, trailing newline.
[[nodiscard]] std::string dump_canonical(const Json& j);

}  // namespace shakedown::vectors
