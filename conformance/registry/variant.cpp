#include "conformance/registry/variant.hpp"

#include <algorithm>
#include <ctime>

#include "conformance/runner/machine_peer.hpp"

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

conformance::DriveLimits limits_from(const Settings& settings) {
    conformance::DriveLimits limits;
    if (const auto t = setting(settings, "timeout-ms")) {
        std::uint32_t n = 0;
        if (parse_number(*t, n)) {
            limits.lifetime = conformance::Millis(n);
        }
    }
    return limits;
}

}  // namespace

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

bool has_reference_peer(const Variant& v) {
    return static_cast<bool>(v.reference_peer) || (v.make_machine && v.transport);
}

std::shared_ptr<conformance::LocalPeer> reference_peer(const Variant& v, const std::string& profile,
                                                       const Settings& settings, const std::vector<std::string>& knobs,
                                                       std::string& error) {
    if (v.reference_peer) {
        auto peer = v.reference_peer(profile, settings, knobs);
        if (!peer) {
            error = "the reference peer could not be configured";
        }
        return peer;
    }
    if (!v.make_machine || !v.transport) {
        error = "variant " + v.name + " has no reference peer yet";
        return nullptr;
    }
    auto make = flagged_machine_factory(v, profile, settings, knobs);
    // Check the configuration once, before any scenario runs.
    if (!build_machine(v, MachineRequest{Role::acceptor, profile, settings, knobs}, error)) {
        return nullptr;
    }
    std::string knob_text;
    for (const auto& k : knobs) {
        knob_text += (knob_text.empty() ? " with --bug " : ", ") + k;
    }
    return std::make_shared<conformance::MachineReferencePeer>("shakedown reference peer (in process)" + knob_text,
                                                               v.transport(profile, settings), make, limits_from(settings));
}

int serve(const Variant& v, const PeerRun& run) {
    if (v.serve) {
        return v.serve(run);
    }
    if (!v.make_machine || !v.transport) {
        return -1;
    }
    const auto transport = v.transport(run.profile, run.settings);
    const auto limits = limits_from(run.settings);
    const std::optional<conformance::Deadline> until =
        run.timeout_ms > 0 ? std::optional<conformance::Deadline>(conformance::after(conformance::Millis(run.timeout_ms)))
                           : std::nullopt;
    const auto make = [&v, &run](Role role, std::string& error) {
        return build_machine(v, MachineRequest{role, run.profile, run.settings, run.knobs}, error);
    };
    if (run.role == Role::acceptor) {
        conformance::MachineServer server(transport, make, limits, run.emit);
        std::string error;
        if (!server.listen(run.endpoint, error)) {
            run.emit("HANDSHAKE_FAILED listen: " + error);
            return 1;
        }
        const std::size_t completed = server.serve(run.max_connections, until);
        return server.connections_accepted() > 0 && completed == server.connections_accepted() ? 0 : 1;
    }
    const std::atomic<bool> stop{false};
    std::size_t made = 0;
    std::size_t completed = 0;
    const std::size_t wanted = run.max_connections == 0 ? 1 : run.max_connections;
    while (made < wanted && !(until && conformance::SteadyClock::now() >= *until)) {
        std::string error;
        auto machine = make(Role::initiator, error);
        if (!machine) {
            run.emit("HANDSHAKE_FAILED configuration: " + error);
            return 2;
        }
        ++made;
        completed += conformance::run_machine_initiator(*transport, run.endpoint, *machine, stop, limits, run.emit)
                             .authenticated
                         ? 1
                         : 0;
    }
    return made > 0 && completed == made ? 0 : 1;
}

const Profile* Variant::find_profile(std::string_view n) const {
    for (const auto& p : profiles) {
        if (p.name == n) {
            return &p;
        }
    }
    return nullptr;
}

const Knob* Variant::find_knob(std::string_view n) const {
    for (const auto& k : knobs) {
        if (k.name == n) {
            return &k;
        }
    }
    return nullptr;
}

const Variant* find(std::string_view name) {
    for (const auto* v : variants()) {
        if (v->name == name) {
            return v;
        }
    }
    return nullptr;
}

std::vector<std::string> names() {
    std::vector<std::string> out;
    for (const auto* v : variants()) {
        out.push_back(v->name);
    }
    return out;
}

}  // namespace shakedown::registry
