#include "vectors/gen/wycheproof.hpp"

#include <cstdlib>
#include <set>

#include "vectors/gen/json_strict.hpp"

namespace shakedown::vectors {

std::string default_wycheproof_dir() {
    const char* env = std::getenv("SHAKEDOWN_WYCHEPROOF_DIR");
    if (env != nullptr && *env != '\0') {
        return env;
    }
    return std::string(SHAKEDOWN_SOURCE_DIR) + "/third_party/wycheproof";
}

std::vector<LowOrderKey> x25519_low_order_keys(const std::string& wycheproof_dir) {
    const Json w = read_json_file(wycheproof_dir + "/x25519_test.json");
    std::set<std::string> seen;
    std::vector<LowOrderKey> out;
    for (const auto& g : w.at("testGroups")) {
        for (const auto& t : g.at("tests")) {
            bool low = false;
            for (const auto& f : t.at("flags")) {
                low = low || f == "ZeroSharedSecret" || f == "LowOrderPublic";
            }
            const std::string pub = t.at("public").get<std::string>();
            if (low && pub.size() == 64 && seen.insert(pub).second) {
                const auto b = from_hex(pub);
                if (!b) {
                    throw VectorError(wycheproof_dir + "/x25519_test.json: public key is not hex: " + pub);
                }
                LowOrderKey k;
                std::copy(b->begin(), b->end(), k.key.begin());
                k.tc_id = t.at("tcId").get<int>();
                out.push_back(k);
            }
        }
    }
    return out;
}

}  // namespace shakedown::vectors
