#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_auth(CodecBuilder& cb, const CodecBase& /*base_run*/) {
    Json& g = cb.group("Auth", "Auth { int flags }");
    for (const std::int32_t flags : {200, 100, 0, -1}) {
        const Bytes w = serialize(Auth{flags});
        cb.valid(g, "flags " + std::to_string(flags) + " (decodes; only 200 is accepted by the handshake)",
                 {flags == 200 ? "Valid" : "EdgeCaseValid"}, w, parse_auth(w), to_json(Auth{flags}));
    }
    const Bytes w = serialize(Auth{200});
    cb.invalid(g, "3 bytes", {"Truncated"}, ByteView(w).first(3), parse_auth(ByteView(w).first(3)),
               Error::truncated);
    cb.invalid(g, "5 bytes", {"TrailingBytes"}, cat(w, Bytes{0}), parse_auth(cat(w, Bytes{0})),
               Error::trailing_bytes);
}

}  // namespace shakedown::vectors::stellar::cases
