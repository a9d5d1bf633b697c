// The relay key schedule that provisions a re-handshake's inputs (docs/protocols/shadowmesh.md §4):
// the master secret and the TX/RX session keys, in the deployed code's form and in the form the
// protocol document describes (so a peer that follows the document can be told apart), and the
// challenge MAC. In the harness the session keys are injected; these derivations serve vectors and
// tests.
#pragma once

#include "common/bytes.hpp"
#include "shadowmesh/messages.hpp"

namespace shakedown::shadowmesh {

// N bytes counting up from `first` (wrapping): the specification's example keys and identities.
template <std::size_t N>
[[nodiscard]] ByteArray<N> counting_bytes(std::uint8_t first) {
    ByteArray<N> a{};
    for (std::size_t i = 0; i < N; ++i) {
        a[i] = static_cast<std::uint8_t>(first + i);
    }
    return a;
}

using NodeId = ByteArray<32>;

struct SessionKeys {
    SessionId session_id{};
    Secret<32> tx;
    Secret<32> rx;
};

// Deployed code: HKDF-SHA256(IKM = kem_ss || ecdh_ss, salt = none (32 zero bytes),
// info = "ShadowMesh-v1-MasterSecret", L = 32).
[[nodiscard]] Secret<32> master_secret_code(const ByteArray<32>& kem_ss, const ByteArray<32>& ecdh_ss);
// Protocol document: salt "ShadowMesh-v1-KDF", info "handshake-master-secret".
[[nodiscard]] Secret<32> master_secret_document(const ByteArray<32>& kem_ss, const ByteArray<32>& ecdh_ss);

// Deployed code: TX = HKDF(master, salt "ShadowMesh-v1-Session",
// info "session-keys" || sid || local || remote); RX swaps local and remote. The client's local ID
// is its own, the relay's is the relay's, so client.TX = relay.RX.
[[nodiscard]] SessionKeys session_keys_code(const Secret<32>& master, const SessionId& sid, const NodeId& local,
                                            const NodeId& remote);
// Protocol document, read literally: tx = HKDF(master, salt "ShadowMesh-v1-TX", info sid || client ||
// relay), rx the same with salt "ShadowMesh-v1-RX". The info names no role, so both ends compute
// the same pair.
[[nodiscard]] SessionKeys session_keys_document(const Secret<32>& master, const SessionId& sid, const NodeId& client,
                                                const NodeId& relay);

// HMAC-SHA256 keyed with a session key over exactly the 32 challenge bytes (§4.2).
[[nodiscard]] Mac challenge_mac(const Secret<32>& key, const Challenge& challenge);
// Constant-time comparison of the first `compared` bytes (32 for the reference; fewer only under
// the mac-compare-16 bug knob).
[[nodiscard]] bool verify_challenge_mac(const Secret<32>& key, const Challenge& challenge, const Mac& received,
                                        std::size_t compared = kMacSize);

}  // namespace shakedown::shadowmesh
