#include "conformance/runner/machine_catalogue.hpp"

#include <algorithm>
#include <utility>

#include "conformance/runner/findings.hpp"
#include "conformance/runner/pacing.hpp"
#include "conformance/runner/scenario_driver.hpp"

namespace shakedown::conformance {

namespace rewrite {

namespace {

// A rewriter that changes unit `unit` with `change` and leaves the others alone.
RewriterFactory at(std::size_t unit, std::function<std::vector<Bytes>(const Bytes&)> change) {
    return [unit, change = std::move(change)]() -> UnitRewriter {
        return [unit, change](std::size_t index, const Bytes& u) {
            return index == unit ? change(u) : std::vector<Bytes>{u};
        };
    };
}

}  // namespace

RewriterFactory flip_bit(std::size_t unit, std::size_t bit) {
    return at(unit, [bit](const Bytes& u) {
        Bytes b = u;
        if (!b.empty()) {
            const std::size_t i = std::min(bit, b.size() * 8 - 1);
            b[i / 8] = static_cast<std::uint8_t>(b[i / 8] ^ (0x80U >> (i % 8)));
        }
        return std::vector<Bytes>{b};
    });
}

RewriterFactory flip_last_bit(std::size_t unit) {
    return flip_bit(unit, static_cast<std::size_t>(-1));
}

RewriterFactory truncate(std::size_t unit, std::size_t keep) {
    return at(unit, [keep](const Bytes& u) {
        return std::vector<Bytes>{Bytes(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(std::min(keep, u.size())))};
    });
}

RewriterFactory append(std::size_t unit, Bytes extra) {
    return at(unit, [extra = std::move(extra)](const Bytes& u) {
        Bytes b = u;
        b.insert(b.end(), extra.begin(), extra.end());
        return std::vector<Bytes>{b};
    });
}

RewriterFactory pad_to(std::size_t unit, std::size_t size, std::uint8_t fill) {
    return at(unit, [size, fill](const Bytes& u) {
        Bytes b = u;
        if (b.size() < size) {
            b.resize(size, fill);
        }
        return std::vector<Bytes>{b};
    });
}

RewriterFactory drop(std::size_t unit) {
    return at(unit, [](const Bytes&) { return std::vector<Bytes>{}; });
}

RewriterFactory duplicate(std::size_t unit) {
    return at(unit, [](const Bytes& u) { return std::vector<Bytes>{u, u}; });
}

RewriterFactory insert_before(std::size_t unit, Bytes extra) {
    return at(unit, [extra = std::move(extra)](const Bytes& u) { return std::vector<Bytes>{extra, u}; });
}

RewriterFactory replace(std::size_t unit, std::function<Bytes(const Bytes&)> change) {
    return at(unit, [change = std::move(change)](const Bytes& u) { return std::vector<Bytes>{change(u)}; });
}

RewriterFactory swap_with_next(std::size_t unit) {
    return [unit]() -> UnitRewriter {
        auto held = std::make_shared<std::optional<Bytes>>();
        return [unit, held](std::size_t index, const Bytes& u) {
            if (index == unit) {
                *held = u;
                return std::vector<Bytes>{};
            }
            if (index == unit + 1 && held->has_value()) {
                std::vector<Bytes> out{u, **held};
                held->reset();
                return out;
            }
            return std::vector<Bytes>{u};
        };
    };
}

}  // namespace rewrite

namespace {

std::string ms(Millis d) {
    return std::to_string(d.count()) + " ms";
}

std::string describe(const std::optional<Closure>& c) {
    if (!c) {
        return "no closure";
    }
    if (c->by_peer) {
        return "the target closed the connection";
    }
    std::string s(to_string(c->failure.code));
    if (c->failure.detail != nullptr && *c->failure.detail != '\0') {
        s += " (";
        s += c->failure.detail;
        s += ")";
    }
    return s;
}

// What one connection of a scenario showed.
struct Exchange {
    bool opened = false;  // else ScenarioDriver::open_failure() says why
    std::string harness_error;
    std::vector<Bytes> harness_units;         // as the honest machine emitted them
    std::vector<Bytes> target_units;          // every message the target sent, in order
    std::optional<std::size_t> rewritten_at;  // harness unit index of the first change
    std::size_t bytes_after_change = 0;       // from the target, after the change was sent
    bool harness_authenticated = false;
    std::optional<Closure> harness_closure;
    bool target_closed = false;  // end of stream or reset
    std::string target_end;      // how it ended ("closed", "reset", "framing error: ...")
    bool deadline_passed = false;
    bool stalled = false;
    bool lost_target_unit = false;  // the scenario's lost unit came (and was kept from the harness)
    // A datagram initiator gave the handshake up and opened a new one from the same address: after
    // the change it sent an opening unit that a fresh machine of the harness's role takes up.
    bool target_started_over = false;
    SteadyClock::time_point changed_at{};  // when the first changed unit went out
    SteadyClock::time_point closed_at{};   // when the target's end was seen
    Millis reaction{0};                    // the environment's, scaled
};

class MachineScenarioImpl final : public Scenario {
public:
    MachineScenarioImpl(std::shared_ptr<const MachineEnvironment> env, MachineScenario spec)
        : m_env(std::move(env)), m_spec(std::move(spec)) {}

    [[nodiscard]] const ScenarioInfo& info() const override { return m_spec.info; }

    [[nodiscard]] ScenarioOutcome run(ScenarioContext& ctx) const override {
        const Role role = m_spec.info.target_role;
        ScenarioDriver driver(ctx, role);
        std::vector<Bytes> replayed;
        if (m_spec.replay_unit) {
            const Exchange first = exchange(ctx, driver, nullptr, {}, std::nullopt);
            if (auto early = open_problem(driver, first)) {
                return *early;
            }
            if (!first.harness_authenticated) {
                return {Verdict::fail,
                        "the honest handshake before the replay did not complete: " + describe(first.harness_closure),
                        {},
                        false};
            }
            replayed = first.harness_units;
            if (*m_spec.replay_unit >= replayed.size()) {
                return {Verdict::fail,
                        "the honest handshake sent no unit " + std::to_string(*m_spec.replay_unit),
                        {},
                        true};
            }
        }
        UnitRewriter rewriter;
        if (m_spec.rewrite) {
            rewriter = m_spec.rewrite();
        } else if (m_spec.replay_unit) {
            const std::size_t k = *m_spec.replay_unit;
            const Bytes old = replayed[k];
            rewriter = [k, old](std::size_t index, const Bytes& u) {
                return index == k ? std::vector<Bytes>{old} : std::vector<Bytes>{u};
            };
        }
        const Exchange x = exchange(ctx, driver, rewriter ? &rewriter : nullptr, {}, m_spec.stall_after);
        if (auto early = open_problem(driver, x)) {
            return *early;
        }
        const auto& reports = ctx.finish_target();
        return grade(x, reports);
    }

private:
    [[nodiscard]] static std::optional<ScenarioOutcome> open_problem(const ScenarioDriver& driver, const Exchange& x) {
        if (!x.harness_error.empty()) {
            return ScenarioOutcome{Verdict::fail, "the harness could not be configured: " + x.harness_error, {}, false};
        }
        if (x.opened) {
            return std::nullopt;
        }
        return driver.open_failure();
    }

    // One connection: the harness's machine against the target, through `rewriter`.
    Exchange exchange(ScenarioContext& ctx, ScenarioDriver& driver, UnitRewriter* rewriter,
                      const std::vector<std::string>& extra, std::optional<std::size_t> stall_after) const {
        Exchange x;
        const Role role = m_spec.info.target_role;
        std::vector<std::string> harness_flags = m_spec.harness_flags;
        harness_flags.insert(harness_flags.end(), extra.begin(), extra.end());
        auto harness = m_env->make(other(role), harness_flags, x.harness_error);
        if (!harness) {
            if (x.harness_error.empty()) {
                x.harness_error = "no machine";
            }
            return x;
        }
        x.harness_error.clear();
        ConnectionRequest request;
        request.target_role = role;
        request.dedicated = m_spec.requires_target_flags || m_spec.needs_target_report;
        request.transport = m_spec.transport;
        if (ctx.target().takes_flags(role) || request.dedicated) {
            request.flags = m_env->target_flags;
            request.flags.insert(request.flags.end(), m_spec.target_flags.begin(), m_spec.target_flags.end());
        }
        auto opened = driver.open(request);
        if (!opened) {
            return x;
        }
        x.opened = true;
        x.reaction = ctx.scaled(m_env->reaction);
        Transport& t = *opened->transport;
        const Deadline end = after(ctx.scaled(m_spec.deadline));
        std::size_t next = 0;
        const bool configured_change = rewriter == nullptr && m_spec.expect == Expect::reject && !m_spec.stall_after;

        // What went out for each harness unit (nothing for one held back).
        std::vector<std::pair<Bytes, std::vector<Bytes>>> sent_for;
        // What the target sent; after the change, a byte-identical repeat of one of these (its
        // retransmission, or its answer to our resend) is not the target going on.
        std::vector<Bytes> target_sent;
        // Datagram peers have no connection to close: an initiator that refuses a unit may simply
        // start again, and a fixed source port (or the kernel handing the next attempt the port
        // just freed) brings its new opening unit here. That unit is no answer to the changed one
        // (the target is judged on its refusal) and no input for the harness's handshake.
        const auto opens_new_handshake = [&](const Bytes& wire) {
            if (!m_env->silence_is_rejection || role != Role::initiator || !x.rewritten_at) {
                return false;
            }
            std::string error;
            auto fresh = m_env->make(other(role), harness_flags, error);
            if (!fresh) {
                return false;
            }
            fresh->start();
            (void)fresh->take_output();
            fresh->receive(wire);
            return fresh->next_action() != Action::closed;
        };
        // Returns false for a unit that opened a new handshake (kept from the harness's machine).
        const auto count_after_change = [&](const Bytes& wire) {
            if (!wire.empty()) {
                x.target_units.push_back(wire);
            }
            const bool repeat =
                m_env->resends && std::find(target_sent.begin(), target_sent.end(), wire) != target_sent.end();
            if (m_env->resends && !repeat && !wire.empty()) {
                target_sent.push_back(wire);
            }
            if (!repeat && !wire.empty() && opens_new_handshake(wire)) {
                x.target_started_over = true;
                return false;
            }
            if (x.rewritten_at && !repeat) {
                x.bytes_after_change += wire.size();
            }
            return true;
        };
        const auto flush = [&]() -> bool {
            for (auto& unit : harness->take_output()) {
                // The harness's machine sends an earlier unit again when it answers a duplicate (a
                // datagram peer's retransmission) or retransmits: that is no new unit, and it goes
                // out exactly as it did the first time.
                const auto earlier =
                    m_env->resends ? std::find_if(sent_for.begin(), sent_for.end(),
                                                  [&](const auto& e) { return e.first == unit; })
                                   : sent_for.end();
                if (earlier != sent_for.end()) {
                    if (!m_spec.trickle_gap) {
                        for (const auto& o : earlier->second) {
                            if (t.send(o, std::min(end, after(Millis(2000))))) {
                                return false;
                            }
                        }
                    }
                    continue;
                }
                const std::size_t index = next++;
                x.harness_units.push_back(unit);
                if (stall_after && index >= *stall_after) {
                    x.stalled = true;
                    sent_for.emplace_back(unit, std::vector<Bytes>{});
                    continue;
                }
                if (m_spec.late_unit && m_spec.late_unit->first == index) {
                    x.rewritten_at = index;
                    x.changed_at = SteadyClock::now();
                    const Deadline send_at = after(m_spec.late_unit->second);
                    while (SteadyClock::now() < send_at) {
                        const Incoming in = t.receive_any(send_at);
                        if (in.kind == Incoming::Kind::message) {
                            x.bytes_after_change += in.wire.size();  // the target going on unasked
                            continue;
                        }
                        if (in.kind == Incoming::Kind::timeout) {
                            continue;
                        }
                        x.target_closed = true;
                        x.closed_at = SteadyClock::now();
                        x.target_end = std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail);
                        return false;
                    }
                }
                std::vector<Bytes> out = rewriter != nullptr ? (*rewriter)(index, unit) : std::vector<Bytes>{unit};
                sent_for.emplace_back(unit, out);
                // Without a rewrite the harness's configuration is the change (a skewed clock, a
                // wrong key): it counts from the first unit it affects.
                const bool configured_here = configured_change && index >= m_spec.configured_from_unit;
                if (!x.rewritten_at && (configured_here || !(out.size() == 1 && out.front() == unit))) {
                    x.rewritten_at = index;
                    x.changed_at = SteadyClock::now();
                }
                for (const auto& o : out) {
                    if (m_spec.trickle_gap) {
                        x.stalled = true;
                        x.rewritten_at = x.rewritten_at.value_or(index);
                        bool deadline_passed = false;
                        const auto write = [&](ByteView b) {
                            if (SteadyClock::now() >= end) {
                                deadline_passed = true;
                                return false;
                            }
                            return !t.send(b, std::min(end, after(Millis(2000))));
                        };
                        // After every byte, notice a target that gives up.
                        const auto wait = [&] {
                            const Incoming in = t.receive_any(std::min(end, after(*m_spec.trickle_gap)));
                            if (in.kind != Incoming::Kind::timeout && in.kind != Incoming::Kind::message) {
                                x.target_closed = true;
                                x.closed_at = SteadyClock::now();
                                x.target_end =
                                    std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail);
                                return false;
                            }
                            return true;
                        };
                        if (!o.empty() && (!send_paced(o, bytewise(o.size()), write, wait) || !wait())) {
                            return deadline_passed;  // true: the deadline passed with the target still waiting
                        }
                        continue;
                    }
                    if (t.send(o, std::min(end, after(Millis(2000))))) {
                        return false;
                    }
                }
            }
            return true;
        };

        harness->start();
        bool ok = flush();
        // A loss scenario runs the harness's timers: when its machine's idle interval passes
        // without input, idle_timeout() (a retransmission, or giving up).
        std::optional<SteadyClock::time_point> harness_idle_since;
        if (m_spec.lose_target_unit) {
            harness_idle_since = SteadyClock::now();
        }
        std::size_t target_units = 0;
        // Play until the harness is done or closed, then watch how the target reacts.
        while (ok && SteadyClock::now() < end) {
            const Action a = harness->next_action();
            if (a == Action::closed || a == Action::done) {
                break;
            }
            Deadline wait = end;
            if (harness_idle_since) {
                if (const auto idle = harness->idle_timeout_ms()) {
                    wait = std::min(end, *harness_idle_since + Millis(*idle));
                }
            }
            const Incoming in = t.receive_any(wait);
            if (in.kind == Incoming::Kind::timeout) {
                if (harness_idle_since && SteadyClock::now() < end) {
                    harness->idle_timeout();
                    harness_idle_since = SteadyClock::now();
                    ok = flush();
                    continue;
                }
                x.deadline_passed = SteadyClock::now() >= end;
                break;
            }
            if (!in.wire.empty() && in.kind == Incoming::Kind::message && m_spec.lose_target_unit &&
                target_units++ == *m_spec.lose_target_unit) {
                x.lost_target_unit = true;
                continue;  // lost on the way
            }
            if (harness_idle_since) {
                harness_idle_since = SteadyClock::now();
            }
            if (!in.wire.empty() && count_after_change(in.wire)) {
                harness->receive(in.wire);
            }
            if (in.kind != Incoming::Kind::message) {
                x.target_closed = true;
                x.closed_at = SteadyClock::now();
                x.target_end = std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail);
                if (harness->next_action() != Action::closed) {
                    harness->peer_closed();
                }
                break;
            }
            ok = flush();
        }
        // After the exchange: a target that refuses our last unit closes now. A send that failed
        // (the target reset the connection, or stopped reading) is watched too: how the target
        // ended it is its answer.
        if (!x.target_closed) {
            // A stalled handshake is watched to the scenario's deadline (the target's own deadline
            // must pass first); otherwise a refusal must come promptly.
            const Deadline watch =
                x.stalled ? end : std::min(after(ctx.scaled(m_env->reaction)), std::max(end, after(Millis(200))));
            for (;;) {
                const Incoming in = t.receive_any(watch);
                if (in.kind == Incoming::Kind::timeout) {
                    break;
                }
                const bool ours = count_after_change(in.wire);
                if (in.kind != Incoming::Kind::message) {
                    x.target_closed = true;
                    x.closed_at = SteadyClock::now();
                    x.target_end = std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail);
                    break;
                }
                if (ours && !harness->authenticated() && harness->next_action() != Action::closed) {
                    harness->receive(in.wire);
                }
            }
        }
        x.harness_authenticated = harness->authenticated();
        x.harness_closure = harness->closure();
        t.shutdown_send();
        t.close();
        return x;
    }

    [[nodiscard]] ScenarioOutcome grade(const Exchange& x, const std::vector<PeerReport>& reports) const {
        // The last report is the graded connection's (a replay's honest first session comes before).
        const HandshakeReport r = reports.empty() ? HandshakeReport{} : handshake_report(reports.back());
        if (m_spec.expect == Expect::complete) {
            return grade_complete(x, r.reported, r.ok, r.failure);
        }
        return grade_reject(x, r.reported, r.ok, r.failure);
    }

    [[nodiscard]] ScenarioOutcome grade_complete(const Exchange& x, bool reported, bool reported_ok,
                                                 const std::string& failure) const {
        ScenarioOutcome o;
        o.handshake_completed = x.harness_authenticated && (!reported || reported_ok);
        if (!x.harness_authenticated) {
            o.verdict = Verdict::fail;
            o.reason = "the handshake did not complete: " + describe(x.harness_closure) +
                       (x.deadline_passed ? " (deadline " + ms(m_spec.deadline) + " passed)" : "");
            if (m_spec.lose_target_unit && x.lost_target_unit) {
                o.reason += "; the target's unit " + std::to_string(*m_spec.lose_target_unit) +
                            " was lost on the way, and it was neither sent again nor answered again";
            }
            return o;
        }
        if (reported && !reported_ok) {
            o.verdict = Verdict::fail;
            o.reason = "our side completed, but the target reported HANDSHAKE_FAILED " + failure;
            return o;
        }
        if (x.target_closed && !m_env->silence_is_rejection) {
            o.verdict = Verdict::fail;
            o.reason = "the target closed the connection right after the handshake (" + x.target_end + ")";
            return o;
        }
        o.verdict = Verdict::pass;
        o.reason = "handshake completed" + std::string(reported ? " (target reported HANDSHAKE_OK)" : "");
        if (m_spec.protocol_note) {
            if (std::string note = m_spec.protocol_note(x.harness_units, x.target_units); !note.empty()) {
                o.findings.push_back(Finding{Verdict::pass, "protocol", std::move(note), false});
            }
        }
        return o;
    }

    [[nodiscard]] ScenarioOutcome accepted(std::string what) const {
        ScenarioOutcome o;
        o.verdict = m_spec.on_accept;
        o.reason = std::move(what);
        if (!m_spec.consequence.empty()) {
            o.reason += "; " + m_spec.consequence;
        }
        o.handshake_completed = true;
        return o;
    }

    [[nodiscard]] ScenarioOutcome rejected(std::string how, const std::string& failure) const {
        Findings notes;
        if (!m_spec.expected_error.empty() && !failure.empty() && failure.rfind(m_spec.expected_error, 0) != 0) {
            notes.add(Verdict::pass, "error", "rejected with '" + failure + "'; the reference gives " + m_spec.expected_error);
        }
        return notes.outcome(Verdict::pass, std::move(how), false, {});
    }

    [[nodiscard]] ScenarioOutcome grade_reject(const Exchange& x, bool reported, bool reported_ok,
                                               const std::string& failure) const {
        if (!x.rewritten_at && !x.stalled && !m_spec.replay_unit) {
            return {Verdict::fail,
                    "the scenario's change never applied (the harness sent " + std::to_string(x.harness_units.size()) +
                        " units; then " +
                        (x.target_closed     ? "the target ended the connection: " + x.target_end
                         : x.deadline_passed ? "the deadline of " + ms(m_spec.deadline) + " passed"
                         : x.harness_closure ? "our side closed: " + describe(x.harness_closure)
                                             : std::string("the exchange ended")) +
                        (reported && !reported_ok ? "; the target reported HANDSHAKE_FAILED " + failure : "") + ")",
                    {},
                    x.harness_authenticated};
        }
        if (x.stalled) {
            // Only the target's own deadline counts: once we close, every target "fails".
            if (x.target_closed) {
                return rejected("the target gave up the stalled handshake (" + x.target_end + ")", failure);
            }
            if (m_env->silence_is_rejection && !(reported && reported_ok)) {
                return rejected("no reply to a stalled handshake (a datagram peer's way)", failure);
            }
            return accepted("the target kept a stalled handshake open for " + ms(m_spec.deadline));
        }
        const bool refused_with_error = x.harness_closure && x.harness_closure->failure.code == Error::peer_error;
        if (m_spec.refuse_before_answering && x.bytes_after_change > 0 && !refused_with_error &&
            !(reported && reported_ok)) {
            return accepted("the target answered the changed unit (" + std::to_string(x.bytes_after_change) +
                            " bytes) instead of refusing it" +
                            (reported ? "; it reported HANDSHAKE_FAILED (" + failure + ") only later" : ""));
        }
        if (m_spec.refusal_on_the_wire && !refused_with_error && !m_env->silence_is_rejection &&
            !(reported && reported_ok) &&
            (!x.target_closed || (x.rewritten_at && x.closed_at - x.changed_at > x.reaction))) {
            const std::string ended =
                x.target_closed
                    ? "it closed only after " +
                          std::to_string(std::chrono::duration_cast<Millis>(x.closed_at - x.changed_at).count()) + " ms"
                    : "we hung up";
            return accepted("the target did not refuse the changed unit within " + ms(x.reaction) +
                            ": it waited for more (" + ended + ")" +
                            (reported ? "; then it reported HANDSHAKE_FAILED " + failure : ""));
        }
        if (reported) {
            if (reported_ok) {
                return accepted("the target reported HANDSHAKE_OK");
            }
            return rejected("the target reported HANDSHAKE_FAILED " + failure, failure);
        }
        // No report (a running target): judge by the wire. A target that closes as soon as the
        // handshake is over has not completed it (as in grade_complete): what it sent after the
        // change answered the units before it.
        const bool went_on = x.bytes_after_change > 0;
        if (x.harness_authenticated && went_on && !x.target_closed) {
            return accepted("the target completed the handshake");
        }
        if (x.harness_closure && !x.harness_closure->by_peer && went_on &&
            x.harness_closure->failure.code != Error::peer_error && !x.target_closed) {
            return accepted(
                "the target answered instead of refusing (our side then closed: " + describe(x.harness_closure) + ")");
        }
        if (x.harness_closure && x.harness_closure->failure.code == Error::peer_error) {
            return rejected("the target refused with an error message", failure);
        }
        if (x.target_started_over) {
            return rejected("the target gave the handshake up and opened a new one from the same address", failure);
        }
        if (x.target_closed) {
            return rejected("the target closed the connection (" + x.target_end + ")", failure);
        }
        if (m_env->silence_is_rejection) {
            return rejected("the target stayed silent (a datagram peer's refusal)", failure);
        }
        if (x.harness_authenticated) {
            return accepted("the target kept the connection open for " + ms(m_env->reaction) +
                            " after the changed unit without refusing it");
        }
        return accepted("the target neither refused nor answered within " + ms(m_spec.deadline));
    }

    std::shared_ptr<const MachineEnvironment> m_env;
    MachineScenario m_spec;
};

}  // namespace

Bytes MachineEnvironment::rebody(const Bytes& unit, const std::function<Bytes(Bytes)>& change) const {
    const std::size_t at = body_offset ? std::min(body_offset(unit), unit.size()) : 0;
    Bytes body = change(Bytes(unit.begin() + static_cast<std::ptrdiff_t>(at), unit.end()));
    if (reframe) {
        return reframe(unit, body);
    }
    Bytes out(unit.begin(), unit.begin() + static_cast<std::ptrdiff_t>(at));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::unique_ptr<Scenario> make_machine_scenario(std::shared_ptr<const MachineEnvironment> env, MachineScenario spec) {
    // A running target is started with the environment's flags, and the scenario's own after them
    // where it needs its own (those that repeat the environment's at their start do not repeat
    // them here).
    const auto& base = env->target_flags;
    spec.info.target_config = base;
    if (spec.requires_target_flags) {
        auto own = spec.target_flags.begin();
        if (spec.target_flags.size() >= base.size() && std::equal(base.begin(), base.end(), own)) {
            own += static_cast<std::ptrdiff_t>(base.size());
        }
        spec.info.target_config.insert(spec.info.target_config.end(), own, spec.target_flags.end());
    }
    spec.info.needs_target_report = spec.needs_target_report;
    spec.info.needs_own_transport = spec.info.needs_own_transport || spec.transport != nullptr;
    return std::make_unique<MachineScenarioImpl>(std::move(env), std::move(spec));
}

HonestShape honest_shape(const MachineEnvironment& env, Role target_role, const std::vector<std::string>& target_flags,
                         const std::vector<std::string>& harness_flags) {
    HonestShape shape;
    std::vector<std::string> tf = env.target_flags;
    tf.insert(tf.end(), target_flags.begin(), target_flags.end());
    auto target = env.make(target_role, tf, shape.error);
    auto harness = target ? env.make(other(target_role), harness_flags, shape.error) : nullptr;
    if (!target || !harness) {
        return shape;
    }
    // The acceptor starts first (it may speak first), then the initiator.
    (target_role == Role::acceptor ? *target : *harness).start();
    (target_role == Role::initiator ? *target : *harness).start();
    for (int round = 0; round < 64; ++round) {
        bool moved = false;
        for (auto& u : harness->take_output()) {
            if (!target->authenticated()) {
                shape.harness_unit_sizes.push_back(u.size());
            }
            target->receive(u);
            moved = true;
        }
        for (auto& u : target->take_output()) {
            harness->receive(u);
            moved = true;
        }
        if (!moved) {
            break;
        }
    }
    shape.completed = harness->authenticated() && target->authenticated();
    if (!shape.completed) {
        shape.error = "the reference did not complete against itself: " + describe(target->closure()) + " / " +
                      describe(harness->closure());
    }
    return shape;
}

std::vector<MachineScenario> generic_families(const MachineEnvironment& env, const FamilyOptions& o) {
    std::vector<MachineScenario> out;
    const HonestShape shape = honest_shape(env, o.target_role, o.target_flags, o.harness_flags);
    const std::string role(to_string(o.target_role));
    const auto base = [&](const std::string& cls, const std::string& name, const std::string& title,
                          const std::string& rule) {
        MachineScenario s;
        s.info.id = role + "." + o.id_prefix + cls + "." + name;
        s.info.cls = cls;
        s.info.title = title;
        s.info.rule = rule;
        s.info.target_role = o.target_role;
        s.target_flags = o.target_flags;
        s.harness_flags = o.harness_flags;
        return s;
    };
    {
        auto s = base("happy", "honest", "an honest handshake completes", "both roles complete the handshake");
        s.expect = Expect::complete;
        out.push_back(std::move(s));
    }
    const auto push = [&](MachineScenario s, std::size_t unit) {
        if (!o.keep || o.keep(s, unit)) {
            out.push_back(std::move(s));
        }
    };
    const auto env_copy = std::make_shared<const MachineEnvironment>(env);
    const auto body = [env_copy](std::size_t k, std::function<Bytes(Bytes)> change) {
        return rewrite::replace(
            k, [env_copy, change = std::move(change)](const Bytes& u) { return env_copy->rebody(u, change); });
    };
    const std::size_t units = shape.harness_unit_sizes.size();
    for (std::size_t k = 0; k < units; ++k) {
        const std::string unit = k < o.unit_names.size() ? o.unit_names[k] : "unit " + std::to_string(k);
        const std::string n = "u" + std::to_string(k);
        {
            auto s = base("truncation", n + ".short_by_one", unit + " one byte short",
                          "a truncated message is refused, not completed from later bytes");
            s.rewrite = body(k, [](Bytes b) {
                if (!b.empty()) {
                    b.pop_back();
                }
                return b;
            });
            s.expected_error = "truncated";
            push(std::move(s), k);
        }
        {
            auto s = base("truncation", n + ".empty", unit + " with an empty body", "an empty message is refused");
            s.rewrite = body(k, [](const Bytes&) { return Bytes{}; });
            push(std::move(s), k);
        }
        {
            auto s = base("trailing", n + ".one_byte", unit + " with one trailing byte",
                          "trailing bytes after a message are refused");
            s.rewrite = body(k, [](Bytes b) {
                b.push_back(0x00);
                return b;
            });
            s.expected_error = "trailing_bytes";
            push(std::move(s), k);
        }
        {
            auto s = base("bitflip", n + ".first_bit", unit + " with the first bit of its body flipped",
                          "any change to a message is detected");
            s.rewrite = body(k, [](Bytes b) {
                if (!b.empty()) {
                    b.front() ^= 0x80U;
                }
                return b;
            });
            push(std::move(s), k);
        }
        {
            auto s = base("bitflip", n + ".last_bit", unit + " with the last bit of its body flipped",
                          "any change to a message is detected (the last bit is usually a MAC's or signature's)");
            s.rewrite = body(k, [](Bytes b) {
                if (!b.empty()) {
                    b.back() ^= 0x01U;
                }
                return b;
            });
            push(std::move(s), k);
        }
        {
            auto s = base("idle", n + ".silence", "silence instead of " + unit,
                          "a half-open handshake is given up by a deadline");
            s.stall_after = k;
            s.deadline = Millis(12000);
            s.expected_error = "timeout";
            push(std::move(s), k);
        }
        if (k + 1 < units) {
            auto s = base("order", n + ".duplicated", unit + " sent twice",
                          "a duplicated handshake message is refused (or, for datagrams, answered idempotently)");
            s.rewrite = rewrite::duplicate(k);
            push(std::move(s), k);
        }
        if (k + 1 < units) {
            auto s = base("order", n + ".swapped", unit + " sent after the next message",
                          "messages out of order are refused");
            s.rewrite = rewrite::swap_with_next(k);
            push(std::move(s), k);
        }
        {
            auto s = base("oversize", n + ".grown", unit + " grown to " + std::to_string(o.oversize) + " bytes",
                          "an oversize message is refused without buffering it");
            const std::size_t size = o.oversize;
            s.rewrite = body(k, [size](Bytes b) {
                if (b.size() < size) {
                    b.resize(size, 0x41);
                }
                return b;
            });
            push(std::move(s), k);
        }
        {
            auto s = base("replay", n + ".from_earlier_session", unit + " replayed from an earlier session",
                          "a message of another session is refused (freshness)");
            s.replay_unit = k;
            s.deadline = Millis(4000);
            push(std::move(s), k);
        }
    }
    return out;
}

}  // namespace shakedown::conformance
