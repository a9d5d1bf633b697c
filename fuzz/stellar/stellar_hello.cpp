// HELLO body (Stellar-overlay.x `struct Hello`): parse_hello.
#include "fuzz/stellar/stellar_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto r = fuzz::check_codec(in, stellar::parse_hello);
    if (r) {
        FUZZ_CHECK(r->version_str.size() <= stellar::kMaxVersionStr);
        FUZZ_CHECK(r->cert.sig.size() <= stellar::kMaxSignature);
        // The embedded AuthCert is the same structure its own parser reads.
        const auto cert = stellar::parse_auth_cert(stellar::serialize(r->cert));
        FUZZ_CHECK(cert.ok() && *cert == r->cert);
    }
    fuzz::check_same_as_union_arm(in, stellar::MessageType::hello, r);
    return 0;
}
