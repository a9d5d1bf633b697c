// REHANDSHAKE_REQUEST payload: parse_request under both profiles.
#include "fuzz/shadowmesh/shadowmesh_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto strict = fuzz::check_payload_parser(in, shadowmesh::parse_request);
    // Fixed layout: strict takes exactly one size.
    FUZZ_CHECK(strict.ok() == (in.size() == shadowmesh::kRequestSize));
    return 0;
}
