// Invariants shared by the SFT fuzz targets, and their machine targets' part of the generic driver.
#pragma once

#include <algorithm>
#include <memory>

#include "fuzz/fuzz_target.hpp"
#include "fuzz/machine_driver.hpp"
#include "sft/handshake_messages.hpp"
#include "sft/machine.hpp"
#include "sft/record.hpp"

namespace shakedown::fuzz {

// The errors a strict SFT codec may report (docs/protocols/sft.md §3): anything else from a
// parser means a check outside the codec leaked into it.
[[nodiscard]] inline bool is_sft_codec_error(Error e) {
    return is_codec_error(e) || e == Error::decode_error || e == Error::oversize;
}

// Handshake messages and the record header have exactly one encoding per value: an accepted input
// re-encodes to itself and parses back to the same value; a rejection is a codec error located
// inside the input, and parsing is deterministic.
template <class Parse>
auto check_sft_codec(ByteView in, Parse parse) {
    auto r = parse(in);
    if (r) {
        const Bytes out = sft::serialize(*r);
        FUZZ_CHECK(std::equal(out.begin(), out.end(), in.begin(), in.end()));
        const auto again = parse(ByteView(out));
        FUZZ_CHECK(again.ok() && *again == *r);
    } else {
        FUZZ_CHECK(is_sft_codec_error(r.error()));
        FUZZ_CHECK(r.failure().offset != kNoOffset);
        FUZZ_CHECK(r.failure().offset <= in.size());
        const auto again = parse(in);
        FUZZ_CHECK(!again.ok() && again.failure() == r.failure());
    }
    return r;
}

// The fixed inputs every machine target shares: the RFC 7748 / RFC 8032 keys of
// docs/protocols/sft.md §10, so one PBKDF2 per profile per process.
struct FixedKeys {
    ByteArray<32> client_eph_secret{};
    ByteArray<32> server_eph_secret{};
    ByteArray<32> server_id_seed{};
    ByteArray<32> client_id_seed{};
    ByteArray<32> server_id{};
    ByteArray<32> client_id{};
};
[[nodiscard]] const FixedKeys& fixed_keys();

// The upstream-v2 known-answer record key (docs/protocols/sft.md §10).
[[nodiscard]] const sft::RecordKey& kat_record_key();

// The eph secret first, then a ChaCha20 stream, as the transcript vectors draw.
class FirstThenStream final : public Rng {
public:
    FirstThenStream(const ByteArray<32>& first, const ByteArray<32>& seed) : m_first(first), m_rest(seed) {}
    void fill(std::span<std::uint8_t> out) override {
        if (!m_used && out.size() == 32) {
            std::copy(m_first.begin(), m_first.end(), out.begin());
            m_used = true;
            return;
        }
        m_rest.fill(out);
    }

private:
    ByteArray<32> m_first;
    bool m_used = false;
    SeededRng m_rest;
};

// The machine targets exercise the state machines, not PBKDF2: a random 32-byte X25519 key in a
// fuzz input would otherwise cost 600,000 iterations per execution. Same interface, same key
// split; the derivation itself is HMAC-SHA256 (ss as message, salt as key), twice.
class FastDeriver final : public sft::Deriver {
public:
    [[nodiscard]] Result<Secret<64>> derive(ByteView shared_secret, ByteView salt) override;
};

// A machine target on the generic state-machine driver (fuzz/machine_driver.hpp): the machine of
// `role` and an honest peer of the other role, same profile, the fixed keys, the fast deriver, a
// store holding f.bin on each side; one byte stream. Invariants (SftTarget in sft_fuzz.cpp): every
// unit a machine sends is a well-formed message of its state (after the handshake, a record that
// opens under the session key, with JSON seq counting from 0 and a valid signature); only the
// peer's CLOSE closes with peer_error; an established machine buffers at most one record.
//
// Variant op (script op 13), by arg % 5, sealed as the peer would under the session key:
//   0 a JSON record: u16be n (mod 2048), n bytes of plaintext
//   1 a DATA record: u8 offset / 4096, u16be n (mod 2048), n bytes
//   2 a JSON record of a message the input writes, re-signed with the session's HMAC key: u16be n
//     (mod 2048), n bytes (sealed as they are if they do not parse)
//   3 the client asks the peer for f.bin (the honest server serves it)
//   4 the clock moves on by u8 seconds
void run_sft_target(Role role, sft::Profile profile, ByteView in);

}  // namespace shakedown::fuzz
