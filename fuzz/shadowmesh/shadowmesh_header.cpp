// The 8-byte frame header: parse_header. Exactly 8 bytes decode, and re-encode to themselves.
#include "fuzz/shadowmesh/shadowmesh_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto h = shadowmesh::parse_header(in);
    FUZZ_CHECK(h.ok() == (in.size() == shadowmesh::kHeaderSize));
    if (h) {
        const Bytes again = shadowmesh::serialize_header(*h);
        FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.end()));
    } else {
        FUZZ_CHECK(h.error() == (in.size() < 8 ? Error::truncated : Error::trailing_bytes));
        FUZZ_CHECK(h.failure().offset == std::min<std::size_t>(in.size(), 8));
    }
    return 0;
}
