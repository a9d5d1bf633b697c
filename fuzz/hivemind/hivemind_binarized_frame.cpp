// Binarized frame reader (docs/protocols/hivemind.md, "Binarized frames"): uncompressed frames
// re-serialize to the same bytes; compressed ones round-trip through the writer; inflation stays
// within its bound.
#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "hivemind/binarize.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto f = parse_frame(in);
    if (!f) {
        hmfuzz::check_offset(f.failure(), size);
        return 0;
    }
    FUZZ_CHECK(f->payload.size() <= kMaxInflated || !f->compressed);
    const auto w = serialize_frame(*f);
    FUZZ_CHECK(w.ok());
    if (!f->compressed) {
        FUZZ_CHECK(*w == Bytes(in.begin(), in.end()));
    }
    const auto again = parse_frame(*w);
    FUZZ_CHECK(again.ok() && *again == *f);
    return 0;
}
