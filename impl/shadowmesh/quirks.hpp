// Named misbehaviours of the ShadowMesh reference (in the manner of BoGo's ProtocolBugs): each is a
// plausible implementation bug the conformance catalogue must catch. All off by default; the
// reference never enables one on its own. The `upstream` profile's decoder leniencies are not
// knobs: that profile reproduces them on purpose (docs/protocols/shadowmesh.md §6, §10).
#pragma once

#include <span>
#include <string_view>

namespace shakedown::shadowmesh {

struct Quirks {
    bool mac_wrong_key = false;           // MACs with RX and verifies with TX (both directions)
    bool complete_mac_rx_key = false;     // COMPLETE MACed with RX_I / verified with TX_R (types.go comment)
    bool mac_over_session_id = false;     // MAC input sid || challenge instead of the bare challenge
    bool no_mac_check = false;            // accepts any ChallengeResponse
    bool mac_compare_16 = false;          // compares only the first 16 bytes of the MAC
    bool no_session_id_check = false;     // does not compare the SessionID with its own
    bool timestamps_in_seconds = false;   // sends Unix seconds; checks received ones as seconds
    bool no_timestamp_check = false;      // accepts any timestamp
    bool no_deadline = false;             // never gives up on a stalled exchange
    bool no_replay_cache = false;         // strict responder without the challenge cache
    bool accept_after_done = false;       // ignores re-handshake messages after DONE
    bool ignore_wrong_message = false;    // drops a message of the wrong type instead of aborting
    bool lenient_codec = false;           // strict profile decoding like upstream (Length, trailing, Flags)
};

struct QuirkInfo {
    std::string_view name;
    std::string_view description;
    bool Quirks::*flag;
    bool strict_only;  // meaningful only under the strict profile
};

[[nodiscard]] std::span<const QuirkInfo> quirk_table();
// Sets the named quirk; false if no quirk has that name.
[[nodiscard]] bool set_quirk(Quirks& q, std::string_view name);

}  // namespace shakedown::shadowmesh
