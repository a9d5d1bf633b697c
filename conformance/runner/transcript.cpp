#include "conformance/runner/transcript.hpp"

namespace shakedown::conformance {

std::string_view to_string(Direction d) {
    switch (d) {
        case Direction::sent: return "sent";
        case Direction::received: return "received";
        case Direction::event: return "event";
    }
    return "event";
}

std::uint32_t Transcript::elapsed_ms() const {
    const auto d = std::chrono::steady_clock::now() - m_start;
    return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

Transcript Transcript::restore(std::vector<TranscriptEntry> entries, std::size_t elided_entries,
                               std::size_t elided_bytes) {
    Transcript t;
    for (const auto& e : entries) {
        t.m_bytes += e.bytes.size();
    }
    t.m_entries = std::move(entries);
    t.m_elided_entries = elided_entries;
    t.m_elided_bytes = elided_bytes;
    return t;
}

void Transcript::add(std::uint8_t connection, Direction d, ByteView bytes, std::string note) {
    if (m_entries.size() >= kMaxEntries) {
        ++m_elided_entries;
        m_elided_bytes += bytes.size();
        return;
    }
    TranscriptEntry e;
    e.t_ms = elapsed_ms();
    e.connection = connection;
    e.direction = d;
    e.size = bytes.size();
    if (m_bytes + bytes.size() <= kMaxBytes) {
        e.bytes.assign(bytes.begin(), bytes.end());
        m_bytes += bytes.size();
    } else {
        // Keep the head of a large entry: that is where framing and types are.
        const std::size_t keep = std::min<std::size_t>(bytes.size(), kMaxBytes > m_bytes ? kMaxBytes - m_bytes : 0);
        const std::size_t head = std::min<std::size_t>(keep, 64);
        e.bytes.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(head));
        m_bytes += head;
        m_elided_bytes += bytes.size() - head;
        note += note.empty() ? "" : "; ";
        note += "only the first " + std::to_string(head) + " of " + std::to_string(bytes.size()) + " bytes kept";
    }
    e.note = std::move(note);
    m_entries.push_back(std::move(e));
}

void Transcript::sent(std::uint8_t connection, ByteView bytes, std::string note) {
    add(connection, Direction::sent, bytes, std::move(note));
}

void Transcript::received(std::uint8_t connection, ByteView bytes, std::string note) {
    add(connection, Direction::received, bytes, std::move(note));
}

void Transcript::event(std::uint8_t connection, std::string note) {
    add(connection, Direction::event, {}, std::move(note));
}

void Transcript::annotate_last_received(std::uint8_t connection, const std::string& note) {
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it) {
        if (it->direction == Direction::received && it->connection == connection) {
            if (it->note.size() < 1024) {
                it->note += it->note.empty() ? "" : "; ";
                it->note += note;
            }
            return;
        }
    }
}

}  // namespace shakedown::conformance
