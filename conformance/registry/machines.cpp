// The reference machines of a variant, built from shim flags: the clock frozen at --now when given,
// fresh system randomness, and the variant's make_machine. Shared by the generic reference peer,
// the machine scenarios' harness and variants that keep a peer of their own.
#include <ctime>

#include "conformance/registry/forwarding_machine.hpp"
#include "conformance/registry/variant.hpp"

namespace shakedown::registry {

namespace {

// The clock a reference machine reads: frozen at --now when given, else the system clock.
class SettingsClock final : public Clock {
public:
    explicit SettingsClock(std::optional<std::uint64_t> fixed) : m_fixed(fixed) {}
    [[nodiscard]] std::uint64_t unix_seconds() const override {
        return m_fixed ? *m_fixed : static_cast<std::uint64_t>(std::time(nullptr));
    }

private:
    std::optional<std::uint64_t> m_fixed;
};

// A machine that owns the randomness and clock it was built with.
class OwningMachine final : public ForwardingMachine {
public:
    OwningMachine(std::unique_ptr<Rng> rng, std::unique_ptr<Clock> clock)
        : m_rng(std::move(rng)), m_clock(std::move(clock)) {}
    [[nodiscard]] Rng& rng() { return *m_rng; }
    // The inner machine holds references to both: it goes first.
    ~OwningMachine() override { set(nullptr); }
    OwningMachine(const OwningMachine&) = delete;
    OwningMachine& operator=(const OwningMachine&) = delete;
    [[nodiscard]] const Clock& clock() const { return *m_clock; }

private:
    std::unique_ptr<Rng> m_rng;
    std::unique_ptr<Clock> m_clock;
};

}  // namespace

std::unique_ptr<Machine> build_machine(const Variant& v, const MachineRequest& request, std::string& error) {
    std::optional<std::uint64_t> now;
    if (const auto t = setting(request.settings, "now")) {
        std::uint64_t n = 0;
        if (!parse_number(*t, n)) {
            error = "--now needs a Unix time in seconds";
            return nullptr;
        }
        now = n;
    }
    auto owner = std::make_unique<OwningMachine>(std::make_unique<SystemRng>(), std::make_unique<SettingsClock>(now));
    auto inner = v.make_machine(request, owner->rng(), owner->clock(), error);
    if (!inner) {
        return nullptr;
    }
    owner->set(std::move(inner));
    return owner;
}

conformance::FlaggedMachineFactory flagged_machine_factory(const Variant& v, const std::string& profile,
                                                           const Settings& settings,
                                                           const std::vector<std::string>& knobs) {
    const Variant* variant = &v;
    return [variant, profile, settings, knobs](Role role, const std::vector<std::string>& flags,
                                               std::string& why) -> std::unique_ptr<Machine> {
        MachineRequest request{role, profile, settings, knobs};
        std::vector<std::string> unimplemented;
        if (!parse_settings(variant->shim_flags, flags, request.settings, unimplemented, why)) {
            return nullptr;
        }
        if (!unimplemented.empty()) {
            why = "unimplemented flag " + unimplemented.front();
            return nullptr;
        }
        return build_machine(*variant, request, why);
    };
}

std::shared_ptr<conformance::MachineEnvironment> machine_environment(const Variant& v, const std::string& profile) {
    auto env = std::make_shared<conformance::MachineEnvironment>();
    env->make = flagged_machine_factory(v, profile, {}, {});
    return env;
}

}  // namespace shakedown::registry
