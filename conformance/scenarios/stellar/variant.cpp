#include "conformance/scenarios/stellar/variant.hpp"

#include "common/rng.hpp"
#include "conformance/scenarios/stellar/bench.hpp"
#include "conformance/scenarios/stellar/catalogue.hpp"
#include "conformance/scenarios/stellar/peer.hpp"
#include "conformance/runner/machine_catalogue.hpp"
#include "stellar/auth.hpp"
#include "stellar/machine.hpp"
#include "stellar/quirks.hpp"
#include "vectors/gen/stellar/stellar_vectors.hpp"

namespace shakedown::stellar {

namespace {

namespace cf = shakedown::conformance;
namespace ref = shakedown::conformance::reference;
namespace sc = shakedown::conformance::stellar_scenarios;

// Which scenarios each knob must fail (ids or '*' patterns); the knob self-test
// (tests/conformance/bug_knobs.sh) checks exactly these.
const std::map<std::string_view, std::vector<std::string>>& knob_scenarios() {
    static const std::map<std::string_view, std::vector<std::string>> m = {
#include "conformance/scenarios/stellar/knob_scenarios.inc"
    };
    return m;
}

std::vector<registry::Knob> knobs() {
    std::vector<registry::Knob> out;
    for (const auto& q : quirk_table()) {
        const auto it = knob_scenarios().find(q.name);
        out.push_back(registry::Knob{std::string(q.name), std::string(q.description),
                                     it == knob_scenarios().end() ? std::vector<std::string>{} : it->second, {}, {}});
    }
    return out;
}

// The certificate's expiry at the boundary, with the target's clock fixed by --now (stellar-core:
// expired if expiration < now, so exactly now still passes). The harness's clock is set so that its
// certificate (valid kCertLifetimeSeconds from its own now) expires at T - 1, T or T + 1. Against a
// running target, which has no fixed clock, these are UNIMPLEMENTED.
void add_clock_boundaries(cf::Catalogue& cat, const std::string& network) {
    constexpr std::uint64_t kTargetNow = 1767225600;  // 2026-01-01T00:00:00Z
    auto env = registry::machine_environment(variant(), "stellar-core");
    env->target_flags = {"--network", network};
    struct Boundary {
        const char* name;
        std::int64_t offset;  // expiration - target's now
        cf::Expect expect;
    };
    for (const Role role : {Role::acceptor, Role::initiator}) {
        for (const Boundary b : {Boundary{"cert-expired-1s", -1, cf::Expect::reject},
                                 Boundary{"cert-expires-now", 0, cf::Expect::complete},
                                 Boundary{"cert-expires-in-1s", 1, cf::Expect::complete}}) {
            cf::MachineScenario s;
            s.info.id = std::string(to_string(role)) + ".clock." + b.name;
            s.info.cls = "clock";
            s.info.target_role = role;
            s.info.title = "our AuthCert expires " + std::to_string(b.offset) + " s from the target's fixed clock";
            s.info.rule = "an AuthCert with expiration < now is refused; expiration == now passes (docs/protocols/stellar.md, AuthCert)";
            s.expect = b.expect;
            s.requires_target_flags = true;
            s.target_flags = {"--now", std::to_string(kTargetNow)};
            const auto harness_now = static_cast<std::int64_t>(kTargetNow) - static_cast<std::int64_t>(kCertLifetimeSeconds) + b.offset;
            s.harness_flags = {"--network", network, "--now", std::to_string(harness_now)};
            s.expected_error = "expired";
            cat.scenarios.push_back(cf::make_machine_scenario(env, std::move(s)));
        }
    }
}

cf::Catalogue catalogue(const registry::CatalogueOptions& options) {
    auto env = std::make_shared<sc::Env>();
    if (const auto n = registry::setting(options.settings, "network")) {
        env->network_passphrase = *n;
    }
    env->network_id = network_id(env->network_passphrase);
    if (const auto id = registry::setting(options.settings, "target-peer-id")) {
        const auto bytes = from_hex(*id);
        if (bytes && bytes->size() == 32) {
            ByteArray<32> a{};
            std::copy(bytes->begin(), bytes->end(), a.begin());
            env->target_peer_id = a;
        }
    }
    if (const auto* peer = dynamic_cast<const ref::ReferencePeer*>(options.reference.get())) {
        env->target_peer_id = peer->acceptor_node_id();
    }
    auto cat = sc::make_catalogue(env);
    add_clock_boundaries(cat, env->network_passphrase);
    return cat;
}

std::shared_ptr<cf::LocalPeer> reference_peer(const std::string& /*profile*/, const registry::Settings& settings,
                                              const std::vector<std::string>& knob_names) {
    ref::PeerOptions options;
    SystemRng().fill(options.config.node_seed);
    std::string error;
    if (!ref::apply_settings(settings, options, error)) {
        return nullptr;
    }
    for (const auto& k : knob_names) {
        if (!set_quirk(options.config.quirks, k)) {
            return nullptr;
        }
    }
    auto peer = std::make_shared<ref::ReferencePeer>(options);
    peer->set_dedicated(sc::make_transport_factory(),
                        registry::flagged_machine_factory(variant(), "stellar-core", settings, knob_names));
    return peer;
}

std::unique_ptr<Machine> make_machine(const registry::MachineRequest& request, Rng& rng, const Clock& clock,
                                      std::string& error) {
    ref::PeerOptions options;
    SystemRng().fill(options.config.node_seed);
    if (!ref::apply_settings(request.settings, options, error)) {
        return nullptr;
    }
    for (const auto& k : request.knobs) {
        if (!set_quirk(options.config.quirks, k)) {
            error = "no bug named '" + k + "'";
            return nullptr;
        }
    }
    options.config.role = request.role;
    return std::make_unique<StellarMachine>(options.config, rng, clock);
}

registry::Variant make() {
    registry::Variant v;
    v.name = "stellar";
    v.summary = "Stellar overlay peer handshake (HELLO/AUTH, AuthCert, X25519 + HKDF MAC keys, XDR over TCP record marking)";
    v.doc = "docs/protocols/stellar.md";
    v.profiles = {{"stellar-core", "as stellar-core behaves at the pinned commit"}};
    v.messages = {"Frame", "AuthenticatedMessage", "StellarMessage", "Hello", "Auth", "AuthCert", "Error", "Peers",
                  "SendMoreExtended"};
    v.transport_name = "tcp+record-marking";
    v.vectors.generate = vectors::generate;
    v.vectors.checker = vectors::checker;
    v.catalogue = catalogue;
    v.transport = [](const std::string&, const registry::Settings&) { return sc::make_transport_factory(); };
    v.make_machine = make_machine;
    // The live peer keeps node-wide state across connections ("already connected"), so Stellar
    // brings its own server rather than the generic machine peer.
    v.reference_peer = reference_peer;
    v.serve = ref::serve;
    v.shim_flags = ref::shim_flags();
    v.conform_flags = {
        {"network", "PASSPHRASE", "network passphrase (default: the test network)"},
        {"target-peer-id", "HEX", "the node ID a --connect/--listen target must announce", false,
         [](const std::string& text) -> std::string {
             const auto b = from_hex(text);
             return b && b->size() == 32 ? "" : "expected 32 bytes of hex";
         }},
    };
    v.knobs = knobs();
    v.fuzz_targets = {"stellar_frame", "stellar_authenticated_message", "stellar_stellar_message", "stellar_hello",
                      "stellar_auth",  "stellar_auth_cert",             "stellar_error",           "stellar_initiator",
                      "stellar_acceptor"};
    v.bench = bench_cases();
    // Each initiator draws a node key of its own (the reference refuses a node already connected);
    // the acceptor admits any key.
    v.load = [](const std::string&) {
        registry::LoadSetup s;
        s.no_credential =
            "a Stellar node presents no credential the acceptor checks: any node key authenticates, and the "
            "network passphrase is public";
        return s;
    };
    v.loopback = [](const std::string&) {
        return std::vector<registry::LoopbackPair>{
            {"default", {{"seed", {std::string(64, '1')}}}, {{"seed", {std::string(64, '2')}}}}};
    };
    return v;
}

}  // namespace

const registry::Variant& variant() {
    static const registry::Variant v = make();
    return v;
}

}  // namespace shakedown::stellar
