// The inputs of every SFT transcript vector: honest runs per profile, and the adversarial
// catalogue A1-A28 of docs/protocols/sft.md §9 where it concerns message handling, each with the
// outcome the strict reference must reach, written down from the spec (not from a run).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vectors/gen/sft/transcript.hpp"

namespace shakedown::sft::vectors {

// The fixed inputs of docs/protocols/sft.md §10: RFC 7748 §6.1 ephemerals, RFC 8032 identities.
struct KnownKeys {
    ByteArray<32> client_eph_secret{};
    ByteArray<32> client_eph{};
    ByteArray<32> server_eph_secret{};
    ByteArray<32> server_eph{};
    ByteArray<32> server_id_seed{};
    ByteArray<32> server_id{};
    ByteArray<32> client_id_seed{};
    ByteArray<32> client_id{};
    ByteArray<32> attacker_id_seed{};  // RFC 8032 test 3
};
[[nodiscard]] const KnownKeys& known_keys();

inline constexpr std::uint64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

struct Expectation {
    // The side that must close on a failure, with which error and at which message; nullopt:
    // neither side fails.
    std::optional<Role> failing;
    std::optional<Error> error;
    std::optional<std::size_t> at_message;
    // Additionally required: both sides authenticated (handshake completed).
    bool both_authenticated = false;
    // A transfer event the client must record: what, filename, ok, detail.
    std::optional<TransferEvent> client_event;
    std::string sent;  // what the failing side says on the way out
    // Messages the failing side legitimately sent after the one that made it fail (an answer to
    // the first copy of a duplicated record is sent before the copy arrives).
    std::size_t answers_after = 0;
};

struct CatalogueCase {
    std::string id;  // "A1", "A18", "honest", ...
    std::string comment;
    std::vector<std::string> flags;
    TranscriptInputs inputs;
    Expectation expect;
};

[[nodiscard]] TranscriptInputs honest_inputs(Profile p);
// Every case for one profile; zero_keys are the 14 zero-shared-secret X25519 public keys
// (Wycheproof x25519_test.json, flag ZeroSharedSecret, distinct, in file order).
[[nodiscard]] std::vector<CatalogueCase> catalogue(Profile p, const std::vector<ByteArray<32>>& zero_keys);
// Bug-knob cases: the same inputs with one knob on, and the outcome the deployed defect gives.
[[nodiscard]] std::vector<CatalogueCase> knob_cases(Profile p);

// Reads the 14 keys from a Wycheproof x25519_test.json.
[[nodiscard]] std::vector<ByteArray<32>> load_zero_keys(const std::string& wycheproof_dir);

}  // namespace shakedown::sft::vectors
