// AuthCert (Stellar-overlay.x `struct AuthCert { Curve25519Public pubkey; uint64 expiration;
// Signature sig; }`): parse_auth_cert, standalone and as the field of a HELLO.
#include "fuzz/stellar/stellar_codec_checks.hpp"

using namespace shakedown;

namespace {

// A HELLO whose fields before the cert are fixed and valid (empty versionStr), so that the cert
// starts at a known offset.
Bytes hello_prefix() {
    stellar::Hello h;
    Bytes full = stellar::serialize(h);
    // Fixed part: 3 u32, networkID, empty string (length word), port, NodeID type and key.
    constexpr std::size_t kBeforeCert = 12 + 32 + 4 + 4 + 4 + 32;
    full.resize(kBeforeCert);
    return full;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Bytes prefix = hello_prefix();
    const ByteView in = fuzz::input_view(data, size);
    const auto r = fuzz::check_codec(in, stellar::parse_auth_cert);
    if (r) {
        FUZZ_CHECK(r->sig.size() <= stellar::kMaxSignature);
    }

    // The HELLO parser reads the cert with the same code: accepted alone means accepted inside a
    // HELLO (followed by a nonce), and a rejection inside the cert's own bytes is the same error at
    // the same place. Truncation and trailing bytes alone say nothing here: inside a HELLO the
    // nonce follows the cert.
    Bytes hello = prefix;
    hello.insert(hello.end(), in.begin(), in.end());
    hello.insert(hello.end(), 32, 0);
    const auto h = stellar::parse_hello(hello);
    if (r) {
        FUZZ_CHECK(h.ok());
        FUZZ_CHECK(h->cert == *r);
    } else if (r.error() != Error::truncated && r.error() != Error::trailing_bytes) {
        FUZZ_CHECK(!h.ok());
        FUZZ_CHECK(h.error() == r.error());
        FUZZ_CHECK(h.failure().offset == prefix.size() + r.failure().offset);
    }
    return 0;
}
