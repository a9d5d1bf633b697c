// Strict JSON reader and the Python-style writer: accepted text re-reads to the same value, the
// writer's text is a fixed point, and accepted text is valid UTF-8.
#include "fuzz/hivemind/hivemind_fuzz.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto j = parse_json(in);
    if (!j) {
        hmfuzz::check_offset(j.failure(), size);
        return 0;
    }
    FUZZ_CHECK(check_utf8(in).ok());
    const std::string text = dump_json(*j);
    const auto again = parse_json(text);
    FUZZ_CHECK(again.ok() && *again == *j);
    FUZZ_CHECK(dump_json(*again) == text);
    return 0;
}
