// The known-answer inputs of docs/protocols/shadowmesh.md §9 (the only values in these tests not
// produced by this project), and a driver that plays both machines in step.
#pragma once

#include <memory>

#include "shadowmesh/clock.hpp"
#include "shadowmesh/keys.hpp"
#include "shadowmesh/rehandshake.hpp"

namespace shakedown::shadowmesh::test {

inline Bytes hex(std::string_view h) {
    return from_hex(h).value_or(Bytes{});
}
template <std::size_t N>
Bytes bytes_of(const ByteArray<N>& a) {
    return Bytes(a.begin(), a.end());
}

inline constexpr std::uint64_t kT1 = 1762230765000;  // 0x0000019a4d2385c8

inline SessionId kat_sid() {
    return counting_bytes<16>(0x01);
}
inline Challenge kat_c_i() {
    return counting_bytes<32>(0xa0);
}
inline Challenge kat_c_r() {
    return counting_bytes<32>(0xc0);
}
// A = responder, B = initiator; B.TX = A.RX, B.RX = A.TX.
inline SessionKeys responder_keys() {
    return SessionKeys{kat_sid(), Secret<32>(counting_bytes<32>(0x01)), Secret<32>(counting_bytes<32>(0x21))};
}
inline SessionKeys initiator_keys() {
    return SessionKeys{kat_sid(), Secret<32>(counting_bytes<32>(0x21)), Secret<32>(counting_bytes<32>(0x01))};
}

inline constexpr std::string_view kReqHex =
    "01300000000000380102030405060708090a0b0c0d0e0f10a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "0000019a4d2385c8";
inline constexpr std::string_view kRespHex =
    "01310000000000580102030405060708090a0b0c0d0e0f10999b1c04cadbeec1464d5f3b7498f0433bdc05e31c60f9e09a0ba256da941073"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf0000019a4d2385c9";
inline constexpr std::string_view kCompHex =
    "01320000000000380102030405060708090a0b0c0d0e0f105d214b81f986b34c29dab0c2eee17db1a075540ad14be7ac52100cef46d46805"
    "0000019a4d2385ca";
inline constexpr std::string_view kX8AltHex = "13f615f05eb6b542c8081a7f4e24f256aec3db632f5dab673ec2822e4ef960f3";

// Two machines with their own clocks and scripted challenges.
struct Pair {
    FixedMillisClock clock_i{kT1};
    FixedMillisClock clock_r{kT1};
    ScriptedRng rng_i;
    ScriptedRng rng_r;
    std::unique_ptr<Rehandshake> initiator;
    std::unique_ptr<Rehandshake> responder;

    Pair(Profile p, const Challenge& c_i, const Challenge& c_r, Quirks qi = {}, Quirks qr = {})
        : rng_i(Bytes(c_i.begin(), c_i.end())), rng_r(Bytes(c_r.begin(), c_r.end())) {
        Config ci{Role::initiator, p, initiator_keys(), nullptr, qi};
        Config cr{Role::acceptor, p, responder_keys(), nullptr, qr};
        initiator = std::make_unique<Rehandshake>(std::move(ci), rng_i, clock_i);
        responder = std::make_unique<Rehandshake>(std::move(cr), rng_r, clock_r);
    }
};

}  // namespace shakedown::shadowmesh::test
