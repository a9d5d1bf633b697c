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
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"

namespace shakedown::fuzz {

// A fixed table of slots (like the crypto memo's): a key's slot is fixed by its hash and a new
// entry takes the slot's place, reusing its buffer, so that remembering something new in a run
// leaves no more allocations than frees behind (which libFuzzer would take for a possible leak and
// run the input again for). Value is copied by assignment (a flag, an optional integer).
template <class Value>
class ExactMemo {
public:
    ExactMemo() : m_slots(kSlots) {
        for (Slot& slot : m_slots) {
            slot.key.reserve(kReserved);
        }
        m_key.reserve(kReserved);
    }
    // Starts the key of the next find() / put().
    ExactMemo& key() {
        m_key.clear();
        return *this;
    }
    // One input of the check, length-prefixed so that no two sequences of inputs collide.
    ExactMemo& add(ByteView part) {
        const std::uint64_t n = part.size();
        for (int i = 0; i < 8; ++i) {
            m_key.push_back(static_cast<char>(n >> (8 * i)));
        }
        m_key.append(reinterpret_cast<const char*>(part.data()), part.size());
        return *this;
    }
    // What was remembered under the key, or nullptr; valid until the next put().
    [[nodiscard]] const Value* find() const {
        const Slot& slot = m_slots[slot_of()];
        return slot.used && slot.key == m_key ? &slot.value : nullptr;
    }
    void put(const Value& v) {
        Slot& slot = m_slots[slot_of()];
        slot.key.assign(m_key);
        slot.value = v;
        slot.used = true;
    }

private:
    struct Slot {
        std::string key;
        Value value{};
        bool used = false;
    };
    [[nodiscard]] std::size_t slot_of() const noexcept {
        return std::hash<std::string_view>{}(std::string_view(m_key)) & (kSlots - 1);
    }
    static constexpr std::size_t kSlots = 1024;  // a power of two
    static constexpr std::size_t kReserved = 256;
    std::vector<Slot> m_slots;
    std::string m_key;
};

}  // namespace shakedown::fuzz
