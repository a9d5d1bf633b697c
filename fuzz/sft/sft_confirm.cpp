// H3/H4 (upstream-v2 key confirmation): parse_confirm, strict and canonical.
#include "fuzz/sft/sft_fuzz.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)fuzz::check_sft_codec(fuzz::input_view(data, size), sft::parse_confirm);
    return 0;
}
