// The Stellar vector catalogue: which cases exist and why. Inputs are derived deterministically
// from labels, so generation is reproducible byte for byte.
#pragma once

#include <string>

#include "vectors/gen/json_strict.hpp"

namespace shakedown::vectors::stellar {

// wycheproof_dir supplies the X25519 low-order public keys (x25519_test.json).
[[nodiscard]] Json generate_handshake_file(const std::string& wycheproof_dir);
[[nodiscard]] Json generate_codec_file();

}  // namespace shakedown::vectors::stellar
