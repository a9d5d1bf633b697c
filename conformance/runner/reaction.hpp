// How a target reacts to a stimulus: after the scenario sent something the reference rejects,
// watch what the target does up to a deadline and classify it: it went on (accepted), stayed open
// (stalled), rejected the way the reference does (closing, or with the reference's error message),
// or rejected in another form. The variant reads and grades its own messages and supplies the
// wording (hooks); the timing and the classification are here.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "conformance/runner/runner.hpp"

namespace shakedown::conformance {

// What the target did next, as the variant read it.
struct Reply {
    enum class Kind : std::uint8_t {
        message,  // a well-formed message
        timeout,  // nothing before the deadline
        closed,   // orderly close
        reset,    // connection reset
        garbage,  // anything else that ends the exchange (malformed, unframeable, a flood)
    };
    Kind kind = Kind::timeout;
    std::string name;                  // message: its type ("HELLO")
    std::optional<std::string> error;  // message: an error message, as reasons name it ("ERROR ERR_CONF")
    // message: non-empty when it shows the target went on, saying how ("went on with the handshake
    // (sent AUTH)").
    std::string went_on;
    std::string description;  // garbage: what it was ("a malformed record (...)")
};

// What the reference does after the stimulus, and how to grade anything else.
struct ReactionRules {
    Verdict on_accept = Verdict::fail;
    Verdict on_stall = Verdict::fail;
    Verdict on_other = Verdict::non_strict;  // rejected, but not the way the reference does
    Millis deadline{1000};                   // scaled
    // A rejection must come within this long of what we last sent, or it is the target giving up
    // waiting rather than reacting (0: no limit). Not scaled: it stands for a timeout of the spec.
    Millis prompt{0};
    // While the target is quiet, play the next honest move to see whether it goes on.
    bool probe = false;
    std::string reference;  // what the reference does, appended to reasons ("<peer>: ERROR ... 'why'")
};

struct ReactionHooks {
    // The target's next reply, every message read and graded by the variant.
    std::function<Reply(Deadline)> next;
    // One honest move while the target is quiet (ReactionRules::probe); false if none is due.
    std::function<bool()> probe;
    // Wording: the reference peer ("as <reference> does"), the variant's error message ("without
    // an <error_message>"), and what a late reaction came after ("past <prompt_limit>").
    std::string reference = "the reference";
    std::string error_message = "error message";
    std::string prompt_limit = "the handshake timeout";
};

struct Judgement {
    Verdict verdict = Verdict::fail;
    std::string reason;
    bool error_seen = false;
    int probes = 0;  // > 0 once probing started (an honest move was played or none was due)
};

// Watches the target after a stimulus and classifies its reaction. `expected_error`: the error
// message the reference sends before closing (none: it closes silently). `refine` may adjust a
// rejection graded as the reference's (PASS), before an end in garbage turns it into a FAIL.
[[nodiscard]] Judgement evaluate_reaction(ScenarioContext& ctx, const ReactionRules& rules,
                                          const std::optional<std::string>& expected_error, const ReactionHooks& hooks,
                                          const std::function<void(Judgement&)>& refine = {});

}  // namespace shakedown::conformance
