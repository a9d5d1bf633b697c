// Negative control (s2n-tls tests/fuzz/*_negative_test.c): the initiator state machine with a planted
// bug, under the same driver and invariants as stellar_initiator: it ignores the sequence number of authenticated messages
// (quirk ignore_sequence). The fuzzer must find an input that trips an invariant; ci/fuzz.sh reports
// its time to find, and the test fuzz_negative.stellar_initiator_negative_sequence replays a committed
// input that does.
#include "fuzz/stellar/stellar_machine_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::stellar::Quirks planted;
    planted.ignore_sequence = true;
    shakedown::fuzz::run_stellar_target(shakedown::stellar::Role::initiator, shakedown::fuzz::input_view(data, size),
                                          planted);
    return 0;
}
