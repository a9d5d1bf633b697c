// shakedown_ct: one in-memory handshake of every variant, profile and loopback pair in the
// registry, both roles built with the variant's make_machine. Built with SHAKEDOWN_CT, the
// reference marks its secrets undefined for valgrind's memcheck (impl/common/ct.hpp), and
// ci/ct.sh runs this program under memcheck: any branch or memory index that depends on a secret
// is reported with its stack. Without valgrind it checks that every pair completes its handshake
// (the ct.loopback test).
//
// Every call into a machine goes through as_role(Role::initiator / acceptor, ...), whose two
// never-inlined frames (ct_frame_initiator, ct_frame_acceptor) name the role in each report's
// stack; ci/ct_report.py counts the reports per role from them.
//
//   shakedown_ct [--list] [--only VARIANT/PROFILE/PAIR]
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/ct.hpp"
#include "common/rng.hpp"
#include "conformance/registry/variant.hpp"

namespace {

using shakedown::Bytes;
using shakedown::Machine;
using shakedown::Role;
namespace reg = shakedown::registry;

// noipa keeps both frames (no inlining, and no folding of the two identical bodies into one
// symbol); the statement after the call keeps it from becoming a tail jump, which would drop the
// frame from the stack valgrind prints.
[[gnu::noipa]] void ct_frame_initiator(const std::function<void()>& f) {
    f();
    asm volatile("" ::: "memory");
}
[[gnu::noipa]] void ct_frame_acceptor(const std::function<void()>& f) {
    f();
    asm volatile("" ::: "memory");
}
void as_role(Role r, const std::function<void()>& f) {
    if (r == Role::initiator) {
        ct_frame_initiator(f);
    } else {
        ct_frame_acceptor(f);
    }
}

struct Outcome {
    bool built = false;
    bool initiator_ok = false;
    bool acceptor_ok = false;
    std::size_t units = 0;
    std::string error;
};

constexpr std::size_t kMaxUnits = 64;

Outcome run_pair(const reg::Variant& v, const std::string& profile, const reg::LoopbackPair& pair) {
    Outcome out;
    // Deterministic randomness per role; the reference classifies what it draws as secret.
    shakedown::ByteArray<32> si{};
    shakedown::ByteArray<32> sa{};
    si.fill(0x11);
    sa.fill(0x22);
    shakedown::SeededRng rng_i(si);
    shakedown::SeededRng rng_a(sa);
    // A frozen clock: under valgrind a handshake step (PBKDF2) can outlast a variant's deadline.
    const shakedown::FixedClock clock(shakedown::SystemClock().unix_seconds());

    std::unique_ptr<Machine> m[2];
    for (const Role r : {Role::initiator, Role::acceptor}) {
        const reg::MachineRequest req{r, profile, r == Role::initiator ? pair.initiator : pair.acceptor, {}};
        std::string error;
        as_role(r, [&] {
            m[static_cast<int>(r)] = v.make_machine(req, r == Role::initiator ? static_cast<shakedown::Rng&>(rng_i) : rng_a,
                                                    clock, error);
        });
        if (!m[static_cast<int>(r)]) {
            out.error = std::string(shakedown::to_string(r)) + ": " + error;
            return out;
        }
    }
    out.built = true;

    as_role(Role::initiator, [&] { m[0]->start(); });
    as_role(Role::acceptor, [&] { m[1]->start(); });
    // Round trips until neither side has anything to send.
    for (bool moved = true; moved && out.units < kMaxUnits;) {
        moved = false;
        for (const Role from : {Role::initiator, Role::acceptor}) {
            const int s = static_cast<int>(from);
            std::vector<Bytes> units;
            as_role(from, [&] { units = m[s]->take_output(); });
            for (auto& u : units) {
                // What goes on the wire is public by definition: the peer parses it freely.
                shakedown::ct::declassify(u.data(), u.size());
                as_role(shakedown::other(from), [&] { m[1 - s]->receive(u); });
                ++out.units;
                moved = true;
            }
        }
    }
    as_role(Role::initiator, [&] { out.initiator_ok = m[0]->authenticated(); });
    as_role(Role::acceptor, [&] { out.acceptor_ok = m[1]->authenticated(); });
    as_role(Role::initiator, [&] { m[0].reset(); });
    as_role(Role::acceptor, [&] { m[1].reset(); });
    return out;
}

std::vector<reg::LoopbackPair> pairs_of(const reg::Variant& v, const std::string& profile) {
    if (v.loopback) {
        return v.loopback(profile);
    }
    return {reg::LoopbackPair{"default", {}, {}}};
}

}  // namespace

int main(int argc, char** argv) {
    bool list = false;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--list") == 0) {
            list = true;
        } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            std::fprintf(stderr, "usage: shakedown_ct [--list] [--only VARIANT/PROFILE/PAIR]\n");
            return 2;
        }
    }
    if (!list) {
        std::printf("ct build: %s\n", shakedown::ct::enabled() ? "yes (secrets marked for memcheck)" : "no");
    }
    int failed = 0;
    int ran = 0;
    for (const reg::Variant* v : reg::variants()) {
        if (!v->make_machine) {
            continue;
        }
        for (const auto& p : v->profiles) {
            for (const auto& pair : pairs_of(*v, p.name)) {
                const std::string id = v->name + "/" + p.name + "/" + pair.name;
                if (list) {
                    std::printf("%s\n", id.c_str());
                    continue;
                }
                if (!only.empty() && only != id) {
                    continue;
                }
                ++ran;
                const Outcome o = run_pair(*v, p.name, pair);
                const bool ok = o.built && o.initiator_ok && o.acceptor_ok;
                std::printf("%s %s: %zu units, initiator %s, acceptor %s%s%s\n", ok ? "OK  " : "FAIL", id.c_str(),
                            o.units, o.initiator_ok ? "authenticated" : "not authenticated",
                            o.acceptor_ok ? "authenticated" : "not authenticated", o.error.empty() ? "" : ": ",
                            o.error.c_str());
                failed += ok ? 0 : 1;
            }
        }
    }
    if (list) {
        return 0;
    }
    if (ran == 0) {
        std::fprintf(stderr, "shakedown_ct: nothing matched\n");
        return 2;
    }
    std::printf("%d pairs, %d failed\n", ran, failed);
    return failed == 0 ? 0 : 1;
}
