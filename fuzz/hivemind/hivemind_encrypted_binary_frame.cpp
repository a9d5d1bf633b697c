// Encrypted binary frame nonce || ciphertext || tag: first byte picks the cipher. The split is
// exact (writing it back gives the input) and opening under a fixed key never crashes.
#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "hivemind/channel.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::fuzz::InputCursor cur(fuzz::input_view(data, size));
    const Cipher c = (cur.u8() & 1) != 0 ? Cipher::chacha20_poly1305 : Cipher::aes_gcm;
    const ByteView wire = cur.rest();
    const auto s = parse_binary_frame(wire, c);
    if (!s) {
        FUZZ_CHECK(wire.size() < nonce_size(c) + kTagSize);
        return 0;
    }
    FUZZ_CHECK(write_binary_frame(*s) == Bytes(wire.begin(), wire.end()));
    const Bytes key(32, 0x42);
    const auto r = open(c, key, *s);
    if (r) {
        FUZZ_CHECK(r->size() == s->ciphertext.size());
    }
    return 0;
}
