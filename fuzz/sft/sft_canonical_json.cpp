// The Python-canonical JSON encoder against the strict parser: for any accepted input, dumps()
// (insertion order and sorted) is ASCII, parses back to the same value, and is a fixed point.
#include "fuzz/sft/sft_fuzz.hpp"
#include "sft/json.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto v = sft::json::parse(in);
    if (!v) {
        FUZZ_CHECK(v.failure().offset <= in.size());
        return 0;
    }
    for (const bool sorted : {false, true}) {
        const std::string text = sft::json::dumps(*v, sorted);
        for (const char c : text) {
            FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
        }
        const auto back = sft::json::parse(as_bytes(text));
        FUZZ_CHECK(back.ok());
        FUZZ_CHECK(sft::json::dumps(*back, sorted) == text);
        if (!sorted) {
            FUZZ_CHECK(*back == *v);
        }
    }
    return 0;
}
