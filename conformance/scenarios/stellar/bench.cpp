// Stellar's handshake benchmark case (registry BenchCase): one complete handshake, both roles in
// memory, and exactly the primitive operations it performs. bench/handshake_bench prints the ratio.
#include "conformance/scenarios/stellar/bench.hpp"

#include <atomic>
#include <cstdlib>

#include "common/crypto.hpp"
#include "stellar/handshake.hpp"

namespace shakedown::stellar {

namespace {

constexpr std::uint64_t kNow = 1767225600;

// Keeps a result alive without a benchmark library in this folder.
template <class T>
void keep(const T& v) {
    static std::atomic<std::size_t> sink{0};
    sink.fetch_add(sizeof(v), std::memory_order_relaxed);
    asm volatile("" : : "g"(&v) : "memory");
}

HandshakeConfig config(Role role, std::uint8_t tag) {
    HandshakeConfig c;
    c.role = role;
    c.node_seed.fill(tag);
    return c;
}

void one_handshake() {
    const FixedClock clock(kNow);
    const HandshakeConfig ci = config(Role::initiator, 1);
    const HandshakeConfig ca = config(Role::acceptor, 2);
    {
        ScriptedRng ri(Bytes(64, 3));
        ScriptedRng ra(Bytes(64, 4));
        Handshake a(ci, ri, clock);
        Handshake b(ca, ra, clock);
        a.start();
        while (a.next_action() == Action::send || b.next_action() == Action::send) {
            b.receive(a.take_output());
            a.receive(b.take_output());
        }
        if (!a.authenticated() || !b.authenticated()) {
            std::abort();  // a benchmark of a broken handshake would measure nothing
        }
        keep(a.keys().has_value());
    }
}

// Exactly the primitive calls of one handshake, both roles: per side a node key pair from its
// seed, the networkID hash, an X25519 public key, a cert signature (hash + sign), the remote
// cert's verification (hash + verify), one X25519, the shared key HMAC and two MAC-key HMACs;
// and the 5 MACs sent and 5 verified across both sides (AUTH x2, PEERS, SEND_MORE_EXTENDED x2).
void primitive_sum() {
    ByteArray<32> seed_a{};
    seed_a.fill(1);
    ByteArray<32> seed_b{};
    seed_b.fill(2);
    Secret<32> x_a(ByteArray<32>{3});
    Secret<32> x_b(ByteArray<32>{4});
    const ByteArray<32> zero{};
    const Bytes cert_payload(76, 5);
    const Bytes mac_input(8 + 8, 6);
    {
        for (int side = 0; side < 2; ++side) {
            const auto node = crypto::ed25519_from_seed(side == 0 ? seed_a : seed_b);
            keep(crypto::sha256(as_bytes(kTestNetworkPassphrase)));
            const auto pub = crypto::x25519_public(side == 0 ? x_a : x_b);
            const auto hash = crypto::sha256(cert_payload);
            const auto sig = crypto::ed25519_sign(node, hash);
            const auto verify_hash = crypto::sha256(cert_payload);
            keep(crypto::ed25519_verify(node.public_key, verify_hash, sig));
            auto shared = crypto::x25519(side == 0 ? x_a : x_b, pub);
            const auto k = crypto::hmac_sha256(zero, {shared->view(), pub, pub});
            keep(crypto::hmac_sha256(k, {ByteView(zero), ByteView(pub)}));
            keep(crypto::hmac_sha256(k, {ByteView(zero), ByteView(pub)}));
        }
        for (int m = 0; m < 10; ++m) {
            keep(crypto::hmac_sha256(zero, mac_input));
        }
    }
}

}  // namespace

std::vector<registry::BenchCase> bench_cases() {
    return {registry::BenchCase{"stellar/handshake", one_handshake, primitive_sum}};
}

}  // namespace shakedown::stellar
