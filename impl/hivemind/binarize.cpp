#include "hivemind/binarize.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>

#include "hivemind/json.hpp"

namespace shakedown::hivemind {

namespace {

constexpr std::array<std::string_view, kFrameTypeCount> kMsgTypes = {
    "shake", "bus", "shared_bus", "broadcast", "propagate", "escalate", "hello",
    "query", "cascade", "ping", "rendezvous", "3rdparty", "bin"};

// Bits most significant first. Whole bytes go in with two shifts each rather than bit by bit.
class BitWriter {
public:
    void put(std::uint32_t value, unsigned bits) {
        for (unsigned k = bits; k > 0; --k) {
            if (m_bits % 8 == 0) {
                m_out.push_back(0);
            }
            if (((value >> (k - 1)) & 1u) != 0) {
                m_out.back() = static_cast<std::uint8_t>(m_out.back() | (0x80u >> (m_bits % 8)));
            }
            ++m_bits;
        }
    }
    void put_bytes(ByteView b) {
        const unsigned used = m_bits % 8;
        if (used == 0) {
            m_out.insert(m_out.end(), b.begin(), b.end());
        } else {
            m_out.reserve(m_out.size() + b.size());
            for (const std::uint8_t byte : b) {
                m_out.back() = static_cast<std::uint8_t>(m_out.back() | (byte >> used));
                m_out.push_back(static_cast<std::uint8_t>(byte << (8 - used)));
            }
        }
        m_bits += 8 * b.size();
    }
    // The bits so far, preceded by the zero bits that make them whole bytes.
    [[nodiscard]] Bytes finish() const {
        const unsigned pad = static_cast<unsigned>((8 - m_bits % 8) % 8);
        if (pad == 0) {
            return m_out;
        }
        // Shifted right by `pad`: the unused low bits of the last byte drop off.
        Bytes out(m_out.size(), 0);
        for (std::size_t k = 0; k < m_out.size(); ++k) {
            const unsigned carried = k == 0 ? 0u : static_cast<unsigned>(m_out[k - 1]) << (8 - pad);
            out[k] = static_cast<std::uint8_t>((m_out[k] >> pad) | carried);
        }
        return out;
    }

private:
    Bytes m_out;
    std::size_t m_bits = 0;
};

class BitReader {
public:
    BitReader(ByteView in, std::size_t start_bit) : m_in(in), m_pos(start_bit) {}
    [[nodiscard]] std::size_t remaining() const { return m_in.size() * 8 - m_pos; }
    [[nodiscard]] std::size_t byte_offset() const { return m_pos / 8; }
    Result<std::uint32_t> get(unsigned bits, const char* what) {
        if (remaining() < bits) {
            return fail(Error::truncated, what, m_in.size());
        }
        std::uint32_t v = 0;
        for (unsigned k = 0; k < bits; ++k, ++m_pos) {
            v = (v << 1) | ((m_in[m_pos / 8] >> (7 - m_pos % 8)) & 1u);
        }
        return v;
    }
    Result<Bytes> get_bytes(std::size_t n, const char* what) {
        if (remaining() / 8 < n) {
            return fail(Error::truncated, what, m_in.size());
        }
        const std::size_t first = m_pos / 8;
        const unsigned shift = static_cast<unsigned>(m_pos % 8);
        Bytes out;
        if (shift == 0) {
            out.assign(m_in.begin() + static_cast<std::ptrdiff_t>(first),
                       m_in.begin() + static_cast<std::ptrdiff_t>(first + n));
        } else {
            // Each byte straddles two input bytes (the second exists: n whole bytes remain).
            out.resize(n);
            for (std::size_t k = 0; k < n; ++k) {
                out[k] = static_cast<std::uint8_t>((m_in[first + k] << shift) | (m_in[first + k + 1] >> (8 - shift)));
            }
        }
        m_pos += 8 * n;
        return out;
    }

private:
    ByteView m_in;
    std::size_t m_pos;
};

}  // namespace

std::string_view msg_type_name(FrameType t) noexcept { return kMsgTypes[static_cast<std::size_t>(t)]; }

std::optional<FrameType> frame_type_from_msg_type(std::string_view name) noexcept {
    for (std::size_t k = 0; k < kMsgTypes.size(); ++k) {
        if (kMsgTypes[k] == name) {
            return static_cast<FrameType>(k);
        }
    }
    return std::nullopt;
}

Bytes zlib_compress(ByteView data) {
    uLongf len = compressBound(static_cast<uLong>(data.size()));
    Bytes out(len);
    // Python's zlib.compress default level (6), so frames match the pinned upstream.
    if (compress2(out.data(), &len, data.data(), static_cast<uLong>(data.size()), Z_DEFAULT_COMPRESSION) != Z_OK) {
        return {};
    }
    out.resize(len);
    return out;
}

Result<Bytes> zlib_inflate(ByteView data, std::size_t max_out, std::size_t base_offset) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) {
        return fail(Error::crypto_failure, "inflateInit failed");
    }
    // Inflated straight into the result, which grows by doubling up to one byte past the bound
    // (a stream that fills that byte inflates past it).
    Bytes out(std::min<std::size_t>(max_out + 1, std::max<std::size_t>(4096, 4 * data.size())));
    static const std::uint8_t kEmpty = 0;
    zs.next_in = const_cast<Bytef*>(data.empty() ? &kEmpty : data.data());
    zs.avail_in = static_cast<uInt>(data.size());
    std::size_t produced = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (produced == out.size()) {
            out.resize(std::min<std::size_t>(max_out + 1, 2 * out.size()));
        }
        zs.next_out = out.data() + produced;
        zs.avail_out = static_cast<uInt>(out.size() - produced);
        const std::size_t room = out.size() - produced;
        rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t got = room - zs.avail_out;
        // Stream errors are reported at the start of the compressed data (where zlib stopped
        // inside it is an implementation detail); trailing bytes at the first one.
        if (rc != Z_OK && rc != Z_STREAM_END) {
            const std::size_t at = base_offset;
            inflateEnd(&zs);
            return rc == Z_BUF_ERROR ? fail(Error::truncated, "zlib stream ends early", at)
                                     : fail(Error::decode_error, "invalid zlib stream", at);
        }
        produced += got;
        if (produced > max_out) {
            const std::size_t at = base_offset;
            inflateEnd(&zs);
            return fail(Error::oversize, "zlib stream inflates past the bound", at);
        }
        if (rc == Z_OK && got == 0 && zs.avail_in == 0) {
            inflateEnd(&zs);
            return fail(Error::truncated, "zlib stream ends early", base_offset);
        }
    }
    out.resize(produced);
    const std::size_t left = zs.avail_in;
    inflateEnd(&zs);
    if (left != 0) {
        return fail(Error::trailing_bytes, "bytes after the zlib stream", base_offset + data.size() - left);
    }
    return out;
}

Result<Bytes> serialize_frame(const BinFrame& f) {
    if (f.metadata.size() > 255) {
        return fail(Error::invalid_argument, "metadata longer than 255 bytes");
    }
    if (f.binary_type > 15) {
        return fail(Error::invalid_argument, "binary type above 15");
    }
    BitWriter w;
    w.put(1, 1);
    w.put(f.version ? 1 : 0, 1);
    if (f.version) {
        w.put(*f.version, 8);
    }
    w.put(static_cast<std::uint32_t>(f.type), 5);
    w.put(f.compressed ? 1 : 0, 1);
    w.put(static_cast<std::uint32_t>(f.metadata.size()), 8);
    w.put_bytes(as_bytes(f.metadata));
    if (f.type == FrameType::binary) {
        w.put(f.binary_type, 4);
    }
    w.put_bytes(f.compressed ? ByteView(zlib_compress(f.payload)) : ByteView(f.payload));
    return w.finish();
}

Result<BinFrame> parse_frame(ByteView wire, std::size_t max_inflated) {
    if (wire.empty()) {
        return fail(Error::truncated, "empty binarized frame", 0);
    }
    if (wire[0] == 0) {
        return fail(Error::decode_error, "no start bit in the first byte", 0);
    }
    const auto leading = static_cast<std::size_t>(std::countl_zero(wire[0]));
    BitReader r(wire, leading + 1);
    BinFrame f;
    std::size_t header_bits = 1 + 1 + 5 + 1 + 8;
    SK_TRY(std::uint32_t versioned, r.get(1, "versioned bit"));
    if (versioned != 0) {
        SK_TRY(std::uint32_t version, r.get(8, "version"));
        f.version = static_cast<std::uint8_t>(version);
        header_bits += 8;
    }
    const std::size_t type_at = r.byte_offset();
    SK_TRY(std::uint32_t type, r.get(5, "type"));
    if (type >= kFrameTypeCount) {
        return fail(Error::unknown_type, "unknown binarized message type", type_at);
    }
    f.type = static_cast<FrameType>(type);
    SK_TRY(std::uint32_t compressed, r.get(1, "compression bit"));
    f.compressed = compressed != 0;
    SK_TRY(std::uint32_t meta_len, r.get(8, "metadata length"));
    const std::size_t meta_at = r.byte_offset();
    SK_TRY(Bytes meta, r.get_bytes(meta_len, "metadata"));
    header_bits += 8 * meta_len;
    if (f.type == FrameType::binary) {
        SK_TRY(std::uint32_t bt, r.get(4, "binary payload type"));
        f.binary_type = static_cast<std::uint8_t>(bt);
        header_bits += 4;
    }
    if ((leading + header_bits) % 8 != 0) {
        return fail(Error::bad_padding, "leading zero bits do not pad the header to whole bytes", 0);
    }
    auto meta_json = parse_json(ByteView(meta));
    if (!meta_json) {
        Failure at = meta_json.failure();
        at.offset += meta_at;
        return at;
    }
    if (!meta_json->is_object()) {
        return fail(Error::wrong_type, "metadata is not a JSON object", meta_at);
    }
    f.metadata.assign(meta.begin(), meta.end());
    const std::size_t payload_at = r.byte_offset();
    SK_TRY(Bytes payload, r.get_bytes(r.remaining() / 8, "payload"));
    if (f.compressed) {
        SK_TRY(f.payload, zlib_inflate(payload, max_inflated, payload_at));
    } else {
        f.payload = std::move(payload);
    }
    return f;
}

}  // namespace shakedown::hivemind
