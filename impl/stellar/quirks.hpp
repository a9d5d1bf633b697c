// Named misbehaviours of the reference peer (in the manner of BoGo's ProtocolBugs). Each one is a
// realistic implementation bug; the conformance catalogue must catch every one of them. All off by
// default; the reference never enables one on its own.
#pragma once

#include <span>
#include <string_view>

namespace shakedown::stellar {

struct Quirks {
    bool skip_mac_check = false;
    bool ignore_sequence = false;
    bool accept_expired_cert = false;
    bool skip_cert_signature = false;
    bool sender_view_mac_keys = false;
    bool accept_low_order_keys = false;
    bool ignore_network_id = false;
    bool allow_self_connection = false;
    bool accept_any_auth_flags = false;
    bool send_legacy_auth_flags = false;
    bool answer_before_validating = false;
    bool omit_last_fragment_bit = false;
    bool no_unauth_size_limit = false;
    bool accept_second_hello = false;
    bool skip_version_check = false;
    bool accept_messages_before_auth = false;
    bool accept_trailing_bytes = false;
    bool reuse_nonce = false;
    bool no_idle_timeout = false;
};

struct QuirkInfo {
    std::string_view name;
    std::string_view description;
    bool Quirks::*flag;
};

[[nodiscard]] std::span<const QuirkInfo> quirk_table();
// Sets the named quirk; false if no quirk has that name.
[[nodiscard]] bool set_quirk(Quirks& q, std::string_view name);

}  // namespace shakedown::stellar
