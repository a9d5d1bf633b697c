#include "conformance/scenarios/stellar/framing.hpp"

#include "stellar/framing.hpp"

namespace shakedown::conformance::stellar_scenarios {

StreamFraming::Step RecordMarkFraming::step(ByteView buffered, std::size_t max_message) const {
    Step s;
    const auto mark = stellar::read_record_mark(buffered);
    if (!mark) {
        return s;  // fewer than 4 bytes
    }
    const std::size_t length = mark->length;
    if (length == 0) {
        s.kind = Step::Kind::error;
        s.error = "record mark with length 0";
        return s;
    }
    if (length > max_message) {
        s.kind = Step::Kind::error;
        s.error = "record mark announces " + std::to_string(length) + " bytes, over the runner's bound of " +
                  std::to_string(max_message);
        return s;
    }
    if (buffered.size() < 4 + length) {
        return s;
    }
    s.kind = Step::Kind::message;
    s.total = 4 + length;
    s.payload_offset = 4;
    s.payload_size = length;
    return s;
}

Bytes RecordMarkFraming::frame(ByteView payload) const {
    return stellar::frame_record(payload);
}

std::shared_ptr<const TransportFactory> make_transport_factory() {
    return std::make_shared<TcpTransportFactory>(std::make_shared<RecordMarkFraming>(), TransportLimits{});
}

}  // namespace shakedown::conformance::stellar_scenarios
