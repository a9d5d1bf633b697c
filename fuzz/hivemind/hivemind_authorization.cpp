// The upgrade request's authorization value: accepted values are the canonical base64 of
// "useragent:key", which the writer reproduces exactly.
#include "fuzz/hivemind/hivemind_fuzz.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto a = parse_authorization(hmfuzz::as_text(in));
    if (!a) {
        hmfuzz::check_offset(a.failure(), size);
        return 0;
    }
    FUZZ_CHECK(a->useragent.find(':') == std::string::npos);
    FUZZ_CHECK(write_authorization(*a) == hmfuzz::as_text(in));
    return 0;
}
