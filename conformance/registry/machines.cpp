// The reference machines of a variant, built from shim flags: the clock frozen at --now when given,
// fresh system randomness, and the variant's make_machine. Shared by the generic reference peer,
// the machine scenarios' harness and variants that keep a peer of their own.
#include <ctime>

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
class OwningMachine final : public Machine {
public:
    OwningMachine(std::unique_ptr<Rng> rng, std::unique_ptr<Clock> clock)
        : m_rng(std::move(rng)), m_clock(std::move(clock)) {}
    void set(std::unique_ptr<Machine> inner) { m_inner = std::move(inner); }
    [[nodiscard]] Rng& rng() { return *m_rng; }
    [[nodiscard]] const Clock& clock() const { return *m_clock; }

    [[nodiscard]] Role role() const noexcept override { return m_inner->role(); }
    void start() override { m_inner->start(); }
    void receive(ByteView input) override { m_inner->receive(input); }
    void peer_closed() override { m_inner->peer_closed(); }
    void idle_timeout() override { m_inner->idle_timeout(); }
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override { return m_inner->idle_timeout_ms(); }
    [[nodiscard]] Action next_action() const override { return m_inner->next_action(); }
    [[nodiscard]] std::vector<Bytes> take_output() override { return m_inner->take_output(); }
    [[nodiscard]] bool authenticated() const noexcept override { return m_inner->authenticated(); }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_inner->closure(); }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override { return m_inner->derived_keys(); }
    [[nodiscard]] std::size_t pending_bytes() const noexcept override { return m_inner->pending_bytes(); }
    [[nodiscard]] Bytes peer_identity() const override { return m_inner->peer_identity(); }

private:
    std::unique_ptr<Rng> m_rng;
    std::unique_ptr<Clock> m_clock;
    std::unique_ptr<Machine> m_inner;
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
