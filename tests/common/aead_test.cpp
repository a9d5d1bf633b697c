// AES-256-GCM with a 96-bit IV and a 16-byte tag takes libsodium's AES-NI code where the CPU has
// it (impl/common/crypto.cpp). These properties hold it to OpenSSL's EVP interface, called here
// directly, for arbitrary keys, IVs, AAD and messages: the same ciphertext and tag, an open that
// inverts the seal, and any changed byte refused with the output wiped.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "common/crypto.hpp"

namespace shakedown {
namespace {

// ciphertext || tag from OpenSSL's EVP AES-256-GCM, with no code of the facade on the way.
Bytes evp_seal(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& msg) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    Bytes out(msg.size() + 16);
    int len = 0;
    int total = 0;
    const bool ok =
        ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(iv.size()), nullptr) == 1 &&
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data()) == 1 &&
        (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1) &&
        (msg.empty() || EVP_EncryptUpdate(ctx, out.data(), &total, msg.data(), static_cast<int>(msg.size())) == 1) &&
        EVP_EncryptFinal_ex(ctx, out.data() + total, &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + msg.size()) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? out : Bytes{};
}

Bytes sized(const std::vector<std::uint8_t>& v, std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = v.empty() ? static_cast<std::uint8_t>(i) : static_cast<std::uint8_t>(v[i % v.size()] + i / v.size());
    }
    return b;
}

RC_GTEST_PROP(AesGcm256, SealMatchesOpenSslEvp,
              (std::vector<std::uint8_t> key_seed, std::vector<std::uint8_t> iv_seed, std::vector<std::uint8_t> aad,
               std::vector<std::uint8_t> msg)) {
    const Bytes key = sized(key_seed, 32);
    const Bytes iv = sized(iv_seed, 12);
    const auto sealed = crypto::aes_gcm_seal(key, iv, aad, msg);
    RC_ASSERT(sealed.ok());
    const Bytes reference = evp_seal(key, iv, aad, msg);
    RC_ASSERT(!reference.empty());
    RC_ASSERT(*sealed == reference);
    const auto opened = crypto::aes_gcm_open(key, iv, aad, *sealed);
    RC_ASSERT(opened.ok());
    RC_ASSERT(*opened == Bytes(msg.begin(), msg.end()));
}

RC_GTEST_PROP(AesGcm256, AnyChangedByteIsRefusedAndTheOutputWiped,
              (std::vector<std::uint8_t> msg, std::vector<std::uint8_t> aad, std::size_t where, std::uint8_t mask)) {
    const Bytes key = sized({7}, 32);
    const Bytes iv = sized({9}, 12);
    const auto sealed = crypto::aes_gcm_seal(key, iv, aad, msg);
    RC_ASSERT(sealed.ok());
    Bytes changed = *sealed;
    changed[where % changed.size()] ^= static_cast<std::uint8_t>(mask == 0 ? 1 : mask);
    const auto opened = crypto::aes_gcm_open(key, iv, aad, changed);
    RC_ASSERT(!opened.ok());
    RC_ASSERT(opened.error() == Error::bad_mac);
    // In place, through the buffer API: the forged plaintext does not stay behind.
    Bytes buf(changed.begin(), changed.end() - 16);
    const Bytes tag(changed.end() - 16, changed.end());
    const auto r = crypto::aes_gcm_open_into(key, iv, aad, buf, tag, buf);
    RC_ASSERT(!r.ok());
    for (const std::uint8_t b : buf) {
        RC_ASSERT(b == 0);
    }
}

}  // namespace
}  // namespace shakedown
