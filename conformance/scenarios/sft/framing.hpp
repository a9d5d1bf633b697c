// SFT's transport for the runner: TCP, delimited as the reference machines delimit it
// (docs/protocols/sft.md §2, §4; impl/sft/machine.cpp).
//
// SFT has no framing of its own that spans the connection: the handshake is framed per profile
// (upstream-v2: every field u32be-prefixed; described: bare fixed-size messages, 64 bytes from
// the server, 96 from the client), and every later unit is a record whose 65-byte header carries
// its payload_len. A StreamFraming sees only the bytes not yet delivered, never the state of the
// connection, so this one tells the two apart by the record's magic:
//   - bytes that start with "SFTP" are a record: payload_len (offset 17) is judged as soon as it
//     is in, on the header alone and before a byte of payload is buffered: 0 or more than
//     10 MiB (V9), or a whole record over the transport's max_message, is a framing error at
//     once, as in the reference;
//   - anything else is the profile's handshake unit: in upstream-v2 one u32be-prefixed field
//     (LengthPrefixFraming; a zero prefix or one past any field's size is refused at the prefix),
//     in described the fixed-size message of the side that sends it.
// The magic cannot be mistaken in upstream-v2: a prefix starting with 'S' announces over 1 GiB
// and is refused either way. In described an ephemeral key starting with "SFTP" (2^-32) would be
// taken for a record header; a real connection would then be misframed for the runner, not for
// the reference, which frames by its own state. After the handshake, bytes without the magic are
// delivered in handshake-sized units, which the peer's machine then refuses (V8).
//
// The described handshake depends on who sends, which a listener and a connector know: the runner
// connecting is the client and receives the server's 64-byte D1; listening, it is the server and
// receives the client's 96-byte D2. upstream-v2 units do not depend on the sender.
#pragma once

#include <memory>

#include "conformance/runner/framing.hpp"
#include "conformance/runner/transport.hpp"
#include "sft/profile.hpp"

namespace shakedown::conformance::sft_scenarios {

enum class Sender : std::uint8_t { client, server };

// Largest upstream-v2 handshake field the runner buffers. The real fields are 32 to 64 bytes; a
// target's wrong-sized field up to this bound still arrives whole, so a scenario can grade it.
inline constexpr std::size_t kHandshakeFieldMax = 64 * 1024;

class SftFraming final : public StreamFraming {
public:
    SftFraming(sft::Profile profile, Sender from);
    [[nodiscard]] std::string name() const override;
    [[nodiscard]] Step step(ByteView buffered, std::size_t max_message) const override;
    // The honest framing of one handshake unit: upstream-v2 prefixes it with its u32be length;
    // described messages go as they are. Records delimit themselves (sft::seal_record builds them
    // whole), so their bytes are sent as given rather than through frame().
    [[nodiscard]] Bytes frame(ByteView payload) const override;

private:
    sft::Profile m_profile;
    Sender m_from;
    LengthPrefixFraming m_fields;
};

// Records: up to a maximal record (65-byte header + 10 MiB). A connection may carry several such
// records (a transfer) but the runner stops reading after max_total.
[[nodiscard]] TransportLimits transport_limits();

// connect(): the runner is the client (frames what the server sends); listen(): the server.
[[nodiscard]] std::shared_ptr<const TransportFactory> make_transport_factory(sft::Profile profile);

}  // namespace shakedown::conformance::sft_scenarios
