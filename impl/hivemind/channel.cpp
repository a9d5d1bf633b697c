#include "hivemind/channel.hpp"

#include "common/crypto.hpp"
#include "common/ct.hpp"
#include "hivemind/json.hpp"

namespace shakedown::hivemind {

std::string_view wire_name(Cipher c) noexcept { return c == Cipher::aes_gcm ? "AES-GCM" : "CHACHA20-POLY1305"; }

std::optional<Cipher> cipher_from_wire(std::string_view name) noexcept {
    if (name == "AES-GCM") {
        return Cipher::aes_gcm;
    }
    if (name == "CHACHA20-POLY1305") {
        return Cipher::chacha20_poly1305;
    }
    return std::nullopt;
}

std::size_t nonce_size(Cipher c) noexcept { return c == Cipher::aes_gcm ? 16 : 12; }

Result<Sealed> seal(Cipher c, ByteView key, ByteView nonce, ByteView plaintext) {
    if (nonce.size() != nonce_size(c)) {
        return fail(Error::invalid_argument, "nonce of the wrong size for the cipher");
    }
    Bytes sealed;
    if (c == Cipher::aes_gcm) {
        SK_TRY(sealed, crypto::aes_gcm_seal(key, nonce, {}, plaintext));
    } else {
        SK_TRY(sealed, crypto::chacha20_poly1305_seal(key, nonce, {}, plaintext));
    }
    Sealed s;
    s.nonce.assign(nonce.begin(), nonce.end());
    s.ciphertext.assign(sealed.begin(), sealed.end() - kTagSize);
    s.tag.assign(sealed.end() - kTagSize, sealed.end());
    return s;
}

Result<Bytes> open(Cipher c, ByteView key, const Sealed& s) {
    if (s.nonce.size() != nonce_size(c)) {
        return fail(Error::bad_length, "nonce of the wrong size for the cipher");
    }
    if (s.tag.size() != kTagSize) {
        return fail(Error::bad_length, "tag is not 16 bytes");
    }
    const Bytes sealed = concat({s.ciphertext, s.tag});
    auto r = c == Cipher::aes_gcm ? crypto::aes_gcm_open(key, s.nonce, {}, sealed)
                                  : crypto::chacha20_poly1305_open(key, s.nonce, {}, sealed);
    if (!r && r.error() != Error::bad_mac) {
        return fail(Error::invalid_argument, "key of the wrong size for the cipher");
    }
    if (r) {
        // A message that authenticated is parsed (JSON, branching on every character): its
        // content is the peer's message, not the key this check protects.
        ct::declassify(r->data(), r->size());
    }
    return r;
}

namespace {

// A field of the frame as a JSON string. Hex digits need no escape and go straight into the
// frame; the other encodings are escaped as json.dumps would (basE91's alphabet has '"').
void append_field(std::string& out, ByteView data, Encoding e, const CodecQuirks& q) {
    if (e != Encoding::hex) {
        append_json_string(out, encode(e, data, q));
        return;
    }
    static constexpr char kDigits[] = "0123456789abcdef";
    const std::size_t at = out.size() + 1;
    out.resize(at + 2 * data.size() + 1, '"');
    out[at - 1] = '"';
    for (std::size_t k = 0; k < data.size(); ++k) {
        out[at + 2 * k] = kDigits[data[k] >> 4];
        out[at + 2 * k + 1] = kDigits[data[k] & 15];
    }
}

}  // namespace

std::string write_json_frame(const Sealed& s, Encoding e, const CodecQuirks& q) {
    // dump_json of {"ciphertext": ..., "tag": ..., "nonce": ...}, written directly.
    std::string out;
    out.reserve(48 + 2 * (s.ciphertext.size() + s.tag.size() + s.nonce.size()));
    out += "{\"ciphertext\": ";
    append_field(out, s.ciphertext, e, q);
    out += ", \"tag\": ";
    append_field(out, s.tag, e, q);
    out += ", \"nonce\": ";
    append_field(out, s.nonce, e, q);
    out.push_back('}');
    return out;
}

Result<Sealed> parse_json_frame(ByteView text, Encoding e, const CodecQuirks& q) {
    SK_TRY(Json j, parse_json(text));
    return sealed_from_json(j, text.size(), e, q);
}

Result<Sealed> sealed_from_json(const Json& j, std::size_t text_size, Encoding e, const CodecQuirks& q) {
    if (!j.is_object()) {
        return fail(Error::wrong_type, "encrypted frame is not a JSON object", j.offset);
    }
    Sealed s;
    bool have_ct = false;
    bool have_nonce = false;
    bool have_tag = false;
    for (const auto& m : j.members) {
        Bytes* field = nullptr;
        if (m.key == "ciphertext") {
            field = &s.ciphertext;
            have_ct = true;
        } else if (m.key == "tag") {
            field = &s.tag;
            have_tag = true;
        } else if (m.key == "nonce") {
            field = &s.nonce;
            have_nonce = true;
        } else {
            return fail(Error::unknown_type, "unknown key in an encrypted frame", m.key_offset);
        }
        if (!m.value.is_string()) {
            return fail(Error::wrong_type, "encrypted frame field is not a string", m.value.offset);
        }
        auto decoded = decode(e, m.value.s, q);
        if (!decoded) {
            // Offsets inside the decoded string are relative to it; report the field's value.
            return fail(decoded.error(), decoded.failure().detail, m.value.offset);
        }
        *field = std::move(*decoded);
    }
    if (!have_ct || !have_nonce) {
        return fail(Error::decode_error, "encrypted frame lacks ciphertext or nonce", text_size);
    }
    if (!have_tag) {
        if (s.ciphertext.size() < kTagSize) {
            return fail(Error::truncated, "ciphertext too short to hold the tag", text_size);
        }
        s.tag.assign(s.ciphertext.end() - kTagSize, s.ciphertext.end());
        s.ciphertext.resize(s.ciphertext.size() - kTagSize);
    }
    return s;
}

Bytes write_binary_frame(const Sealed& s) { return concat({s.nonce, s.ciphertext, s.tag}); }

Result<Sealed> parse_binary_frame(ByteView wire, Cipher c) {
    const std::size_t n = nonce_size(c);
    if (wire.size() < n + kTagSize) {
        return fail(Error::truncated, "binary frame shorter than nonce and tag", wire.size());
    }
    Sealed s;
    s.nonce.assign(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
    s.ciphertext.assign(wire.begin() + static_cast<std::ptrdiff_t>(n), wire.end() - kTagSize);
    s.tag.assign(wire.end() - kTagSize, wire.end());
    return s;
}

}  // namespace shakedown::hivemind
