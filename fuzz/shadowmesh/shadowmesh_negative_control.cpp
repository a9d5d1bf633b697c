// Negative control (in the manner of s2n-tls tests/fuzz/*_negative_test.c): a REQUEST parser with
// the strict profile's final check removed, under the same invariants as the real target. Its
// replay must FAIL on negative/request_with_trailing_byte; if it passes, the harness no longer
// catches the lenient-decoder class of bug.
#include "common/reader.hpp"
#include "fuzz/shadowmesh/shadowmesh_codec_checks.hpp"

using namespace shakedown;

namespace {

// The planted bug: "strict" that never calls expect_done(), so a 57-byte payload decodes.
Result<shadowmesh::RehandshakeRequest> planted_parse_request(ByteView in, shadowmesh::Profile /*p*/,
                                                             std::size_t base) {
    Reader r(in, base);
    shadowmesh::RehandshakeRequest m;
    SK_TRY(m.session_id, r.read_array<shadowmesh::kSessionIdSize>());
    SK_TRY(m.challenge, r.read_array<shadowmesh::kChallengeSize>());
    SK_TRY(m.timestamp_ms, r.read_u64be());
    return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)fuzz::check_payload_parser(fuzz::input_view(data, size), planted_parse_request);
    return 0;
}
