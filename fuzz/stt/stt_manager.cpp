// STT HandshakeManager (responder side) fed datagrams from several addresses: each record is one
// address byte (8 addresses; 0xff advances the clock one second and expires), then a u16be length
// and the datagram. Invariants: pending never exceeds the bound; "complete" and "session id" for
// an address answer only for that address's own handshake; every reply is a well-formed
// handshake datagram.
#include <algorithm>

#include "fuzz/stt/stt_driver.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputCursor c(fuzz::input_view(data, size));
    FixedClock clock(stt::fuzz::kNow);
    SeededRng rng(stt::fuzz::rng_seed(Role::acceptor));
    stt::ManagerConfig mc;
    mc.base = stt::fuzz::config(Role::acceptor);
    mc.max_pending = 3;
    mc.max_sessions = 2;
    stt::HandshakeManager mgr(std::move(mc), rng, clock);
    for (int step = 0; step < 32 && !c.empty(); ++step) {
        const std::uint8_t a = c.u8();
        if (a == 0xff) {
            clock.advance(1);
            (void)mgr.expire();
            continue;
        }
        const std::string addr = "10.0.0." + std::to_string(a % 8) + ":4000";
        const std::uint16_t n = c.u16be();
        const auto ev = mgr.receive(addr, c.bytes(n));
        for (const Bytes& d : ev.output) {
            FUZZ_CHECK(d.size() <= stt::kMaxDatagram);
            FUZZ_CHECK(stt::fuzz::decode_datagram(d).has_value());
        }
        FUZZ_CHECK(!(ev.created && ev.failure.has_value()));
        FUZZ_CHECK(mgr.pending() <= 3);
        FUZZ_CHECK(mgr.size() <= 5);
        for (int i = 0; i < 8; ++i) {
            const std::string other = "10.0.0." + std::to_string(i) + ":4000";
            stt::Handshake* h = mgr.get(other);
            const bool complete = mgr.is_complete(other);
            FUZZ_CHECK(complete == (h != nullptr && h->authenticated()));
            const auto sid = mgr.session_id(other);
            FUZZ_CHECK(sid.has_value() == complete);
            if (sid) {
                FUZZ_CHECK(std::ranges::equal(*sid, h->session_id()));
            }
        }
    }
    return 0;
}
