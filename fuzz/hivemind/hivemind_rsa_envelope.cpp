// RSA envelope opening with the fixed test keys (server signs, client decrypts): whatever opens
// holds a 32-byte secret under a signature that verifies.
#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "hivemind/auth.hpp"
#include "vectors/gen/hivemind/test_keys.hpp"

using namespace shakedown;
using namespace shakedown::hivemind;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto signer = crypto::RsaKey::from_pem(
        public_pem(crypto::RsaKey::from_pem(hivemind::vectors::test_key_pem("server_rsa2048")).value())).value();
    static const auto recipient = crypto::RsaKey::from_pem(hivemind::vectors::test_key_pem("client_rsa2048")).value();
    const ByteView in = fuzz::input_view(data, size);
    const auto r = open_rsa_envelope(hmfuzz::as_text(in), signer, recipient);
    if (!r) {
        hmfuzz::check_offset(r.failure(), size);
        return 0;
    }
    FUZZ_CHECK(r->size() == kRsaSecretSize);
    const Bytes raw = from_hex(hmfuzz::as_text(in)).value();
    FUZZ_CHECK(crypto::rsa_pss_verify(signer, crypto::Hash::sha256, crypto::Hash::sha256, 32, ByteView(raw).subspan(256),
                                      ByteView(raw).first(256)));
    return 0;
}
