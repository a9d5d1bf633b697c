#pragma once

#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/vectors.hpp"

namespace shakedown::vectors::stellar {

// Verifies one test case of a group; throws VectorError naming the field on any mismatch.
void verify_transcript_case(const Json& test);
void verify_codec_case(const std::string& message, const Json& test);

}  // namespace shakedown::vectors::stellar
