// Encrypted text frame {"ciphertext", "tag", "nonce"}: first byte picks the encoding, the rest is
// the frame. What parses re-writes (in the canonical layout) and parses back to the same fields.
#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "hivemind/channel.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::fuzz::InputCursor cur(fuzz::input_view(data, size));
    const Encoding e = all_encodings()[cur.u8() % kEncodingCount];
    const ByteView text = cur.rest();
    const auto s = parse_json_frame(text, e);
    if (!s) {
        hmfuzz::check_offset(s.failure(), text.size());
        return 0;
    }
    const std::string again = write_json_frame(*s, e);
    const auto back = parse_json_frame(as_bytes(again), e);
    FUZZ_CHECK(back.ok() && *back == *s);
    // Either cipher rejects a frame it was not made for without crashing.
    const Bytes key(32, 0x42);
    for (const Cipher c : {Cipher::aes_gcm, Cipher::chacha20_poly1305}) {
        const auto r = open(c, key, *s);
        FUZZ_CHECK(!r.ok() || s->nonce.size() == nonce_size(c));
    }
    return 0;
}
