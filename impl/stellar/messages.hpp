// Stellar overlay handshake messages (Stellar-overlay.x, Stellar-types.x), as plain data.
// Serializers write whatever the struct holds (so tests can build out-of-bound messages);
// parsers enforce every bound.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "common/bytes.hpp"

namespace shakedown::stellar {

enum class MessageType : std::int32_t {
    error_msg = 0,
    auth = 2,
    dont_have = 3,
    peers = 5,
    get_tx_set = 6,
    tx_set = 7,
    transaction = 8,
    get_scp_quorumset = 9,
    scp_quorumset = 10,
    scp_message = 11,
    get_scp_state = 12,
    hello = 13,
    send_more = 16,
    generalized_tx_set = 17,
    flood_advert = 18,
    flood_demand = 19,
    send_more_extended = 20,
    time_sliced_survey_request = 21,
    time_sliced_survey_response = 22,
    time_sliced_survey_start_collecting = 23,
    time_sliced_survey_stop_collecting = 24,
};
[[nodiscard]] std::string_view to_string(MessageType t);
// True for every arm of the StellarMessage union at the pinned commit (4, 14 and 15 were removed).
[[nodiscard]] bool is_known_type(std::int32_t t);

// Stellar-overlay.x ErrorCode.
enum class ErrorCode : std::int32_t { misc = 0, data = 1, conf = 2, auth = 3, load = 4 };
[[nodiscard]] std::string_view to_string(ErrorCode c);

inline constexpr std::size_t kMaxVersionStr = 100;
inline constexpr std::size_t kMaxErrorMsg = 100;
inline constexpr std::size_t kMaxSignature = 64;
inline constexpr std::size_t kMaxPeers = 100;
inline constexpr std::int32_t kAuthFlagFlowControlBytes = 200;  // AUTH_MSG_FLAG_FLOW_CONTROL_BYTES_REQUESTED
inline constexpr std::int32_t kEnvelopeTypeAuth = 3;           // ENVELOPE_TYPE_AUTH
inline constexpr std::int32_t kPublicKeyTypeEd25519 = 0;

struct AuthCert {
    ByteArray<32> pubkey{};  // Curve25519Public
    std::uint64_t expiration = 0;
    Bytes sig;  // Signature<64>
    friend bool operator==(const AuthCert&, const AuthCert&) = default;
};

struct Hello {
    std::uint32_t ledger_version = 0;
    std::uint32_t overlay_version = 0;
    std::uint32_t overlay_min_version = 0;
    ByteArray<32> network_id{};
    std::string version_str;
    std::int32_t listening_port = 0;
    ByteArray<32> peer_id{};  // NodeID, key type ED25519
    AuthCert cert;
    ByteArray<32> nonce{};
    friend bool operator==(const Hello&, const Hello&) = default;
};

struct Auth {
    std::int32_t flags = 0;
    friend bool operator==(const Auth&, const Auth&) = default;
};

struct ErrorMsg {
    ErrorCode code = ErrorCode::misc;
    std::string msg;
    friend bool operator==(const ErrorMsg&, const ErrorMsg&) = default;
};

struct PeerAddress {
    bool ipv6 = false;
    Bytes ip;  // 4 or 16 bytes
    std::uint32_t port = 0;
    std::uint32_t num_failures = 0;
    friend bool operator==(const PeerAddress&, const PeerAddress&) = default;
};

struct Peers {
    std::vector<PeerAddress> peers;  // PeerAddress<100>
    friend bool operator==(const Peers&, const Peers&) = default;
};

struct SendMore {
    std::uint32_t num_messages = 0;
    friend bool operator==(const SendMore&, const SendMore&) = default;
};

struct SendMoreExtended {
    std::uint32_t num_messages = 0;
    std::uint32_t num_bytes = 0;
    friend bool operator==(const SendMoreExtended&, const SendMoreExtended&) = default;
};

struct GetScpState {
    std::uint32_t ledger_seq = 0;
    friend bool operator==(const GetScpState&, const GetScpState&) = default;
};

// A valid StellarMessage arm outside the handshake (transactions, SCP, surveys ...). Its body is
// kept undecoded: the handshake never interprets it (stellar-core drops it before auth).
struct OtherMessage {
    MessageType type = MessageType::transaction;
    Bytes body;
    friend bool operator==(const OtherMessage&, const OtherMessage&) = default;
};

using StellarMessage =
    std::variant<ErrorMsg, Hello, Auth, Peers, SendMore, SendMoreExtended, GetScpState, OtherMessage>;
[[nodiscard]] MessageType type_of(const StellarMessage& m);

struct AuthenticatedMessage {
    std::uint64_t sequence = 0;
    StellarMessage message;
    ByteArray<32> mac{};
    friend bool operator==(const AuthenticatedMessage&, const AuthenticatedMessage&) = default;
};

}  // namespace shakedown::stellar
