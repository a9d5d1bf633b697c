// Named misbehaviours of the STT reference, one per upstream defect the protocol notes list
// (docs/protocols/stt.md, "Bug knobs"). All off by default; the reference never enables one itself.
#pragma once

#include <span>
#include <string_view>

namespace shakedown::stt {

struct Quirks {
    // The upstream TLV decoder.
    bool tlv_accept_trailing_bytes = false;
    bool tlv_truncate_short_fields = false;
    bool tlv_duplicate_keys_overwrite = false;
    bool tlv_no_limits = false;
    // The upstream handshake.
    bool skip_commitment_check = false;
    bool skip_timestamp_check = false;
    bool skip_length_checks = false;
    bool no_replay_cache = false;
    bool xor_session_key = false;
    bool unframed_handshake = false;
    bool no_idle_timeout = false;
    bool no_retransmit = false;
    bool stale_duplicate_ends_session = false;
    // Session data frames.
    bool unauthenticated_header = false;
    bool ignore_data_sequence = false;
    // The upstream HandshakeManager.
    bool manager_any_address = false;
    bool manager_no_timeouts = false;
    bool manager_unbounded = false;
};

struct QuirkInfo {
    std::string_view name;
    std::string_view description;
    bool Quirks::*flag;
};

[[nodiscard]] std::span<const QuirkInfo> quirk_table();
// Sets the named quirk; false if no quirk has that name.
[[nodiscard]] bool set_quirk(Quirks& q, std::string_view name);

}  // namespace shakedown::stt
