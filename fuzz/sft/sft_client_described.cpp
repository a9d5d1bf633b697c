// The SFT client machine, profile described, under the generic state-machine driver next to an honest
// peer (run_sft_target in sft_fuzz.hpp).
#include "fuzz/sft/sft_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::fuzz::run_sft_target(shakedown::Role::initiator, shakedown::sft::Profile::described,
                                    shakedown::fuzz::input_view(data, size));
    return 0;
}
