#include "conformance/registry/variant.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "conformance/runner/machine_peer.hpp"

namespace shakedown::registry {

conformance::DriveLimits drive_limits(const Settings& settings) {
    conformance::DriveLimits limits;
    if (const auto t = setting(settings, "timeout-ms")) {
        std::uint32_t n = 0;
        if (parse_number(*t, n)) {
            limits.lifetime = conformance::Millis(n);
        }
    }
    return limits;
}

namespace {

std::optional<conformance::ConnectionLimits> connection_limits_of(const Variant& v, const std::string& profile,
                                                                  const Settings& settings) {
    return v.connection_limits ? v.connection_limits(profile, settings) : std::nullopt;
}

}  // namespace

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
    return std::make_shared<conformance::MachineReferencePeer>(
        "shakedown reference peer (in process)" + knob_text, v.transport(profile, settings), make,
        drive_limits(settings), connection_limits_of(v, profile, settings));
}

int serve(const Variant& v, const PeerRun& run) {
    if (v.serve && run.then_connect && !v.serve_connects_again) {
        // A variant's own serve makes the connections it is asked for; the second one is then a
        // second run in this same process.
        PeerRun first = run;
        first.then_connect.reset();
        const int a = v.serve(first);
        PeerRun second = first;
        second.endpoint = *run.then_connect;
        second.max_connections = 1;
        const int b = v.serve(second);
        return a != 0 ? a : b;
    }
    if (v.serve) {
        return v.serve(run);
    }
    if (!v.make_machine || !v.transport) {
        return -1;
    }
    const auto transport = v.transport(run.profile, run.settings);
    const auto limits = drive_limits(run.settings);
    const std::optional<conformance::Deadline> until =
        run.timeout_ms > 0
            ? std::optional<conformance::Deadline>(conformance::after(conformance::Millis(run.timeout_ms)))
            : std::nullopt;
    const auto make = [&v, &run](Role role, std::string& error) {
        return build_machine(v,
                             MachineRequest{role, run.profile, run.settings, run.knobs,
                                            role == Role::initiator ? run.endpoint.to_string() : std::string()},
                             error);
    };
    if (run.role == Role::acceptor) {
        conformance::MachineServer server(transport, make, limits, run.emit,
                                          connection_limits_of(v, run.profile, run.settings));
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
    // One initiator exchange with `to`; false if the machine could not be made (exit 2).
    const auto connect_once = [&](const conformance::Endpoint& to, bool& ok) {
        std::string error;
        auto machine = make(Role::initiator, error);
        if (!machine) {
            run.emit("HANDSHAKE_FAILED configuration: " + error);
            return false;
        }
        ++made;
        ok = conformance::run_machine_initiator(*transport, to, *machine, stop, limits, run.emit).authenticated;
        completed += ok ? 1 : 0;
        return true;
    };
    // --max-connections 0 (a reconnecting peer, as the harness's listen mode needs): connect again
    // after each exchange until stopped (a signal, or --timeout-ms); otherwise make that many.
    const bool reconnect = run.max_connections == 0;
    const std::size_t wanted = run.max_connections == 0 ? 1 : run.max_connections;
    while ((reconnect || made < wanted) && !(until && conformance::SteadyClock::now() >= *until)) {
        bool ok = false;
        if (!connect_once(run.endpoint, ok)) {
            return 2;
        }
        if (reconnect && !ok) {
            // Nobody listening yet (or any more), or the exchange was refused: do not spin.
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    if (run.then_connect && !(until && conformance::SteadyClock::now() >= *until)) {
        // The same transport factory: whatever it keeps between connections, it keeps here too.
        bool ok = false;
        if (!connect_once(*run.then_connect, ok)) {
            return 2;
        }
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

}  // namespace shakedown::registry
