// STT known-answer vectors: generation and the C++ case checkers (docs/protocols/stt.md,
// "Vectors"). Four files: tlv_test.json (the TLV codec), messages_test.json (the four messages
// and the UDP frame), handshake_test.json (transcripts with injected clocks and randomness,
// adversarial deliveries, session data frames), manager_test.json (the HandshakeManager).
#pragma once

#include <string>
#include <vector>

#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/vectors.hpp"

namespace shakedown::stt::vectors {

[[nodiscard]] std::vector<shakedown::vectors::GeneratedFile> generate(const shakedown::vectors::GenerateOptions& options);
// nullptr for an unknown schema.
[[nodiscard]] shakedown::vectors::CaseChecker checker(const std::string& schema);

// The in-step transcript runner shared by the generator and the checker: `inputs` as stored in a
// handshake test, the returned object is that test's `expected`.
[[nodiscard]] shakedown::vectors::Json run_transcript(const shakedown::vectors::Json& inputs);
// The HandshakeManager runner (manager_test.json), likewise.
[[nodiscard]] shakedown::vectors::Json run_manager(const shakedown::vectors::Json& inputs);

}  // namespace shakedown::stt::vectors
