// Negative control (in the manner of s2n-tls tests/fuzz/*_negative_test.c): the TLV decoder with
// the upstream trailing-bytes leniency, under the canonical round-trip invariant of the real TLV
// target. The replay test and ci/fuzz.sh expect this target to FAIL; if it ever passes, the
// harness has stopped catching the lenient-decoder class of bug.
#include "fuzz/fuzz_target.hpp"
#include "stt/tlv.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    stt::TlvLeniency planted;
    planted.ignore_trailing_bytes = true;
    const auto r = stt::decode(in, {}, planted);
    if (r) {
        const auto again = stt::encode(*r);
        FUZZ_CHECK(again.ok() && std::equal(again->begin(), again->end(), in.begin(), in.end()));
    }
    return 0;
}
