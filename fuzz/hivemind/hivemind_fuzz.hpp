// Shared checks for the HiveMind fuzz targets (docs/protocols/hivemind.md states every rule they
// assert). Each target is one small file calling the parser the reference uses.
#pragma once

#include "fuzz/fuzz_target.hpp"
#include "hivemind/codecs.hpp"
#include "hivemind/json.hpp"
#include "hivemind/messages.hpp"

namespace shakedown::hivemind::hmfuzz {

using shakedown::fuzz::input_view;

// The machine targets' input (hivemind_machine_target.hpp): byte 0's bit for randomness expanded
// from a seed, the seed's length, and otherwise the length of the draws spelled out.
inline constexpr std::uint8_t kSeededRng = 0x10;
inline constexpr std::size_t kRngSeedBytes = 1;
inline constexpr std::size_t kRngBytes = 128;

inline std::string_view as_text(ByteView in) { return {reinterpret_cast<const char*>(in.data()), in.size()}; }

// A failure names an offset inside (or just past) the input, or none.
inline void check_offset(const Failure& f, std::size_t size) {
    FUZZ_CHECK(f.offset == kNoOffset || f.offset <= size);
}

// Strict decoders accept only what the encoder writes, and invert it.
inline void check_decoder(Encoding e, ByteView in) {
    const auto r = decode(e, as_text(in));
    if (r) {
        FUZZ_CHECK(encode(e, *r) == as_text(in));
    } else {
        check_offset(r.failure(), in.size());
    }
    const auto back = decode(e, encode(e, in));
    FUZZ_CHECK(back.ok() && *back == Bytes(in.begin(), in.end()));
}

// A payload parser: any JSON object it accepts survives to_json and back unchanged.
template <class Parse>
void check_payload(ByteView in, Parse parse) {
    const auto j = parse_json(in);
    if (!j) {
        check_offset(j.failure(), in.size());
        return;
    }
    const auto p = parse(*j);
    if (!p) {
        check_offset(p.failure(), in.size());
        return;
    }
    const std::string text = dump_json(to_json(*p));
    const auto again = parse(parse_json(text).value());
    FUZZ_CHECK(again.ok() && *again == *p);
    FUZZ_CHECK(dump_json(to_json(*again)) == text);
}

}  // namespace shakedown::hivemind::hmfuzz
