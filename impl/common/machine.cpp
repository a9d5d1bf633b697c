#include "common/machine.hpp"

#include <algorithm>

namespace shakedown {

OutputUnits& OutputUnits::operator=(const OutputUnits& o) {
    if (this == &o) {
        return *this;
    }
    clear();
    for (const ByteView u : o) {
        add(u);
    }
    return *this;
}

std::span<std::uint8_t> OutputUnits::add(std::size_t size) {
    const std::size_t capacity = m_heap.empty() ? m_inline.size() : m_heap.size();
    if (size > capacity - m_size) {
        // Doubling, so that a run of adds copies each byte a bounded number of times.
        Bytes grown(std::max(2 * capacity, m_size + size));
        std::copy_n(data(), m_size, grown.data());
        m_heap = std::move(grown);
    }
    const std::size_t begin = m_size;
    m_size += size;
    if (m_count < kInlineUnits) {
        m_ends[m_count] = m_size;
    } else {
        m_more_ends.push_back(m_size);
    }
    ++m_count;
    return {data() + begin, size};
}

// `unit` is never one of this object's own units (add may move them to a larger buffer).
void OutputUnits::add(ByteView unit) {
    const std::span<std::uint8_t> room = add(unit.size());
    if (!unit.empty()) {
        std::copy(unit.begin(), unit.end(), room.begin());
    }
}

std::vector<Bytes> OutputUnits::to_vector() const {
    std::vector<Bytes> out;
    out.reserve(m_count);
    for (const ByteView u : *this) {
        out.emplace_back(u.begin(), u.end());
    }
    return out;
}

std::vector<Bytes> OutputUnits::take() {
    std::vector<Bytes> out = to_vector();
    clear();
    return out;
}

void OutputUnits::drain_into(OutputUnits& out) {
    for (const ByteView u : *this) {
        out.add(u);
    }
    clear();
}

std::string_view to_string(Role r) noexcept {
    return r == Role::initiator ? "initiator" : "acceptor";
}

std::optional<Role> role_from_string(std::string_view s) noexcept {
    if (s == "initiator") {
        return Role::initiator;
    }
    if (s == "acceptor") {
        return Role::acceptor;
    }
    return std::nullopt;
}

std::string_view to_string(Action a) noexcept {
    switch (a) {
        case Action::send:
            return "send";
        case Action::receive:
            return "receive";
        case Action::done:
            return "done";
        case Action::closed:
            return "closed";
    }
    return "unknown";
}

}  // namespace shakedown
