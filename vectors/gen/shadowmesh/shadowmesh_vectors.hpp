// ShadowMesh vector files (vectors/shadowmesh/*.json): generation and the C++ case checkers,
// exposed to the registry (conformance/registry/variant.hpp, VectorHooks).
#pragma once

#include <string>
#include <vector>

#include "vectors/gen/vectors.hpp"

namespace shakedown::shadowmesh::vectors {

// Every file, reproducible byte for byte (no input outside this repository).
[[nodiscard]] std::vector<shakedown::vectors::GeneratedFile> generate(const shakedown::vectors::GenerateOptions& options);
// The checker for one file's groups by its "schema" value; nullptr for a schema not ours.
[[nodiscard]] shakedown::vectors::CaseChecker checker(const std::string& schema);

// Schema names (the "schema" member of each file).
inline constexpr const char* kKdfSchema = "shadowmesh/kdf.schema.json";
inline constexpr const char* kCodecSchema = "shadowmesh/codec.schema.json";
inline constexpr const char* kTranscriptSchema = "shadowmesh/transcript.schema.json";

}  // namespace shakedown::shadowmesh::vectors
