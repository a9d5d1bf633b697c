// SFT profiles and protocol constants (docs/protocols/sft.md §1, §7).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace shakedown::sft {

// upstream_v2: the deployed code, client first, u32be-prefixed handshake fields, server signs.
// described: the published design, server first, fixed-size messages, client signs.
enum class Profile : std::uint8_t { upstream_v2, described };
[[nodiscard]] std::string_view to_string(Profile p) noexcept;
[[nodiscard]] std::optional<Profile> profile_from_string(std::string_view s) noexcept;

inline constexpr std::uint32_t kPbkdf2Iterations = 600000;
inline constexpr std::size_t kDerivedKeyLen = 64;
inline constexpr std::size_t kHeaderLen = 65;
inline constexpr std::size_t kAadLen = 49;
inline constexpr std::uint32_t kRecordVersion = 2;
inline constexpr std::uint32_t kMaxPacketSize = 10485760;
inline constexpr std::uint64_t kMaxFileSize = 10ULL * 1024 * 1024 * 1024;
inline constexpr std::size_t kChunkSize = 4096;
inline constexpr std::uint32_t kHandshakeDeadlineSeconds = 30;
inline constexpr std::uint32_t kIdleTimeoutSeconds = 60;
// A server's budget of unauthenticated key derivations (KdfThrottle), and the connections it
// admits from one address, per window (docs/protocols/sft.md §7).
inline constexpr std::size_t kKdfBudget = 10;
inline constexpr std::uint64_t kKdfWindowSeconds = 60;
// Connections a server serves at once.
inline constexpr std::size_t kMaxConcurrentConnections = 50;
inline constexpr std::size_t kJsonRateLimit = 100;
inline constexpr std::uint64_t kJsonRateWindowSeconds = 60;
inline constexpr std::size_t kMessageHashCache = 1000;
inline constexpr std::size_t kReplayWindow = 10000;
inline constexpr std::int64_t kMaxSeqJump = 100;
inline constexpr std::int64_t kTimestampSkewSeconds = 300;
inline constexpr std::size_t kCachedOldKeys = 3;
inline constexpr std::string_view kJsonVersion = "2.0.1";
inline constexpr std::string_view kUpstreamSalt = "secure_transfer_v2_ecdh";
inline constexpr std::string_view kAuthOk = "AUTH_OK";

}  // namespace shakedown::sft
