// How a Stellar scenario runs. A scenario is data (catalogue.cpp): the role the target plays, how
// far the runner plays the handshake honestly (Stage), what it then sends instead (Stimulus), and
// what stellar-core does in reply (Reaction), or, for scenarios the target must accept, tweaks to
// the honest handshake. The engine plays the honest parts, applies the stimulus, watches the
// target's reply, and grades it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/reaction.hpp"
#include "conformance/runner/scenario_driver.hpp"
#include "conformance/scenarios/stellar/session.hpp"

namespace shakedown::conformance::stellar_scenarios {

enum class Stage : std::uint8_t {
    start,        // target acceptor: nothing sent yet; target initiator: its HELLO received
    after_hello,  // HELLOs exchanged (initiator target: its AUTH received too)
    established,  // both AUTHs exchanged and flow control granted
};

struct Tweaks {
    std::function<void(Conn&, ss::Hello&)> hello;  // applied to our honest HELLO, then re-signed
    std::function<void(Bytes&)> hello_record;      // applied to the framed HELLO last
    bool bit31 = true;                             // on every record we send
    Pacing hello_pacing;
    Pacing auth_pacing;
    bool pipeline = false;  // target acceptor: AUTH and SEND_MORE_EXTENDED in one write
};

// What stellar-core does after the stimulus, and how to grade anything else (the timing, the
// verdicts and `reference` are the generic rules of conformance/runner/reaction.hpp).
struct Reaction : ReactionRules {
    Reaction() {
        // A close after the 2 s handshake idle timeout is the target giving up waiting, not
        // reacting (0 for the idle scenarios themselves).
        prompt = Millis(1800);
    }
    bool core_sends_error = false;
    ss::ErrorCode code = ss::ErrorCode::misc;
    // What stellar-core sends before its ERROR or close (e.g. its HELLO for HELLO config errors).
    std::vector<ss::MessageType> before;
    // Messages that show the target went on with the handshake (default: by stage and role).
    std::optional<std::vector<ss::MessageType>> markers;
};

struct Acceptance {
    Verdict on_reject = Verdict::fail;
    std::string core;
};

using Stimulus = std::function<bool(Conn&)>;

// One scenario's connections (conformance/runner/scenario_driver.hpp), each with our identity and
// a fresh nonce, the target configured with its seed and our network.
class Driver : public ConnectionDriver<Conn> {
public:
    Driver(ScenarioContext& ctx, Env& env, ss::Role target_role, const std::vector<Category>& grades);

    // A new connection; nullptr if the target could not be reached (open_failure() says how).
    [[nodiscard]] Conn* connect();
    [[nodiscard]] Env& env() { return m_env; }

private:
    Env& m_env;
    Identity m_ours;
    ByteArray<32> m_target_seed{};
    std::optional<ByteArray<32>> m_expected_target;
};

// Plays the honest handshake up to `until`; nullopt when it got there, else how the target broke
// it off. Sets `completed` once both sides are authenticated.
[[nodiscard]] std::optional<std::string> play_honest(Conn& c, Stage until, const Tweaks& tweaks, bool& completed);

// One honest move if one is due (used to probe a quiet target); false if none is.
bool continue_honestly(Conn& c);

// Watches the target after a stimulus sent at `stage` (conformance/runner/reaction.hpp).
[[nodiscard]] Judgement evaluate(Conn& c, Stage stage, const Reaction& r);

}  // namespace shakedown::conformance::stellar_scenarios
