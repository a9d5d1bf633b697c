#include "sft/record.hpp"

#include <algorithm>
#include <span>

#include "common/reader.hpp"
#include "sft/json.hpp"

namespace shakedown::sft {

namespace {

std::uint8_t* store_record_be(std::uint8_t* p, std::uint64_t v, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) {
        p[i] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
    }
    return p + width;
}

// The 65 header bytes in wire order, written where the record starts.
void store_record_header(const RecordHeader& h, std::span<std::uint8_t, kHeaderLen> out) {
    std::uint8_t* p = std::copy(h.magic.begin(), h.magic.end(), out.data());
    p = store_record_be(p, h.version, 4);
    p = store_record_be(p, h.payload_type, 1);
    p = store_record_be(p, h.offset, 8);
    p = store_record_be(p, h.payload_len, 4);
    p = std::copy(h.key_id.begin(), h.key_id.end(), p);
    p = std::copy(h.nonce.begin(), h.nonce.end(), p);
    std::copy(h.tag.begin(), h.tag.end(), p);
}

}  // namespace

Bytes serialize(const RecordHeader& h) {
    Bytes out(kHeaderLen);
    store_record_header(h, std::span<std::uint8_t, kHeaderLen>(out.data(), kHeaderLen));
    return out;
}

Result<RecordHeader> parse_record_header(ByteView b) {
    Reader r(b);
    RecordHeader h;
    SK_TRY(h.magic, r.read_array<4>());
    if (h.magic != kMagic) {
        return Failure{Error::decode_error, 0, "V8: magic is not SFTP"};
    }
    SK_TRY(h.version, r.read_u32be());
    SK_TRY(h.payload_type, r.read_u8());
    SK_TRY(h.offset, r.read_u64be());
    SK_TRY(h.payload_len, r.read_u32be());
    SK_TRY(h.key_id, r.read_array<16>());
    SK_TRY(h.nonce, r.read_array<12>());
    SK_TRY(h.tag, r.read_array<16>());
    SK_CHECK(r.expect_done());
    if (h.payload_len == 0) {
        return Failure{Error::bad_length, 17, "V9: payload_len 0 (read as end of stream)"};
    }
    if (h.payload_len > kMaxPacketSize) {
        return Failure{Error::oversize, 17, "V9: payload_len over 10,485,760"};
    }
    return h;
}

Bytes seal_record(const RecordKey& key, PayloadType type, std::uint64_t offset, const ByteArray<12>& nonce,
                  ByteView plaintext) {
    RecordHeader h;
    h.payload_type = static_cast<std::uint8_t>(type);
    h.offset = offset;
    h.payload_len = static_cast<std::uint32_t>(plaintext.size());
    h.key_id = key.key_id;
    h.nonce = nonce;
    // One buffer: the header, its tag filled by the seal, and the ciphertext written after it.
    Bytes record(kHeaderLen + plaintext.size());
    const std::span<std::uint8_t> out(record);
    store_record_header(h, out.first<kHeaderLen>());
    if (!crypto::aes_gcm_seal_into(key.aes_key.view(), nonce, out.first(kAadLen), plaintext, out.subspan(kHeaderLen),
                                   out.subspan(kAadLen, h.tag.size()))) {
        return {};  // unreachable with a 32-byte key and a 12-byte nonce
    }
    return record;
}

Result<OpenedRecord> open_payload(const RecordKey& key, const RecordHeader& h, ByteView header_bytes,
                                  ByteView ciphertext) {
    if (h.version != kRecordVersion) {
        return Failure{Error::wrong_version, 4, "V10: record version is not 2"};
    }
    if (key.profile == Profile::upstream_v2) {
        // The deployed receiver strips trailing NULs and decodes UTF-8 before the lookup.
        std::size_t n = h.key_id.size();
        while (n > 0 && h.key_id[n - 1] == 0) {
            --n;
        }
        const ByteView id = ByteView(h.key_id).first(n);
        if (!json::valid_utf8(id)) {
            return Failure{Error::decode_error, 21, "V11: key_id is not UTF-8"};
        }
        if (!ct_equal(id, key.key_id)) {
            return Failure{Error::bad_credentials, 21, "V11: unknown key_id"};
        }
    } else if (!ct_equal(h.key_id, key.key_id)) {
        return Failure{Error::bad_credentials, 21, "V11: unknown key_id"};
    }
    // Decrypted straight into the plaintext the caller receives (wiped by the facade if the tag
    // does not verify).
    Bytes plaintext(ciphertext.size());
    if (!crypto::aes_gcm_open_into(key.aes_key.view(), h.nonce, header_bytes.first(kAadLen), ciphertext, h.tag,
                                   plaintext)) {
        return Failure{Error::bad_mac, kAadLen, "V12: GCM tag"};
    }
    if (h.payload_type != 1 && h.payload_type != 2) {
        return Failure{Error::unknown_type, 8, "V13: payload_type not JSON or DATA"};
    }
    OpenedRecord out;
    out.header = h;
    out.type = static_cast<PayloadType>(h.payload_type);
    out.plaintext = std::move(plaintext);
    return out;
}

Result<OpenedRecord> open_record(const RecordKey& key, ByteView record) {
    if (record.size() < kHeaderLen) {
        return Failure{Error::truncated, record.size(), "record shorter than its header"};
    }
    const ByteView header_bytes = record.first(kHeaderLen);
    SK_TRY(const RecordHeader h, parse_record_header(header_bytes));
    const ByteView rest = record.subspan(kHeaderLen);
    if (rest.size() < h.payload_len) {
        return Failure{Error::truncated, record.size(), "record payload cut short"};
    }
    if (rest.size() > h.payload_len) {
        return Failure{Error::trailing_bytes, kHeaderLen + h.payload_len, "bytes after the record"};
    }
    return open_payload(key, h, header_bytes, rest);
}

}  // namespace shakedown::sft
