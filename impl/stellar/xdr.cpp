#include "stellar/xdr.hpp"

namespace shakedown::stellar::xdr {

Result<void> read_padding(Reader& r, std::size_t n) {
    SK_TRY(const ByteView pad, r.read_bytes(n));
    for (std::size_t i = 0; i < pad.size(); ++i) {
        if (pad[i] != 0) {
            // RFC 4506 4.10: "the residual bytes ... are zero".
            return r.fail_here(Error::bad_padding, "non-zero XDR padding", pad.size() - i);
        }
    }
    return ok();
}

Result<ByteView> read_var_opaque(Reader& r, std::size_t max_len) {
    SK_TRY(const std::uint32_t len, r.read_u32be());
    if (len > max_len) {
        return r.fail_here(Error::bad_length, "XDR length over the declared bound", 4);
    }
    SK_TRY(const ByteView body, r.read_bytes(len));
    SK_CHECK(read_padding(r, padding_for(len)));
    return body;
}

Result<std::string> read_string(Reader& r, std::size_t max_len) {
    SK_TRY(const ByteView body, read_var_opaque(r, max_len));
    return std::string(body.begin(), body.end());
}

void write_var_opaque(Writer& w, ByteView data) {
    w.put_u32be(static_cast<std::uint32_t>(data.size()));
    write_fixed_opaque(w, data);
}

void write_string(Writer& w, std::string_view s) { write_var_opaque(w, as_bytes(s)); }

void write_fixed_opaque(Writer& w, ByteView data) {
    w.put_bytes(data);
    w.put_zeros(padding_for(data.size()));
}

}  // namespace shakedown::stellar::xdr
