#include "stellar/quirks.hpp"

#include <array>

namespace shakedown::stellar {

namespace {
const std::array<QuirkInfo, 19> kQuirks = {{
    {"skip-mac-check", "accepts any MAC on authenticated messages", &Quirks::skip_mac_check},
    {"ignore-sequence", "accepts any sequence number on authenticated messages", &Quirks::ignore_sequence},
    {"accept-expired-cert", "accepts an AuthCert whose expiration is in the past", &Quirks::accept_expired_cert},
    {"skip-cert-signature", "does not verify the AuthCert signature (any peerID, any network)",
     &Quirks::skip_cert_signature},
    {"sender-view-mac-keys", "derives MAC keys with the prefix chosen by direction, not by role (seed reading)",
     &Quirks::sender_view_mac_keys},
    {"accept-low-order-keys", "completes ECDH with a zero or low-order X25519 key (all-zero shared secret)",
     &Quirks::accept_low_order_keys},
    {"ignore-network-id", "does not compare the HELLO networkID with its own", &Quirks::ignore_network_id},
    {"allow-self-connection", "does not reject a HELLO carrying its own peerID", &Quirks::allow_self_connection},
    {"accept-any-auth-flags", "accepts AUTH flags other than 200", &Quirks::accept_any_auth_flags},
    {"send-legacy-auth-flags", "sends AUTH with the old flags value 100", &Quirks::send_legacy_auth_flags},
    {"answer-before-validating", "answers a HELLO (acceptor: HELLO, initiator: AUTH) before verifying its cert",
     &Quirks::answer_before_validating},
    {"omit-last-fragment-bit",
     "treats the record mark as a plain length: sends records without bit 31 and does not clear it when reading",
     &Quirks::omit_last_fragment_bit},
    {"no-unauth-size-limit", "accepts records over 4096 bytes before authentication", &Quirks::no_unauth_size_limit},
    {"accept-second-hello", "processes a second HELLO instead of dropping the connection",
     &Quirks::accept_second_hello},
    {"skip-version-check", "does not check overlay version compatibility", &Quirks::skip_version_check},
    {"accept-messages-before-auth", "accepts non-handshake messages before authentication completes",
     &Quirks::accept_messages_before_auth},
    {"accept-trailing-bytes", "decodes a record whose XDR is followed by extra bytes, ignoring them",
     &Quirks::accept_trailing_bytes},
    {"reuse-nonce", "derives its nonce and X25519 key from the node seed, so both repeat on every connection",
     &Quirks::reuse_nonce},
    {"no-idle-timeout", "never drops a handshake that stalls (no 2 s idle timeout)", &Quirks::no_idle_timeout},
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

}  // namespace shakedown::stellar
