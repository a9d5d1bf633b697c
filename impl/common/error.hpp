// Protocol-meaningful error values shared by every variant. Vectors and conformance grades name
// errors by these values (their snake_case spelling), never by message text.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace shakedown {

enum class Error : std::uint8_t {
    // Codec
    truncated,        // input ended inside a field
    trailing_bytes,   // bytes left after a complete message
    bad_length,       // a length field out of its bounds (including zero where forbidden)
    bad_padding,      // non-zero padding bytes
    unknown_type,     // unknown tag, enum value or union arm
    oversize,         // input larger than the protocol allows
    non_canonical,    // a value with more than one encoding, in a form the reference never emits
    decode_error,     // any other malformed input
    // Handshake
    unexpected_message,  // a message the state machine does not accept now
    bad_mac,
    bad_signature,
    bad_sequence,
    weak_key,            // zero or low-order public key, all-zero shared secret
    expired,             // certificate or credential past its expiry
    stale_timestamp,
    future_timestamp,
    replay,
    wrong_network,
    wrong_version,
    self_connection,
    bad_flags,
    bad_address,
    already_connected,
    bad_credentials,     // wrong password, seed or pre-shared key
    peer_error,          // the peer sent an ERROR message
    timeout,
    // Facade and API misuse
    crypto_failure,
    invalid_argument,
    // Appended: values keep their numbers.
    unknown_session,     // a session identifier this side does not hold
    peer_closed,         // the transport ended (end of stream or reset); peer_error is an ERROR message
    rate_limited,        // more messages, connections or key derivations than the window allows
    untrusted_identity,  // a well-formed identity key that is not the pinned or provisioned one
    duplicate_key,       // a JSON object names the same key twice
    wrong_type,          // a JSON value of the wrong type for its field
    bad_utf8,            // invalid UTF-8 or a lone surrogate in text
    negotiation_failed,  // no common algorithm, or a choice the offer did not allow
    // kErrorCount follows the last value.
};

inline constexpr std::size_t kErrorCount = static_cast<std::size_t>(Error::negotiation_failed) + 1;

[[nodiscard]] std::string_view to_string(Error e) noexcept;
[[nodiscard]] std::optional<Error> error_from_string(std::string_view name) noexcept;

}  // namespace shakedown
