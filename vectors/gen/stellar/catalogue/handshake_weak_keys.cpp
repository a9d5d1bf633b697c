#include "vectors/gen/stellar/catalogue/cases.hpp"
#include "vectors/gen/wycheproof.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_weak_keys(Builder& b, const std::string& wycheproof_dir) {
    std::vector<ByteArray<32>> weak;
    for (const auto& k : x25519_low_order_keys(wycheproof_dir)) {
        weak.push_back(k.key);
    }
    for (std::size_t i = 0; i < weak.size(); ++i) {
        auto in = base();
        in.initiator.cert_pubkey = weak[i];
        b.add("initiator cert key is low order: " + to_hex(weak[i]), {"LowOrderPublic"}, in);
    }
    for (std::size_t i = 0; i < weak.size(); i += 4) {
        auto in = base();
        in.acceptor.cert_pubkey = weak[i];
        b.add("acceptor cert key is low order: " + to_hex(weak[i]), {"LowOrderPublic"}, in);
    }
}

}  // namespace shakedown::vectors::stellar::cases
