// OutputUnits (the reusable output buffer of impl/common/machine.hpp) and SpanWriter.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <vector>

#include "common/machine.hpp"
#include "common/writer.hpp"

namespace shakedown {
namespace {

Bytes filled(std::size_t n, std::uint8_t seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = static_cast<std::uint8_t>(seed + i * 7);
    }
    return b;
}

void expect_units(const OutputUnits& u, const std::vector<Bytes>& want) {
    ASSERT_EQ(u.size(), want.size());
    EXPECT_EQ(u.empty(), want.empty());
    std::size_t i = 0;
    for (const ByteView unit : u) {
        EXPECT_EQ(Bytes(unit.begin(), unit.end()), want[i]) << "unit " << i;
        EXPECT_EQ(Bytes(u[i].begin(), u[i].end()), want[i]) << "unit " << i;
        ++i;
    }
    EXPECT_EQ(i, want.size());
    EXPECT_EQ(u.to_vector(), want);
}

TEST(OutputUnits, InlineThenHeapThenReused) {
    OutputUnits u;
    expect_units(u, {});
    // Small units in the inline room, an empty one, then more units than the inline boundaries
    // and more bytes than the inline room.
    std::vector<Bytes> want;
    for (std::size_t k = 0; k < 3 * OutputUnits::kInlineUnits; ++k) {
        const Bytes b = filled(k == 3 ? 0 : 40 + 13 * k, static_cast<std::uint8_t>(k));
        u.add(b);
        want.push_back(b);
        expect_units(u, want);
    }
    // Cleared, the room is reused and the old units are gone.
    u.clear();
    expect_units(u, {});
    const Bytes big = filled(3 * OutputUnits::kInlineBytes, 9);
    const std::span<std::uint8_t> room = u.add(big.size());
    ASSERT_EQ(room.size(), big.size());
    std::copy(big.begin(), big.end(), room.begin());
    u.add(filled(5, 1));
    expect_units(u, {big, filled(5, 1)});
    // A copy holds the same units and is independent of the original.
    OutputUnits copy = u;
    u.clear();
    u.add(filled(3, 3));
    expect_units(copy, {big, filled(5, 1)});
    expect_units(u, {filled(3, 3)});
}

RC_GTEST_PROP(OutputUnits, HoldsWhatWasAddedAcrossClears, (const std::vector<std::vector<std::uint8_t>>& first,
                                                           const std::vector<std::vector<std::uint8_t>>& second)) {
    OutputUnits u;
    for (const auto* units : {&first, &second}) {
        u.clear();
        for (const auto& b : *units) {
            u.add(b);
        }
        RC_ASSERT(u.size() == units->size());
        RC_ASSERT(u.to_vector() == *units);
    }
}

TEST(SpanWriter, WritesBigEndianLikeWriter) {
    Writer w;
    w.put_u8(0x01);
    w.put_u16be(0x0203);
    w.put_u32be(0x04050607);
    w.put_u64be(0x08090a0b0c0d0e0fULL);
    w.put_bytes(filled(3, 0x10));
    Bytes out(w.size());
    SpanWriter s(out);
    s.put_u8(0x01);
    s.put_u16be(0x0203);
    s.put_u32be(0x04050607);
    s.put_u64be(0x08090a0b0c0d0e0fULL);
    s.put_bytes(filled(3, 0x10));
    EXPECT_EQ(s.size(), out.size());
    EXPECT_EQ(out, w.bytes());
    EXPECT_EQ(Bytes(out.begin(), out.begin() + 15),
              (Bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}));
}

}  // namespace
}  // namespace shakedown
