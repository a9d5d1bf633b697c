#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_hello_validation(Builder& b, const HandshakeBase& /*base_run*/) {
    {
        auto in = base();
        in.initiator.overlay_version = 40;
        in.initiator.overlay_min_version = 40;
        b.add("remote overlayVersion below local minimum", {"VersionMismatch"}, in);
    }
    {
        auto in = base();
        in.initiator.overlay_version = 42;
        in.initiator.overlay_min_version = 43;
        b.add("remote overlayMinVersion above its overlayVersion", {"VersionMismatch"}, in);
    }
    {
        auto in = base();
        in.initiator.overlay_version = 44;
        in.initiator.overlay_min_version = 43;
        b.add("remote overlayMinVersion above local version", {"VersionMismatch"}, in);
    }
    {
        auto in = base();
        in.acceptor.node_seed = in.initiator.node_seed;
        b.add("connecting to self (same node seed)", {"SelfConnection"}, in);
    }
    for (const std::int32_t port : {0, -1, 65536}) {
        auto in = base();
        in.initiator.listening_port = port;
        b.add("listeningPort " + std::to_string(port), {"BadAddress"}, in);
    }
    {
        auto in = base();
        in.acceptor.connected_peers.push_back(public_of(in.initiator.node_seed));
        b.add("initiator's node ID already connected", {"AlreadyConnected"}, in);
    }
    for (const std::int32_t flags : {100, 0, 201}) {
        auto in = base();
        in.initiator.auth_flags = flags;
        b.add("AUTH flags " + std::to_string(flags), {"BadAuthFlags"}, in);
    }
    {
        auto in = base();
        in.acceptor.auth_flags = 100;
        b.add("acceptor sends AUTH flags 100", {"BadAuthFlags"}, in);
    }
}

}  // namespace shakedown::vectors::stellar::cases
