// The seven field encodings of the encrypted channel (docs/protocols/hivemind.md, "Field
// encodings"). Encoders produce the one canonical form; decoders are strict: a character outside
// the alphabet is decode_error at its offset, a length no encoder produces is bad_length, a form
// that decodes but is not what the encoder would write (uppercase hex, non-zero trailing bits,
// missing padding, a basE91 tail the encoder never emits) is non_canonical.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown::hivemind {

enum class Encoding : std::uint8_t { hex, b64, urlsafe_b64, b32, b91, z85b, z85p };
inline constexpr std::size_t kEncodingCount = 7;

// Wire names: "JSON-HEX", "JSON-B64", "JSON-URLSAFE-B64", "JSON-B32", "JSON-B91", "JSON-Z85B",
// "JSON-Z85P".
[[nodiscard]] std::string_view wire_name(Encoding e) noexcept;
[[nodiscard]] std::optional<Encoding> encoding_from_wire(std::string_view name) noexcept;
[[nodiscard]] std::span<const Encoding> all_encodings() noexcept;

// Departures of the pinned upstream codecs, for bug knobs (all off: the strict reference).
struct CodecQuirks {
    bool hex_accepts_uppercase = false;  // upstream unhexlify
    bool lax_base64 = false;             // upstream b64decode without validation
    bool b91_zero_table = false;         // characters outside the alphabet decode as 'A'
    bool b91_compiled_alphabet = false;  // the 91 bytes the C source really compiles
    bool z85p_broken = false;            // cannot decode JSON-Z85P at all
};

[[nodiscard]] std::string encode(Encoding e, ByteView data, const CodecQuirks& q = {});
[[nodiscard]] Result<Bytes> decode(Encoding e, std::string_view text, const CodecQuirks& q = {});

// The alphabets, exposed for tests and documentation.
inline constexpr std::string_view kB91Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,./:;<=>?@[]^_`{|}~\"";
inline constexpr std::string_view kB91CompiledAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[\\]^_`{|}";
inline constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

}  // namespace shakedown::hivemind
