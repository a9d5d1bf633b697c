// The SFT client machine, profile described: handshake from raw bytes, or an established session fed raw,
// sealed JSON and sealed DATA records (see run_machine_target).
#include "fuzz/sft/sft_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return shakedown::fuzz::run_machine_target(shakedown::Role::initiator, shakedown::sft::Profile::described,
                                               shakedown::fuzz::input_view(data, size));
}
