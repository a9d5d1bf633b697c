// The STT initiator of the fixed pair under the generic state-machine driver, next to an honest peer
// (fuzz/stt/stt_machine_target.hpp).
#include "fuzz/stt/stt_machine_target.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    stt::fuzz::run_stt_target(Role::initiator, fuzz::input_view(data, size));
    return 0;
}
