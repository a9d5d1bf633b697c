// STT UDP frame: parse_frame round trips to the same bytes; accepted frames fit a datagram; the
// payload and metadata sit where the parser says.
#include "fuzz/fuzz_target.hpp"
#include "stt/frame.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto r = stt::parse_frame(in);
    if (!r) {
        FUZZ_CHECK(r.failure().offset <= size);
        return 0;
    }
    FUZZ_CHECK(size <= stt::kMaxDatagram);
    const Bytes again = stt::serialize_frame(*r);
    FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.end()));
    FUZZ_CHECK(r->payload_offset + r->payload.size() == size);
    FUZZ_CHECK(std::equal(r->payload.begin(), r->payload.end(), in.begin() + static_cast<std::ptrdiff_t>(r->payload_offset)));
    const Bytes header = stt::serialize_header(r->header);
    FUZZ_CHECK(std::equal(header.begin(), header.end(), in.begin() + static_cast<std::ptrdiff_t>(r->header_offset)));
    return 0;
}
