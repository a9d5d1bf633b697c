#include "conformance/scenarios/sft/catalogue.hpp"

#include <algorithm>
#include <string_view>

#include "conformance/runner/machine_catalogue.hpp"
#include "conformance/scenarios/sft/records.hpp"
#include "sft/machine.hpp"
#include "sft/profile.hpp"

namespace shakedown::conformance::sft_scenarios {

namespace {

using sft::Profile;

// The §10 identities (RFC 8032 tests 1 and 2: the server, the described client), and a third
// (RFC 8032 test 3) for a server the client has not pinned.
constexpr std::string_view kServerSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kClientSeed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr std::string_view kForeignSeed = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7";

// Not a shim flag: the harness's own instruction to play the target's H3 back as its H4 (A10).
constexpr std::string_view kReflectConfirmation = "--x-reflect-confirmation";

constexpr std::size_t kH2Size = 140;      // three prefixed fields (§2.1)
constexpr std::size_t kH2SigPrefix = 72;  // where the signature's prefix starts in H2
constexpr std::size_t kConfirmSize = 39;  // H3 and H4 (§2.1)

std::string public_hex(std::string_view seed_hex) {
    const auto b = from_hex(seed_hex);
    ByteArray<32> s{};
    std::copy(b->begin(), b->end(), s.begin());
    return to_hex(crypto::ed25519_from_seed(s).public_key);
}

// The keys of one end as the §10 loopback pair gives them. The upstream-v2 client pins nothing
// (as deployed), so that a running server of any identity can be tested; the scenarios that
// grade the pinned key give it to the target themselves.
std::vector<std::string> identity_flags(Profile p, Role end) {
    if (end == Role::acceptor) {
        return {"--identity-seed", std::string(kServerSeed), "--peer-identity", public_hex(kClientSeed)};
    }
    if (p == Profile::upstream_v2) {
        return {"--identity-seed", std::string(kClientSeed)};
    }
    return {"--identity-seed", std::string(kClientSeed), "--peer-identity", public_hex(kServerSeed)};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// A server configured without the flood budget: the catalogue's own servers (the harness, the
// target in process or under a shim) must not spend the 10 derivations per minute of §7 on
// scenarios; acceptor.dos.kdf-budget-spent grades the budget itself.
const std::vector<std::string> kUnthrottled = {"--kdf-budget", "unlimited"};

// The harness server of acceptor... initiator.confirmation.reflected-h3: its H4 is the client's
// own H3, which it received (A10).
class ReflectingMachine final : public Machine {
public:
    explicit ReflectingMachine(std::unique_ptr<Machine> inner) : m_inner(std::move(inner)) {}
    [[nodiscard]] Role role() const noexcept override { return m_inner->role(); }
    void start() override { m_inner->start(); }
    void receive(ByteView input) override {
        if (!m_h3 && input.size() == kConfirmSize) {
            m_h3 = Bytes(input.begin(), input.end());
        }
        m_inner->receive(input);
    }
    void peer_closed() override { m_inner->peer_closed(); }
    void idle_timeout() override { m_inner->idle_timeout(); }
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override { return m_inner->idle_timeout_ms(); }
    [[nodiscard]] Action next_action() const override { return m_inner->next_action(); }
    [[nodiscard]] std::vector<Bytes> take_output() override {
        auto out = m_inner->take_output();
        for (auto& u : out) {
            if (m_h3 && u.size() == kConfirmSize) {
                u = *m_h3;
            }
        }
        return out;
    }
    [[nodiscard]] bool authenticated() const noexcept override { return m_inner->authenticated(); }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_inner->closure(); }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override { return m_inner->derived_keys(); }
    [[nodiscard]] std::size_t pending_bytes() const noexcept override { return m_inner->pending_bytes(); }

private:
    std::unique_ptr<Machine> m_inner;
    std::optional<Bytes> m_h3;
};

std::shared_ptr<MachineEnvironment> environment(const registry::Variant& v, const std::string& profile, Profile p,
                                                Role target) {
    auto env = registry::machine_environment(v, profile);
    auto inner = env->make;
    env->make = [inner, p](Role role, const std::vector<std::string>& flags,
                           std::string& error) -> std::unique_ptr<Machine> {
        std::vector<std::string> all = identity_flags(p, role);
        if (role == Role::acceptor) {
            all = all + kUnthrottled;
        }
        bool reflect = false;
        for (const auto& f : flags) {
            if (f == kReflectConfirmation) {
                reflect = true;
            } else {
                all.push_back(f);
            }
        }
        auto m = inner(role, all, error);
        if (m && reflect) {
            return std::make_unique<ReflectingMachine>(std::move(m));
        }
        return m;
    };
    env->target_flags = identity_flags(p, target);
    // A server admits 10 connections per address and derives 10 keys a minute (§7), which the
    // catalogue, all from one address, would exhaust: a server target runs without that budget
    // (the scenarios that grade the budget set their own).
    if (target == Role::acceptor) {
        env->target_flags = env->target_flags + kUnthrottled;
    }
    if (p == Profile::upstream_v2) {
        // Every upstream-v2 unit is u32be-prefixed (§2.1): the body is the field after the prefix,
        // and H2's body its last field, the signature (which covers the two before it), so a
        // changed body keeps an honest prefix and the change reaches the parser.
        env->body_offset = [](const Bytes& u) { return u.size() == kH2Size ? kH2SigPrefix + 4 : std::size_t{4}; };
        env->reframe = [](const Bytes& u, const Bytes& body) {
            const std::size_t at = u.size() == kH2Size ? kH2SigPrefix : 0;
            Bytes out(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(at));
            const auto n = static_cast<std::uint32_t>(body.size());
            out.push_back(static_cast<std::uint8_t>(n >> 24));
            out.push_back(static_cast<std::uint8_t>(n >> 16));
            out.push_back(static_cast<std::uint8_t>(n >> 8));
            out.push_back(static_cast<std::uint8_t>(n));
            out.insert(out.end(), body.begin(), body.end());
            return out;
        };
    }
    return env;
}

bool has(const std::string& id, std::string_view part) {
    return id.find(part) != std::string::npos;
}

// One silence per role: every handshake state has the same 30 s deadline (§6), and each silence
// costs the wait for it.
constexpr Millis kSilence{34000};

// Which generic cases the upstream-v2 handshake makes meaningful, and how.
bool keep_upstream(MachineScenario& s, std::size_t unit) {
    const std::string& id = s.info.id;
    const bool acceptor = s.info.target_role == Role::acceptor;
    if (s.stall_after) {
        s.deadline = kSilence;
        return unit == 0;
    }
    // H3 answers H2 and H4 answers H3: holding a unit back until after the next one stalls both
    // ends instead of reordering anything.
    if (s.info.cls == "order" && has(id, ".swapped")) {
        return false;
    }
    if (acceptor && unit == 0 && (s.info.cls == "bitflip" || s.info.cls == "replay")) {
        // H1 is an unauthenticated ephemeral key: any 32 bytes are a key, so a changed or old
        // H1 is another client as far as the server can tell (§2.1, §6); the change is the
        // client's to detect, by the signature over client_eph in H2.
        return false;
    }
    return true;
}

// Which generic cases the described handshake makes meaningful, and how.
bool keep_described(MachineScenario& s, std::size_t unit) {
    const std::string& id = s.info.id;
    (void)unit;
    if (s.stall_after) {
        s.deadline = kSilence;
        return true;
    }
    // Fixed-size messages without a length (§2.2): a short message is one not finished yet,
    // which only the 30 s deadline ends (graded by the idle class), and extra bytes are the
    // start of the first record: one trailing byte leaves the handshake complete, and a grown
    // message is a complete one followed by a record the record layer refuses (V8).
    if (s.info.cls == "truncation" || s.info.cls == "oversize") {
        return false;
    }
    if (s.info.cls == "trailing") {
        s.expect = Expect::complete;
        s.info.rule = "the byte after a fixed-size handshake message belongs to the first record (§2.2)";
        return true;
    }
    // The described server never proves possession of its key (§8): the client cannot tell a
    // changed or old server_eph in D1 from a fresh one, and answers; the harness refuses its D2.
    if (s.info.target_role == Role::initiator && (has(id, ".first_bit") || s.info.cls == "replay")) {
        return false;
    }
    return true;
}

MachineScenario specific(Role role, const std::string& cls, const std::string& name, const std::string& title,
                         const std::string& rule) {
    MachineScenario s;
    s.info.id = std::string(to_string(role)) + "." + cls + "." + name;
    s.info.cls = cls;
    s.info.title = title;
    s.info.rule = rule;
    s.info.target_role = role;
    return s;
}

Bytes u32be(std::uint32_t n) {
    return Bytes{static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                 static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
}

}  // namespace

std::optional<std::uint32_t> parse_deadline(const std::string& text) {
    std::uint32_t n = 0;
    if (!registry::parse_number(text, n) || n == 0 || n > sft::kHandshakeDeadlineSeconds) {
        return std::nullopt;
    }
    return n;
}

Catalogue make_catalogue(const registry::Variant& v, const registry::CatalogueOptions& options) {
    const std::string profile = options.profile.empty() ? "described" : options.profile;
    const Profile p = sft::profile_from_string(profile).value_or(Profile::described);
    const bool upstream = p == Profile::upstream_v2;
    Catalogue cat;
    cat.variant = "sft";
    cat.description = "SFT handshake, profile " + profile + " (docs/protocols/sft.md)";
    // conform --deadline-scenarios-at D: the scenarios that wait out the target's handshake
    // deadline configure it to D s (--handshake-deadline) instead of waiting the spec's 30 s.
    std::optional<std::uint32_t> shortened;
    if (const auto d = registry::setting(options.settings, "deadline-scenarios-at")) {
        shortened = parse_deadline(*d);  // checked as conform parsed it
    }
    const auto add = [&cat, shortened](const std::shared_ptr<MachineEnvironment>& env, MachineScenario s) {
        const bool waits_out_deadline = s.stall_after || s.trickle_gap;
        if (waits_out_deadline && shortened) {
            const Millis d{static_cast<Millis::rep>(*shortened) * 1000};
            s.requires_target_flags = true;
            s.target_flags = s.target_flags + std::vector<std::string>{"--handshake-deadline", std::to_string(*shortened)};
            s.deadline = s.stall_after ? d + (kSilence - Millis(1000) * sft::kHandshakeDeadlineSeconds) : d + Millis(10000);
            if (s.trickle_gap) {
                s.trickle_gap = std::min(*s.trickle_gap, d / 4);
            }
            s.info.rule += " (the target configured to " + std::to_string(*shortened) + " s)";
        } else if (!s.stall_after) {
            // Each end runs 600,000 PBKDF2 iterations (0.5-2 s, more on a loaded host) before its
            // next message: the engine's default 3 s does not cover two of them in turn.
            s.deadline = std::max(s.deadline, Millis(40000));
        }
        cat.scenarios.push_back(make_machine_scenario(env, std::move(s)));
    };

    for (const Role target : {Role::acceptor, Role::initiator}) {
        const auto env = environment(v, profile, p, target);
        FamilyOptions o;
        o.target_role = target;
        if (upstream) {
            o.unit_names =
                target == Role::acceptor ? std::vector<std::string>{"H1", "H3"} : std::vector<std::string>{"H2", "H4"};
            o.keep = keep_upstream;
        } else {
            o.unit_names = {target == Role::acceptor ? "D2" : "D1"};
            o.keep = keep_described;
        }
        auto family = generic_families(*env, o);
        for (auto& s : family) {
            if (!upstream) {
                // Both described ends need provisioned keys (the client's, the pinned server's),
                // which a running target does not share with the runner.
                s.requires_target_flags = true;
                s.target_flags = env->target_flags;
            }
            add(env, std::move(s));
        }

        add_record_scenarios(cat, env, p, target);
        {
            // A peer that keeps the read timeout happy with a byte now and then: only the overall
            // deadline ends the handshake (the reference: 30 s from the connection, on its clock).
            auto s = specific(target, "deadline", "u0-trickled", "our first message one byte every 2 s",
                              "the handshake has one overall deadline of 30 s, however the bytes arrive (§6, A5)");
            s.trickle_gap = Millis(2000);
            s.expected_error = "timeout";
            s.consequence = "a byte every few seconds holds a connection, and its buffers, open for ever";
            if (!upstream) {
                s.requires_target_flags = true;
                s.target_flags = env->target_flags;
            }
            add(env, std::move(s));
        }
        if (target == Role::initiator) {
            auto s =
                specific(target, "identity", "foreign-server-key", "a server whose identity key is not the pinned one",
                         "the client refuses a server_id other than its pinned key (§6, A7)");
            s.requires_target_flags = true;
            // The upstream-v2 client pins only when told (§1); this scenario tells it.
            s.target_flags = env->target_flags;
            if (std::find(s.target_flags.begin(), s.target_flags.end(), "--peer-identity") == s.target_flags.end()) {
                s.target_flags = s.target_flags + std::vector<std::string>{"--peer-identity", public_hex(kServerSeed)};
            }
            s.harness_flags = {"--identity-seed", std::string(kForeignSeed)};
            s.consequence = "a man in the middle with a key of its own is accepted";
            add(env, std::move(s));
        }
        if (upstream && target == Role::initiator) {
            auto s = specific(target, "confirmation", "reflected-h3", "the client's own H3 played back as H4",
                              "the client refuses its own key confirmation as the server's (§6, A10)");
            s.harness_flags = {std::string(kReflectConfirmation)};
            s.configured_from_unit = 1;  // H2 is honest; only H4 is the client's own H3
            s.expected_error = "replay";
            s.consequence = "the server's key confirmation proves nothing";
            add(env, std::move(s));
        }
        if (upstream) {
            const bool acc = target == Role::acceptor;
            auto s =
                specific(target, "length", acc ? "h1-prefix-1mib" : "h2-prefix-1mib",
                         std::string(acc ? "H1" : "H2") + "'s first prefix announces 1 MiB",
                         "a prefix other than the field's size is refused at the prefix, before buffering (§2.1, A4)");
            s.rewrite = rewrite::replace(0, [](const Bytes& u) {
                Bytes b = u32be(1U << 20);
                b.insert(b.end(), u.begin() + 4, u.end());
                return b;
            });
            s.expected_error = "bad_length";
            s.refusal_on_the_wire = true;  // waiting for the announced MiB is the defect itself
            s.consequence = "an unauthenticated peer makes it buffer up to 4 GiB";
            add(env, std::move(s));
        }
        if (upstream && target == Role::acceptor) {
            auto s =
                specific(target, "dos", "kdf-budget-spent", "an honest H1 to a server whose derivation budget is spent",
                         "over its budget of unauthenticated PBKDF2 runs the server closes before deriving (§7)");
            s.requires_target_flags = true;
            s.target_flags = {"--kdf-budget", "0"};
            s.expected_error = "rate_limited";
            s.consequence = "every 36 bytes from anyone cost the server 600,000 PBKDF2 iterations";
            add(env, std::move(s));
        }
    }
    return cat;
}

}  // namespace shakedown::conformance::sft_scenarios
