// The variant registry: one descriptor per handshake variant. Everything generic (the CLI's list,
// vectors, conform and peer commands, the benchmarks, ci/main.sh and ci/fuzz.sh through
// `shakedown list --json`) iterates these descriptors; no generic file names a variant.
//
// A variant provides `const Variant& <name>::variant()` in conformance/scenarios/<name>/variant.cpp
// and adds its name to variants.cmake; the build generates the list (registry.cpp) from there.
// docs/adding-a-variant.md describes every field.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/machine.hpp"
#include "common/rng.hpp"
#include "conformance/registry/settings.hpp"
#include "conformance/runner/machine_catalogue.hpp"
#include "conformance/runner/machine_peer.hpp"
#include "conformance/runner/net.hpp"
#include "conformance/runner/runner.hpp"
#include "conformance/runner/target.hpp"
#include "conformance/runner/transport.hpp"
#include "vectors/gen/vectors.hpp"

namespace shakedown::registry {

struct Profile {
    std::string name;     // "strict", "upstream", "described", "upstream-v2", ...
    std::string summary;  // one line
};

// A named misbehaviour of the reference (in the manner of BoGo's ProtocolBugs). `must_fail`
// lists the scenario ids (or id patterns, '*' matching any run of characters) that must FAIL
// when the reference runs with this knob; the self-test checks exactly those.
struct Knob {
    std::string name;
    std::string summary;
    std::vector<std::string> must_fail;
    std::vector<std::string> profiles;  // empty: every profile
    // A knob no scenario can see within a catalogue's time (it only costs memory, say): why, and
    // the unit test that catches it instead. Only with an empty must_fail.
    std::string off_the_wire;
};

// What the reference needs to build one machine.
struct MachineRequest {
    MachineRequest() = default;
    MachineRequest(Role r, std::string p, Settings s, std::vector<std::string> k, std::string remote_endpoint = {})
        : role(r), profile(std::move(p)), settings(std::move(s)), knobs(std::move(k)), remote(std::move(remote_endpoint)) {}

    Role role = Role::initiator;
    std::string profile;
    Settings settings;               // from the shim flags table
    std::vector<std::string> knobs;  // bug knobs to enable
    // Initiator: the HOST:PORT it connects to, when a live peer knows it (a variant may keep state
    // per server, such as the keys it trusted); empty otherwise.
    std::string remote;
};

// The reference peer: per-connection machines behind a variant's transport. `make_machine` returns
// nullptr and sets `error` for settings it cannot use.
using MachineFactory = std::function<std::unique_ptr<Machine>(const MachineRequest& request, Rng& rng,
                                                              const Clock& clock, std::string& error)>;

// One run of the reference as a live peer (shakedown peer, and the shim contract).
struct PeerRun {
    Role role = Role::acceptor;
    conformance::Endpoint endpoint;  // connect to (initiator) or listen on (acceptor)
    std::string profile;
    Settings settings;
    std::vector<std::string> knobs;
    std::size_t max_connections = 0;               // acceptor: 0 = until stopped; initiator: connections in turn
    std::uint32_t timeout_ms = 0;                  // 0: no limit
    std::function<void(const std::string&)> emit;  // one output line (LISTENING, HANDSHAKE_OK, ...)
    // Initiator: once the connections to `endpoint` have ended, one more to here, from this process
    // (conformance/SHIM.md, --then-connect).
    std::optional<conformance::Endpoint> then_connect;
};

struct CatalogueOptions {
    std::string profile;
    Settings settings;  // parsed against Variant::conform_flags (the runner's environment)
    // With conform --reference: the in-process reference the catalogue will run against.
    std::shared_ptr<conformance::LocalPeer> reference;
};

struct VectorHooks {
    // Every vector file of the variant (all profiles), as text, reproducible byte for byte.
    std::function<std::vector<vectors::GeneratedFile>(const vectors::GenerateOptions&)> generate;
    // The checker for the test groups of a file whose "schema" is `schema` (nullptr: unknown).
    std::function<vectors::CaseChecker(const std::string& schema)> checker;
};

// One handshake benchmark: the handshake, both roles in memory, and exactly the primitive
// operations it performs, measured in the same run; bench/ prints handshake / primitives.
struct BenchCase {
    std::string name;  // "<variant>/<profile or mode>"
    std::function<void()> handshake;
    std::function<void()> primitives;
    // Optional: one set-up of the connection the handshake runs over (TCP, TLS, WebSocket upgrade),
    // outside the ratio; handshake_bench prints its share of set-up plus handshake.
    std::function<void()> connection = {};
};

// One throughput benchmark: `layer` moves bytes_per_op bytes through one of the variant's own
// layers (a record layer sealing and opening a record, say) and `raw` moves the same bytes through
// the bare primitive that layer is built on, in the same sizes (the same plaintext, AAD and tag
// lengths); bench/ prints both in MB/s and layer / raw, measured in the same run.
struct ThroughputCase {
    std::string name;  // "<variant>/<layer>/<what and size>"
    std::size_t bytes_per_op = 0;
    std::function<void()> layer;
    std::function<void()> raw;
};

// Settings under which the reference's two roles complete a handshake with each other in memory
// (tests/ct/ runs every pair under valgrind; a mode worth covering, such as an authentication
// method, gets its own pair).
struct LoopbackPair {
    std::string name;  // "default", "rsa", ...
    Settings initiator;
    Settings acceptor;
};

// What `shakedown load` needs of a variant's profile (conformance/README.md, "Load"). Shim flags:
// `initiator` lets every one of many concurrent initiators complete a handshake with an acceptor
// started with `acceptor` (the in-process reference, or a shim); `wrong_credential`, added to the
// initiator's, makes it present a credential that acceptor must refuse (a wrong password, a key it
// was not provisioned with). A profile whose initiator presents no credential leaves it empty and
// says why in `no_credential`.
struct LoadSetup {
    std::vector<std::string> initiator;
    std::vector<std::string> acceptor;
    std::vector<std::string> wrong_credential;
    std::string no_credential;
};

struct Variant {
    std::string name;
    std::string summary;
    std::string doc;                // docs/protocols/<name>.md
    std::vector<Profile> profiles;  // the first is the default
    std::vector<std::string> messages;
    std::string transport_name;  // "tcp+record-marking", "websocket", "udp", ...

    VectorHooks vectors;
    std::function<conformance::Catalogue(const CatalogueOptions&)> catalogue;
    // The transport for a profile; settings are the shim flags of the peer (or the runner's
    // conform flags), for transports configured by them (a WebSocket path, a pinned certificate).
    std::function<std::shared_ptr<const conformance::TransportFactory>(const std::string& profile,
                                                                       const Settings& settings)>
        transport;
    // What the variant's server admits (connections at once, per source address per window), for
    // the generic reference server (serve, reference_peer); nullopt or unset: no limits beyond the
    // server's own bound.
    std::function<std::optional<conformance::ConnectionLimits>(const std::string& profile, const Settings& settings)>
        connection_limits;
    MachineFactory make_machine;
    // The reference inside the runner (conform --reference); built from make_machine and the
    // transport by default, a variant may supply its own.
    std::function<std::shared_ptr<conformance::LocalPeer>(const std::string& profile, const Settings& settings,
                                                          const std::vector<std::string>& knobs)>
        reference_peer;

    // shakedown peer: serve or connect as the reference; returns the exit status of the shim
    // contract (0 all handshakes completed, 1 otherwise, 2 usage).
    std::function<int(const PeerRun&)> serve;
    // `serve` makes PeerRun::then_connect's connection itself; otherwise serve() runs it again
    // for that connection, in the same process.
    bool serve_connects_again = false;

    std::vector<ShimFlag> shim_flags;
    // Variant flags of `shakedown conform` (e.g. the network, the identity a running target has).
    std::vector<ShimFlag> conform_flags;
    std::vector<Knob> knobs;
    // shakedown load: how honest initiators meet the reference acceptor under load, per profile;
    // unset: no flags on either side and no credential.
    std::function<LoadSetup(const std::string& profile)> load;
    std::vector<std::string> fuzz_targets;
    std::vector<BenchCase> bench;
    std::vector<ThroughputCase> throughput;
    // The loopback pairs of a profile; unset: one pair with empty settings.
    std::function<std::vector<LoopbackPair>(const std::string& profile)> loopback;

    [[nodiscard]] const Profile* find_profile(std::string_view name) const;
    [[nodiscard]] const Knob* find_knob(std::string_view name) const;
};

// The reference peer of a variant inside the runner: its own reference_peer when it has one,
// else the generic MachineReferencePeer over its transport and make_machine. nullptr (with
// `error`) when the variant has neither, or the settings or knobs are unusable.
[[nodiscard]] std::shared_ptr<conformance::LocalPeer> reference_peer(const Variant& v, const std::string& profile,
                                                                     const Settings& settings,
                                                                     const std::vector<std::string>& knobs,
                                                                     std::string& error);
// shakedown peer: the variant's own serve hook, else the generic machine peer. -1: neither exists.
[[nodiscard]] int serve(const Variant& v, const PeerRun& run);
[[nodiscard]] bool has_reference_peer(const Variant& v);
// The environment of the generic machine scenarios (conformance/runner/machine_catalogue.hpp) for
// a variant's profile: the harness is the variant's reference machine with default settings; the
// caller adds target flags, framing hooks and whether silence is a refusal.
[[nodiscard]] std::shared_ptr<conformance::MachineEnvironment> machine_environment(const Variant& v,
                                                                                   const std::string& profile);
// One reference machine of the variant for `request` (its clock frozen at the `now` setting when
// given); nullptr with `error` when the settings are unusable.
[[nodiscard]] std::unique_ptr<Machine> build_machine(const Variant& v, const MachineRequest& request,
                                                     std::string& error);
// The variant's reference machines configured by shim flags on top of `settings` (the generic
// reference peer's connections, and the harness of conformance/runner/machine_catalogue.hpp).
[[nodiscard]] conformance::FlaggedMachineFactory flagged_machine_factory(const Variant& v, const std::string& profile,
                                                                         const Settings& settings,
                                                                         const std::vector<std::string>& knobs);

// The per-connection limits a peer's settings ask for (`timeout-ms`: each connection's lifetime).
[[nodiscard]] conformance::DriveLimits drive_limits(const Settings& settings);

// Every registered variant, in variants.cmake order.
[[nodiscard]] const std::vector<const Variant*>& variants();
[[nodiscard]] const Variant* find(std::string_view name);
[[nodiscard]] std::vector<std::string> names();

}  // namespace shakedown::registry
