// HiveMind's fixed RSA test keys (vectors/hivemind/keys/*.pem, compiled in by CMake), apart from
// the generator so that the fuzz targets link the keys alone.
#pragma once

#include <string>
#include <string_view>

namespace shakedown::hivemind::vectors {

// The fixed RSA test keys by name ("server_rsa2048", "client_rsa2048", "other_rsa2048",
// "weak_rsa1024", "weak_e3", "weak_e1_public", "weak_small_factor_public"); empty if unknown.
[[nodiscard]] std::string test_key_pem(std::string_view name);

}  // namespace shakedown::hivemind::vectors
