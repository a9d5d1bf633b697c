// The handshake messages of both profiles (docs/protocols/sft.md §3). Strict parsers: every
// upstream-v2 length prefix must carry exactly the size of its field, described messages have
// exactly their fixed size, and nothing may follow.
#pragma once

#include <array>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown::sft {

// upstream-v2, client -> server.
struct H1 {
    ByteArray<32> client_eph{};
    friend bool operator==(const H1&, const H1&) = default;
};
// upstream-v2, server -> client.
struct H2 {
    ByteArray<32> server_eph{};
    ByteArray<32> server_id{};
    ByteArray<64> sig{};
    friend bool operator==(const H2&, const H2&) = default;
};
// upstream-v2 key confirmation, H3 (client -> server) and H4 (server -> client): one u32be-prefixed
// field holding nonce(12) || tag(16) || ciphertext of "AUTH_OK" (7).
struct Confirm {
    ByteArray<12> nonce{};
    ByteArray<16> tag{};
    ByteArray<7> ciphertext{};
    friend bool operator==(const Confirm&, const Confirm&) = default;
};
// described, server -> client: server_eph || server_id.
struct D1 {
    ByteArray<32> server_eph{};
    ByteArray<32> server_id{};
    friend bool operator==(const D1&, const D1&) = default;
};
// described, client -> server: client_eph || sig.
struct D2 {
    ByteArray<32> client_eph{};
    ByteArray<64> sig{};
    friend bool operator==(const D2&, const D2&) = default;
};

inline constexpr std::size_t kH1Len = 36;
inline constexpr std::size_t kH2Len = 140;
inline constexpr std::size_t kConfirmLen = 39;
inline constexpr std::size_t kConfirmPayloadLen = 35;
inline constexpr std::size_t kD1Len = 64;
inline constexpr std::size_t kD2Len = 96;

// The field sizes each upstream-v2 message's prefixes must announce, in order.
inline constexpr std::array<std::uint32_t, 1> kH1Fields = {32};
inline constexpr std::array<std::uint32_t, 3> kH2Fields = {32, 32, 64};
inline constexpr std::array<std::uint32_t, 1> kConfirmFields = {35};

[[nodiscard]] Bytes serialize(const H1& m);
[[nodiscard]] Bytes serialize(const H2& m);
[[nodiscard]] Bytes serialize(const Confirm& m);
[[nodiscard]] Bytes serialize(const D1& m);
[[nodiscard]] Bytes serialize(const D2& m);

[[nodiscard]] Result<H1> parse_h1(ByteView b);
[[nodiscard]] Result<H2> parse_h2(ByteView b);
[[nodiscard]] Result<Confirm> parse_confirm(ByteView b);
// The 35-byte payload of H3/H4 without its prefix.
[[nodiscard]] Result<Confirm> parse_confirm_payload(ByteView payload, std::size_t base_offset = 0);
[[nodiscard]] Result<D1> parse_d1(ByteView b);
[[nodiscard]] Result<D2> parse_d2(ByteView b);

}  // namespace shakedown::sft
