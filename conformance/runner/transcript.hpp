// The bytes one scenario exchanged, in order, with times and notes. Bounded: past the byte budget
// entries keep their size and note but drop their bytes, and past the entry budget they are only
// counted, so a flooding target cannot grow the runner's memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.hpp"

namespace shakedown::conformance {

enum class Direction : std::uint8_t { sent, received, event };
[[nodiscard]] std::string_view to_string(Direction d);

struct TranscriptEntry {
    std::uint32_t t_ms = 0;   // since the scenario started
    std::uint8_t connection = 0;
    Direction direction = Direction::event;
    std::size_t size = 0;     // bytes on the wire, even when `bytes` was elided
    Bytes bytes;
    std::string note;
};

class Transcript {
public:
    static constexpr std::size_t kMaxBytes = 64 * 1024;
    static constexpr std::size_t kMaxEntries = 512;

    Transcript() : m_start(std::chrono::steady_clock::now()) {}
    // A transcript read back from a report (shakedown report merge), its entries and times as
    // recorded. The budgets are not applied again: the report was written within them.
    [[nodiscard]] static Transcript restore(std::vector<TranscriptEntry> entries, std::size_t elided_entries,
                                            std::size_t elided_bytes);

    void sent(std::uint8_t connection, ByteView bytes, std::string note = {});
    void received(std::uint8_t connection, ByteView bytes, std::string note = {});
    void event(std::uint8_t connection, std::string note);
    // Adds a note to the last received entry of that connection (message decoding is done later
    // than the framing that recorded it).
    void annotate_last_received(std::uint8_t connection, const std::string& note);

    [[nodiscard]] const std::vector<TranscriptEntry>& entries() const { return m_entries; }
    [[nodiscard]] std::size_t elided_entries() const { return m_elided_entries; }
    [[nodiscard]] std::size_t elided_bytes() const { return m_elided_bytes; }
    [[nodiscard]] std::uint32_t elapsed_ms() const;

private:
    void add(std::uint8_t connection, Direction d, ByteView bytes, std::string note);

    std::chrono::steady_clock::time_point m_start;
    std::vector<TranscriptEntry> m_entries;
    std::size_t m_bytes = 0;
    std::size_t m_elided_entries = 0;
    std::size_t m_elided_bytes = 0;
};

}  // namespace shakedown::conformance
