// Data the project takes from Wycheproof (third_party/wycheproof/), read in one place.
#pragma once

#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace shakedown::vectors {

// $SHAKEDOWN_WYCHEPROOF_DIR, else the repository's third_party/wycheproof.
[[nodiscard]] std::string default_wycheproof_dir();

struct LowOrderKey {
    ByteArray<32> key{};
    int tc_id = 0;  // the first Wycheproof x25519_test.json case with this public key
};
// Every distinct public key of x25519_test.json flagged ZeroSharedSecret or LowOrderPublic (the 14
// points whose X25519 output is all zero, libsodium's blacklist), in file order. Throws
// VectorError naming the file when it cannot be read.
[[nodiscard]] std::vector<LowOrderKey> x25519_low_order_keys(const std::string& wycheproof_dir);

}  // namespace shakedown::vectors
