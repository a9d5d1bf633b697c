// Stellar overlay authentication: AuthCert signing and verification, the ECDH shared key and the
// per-direction MAC keys (stellar-core src/overlay/PeerAuth.cpp), and message MACs.
#pragma once

#include "common/crypto.hpp"
#include "common/machine.hpp"
#include "stellar/messages.hpp"

namespace shakedown::stellar {

using shakedown::Role;

inline constexpr std::uint64_t kCertLifetimeSeconds = 3600;
inline constexpr std::string_view kTestNetworkPassphrase = "Test SDF Network ; September 2015";

[[nodiscard]] ByteArray<32> network_id(std::string_view passphrase);

// SHA-256(networkID || int32 ENVELOPE_TYPE_AUTH || uint64 expiration || pubkey): 76 bytes hashed.
[[nodiscard]] crypto::Digest cert_signing_hash(const ByteArray<32>& network, std::uint64_t expiration,
                                               const ByteArray<32>& ecdh_public);
[[nodiscard]] AuthCert make_cert(const crypto::Ed25519KeyPair& node, const ByteArray<32>& network,
                                 const ByteArray<32>& ecdh_public, std::uint64_t expiration);

struct CertPolicy {
    bool check_expiration = true;
    bool check_signature = true;
};
// PeerAuth::verifyRemoteAuthCert: expired if expiration < now (== now passes); the signature must
// be exactly 64 bytes and verify under the Hello's peerID with the verifier's own networkID.
[[nodiscard]] Result<void> verify_cert(const AuthCert& cert, const ByteArray<32>& peer_id,
                                       const ByteArray<32>& verifier_network, std::uint64_t now,
                                       CertPolicy policy = {});

// K = HMAC-SHA256(zero key, X25519(local, remote) || pub_A || pub_B), A = initiator on both sides.
[[nodiscard]] Result<Secret<32>> shared_key(Role local_role, const Secret<32>& local_secret,
                                            const ByteArray<32>& local_public, const ByteArray<32>& remote_public,
                                            bool allow_zero_secret = false);
// K from an X25519 output already computed: what shared_key does after the X25519 step. Graders
// use it to reproduce a peer's K, e.g. the all-zero output a low-order key gives.
[[nodiscard]] Secret<32> shared_key_from_dh(Role local_role, const Secret<32>& dh_output,
                                            const ByteArray<32>& local_public, const ByteArray<32>& remote_public);

struct MacKeys {
    Secret<32> send;
    Secret<32> recv;
};
// K_AB = HMAC(K, 0x00 || nonce_A || nonce_B || 0x01), K_BA = HMAC(K, 0x01 || nonce_B || nonce_A || 0x01).
// The initiator sends with K_AB and receives with K_BA; the acceptor the other way round.
// sender_view = true reproduces the seed document's reading (prefix chosen by direction, not by
// role), which breaks the acceptor; it exists only as a conformance knob.
[[nodiscard]] MacKeys mac_keys(Role local_role, const Secret<32>& shared, const ByteArray<32>& local_nonce,
                               const ByteArray<32>& remote_nonce, bool sender_view = false);

// HMAC-SHA256(key, uint64 sequence || xdr(StellarMessage)).
[[nodiscard]] ByteArray<32> message_mac(const Secret<32>& key, std::uint64_t sequence, ByteView stellar_message_xdr);

// The bytes of a received AuthenticatedMessage (v0) that its MAC covers after the sequence: the
// StellarMessage as received, between v (4) and sequence (8) and the trailing 32-byte MAC. Empty
// for input shorter than that envelope (it does not parse as an AuthenticatedMessage either).
[[nodiscard]] ByteView mac_covered_bytes(ByteView authenticated_message);

}  // namespace shakedown::stellar
