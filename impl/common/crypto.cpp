#include "common/crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "common/ct.hpp"
#include "common/slot_memo.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
#if !defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
#error "SHAKEDOWN_FUZZ_MEMO_CRYPTO exists for fuzz builds only (SHAKEDOWN_FUZZ=ON defines both)"
#endif
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#endif

namespace shakedown::crypto {

#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
// Fuzz builds only (in the spirit of BoringSSL's FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION): a
// state-machine target runs an honest peer that repeats the same key generation, signatures,
// verifications and X25519 on every input. Each result is remembered under every byte of its
// inputs, so anything the fuzzer changed is computed afresh: a flipped bit in a signature, key or
// signed message is still verified, never looked up.
namespace {

// Remembered values under their keys (impl/common/slot_memo.hpp).
class Memo {
public:
    [[nodiscard]] const Bytes* find(const Bytes& key) const { return m_table.find(key); }
    void put(const Bytes& key, ByteView value) { m_table.put(key).assign(value.begin(), value.end()); }

private:
    fuzz::SlotMemo<Bytes> m_table{4096, 128};
};

// A key built in a buffer from a small per-thread pool, so that a lookup which hits allocates
// nothing; the map copies it only when it remembers a new value.
class MemoKey {
public:
    explicit MemoKey(std::size_t size) {
        auto& free = pool();
        if (!free.empty()) {
            m_bytes = std::move(free.back());
            free.pop_back();
        }
        m_bytes.resize(size);
    }
    MemoKey(MemoKey&& other) noexcept : m_bytes(std::move(other.m_bytes)) {}
    MemoKey(const MemoKey&) = delete;
    MemoKey& operator=(const MemoKey&) = delete;
    MemoKey& operator=(MemoKey&&) = delete;
    ~MemoKey() {
        auto& free = pool();
        if (m_bytes.capacity() != 0 && m_bytes.capacity() <= kMaxPooled && free.size() < kPoolSize) {
            free.push_back(std::move(m_bytes));
        }
    }
    // NOLINTNEXTLINE(google-explicit-constructor): used wherever the map takes its key
    operator const Bytes&() const noexcept { return m_bytes; }
    std::uint8_t& operator[](std::size_t i) noexcept { return m_bytes[i]; }
    [[nodiscard]] std::uint8_t* data() noexcept { return m_bytes.data(); }

private:
    static constexpr std::size_t kPoolSize = 16;
    static constexpr std::size_t kMaxPooled = 16384;
    static std::vector<Bytes>& pool() {
        thread_local std::vector<Bytes> free;
        return free;
    }
    Bytes m_bytes;
};

// The key: an operation tag and each input (those of `parts`, then of `more`), length-prefixed so
// that no two inputs collide.
MemoKey memo_key(std::uint8_t op, std::initializer_list<ByteView> parts, std::initializer_list<ByteView> more = {}) {
    std::size_t total = 1;
    for (const auto& list : {parts, more}) {
        for (const ByteView p : list) {
            total += 8 + p.size();
        }
    }
    MemoKey key(total);
    key[0] = op;
    std::size_t at = 1;
    for (const auto& list : {parts, more}) {
        for (const ByteView p : list) {
            const std::uint64_t n = p.size();
            for (int i = 0; i < 8; ++i) {
                key[at++] = static_cast<std::uint8_t>(n >> (8 * i));
            }
            if (!p.empty()) {
                std::memcpy(key.data() + at, p.data(), p.size());
            }
            at += p.size();
        }
    }
    return key;
}

Memo& memo() {
    thread_local Memo m;
    return m;
}

enum : std::uint8_t {
    kEd25519FromSeed,
    kEd25519Sign,
    kEd25519Verify,
    kX25519Public,
    kX25519,
    kRsaOaepEncrypt,
    kRsaOaepDecrypt,
    kRsaPssSign,
    kRsaPssVerify,
    kRsaRaw,
    kRsaPublicPem,
    kRsaPublicFacts,
    kDecodeKey,
    kSha256,
    kHmacSha256,
    kPbkdf2,
};

// SHA-256 is remembered for inputs from kSha256MemoMin to kSha256MemoMax bytes: below, hashing the
// memo key saves nothing; above, the entries would hold too much memory. HMAC-SHA256 (at least
// four compressions) is remembered for key and message up to kSha256MemoMax bytes.
constexpr std::size_t kSha256MemoMin = 1024;
constexpr std::size_t kSha256MemoMax = 8192;

// Decoded keys by their encoding, and each key's public DER by its EVP_PKEY. Each entry holds a
// reference to its key, so no pointer used as a name here is freed (and reused) while it is one.
class KeyCache {
public:
    KeyCache() = default;
    KeyCache(const KeyCache&) = delete;
    KeyCache& operator=(const KeyCache&) = delete;
    ~KeyCache() { clear(); }

    // A new reference to the key decoded from `id` before, or nullptr.
    [[nodiscard]] EVP_PKEY* decoded(const Bytes& id) const {
        const auto it = m_decoded.find(id);
        if (it == m_decoded.end() || EVP_PKEY_up_ref(it->second) != 1) {
            return nullptr;
        }
        return it->second;
    }
    void put_decoded(Bytes id, EVP_PKEY* key) {
        if (m_decoded.size() + m_der.size() >= kMaxEntries) {
            clear();  // mutated keys would otherwise grow it without bound
        }
        if (EVP_PKEY_up_ref(key) == 1) {
            m_decoded.emplace(std::move(id), key);
        }
    }
    // The key's public DER, and its SHA-256 (the key's name in memo keys).
    struct Der {
        EVP_PKEY* key = nullptr;
        Bytes der;
        ByteArray<crypto_hash_sha256_BYTES> digest{};
    };
    [[nodiscard]] const Der* der(const EVP_PKEY* key) const {
        const auto it = m_der.find(key);
        return it == m_der.end() ? nullptr : &it->second;
    }
    void put_der(EVP_PKEY* key, Bytes der) {
        if (m_decoded.size() + m_der.size() >= kMaxEntries) {
            clear();
        }
        if (EVP_PKEY_up_ref(key) == 1) {
            Der entry{key, std::move(der), {}};
            crypto_hash_sha256(entry.digest.data(), entry.der.data(), entry.der.size());
            m_der.emplace(key, std::move(entry));
        }
    }

private:
    void clear() {
        for (auto& [id, key] : m_decoded) {
            EVP_PKEY_free(key);
        }
        for (auto& [name, entry] : m_der) {
            EVP_PKEY_free(entry.key);
        }
        m_decoded.clear();
        m_der.clear();
    }

    static constexpr std::size_t kMaxEntries = 256;
    std::map<Bytes, EVP_PKEY*> m_decoded;
    std::map<const EVP_PKEY*, Der> m_der;
};

KeyCache& key_cache() {
    thread_local KeyCache c;
    return c;
}

// An RSA key as memo input: whether it is private, then the SHA-256 of its SubjectPublicKeyInfo
// (DER), found by the key's EVP_PKEY after the first time.
ByteArray<1 + crypto_hash_sha256_BYTES> rsa_identity(const RsaKey& key) {
    ByteArray<1 + crypto_hash_sha256_BYTES> out{};
    out[0] = static_cast<std::uint8_t>(key.has_private() ? 1 : 0);
    const auto* p = static_cast<const EVP_PKEY*>(key.native());
    if (p == nullptr) {
        return out;
    }
    if (const KeyCache::Der* known = key_cache().der(p)) {
        std::copy(known->digest.begin(), known->digest.end(), out.begin() + 1);
        return out;
    }
    const Bytes der = rsa_public_der(key);  // remembered with its digest, when the cache takes it
    crypto_hash_sha256(out.data() + 1, der.data(), der.size());
    return out;
}

// The RSA parameters of an operation as one memo input.
ByteArray<6> rsa_params(Hash hash, Hash mgf1, int salt_len) {
    const auto s = static_cast<std::uint32_t>(salt_len);
    return {static_cast<std::uint8_t>(hash), static_cast<std::uint8_t>(mgf1), static_cast<std::uint8_t>(s >> 24), static_cast<std::uint8_t>(s >> 16),
            static_cast<std::uint8_t>(s >> 8), static_cast<std::uint8_t>(s)};
}

// The remembered result of the operation behind `id`, or `compute()`'s, remembered when it succeeds.
template <class Compute>
Result<Bytes> memoised(MemoKey id, Compute&& compute) {
    if (const auto hit = memo().find(id)) {
        return *hit;
    }
    auto fresh = compute();
    if (fresh) {
        memo().put(std::move(id), *fresh);
    }
    return fresh;
}

}  // namespace
#endif

void ensure_initialized() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) {
            std::abort();  // libsodium cannot run on this machine; nothing sensible can follow
        }
    });
}

Digest sha256(ByteView data) { return sha256({data}); }

Digest sha256(std::initializer_list<ByteView> parts) {
    ensure_initialized();
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // Longer inputs only (a file's digest, asked for again on every input): hashing the memo key
    // costs less than SHA-256 there; other inputs are computed as they come.
    std::size_t total = 0;
    for (const auto& p : parts) {
        total += p.size();
    }
    std::optional<MemoKey> key;
    if (total >= kSha256MemoMin && total <= kSha256MemoMax) {
        key.emplace(memo_key(kSha256, parts));
        if (const auto hit = memo().find(*key)) {
            Digest out{};
            std::copy(hit->begin(), hit->end(), out.begin());
            return out;
        }
    }
#endif
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (const auto& p : parts) {
        crypto_hash_sha256_update(&st, p.data(), p.size());
    }
    Digest out{};
    crypto_hash_sha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    if (key) {
        memo().put(std::move(*key), out);
    }
#endif
    return out;
}

Digest hmac_sha256(ByteView key, ByteView data) { return hmac_sha256(key, {data}); }

Digest hmac_sha256(ByteView key, std::initializer_list<ByteView> parts) {
    ensure_initialized();
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // An HMAC a verifier compares with the tag it received is looked up by the key and the message
    // it was computed over, never by the tag: a changed tag still fails the comparison, a changed
    // message is a different entry.
    std::size_t total = key.size();
    for (const auto& p : parts) {
        total += p.size();
    }
    std::optional<MemoKey> id;
    if (total <= kSha256MemoMax) {
        id.emplace(memo_key(kHmacSha256, {key}, parts));
        if (const auto hit = memo().find(*id)) {
            Digest out{};
            std::copy(hit->begin(), hit->end(), out.begin());
            return out;
        }
    }
#endif
    crypto_auth_hmacsha256_state st;
    // libsodium declares the key nonnull even when keylen is 0, and an empty span's data() may be
    // null (an empty HKDF salt does this); passing it would be undefined behaviour.
    static const unsigned char kNoKey = 0;
    crypto_auth_hmacsha256_init(&st, key.empty() ? &kNoKey : key.data(), key.size());
    for (const auto& p : parts) {
        crypto_auth_hmacsha256_update(&st, p.data(), p.size());
    }
    Digest out{};
    crypto_auth_hmacsha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    if (id) {
        memo().put(*id, out);
    }
#endif
    return out;
}

bool hmac_sha256_verify(ByteView key, ByteView data, ByteView tag) {
    if (tag.empty() || tag.size() > 32) {
        return false;
    }
    Digest full = hmac_sha256(key, data);
    // The verdict of a tag check is public: the protocol goes on or aborts.
    const bool good = ct::declassified(ct_equal(ByteView(full).first(tag.size()), tag));
    secure_wipe(full);
    return good;
}

Digest hkdf_extract(ByteView salt, ByteView ikm) {
    // RFC 5869 2.2: an absent salt is HashLen zero bytes; HMAC pads short keys with zeros anyway.
    return hmac_sha256(salt, ikm);
}

Result<Bytes> hkdf_expand(ByteView prk, ByteView info, std::size_t length) {
    if (length > 255 * 32) {
        return fail(Error::invalid_argument, "HKDF-SHA256 output longer than 255 blocks");
    }
    Bytes out;
    out.reserve(length);
    Digest t{};
    std::size_t t_len = 0;
    for (std::uint8_t counter = 1; out.size() < length; ++counter) {
        const std::uint8_t c[1] = {counter};
        t = hmac_sha256(prk, {ByteView(t).first(t_len), info, ByteView(c)});
        t_len = t.size();
        const std::size_t take = std::min(t.size(), length - out.size());
        out.insert(out.end(), t.begin(), t.begin() + static_cast<std::ptrdiff_t>(take));
    }
    secure_wipe(t);
    return out;
}

Result<Bytes> hkdf(ByteView salt, ByteView ikm, ByteView info, std::size_t length) {
    Digest prk = hkdf_extract(salt, ikm);
    auto out = hkdf_expand(prk, info, length);
    secure_wipe(prk);
    return out;
}

ByteArray<32> x25519_public(const Secret<32>& secret) {
    ensure_initialized();
    ByteArray<32> pub{};
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    MemoKey key = memo_key(kX25519Public, {secret.view()});
    if (const auto hit = memo().find(key)) {
        std::copy(hit->begin(), hit->end(), pub.begin());
        return pub;
    }
    crypto_scalarmult_base(pub.data(), secret.view().data());
    memo().put(std::move(key), pub);
#else
    crypto_scalarmult_base(pub.data(), secret.view().data());
#endif
    // A public key is public, although computed from a secret.
    ct::declassify(pub.data(), pub.size());
    return pub;
}

Result<Secret<32>> x25519(const Secret<32>& secret, ByteView peer_public) {
    ensure_initialized();
    if (peer_public.size() != crypto_scalarmult_BYTES) {
        return fail(Error::bad_length, "X25519 public key is not 32 bytes");
    }
    Secret<32> shared;
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    MemoKey key = memo_key(kX25519, {secret.view(), peer_public});
    if (const auto hit = memo().find(key)) {
        std::copy(hit->begin(), hit->end(), shared.mut().begin());
        return shared;
    }
#endif
    // Whether the shared secret is all zero is public: the handshake aborts on it. libsodium
    // computes it without a branch; the result is declassified before we branch on it.
    if (ct::declassified(crypto_scalarmult(shared.mut().data(), secret.view().data(), peer_public.data())) != 0) {
        return fail(Error::weak_key, "X25519 shared secret is all zero (low-order public key)");
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    memo().put(std::move(key), shared.view());  // successes only: a failure is recomputed
#endif
    return shared;
}

Ed25519KeyPair ed25519_from_seed(const ByteArray<32>& seed) {
    ensure_initialized();
    Ed25519KeyPair kp;
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    MemoKey key = memo_key(kEd25519FromSeed, {seed});
    if (const auto hit = memo().find(key)) {
        std::copy(hit->begin(), hit->begin() + 32, kp.public_key.begin());
        std::copy(hit->begin() + 32, hit->end(), kp.secret_key.mut().begin());
        return kp;
    }
    crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.mut().data(), seed.data());
    Bytes value(kp.public_key.begin(), kp.public_key.end());
    value.insert(value.end(), kp.secret_key.view().begin(), kp.secret_key.view().end());
    memo().put(std::move(key), value);
#else
    crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.mut().data(), seed.data());
#endif
    // The public key is public; the second half of the libsodium secret key is the same bytes.
    ct::declassify(kp.public_key.data(), kp.public_key.size());
    return kp;
}

ByteArray<64> ed25519_sign(const Ed25519KeyPair& key, ByteView message) {
    ensure_initialized();
    ByteArray<64> sig{};
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    MemoKey memo_id = memo_key(kEd25519Sign, {key.secret_key.view(), message});
    if (const auto hit = memo().find(memo_id)) {
        std::copy(hit->begin(), hit->end(), sig.begin());
        return sig;
    }
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), key.secret_key.view().data());
    memo().put(std::move(memo_id), sig);
#else
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), key.secret_key.view().data());
#endif
    // A signature is made to be sent.
    ct::declassify(sig.data(), sig.size());
    return sig;
}

bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
    ensure_initialized();
    if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
        return false;
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // Keyed on the key, the message and the signature: the same triple has the same answer.
    MemoKey key = memo_key(kEd25519Verify, {public_key, message, signature});
    if (const auto hit = memo().find(key)) {
        return (*hit)[0] == 1;
    }
    const bool ok =
        crypto_sign_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) == 0;
    const std::uint8_t answer = ok ? 1 : 0;
    memo().put(std::move(key), ByteView(&answer, 1));
    return ok;
#else
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) == 0;
#endif
}

const EVP_MD* openssl_digest(Hash h) {
    static const EVP_MD* const mds[] = {EVP_MD_fetch(nullptr, "SHA1", nullptr), EVP_MD_fetch(nullptr, "SHA224", nullptr),
                                        EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_fetch(nullptr, "SHA384", nullptr),
                                        EVP_MD_fetch(nullptr, "SHA512", nullptr)};
    const auto i = static_cast<std::size_t>(h);
    return i < std::size(mds) ? mds[i] : nullptr;
}

namespace {

struct PkeyCtx {
    EVP_PKEY_CTX* p = nullptr;
    ~PkeyCtx() { EVP_PKEY_CTX_free(p); }
};
struct MdCtx {
    EVP_MD_CTX* p = EVP_MD_CTX_new();
    ~MdCtx() { EVP_MD_CTX_free(p); }
};

// OpenSSL keeps why a call failed in a per-thread queue, with copies of its strings. Each function
// here that calls OpenSSL reports a failure through its own result and leaves that queue empty on
// the way out, so that no error is read later as another call's, and no queue entry (heap memory)
// outlives the call that made it.
class OpenSslErrorScope {
public:
    OpenSslErrorScope() = default;
    OpenSslErrorScope(const OpenSslErrorScope&) = delete;
    OpenSslErrorScope& operator=(const OpenSslErrorScope&) = delete;
    ~OpenSslErrorScope() {
        if (ERR_peek_error() != 0) {
            ERR_clear_error();
        }
    }
};

int as_int(std::size_t n) { return n > 0x7fffffff ? -1 : static_cast<int>(n); }

// The cipher context of one AEAD call. Contexts are kept per thread and cipher from call to call:
// making one and fetching the cipher's implementation cost more than a short seal or open. Each
// call keys the context afresh, and on the way out keys it with zeros, so that no key schedule
// outlives the call that needed it. A thread with more ciphers than slots makes its own context.
class AeadContext {
public:
    explicit AeadContext(const EVP_CIPHER* cipher) {
        if (Slot* slot = cached(cipher)) {
            m_ctx = slot->ctx;
            m_iv_len = &slot->iv_len;
        }
        if (m_ctx == nullptr) {
            m_owned = EVP_CIPHER_CTX_new();
            if (m_owned != nullptr && EVP_CipherInit_ex(m_owned, cipher, nullptr, nullptr, nullptr, 1) == 1) {
                m_ctx = m_owned;
            }
        }
    }
    AeadContext(const AeadContext&) = delete;
    AeadContext& operator=(const AeadContext&) = delete;
    ~AeadContext() {
        if (m_ctx != nullptr && m_owned == nullptr) {
            static constexpr std::array<std::uint8_t, EVP_MAX_KEY_LENGTH> kZeros{};
            (void)EVP_CipherInit_ex(m_ctx, nullptr, nullptr, kZeros.data(), nullptr, 1);
        }
        EVP_CIPHER_CTX_free(m_owned);
    }
    // Null when no context could be made.
    [[nodiscard]] EVP_CIPHER_CTX* get() const noexcept { return m_ctx; }

    // Sets the IV length for the next init. A kept context remembers the length it was last set
    // to, and the control call (a provider parameter lookup in OpenSSL 3) is made only when the
    // length changes; keying with zeros on the way out leaves the IV length as it was.
    [[nodiscard]] bool set_iv_len(int n) {
        if (m_iv_len != nullptr && *m_iv_len == n) {
            return true;
        }
        const bool set = EVP_CIPHER_CTX_ctrl(m_ctx, EVP_CTRL_AEAD_SET_IVLEN, n, nullptr) == 1;
        if (m_iv_len != nullptr) {
            *m_iv_len = set ? n : -1;
        }
        return set;
    }

private:
    struct Slot {
        const EVP_CIPHER* cipher = nullptr;
        EVP_CIPHER_CTX* ctx = nullptr;
        int iv_len = -1;  // the IV length last set on ctx; -1 when not known
    };

    static Slot* cached(const EVP_CIPHER* cipher) {
        struct Slots {
            std::array<Slot, 6> slots{};
            Slots() = default;
            Slots(const Slots&) = delete;
            Slots& operator=(const Slots&) = delete;
            ~Slots() {
                for (const Slot& s : slots) {
                    EVP_CIPHER_CTX_free(s.ctx);
                }
            }
        };
        thread_local Slots cache;
        for (Slot& s : cache.slots) {
            if (s.cipher == cipher) {
                return &s;
            }
            if (s.cipher == nullptr) {
                EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
                if (ctx == nullptr || EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, 1) != 1) {
                    EVP_CIPHER_CTX_free(ctx);
                    return nullptr;
                }
                s = Slot{cipher, ctx, -1};
                return &s;
            }
        }
        return nullptr;
    }

    EVP_CIPHER_CTX* m_ctx = nullptr;
    EVP_CIPHER_CTX* m_owned = nullptr;
    int* m_iv_len = nullptr;  // the kept context's remembered IV length; null for an own context
};

// AES-256-GCM with a 96-bit IV and a full 16-byte tag, the shape SFT's records and most protocols
// use, goes through libsodium's AES-NI implementation when the CPU has AES-NI and PCLMULQDQ: the
// same function (the Wycheproof vectors run through it), with no provider parameter lookups and no
// context to key and wipe again, and it keeps its key schedule on its own stack and wipes it.
// Any other key size, IV length or tag length, or a CPU without those instructions, takes OpenSSL.
bool sodium_gcm_applies(const EVP_CIPHER* cipher, ByteView iv, std::size_t tag_len) {
    static const bool available = [] {
        ensure_initialized();
        return crypto_aead_aes256gcm_is_available() == 1;
    }();
    return available && cipher == EVP_aes_256_gcm() && iv.size() == crypto_aead_aes256gcm_NPUBBYTES &&
           tag_len == crypto_aead_aes256gcm_ABYTES;
}

// libsodium reads no byte of an empty input, but wants a pointer all the same.
const unsigned char* some_pointer(ByteView b) noexcept {
    static const unsigned char kNothing = 0;
    return b.empty() ? &kNothing : b.data();
}

Result<void> sodium_gcm_seal_into(ByteView key, ByteView iv, ByteView aad, ByteView pt, std::span<std::uint8_t> ct_out,
                                  std::span<std::uint8_t> tag_out) {
    unsigned long long tag_len = 0;
    unsigned char scratch = 0;
    unsigned char* const out = ct_out.empty() ? &scratch : ct_out.data();
    if (crypto_aead_aes256gcm_encrypt_detached(out, tag_out.data(), &tag_len, some_pointer(pt), pt.size(),
                                               some_pointer(aad), aad.size(), nullptr, iv.data(), key.data()) != 0 ||
        tag_len != tag_out.size()) {
        return fail(Error::crypto_failure, "AES-GCM seal");
    }
    // Ciphertext and tag are made to be sent.
    ct::declassify(ct_out);
    ct::declassify(tag_out);
    return ok();
}

Result<void> sodium_gcm_open_into(ByteView key, ByteView iv, ByteView aad, ByteView ct, ByteView tag,
                                  std::span<std::uint8_t> pt_out) {
    unsigned char scratch = 0;
    unsigned char* const out = pt_out.empty() ? &scratch : pt_out.data();
    // libsodium compares the tag in constant time and zeroes the output when it does not verify.
    // The verdict is public: the protocol goes on or aborts.
    if (ct::declassified(crypto_aead_aes256gcm_decrypt_detached(out, nullptr, some_pointer(ct), ct.size(), tag.data(),
                                                                some_pointer(aad), aad.size(), iv.data(),
                                                                key.data())) != 0) {
        secure_wipe(pt_out);
        return fail(Error::bad_mac, "AEAD tag does not verify");
    }
    return ok();
}

// One AEAD routine for both ciphers: OpenSSL's GCM and ChaCha20-Poly1305 share the control API.
// Writes pt.size() bytes of ciphertext to `ct_out` (pt itself, or memory that overlaps neither pt
// nor aad) and tag_out.size() bytes of tag.
Result<void> aead_seal_into(const EVP_CIPHER* cipher, ByteView key, ByteView iv, ByteView aad, ByteView pt,
                            std::span<std::uint8_t> ct_out, std::span<std::uint8_t> tag_out) {
    const OpenSslErrorScope openssl_errors;
    if (ct_out.size() != pt.size()) {
        return fail(Error::invalid_argument, "AEAD output size");
    }
    if (sodium_gcm_applies(cipher, iv, tag_out.size())) {
        return sodium_gcm_seal_into(key, iv, aad, pt, ct_out, tag_out);
    }
    AeadContext context(cipher);
    EVP_CIPHER_CTX* const ctx = context.get();
    if (ctx == nullptr || as_int(pt.size()) < 0 || as_int(aad.size()) < 0) {
        return fail(Error::crypto_failure, "cipher context");
    }
    int len = 0;
    if (!context.set_iv_len(as_int(iv.size())) || EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data()) != 1) {
        return fail(Error::invalid_argument, "AEAD key or IV rejected");
    }
    if (!aad.empty() && EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), as_int(aad.size())) != 1) {
        return fail(Error::crypto_failure, "AEAD AAD");
    }
    int written = 0;
    if (!pt.empty()) {
        if (EVP_EncryptUpdate(ctx, ct_out.data(), &len, pt.data(), as_int(pt.size())) != 1) {
            return fail(Error::crypto_failure, "AEAD encrypt");
        }
        written = len;
    }
    if (EVP_EncryptFinal_ex(ctx, ct_out.data() + written, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, as_int(tag_out.size()), tag_out.data()) != 1) {
        return fail(Error::crypto_failure, "AEAD tag");
    }
    // Ciphertext and tag are made to be sent.
    ct::declassify(ct_out);
    ct::declassify(tag_out);
    return ok();
}

Result<Bytes> aead_seal(const EVP_CIPHER* cipher, ByteView key, ByteView iv, ByteView aad, ByteView pt,
                        std::size_t tag_len) {
    Bytes out(pt.size() + tag_len);
    const std::span<std::uint8_t> o(out);
    SK_CHECK(aead_seal_into(cipher, key, iv, aad, pt, o.first(pt.size()), o.subspan(pt.size())));
    return out;
}

// Checks `tag` (at most 16 bytes) and writes ct.size() bytes of plaintext to `pt_out` (ct itself,
// or memory that overlaps neither ct nor aad); wipes pt_out when the tag does not verify.
Result<void> aead_open_into(const EVP_CIPHER* cipher, ByteView key, ByteView iv, ByteView aad, ByteView ct,
                            ByteView tag, std::span<std::uint8_t> pt_out) {
    const OpenSslErrorScope openssl_errors;
    if (pt_out.size() != ct.size() || tag.size() > 16) {
        return fail(Error::invalid_argument, "AEAD output or tag size");
    }
    if (sodium_gcm_applies(cipher, iv, tag.size())) {
        return sodium_gcm_open_into(key, iv, aad, ct, tag, pt_out);
    }
    // OpenSSL takes the expected tag through a non-const pointer.
    ByteArray<16> expected{};
    std::copy(tag.begin(), tag.end(), expected.begin());
    AeadContext context(cipher);
    EVP_CIPHER_CTX* const ctx = context.get();
    if (ctx == nullptr || as_int(ct.size()) < 0 || as_int(aad.size()) < 0) {
        return fail(Error::crypto_failure, "cipher context");
    }
    int len = 0;
    if (!context.set_iv_len(as_int(iv.size())) || EVP_DecryptInit_ex(ctx, nullptr, nullptr, key.data(), iv.data()) != 1) {
        return fail(Error::invalid_argument, "AEAD key or IV rejected");
    }
    if (!aad.empty() && EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), as_int(aad.size())) != 1) {
        return fail(Error::crypto_failure, "AEAD AAD");
    }
    int written = 0;
    if (!ct.empty()) {
        if (EVP_DecryptUpdate(ctx, pt_out.data(), &len, ct.data(), as_int(ct.size())) != 1) {
            secure_wipe(pt_out);
            return fail(Error::crypto_failure, "AEAD decrypt");
        }
        written = len;
    }
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, as_int(tag.size()), expected.data()) != 1) {
        secure_wipe(pt_out);
        return fail(Error::invalid_argument, "AEAD tag length");
    }
    // The verdict of the tag check is public: the protocol goes on or aborts.
    if (ct::declassified(EVP_DecryptFinal_ex(ctx, pt_out.data() + written, &len)) != 1) {
        secure_wipe(pt_out);
        return fail(Error::bad_mac, "AEAD tag does not verify");
    }
    return ok();
}

Result<Bytes> aead_open(const EVP_CIPHER* cipher, ByteView key, ByteView iv, ByteView aad, ByteView sealed,
                        std::size_t tag_len) {
    if (sealed.size() < tag_len) {
        return fail(Error::truncated, "AEAD input shorter than its tag");
    }
    const ByteView ct = sealed.first(sealed.size() - tag_len);
    Bytes out(ct.size());
    SK_CHECK(aead_open_into(cipher, key, iv, aad, ct, sealed.subspan(ct.size()), out));
    return out;
}

// OpenSSL 3's GCM provider keeps the IV in a 128-byte buffer and rejects anything longer.
constexpr std::size_t kGcmMaxIvBytes = 128;

bool gcm_iv_usable(ByteView iv) { return !iv.empty() && iv.size() <= kGcmMaxIvBytes; }

const EVP_CIPHER* gcm_for(std::size_t key_len) {
    switch (key_len) {
        case 16: return EVP_aes_128_gcm();
        case 24: return EVP_aes_192_gcm();
        case 32: return EVP_aes_256_gcm();
        default: return nullptr;
    }
}

}  // namespace

Result<Bytes> pbkdf2_hmac(Hash hash, ByteView password, ByteView salt, std::uint32_t iterations, std::size_t length) {
    const OpenSslErrorScope openssl_errors;
    if (iterations == 0 || length == 0 || as_int(password.size()) < 0 || as_int(salt.size()) < 0 ||
        iterations > 0x7fffffffU || as_int(length) < 0) {
        return fail(Error::invalid_argument, "PBKDF2 parameters out of range");
    }
    const auto derive = [&]() -> Result<Bytes> {
        Bytes out(length);
        // An empty password is legal; OpenSSL wants a non-null pointer for it.
        static const char kEmpty = 0;
        const char* pw = password.empty() ? &kEmpty : reinterpret_cast<const char*>(password.data());
        if (PKCS5_PBKDF2_HMAC(pw, as_int(password.size()), salt.data(), as_int(salt.size()),
                              static_cast<int>(iterations), openssl_digest(hash), as_int(length), out.data()) != 1) {
            return fail(Error::crypto_failure, "PBKDF2");
        }
        return out;
    };
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // A handshake derives its key from the same password and salt on input after input (OpenSSL's
    // set-up alone costs more than one iteration); a changed salt or password is derived afresh.
    // Hash, iterations and length (below 2^31, checked above), big-endian.
    ByteArray<9> params{static_cast<std::uint8_t>(hash)};
    for (int i = 0; i < 4; ++i) {
        params[static_cast<std::size_t>(1 + i)] = static_cast<std::uint8_t>(iterations >> (24 - 8 * i));
        params[static_cast<std::size_t>(5 + i)] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
    }
    return memoised(memo_key(kPbkdf2, {params, password, salt}), derive);
#else
    return derive();
#endif
}

Result<Bytes> aes_gcm_seal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext, std::size_t tag_len) {
    const EVP_CIPHER* c = gcm_for(key.size());
    if (c == nullptr || !gcm_iv_usable(iv) || tag_len < 1 || tag_len > 16) {
        return fail(Error::invalid_argument, "AES-GCM key, IV or tag size");
    }
    return aead_seal(c, key, iv, aad, plaintext, tag_len);
}

Result<Bytes> aes_gcm_open(ByteView key, ByteView iv, ByteView aad, ByteView sealed, std::size_t tag_len) {
    const EVP_CIPHER* c = gcm_for(key.size());
    if (c == nullptr || !gcm_iv_usable(iv) || tag_len < 1 || tag_len > 16) {
        return fail(Error::invalid_argument, "AES-GCM key, IV or tag size");
    }
    return aead_open(c, key, iv, aad, sealed, tag_len);
}

Result<void> aes_gcm_seal_into(ByteView key, ByteView iv, ByteView aad, ByteView plaintext,
                               std::span<std::uint8_t> ciphertext, std::span<std::uint8_t> tag) {
    const EVP_CIPHER* c = gcm_for(key.size());
    if (c == nullptr || !gcm_iv_usable(iv) || tag.empty() || tag.size() > 16) {
        return fail(Error::invalid_argument, "AES-GCM key, IV or tag size");
    }
    return aead_seal_into(c, key, iv, aad, plaintext, ciphertext, tag);
}

Result<void> aes_gcm_open_into(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext, ByteView tag,
                               std::span<std::uint8_t> plaintext) {
    const EVP_CIPHER* c = gcm_for(key.size());
    if (c == nullptr || !gcm_iv_usable(iv) || tag.empty() || tag.size() > 16) {
        return fail(Error::invalid_argument, "AES-GCM key, IV or tag size");
    }
    return aead_open_into(c, key, iv, aad, ciphertext, tag, plaintext);
}

Result<Bytes> chacha20_poly1305_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
    if (key.size() != 32 || nonce.size() != 12) {
        return fail(Error::invalid_argument, "ChaCha20-Poly1305 key or nonce size");
    }
    return aead_seal(EVP_chacha20_poly1305(), key, nonce, aad, plaintext, 16);
}

Result<Bytes> chacha20_poly1305_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
    if (key.size() != 32 || nonce.size() != 12) {
        return fail(Error::invalid_argument, "ChaCha20-Poly1305 key or nonce size");
    }
    return aead_open(EVP_chacha20_poly1305(), key, nonce, aad, sealed, 16);
}

RsaKey::RsaKey() = default;
RsaKey::~RsaKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(m_pkey)); }
RsaKey::RsaKey(RsaKey&& o) noexcept : m_pkey(o.m_pkey), m_private(o.m_private) { o.m_pkey = nullptr; }
RsaKey& RsaKey::operator=(RsaKey&& o) noexcept {
    if (this != &o) {
        EVP_PKEY_free(static_cast<EVP_PKEY*>(m_pkey));
        m_pkey = o.m_pkey;
        m_private = o.m_private;
        o.m_pkey = nullptr;
    }
    return *this;
}

class RsaKeyBuilder {
public:
    static RsaKey make(EVP_PKEY* p, bool priv) {
        RsaKey k;
        k.m_pkey = p;
        k.m_private = priv;
        return k;
    }
};

namespace {
Bytes public_der_of(EVP_PKEY* key);

// The DER a key's input carries: the input itself, or the body of its (first) PEM block.
std::optional<Bytes> carried_der(const char* input_type, ByteView data) {
    if (std::string_view(input_type) == "DER") {
        return Bytes(data.begin(), data.end());
    }
    BIO* bio = BIO_new_mem_buf(data.data(), as_int(data.size()));
    if (bio == nullptr) {
        return std::nullopt;
    }
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long len = 0;
    std::optional<Bytes> out;
    if (PEM_read_bio(bio, &name, &header, &der, &len) == 1 && len >= 0) {
        out = Bytes(der, der + len);
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    BIO_free(bio);
    return out;
}

// The key as PKCS#1 RSAPublicKey DER.
Bytes pkcs1_public_der_of(EVP_PKEY* key) {
    Bytes out;
    OSSL_ENCODER_CTX* ctx = OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_PUBLIC_KEY, "DER", "type-specific", nullptr);
    unsigned char* der = nullptr;
    std::size_t len = 0;
    if (ctx != nullptr && OSSL_ENCODER_to_data(ctx, &der, &len) == 1) {
        out.assign(der, der + len);
    }
    OPENSSL_free(der);
    OSSL_ENCODER_CTX_free(ctx);
    return out;
}

Result<RsaKey> decode_key(const char* input_type, int selection, ByteView data, bool is_private) {
    const OpenSslErrorScope openssl_errors;
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // A key is decoded once per encoding: the same bytes give the same key, and a changed byte is
    // decoded afresh.
    const std::uint8_t sel[1] = {static_cast<std::uint8_t>(selection)};
    MemoKey memo_id = memo_key(kDecodeKey, {as_bytes(input_type), ByteView(sel), data});
    if (EVP_PKEY* hit = key_cache().decoded(memo_id)) {
        return RsaKeyBuilder::make(hit, is_private);
    }
#endif
    EVP_PKEY* pkey = nullptr;
    OSSL_DECODER_CTX* dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, input_type, nullptr, "RSA", selection, nullptr, nullptr);
    if (dctx == nullptr) {
        return fail(Error::crypto_failure, "no RSA decoder");
    }
    const unsigned char* p = data.data();
    std::size_t len = data.size();
    const int rc = OSSL_DECODER_from_data(dctx, &p, &len);
    OSSL_DECODER_CTX_free(dctx);
    if (rc != 1 || pkey == nullptr || len != 0) {
        EVP_PKEY_free(pkey);
        return fail(Error::decode_error, "not an RSA key in the expected encoding");
    }
    if (!is_private) {
        // Strict: a public key decodes from its DER only, as an X.509 SubjectPublicKeyInfo (with
        // the NULL parameters RFC 3279 requires) or a PKCS#1 RSAPublicKey. OpenSSL also takes
        // other parameters and non-minimal lengths: other spellings of the same key.
        const std::optional<Bytes> der = carried_der(input_type, data);
        if (!der || (*der != public_der_of(pkey) && *der != pkcs1_public_der_of(pkey))) {
            EVP_PKEY_free(pkey);
            return fail(Error::non_canonical, "RSA public key not in its DER encoding");
        }
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    key_cache().put_decoded(std::move(memo_id), pkey);
#endif
    return RsaKeyBuilder::make(pkey, is_private);
}
}  // namespace

Result<RsaKey> RsaKey::public_from_der(ByteView der) {
    return decode_key("DER", EVP_PKEY_PUBLIC_KEY, der, false);
}

Result<RsaKey> RsaKey::private_from_der(ByteView der) {
    return decode_key("DER", EVP_PKEY_KEYPAIR, der, true);
}

Result<RsaKey> RsaKey::from_pem(std::string_view pem) {
    const bool priv = pem.find("PRIVATE KEY") != std::string_view::npos;
    return decode_key("PEM", priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, as_bytes(pem), priv);
}

std::size_t RsaKey::modulus_bytes() const {
    return m_pkey == nullptr ? 0 : static_cast<std::size_t>(EVP_PKEY_get_size(static_cast<EVP_PKEY*>(m_pkey)));
}

namespace {
EVP_PKEY* pk(const RsaKey& k) { return static_cast<EVP_PKEY*>(k.native()); }

bool set_oaep(EVP_PKEY_CTX* ctx, Hash hash, Hash mgf1, ByteView label) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx, openssl_digest(hash)) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, openssl_digest(mgf1)) != 1) {
        return false;
    }
    if (!label.empty()) {
        // OpenSSL takes ownership of the label buffer.
        auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(label.data(), label.size()));
        if (copy == nullptr || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, as_int(label.size())) != 1) {
            OPENSSL_free(copy);
            return false;
        }
    }
    return true;
}

// The RSA operations themselves; the public functions below check their arguments and, in fuzz
// builds, look up their memo first.

Result<Bytes> oaep_encrypt(const RsaKey& key, Hash hash, Hash mgf1, ByteView label, ByteView message) {
    const OpenSslErrorScope openssl_errors;
    PkeyCtx ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, pk(key), nullptr)};
    if (ctx.p == nullptr || EVP_PKEY_encrypt_init(ctx.p) != 1 || !set_oaep(ctx.p, hash, mgf1, label)) {
        return fail(Error::crypto_failure, "RSA-OAEP set-up");
    }
    std::size_t out_len = 0;
    if (EVP_PKEY_encrypt(ctx.p, nullptr, &out_len, message.data(), message.size()) != 1) {
        return fail(Error::invalid_argument, "RSA-OAEP message too long");
    }
    Bytes out(out_len);
    if (EVP_PKEY_encrypt(ctx.p, out.data(), &out_len, message.data(), message.size()) != 1) {
        return fail(Error::invalid_argument, "RSA-OAEP message too long");
    }
    out.resize(out_len);
    // The ciphertext is made to be sent.
    ct::declassify(out.data(), out.size());
    return out;
}

Result<Bytes> oaep_decrypt(const RsaKey& key, Hash hash, Hash mgf1, ByteView label, ByteView ciphertext) {
    const OpenSslErrorScope openssl_errors;
    PkeyCtx ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, pk(key), nullptr)};
    if (ctx.p == nullptr || EVP_PKEY_decrypt_init(ctx.p) != 1 || !set_oaep(ctx.p, hash, mgf1, label)) {
        return fail(Error::crypto_failure, "RSA-OAEP set-up");
    }
    std::size_t out_len = 0;
    if (EVP_PKEY_decrypt(ctx.p, nullptr, &out_len, ciphertext.data(), ciphertext.size()) != 1) {
        return fail(Error::decode_error, "RSA-OAEP decryption failed");
    }
    Bytes out(out_len);
    if (EVP_PKEY_decrypt(ctx.p, out.data(), &out_len, ciphertext.data(), ciphertext.size()) != 1) {
        return fail(Error::decode_error, "RSA-OAEP decryption failed");
    }
    out.resize(out_len);
    return out;
}

Result<Bytes> pss_sign(const RsaKey& key, Hash hash, Hash mgf1, int salt_len, ByteView message) {
    const OpenSslErrorScope openssl_errors;
    MdCtx md;
    EVP_PKEY_CTX* pctx = nullptr;  // owned by md
    if (md.p == nullptr || EVP_DigestSignInit(md.p, &pctx, openssl_digest(hash), nullptr, pk(key)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, openssl_digest(mgf1)) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len) != 1) {
        return fail(Error::crypto_failure, "RSA-PSS set-up");
    }
    std::size_t sig_len = 0;
    if (EVP_DigestSign(md.p, nullptr, &sig_len, message.data(), message.size()) != 1) {
        return fail(Error::crypto_failure, "RSA-PSS sign");
    }
    Bytes sig(sig_len);
    if (EVP_DigestSign(md.p, sig.data(), &sig_len, message.data(), message.size()) != 1) {
        return fail(Error::crypto_failure, "RSA-PSS sign");
    }
    sig.resize(sig_len);
    // A signature is made to be sent.
    ct::declassify(sig.data(), sig.size());
    return sig;
}

bool pss_verify(const RsaKey& key, Hash hash, Hash mgf1, int salt_len, ByteView message, ByteView signature) {
    const OpenSslErrorScope openssl_errors;
    MdCtx md;
    EVP_PKEY_CTX* pctx = nullptr;
    if (md.p == nullptr || EVP_DigestVerifyInit(md.p, &pctx, openssl_digest(hash), nullptr, pk(key)) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, openssl_digest(mgf1)) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len) != 1) {
        return false;
    }
    return EVP_DigestVerify(md.p, signature.data(), signature.size(), message.data(), message.size()) == 1;
}

}  // namespace

#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
namespace {
// The memo key of decrypting `ciphertext` with the private half of `key` (rsa_identity of the
// private key: the flag, then the public DER they share).
MemoKey oaep_decryption_key(const RsaKey& key, Hash hash, Hash mgf1, ByteView label, ByteView ciphertext) {
    auto identity = rsa_identity(key);
    identity[0] = 1;
    return memo_key(kRsaOaepDecrypt, {identity, rsa_params(hash, mgf1, 0), label, ciphertext});
}
}  // namespace

// OAEP decryption of a correct encryption gives the message back: the memo holds the answer for
// the exact ciphertext the encryption made, and any other bytes reach the private key.
void fuzz_remember_oaep_decryption(const RsaKey& key, Hash hash, Hash mgf1, ByteView label, ByteView ciphertext,
                                   ByteView message) {
    memo().put(oaep_decryption_key(key, hash, mgf1, label, ciphertext), message);
}
#endif

Result<Bytes> rsa_oaep_encrypt(const RsaKey& key, Hash hash, Hash mgf1, ByteView label, ByteView message) {
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // The honest peer encrypts the same secret on every input: one ciphertext for it, which its
    // counterpart's decryption then finds too.
    auto ct = memoised(memo_key(kRsaOaepEncrypt, {rsa_identity(key), rsa_params(hash, mgf1, 0), label, message}),
                       [&] { return oaep_encrypt(key, hash, mgf1, label, message); });
    if (ct) {
        fuzz_remember_oaep_decryption(key, hash, mgf1, label, *ct, message);
    }
    return ct;
#else
    return oaep_encrypt(key, hash, mgf1, label, message);
#endif
}

Result<Bytes> rsa_oaep_decrypt(const RsaKey& key, Hash hash, Hash mgf1, ByteView label, ByteView ciphertext) {
    if (!key.has_private()) {
        return fail(Error::invalid_argument, "RSA-OAEP decryption needs a private key");
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // Successes only: a ciphertext that fails is decrypted (and fails) afresh every time.
    return memoised(memo_key(kRsaOaepDecrypt, {rsa_identity(key), rsa_params(hash, mgf1, 0), label, ciphertext}),
                    [&] { return oaep_decrypt(key, hash, mgf1, label, ciphertext); });
#else
    return oaep_decrypt(key, hash, mgf1, label, ciphertext);
#endif
}

Result<Bytes> rsa_pss_sign(const RsaKey& key, Hash hash, Hash mgf1, int salt_len, ByteView message) {
    if (!key.has_private()) {
        return fail(Error::invalid_argument, "RSA-PSS signing needs a private key");
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    return memoised(memo_key(kRsaPssSign, {rsa_identity(key), rsa_params(hash, mgf1, salt_len), message}),
                    [&] { return pss_sign(key, hash, mgf1, salt_len, message); });
#else
    return pss_sign(key, hash, mgf1, salt_len, message);
#endif
}

bool rsa_pss_verify(const RsaKey& key, Hash hash, Hash mgf1, int salt_len, ByteView message, ByteView signature) {
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // Keyed on the key, the message and the signature: the same triple has the same answer.
    MemoKey memo_id = memo_key(kRsaPssVerify, {rsa_identity(key), rsa_params(hash, mgf1, salt_len), message, signature});
    if (const auto hit = memo().find(memo_id)) {
        return (*hit)[0] == 1;
    }
    const bool ok = pss_verify(key, hash, mgf1, salt_len, message, signature);
    const std::uint8_t answer = ok ? 1 : 0;
    memo().put(std::move(memo_id), ByteView(&answer, 1));
    return ok;
#else
    return pss_verify(key, hash, mgf1, salt_len, message, signature);
#endif
}

namespace {

Result<Bytes> raw_operation(const RsaKey& key, ByteView block, bool private_op) {
    const OpenSslErrorScope openssl_errors;
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pk(key), nullptr),
                                                                  &EVP_PKEY_CTX_free);
    if (!ctx) {
        return fail(Error::crypto_failure, "EVP_PKEY_CTX_new failed");
    }
    const int init = private_op ? EVP_PKEY_decrypt_init(ctx.get()) : EVP_PKEY_encrypt_init(ctx.get());
    if (init != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
        return fail(Error::crypto_failure, "raw RSA setup failed");
    }
    std::size_t len = key.modulus_bytes();
    Bytes out(len);
    const int rc = private_op ? EVP_PKEY_decrypt(ctx.get(), out.data(), &len, block.data(), block.size())
                              : EVP_PKEY_encrypt(ctx.get(), out.data(), &len, block.data(), block.size());
    // The schemes built on this send the result (an OAEP ciphertext, a PSS signature).
    ct::declassify(&len, sizeof len);
    if (ct::declassified(rc) != 1) {
        return fail(Error::crypto_failure, "raw RSA operation failed");
    }
    out.resize(len);
    ct::declassify(out.data(), out.size());
    return out;
}

Bytes public_der_of(EVP_PKEY* key) {
    const OpenSslErrorScope openssl_errors;
    Bytes out;
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key, &der);
    if (n > 0) {
        out.assign(der, der + n);
    }
    OPENSSL_free(der);
    return out;
}

std::string public_pem_of(EVP_PKEY* key) {
    const OpenSslErrorScope openssl_errors;
    BIO* bio = BIO_new(BIO_s_mem());
    std::string out;
    if (bio != nullptr && PEM_write_bio_PUBKEY(bio, key) == 1) {
        char* data = nullptr;
        const long len = BIO_get_mem_data(bio, &data);
        out.assign(data, static_cast<std::size_t>(len));
    }
    BIO_free(bio);
    return out;
}

const std::vector<BN_ULONG>& small_primes() {
    static const std::vector<BN_ULONG> primes = [] {
        std::vector<BN_ULONG> out;
        for (BN_ULONG p = 2; p < kRsaSmallPrimeBound; ++p) {
            bool prime = true;
            for (const BN_ULONG d : out) {
                if (d * d > p) {
                    break;
                }
                if (p % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                out.push_back(p);
            }
        }
        return out;
    }();
    return primes;
}

RsaPublicFacts public_facts_of(EVP_PKEY* key) {
    const OpenSslErrorScope openssl_errors;
    RsaPublicFacts f;
    f.modulus_bits = static_cast<std::size_t>(EVP_PKEY_get_bits(key));
    BIGNUM* e = nullptr;
    BIGNUM* n = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1) {
        BN_free(e);
        BN_free(n);
        f.readable = false;
        return f;
    }
    // BN_get_word of an exponent over 64 bits is all ones: not weak.
    f.exponent_weak = BN_is_odd(e) == 0 || BN_get_word(e) < 65537;
    for (const BN_ULONG p : small_primes()) {
        if (BN_mod_word(n, p) == 0) {
            f.small_factor = true;
            break;
        }
    }
    BN_free(e);
    BN_free(n);
    return f;
}

}  // namespace

Result<Bytes> rsa_raw(const RsaKey& key, ByteView block, bool private_op) {
    if (key.native() == nullptr) {
        return fail(Error::invalid_argument, "no RSA key");
    }
    if (private_op && !key.has_private()) {
        return fail(Error::invalid_argument, "the private RSA operation needs a private key");
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // The honest peer pads the same block on every input; a block the fuzzer changed is computed.
    const std::uint8_t op[1] = {static_cast<std::uint8_t>(private_op ? 1 : 0)};
    return memoised(memo_key(kRsaRaw, {rsa_identity(key), ByteView(op), block}),
                    [&] { return raw_operation(key, block, private_op); });
#else
    return raw_operation(key, block, private_op);
#endif
}

Bytes rsa_public_der(const RsaKey& key) {
    auto* p = static_cast<EVP_PKEY*>(key.native());
    if (p == nullptr) {
        return {};
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    if (const KeyCache::Der* hit = key_cache().der(p)) {
        return hit->der;
    }
    Bytes der = public_der_of(p);
    key_cache().put_der(p, der);
    return der;
#else
    return public_der_of(p);
#endif
}

std::string rsa_public_pem(const RsaKey& key) {
    auto* p = static_cast<EVP_PKEY*>(key.native());
    if (p == nullptr) {
        return {};
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    MemoKey memo_id = memo_key(kRsaPublicPem, {rsa_public_der(key)});
    if (const auto hit = memo().find(memo_id)) {
        return {hit->begin(), hit->end()};
    }
    std::string pem = public_pem_of(p);
    memo().put(std::move(memo_id), as_bytes(pem));
    return pem;
#else
    return public_pem_of(p);
#endif
}

RsaPublicFacts rsa_public_facts(const RsaKey& key) {
    auto* p = static_cast<EVP_PKEY*>(key.native());
    if (p == nullptr) {
        RsaPublicFacts none;
        none.readable = false;
        return none;
    }
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    MemoKey memo_id = memo_key(kRsaPublicFacts, {rsa_public_der(key)});
    if (const auto hit = memo().find(memo_id); hit && hit->size() == 12) {
        RsaPublicFacts f;
        for (int i = 0; i < 8; ++i) {
            f.modulus_bits |= static_cast<std::size_t>((*hit)[static_cast<std::size_t>(i)]) << (8 * i);
        }
        f.exponent_weak = (*hit)[8] != 0;
        f.small_factor = (*hit)[9] != 0;
        f.readable = (*hit)[10] != 0;
        return f;
    }
    const RsaPublicFacts f = public_facts_of(p);
    Bytes packed(12, 0);
    for (int i = 0; i < 8; ++i) {
        packed[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(f.modulus_bits >> (8 * i));
    }
    packed[8] = f.exponent_weak ? 1 : 0;
    packed[9] = f.small_factor ? 1 : 0;
    packed[10] = f.readable ? 1 : 0;
    memo().put(std::move(memo_id), packed);
    return f;
#else
    return public_facts_of(p);
#endif
}

}  // namespace shakedown::crypto
