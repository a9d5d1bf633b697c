// The empty fuzz target: the engine's own cost per execution under the same instrumentation and
// sanitizers as the real targets. ci/fuzz.sh prints its exec/s beside theirs, so a figure can be
// read against what this machine manages at all in the same run. Not a target of any variant.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)data;
    (void)size;
    return 0;
}
