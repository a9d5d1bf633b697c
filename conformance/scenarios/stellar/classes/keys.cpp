#include "conformance/scenarios/stellar/classes/classes.hpp"
#include "vectors/gen/wycheproof.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

void add_keys(Builder& b) {
    // Every Wycheproof x25519_test.json public key whose shared secret is zero, named by the
    // first Wycheproof case that uses it.
    for (const auto& p : vectors::x25519_low_order_keys(vectors::default_wycheproof_dir())) {
        const ByteArray<32> point = p.key;
        auto spec = reject_case("keys.low-order-wycheproof-tc" + std::to_string(p.tc_id),
                             "AuthCert key " + to_hex(point) + ", validly signed",
                             "stellar.md, Cryptography: an all-zero X25519 output is an error (libsodium "
                             "crypto_scalarmult returns -1); Validation: drop",
                             Stage::start, hello_edit([point](Conn&, ss::Hello& h) { h.cert.pubkey = point; }));
        spec.reaction = cert_drop("zero or low-order key");
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
