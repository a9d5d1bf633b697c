// Sending a unit slowly: in chunks, with a gap between them (a record mark trickled a byte at a
// time, a message split in two). Variant-independent: the caller writes and waits.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "common/bytes.hpp"
#include "conformance/runner/net.hpp"

namespace shakedown::conformance {

struct Pacing {
    // Chunk sizes for a unit of `total` bytes (what is left after the last size goes at once).
    std::function<std::vector<std::size_t>(std::size_t total)> sizes;
    Millis gap{0};
    explicit operator bool() const { return static_cast<bool>(sizes); }
};

// One byte per chunk.
[[nodiscard]] std::vector<std::size_t> bytewise(std::size_t total);

// Sends `bytes` in chunks of `sizes`: `write` each chunk, `pause` between two chunks. Stops, and
// returns false, as soon as either returns false.
bool send_paced(ByteView bytes, const std::vector<std::size_t>& sizes, const std::function<bool(ByteView)>& write,
                const std::function<bool()>& pause);

}  // namespace shakedown::conformance
