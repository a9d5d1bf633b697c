#include "conformance/runner/pacing.hpp"

#include <algorithm>

namespace shakedown::conformance {

std::vector<std::size_t> bytewise(std::size_t total) { return std::vector<std::size_t>(total, 1); }

bool send_paced(ByteView bytes, const std::vector<std::size_t>& sizes, const std::function<bool(ByteView)>& write,
                const std::function<bool()>& pause) {
    std::size_t off = 0;
    for (std::size_t i = 0; off < bytes.size(); ++i) {
        const std::size_t n = i < sizes.size() ? std::min(sizes[i], bytes.size() - off) : bytes.size() - off;
        if (i > 0 && !pause()) {
            return false;
        }
        if (!write(bytes.subspan(off, n))) {
            return false;
        }
        off += n;
    }
    return true;
}

}  // namespace shakedown::conformance
