// Bug knobs: each one restores a defect of the deployed upstream-v2 code (docs/protocols/sft.md
// §8). All off by default; the reference never enables one by itself.
#pragma once

#include <span>
#include <string_view>

namespace shakedown::sft {

struct Quirks {
    bool no_identity_check = false;              // client accepts any server_id (MITM, A7)
    bool replay_set_never_evicts = false;        // seq replay set grows without bound
    bool hmac_optional = false;                  // JSON record without "signature" accepted (A19)
    bool accept_reflected_confirmation = false;  // own H3 played back as H4 accepted (A10)
    bool accept_data_replay = false;             // repeated DATA record accepted (A24)
    bool accept_float_seq = false;               // "seq": 1.0 accepted as 1 (A18)
    bool unthrottled_kdf = false;                // PBKDF2 for every unauthenticated handshake (DoS)
    bool accept_any_length_prefix = false;       // any non-zero u32be prefix buffered (A4)
    bool no_handshake_deadline = false;          // no overall handshake deadline (A5)
    bool accept_reflected_record = false;        // own JSON record played back accepted (A26)
    bool no_data_bounds = false;                 // DATA offsets not checked, written where they say (A25)
};

struct QuirkInfo {
    std::string_view name;
    std::string_view description;
    bool Quirks::*flag;
};

[[nodiscard]] std::span<const QuirkInfo> quirk_table();
// Sets the named quirk; false if no quirk has that name.
[[nodiscard]] bool set_quirk(Quirks& q, std::string_view name);

}  // namespace shakedown::sft
