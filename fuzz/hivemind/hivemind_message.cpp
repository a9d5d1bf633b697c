// HiveMessage envelope: what the strict reader accepts serializes to upstream's key order and
// reads back to the same message.
#include "fuzz/hivemind/hivemind_fuzz.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto m = parse_message(in);
    if (!m) {
        hmfuzz::check_offset(m.failure(), size);
        // Agreement: a text the JSON reader rejects is rejected here with the same failure.
        const auto j = parse_json(in);
        if (!j) {
            FUZZ_CHECK(j.failure() == m.failure());
        }
        return 0;
    }
    const std::string text = serialize_message(*m);
    const auto again = parse_message(as_bytes(text));
    FUZZ_CHECK(again.ok() && *again == *m);
    FUZZ_CHECK(serialize_message(*again) == text);
    return 0;
}
