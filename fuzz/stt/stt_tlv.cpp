// STT TLV decoder: canonical round trip, agreement with the upstream leniencies (whatever the
// strict decoder accepts, each lenient one accepts as the same value; one of the four per input),
// and an allocation bound: no input makes decode() allocate more than decode_allocation_bound(size)
// bytes in total.
#include <cstdlib>
#include <new>

#include "fuzz/fuzz_target.hpp"
#include "stt/tlv.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define STT_FUZZ_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STT_FUZZ_HOOKS 1
#endif
#endif

namespace {
thread_local bool g_counting = false;
thread_local std::size_t g_allocated = 0;
void count(std::size_t n) {
    if (g_counting) {
        g_allocated += n;
    }
}
}  // namespace

#ifdef STT_FUZZ_HOOKS
// From the sanitizer runtime (sanitizer/allocator_interface.h, which GCC does not install).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                                         void (*free_hook)(const volatile void*));
namespace {
void on_malloc(const volatile void*, std::size_t n) { count(n); }
void on_free(const volatile void*) {}
const int g_hooks = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}  // namespace
#else
// Without a sanitizer runtime, count through the global allocation functions.
void* operator new(std::size_t n) {
    count(n);
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

using namespace shakedown;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView in = fuzz::input_view(data, size);
    g_allocated = 0;
    g_counting = true;
    auto r = stt::decode(in);
    g_counting = false;
    FUZZ_CHECK(g_allocated <= stt::decode_allocation_bound(size));
    if (r) {
        // The counter itself works: a non-empty container cannot decode without allocating.
        if (!r->items.empty()) {
            FUZZ_CHECK(g_allocated >= sizeof(stt::Value));
        }
        auto again = stt::encode(*r);
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(std::equal(again->begin(), again->end(), in.begin(), in.end()));
        // One leniency per input, chosen by its size: the mutations of an input reach the others,
        // with two decodes per accepted input where checking all four took five.
        static constexpr stt::TlvLeniency kLeniencies[] = {
            {true, false, false, false}, {false, true, false, false}, {false, false, true, false}, {false, false, false, true}};
        auto lax = stt::decode(in, {}, kLeniencies[size % 4]);
        FUZZ_CHECK(lax.ok() && *lax == *r);
    } else {
        FUZZ_CHECK(r.failure().offset <= size);
    }
    return 0;
}
