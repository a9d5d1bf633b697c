// Invariants shared by the ShadowMesh codec targets (docs/protocols/shadowmesh.md §2, §3).
#pragma once

#include "fuzz/fuzz_target.hpp"
#include "shadowmesh/messages.hpp"

namespace shakedown::fuzz {

// The errors a ShadowMesh decoder may report: codec values plus the header rules.
[[nodiscard]] inline bool is_shadowmesh_codec_error(Error e) {
    switch (e) {
        case Error::truncated:
        case Error::trailing_bytes:
        case Error::bad_length:
        case Error::unknown_type:
        case Error::oversize:
        case Error::wrong_version:
        case Error::bad_flags: return true;
        default: return false;
    }
}

// A payload parser under both profiles: strict acceptance implies upstream acceptance with the
// same fields; strict re-encodes to exactly the input; upstream re-encodes to a prefix of it (the
// bytes it ignored follow); every rejection is a codec error located inside the input.
template <class Parse>
auto check_payload_parser(ByteView in, Parse parse) {
    const auto strict = parse(in, shadowmesh::Profile::strict, 0);
    const auto upstream = parse(in, shadowmesh::Profile::upstream, 0);
    if (strict) {
        FUZZ_CHECK(upstream.ok());
        FUZZ_CHECK(*strict == *upstream);
        const Bytes again = shadowmesh::serialize_payload(*strict);
        FUZZ_CHECK(again.size() == in.size() && std::equal(again.begin(), again.end(), in.begin()));
    } else {
        FUZZ_CHECK(is_shadowmesh_codec_error(strict.error()));
        FUZZ_CHECK(strict.failure().offset <= in.size());
    }
    if (upstream) {
        const Bytes again = shadowmesh::serialize_payload(*upstream);
        FUZZ_CHECK(again.size() <= in.size() && std::equal(again.begin(), again.end(), in.begin()));
    } else {
        // upstream rejects only what strict rejects, and for running out of bytes.
        FUZZ_CHECK(!strict.ok());
        FUZZ_CHECK(upstream.error() == Error::truncated);
    }
    return strict;
}

}  // namespace shakedown::fuzz
