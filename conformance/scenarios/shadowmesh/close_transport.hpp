// The ShadowMesh transport as the conformance runner and the reference peer see it: the TLS
// WebSocket, where a received CLOSE or ERROR message (docs/protocols/shadowmesh.md §3.5) ends the
// connection (and, on a peer's side, a text message is refused or skipped per profile, below). A
// ShadowMesh peer that refuses says so with CLOSE and nothing after it, and for an
// acceptor that refuses COMPLETE that CLOSE is the only sign (COMPLETE is never acknowledged): the
// generic scenarios (conformance/runner/machine_catalogue.hpp) count any message after a changed
// unit as the target going on, and only look inside it while the harness has not finished, so they
// would take that refusal for acceptance. Reported as `closed` (the message itself stays in the
// transcript, recorded by the WebSocket underneath), the refusal is what it means.
#pragma once

#include <memory>

#include "conformance/runner/transport.hpp"

namespace shakedown::shadowmesh {

// What a peer's transport does with a text WebSocket message (V12). The machines take binary units
// only (one receive()), so a live peer applies the rule here: strict refuses the message with CLOSE
// (reason 3, protocol violation) and ends the connection, as its machine's receive_text() does;
// upstream skips it, as the deployed reader loop does. The runner's side delivers it as it came
// (detail "text"): it grades what a target sends.
enum class TextMessages : std::uint8_t { deliver, refuse, skip };

class CloseAwareTransportFactory final : public conformance::TransportFactory {
public:
    explicit CloseAwareTransportFactory(std::shared_ptr<const conformance::TransportFactory> inner,
                                        TextMessages text = TextMessages::deliver)
        : m_inner(std::move(inner)), m_text(text) {}
    [[nodiscard]] std::string name() const override { return m_inner->name(); }
    [[nodiscard]] std::unique_ptr<conformance::Transport> connect(const conformance::Endpoint& to,
                                                                  conformance::Deadline deadline,
                                                                  std::string& error) const override;
    [[nodiscard]] std::unique_ptr<conformance::Listener> listen(const conformance::Endpoint& at,
                                                                std::string& error) const override;

private:
    std::shared_ptr<const conformance::TransportFactory> m_inner;
    TextMessages m_text;
};

// The close reason of a CLOSE (or the code of an ERROR) message, when `unit` is one.
[[nodiscard]] std::optional<std::string> closing_message(ByteView unit);

}  // namespace shakedown::shadowmesh
