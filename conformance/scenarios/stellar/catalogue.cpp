#include "conformance/scenarios/stellar/catalogue.hpp"

#include <algorithm>

#include "conformance/scenarios/stellar/classes/classes.hpp"
#include "conformance/scenarios/stellar/engine.hpp"

namespace shakedown::conformance::stellar_scenarios {

using cases::CaseSpec;
using ss::Role;

namespace {

class StellarScenario final : public Scenario {
public:
    StellarScenario(CaseSpec spec, std::shared_ptr<Env> env) : m_spec(std::move(spec)), m_env(std::move(env)) {
        m_info.id = std::string(to_string(m_spec.target)) + "." + m_spec.name;
        m_info.title = m_spec.title;
        m_info.cls = m_spec.name.substr(0, m_spec.name.find('.'));
        m_info.target_role = m_spec.target == Role::acceptor ? PeerRole::acceptor : PeerRole::initiator;
        m_info.rule = m_spec.rule;
        m_info.needs_single_process = m_spec.single_process;
    }
    [[nodiscard]] const ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] ScenarioOutcome run(ScenarioContext& ctx) const override {
        Driver d(ctx, *m_env, m_spec.target, m_spec.grades);
        if (m_spec.custom) {
            return m_spec.custom(d, m_spec);
        }
        Conn* c = d.connect();
        if (c == nullptr) {
            return d.open_failure();
        }
        bool completed = false;
        if (!m_spec.stimulus) {
            if (auto f = play_honest(*c, Stage::established, m_spec.tweaks, completed)) {
                return d.conclude(m_spec.acceptance.on_reject,
                                  "refused a handshake stellar-core completes: " + *f +
                                      (m_spec.acceptance.core.empty() ? "" : "; " + m_spec.acceptance.core),
                                  completed);
            }
            return d.conclude(Verdict::pass, "handshake completed, as with stellar-core", true);
        }
        if (auto f = play_honest(*c, m_spec.stage, m_spec.tweaks, completed)) {
            return d.conclude(Verdict::fail, "broke off the honest part of the handshake: " + *f, completed);
        }
        if (m_spec.stage != Stage::established && !m_spec.completes_first) {
            d.must_not_complete(*c);
        }
        (void)m_spec.stimulus(*c);
        const Judgement j = evaluate(*c, m_spec.stage, m_spec.reaction);
        return d.conclude(j.verdict, j.reason, completed);
    }

private:
    CaseSpec m_spec;
    std::shared_ptr<Env> m_env;
    ScenarioInfo m_info;
};

}  // namespace

Catalogue make_catalogue(std::shared_ptr<Env> env) {
    cases::Builder b;
    cases::add_happy(b);
    cases::add_output(b);
    cases::add_versions_and_addresses(b);
    cases::add_network_and_self(b);
    cases::add_certs_and_clocks(b);
    cases::add_keys(b);
    cases::add_auth_checks(b);
    cases::add_post_auth(b);
    cases::add_replay_and_order(b);
    cases::add_encoding(b);
    cases::add_bitflips(b);
    cases::add_framing(b);
    cases::add_idle_and_slow(b);
    Catalogue cat;
    cat.variant = "stellar";
    cat.description = "Stellar overlay peer handshake (stellar-core behaviour, docs/protocols/stellar.md)";
    auto specs = b.take();
    // Group by target role, keeping the catalogue order within each.
    std::stable_sort(specs.begin(), specs.end(),
                     [](const CaseSpec& x, const CaseSpec& y) { return x.target == Role::acceptor && y.target != Role::acceptor; });
    for (auto& c : specs) {
        cat.scenarios.push_back(std::make_unique<StellarScenario>(std::move(c), env));
    }
    return cat;
}

}  // namespace shakedown::conformance::stellar_scenarios
