// Binarized frame reader (docs/protocols/hivemind.md, "Binarized frames"): uncompressed frames
// re-serialize to the same bytes; compressed ones round-trip through the writer; inflation stays
// within its bound.
//
// The reader runs with a 64 KiB inflation bound instead of the reference's 1 MiB: the bound is a
// parameter and its check is the same code at any size, while a few bytes of zlib stream that
// expand to the full 1 MiB (the fuzzer finds such streams at once) would spend each input in zlib
// and in zero-filling memory rather than in the parser.
#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "hivemind/binarize.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

namespace {
constexpr std::size_t kFuzzMaxInflated = std::size_t{64} << 10;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto f = parse_frame(in, kFuzzMaxInflated);
    if (!f) {
        hmfuzz::check_offset(f.failure(), size);
        return 0;
    }
    FUZZ_CHECK(f->payload.size() <= kFuzzMaxInflated || !f->compressed);
    const auto w = serialize_frame(*f);
    FUZZ_CHECK(w.ok());
    if (!f->compressed) {
        FUZZ_CHECK(*w == Bytes(in.begin(), in.end()));
    }
    const auto again = parse_frame(*w, kFuzzMaxInflated);
    FUZZ_CHECK(again.ok() && *again == *f);
    return 0;
}
