// STT handshake messages: parse_message round trips to the same bytes, fixed-size fields have
// their size, and the message equals what message_from_value makes of the strict TLV decoding.
#include "fuzz/fuzz_target.hpp"
#include "stt/messages.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto r = stt::parse_message(in);
    const auto v = stt::decode(in);
    if (!v) {
        FUZZ_CHECK(!r.ok() && r.failure() == v.failure());
        return 0;
    }
    const auto direct = stt::message_from_value(*v);
    FUZZ_CHECK(direct.ok() == r.ok());
    if (!r) {
        FUZZ_CHECK(r.failure() == direct.failure());
        FUZZ_CHECK(r.failure().offset < size);
        return 0;
    }
    FUZZ_CHECK(*direct == *r);
    const Bytes again = stt::serialize(*r);
    FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.end()));
    if (const auto* h = std::get_if<stt::Hello>(&*r)) {
        FUZZ_CHECK(h->node_id.size() == stt::kNodeIdSize && h->nonce.size() == stt::kNonceSize);
    }
    if (const auto* a = std::get_if<stt::AuthProof>(&*r)) {
        FUZZ_CHECK(a->session_id.size() == stt::kSessionIdSize);
    }
    if (const auto* f = std::get_if<stt::Final>(&*r)) {
        FUZZ_CHECK(f->session_id.size() == stt::kSessionIdSize);
    }
    return 0;
}
