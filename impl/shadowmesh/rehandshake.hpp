// The direct-P2P re-handshake as sans-IO machines on the common interface
// (docs/protocols/shadowmesh.md §5): the initiator (Role::initiator, the dialer) sends REQUEST,
// checks RESPONSE and sends COMPLETE; the responder (Role::acceptor, the listener) answers REQUEST
// and checks COMPLETE. One WebSocket message in per receive() (binary) or receive_text() (text);
// frames out through take_output(). Randomness (the challenges) from the injected Rng, time from
// the injected Clock in milliseconds (clock.hpp).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "common/machine.hpp"
#include "common/rng.hpp"
#include "shadowmesh/clock.hpp"
#include "shadowmesh/keys.hpp"
#include "shadowmesh/messages.hpp"
#include "shadowmesh/quirks.hpp"
#include "shadowmesh/replay_cache.hpp"

namespace shakedown::shadowmesh {

inline constexpr std::uint64_t kMaxSkewMs = 30000;    // MaxTimestampSkew
inline constexpr std::uint32_t kDeadlineMs = 5000;    // RehandshakeTimeout, per state

struct Config {
    Role role = Role::initiator;
    Profile profile = Profile::strict;
    SessionKeys keys;  // injected: the harness provisions both peers (§4.1)
    // strict responder: the challenge cache, shareable across connections; nullptr: the machine
    // keeps its own. upstream keeps none (V11).
    std::shared_ptr<ChallengeCache> replay_cache;
    Quirks quirks;
};

enum class State : std::uint8_t {
    i0_start,              // initiator before start()
    i1_awaiting_response,  // REQUEST sent
    i2_done,
    r0_awaiting_request,
    r1_awaiting_complete,  // RESPONSE sent
    r2_done,
    closed,
};
[[nodiscard]] std::string_view to_string(State s) noexcept;

// The skew rule of V8: |now - ts| <= window, as integers (no overflow), stale below, future above.
[[nodiscard]] Result<void> check_timestamp(std::uint64_t ts, std::uint64_t now, std::uint64_t window,
                                           std::size_t offset);

class Rehandshake final : public Machine {
public:
    Rehandshake(Config config, Rng& rng, const Clock& clock);
    // The same for a clock known to read milliseconds (no run-time type check).
    Rehandshake(Config config, Rng& rng, const MillisClock& clock);

    [[nodiscard]] Role role() const noexcept override { return m_config.role; }
    void start() override;
    void receive(ByteView input) override;  // one binary WebSocket message
    // One text WebSocket message: strict aborts (V12), upstream skips it.
    void receive_text(ByteView input);
    void peer_closed() override;
    void idle_timeout() override;
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override;
    [[nodiscard]] Action next_action() const override;
    [[nodiscard]] std::vector<Bytes> take_output() override;
    void drain_output(OutputUnits& out) override;
    [[nodiscard]] bool authenticated() const noexcept override { return m_authenticated; }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_closure; }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override;

    [[nodiscard]] State state() const noexcept { return m_state; }
    [[nodiscard]] const Config& config() const noexcept { return m_config; }
    [[nodiscard]] std::size_t units_received() const noexcept { return m_received; }
    // Indices of received units dropped without closing (upstream decode failures, skipped text).
    [[nodiscard]] const std::vector<std::size_t>& dropped() const noexcept { return m_dropped; }

private:
    Rehandshake(Config&& config, Rng& rng, const Clock& clock, const MillisClock* millis);
    void handle(std::size_t index, const Frame& frame);
    void on_request(std::size_t index, const RehandshakeRequest& m);
    void on_response(std::size_t index, const RehandshakeResponse& m);
    void on_complete(std::size_t index, const RehandshakeComplete& m);
    [[nodiscard]] bool deadline_passed(std::uint64_t now) const;
    [[nodiscard]] bool has_deadline() const noexcept;
    [[nodiscard]] Result<void> check_common(const SessionId& sid, std::uint64_t ts, std::size_t ts_offset,
                                            std::uint64_t now) const;
    [[nodiscard]] Mac make_mac(const Secret<32>& key, const Challenge& c) const;
    [[nodiscard]] bool mac_ok(const Secret<32>& key, const Challenge& c, const Mac& received) const;
    [[nodiscard]] std::uint64_t stamp(std::uint64_t now) const;
    [[nodiscard]] std::uint64_t now_ms() const;
    void enter(State s, std::uint64_t now);
    void abort(Failure f, std::size_t at, std::uint16_t reason = kCloseProtocolViolation);
    void close_silently(Failure f, std::size_t at, bool by_peer);
    template <typename M, std::size_t N>
    void queue(const M& m) {
        encode_frame_into(m, m_out.add(N).first<N>());
    }

    Config m_config;
    Rng& m_rng;
    const Clock& m_clock;
    const MillisClock* m_millis;  // m_clock when it reads milliseconds, else nullptr
    State m_state;
    std::uint64_t m_entered_ms = 0;
    bool m_started = false;
    bool m_authenticated = false;
    std::size_t m_received = 0;
    std::vector<std::size_t> m_dropped;
    std::optional<Challenge> m_challenge_i;
    std::optional<Challenge> m_challenge_r;
    std::optional<Mac> m_response_mac;
    std::optional<Mac> m_complete_mac;
    // Frames queued until the caller takes them (at most REQUEST, COMPLETE and CLOSE: they fit
    // the inline room).
    OutputUnits m_out;
    std::optional<Closure> m_closure;
};

}  // namespace shakedown::shadowmesh
