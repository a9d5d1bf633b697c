// The deployed (upstream) decoder's leniencies, checked as properties: bytes after 8 + Length
// never matter, Flags never matter, and a re-handshake message it accepts is, once re-encoded
// canonically, accepted by strict with the same fields.
#include "fuzz/shadowmesh/shadowmesh_codec_checks.hpp"

using namespace shakedown;
using shadowmesh::Profile;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto up = shadowmesh::decode_frame(in, Profile::upstream);
    if (in.size() >= shadowmesh::kHeaderSize) {
        Bytes no_flags(in.begin(), in.end());
        no_flags[2] = 0;
        no_flags[3] = 0;
        const auto same = shadowmesh::decode_frame(no_flags, Profile::upstream);
        FUZZ_CHECK(same.ok() == up.ok());
        if (up) {
            FUZZ_CHECK(same->message == up->message);
        }
    }
    if (!up) {
        return 0;
    }
    const std::size_t end = shadowmesh::kHeaderSize + up->header.length;
    FUZZ_CHECK(end <= in.size());
    const auto cut = shadowmesh::decode_frame(in.first(end), Profile::upstream);
    FUZZ_CHECK(cut.ok() && *cut == *up);
    const auto t = shadowmesh::type_of(up->message);
    if (t == shadowmesh::MessageType::rehandshake_request || t == shadowmesh::MessageType::rehandshake_response ||
        t == shadowmesh::MessageType::rehandshake_complete) {
        const auto strict = shadowmesh::decode_frame(shadowmesh::encode_frame(up->message), Profile::strict);
        FUZZ_CHECK(strict.ok() && strict->message == up->message);
    }
    return 0;
}
