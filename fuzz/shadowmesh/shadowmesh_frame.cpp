// One WebSocket message: decode_frame under both profiles. Whatever strict accepts, upstream
// accepts with the same header and fields, and strict's acceptance re-encodes to the input; a type
// strict decodes is one the strict registry check accepts.
#include "fuzz/shadowmesh/shadowmesh_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto strict = shadowmesh::decode_frame(in, shadowmesh::Profile::strict);
    const auto upstream = shadowmesh::decode_frame(in, shadowmesh::Profile::upstream);
    if (strict) {
        FUZZ_CHECK(upstream.ok());
        FUZZ_CHECK(*strict == *upstream);
        FUZZ_CHECK(strict->header.version == shadowmesh::kProtocolVersion && strict->header.flags == 0);
        const Bytes again = shadowmesh::encode_frame(strict->message);
        FUZZ_CHECK(again.size() == in.size() && std::equal(again.begin(), again.end(), in.begin()));
        FUZZ_CHECK(shadowmesh::validate_message_type_strict(strict->header.type).ok());
    } else {
        FUZZ_CHECK(fuzz::is_shadowmesh_codec_error(strict.error()));
        FUZZ_CHECK(strict.failure().offset <= in.size());
    }
    if (!upstream) {
        FUZZ_CHECK(!strict.ok());
        FUZZ_CHECK(fuzz::is_shadowmesh_codec_error(upstream.error()));
        FUZZ_CHECK(upstream.error() != Error::bad_flags && upstream.error() != Error::trailing_bytes);
    }
    return 0;
}
