// AuthenticatedMessage (Stellar-overlay.x, v0 arm: sequence, StellarMessage, HmacSha256Mac): the
// record body every handshake message travels in. parse_authenticated_message.
#include "fuzz/stellar/stellar_codec_checks.hpp"
#include "stellar/auth.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto r = fuzz::check_codec(in, stellar::parse_authenticated_message);

    // Exactly the inputs laid out as v = 0 (4), sequence (8), a StellarMessage that parses on its
    // own, and a 32-byte MAC are accepted, and they carry that message. The handshake relies on
    // this: it MACs mac_covered_bytes(in) as "the StellarMessage as received".
    bool expected = size >= 4 + 8 + 32;
    if (expected) {
        expected = in[0] == 0 && in[1] == 0 && in[2] == 0 && in[3] == 0;
    }
    if (expected) {
        const auto body = stellar::parse_stellar_message(stellar::mac_covered_bytes(in));
        expected = body.ok();
        if (r && body) {
            FUZZ_CHECK(r->message == *body);
        }
    }
    FUZZ_CHECK(r.ok() == expected);
    if (r) {
        const ByteView mac = in.last(32);
        FUZZ_CHECK(std::equal(mac.begin(), mac.end(), r->mac.begin(), r->mac.end()));
    }
    return 0;
}
