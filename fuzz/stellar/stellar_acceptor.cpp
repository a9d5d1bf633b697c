// The Stellar acceptor state machine (stellar::Handshake, Role::acceptor) fed arbitrary records,
// transport bytes and mutations of an honest initiator's records; the input format and the
// invariants are in fuzz/stellar/stellar_machine_target.hpp.
#include "fuzz/stellar/stellar_machine_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::fuzz::run_stellar_target(shakedown::stellar::Role::acceptor, shakedown::fuzz::input_view(data, size));
    return 0;
}
