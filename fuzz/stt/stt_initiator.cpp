// STT initiator of the fixed pair, fed a sequence of datagrams (u16be length + bytes each).
#include "fuzz/stt/stt_driver.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FixedClock clock(stt::fuzz::kNow);
    SeededRng rng(stt::fuzz::rng_seed(Role::initiator));
    stt::Handshake m(stt::fuzz::config(Role::initiator), rng, clock);
    stt::fuzz::drive(m, stt::fuzz::split(fuzz::input_view(data, size)));
    return 0;
}
