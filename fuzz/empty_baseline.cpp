// The empty fuzz target: the engine's own cost per execution under the same instrumentation and
// sanitizers as the real targets. ci/fuzz.sh prints its exec/s beside theirs, so a figure can be
// read against what this machine manages at all in the same run. Not a target of any variant.
#include <cstddef>
#include <cstdint>

namespace shakedown_baseline {
// One instrumented function entry, the least a target can have: libFuzzer refuses to run a target
// that reports no coverage at all, and the entry points are compiled without coverage
// (fuzz/coverage-ignorelist.txt), as the real targets' are.
[[gnu::noinline]] void enter() { asm volatile(""); }
}  // namespace shakedown_baseline

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)data;
    (void)size;
    shakedown_baseline::enter();
    return 0;
}
