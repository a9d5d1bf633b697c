#include "hivemind/quirks.hpp"

#include <array>

namespace shakedown::hivemind {

namespace {
const std::array<QuirkInfo, 15> kQuirks = {{
    {"skip-envelope-check", "server never verifies the client's password envelope (wrong password not detected)",
     &Quirks::skip_envelope_check},
    {"accept-reflection", "accepts the peer echoing its own envelope, which gives salt 0", &Quirks::accept_reflection},
    {"lax-envelope", "accepts envelopes of 48..80 characters, uppercase IV digits and junk after 48",
     &Quirks::lax_envelope},
    {"accept-empty-password", "runs the password handshake with an empty password", &Quirks::accept_empty_password},
    {"plaintext-after-handshake", "crypto_required enforced only at connect time: plaintext accepted later",
     &Quirks::plaintext_after_handshake},
    {"ciphertext-substring", "treats a text frame as encrypted iff it contains the substring \"ciphertext\"",
     &Quirks::ciphertext_substring},
    {"ignore-bad-signature", "RSA: a PSS signature that does not verify is ignored", &Quirks::ignore_bad_signature},
    {"accept-any-choice", "client accepts any encoding and cipher the server names (downgrade not noticed)",
     &Quirks::accept_any_choice},
    {"trust-every-key", "client trusts whatever server key it sees (no pinning after first use)",
     &Quirks::trust_every_key},
    {"accept-weak-rsa-keys", "accepts RSA keys under 2048 bits, small exponents or small factors",
     &Quirks::accept_weak_rsa_keys},
    {"hex-accepts-uppercase", "JSON-HEX decoder accepts uppercase digits", &Quirks::hex_accepts_uppercase},
    {"lax-base64", "base64 decoders skip characters outside the alphabet and ignore padding",
     &Quirks::lax_base64},
    {"b91-zero-table", "basE91 decoder reads a character outside the alphabet as 'A'", &Quirks::b91_zero_table},
    {"b91-compiled-alphabet", "basE91 uses the alphabet the upstream C source compiles (with '-' and '\\')",
     &Quirks::b91_compiled_alphabet},
    {"z85p-broken", "offers JSON-Z85P but cannot decode it", &Quirks::z85p_broken},
}};
}  // namespace

std::span<const QuirkInfo> quirk_table() { return kQuirks; }

bool set_quirk(Quirks& q, std::string_view name) {
    for (const auto& info : kQuirks) {
        if (info.name == name) {
            q.*info.flag = true;
            return true;
        }
    }
    return false;
}

}  // namespace shakedown::hivemind
