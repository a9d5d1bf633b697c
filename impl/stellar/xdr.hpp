// XDR (RFC 4506) primitives over the shared Reader/Writer: big-endian, 4-byte alignment, zero
// padding. Decoding is strict: a length over its bound, non-zero padding or a short input is an
// error located at the offending byte.
#pragma once

#include <string>

#include "common/reader.hpp"
#include "common/writer.hpp"

namespace shakedown::stellar::xdr {

[[nodiscard]] constexpr std::size_t padding_for(std::size_t n) { return (4 - (n % 4)) % 4; }

// RFC 4506 4.10: variable-length opaque<max>, length word then bytes then zero padding.
[[nodiscard]] Result<ByteView> read_var_opaque(Reader& r, std::size_t max_len);
// RFC 4506 4.11: string<max>, same wire form as opaque.
[[nodiscard]] Result<std::string> read_string(Reader& r, std::size_t max_len);
template <std::size_t N>
[[nodiscard]] Result<ByteArray<N>> read_fixed_opaque(Reader& r);
[[nodiscard]] Result<void> read_padding(Reader& r, std::size_t n);

void write_var_opaque(Writer& w, ByteView data);
void write_string(Writer& w, std::string_view s);
void write_fixed_opaque(Writer& w, ByteView data);

template <std::size_t N>
Result<ByteArray<N>> read_fixed_opaque(Reader& r) {
    SK_TRY(auto v, r.read_array<N>());
    SK_CHECK(read_padding(r, padding_for(N)));
    return v;
}

}  // namespace shakedown::stellar::xdr
