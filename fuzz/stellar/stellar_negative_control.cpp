// Negative control (in the manner of s2n-tls tests/fuzz/*_negative_test.c): a copy of parse_auth
// with one check removed, under the same round-trip invariant as the real target. The replay test
// and ci/fuzz.sh expect this target to FAIL; if it ever passes, the harness has stopped catching
// the class of bug it exists for and every green fuzz run means less than it claims.
#include "common/reader.hpp"
#include "fuzz/stellar/stellar_codec_checks.hpp"

using namespace shakedown;

namespace {

// The planted bug: no expect_done(), so trailing bytes are silently ignored and one AUTH can be
// sent in many encodings (the lenient-decoder mistake the strict codec exists to avoid).
Result<stellar::Auth> lenient_parse_auth(ByteView in) {
    Reader r(in);
    SK_TRY(const std::int32_t flags, r.read_i32be());
    return stellar::Auth{flags};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)fuzz::check_codec(fuzz::input_view(data, size), lenient_parse_auth);
    return 0;
}
