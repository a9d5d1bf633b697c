// Invariants shared by the Stellar codec targets. Each target calls the same parse_* the
// implementation uses and then asks these questions of the answer.
#pragma once

#include <algorithm>
#include <variant>

#include "fuzz/fuzz_target.hpp"
#include "stellar/codec.hpp"

namespace shakedown::fuzz {

// XDR as Stellar-overlay.x uses it has exactly one encoding per value (fixed-width integers,
// zero padding, no optional fields), so every accepted input must re-encode to itself, and the
// re-encoding must parse back to the same value. A rejection must be a codec error located inside
// the input, and parsing is deterministic.
template <class Parse>
auto check_codec(ByteView in, Parse parse) {
    auto r = parse(in);
    if (r) {
        const Bytes out = stellar::serialize(*r);
        FUZZ_CHECK(std::equal(out.begin(), out.end(), in.begin(), in.end()));
        const auto again = parse(ByteView(out));
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(*again == *r);
    } else {
        FUZZ_CHECK(is_codec_error(r.error()));
        FUZZ_CHECK(r.failure().offset != kNoOffset);
        FUZZ_CHECK(r.failure().offset <= in.size());
        const auto again = parse(in);
        FUZZ_CHECK(!again.ok());
        FUZZ_CHECK(again.failure() == r.failure());
    }
    return r;
}

// The standalone parser of one StellarMessage arm and the union parser reading that arm must agree
// exactly: same value when accepted; same error, 4 bytes further on (the discriminant), when not.
// A disagreement means one of the two paths checks something the other does not.
template <class T>
void check_same_as_union_arm(ByteView in, stellar::MessageType type, const Result<T>& standalone) {
    const Bytes wrapped = with_u32be_prefix(static_cast<std::uint32_t>(type), in);
    const auto in_union = stellar::parse_stellar_message(wrapped);
    FUZZ_CHECK(in_union.ok() == standalone.ok());
    if (standalone) {
        FUZZ_CHECK(std::holds_alternative<T>(*in_union));
        FUZZ_CHECK(std::get<T>(*in_union) == *standalone);
    } else {
        FUZZ_CHECK(in_union.error() == standalone.error());
        FUZZ_CHECK(in_union.failure().offset == standalone.failure().offset + 4);
    }
}

}  // namespace shakedown::fuzz
