// StellarMessage (the Stellar-overlay.x union): parse_stellar_message, checked against the
// standalone parser of each decoded arm and against the AuthenticatedMessage that carries it.
#include "fuzz/stellar/stellar_codec_checks.hpp"

using namespace shakedown;

namespace {

template <class T, class Parse>
void check_arm(const stellar::StellarMessage& m, ByteView body, Parse parse) {
    if (const T* v = std::get_if<T>(&m)) {
        const auto alone = parse(body);
        FUZZ_CHECK(alone.ok());
        FUZZ_CHECK(*alone == *v);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto r = fuzz::check_codec(in, stellar::parse_stellar_message);
    if (r) {
        FUZZ_CHECK(stellar::is_known_type(static_cast<std::int32_t>(stellar::type_of(*r))));
        const ByteView body = in.subspan(4);
        check_arm<stellar::Hello>(*r, body, stellar::parse_hello);
        check_arm<stellar::Auth>(*r, body, stellar::parse_auth);
        check_arm<stellar::ErrorMsg>(*r, body, stellar::parse_error);
        check_arm<stellar::Peers>(*r, body, stellar::parse_peers);
        check_arm<stellar::SendMoreExtended>(*r, body, stellar::parse_send_more_extended);
        if (const auto* p = std::get_if<stellar::Peers>(&*r)) {
            FUZZ_CHECK(p->peers.size() <= stellar::kMaxPeers);
        }
    }

    // Carried in an AuthenticatedMessage (v0, sequence, message, MAC) the same bytes must mean the
    // same message; the MAC that follows changes only where an arm kept undecoded ends. A failure
    // inside the message is the same error 12 bytes on (v and sequence); trailing bytes are found
    // after the MAC instead; truncation may be hidden by the MAC bytes, so it is not compared.
    Bytes wrapped(12, 0);
    wrapped[11] = 7;
    wrapped.insert(wrapped.end(), in.begin(), in.end());
    wrapped.insert(wrapped.end(), 32, 0xa5);
    const auto am = stellar::parse_authenticated_message(wrapped);
    if (r) {
        FUZZ_CHECK(am.ok());
        FUZZ_CHECK(am->sequence == 7);
        FUZZ_CHECK(am->message == *r);
    } else if (r.error() == Error::trailing_bytes) {
        FUZZ_CHECK(!am.ok());
        FUZZ_CHECK(am.error() == Error::trailing_bytes);
        FUZZ_CHECK(am.failure().offset == 12 + r.failure().offset + 32);
    } else if (r.error() != Error::truncated) {
        FUZZ_CHECK(!am.ok());
        FUZZ_CHECK(am.error() == r.error());
        FUZZ_CHECK(am.failure().offset == 12 + r.failure().offset);
    }
    return 0;
}
