// Stellar's transport for the runner: TCP with RFC 5531 record marking (docs/protocols/stellar.md,
// "Framing"), single-fragment records. Bit 31 is not required here (scenarios grade it); length 0
// and lengths over the runner's bound are framing errors.
#pragma once

#include <memory>

#include "conformance/runner/transport.hpp"

namespace shakedown::conformance::stellar_scenarios {

class RecordMarkFraming final : public StreamFraming {
public:
    [[nodiscard]] std::string name() const override { return "tcp-record-marking"; }
    [[nodiscard]] Step step(ByteView buffered, std::size_t max_message) const override;
    [[nodiscard]] Bytes frame(ByteView payload) const override;
};

[[nodiscard]] std::shared_ptr<const TransportFactory> make_transport_factory();

}  // namespace shakedown::conformance::stellar_scenarios
