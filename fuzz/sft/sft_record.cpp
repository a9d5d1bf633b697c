// A whole record on the decrypt path (V8..V13) under the fixed known-answer key: an accepted
// record re-seals to the same bytes (same nonce, type, offset), and any rejection is located
// inside the input.
#include "fuzz/sft/sft_fuzz.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto& key = fuzz::kat_record_key();
    const auto r = sft::open_record(key, in);
    if (r) {
        const Bytes again = sft::seal_record(key, r->type, r->header.offset, r->header.nonce, r->plaintext);
        FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.end()));
    } else {
        FUZZ_CHECK(r.failure().offset != kNoOffset && r.failure().offset <= in.size());
        // Header failures agree with the header parser.
        if (in.size() >= sft::kHeaderLen) {
            const auto h = sft::parse_record_header(in.first(sft::kHeaderLen));
            FUZZ_CHECK(h.ok() || h.failure() == r.failure());
        }
    }
    return 0;
}
