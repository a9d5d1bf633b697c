// Stellar's handshake on the common sans-IO interface (impl/common/machine.hpp): one Handshake,
// initiator or acceptor, whose units are framed records.
#pragma once

#include <memory>

#include "common/machine.hpp"
#include "stellar/handshake.hpp"

namespace shakedown::stellar {

class StellarMachine final : public Machine {
public:
    StellarMachine(HandshakeConfig config, Rng& rng, const Clock& clock) : m_hs(std::move(config), rng, clock) {}

    [[nodiscard]] Role role() const noexcept override { return m_hs.config().role; }
    void start() override { m_hs.start(); }
    void receive(ByteView input) override { m_hs.receive(input); }
    void peer_closed() override { m_hs.peer_closed(); }
    void idle_timeout() override { m_hs.idle_timeout(); }
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override;
    [[nodiscard]] Action next_action() const override { return m_hs.next_action(); }
    [[nodiscard]] std::vector<Bytes> take_output() override { return m_hs.take_records(); }
    void drain_output(OutputUnits& out) override {
        m_hs.drain_records([&](ByteView r) { out.add(r); });
    }
    [[nodiscard]] bool authenticated() const noexcept override { return m_hs.authenticated(); }
    [[nodiscard]] std::optional<shakedown::Closure> closure() const override;
    // shared_key, then mac_key_send and mac_key_receive once derived (docs/protocols/stellar.md,
    // "Cryptography").
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override;
    [[nodiscard]] std::size_t pending_bytes() const noexcept override { return m_hs.pending_bytes(); }
    // The remote node ID (HELLO peerID) once authenticated.
    [[nodiscard]] Bytes peer_identity() const override;

    [[nodiscard]] Handshake& handshake() noexcept { return m_hs; }
    [[nodiscard]] const Handshake& handshake() const noexcept { return m_hs; }

private:
    Handshake m_hs;
};

}  // namespace shakedown::stellar
