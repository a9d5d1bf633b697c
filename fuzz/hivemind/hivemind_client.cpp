// The client machine under the generic state-machine driver, next to an honest peer (layout and
// invariants in hivemind_machine_target.hpp).
#include "fuzz/hivemind/hivemind_machine_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::hivemind::hmfuzz::run_hivemind_target(shakedown::Role::initiator, shakedown::fuzz::input_view(data, size));
    return 0;
}
