// Record marking (RFC 5531 11 as stellar-core uses it): parse_frame on one record and the streaming
// FrameDecoder on a byte stream of records.
//
// Input: one control byte, then the stream. Control bit 0 selects the limits in force
// (authenticated or not); bit 1 the second streaming run: the stream cut at every place a record
// boundary changes the decoder's state (boundary_cuts), or at eight pseudo-random offsets seeded by
// the remaining bits. The stream is decoded whole and in that second way, and the two must agree.
// One chunking per input rather than both halves the decoding of the streaming check, and a
// mutation of the control byte reaches the other.
#include <algorithm>
#include <optional>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "stellar/framing.hpp"

using namespace shakedown;

namespace {

bool is_frame_error(Error e) {
    return e == Error::truncated || e == Error::trailing_bytes || e == Error::bad_length || e == Error::oversize;
}

void check_parse_frame(ByteView in, bool authenticated) {
    const auto r = stellar::parse_frame(in, authenticated);
    if (r) {
        // One encoding per record: the mark is the length with bit 31 as received.
        FUZZ_CHECK(r->header.length == r->body.size());
        FUZZ_CHECK(r->header.length > 0);
        FUZZ_CHECK(r->header.length <= (authenticated ? stellar::kMaxRecord : stellar::kMaxUnauthRecord));
        const Bytes again = stellar::frame_record(r->body, r->header.last_fragment_bit);
        FUZZ_CHECK(std::equal(again.begin(), again.end(), in.begin(), in.end()));
        const auto reparsed = stellar::parse_frame(again, authenticated);
        FUZZ_CHECK(reparsed.ok());
        FUZZ_CHECK(reparsed->body == r->body);
        FUZZ_CHECK(reparsed->header.last_fragment_bit == r->header.last_fragment_bit);
    } else {
        FUZZ_CHECK(is_frame_error(r.error()));
        FUZZ_CHECK(r.failure().offset != kNoOffset);
        FUZZ_CHECK(r.failure().offset <= in.size());
    }
}

// A record a decoder returned: where its mark starts in the stream, and its body's length (the
// body itself is checked against the stream's bytes as it comes out, so nothing is copied).
struct RecordAt {
    std::size_t offset = 0;
    std::size_t length = 0;
    bool operator==(const RecordAt&) const = default;
};

// What a decoder made of a stream: the records in order, then either a failure or the number of
// bytes still waiting for the rest of a record.
struct Decoded {
    std::vector<RecordAt> records;
    std::optional<Failure> failure;
    std::size_t buffered = 0;
    std::size_t consumed = 0;
};

void drain(stellar::FrameDecoder& d, ByteView stream, bool authenticated, Decoded& out) {
    while (!out.failure) {
        const std::size_t at = d.record_offset();
        auto next = d.next(authenticated);
        if (!next) {
            out.failure = next.failure();
            // A failed decoder stays failed, with the same failure.
            const auto again = d.next(authenticated);
            FUZZ_CHECK(!again.ok() && again.failure() == next.failure());
            return;
        }
        if (!next->has_value()) {
            return;
        }
        // The body is the stream's bytes after the mark, wherever the feeds were cut.
        const ByteView body = **next;
        FUZZ_CHECK(at + 4 + body.size() <= stream.size());
        const ByteView expected = stream.subspan(at + 4, body.size());
        FUZZ_CHECK(std::equal(body.begin(), body.end(), expected.begin(), expected.end()));
        out.records.push_back(RecordAt{at, body.size()});
    }
}

// Feeds the stream cut at `cuts` (ascending offsets within the stream; repeats feed nothing; none:
// the stream whole), draining records after every feed as the handshake does.
Decoded decode_cut(ByteView stream, bool authenticated, const std::vector<std::size_t>& cuts = {}) {
    stellar::FrameDecoder d;
    Decoded out;
    std::size_t prev = 0;
    for (const std::size_t c : cuts) {
        d.feed(stream.subspan(prev, c - prev));
        prev = c;
        drain(d, stream, authenticated, out);
    }
    if (prev < stream.size()) {
        d.feed(stream.subspan(prev));
    }
    drain(d, stream, authenticated, out);
    out.buffered = d.buffered();
    out.consumed = d.record_offset();
    return out;
}

// The places where a decoder's state changes, from the whole-stream run: inside every record mark
// (after 1, 2, 3 and 4 of its bytes) and one byte before every record's end, for each record
// decoded and for the mark that follows them. Feeding the stream cut there covers what a
// byte-by-byte feed does at a few feeds per record instead of one per byte.
std::vector<std::size_t> boundary_cuts(std::size_t stream_size, const std::vector<RecordAt>& records) {
    std::vector<std::size_t> cuts;
    cuts.reserve(5 * records.size() + 3);
    std::size_t offset = 0;
    auto add = [&](std::size_t c) {
        if (c > offset && c < stream_size && (cuts.empty() || c > cuts.back())) {
            cuts.push_back(c);
        }
    };
    for (const RecordAt& r : records) {
        for (std::size_t k = 1; k <= 4; ++k) {
            add(offset + k);
        }
        add(offset + 4 + r.length - 1);
        offset += 4 + r.length;
    }
    for (std::size_t k = 1; k <= 3; ++k) {
        add(offset + k);
    }
    return cuts;
}

bool same(const Decoded& a, const Decoded& b) {
    if (a.records != b.records || a.failure.has_value() != b.failure.has_value()) {
        return false;
    }
    if (a.failure && !(*a.failure == *b.failure)) {
        return false;
    }
    // After a failure the buffered tail depends on how much arrived before the check; only a
    // decoder still waiting must hold exactly the unconsumed bytes.
    return a.failure || (a.buffered == b.buffered && a.consumed == b.consumed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputCursor cursor(fuzz::input_view(data, size));
    const std::uint8_t control = cursor.u8();
    const bool authenticated = (control & 1) != 0;
    const ByteView stream = cursor.rest();

    check_parse_frame(stream, authenticated);
    // The limits before authentication are a subset of those after.
    if (stellar::parse_frame(stream, false)) {
        const auto lifted = stellar::parse_frame(stream, true);
        FUZZ_CHECK(lifted.ok());
    }

    const Decoded whole = decode_cut(stream, authenticated);
    std::vector<std::size_t> cuts;
    if ((control & 2) == 0) {
        cuts = boundary_cuts(stream.size(), whole.records);
    } else {
        // Eight pseudo-random cuts (xorshift32 seeded by the control byte), repeats giving
        // zero-length feeds: arbitrary places, in a handful of feeds rather than one per few bytes.
        std::uint32_t state = 0x9e3779b9U ^ (control >> 2);
        cuts.reserve(8);
        for (int i = 0; i < 8; ++i) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            cuts.push_back(state % (stream.size() + 1));
        }
        std::sort(cuts.begin(), cuts.end());
    }
    const Decoded chunked = decode_cut(stream, authenticated, cuts);
    FUZZ_CHECK(same(whole, chunked));

    // The decoder's records are the stream cut where parse_frame would cut it: every record's mark
    // passes the header check with the decoder's length, and parse_frame (the same check, then a
    // copy of the body) takes the first and the last record exactly (a copy per record made a
    // fifth of the target's time on streams of many small records).
    std::size_t offset = 0;
    for (std::size_t i = 0; i < whole.records.size(); ++i) {
        const RecordAt& r = whole.records[i];
        FUZZ_CHECK(r.offset == offset);
        FUZZ_CHECK(offset + 4 + r.length <= stream.size());
        const auto header = stellar::check_frame_header(stream.subspan(offset, 4), authenticated);
        FUZZ_CHECK(header.ok() && header->length == r.length);
        if (i == 0 || i + 1 == whole.records.size()) {
            const auto one = stellar::parse_frame(stream.subspan(offset, 4 + r.length), authenticated);
            FUZZ_CHECK(one.ok());
            const ByteView body = stream.subspan(offset + 4, r.length);
            FUZZ_CHECK(std::equal(one->body.begin(), one->body.end(), body.begin(), body.end()));
        }
        offset += 4 + r.length;
    }
    FUZZ_CHECK(offset <= stream.size());
    if (whole.failure) {
        // Located at the mark of the record that failed, and that mark alone is enough to fail.
        FUZZ_CHECK(whole.failure->offset == offset);
        FUZZ_CHECK(offset + 4 <= stream.size());
        const auto header = stellar::check_frame_header(stream.subspan(offset, 4), authenticated);
        FUZZ_CHECK(!header.ok());
        FUZZ_CHECK(header.error() == whole.failure->code);
        FUZZ_CHECK(header.error() == Error::bad_length || header.error() == Error::oversize);
    } else {
        FUZZ_CHECK(whole.consumed == offset);
        FUZZ_CHECK(whole.buffered == stream.size() - offset);
        // What is left is an incomplete record, never a complete one the decoder missed.
        FUZZ_CHECK(!stellar::parse_frame(stream.subspan(offset), authenticated).ok());
    }
    return 0;
}
