#include "conformance/runner/reaction.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace shakedown::conformance {

namespace {

std::string ms(Millis d) { return std::to_string(d.count()) + " ms"; }

constexpr int kMaxProbes = 3;
// How long the target may be quiet before a probe, and how soon a peer that sent its error
// message must close.
constexpr Millis kQuiet{250};
constexpr Millis kCloseAfterError{500};

}  // namespace

Judgement evaluate_reaction(ScenarioContext& ctx, const ReactionRules& r, const std::optional<std::string>& expected_error,
                            const ReactionHooks& h, const std::function<void(Judgement&)>& refine) {
    const Millis window = ctx.scaled(r.deadline);
    const Millis quiet = ctx.scaled(kQuiet);
    Deadline deadline = after(window);
    Deadline quiet_until = after(quiet);
    Deadline last_sent = SteadyClock::now();
    std::optional<Deadline> reacted;  // when the first error message or the close arrived
    int probes = 0;
    std::vector<std::string> seen;
    std::optional<std::string> error;
    std::optional<Reply> accepted;
    Reply last;
    enum class End : std::uint8_t { stalled, closed, garbage } end = End::stalled;
    for (;;) {
        const bool probing = r.probe && !error && probes < kMaxProbes;
        Reply o = h.next(probing ? std::min(deadline, quiet_until) : deadline);
        if (o.kind == Reply::Kind::message) {
            seen.push_back(o.name);
            if (o.error) {
                if (!reacted) {
                    reacted = SteadyClock::now();
                }
                error = o.error;
                // The reference drops right after sending its error message.
                deadline = std::min(deadline, after(ctx.scaled(kCloseAfterError)));
                continue;
            }
            if (!error && !o.went_on.empty()) {
                accepted = std::move(o);
                break;
            }
            quiet_until = after(quiet);
            continue;
        }
        if (o.kind == Reply::Kind::timeout) {
            if (SteadyClock::now() >= deadline) {
                end = End::stalled;
                break;
            }
            if (probing && h.probe && h.probe()) {
                ++probes;
                last_sent = SteadyClock::now();
                quiet_until = after(quiet);
                deadline = std::max(deadline, after(window));
            } else {
                probes = kMaxProbes;
            }
            continue;
        }
        if (!reacted) {
            reacted = SteadyClock::now();
        }
        last = std::move(o);
        end = (last.kind == Reply::Kind::closed || last.kind == Reply::Kind::reset) ? End::closed : End::garbage;
        break;
    }
    Judgement j;
    j.error_seen = error.has_value();
    j.probes = probes;
    if (!accepted && reacted && r.prompt.count() > 0 && *reacted - last_sent > r.prompt) {
        const auto late = std::chrono::duration_cast<Millis>(*reacted - last_sent);
        j.verdict = r.on_stall;
        j.reason = "reacted only after " + ms(late) + ", past " + h.prompt_limit +
                   ": it waited instead of rejecting; " + r.reference;
        return j;
    }
    if (accepted) {
        j.verdict = r.on_accept;
        j.reason = accepted->went_on + (probes > 0 ? " once we continued" : "") + "; " + r.reference;
        return j;
    }
    if (end == End::closed || end == End::garbage) {
        const std::string closing = end == End::garbage            ? "sent " + last.description
                                    : last.kind == Reply::Kind::reset ? "reset the connection"
                                                                      : "closed the connection";
        if (expected_error) {
            if (error && *error == *expected_error) {
                j.verdict = Verdict::pass;
                j.reason = "rejected with " + *expected_error + ", as " + h.reference + " does";
            } else if (error) {
                j.verdict = r.on_other;
                j.reason = "rejected with " + *error + "; " + r.reference;
            } else {
                j.verdict = r.on_other;
                j.reason = closing + " without an " + h.error_message + "; " + r.reference;
            }
        } else if (!error) {
            j.verdict = Verdict::pass;
            j.reason = closing + ", as " + h.reference + " does";
        } else {
            j.verdict = r.on_other;
            j.reason = "sent " + *error + " before closing; " + r.reference;
        }
        if (j.verdict == Verdict::pass && refine) {
            refine(j);
        }
        if (end == End::garbage && j.verdict == Verdict::pass) {
            j.verdict = Verdict::fail;
            j.reason = closing;
        }
        return j;
    }
    if (error) {
        const bool right = expected_error && *error == *expected_error;
        j.verdict = right ? Verdict::non_strict : r.on_other;
        j.reason = "sent " + *error + " but kept the connection open (" + h.reference + " drops right after its " +
                   h.error_message + ")";
        return j;
    }
    j.verdict = r.on_stall;
    std::string sent;
    for (const std::string& t : seen) {
        sent += (sent.empty() ? "" : ", ") + t;
    }
    j.reason = "kept the connection open for " + ms(window) + " without rejecting" +
               (sent.empty() ? "" : " (it sent " + sent + ")") + "; " + r.reference;
    return j;
}

}  // namespace shakedown::conformance
