// The ShadowMesh transport as the conformance runner and the reference peer see it: the TLS
// WebSocket, where a received CLOSE or ERROR message (docs/protocols/shadowmesh.md §3.5) ends the
// connection. A ShadowMesh peer that refuses says so with CLOSE and nothing after it, and for an
// acceptor that refuses COMPLETE that CLOSE is the only sign (COMPLETE is never acknowledged): the
// generic scenarios (conformance/runner/machine_catalogue.hpp) count any message after a changed
// unit as the target going on, and only look inside it while the harness has not finished, so they
// would take that refusal for acceptance. Reported as `closed` (the message itself stays in the
// transcript, recorded by the WebSocket underneath), the refusal is what it means.
#pragma once

#include <memory>

#include "conformance/runner/transport.hpp"

namespace shakedown::shadowmesh {

class CloseAwareTransportFactory final : public conformance::TransportFactory {
public:
    explicit CloseAwareTransportFactory(std::shared_ptr<const conformance::TransportFactory> inner)
        : m_inner(std::move(inner)) {}
    [[nodiscard]] std::string name() const override { return m_inner->name(); }
    [[nodiscard]] std::unique_ptr<conformance::Transport> connect(const conformance::Endpoint& to,
                                                                  conformance::Deadline deadline,
                                                                  std::string& error) const override;
    [[nodiscard]] std::unique_ptr<conformance::Listener> listen(const conformance::Endpoint& at,
                                                                std::string& error) const override;

private:
    std::shared_ptr<const conformance::TransportFactory> m_inner;
};

// The close reason of a CLOSE (or the code of an ERROR) message, when `unit` is one.
[[nodiscard]] std::optional<std::string> closing_message(ByteView unit);

}  // namespace shakedown::shadowmesh
