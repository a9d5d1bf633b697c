// Where the checked-in data lives. Defaults point into the source tree the binary was built from;
// flags and environment variables override them.
#pragma once

#include <cstdlib>
#include <string>

namespace shakedown::cli {

inline std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

inline std::string source_dir() { return env_or("SHAKEDOWN_SOURCE_DIR", SHAKEDOWN_SOURCE_DIR); }
inline std::string vectors_dir() { return source_dir() + "/vectors"; }
inline std::string wycheproof_dir() { return env_or("SHAKEDOWN_WYCHEPROOF_DIR", source_dir() + "/third_party/wycheproof"); }

}  // namespace shakedown::cli
