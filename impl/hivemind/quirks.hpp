// Bug knobs: each reproduces one defect of the pinned upstream listed in docs/protocols/hivemind.md
// ("Bug knobs"). All off by default; the reference never enables one on its own.
#pragma once

#include <span>
#include <string_view>

#include "hivemind/codecs.hpp"

namespace shakedown::hivemind {

struct Quirks {
    bool skip_envelope_check = false;     // server: never verifies the client's envelope
    bool accept_reflection = false;       // an echoed envelope (salt 0) is accepted
    bool lax_envelope = false;            // 48..80 characters, IV in either case, junk after 48
    bool accept_empty_password = false;
    bool plaintext_after_handshake = false;  // crypto_required enforced only at connect time
    bool ciphertext_substring = false;    // decrypt iff the text contains "ciphertext"
    bool ignore_bad_signature = false;    // RSA: a failed PSS verification is ignored
    bool accept_any_choice = false;       // client: any encoding/cipher the server names (downgrade)
    bool trust_every_key = false;         // client: no pinning, a changed server key is accepted
    bool accept_weak_rsa_keys = false;
    bool hex_accepts_uppercase = false;
    bool lax_base64 = false;
    bool b91_zero_table = false;
    bool b91_compiled_alphabet = false;
    bool z85p_broken = false;

    [[nodiscard]] CodecQuirks codec() const {
        return CodecQuirks{hex_accepts_uppercase, lax_base64, b91_zero_table, b91_compiled_alphabet, z85p_broken};
    }
};

struct QuirkInfo {
    std::string_view name;
    std::string_view description;
    bool Quirks::*flag;
};

[[nodiscard]] std::span<const QuirkInfo> quirk_table();
[[nodiscard]] bool set_quirk(Quirks& q, std::string_view name);

}  // namespace shakedown::hivemind
