// AUTH body (Stellar-overlay.x `struct Auth { int flags; }`): parse_auth.
#include "fuzz/stellar/stellar_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto r = fuzz::check_codec(in, stellar::parse_auth);
    // One int32 and nothing else: every flags value decodes (its meaning is the handshake's
    // business, not the codec's), every other length fails where the XDR runs out or overruns.
    FUZZ_CHECK(r.ok() == (size == 4));
    if (size < 4) {
        FUZZ_CHECK(r.error() == Error::truncated && r.failure().offset == size);
    } else if (size > 4) {
        FUZZ_CHECK(r.error() == Error::trailing_bytes && r.failure().offset == 4);
    }
    fuzz::check_same_as_union_arm(in, stellar::MessageType::auth, r);
    return 0;
}
