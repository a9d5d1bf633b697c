// Password envelope verification. Input: one byte n, then n bytes of password, then the envelope.
// Strict acceptance implies it is exactly the envelope the password and IV give, and the
// upstream (lax) rule accepts a superset.
#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "hivemind/auth.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::fuzz::InputCursor cur(fuzz::input_view(data, size));
    const ByteView pw = cur.bytes(cur.u8());
    const ByteView env = cur.rest();
    const std::string password(hmfuzz::as_text(pw));
    const auto strict = verify_password_envelope(hmfuzz::as_text(env), password);
    const auto lax = verify_password_envelope(hmfuzz::as_text(env), password, {true});
    if (strict) {
        FUZZ_CHECK(password_envelope(password, *strict) == hmfuzz::as_text(env));
        FUZZ_CHECK(lax.ok() && *lax == *strict);
    } else {
        hmfuzz::check_offset(strict.failure(), env.size());
    }
    return 0;
}
