#include "stt/quirks.hpp"

#include <array>

namespace shakedown::stt {

namespace {
const std::array<QuirkInfo, 18> kQuirks = {{
    {"tlv-accept-trailing-bytes", "TLV decoder ignores bytes after the outermost value",
     &Quirks::tlv_accept_trailing_bytes},
    {"tlv-truncate-short-fields", "TLV decoder silently truncates a BYTES/STRING whose length runs past the end",
     &Quirks::tlv_truncate_short_fields},
    {"tlv-duplicate-keys-overwrite", "TLV decoder accepts dict keys in any order; a repeated key overwrites",
     &Quirks::tlv_duplicate_keys_overwrite},
    {"tlv-no-limits", "TLV decoder has no depth, count or size limit", &Quirks::tlv_no_limits},
    {"skip-commitment-check", "responder never verifies the HELLO commitment", &Quirks::skip_commitment_check},
    {"skip-timestamp-check", "timestamps are never compared with the clock", &Quirks::skip_timestamp_check},
    {"skip-length-checks", "node_id, nonce and session_id lengths are never checked (short session ids)",
     &Quirks::skip_length_checks},
    {"no-replay-cache", "responder keeps no record of HELLO nonces, so a replayed HELLO is answered",
     &Quirks::no_replay_cache},
    {"xor-session-key", "session key is the XOR of both nonces and node ids (the design document's derivation)",
     &Quirks::xor_session_key},
    {"unframed-handshake", "handshake messages travel as raw TLV datagrams, as upstream sends them",
     &Quirks::unframed_handshake},
    {"no-idle-timeout", "a stalled handshake never times out", &Quirks::no_idle_timeout},
    {"no-retransmit", "an initiator never sends an unanswered HELLO or AUTH_PROOF again (a lost datagram ends the "
     "handshake)",
     &Quirks::no_retransmit},
    {"stale-duplicate-ends-session",
     "a copy of the peer's first message that arrives after completion (a retransmission the handshake overtook) "
     "ends the session",
     &Quirks::stale_duplicate_ends_session},
    {"unauthenticated-header", "data frames authenticate the payload only, not the 30-byte header",
     &Quirks::unauthenticated_header},
    {"ignore-data-sequence", "data frames are accepted with any sequence number (replays, reordering)",
     &Quirks::ignore_data_sequence},
    {"manager-any-address", "the manager answers 'complete' and 'session id' for any address once one session exists",
     &Quirks::manager_any_address},
    {"manager-no-timeouts", "the manager never expires a pending handshake", &Quirks::manager_no_timeouts},
    {"manager-unbounded", "the manager has no bound on pending handshakes", &Quirks::manager_unbounded},
}};
}  // namespace

std::span<const QuirkInfo> quirk_table() { return kQuirks; }

bool set_quirk(Quirks& q, std::string_view name) {
    for (const QuirkInfo& info : kQuirks) {
        if (info.name == name) {
            q.*(info.flag) = true;
            return true;
        }
    }
    return false;
}

}  // namespace shakedown::stt
