// ERROR_MSG body (Stellar-overlay.x `struct Error { ErrorCode code; string msg<100>; }`): parse_error.
#include "fuzz/stellar/stellar_codec_checks.hpp"

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    const auto r = fuzz::check_codec(in, stellar::parse_error);
    if (r) {
        // The bounds the schema states, whatever path the parser took to get here.
        const auto code = static_cast<std::int32_t>(r->code);
        FUZZ_CHECK(code >= 0 && code <= static_cast<std::int32_t>(stellar::ErrorCode::load));
        FUZZ_CHECK(r->msg.size() <= stellar::kMaxErrorMsg);
    }
    fuzz::check_same_as_union_arm(in, stellar::MessageType::error_msg, r);
    return 0;
}
