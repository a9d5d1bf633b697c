#include "sft/quirks.hpp"

#include <array>

namespace shakedown::sft {

namespace {
const std::array<QuirkInfo, 11> kQuirks = {{
    {"no-identity-check", "client does not compare server_id with the pinned key (man in the middle, A7)",
     &Quirks::no_identity_check},
    {"replay-set-never-evicts", "the JSON seq replay set is never trimmed (memory grows with the session)",
     &Quirks::replay_set_never_evicts},
    {"hmac-optional", "accepts JSON records without a signature field (A19)", &Quirks::hmac_optional},
    {"accept-reflected-confirmation", "client accepts its own H3 reflected back as H4 (A10)",
     &Quirks::accept_reflected_confirmation},
    {"accept-data-replay", "accepts a DATA record whose nonce was already received (A24)",
     &Quirks::accept_data_replay},
    {"accept-float-seq", "accepts an integral float seq such as 1.0 (A18)", &Quirks::accept_float_seq},
    {"unthrottled-kdf", "server runs PBKDF2 (600,000 iterations) for every unauthenticated handshake, no throttle",
     &Quirks::unthrottled_kdf},
    {"accept-any-length-prefix", "buffers any non-zero u32be handshake prefix up to 4 GiB (A4)",
     &Quirks::accept_any_length_prefix},
    {"no-handshake-deadline", "no overall handshake deadline, only the per-read timeout (A5)",
     &Quirks::no_handshake_deadline},
    {"accept-reflected-record", "accepts its own JSON record sent back to it when the seq fits (A26)",
     &Quirks::accept_reflected_record},
    {"no-data-bounds", "writes DATA at any offset, past total_size included (A25)", &Quirks::no_data_bounds},
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

}  // namespace shakedown::sft
