// H1 (upstream-v2 client hello): parse_h1, strict and canonical.
#include "fuzz/sft/sft_fuzz.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)fuzz::check_sft_codec(fuzz::input_view(data, size), sft::parse_h1);
    return 0;
}
