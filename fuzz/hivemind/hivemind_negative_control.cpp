// Negative control: a JSON-HEX decoder with a planted bug (the upstream knob that accepts
// uppercase) under the strict canonical-round-trip invariant. The harness must report it.
#include "fuzz/hivemind/hivemind_fuzz.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    CodecQuirks planted;
    planted.hex_accepts_uppercase = true;
    const auto r = decode(Encoding::hex, hmfuzz::as_text(in), planted);
    if (r) {
        FUZZ_CHECK(encode(Encoding::hex, *r) == hmfuzz::as_text(in));
    }
    return 0;
}
