// Shared glue for the fuzz targets (in the manner of Botan's src/fuzzer/fuzzers.h). Each target is
// one translation unit defining LLVMFuzzerTestOneInput. Built with -fsanitize=fuzzer it runs under
// libFuzzer; otherwise it links with replay_main.cpp, which replays corpus files through the same
// entry point, so every target also runs as a plain test over its committed corpus.
//
// Targets assert invariants with FUZZ_CHECK rather than only surviving the input: a wrong answer
// that does not crash is still a finding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "common/bytes.hpp"
#include "common/error.hpp"
#include "common/result.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace shakedown::fuzz {

[[noreturn]] inline void check_failed(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "FUZZ_CHECK failed: %s\n  at %s:%d\n", condition, file, line);
    std::fflush(stderr);
    // abort() rather than exit(): libFuzzer treats SIGABRT as a crash and saves the input, and the
    // replay driver reports it as a failed input.
    std::abort();
}

// The fuzzer hands over a pointer that may be null when size is 0; a span built from it is fine,
// but nothing else should see the raw pair.
[[nodiscard]] inline ByteView input_view(const std::uint8_t* data, std::size_t size) {
    return size == 0 ? ByteView{} : ByteView{data, size};
}

// The errors a strict XDR parser may report (impl/common/error.hpp, "Codec"): anything else from
// a parser means a check outside the codec leaked into it.
[[nodiscard]] inline bool is_codec_error(Error e) {
    switch (e) {
        case Error::truncated:
        case Error::trailing_bytes:
        case Error::bad_length:
        case Error::bad_padding:
        case Error::unknown_type: return true;
        default: return false;
    }
}

// `prefix` as a big-endian u32 followed by `rest`, for building a composite message around a fuzz
// input.
[[nodiscard]] inline Bytes with_u32be_prefix(std::uint32_t prefix, ByteView rest) {
    Bytes out(4 + rest.size());
    for (std::size_t i = 0; i < 4; ++i) {
        out[i] = static_cast<std::uint8_t>(prefix >> (24 - 8 * i));
    }
    std::copy(rest.begin(), rest.end(), out.begin() + 4);
    return out;
}

// Consumes the fuzz input front to back. Running out yields zeros / empty views, never a failure:
// every byte string must map to some run so that the fuzzer's mutations are never wasted.
class InputCursor {
public:
    explicit InputCursor(ByteView in) : m_in(in) {}

    [[nodiscard]] bool empty() const noexcept { return m_pos >= m_in.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept { return m_in.size() - m_pos; }

    std::uint8_t u8() { return empty() ? 0 : m_in[m_pos++]; }
    std::uint16_t u16be() {
        const auto hi = u8();
        const auto lo = u8();
        return static_cast<std::uint16_t>((hi << 8) | lo);
    }
    // Up to n bytes (fewer at the end of the input).
    ByteView bytes(std::size_t n) {
        const std::size_t take = n < remaining() ? n : remaining();
        const ByteView out = m_in.subspan(m_pos, take);
        m_pos += take;
        return out;
    }
    ByteView rest() { return bytes(remaining()); }

private:
    ByteView m_in;
    std::size_t m_pos = 0;
};

}  // namespace shakedown::fuzz

#define FUZZ_CHECK(cond)                                                \
    do {                                                                \
        if (!(cond)) {                                                  \
            ::shakedown::fuzz::check_failed(#cond, __FILE__, __LINE__); \
        }                                                               \
    } while (false)
