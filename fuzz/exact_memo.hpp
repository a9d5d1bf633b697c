// A fixture's memo of a pure check, by every byte of its inputs (fuzz builds with
// SHAKEDOWN_FUZZ_MEMO_CRYPTO, fuzz/README.md "Fuzzing-only fast mode"). The machine under test
// writes the same units on input after input (its randomness and clock are the fixture's), and an
// observer that parses and verifies each one repeats the same work every time. What a check
// concluded about a unit is remembered under the exact bytes of the unit and of everything else
// the check reads (keys, say); a unit that differs in one bit is a different key and is checked
// afresh. Only conclusions the check reached without failing are remembered (a failing check ends
// the run). Bounded (a fixed number of entries) and thread-local, like the crypto memo.
#pragma once

#include <cstdint>

#include "common/bytes.hpp"
#include "common/slot_memo.hpp"

namespace shakedown::fuzz {

// The entries are a SlotMemo (impl/common/slot_memo.hpp), like the crypto memo's: bounded, and
// remembering something new in a run leaves no more allocations than frees behind. Value is
// copied by assignment (a flag, an optional integer).
template <class Value>
class ExactMemo {
public:
    ExactMemo() { m_key.reserve(kReserved); }
    // Starts the key of the next find() / put().
    ExactMemo& key() {
        m_key.clear();
        return *this;
    }
    // One input of the check, length-prefixed so that no two sequences of inputs collide.
    ExactMemo& add(ByteView part) {
        const std::uint64_t n = part.size();
        for (int i = 0; i < 8; ++i) {
            m_key.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
        }
        m_key.insert(m_key.end(), part.begin(), part.end());
        return *this;
    }
    // What was remembered under the key, or nullptr; valid until the next put().
    [[nodiscard]] const Value* find() const { return m_table.find(m_key); }
    void put(const Value& v) { m_table.put(m_key) = v; }

private:
    static constexpr std::size_t kSlots = 1024;  // a power of two
    static constexpr std::size_t kReserved = 256;
    SlotMemo<Value> m_table{kSlots, kReserved};
    Bytes m_key;
};

}  // namespace shakedown::fuzz
