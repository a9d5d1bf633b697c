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

#include "conformance/scenarios/stellar/session.hpp"

namespace shakedown::conformance::stellar_scenarios {

enum class Stage : std::uint8_t {
    start,        // target acceptor: nothing sent yet; target initiator: its HELLO received
    after_hello,  // HELLOs exchanged (initiator target: its AUTH received too)
    established,  // both AUTHs exchanged and flow control granted
};

struct Pacing {
    // Chunk sizes for a record of `total` bytes (what is left after the last size goes at once).
    std::function<std::vector<std::size_t>(std::size_t total)> sizes;
    Millis gap{0};
    explicit operator bool() const { return static_cast<bool>(sizes); }
};

struct Tweaks {
    std::function<void(Conn&, ss::Hello&)> hello;  // applied to our honest HELLO, then re-signed
    std::function<void(Bytes&)> hello_record;      // applied to the framed HELLO last
    bool bit31 = true;                             // on every record we send
    Pacing hello_pacing;
    Pacing auth_pacing;
    bool pipeline = false;  // target acceptor: AUTH and SEND_MORE_EXTENDED in one write
};

// What stellar-core does after the stimulus, and how to grade anything else.
struct Reaction {
    bool core_sends_error = false;
    ss::ErrorCode code = ss::ErrorCode::misc;
    // What stellar-core sends before its ERROR or close (e.g. its HELLO for HELLO config errors).
    std::vector<ss::MessageType> before;
    // Messages that show the target went on with the handshake (default: by stage and role).
    std::optional<std::vector<ss::MessageType>> markers;
    Verdict on_accept = Verdict::fail;
    Verdict on_stall = Verdict::fail;
    Verdict on_other = Verdict::non_strict;  // rejected, but not the way stellar-core does
    Millis deadline{1000};
    // A rejection must come within this long of what we last sent: a close after the 2 s
    // handshake idle timeout is the target giving up waiting, not reacting (0: no limit, for
    // the idle scenarios themselves). Not scaled: it is tied to the spec's timeout.
    Millis prompt{1800};
    // While the target is quiet, play the next honest move to see whether it goes on.
    bool probe = false;
    std::string core;  // "stellar-core: ERROR ERR_CONF 'wrong network passphrase'"
};

struct Acceptance {
    Verdict on_reject = Verdict::fail;
    std::string core;
};

using Stimulus = std::function<bool(Conn&)>;

class Driver {
public:
    Driver(ScenarioContext& ctx, Env& env, ss::Role target_role, std::vector<Category> grades);
    Driver(const Driver&) = delete;
    Driver& operator=(const Driver&) = delete;
    ~Driver();

    // A new connection with our identity and a fresh nonce; nullptr if the target could not be
    // reached (open_failure() says how).
    [[nodiscard]] Conn* connect();
    [[nodiscard]] ScenarioOutcome open_failure() const;
    // Marks a connection on which the target must not complete a handshake (checked against what
    // a shim prints).
    void must_not_complete(const Conn& c);
    [[nodiscard]] Findings& findings() { return m_findings; }
    [[nodiscard]] ScenarioContext& ctx() { return m_ctx; }
    [[nodiscard]] Env& env() { return m_env; }
    [[nodiscard]] ss::Role target_role() const { return m_target_role; }

    // Closes every connection, ends the target side, and turns everything into the outcome.
    [[nodiscard]] ScenarioOutcome conclude(Verdict verdict, std::string reason, bool completed);

private:
    ScenarioContext& m_ctx;
    Env& m_env;
    ss::Role m_target_role;
    std::vector<Category> m_grades;
    Identity m_ours;
    ByteArray<32> m_target_seed{};
    std::optional<ByteArray<32>> m_expected_target;
    Findings m_findings;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::vector<std::uint8_t> m_conn_index;
    std::vector<std::uint8_t> m_guarded;
    OpenResult::Status m_open_status = OpenResult::Status::ok;
    std::string m_open_error;
};

// Plays the honest handshake up to `until`; nullopt when it got there, else how the target broke
// it off. Sets `completed` once both sides are authenticated.
[[nodiscard]] std::optional<std::string> play_honest(Conn& c, Stage until, const Tweaks& tweaks, bool& completed);

// One honest move if one is due (used to probe a quiet target); false if none is.
bool continue_honestly(Conn& c);

struct Judgement {
    Verdict verdict = Verdict::fail;
    std::string reason;
    bool error_seen = false;
};
[[nodiscard]] Judgement evaluate(Conn& c, Stage stage, const Reaction& r);

}  // namespace shakedown::conformance::stellar_scenarios
