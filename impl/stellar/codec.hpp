// Strict XDR codec for the handshake messages. Every parser has one shape: a chain of reads over
// the shared Reader ending in a check that every byte was consumed. Failure offsets count from the
// start of the span passed in.
#pragma once

#include "common/reader.hpp"
#include "common/writer.hpp"
#include "common/result.hpp"
#include "stellar/messages.hpp"

namespace shakedown::stellar {

[[nodiscard]] Result<AuthCert> parse_auth_cert(ByteView in);
[[nodiscard]] Result<Hello> parse_hello(ByteView in);
[[nodiscard]] Result<Auth> parse_auth(ByteView in);
[[nodiscard]] Result<ErrorMsg> parse_error(ByteView in);
[[nodiscard]] Result<Peers> parse_peers(ByteView in);
[[nodiscard]] Result<SendMoreExtended> parse_send_more_extended(ByteView in);
[[nodiscard]] Result<StellarMessage> parse_stellar_message(ByteView in);
[[nodiscard]] Result<AuthenticatedMessage> parse_authenticated_message(ByteView in);

[[nodiscard]] Bytes serialize(const AuthCert& m);
[[nodiscard]] Bytes serialize(const Hello& m);
[[nodiscard]] Bytes serialize(const Auth& m);
[[nodiscard]] Bytes serialize(const ErrorMsg& m);
[[nodiscard]] Bytes serialize(const Peers& m);
[[nodiscard]] Bytes serialize(const SendMoreExtended& m);
[[nodiscard]] Bytes serialize(const StellarMessage& m);
[[nodiscard]] Bytes serialize(const AuthenticatedMessage& m);

// Where a Hello starts inside a framed HELLO record: record mark (4), v (4), sequence (8),
// MessageType (4).
inline constexpr std::size_t kHelloInRecord = 20;

// Byte offsets of a Hello's fields in its XDR, counted from `origin` (0: the start of
// serialize(hello); kHelloInRecord: the start of the framed record), for tools that alter single
// fields on the wire. `mac` is where the AuthenticatedMessage MAC follows the Hello.
struct HelloLayout {
    std::size_t ledger, overlay, min, network, vstr_len, vstr, port, node_type, peer_id, cert_key, expiration,
        sig_len, sig, nonce, mac;
    explicit HelloLayout(const Hello& h, std::size_t origin = 0);
};

// Streaming forms used by the parsers above (exposed for composite messages and tests).
namespace detail {
[[nodiscard]] Result<AuthCert> read_auth_cert(Reader& r);
[[nodiscard]] Result<Hello> read_hello(Reader& r);
[[nodiscard]] Result<StellarMessage> read_stellar_message(Reader& r, std::size_t trailer);
void write_auth_cert(Writer& w, const AuthCert& m);
void write_hello(Writer& w, const Hello& m);
void write_stellar_message(Writer& w, const StellarMessage& m);
}  // namespace detail

}  // namespace shakedown::stellar
