// CLOSE and ERROR payloads: a u16 then free text. Anything of 2 bytes or more decodes and
// re-encodes to itself.
#include "fuzz/shadowmesh/shadowmesh_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto c = shadowmesh::parse_close(in, 0);
    const auto e = shadowmesh::parse_error(in, 0);
    FUZZ_CHECK(c.ok() == (in.size() >= 2));
    FUZZ_CHECK(e.ok() == c.ok());
    if (c) {
        const Bytes again = shadowmesh::serialize_payload(*c);
        FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.end()));
        FUZZ_CHECK(e->code == c->reason && e->text == c->text);
    } else {
        FUZZ_CHECK(c.error() == Error::truncated && c.failure().offset == in.size());
    }
    return 0;
}
