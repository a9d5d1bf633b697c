// The initiator machine under the upstream profile, driven by a fuzzed script of peer actions.
#include "fuzz/shadowmesh/shadowmesh_machine_driver.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::run_machine_script(fuzz::input_view(data, size), Role::initiator, shadowmesh::Profile::upstream);
    return 0;
}
