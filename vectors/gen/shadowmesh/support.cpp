#include "vectors/gen/shadowmesh/support.hpp"

#include <set>
#include <variant>

#include "common/crypto.hpp"

namespace shakedown::shadowmesh::vectors {

void compare_json(const Json& file, const Json& recomputed, const std::string& path) {
    if (file.type() != recomputed.type()) {
        throw VectorError(path + ": file has " + file.dump() + ", reference gives " + recomputed.dump());
    }
    if (file.is_object()) {
        for (const auto& [k, v] : recomputed.items()) {
            if (!file.contains(k)) {
                throw VectorError(path + "." + k + ": missing");
            }
            compare_json(file.at(k), v, path + "." + k);
        }
        for (const auto& [k, v] : file.items()) {
            if (!recomputed.contains(k)) {
                throw VectorError(path + "." + k + ": unknown key");
            }
        }
        return;
    }
    if (file.is_array()) {
        if (file.size() != recomputed.size()) {
            throw VectorError(path + ": file has " + std::to_string(file.size()) + " entries, reference gives " +
                              std::to_string(recomputed.size()));
        }
        for (std::size_t i = 0; i < file.size(); ++i) {
            compare_json(file[i], recomputed[i], path + "[" + std::to_string(i) + "]");
        }
        return;
    }
    if (file != recomputed) {
        throw VectorError(path + ": file has " + file.dump() + ", reference gives " + recomputed.dump());
    }
}

void check_keys(const Json& j, std::initializer_list<const char*> required, std::initializer_list<const char*> optional,
                const std::string& path) {
    if (!j.is_object()) {
        throw VectorError(path + ": not an object");
    }
    std::set<std::string> allowed;
    for (const char* k : required) {
        allowed.insert(k);
        if (!j.contains(k)) {
            throw VectorError(path + "." + k + ": missing");
        }
    }
    for (const char* k : optional) {
        allowed.insert(k);
    }
    for (const auto& [k, v] : j.items()) {
        if (!allowed.count(k)) {
            throw VectorError(path + "." + k + ": unknown key");
        }
    }
}

Json file_skeleton(const std::string& schema, const std::vector<std::string>& header, Json notes) {
    Json f = Json::object();
    f["generatedBy"] = "shakedown vectors generate --variant shadowmesh (do not edit)";
    f["schema"] = schema;
    f["variant"] = "shadowmesh";
    f["header"] = header;
    f["notes"] = std::move(notes);
    f["numberOfTests"] = 0;
    f["testGroups"] = Json::array();
    return f;
}

void number_tests(Json& file) {
    std::int64_t id = 0;
    for (auto& g : file["testGroups"]) {
        for (auto& t : g["tests"]) {
            Json numbered = Json::object();
            numbered["tcId"] = ++id;
            for (auto& [k, v] : t.items()) {
                numbered[k] = v;
            }
            t = std::move(numbered);
        }
    }
    file["numberOfTests"] = id;
}

Json frame_fields(const Frame& f) {
    Json j = Json::object();
    j["version"] = f.header.version;
    j["type"] = std::string(type_name(f.header.type));
    j["flags"] = f.header.flags;
    j["length"] = f.header.length;
    struct Visitor {
        Json& j;
        void operator()(const RehandshakeRequest& m) const {
            j["session_id"] = to_hex(m.session_id);
            j["challenge"] = to_hex(m.challenge);
            j["timestamp_ms"] = shakedown::vectors::u64_json(m.timestamp_ms);
        }
        void operator()(const RehandshakeResponse& m) const {
            j["session_id"] = to_hex(m.session_id);
            j["challenge_response"] = to_hex(m.challenge_response);
            j["challenge"] = to_hex(m.challenge);
            j["timestamp_ms"] = shakedown::vectors::u64_json(m.timestamp_ms);
        }
        void operator()(const RehandshakeComplete& m) const {
            j["session_id"] = to_hex(m.session_id);
            j["challenge_response"] = to_hex(m.challenge_response);
            j["timestamp_ms"] = shakedown::vectors::u64_json(m.timestamp_ms);
        }
        void operator()(const CloseMsg& m) const {
            j["reason"] = m.reason;
            j["text"] = to_hex(m.text);
        }
        void operator()(const ErrorMsg& m) const {
            j["code"] = m.code;
            j["text"] = to_hex(m.text);
        }
        void operator()(const OtherMsg& m) const { j["payload"] = to_hex(m.payload); }
    };
    std::visit(Visitor{j}, f.message);
    return j;
}

Bytes derived_bytes(const std::string& label, std::size_t n) {
    Bytes out;
    auto block = crypto::sha256(as_bytes("shakedown shadowmesh vectors " + label));
    while (out.size() < n) {
        out.insert(out.end(), block.begin(), block.end());
        block = crypto::sha256(block);
    }
    out.resize(n);
    return out;
}

}  // namespace shakedown::shadowmesh::vectors
