// Strict urlsafe_b64 field decoder (docs/protocols/hivemind.md, "Field encodings").
#include "fuzz/hivemind/hivemind_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::hivemind::hmfuzz::check_decoder(shakedown::hivemind::Encoding::urlsafe_b64,
                                             shakedown::hivemind::hmfuzz::input_view(data, size));
    return 0;
}
