// Helpers shared by the ShadowMesh vector generators and checkers.
#pragma once

#include <string>

#include "shadowmesh/messages.hpp"
#include "shadowmesh/quirks.hpp"
#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/shadowmesh/shadowmesh_vectors.hpp"

namespace shakedown::shadowmesh::vectors {

using shakedown::vectors::Json;
using shakedown::vectors::VectorError;

// The first timestamp of every generated ShadowMesh case (ms since the epoch, 2025-11-04).
inline constexpr std::uint64_t kT1 = 1762230765000;

[[nodiscard]] inline Json hex_json(ByteView b) { return to_hex(b); }
// Throws VectorError naming the first path where `file` and `recomputed` differ.
void compare_json(const Json& file, const Json& recomputed, const std::string& path);
// Throws VectorError if `j` has a key outside `allowed` or lacks one of `required`.
void check_keys(const Json& j, std::initializer_list<const char*> required, std::initializer_list<const char*> optional,
                const std::string& path);
[[nodiscard]] Json file_skeleton(const std::string& schema, const std::vector<std::string>& header, Json notes);
// Numbers tests 1..N in file order and fills numberOfTests.
void number_tests(Json& file);
// The decoded fields of a frame as the vector files spell them.
[[nodiscard]] Json frame_fields(const Frame& f);
// The deterministic byte string used for non-KAT inputs: SHA-256 chain of the label.
[[nodiscard]] Bytes derived_bytes(const std::string& label, std::size_t n);

// Codec file generation / checking.
[[nodiscard]] Json generate_codec_file();
void check_codec_case(const Json& group, const Json& test);
// Key schedule and MAC file.
[[nodiscard]] Json generate_kdf_file();
void check_kdf_case(const Json& group, const Json& test);
// Transcripts.
[[nodiscard]] Json generate_transcript_file();
void check_transcript_case(const Json& group, const Json& test);
// The test object the reference (with these bug knobs) produces for a transcript case's inputs.
[[nodiscard]] Json run_transcript_case(const Json& group, const Json& test, const Quirks& quirks);

}  // namespace shakedown::shadowmesh::vectors
