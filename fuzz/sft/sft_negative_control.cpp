// Negative control: a D1 parser with the trailing-bytes check removed, under the same canonical
// round-trip invariant as the real target. Its replay test must FAIL on negative/d1_with_trailing_byte;
// if it ever passes, the harness has stopped catching lenient decoders.
#include "common/reader.hpp"
#include "fuzz/sft/sft_fuzz.hpp"

using namespace shakedown;

namespace {
Result<sft::D1> lenient_parse_d1(ByteView in) {
    Reader r(in);
    sft::D1 m;
    SK_TRY(m.server_eph, r.read_array<32>());
    SK_TRY(m.server_id, r.read_array<32>());
    return m;  // the planted bug: no expect_done()
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)fuzz::check_sft_codec(fuzz::input_view(data, size), lenient_parse_d1);
    return 0;
}
