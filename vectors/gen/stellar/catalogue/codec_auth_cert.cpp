#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_auth_cert(CodecBuilder& cb, const CodecBase& base_run) {
    const Hello& hello = base_run.hello;
    Json& g = cb.group("AuthCert", "AuthCert { Curve25519Public pubkey; uint64 expiration; Signature sig<64> }");
    const Bytes cert = serialize(hello.cert);
    cb.valid(g, "initiator's cert", {"Valid"}, cert, parse_auth_cert(cert), to_json(hello.cert));
    AuthCert empty = hello.cert;
    empty.sig.clear();
    empty.expiration = UINT64_MAX;
    cb.valid(g, "empty signature, expiration 2^64-1", {"EdgeCaseValid"}, serialize(empty),
             parse_auth_cert(serialize(empty)), to_json(empty));
    AuthCert odd = hello.cert;
    odd.sig.resize(61, 0x11);
    cb.valid(g, "61-byte signature with zero padding", {"EdgeCaseValid"}, serialize(odd),
             parse_auth_cert(serialize(odd)), to_json(odd));
    const Bytes odd_bad = with(serialize(odd), serialize(odd).size() - 1, 1);
    cb.invalid(g, "61-byte signature, last padding byte 1", {"NonZeroPadding"}, odd_bad, parse_auth_cert(odd_bad),
               Error::bad_padding);
    AuthCert big = hello.cert;
    big.sig.resize(65, 0x22);
    cb.invalid(g, "65-byte signature", {"StringOverBound"}, serialize(big), parse_auth_cert(serialize(big)),
               Error::bad_length);
    big.sig.clear();
    Bytes huge = serialize(big);
    huge[40] = 0xff;
    huge[41] = 0xff;
    huge[42] = 0xff;
    huge[43] = 0xff;
    cb.invalid(g, "signature length 2^32-1", {"StringOverBound"}, huge, parse_auth_cert(huge), Error::bad_length);
    for (const std::size_t cut : {0UL, 31UL, 39UL, 43UL, 100UL}) {
        const Bytes t(cert.begin(), cert.begin() + static_cast<std::ptrdiff_t>(cut));
        cb.invalid(g, "cut at byte " + std::to_string(cut), {"Truncated"}, t, parse_auth_cert(t), Error::truncated);
    }
    cb.invalid(g, "trailing zero word", {"TrailingBytes"}, cat(cert, Bytes(4, 0)),
               parse_auth_cert(cat(cert, Bytes(4, 0))), Error::trailing_bytes);
}

}  // namespace shakedown::vectors::stellar::cases
