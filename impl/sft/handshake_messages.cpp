#include "sft/handshake_messages.hpp"

#include "common/reader.hpp"
#include "common/writer.hpp"

namespace shakedown::sft {

namespace {

void put_field(Writer& w, ByteView field) {
    w.put_u32be(static_cast<std::uint32_t>(field.size()));
    w.put_bytes(field);
}

// One upstream-v2 field: a u32be prefix that must equal `expected` (docs/protocols/sft.md §2:
// the reference refuses any other prefix value before buffering the field), then the field.
template <std::size_t N>
Result<ByteArray<N>> read_field(Reader& r) {
    const std::size_t at = r.offset();
    SK_TRY(const std::uint32_t len, r.read_u32be());
    if (len != N) {
        return Failure{Error::bad_length, at, len == 0 ? "zero-length field" : "field prefix is not the field size"};
    }
    return r.read_array<N>();
}

}  // namespace

Bytes serialize(const H1& m) {
    Writer w;
    put_field(w, m.client_eph);
    return std::move(w).take();
}

Bytes serialize(const H2& m) {
    Writer w;
    put_field(w, m.server_eph);
    put_field(w, m.server_id);
    put_field(w, m.sig);
    return std::move(w).take();
}

Bytes serialize(const Confirm& m) {
    Writer w;
    w.put_u32be(static_cast<std::uint32_t>(kConfirmPayloadLen));
    w.put_bytes(m.nonce);
    w.put_bytes(m.tag);
    w.put_bytes(m.ciphertext);
    return std::move(w).take();
}

Bytes serialize(const D1& m) { return concat({m.server_eph, m.server_id}); }
Bytes serialize(const D2& m) { return concat({m.client_eph, m.sig}); }

Result<H1> parse_h1(ByteView b) {
    Reader r(b);
    H1 m;
    SK_TRY(m.client_eph, read_field<32>(r));
    SK_CHECK(r.expect_done());
    return m;
}

Result<H2> parse_h2(ByteView b) {
    Reader r(b);
    H2 m;
    SK_TRY(m.server_eph, read_field<32>(r));
    SK_TRY(m.server_id, read_field<32>(r));
    SK_TRY(m.sig, read_field<64>(r));
    SK_CHECK(r.expect_done());
    return m;
}

Result<Confirm> parse_confirm_payload(ByteView payload, std::size_t base_offset) {
    Reader r(payload, base_offset);
    Confirm m;
    SK_TRY(m.nonce, r.read_array<12>());
    SK_TRY(m.tag, r.read_array<16>());
    SK_TRY(m.ciphertext, r.read_array<7>());
    SK_CHECK(r.expect_done());
    return m;
}

Result<Confirm> parse_confirm(ByteView b) {
    Reader r(b);
    SK_TRY(const ByteArray<kConfirmPayloadLen> payload, read_field<kConfirmPayloadLen>(r));
    SK_CHECK(r.expect_done());
    return parse_confirm_payload(payload, 4);
}

Result<D1> parse_d1(ByteView b) {
    Reader r(b);
    D1 m;
    SK_TRY(m.server_eph, r.read_array<32>());
    SK_TRY(m.server_id, r.read_array<32>());
    SK_CHECK(r.expect_done());
    return m;
}

Result<D2> parse_d2(ByteView b) {
    Reader r(b);
    D2 m;
    SK_TRY(m.client_eph, r.read_array<32>());
    SK_TRY(m.sig, r.read_array<64>());
    SK_CHECK(r.expect_done());
    return m;
}

}  // namespace shakedown::sft
