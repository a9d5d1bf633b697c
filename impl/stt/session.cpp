#include "stt/session.hpp"

#include <algorithm>

#include "common/crypto.hpp"
#include "common/ct.hpp"
#include "common/writer.hpp"
#include "stt/suite.hpp"

namespace shakedown::stt {

SessionId compute_session_id(ByteView nonce_i, ByteView nonce_r) {
    SessionId out;
    out.size = std::min({nonce_i.size(), nonce_r.size(), out.bytes.size()});
    for (std::size_t i = 0; i < out.size; ++i) {
        out.bytes[i] = static_cast<std::uint8_t>(nonce_i[i] ^ nonce_r[i]);
    }
    return out;
}

void challenge_aad(Bytes& out, ByteView hello_tlv) {
    out.resize(kChallengeLabel.size() + 4 + hello_tlv.size());
    SpanWriter w(out);
    w.put_bytes(as_bytes(kChallengeLabel));
    w.put_u32be(static_cast<std::uint32_t>(hello_tlv.size()));
    w.put_bytes(hello_tlv);
}

Bytes challenge_aad(ByteView hello_tlv) {
    Bytes out;
    challenge_aad(out, hello_tlv);
    return out;
}

std::size_t proof_aad_size(std::size_t hello_tlv_size, std::size_t response_tlv_size) {
    return kProofLabel.size() + 4 + hello_tlv_size + 4 + response_tlv_size + 8;
}

void proof_aad(Bytes& out, ByteView hello_tlv, ByteView response_tlv, std::int64_t auth_timestamp_ms) {
    out.resize(proof_aad_size(hello_tlv.size(), response_tlv.size()));
    SpanWriter w(out);
    w.put_bytes(as_bytes(kProofLabel));
    w.put_u32be(static_cast<std::uint32_t>(hello_tlv.size()));
    w.put_bytes(hello_tlv);
    w.put_u32be(static_cast<std::uint32_t>(response_tlv.size()));
    w.put_bytes(response_tlv);
    w.put_u64be(static_cast<std::uint64_t>(auth_timestamp_ms));
}

Bytes proof_aad(ByteView hello_tlv, ByteView response_tlv, std::int64_t auth_timestamp_ms) {
    Bytes out;
    proof_aad(out, hello_tlv, response_tlv, auth_timestamp_ms);
    return out;
}

ByteArray<32> transcript_hash(ByteView hello_tlv, ByteView response_tlv) {
    // Hashed in parts: the TLVs are not copied into one buffer.
    const auto be32 = [](std::size_t n) {
        return ByteArray<4>{static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                            static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    };
    const ByteArray<4> hello_len = be32(hello_tlv.size());
    const ByteArray<4> response_len = be32(response_tlv.size());
    return crypto::sha256({hello_len, hello_tlv, response_len, response_tlv});
}

Secret<32> derive_session_key(ByteView shared_seed, ByteView transcript) {
    Secret<32> out;
    auto k = crypto::hkdf(transcript, shared_seed, as_bytes(kSessionKeyInfo), 32);
    if (k.ok()) {
        std::copy(k->begin(), k->end(), out.mut().begin());
        secure_wipe(*k);
    }
    return out;
}

Secret<32> xor_session_key(ByteView nonce_i, ByteView nonce_r, ByteView id_i, ByteView id_r) {
    Secret<32> out;
    for (const ByteView part : {nonce_i, nonce_r, id_i, id_r}) {
        for (std::size_t i = 0; i < std::min<std::size_t>(32, part.size()); ++i) {
            out.mut()[i] ^= part[i];
        }
    }
    return out;
}

DataKeys derive_data_keys(const Secret<32>& session_key) {
    DataKeys keys;
    for (auto [label, dest] : {std::pair{kDataKeyI2R, &keys.initiator_to_responder},
                               std::pair{kDataKeyR2I, &keys.responder_to_initiator}}) {
        auto k = crypto::hkdf_expand(session_key.view(), as_bytes(label), 32);
        if (k.ok()) {
            std::copy(k->begin(), k->end(), dest->mut().begin());
            secure_wipe(*k);
        }
    }
    return keys;
}

SessionChannel::SessionChannel(Role role, const Secret<32>& session_key, ByteView session_id, const Quirks& quirks)
    : m_quirks(quirks) {
    const DataKeys keys = derive_data_keys(session_key);
    m_send_key = role == Role::initiator ? keys.initiator_to_responder : keys.responder_to_initiator;
    m_recv_key = role == Role::initiator ? keys.responder_to_initiator : keys.initiator_to_responder;
    std::copy_n(session_id.begin(), std::min<std::size_t>(8, session_id.size()), m_session_id.begin());
    ct::classify(m_send_key.mut());
    ct::classify(m_recv_key.mut());
}

Result<Bytes> SessionChannel::seal(ByteView plaintext, std::uint32_t stream_id, std::uint64_t timestamp_ms, Rng& rng) {
    if (m_send_seq == UINT64_MAX) {
        return fail(Error::bad_sequence, "send sequence exhausted");
    }
    Frame f;
    f.header.type = kFrameData;
    f.header.session_id = m_session_id;
    f.header.sequence = m_send_seq;
    f.header.timestamp_ms = timestamp_ms;
    f.header.stream_id = stream_id;
    f.metadata.resize(kXNonceSize);
    rng.fill(f.metadata);
    const Bytes aad = m_quirks.unauthenticated_header ? Bytes{} : serialize_header(f.header);
    SK_TRY(f.payload, xchacha20_poly1305_seal(m_send_key.view(), f.metadata, aad, plaintext));
    Bytes wire = serialize_frame(f);
    if (wire.size() > kMaxDatagram) {
        return fail(Error::oversize, "data frame over the datagram limit");
    }
    ++m_send_seq;
    return wire;
}

Result<OpenedFrame> SessionChannel::open(ByteView datagram) {
    SK_TRY(const Frame f, parse_frame(datagram));
    const std::size_t h = f.header_offset;
    if (f.header.type != kFrameData) {
        return Failure{Error::unexpected_message, h, "not a data frame"};
    }
    if (f.header.flags != 0) {
        return Failure{Error::bad_flags, h + 1, "data frame flags must be zero"};
    }
    if (!m_quirks.unauthenticated_header && f.header.session_id != m_session_id) {
        return Failure{Error::unexpected_message, h + 2, "frame for another session"};
    }
    if (f.metadata.size() != kXNonceSize) {
        return Failure{Error::bad_length, h + kHeaderSize, "metadata is not a 24-byte nonce"};
    }
    const Bytes aad = m_quirks.unauthenticated_header ? Bytes{} : serialize_header(f.header);
    auto plain = xchacha20_poly1305_open(m_recv_key.view(), f.metadata, aad, f.payload);
    if (!plain) {
        return Failure{Error::bad_mac, f.payload_offset, "data frame does not authenticate"};
    }
    if (!m_quirks.ignore_data_sequence) {
        if (m_received_any && f.header.sequence <= m_recv_last) {
            return Failure{Error::bad_sequence, h + 10, "replayed or reordered data frame"};
        }
        m_received_any = true;
        m_recv_last = f.header.sequence;
    }
    return OpenedFrame{f.header, std::move(plain).value()};
}

}  // namespace shakedown::stt
