// Invariants shared by the SFT fuzz targets, and the driver of the machine targets.
#pragma once

#include <algorithm>
#include <memory>

#include "fuzz/fuzz_target.hpp"
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

// One machine under test, its peer's keys, and the invariants checked after every input unit:
// nothing is sent after a close; every unit it sends is a well-formed message of its state
// (after the handshake, a record that opens under the session key, with JSON seq counting from 0);
// it stays authenticated once authenticated; an idle machine buffers at most one record.
class MachineHarness {
public:
    MachineHarness(Role role, sft::Profile profile);
    // Drives the peer's side of an honest handshake so the machine is established.
    void establish();
    void feed(ByteView bytes);
    // Seals a JSON plaintext or DATA chunk as the peer would (next nonce of the peer's stream).
    [[nodiscard]] Bytes seal(sft::PayloadType type, std::uint64_t offset, ByteView plaintext);
    void advance(std::uint64_t seconds) { m_clock.advance(seconds); }
    [[nodiscard]] sft::Endpoint& machine() { return *m_machine; }
    void check_outputs();

private:
    FixedClock m_clock;
    FastDeriver m_deriver;
    std::unique_ptr<FirstThenStream> m_machine_rng;
    std::vector<Bytes> m_pending_for_peer;
    sft::MemoryFileStore m_store;
    sft::Profile m_profile;
    Role m_role;
    std::unique_ptr<sft::Endpoint> m_machine;
    std::uint64_t m_peer_nonce = 0;
    std::int64_t m_seen_seq = -1;
    bool m_was_authenticated = false;
    bool m_was_closed = false;
    std::size_t m_handshake_units = 0;
};

// A machine target: byte 0 selects raw-stream mode (the rest goes straight to the machine) or
// record mode (the machine is first established by an honest peer, then each chunk
// [op u8][len u16be][bytes] is, by op % 5: fed raw, sealed as JSON, sealed as DATA at offset
// (op / 5) * 4096, a clock advance of op / 5 seconds, or parsed, re-signed and sealed as JSON).
// Raw mode chunks are [len - 1 u8][bytes].
int run_machine_target(Role role, sft::Profile profile, ByteView in);

}  // namespace shakedown::fuzz
