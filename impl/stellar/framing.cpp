#include "stellar/framing.hpp"

#include <algorithm>
#include <utility>

#include "common/reader.hpp"
#include "common/writer.hpp"

namespace shakedown::stellar {

Bytes frame_record(ByteView xdr, bool set_last_fragment_bit) {
    Writer w;
    const auto len = static_cast<std::uint32_t>(xdr.size());
    w.put_u32be(set_last_fragment_bit ? (len | kLastFragmentBit) : len);
    w.put_bytes(xdr);
    return std::move(w).take();
}

Result<FrameHeader> read_record_mark(ByteView header) {
    Reader r(header);
    SK_TRY(const std::uint32_t raw, r.read_u32be());
    return FrameHeader{raw & ~kLastFragmentBit, (raw & kLastFragmentBit) != 0};
}

Result<FrameHeader> check_frame_header(ByteView header4, bool authenticated) {
    SK_TRY(const FrameHeader h, read_record_mark(header4));
    if (h.length == 0) {
        return fail(Error::bad_length, "record length 0", 0);
    }
    if (!authenticated && h.length > kMaxUnauthRecord) {
        return fail(Error::oversize, "record over 4096 bytes before authentication", 0);
    }
    if (h.length > kMaxRecord) {
        return fail(Error::oversize, "record over 16 MiB", 0);
    }
    return h;
}

Result<Frame> parse_frame(ByteView in, bool authenticated) {
    Reader r(in);
    SK_TRY(const ByteView header, r.read_bytes(4));
    SK_TRY(const FrameHeader h, check_frame_header(header, authenticated));
    SK_TRY(const ByteView body, r.read_bytes(h.length));
    SK_CHECK(r.expect_done());
    return Frame{h, Bytes(body.begin(), body.end())};
}

void FrameDecoder::feed(ByteView data) {
    if (m_failed) {
        return;
    }
    // Records taken by next() leave the buffer here, once per feed rather than once per record.
    if (m_start == m_buffer.size()) {
        m_buffer.clear();
    } else if (m_start > 0) {
        m_buffer.erase(m_buffer.begin(), m_buffer.begin() + static_cast<std::ptrdiff_t>(m_start));
    }
    m_start = 0;
    // Bounded: the caller drains records with next() between feeds; a single feed larger than one
    // maximal record is cut here and fails at the next header check rather than growing without end.
    const std::size_t room = static_cast<std::size_t>(kMaxRecord) + 4 > m_buffer.size()
                                 ? static_cast<std::size_t>(kMaxRecord) + 4 - m_buffer.size()
                                 : 0;
    const std::size_t take = std::min(room, data.size());
    m_buffer.insert(m_buffer.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
}

Result<std::optional<ByteView>> FrameDecoder::next(bool authenticated) {
    if (m_failed) {
        return *m_failed;
    }
    const ByteView waiting = ByteView(m_buffer).subspan(m_start);
    if (waiting.size() < 4) {
        return std::optional<ByteView>{};
    }
    auto header = check_frame_header(waiting.first(4), authenticated);
    if (!header) {
        Failure f = header.failure();
        f.offset = m_consumed;
        m_failed = f;
        return f;
    }
    m_last_header = *header;
    const std::size_t total = 4 + static_cast<std::size_t>(header->length);
    if (waiting.size() < total) {
        return std::optional<ByteView>{};
    }
    const ByteView body = waiting.subspan(4, total - 4);
    m_start += total;
    m_consumed += total;
    return std::optional<ByteView>(body);
}

}  // namespace shakedown::stellar
