// RapidCheck generators for Stellar messages within their XDR bounds.
#pragma once

#include <rapidcheck.h>

#include "stellar/messages.hpp"

namespace rc {

template <std::size_t N>
struct Arbitrary<std::array<std::uint8_t, N>> {
    static Gen<std::array<std::uint8_t, N>> arbitrary() {
        return gen::map(gen::container<std::vector<std::uint8_t>>(N, gen::arbitrary<std::uint8_t>()),
                        [](const std::vector<std::uint8_t>& v) {
                            std::array<std::uint8_t, N> a{};
                            std::copy(v.begin(), v.end(), a.begin());
                            return a;
                        });
    }
};

inline Gen<std::string> bounded_string(std::size_t max) {
    return gen::mapcat(gen::inRange<std::size_t>(0, max + 1), [](std::size_t n) {
        return gen::container<std::string>(n, gen::arbitrary<char>());
    });
}

inline Gen<std::vector<std::uint8_t>> bounded_bytes(std::size_t max) {
    return gen::mapcat(gen::inRange<std::size_t>(0, max + 1), [](std::size_t n) {
        return gen::container<std::vector<std::uint8_t>>(n, gen::arbitrary<std::uint8_t>());
    });
}

template <>
struct Arbitrary<shakedown::stellar::AuthCert> {
    static Gen<shakedown::stellar::AuthCert> arbitrary() {
        return gen::build<shakedown::stellar::AuthCert>(
            gen::set(&shakedown::stellar::AuthCert::pubkey), gen::set(&shakedown::stellar::AuthCert::expiration),
            gen::set(&shakedown::stellar::AuthCert::sig, bounded_bytes(shakedown::stellar::kMaxSignature)));
    }
};

template <>
struct Arbitrary<shakedown::stellar::Hello> {
    static Gen<shakedown::stellar::Hello> arbitrary() {
        using shakedown::stellar::Hello;
        return gen::build<Hello>(gen::set(&Hello::ledger_version), gen::set(&Hello::overlay_version),
                                 gen::set(&Hello::overlay_min_version), gen::set(&Hello::network_id),
                                 gen::set(&Hello::version_str, bounded_string(shakedown::stellar::kMaxVersionStr)),
                                 gen::set(&Hello::listening_port), gen::set(&Hello::peer_id), gen::set(&Hello::cert),
                                 gen::set(&Hello::nonce));
    }
};

template <>
struct Arbitrary<shakedown::stellar::ErrorMsg> {
    static Gen<shakedown::stellar::ErrorMsg> arbitrary() {
        using shakedown::stellar::ErrorCode;
        using shakedown::stellar::ErrorMsg;
        return gen::build<ErrorMsg>(
            gen::set(&ErrorMsg::code, gen::map(gen::inRange(0, 5), [](int c) { return static_cast<ErrorCode>(c); })),
            gen::set(&ErrorMsg::msg, bounded_string(shakedown::stellar::kMaxErrorMsg)));
    }
};

template <>
struct Arbitrary<shakedown::stellar::PeerAddress> {
    static Gen<shakedown::stellar::PeerAddress> arbitrary() {
        using shakedown::stellar::PeerAddress;
        return gen::mapcat(gen::arbitrary<bool>(), [](bool v6) {
            return gen::build<PeerAddress>(
                gen::set(&PeerAddress::ipv6, gen::just(v6)),
                gen::set(&PeerAddress::ip,
                         gen::container<std::vector<std::uint8_t>>(v6 ? 16 : 4, gen::arbitrary<std::uint8_t>())),
                gen::set(&PeerAddress::port), gen::set(&PeerAddress::num_failures));
        });
    }
};

template <>
struct Arbitrary<shakedown::stellar::StellarMessage> {
    static Gen<shakedown::stellar::StellarMessage> arbitrary() {
        namespace ss = shakedown::stellar;
        return gen::oneOf(
            gen::cast<ss::StellarMessage>(gen::arbitrary<ss::Hello>()), gen::cast<ss::StellarMessage>(gen::arbitrary<ss::ErrorMsg>()),
            gen::map(gen::arbitrary<std::int32_t>(), [](std::int32_t f) { return ss::StellarMessage{ss::Auth{f}}; }),
            gen::map(gen::container<std::vector<ss::PeerAddress>>(gen::arbitrary<ss::PeerAddress>()),
                     [](std::vector<ss::PeerAddress> p) {
                         p.resize(std::min<std::size_t>(p.size(), ss::kMaxPeers));
                         return ss::StellarMessage{ss::Peers{std::move(p)}};
                     }),
            gen::map(gen::arbitrary<std::uint32_t>(), [](std::uint32_t n) { return ss::StellarMessage{ss::SendMore{n}}; }),
            gen::map(gen::pair(gen::arbitrary<std::uint32_t>(), gen::arbitrary<std::uint32_t>()),
                     [](std::pair<std::uint32_t, std::uint32_t> p) {
                         return ss::StellarMessage{ss::SendMoreExtended{p.first, p.second}};
                     }),
            gen::map(gen::arbitrary<std::uint32_t>(), [](std::uint32_t n) { return ss::StellarMessage{ss::GetScpState{n}}; }),
            gen::map(bounded_bytes(64), [](std::vector<std::uint8_t> b) {
                return ss::StellarMessage{ss::OtherMessage{ss::MessageType::scp_message, std::move(b)}};
            }));
    }
};

}  // namespace rc
