#include "shadowmesh/quirks.hpp"

#include <array>

namespace shakedown::shadowmesh {

namespace {
const std::array<QuirkInfo, 13> kQuirks = {{
    {"mac-wrong-key", "computes challenge MACs with its RX key and verifies them with its TX key",
     &Quirks::mac_wrong_key, false},
    {"complete-mac-rx-key",
     "follows the COMPLETE field comment: the initiator MACs c_R with RX_I, the responder verifies with TX_R",
     &Quirks::complete_mac_rx_key, false},
    {"mac-over-session-id", "MACs sid || challenge instead of the bare 32-byte challenge",
     &Quirks::mac_over_session_id, false},
    {"no-mac-check", "accepts any ChallengeResponse", &Quirks::no_mac_check, false},
    {"mac-compare-16", "compares only the first 16 bytes of a received ChallengeResponse", &Quirks::mac_compare_16,
     false},
    {"no-session-id-check", "does not compare the received SessionID with its own", &Quirks::no_session_id_check,
     false},
    {"skew-in-seconds", "sends timestamps in Unix seconds and checks received ones as seconds (window 30)",
     &Quirks::timestamps_in_seconds, false},
    {"no-timestamp-check", "accepts any timestamp", &Quirks::no_timestamp_check, false},
    {"no-deadline", "never aborts a stalled exchange (no 5 s deadline)", &Quirks::no_deadline, false},
    {"no-replay-cache", "responder answers a REQUEST whose challenge it has already answered within the window",
     &Quirks::no_replay_cache, true},
    {"accept-after-done", "ignores REHANDSHAKE messages received after DONE instead of closing",
     &Quirks::accept_after_done, false},
    {"ignore-wrong-message", "drops a decodable message of the wrong type mid-exchange instead of aborting",
     &Quirks::ignore_wrong_message, false},
    {"lenient-codec", "decodes like the deployed code in strict: longer Length, trailing bytes, any Flags",
     &Quirks::lenient_codec, true},
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

}  // namespace shakedown::shadowmesh
