// The 8-byte frame header: parse_header. Exactly 8 bytes decode, and re-encode to themselves.
// Its type byte goes through both registries' checks (validate_message_type_strict/_upstream):
// each accepts or refuses with unknown_type at the type byte, and an accepted type has a name.
#include "fuzz/shadowmesh/shadowmesh_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto h = shadowmesh::parse_header(in);
    FUZZ_CHECK(h.ok() == (in.size() == shadowmesh::kHeaderSize));
    if (h) {
        const Bytes again = shadowmesh::serialize_header(*h);
        FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.end()));
        for (const auto& verdict : {shadowmesh::validate_message_type_strict(h->type),
                                    shadowmesh::validate_message_type_upstream(h->type)}) {
            if (verdict) {
                FUZZ_CHECK(shadowmesh::type_name(h->type) != "UNKNOWN");
            } else {
                FUZZ_CHECK(verdict.error() == Error::unknown_type && verdict.failure().offset == 1);
            }
        }
    } else {
        FUZZ_CHECK(h.error() == (in.size() < 8 ? Error::truncated : Error::trailing_bytes));
        FUZZ_CHECK(h.failure().offset == std::min<std::size_t>(in.size(), 8));
    }
    return 0;
}
