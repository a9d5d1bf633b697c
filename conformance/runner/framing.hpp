// Generic stream framings a variant can use as is or compose into its own (StreamFraming,
// transport.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "conformance/runner/transport.hpp"

namespace shakedown::conformance {

// A length prefix before every message: 1, 2, 4 or 8 bytes, big or little endian, counting the
// payload alone or the prefix as well. The announced length is judged on the prefix alone, before
// a byte of the payload is buffered: over the bound (the smaller of `max_payload` and the
// transport's max_message, both counting the payload alone, as StreamTransport leaves room for a
// header beside its max_message), shorter than the prefix it claims to include, or zero when
// empty messages are not allowed, it is a framing error at once.
class LengthPrefixFraming final : public StreamFraming {
public:
    enum class Endian : std::uint8_t { big, little };
    struct Options {
        std::size_t width = 4;  // bytes of the prefix: 1, 2, 4 or 8
        Endian endian = Endian::big;
        bool counts_prefix = false;           // the length includes the prefix's own bytes
        std::size_t max_payload = 64 * 1024;  // the framing's own bound on a payload
        bool allow_empty = true;              // a zero-length payload is a message (else an error)
        std::string name = "length-prefix";
    };

    // Options with a width other than 1, 2, 4 or 8 are a programming error (std::invalid_argument).
    explicit LengthPrefixFraming(Options options);
    [[nodiscard]] std::string name() const override { return m_options.name; }
    [[nodiscard]] Step step(ByteView buffered, std::size_t max_message) const override;
    // The payload with its prefix. A payload the prefix cannot express is a programming error
    // (std::length_error): scenarios that want a wrong prefix build the bytes themselves.
    [[nodiscard]] Bytes frame(ByteView payload) const override;
    [[nodiscard]] const Options& options() const noexcept { return m_options; }

private:
    Options m_options;
};

}  // namespace shakedown::conformance
