#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_error(CodecBuilder& cb, const CodecBase& /*base_run*/) {
    Json& g = cb.group("Error", "Error { ErrorCode code; string msg<100> }");
    for (int c = 0; c <= 4; ++c) {
        const ErrorMsg e{static_cast<ErrorCode>(c), c == 0 ? "" : "wrong protocol version"};
        cb.valid(g, std::string(to_string(e.code)), {"Valid"}, serialize(e), parse_error(serialize(e)), to_json(e));
    }
    const ErrorMsg longest{ErrorCode::auth, std::string(100, 'm')};
    cb.valid(g, "msg of 100 bytes", {"EdgeCaseValid"}, serialize(longest), parse_error(serialize(longest)),
             to_json(longest));
    const Bytes bad_code = with(serialize(ErrorMsg{ErrorCode::misc, "x"}), 3, 5);
    cb.invalid(g, "ErrorCode 5", {"UnknownArm"}, bad_code, parse_error(bad_code), Error::unknown_type);
    const ErrorMsg too_long{ErrorCode::auth, std::string(101, 'm')};
    cb.invalid(g, "msg of 101 bytes", {"StringOverBound"}, serialize(too_long), parse_error(serialize(too_long)),
               Error::bad_length);
    const Bytes pad = with(serialize(ErrorMsg{ErrorCode::data, "x"}), 9, 1);
    cb.invalid(g, "non-zero padding after msg", {"NonZeroPadding"}, pad, parse_error(pad), Error::bad_padding);
}

}  // namespace shakedown::vectors::stellar::cases
