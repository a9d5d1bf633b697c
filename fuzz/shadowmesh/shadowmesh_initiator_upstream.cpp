// The initiator machine under the upstream profile,
// driven by the generic state-machine driver next to an honest peer
// (fuzz/shadowmesh/shadowmesh_machine_target.hpp).
#include "fuzz/shadowmesh/shadowmesh_machine_target.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::run_shadowmesh_target(Role::initiator, shadowmesh::Profile::upstream, fuzz::input_view(data, size));
    return 0;
}
