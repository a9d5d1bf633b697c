// HiveMind vectors: generator and case checkers (vectors/hivemind/*.json, layout in
// vectors/README.md; fields in vectors/schema/hivemind/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vectors/gen/hivemind/test_keys.hpp"
#include "vectors/gen/vectors.hpp"

namespace shakedown::hivemind::vectors {

[[nodiscard]] std::vector<shakedown::vectors::GeneratedFile> generate(const shakedown::vectors::GenerateOptions& options);
// nullptr for a schema this variant does not know.
[[nodiscard]] shakedown::vectors::CaseChecker checker(const std::string& schema);

inline constexpr const char* kTranscriptSchema = "hivemind/transcript.schema.json";
inline constexpr const char* kCodecSchema = "hivemind/codec.schema.json";

// Internals shared by the generator files.
[[nodiscard]] std::vector<shakedown::vectors::GeneratedFile> generate_transcripts();
[[nodiscard]] std::vector<shakedown::vectors::GeneratedFile> generate_codecs();
void check_transcript_case(const shakedown::vectors::Json& group, const shakedown::vectors::Json& test);
void check_codec_case(const shakedown::vectors::Json& group, const shakedown::vectors::Json& test);

}  // namespace shakedown::hivemind::vectors
