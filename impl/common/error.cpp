#include "common/error.hpp"

#include <array>

namespace shakedown {
namespace {
constexpr std::array<std::string_view, kErrorCount> kNames = {
    "truncated",       "trailing_bytes",   "bad_length",       "bad_padding",
    "unknown_type",    "oversize",         "non_canonical",    "decode_error",
    "unexpected_message", "bad_mac",       "bad_signature",    "bad_sequence",
    "weak_key",        "expired",          "stale_timestamp",  "future_timestamp",
    "replay",          "wrong_network",    "wrong_version",    "self_connection",
    "bad_flags",       "bad_address",      "already_connected", "bad_credentials",
    "peer_error",      "timeout",          "crypto_failure",   "invalid_argument",
    "unknown_session",
    "peer_closed",
    "rate_limited",    "untrusted_identity",
    "duplicate_key",   "wrong_type",       "bad_utf8",         "negotiation_failed",
};
}  // namespace

std::string_view to_string(Error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < kNames.size() ? kNames[i] : std::string_view{"unknown_error"};
}

std::optional<Error> error_from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == name) {
            return static_cast<Error>(i);
        }
    }
    return std::nullopt;
}

}  // namespace shakedown
