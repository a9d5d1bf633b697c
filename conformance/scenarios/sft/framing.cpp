#include "conformance/scenarios/sft/framing.hpp"

#include <algorithm>

#include "sft/handshake_messages.hpp"
#include "sft/record.hpp"

namespace shakedown::conformance::sft_scenarios {

namespace {

constexpr std::size_t kPayloadLenOffset = 17;
constexpr std::size_t kPayloadLenEnd = kPayloadLenOffset + 4;

LengthPrefixFraming::Options field_options() {
    LengthPrefixFraming::Options o;
    o.width = 4;
    o.endian = LengthPrefixFraming::Endian::big;
    o.counts_prefix = false;
    o.max_payload = kHandshakeFieldMax;
    o.allow_empty = false;  // V2: the reference refuses a zero prefix
    o.name = "u32be-field";
    return o;
}

// The bytes so far agree with the record magic (all of it, or as much as has arrived).
bool starts_like_record(ByteView b) {
    const std::size_t n = std::min(b.size(), sft::kMagic.size());
    return n > 0 && std::equal(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n), sft::kMagic.begin());
}

}  // namespace

SftFraming::SftFraming(sft::Profile profile, Sender from)
    : m_profile(profile), m_from(from), m_fields(field_options()) {}

std::string SftFraming::name() const {
    return "sft-" + std::string(sft::to_string(m_profile)) +
           (m_from == Sender::server ? "-from-server" : "-from-client");
}

StreamFraming::Step SftFraming::step(ByteView buffered, std::size_t max_message) const {
    Step s;
    if (buffered.empty()) {
        return s;
    }
    if (starts_like_record(buffered)) {
        if (buffered.size() < kPayloadLenEnd) {
            return s;  // the magic so far, or the header up to payload_len
        }
        const std::uint32_t len = (std::uint32_t{buffered[17]} << 24U) | (std::uint32_t{buffered[18]} << 16U) |
                                  (std::uint32_t{buffered[19]} << 8U) | std::uint32_t{buffered[20]};
        if (len == 0 || len > sft::kMaxPacketSize) {
            s.kind = Step::Kind::error;
            s.error = "record header announces " + std::to_string(len) + " payload bytes (V9: 1.." +
                      std::to_string(sft::kMaxPacketSize) + ")";
            return s;
        }
        if (sft::kHeaderLen + len > max_message) {
            s.kind = Step::Kind::error;
            s.error = "record header announces " + std::to_string(len) +
                      " payload bytes, a record over the runner's bound of " + std::to_string(max_message) + " bytes";
            return s;
        }
        if (buffered.size() < sft::kHeaderLen + len) {
            return s;
        }
        s.kind = Step::Kind::message;
        s.total = sft::kHeaderLen + len;
        s.payload_offset = sft::kHeaderLen;
        s.payload_size = len;
        return s;
    }
    if (m_profile == sft::Profile::upstream_v2) {
        return m_fields.step(buffered, max_message);
    }
    const std::size_t size = m_from == Sender::server ? sft::kD1Len : sft::kD2Len;
    if (buffered.size() < size) {
        return s;
    }
    s.kind = Step::Kind::message;
    s.total = size;
    s.payload_offset = 0;
    s.payload_size = size;
    return s;
}

Bytes SftFraming::frame(ByteView payload) const {
    if (m_profile == sft::Profile::upstream_v2) {
        return m_fields.frame(payload);
    }
    return Bytes(payload.begin(), payload.end());
}

TransportLimits transport_limits() {
    TransportLimits l;
    l.max_message = sft::kHeaderLen + sft::kMaxPacketSize;
    l.max_total = 4 * l.max_message + 64 * 1024;
    return l;
}

namespace {

class SftTransportFactory final : public TransportFactory {
public:
    explicit SftTransportFactory(sft::Profile profile)
        : m_profile(profile),
          m_as_client(std::make_shared<SftFraming>(profile, Sender::server), transport_limits()),
          m_as_server(std::make_shared<SftFraming>(profile, Sender::client), transport_limits()) {}
    [[nodiscard]] std::string name() const override { return "tcp+sft-" + std::string(sft::to_string(m_profile)); }
    [[nodiscard]] std::unique_ptr<Transport> connect(const Endpoint& to, Deadline deadline,
                                                     std::string& error) const override {
        return m_as_client.connect(to, deadline, error);
    }
    [[nodiscard]] std::unique_ptr<Listener> listen(const Endpoint& at, std::string& error) const override {
        return m_as_server.listen(at, error);
    }

private:
    sft::Profile m_profile;
    TcpTransportFactory m_as_client;
    TcpTransportFactory m_as_server;
};

}  // namespace

std::shared_ptr<const TransportFactory> make_transport_factory(sft::Profile profile) {
    return std::make_shared<SftTransportFactory>(profile);
}

}  // namespace shakedown::conformance::sft_scenarios
