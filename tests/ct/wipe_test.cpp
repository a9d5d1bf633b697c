// Wiping: every secret the reference classifies (impl/common/ct.hpp: long-term keys, ephemeral
// secrets, passwords, derived keys) is zero by the time the memory holding it is given back.
//
// The test installs a ct observer that records each classified region, and replaces the global
// operator delete: when a block is freed (a machine after its destructor ran, the heap buffer of
// a SecretBytes or std::string), every recorded region inside it is checked for zero bytes
// before the block goes back to malloc. Every variant, profile and loopback pair of the registry
// runs one in-memory handshake, then both machines are destroyed.
#include <gtest/gtest.h>
#include <malloc.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "common/ct.hpp"
#include "common/rng.hpp"
#include "conformance/registry/variant.hpp"

namespace {

// Fixed storage: the delete hook must not allocate.
struct Region {
    const std::uint8_t* data;
    std::size_t size;
    bool checked;
    bool zero;
};
constexpr std::size_t kMaxRegions = 4096;
std::array<Region, kMaxRegions> g_regions{};
std::size_t g_count = 0;
bool g_overflow = false;

void record(const void* data, std::size_t size) {
    if (g_count == kMaxRegions) {
        g_overflow = true;
        return;
    }
    g_regions[g_count++] = Region{static_cast<const std::uint8_t*>(data), size, false, false};
}

// Called with a block about to be freed: check every region inside it, once.
void check_block(const void* block, std::size_t size) {
    if (g_count == 0 || block == nullptr) {
        return;
    }
    const auto* begin = static_cast<const std::uint8_t*>(block);
    const auto* end = begin + size;
    for (std::size_t i = 0; i < g_count; ++i) {
        Region& r = g_regions[i];
        if (!r.checked && r.data >= begin && r.data + r.size <= end) {
            r.checked = true;
            r.zero = true;
            for (std::size_t k = 0; k < r.size; ++k) {
                r.zero = r.zero && r.data[k] == 0;
            }
        }
    }
}

void release(void* p) noexcept {
    if (p != nullptr) {
        check_block(p, malloc_usable_size(p));
    }
    std::free(p);
}

// Records for the scope of one test, then forgets everything.
class Watch {
public:
    Watch() {
        g_count = 0;
        g_overflow = false;
        shakedown::ct::set_observer(&record);
    }
    ~Watch() {
        shakedown::ct::set_observer(nullptr);
        g_count = 0;
    }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    [[nodiscard]] std::size_t recorded() const { return g_count; }
    [[nodiscard]] std::size_t checked() const {
        std::size_t n = 0;
        for (std::size_t i = 0; i < g_count; ++i) {
            n += g_regions[i].checked ? 1 : 0;
        }
        return n;
    }
    // Regions found non-zero when their memory was freed.
    [[nodiscard]] std::vector<std::size_t> dirty() const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < g_count; ++i) {
            if (g_regions[i].checked && !g_regions[i].zero) {
                out.push_back(g_regions[i].size);
            }
        }
        return out;
    }
};

}  // namespace

// The replaceable allocation functions ([new.delete]): malloc underneath, so the freed block's
// extent is known (malloc_usable_size) whichever form of delete is used.
void* operator new(std::size_t n) {
    if (void* p = std::malloc(n == 0 ? 1 : n)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them), so that every block any
// delete sees came from this malloc.
void* operator new(std::size_t n, const std::nothrow_t& /*tag*/) noexcept { return std::malloc(n == 0 ? 1 : n); }
void* operator new[](std::size_t n, const std::nothrow_t& /*tag*/) noexcept { return std::malloc(n == 0 ? 1 : n); }
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept { release(p); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t /*n*/) noexcept { release(p); }
void operator delete[](void* p, std::size_t /*n*/) noexcept { release(p); }

namespace {

namespace reg = shakedown::registry;
using shakedown::Bytes;
using shakedown::Machine;
using shakedown::Role;

// One handshake of a loopback pair, both machines destroyed at the end. False if it did not
// complete (the wiping check then says little).
bool handshake(const reg::Variant& v, const std::string& profile, const reg::LoopbackPair& pair, std::string& error) {
    shakedown::ByteArray<32> si{};
    shakedown::ByteArray<32> sa{};
    si.fill(0x11);
    sa.fill(0x22);
    shakedown::SeededRng rng_i(si);
    shakedown::SeededRng rng_a(sa);
    // A frozen clock: under valgrind a handshake step (PBKDF2) can outlast a variant's deadline.
    const shakedown::FixedClock clock(shakedown::SystemClock().unix_seconds());
    auto ini = v.make_machine({Role::initiator, profile, pair.initiator, {}}, rng_i, clock, error);
    auto acc = v.make_machine({Role::acceptor, profile, pair.acceptor, {}}, rng_a, clock, error);
    if (!ini || !acc) {
        return false;
    }
    ini->start();
    acc->start();
    for (int i = 0; i < 64; ++i) {
        bool moved = false;
        for (auto& u : ini->take_output()) {
            acc->receive(u);
            moved = true;
        }
        for (auto& u : acc->take_output()) {
            ini->receive(u);
            moved = true;
        }
        if (!moved) {
            break;
        }
    }
    return ini->authenticated() && acc->authenticated();
}

TEST(Wipe, EveryClassifiedSecretIsZeroWhenItsMemoryIsFreed) {
    std::size_t pairs = 0;
    for (const reg::Variant* v : reg::variants()) {
        if (!v->make_machine) {
            continue;
        }
        for (const auto& p : v->profiles) {
            const auto list = v->loopback ? v->loopback(p.name) : std::vector<reg::LoopbackPair>{{"default", {}, {}}};
            for (const auto& pair : list) {
                const std::string id = v->name + "/" + p.name + "/" + pair.name;
                SCOPED_TRACE(id);
                ++pairs;
                const Watch watch;
                std::string error;
                EXPECT_TRUE(handshake(*v, p.name, pair, error)) << error;
                EXPECT_FALSE(g_overflow);
                // Each machine classifies at least its own long-term or session keys.
                EXPECT_GE(watch.recorded(), 2U);
                EXPECT_GE(watch.checked(), 2U);
                EXPECT_TRUE(watch.dirty().empty()) << watch.dirty().size() << " of " << watch.checked()
                                                   << " secret regions were not wiped";
                std::printf("%s: %zu secret regions classified, %zu checked when freed, %zu not wiped\n", id.c_str(),
                            watch.recorded(), watch.checked(), watch.dirty().size());
            }
        }
    }
    EXPECT_GE(pairs, 5U);
}

// The check can fail: a secret held in a plain array and never wiped is found.
TEST(Wipe, AnUnwipedSecretIsFound) {
    struct Leaky {
        std::array<std::uint8_t, 32> key{};
    };
    const Watch watch;
    auto* leaky = new Leaky;
    leaky->key.fill(0xa5);
    shakedown::ct::classify(leaky->key.data(), leaky->key.size());
    // Keeps the compiler from dropping the stores to an object that is about to be freed.
    asm volatile("" : : "r"(leaky) : "memory");
    delete leaky;
    EXPECT_EQ(watch.checked(), 1U);
    EXPECT_EQ(watch.dirty().size(), 1U);
}

// And a wiping container passes it, its heap buffer checked when freed.
TEST(Wipe, SecretBytesIsFoundWiped) {
    const Watch watch;
    {
        const shakedown::SecretBytes s(Bytes(48, 0x5a));
        shakedown::ct::classify(s.view().data(), s.size());
    }
    EXPECT_EQ(watch.checked(), 1U);
    EXPECT_TRUE(watch.dirty().empty());
}

}  // namespace
