// The 65-byte record header: parse_record_header (V8 magic, V9 length), canonical.
#include "fuzz/sft/sft_fuzz.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto r = fuzz::check_sft_codec(fuzz::input_view(data, size), sft::parse_record_header);
    if (r) {
        FUZZ_CHECK(r->magic == sft::kMagic);
        FUZZ_CHECK(r->payload_len > 0 && r->payload_len <= sft::kMaxPacketSize);
    }
    return 0;
}
