// A fixture's memo of a pure check, by every byte of its inputs (fuzz builds with
// SHAKEDOWN_FUZZ_MEMO_CRYPTO, fuzz/README.md "Fuzzing-only fast mode"). The machine under test
// writes the same units on input after input (its randomness and clock are the fixture's), and an
// observer that parses and verifies each one repeats the same work every time. What a check
// concluded about a unit is remembered under the exact bytes of the unit and of everything else
// the check reads (keys, say); a unit that differs in one bit is a different key and is checked
// afresh. Only conclusions the check reached without failing are remembered (a failing check ends
// the run). Bounded and thread-local, like the crypto memo.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/bytes.hpp"

namespace shakedown::fuzz {

template <class Value>
class ExactMemo {
public:
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
        const auto it = m_entries.find(std::string_view(m_key));
        return it == m_entries.end() ? nullptr : &it->second;
    }
    void put(Value v) {
        if (m_entries.size() >= kMaxEntries) {
            m_entries.clear();  // mutated runs would otherwise grow it without bound
        }
        m_entries.emplace(m_key, std::move(v));
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    static constexpr std::size_t kMaxEntries = 1024;
    std::unordered_map<std::string, Value, Hash, std::equal_to<>> m_entries;
    std::string m_key;
};

}  // namespace shakedown::fuzz
