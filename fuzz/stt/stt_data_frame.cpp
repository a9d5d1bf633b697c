// STT session data frames, opened by the responder of the fixed pair's honest session: whatever
// opens is a well-formed data frame of this session whose ciphertext authenticates under the
// header, and the same datagram never opens twice (replay).
#include "fuzz/stt/stt_driver.hpp"

using namespace shakedown;

namespace {
struct Session {
    Session() : clock(stt::fuzz::kNow), ri(stt::fuzz::rng_seed(Role::initiator)), rr(stt::fuzz::rng_seed(Role::acceptor)),
                i(stt::fuzz::config(Role::initiator), ri, clock), r(stt::fuzz::config(Role::acceptor), rr, clock) {
        i.start();
        r.start();
        for (int round = 0; round < 4; ++round) {
            for (Bytes& d : i.take_output()) {
                r.receive(d);
            }
            for (Bytes& d : r.take_output()) {
                i.receive(d);
            }
        }
    }
    FixedClock clock;
    SeededRng ri;
    SeededRng rr;
    stt::Handshake i;
    stt::Handshake r;
};
const Session& session() {
    static const Session s;
    return s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const Session& s = session();
    FUZZ_CHECK(s.r.authenticated());
    // A fresh receiving channel per input, from the responder's session key.
    stt::SessionChannel ch(Role::acceptor, *s.r.session_key(), s.r.session_id(), stt::Quirks{});
    auto opened = ch.open(in);
    if (!opened) {
        FUZZ_CHECK(opened.failure().offset <= size);
        return 0;
    }
    const auto f = stt::parse_frame(in);
    FUZZ_CHECK(f.ok());
    FUZZ_CHECK(f->header.type == stt::kFrameData && f->header.flags == 0);
    FUZZ_CHECK(std::equal(f->header.session_id.begin(), f->header.session_id.end(), s.r.session_id().begin()));
    FUZZ_CHECK(opened->payload.size() + stt::kAeadTagSize == f->payload.size());
    const stt::DataKeys keys = stt::derive_data_keys(*s.r.session_key());
    const auto independent = stt::xchacha20_poly1305_open(keys.initiator_to_responder.view(), f->metadata,
                                                          stt::serialize_header(f->header), f->payload);
    FUZZ_CHECK(independent.ok() && *independent == opened->payload);
    const auto again = ch.open(in);
    FUZZ_CHECK(!again.ok() && again.error() == Error::bad_sequence);
    return 0;
}
