// The server machine under arbitrary peer units (layout in hivemind_machine_driver.hpp).
#include "fuzz/hivemind/hivemind_machine_driver.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::hivemind::hmfuzz::drive(shakedown::Role::acceptor, shakedown::fuzz::input_view(data, size));
    return 0;
}
