// A JSON record plaintext: parse_message (J3). An accepted message re-encodes (Python json.dumps
// form) to text that parses back to the same message; its HMAC input is valid JSON with sorted
// keys; sign/check agree.
#include "fuzz/sft/sft_fuzz.hpp"
#include "sft/message.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    for (const bool lenient : {false, true}) {
        const auto r = sft::parse_message(in, sft::EnvelopeOptions{lenient});
        if (!r) {
            FUZZ_CHECK(r.failure().offset == kNoOffset || r.failure().offset <= in.size());
            continue;
        }
        const std::string wire = sft::wire_json(*r);
        const auto again = sft::parse_message(as_bytes(wire), sft::EnvelopeOptions{lenient});
        FUZZ_CHECK(again.ok() && *again == *r);
        const std::string j = sft::hmac_input(*r);
        const auto jv = sft::json::parse(as_bytes(j));
        FUZZ_CHECK(jv.ok() && sft::json::dumps(*jv, true) == j);
        sft::Message m = *r;
        const ByteArray<32> key{};
        sft::sign(m, key);
        FUZZ_CHECK(sft::check_signature(m, key, false).ok());
    }
    return 0;
}
