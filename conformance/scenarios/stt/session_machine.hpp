// The STT reference as a conformance peer: the handshake (impl/stt/handshake.hpp) followed by the
// data exchange of the conformance contract (docs/protocols/stt.md, "Data exchange"). Once the
// handshake is complete:
//   - the initiator sends one session data frame on stream 1 (kPingStream) carrying kPingPayload;
//   - either peer answers every data frame it accepts on stream 1 with one on stream 2
//     (kEchoStream) carrying the same payload, at most kMaxEchoes times per session; frames on
//     other streams are accepted and not answered;
//   - a data frame that does not open (a forged or changed header, another key, a replayed or
//     reordered sequence) is dropped and counted; the session goes on (a datagram anyone can forge
//     must not end it);
//   - any other datagram goes to the handshake machine (a duplicate of its last input is answered
//     again; anything else ends the session, as before).
// The machine is what `shakedown peer --variant stt`, `conform --reference` and the catalogue's
// harness run; the vectors and fuzz targets drive the bare handshake.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "common/machine.hpp"
#include "common/rng.hpp"
#include "stt/handshake.hpp"
#include "stt/session.hpp"

namespace shakedown::stt {

inline constexpr std::uint32_t kPingStream = 1;
inline constexpr std::uint32_t kEchoStream = 2;
inline constexpr std::string_view kPingPayload = "STT conformance ping";
// Echoes per session: a peer that keeps sending frames gets no more answers than this.
inline constexpr std::size_t kMaxEchoes = 16;

// The conformance peers' default seeds (the shim flags --node-seed and --shared-seed override them).
inline constexpr std::string_view kDefaultSharedSeed = "Shakedown STT conformance seed!!";
[[nodiscard]] Bytes default_node_seed(Role role);

// What one session's data frames did.
struct DataStats {
    std::size_t accepted = 0;
    std::size_t refused = 0;  // did not open: dropped
    std::size_t echoes = 0;
    std::optional<Failure> last_refusal;
};

// The contract's answer to one data frame on an established session: the echo to send (a frame on
// stream 1 that opens, while fewer than kMaxEchoes were sent), or nothing.
[[nodiscard]] std::optional<Bytes> answer_data(SessionChannel& channel, ByteView datagram, DataStats& stats, Rng& rng,
                                               const Clock& clock);

class SessionMachine final : public Machine {
public:
    SessionMachine(std::unique_ptr<Handshake> handshake, Rng& rng, const Clock& clock);

    [[nodiscard]] Role role() const noexcept override { return m_hs->role(); }
    void start() override;
    void receive(ByteView datagram) override;
    void peer_closed() override { m_hs->peer_closed(); }
    void idle_timeout() override;
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override { return m_hs->idle_timeout_ms(); }
    [[nodiscard]] Action next_action() const override;
    [[nodiscard]] std::vector<Bytes> take_output() override;
    [[nodiscard]] bool authenticated() const noexcept override { return m_hs->authenticated(); }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_hs->closure(); }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override { return m_hs->derived_keys(); }
    [[nodiscard]] Bytes peer_identity() const override { return m_hs->peer_identity(); }

    [[nodiscard]] Handshake& handshake() noexcept { return *m_hs; }
    // Data frames opened, and dropped because they did not open (the last one's reason).
    [[nodiscard]] std::size_t frames_accepted() const noexcept { return m_data.accepted; }
    [[nodiscard]] std::size_t frames_refused() const noexcept { return m_data.refused; }
    [[nodiscard]] const std::optional<Failure>& last_refusal() const noexcept { return m_data.last_refusal; }

private:
    // The initiator's ping, once the handshake completed.
    void after_step();
    void seal(ByteView payload, std::uint32_t stream);

    std::unique_ptr<Handshake> m_hs;
    Rng& m_rng;
    const Clock& m_clock;
    std::vector<Bytes> m_out;
    bool m_pinged = false;
    DataStats m_data;
};

// Whether a datagram is a well-formed frame of the session data type (whatever its contents).
[[nodiscard]] bool is_data_frame(ByteView datagram);

}  // namespace shakedown::stt
