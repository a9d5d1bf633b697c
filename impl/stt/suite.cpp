#include "stt/suite.hpp"

#include <sodium.h>

#include "common/crypto.hpp"
#include "common/ct.hpp"

namespace shakedown::stt {

Result<Bytes> xchacha20_poly1305_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
    crypto::ensure_initialized();
    if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
        nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES) {
        return fail(Error::invalid_argument, "XChaCha20-Poly1305 needs a 32-byte key and a 24-byte nonce");
    }
    Bytes out(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long out_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &out_len, plaintext.data(), plaintext.size(), aad.data(),
                                               aad.size(), nullptr, nonce.data(), key.data());
    out.resize(static_cast<std::size_t>(out_len));
    // Ciphertext and tag are made to be sent.
    ct::declassify(out.data(), out.size());
    return out;
}

Result<Bytes> xchacha20_poly1305_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
    crypto::ensure_initialized();
    if (key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
        nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES) {
        return fail(Error::invalid_argument, "XChaCha20-Poly1305 needs a 32-byte key and a 24-byte nonce");
    }
    if (sealed.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        return fail(Error::bad_mac, "ciphertext shorter than the tag");
    }
    Bytes out(sealed.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
    unsigned long long out_len = 0;
    const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &out_len, nullptr, sealed.data(),
                                                              sealed.size(), aad.data(), aad.size(), nonce.data(),
                                                              key.data());
    // The verdict of the tag check is public (the handshake goes on or stops), and so is the
    // plaintext length (the ciphertext's, less the tag); libsodium derives both from the verdict.
    ct::declassify(&out_len, sizeof out_len);
    if (ct::declassified(rc) != 0) {
        secure_wipe(out);
        return fail(Error::bad_mac, "XChaCha20-Poly1305 tag mismatch");
    }
    out.resize(static_cast<std::size_t>(out_len));
    return out;
}

ReferenceSuite::ReferenceSuite(ByteView shared_seed) {
    auto key = crypto::hkdf({}, shared_seed, as_bytes(kHandshakeKeyInfo), 32);
    // hkdf only fails for lengths over 255 * 32.
    if (key.ok()) {
        std::copy(key->begin(), key->end(), m_key.mut().begin());
        secure_wipe(*key);
    }
    ct::classify(m_key.mut());
}

ByteArray<32> ReferenceSuite::digest(std::initializer_list<ByteView> parts) const { return crypto::sha256(parts); }

Result<Sealed> ReferenceSuite::encrypt(ByteView plaintext, ByteView aad, Rng& rng) const {
    Sealed s;
    s.metadata.resize(kXNonceSize);
    rng.fill(s.metadata);
    SK_TRY(s.ciphertext, xchacha20_poly1305_seal(m_key.view(), s.metadata, aad, plaintext));
    return s;
}

Result<Bytes> ReferenceSuite::decrypt(ByteView ciphertext, ByteView metadata, ByteView aad) const {
    if (metadata.size() != kXNonceSize) {
        return fail(Error::bad_credentials, "metadata is not a 24-byte nonce");
    }
    auto r = xchacha20_poly1305_open(m_key.view(), metadata, aad, ciphertext);
    if (!r) {
        return fail(Error::bad_credentials, "does not open under the shared seed's key");
    }
    return r;
}

}  // namespace shakedown::stt
