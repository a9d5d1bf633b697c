// A bounded memo for fuzz builds (SHAKEDOWN_FUZZ_MEMO_CRYPTO): the crypto memo
// (impl/common/crypto.cpp) and the fuzz fixtures' memo of their checks (fuzz/exact_memo.hpp)
// remember values under every byte of their inputs in one of these.
//
// A fixed table of slots, each remembering one key and its value; a key's slot is fixed by its
// hash, and a new entry takes the place of whatever the slot held. Slot buffers are reused: once
// every slot has held an entry, remembering one more allocates only when it is longer than what
// its slot held (and then frees that), so a run that remembers something new does not leave more
// allocations than frees behind it, which libFuzzer would take for a possible leak and run the
// input again to find out (TryDetectingAMemoryLeak). In namespace shakedown::fuzz, with the other
// fuzz-build-only code: the fuzz build compiles it without coverage instrumentation
// (fuzz/coverage-ignorelist.txt).
#pragma once

#include <cstddef>
#include <cstring>
#include <functional>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"

namespace shakedown::fuzz {

template <class Value>
class SlotMemo {
public:
    // `slots` is a power of two; each slot's key (and a Bytes value) starts with `reserved` bytes.
    SlotMemo(std::size_t slots, std::size_t reserved) : m_slots(slots) {
        for (Slot& slot : m_slots) {
            slot.key.reserve(reserved);
            if constexpr (requires(Value& v) { v.reserve(reserved); }) {
                slot.value.reserve(reserved);
            }
        }
    }
    // What was remembered under `key`, or nullptr; valid until the next put().
    [[nodiscard]] const Value* find(ByteView key) const {
        const Slot& slot = m_slots[slot_of(key)];
        return slot.used && same_bytes(slot.key, key) ? &slot.value : nullptr;
    }
    // The slot that now belongs to `key`, for the caller to set its value.
    [[nodiscard]] Value& put(ByteView key) {
        Slot& slot = m_slots[slot_of(key)];
        slot.key.assign(key.begin(), key.end());
        slot.used = true;
        return slot.value;
    }

private:
    struct Slot {
        Bytes key;
        Value value{};
        bool used = false;
    };
    // Keys are inputs, not secrets: an ordinary comparison.
    static bool same_bytes(const Bytes& a, ByteView b) noexcept {
        return a.size() == b.size() && (b.empty() || std::memcmp(a.data(), b.data(), b.size()) == 0);
    }
    // Every byte of the key, by the standard library's byte hash (a lookup is a hash and one
    // comparison rather than a dozen comparisons of long keys).
    [[nodiscard]] std::size_t slot_of(ByteView key) const noexcept {
        const auto h =
            std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
        return h & (m_slots.size() - 1);
    }
    std::vector<Slot> m_slots;
};

}  // namespace shakedown::fuzz
