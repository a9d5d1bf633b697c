// The encrypted channel after the handshake (docs/protocols/hivemind.md, "Encrypted channel"):
// AES-GCM with a 16-byte nonce or ChaCha20-Poly1305 with a 12-byte one, a 16-byte tag, no AAD,
// no sequence number. Text frames carry {"ciphertext", "tag", "nonce"} with each field in the
// negotiated encoding; binary frames carry nonce || ciphertext || tag.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "hivemind/codecs.hpp"

namespace shakedown::hivemind {

struct Json;

enum class Cipher : std::uint8_t { aes_gcm, chacha20_poly1305 };
[[nodiscard]] std::string_view wire_name(Cipher c) noexcept;  // "AES-GCM", "CHACHA20-POLY1305"
[[nodiscard]] std::optional<Cipher> cipher_from_wire(std::string_view name) noexcept;
[[nodiscard]] std::size_t nonce_size(Cipher c) noexcept;  // 16 or 12
inline constexpr std::size_t kTagSize = 16;

struct Sealed {
    Bytes nonce;
    Bytes ciphertext;
    Bytes tag;
    friend bool operator==(const Sealed&, const Sealed&) = default;
};

// invalid_argument for a key or nonce of a size the cipher does not take.
[[nodiscard]] Result<Sealed> seal(Cipher c, ByteView key, ByteView nonce, ByteView plaintext);
// bad_length for a nonce or tag of the wrong size, bad_mac when authentication fails.
[[nodiscard]] Result<Bytes> open(Cipher c, ByteView key, const Sealed& s);

[[nodiscard]] std::string write_json_frame(const Sealed& s, Encoding e, const CodecQuirks& q = {});
// Strict: a JSON object with exactly "ciphertext", "nonce" and optionally "tag" (string values);
// a missing tag means the last 16 bytes of the ciphertext are the tag (truncated when shorter).
// Field decoding errors are reported at the field value's offset in the text.
[[nodiscard]] Result<Sealed> parse_json_frame(ByteView text, Encoding e, const CodecQuirks& q = {});
// parse_json_frame on the already parsed `j` of a text `text_size` bytes long.
[[nodiscard]] Result<Sealed> sealed_from_json(const Json& j, std::size_t text_size, Encoding e,
                                              const CodecQuirks& q = {});

[[nodiscard]] Bytes write_binary_frame(const Sealed& s);
// nonce || ciphertext || tag with the cipher's nonce size; shorter than nonce + tag is truncated.
[[nodiscard]] Result<Sealed> parse_binary_frame(ByteView wire, Cipher c);

}  // namespace shakedown::hivemind
