#include "vectors/gen/stellar/stellar_transcript.hpp"

#include <array>
#include <deque>
#include <memory>

#include "stellar/codec.hpp"
#include "stellar/machine.hpp"

namespace shakedown::vectors::stellar {

using namespace shakedown::stellar;

namespace {

constexpr std::size_t kMaxRecords = 64;

struct Peer {
    std::unique_ptr<ScriptedRng> rng;
    std::unique_ptr<FixedClock> clock;
    std::unique_ptr<StellarMachine> machine;
};

Peer make_peer(const SideInputs& side, Role role) {
    Peer p;
    p.rng = std::make_unique<ScriptedRng>(concat({side.ecdh_secret, side.nonce}));
    p.clock = std::make_unique<FixedClock>(side.now);
    p.machine = std::make_unique<StellarMachine>(to_config(side, role), *p.rng, *p.clock);
    return p;
}

// The MessageType word of a record as emitted (record mark 4, v 4, sequence 8), read without
// decoding the rest: a side may deliberately emit a malformed body.
std::string record_type(ByteView framed) {
    Reader r(framed);
    if (!r.read_bytes(16).ok()) {
        return "?";
    }
    auto t = r.read_i32be();
    return t.ok() && is_known_type(*t) ? std::string(to_string(static_cast<MessageType>(*t))) : "?";
}

const UnitHooks& hooks() {
    static const UnitHooks h = [] {
        UnitHooks u;
        u.type = record_type;
        u.header_size = 4;  // the record mark
        u.reframe = [](ByteView framed, ByteView body) {
            const bool bit31 = framed.size() >= 4 && (framed[0] & 0x80) != 0;
            return frame_record(body, bit31);
        };
        u.resequence = [](ByteView framed, std::uint64_t seq, const Machine& sender) -> std::optional<Bytes> {
            if (framed.size() < 4) {
                return std::nullopt;
            }
            auto am = parse_authenticated_message(framed.subspan(4));
            if (!am) {
                return std::nullopt;
            }
            am->sequence = seq;
            const auto& hs = static_cast<const StellarMachine&>(sender).handshake();
            if (hs.keys()) {
                am->mac = message_mac(hs.keys()->send, seq, serialize(am->message));
            }
            const bool bit31 = (framed[0] & 0x80) != 0;
            return frame_record(serialize(*am), bit31);
        };
        return u;
    }();
    return h;
}

SideOutcome outcome_of(const Handshake& h) {
    SideOutcome o;
    if (h.shared()) {
        o.shared_key = h.shared()->array();
        o.send_mac_key = h.keys()->send.array();
        o.recv_mac_key = h.keys()->recv.array();
    }
    const auto& c = h.closure();
    if (h.authenticated()) {
        o.state = "authenticated";
    } else {
        o.state = c && c->by_peer ? "peer_closed" : "rejected";
    }
    if (c && !c->by_peer) {
        o.error = c->failure.code;
        o.response = c->sent_error ? std::string(to_string(c->sent_error->code)) : "silent";
    }
    return o;
}

}  // namespace

HandshakeConfig to_config(const SideInputs& side, Role role) {
    HandshakeConfig c = side;
    c.role = role;
    return c;
}

Result<TranscriptResult> run_transcript(const TranscriptInputs& inputs) {
    Peer pa = make_peer(inputs.initiator, Role::initiator);
    Peer pb = make_peer(inputs.acceptor, Role::acceptor);
    SK_TRY(InStepResult run, run_in_step(*pa.machine, *pb.machine, inputs.mutations, hooks(), kMaxRecords));
    const Handshake& a = pa.machine->handshake();
    const Handshake& b = pb.machine->handshake();
    TranscriptResult result;
    for (auto& u : run.units) {
        result.messages.push_back(RecordOut{u.from, std::move(u.type), std::move(u.wire), std::move(u.delivered)});
    }
    const auto& closed_at = run.closed_at;
    result.initiator = outcome_of(a);
    result.acceptor = outcome_of(b);
    result.initiator_pending = a.pending_bytes();
    result.acceptor_pending = b.pending_bytes();
    for (std::size_t i = 0; i < 2; ++i) {
        SideOutcome& o = i == 0 ? result.initiator : result.acceptor;
        if (o.error && o.error != Error::timeout) {
            o.at_message = closed_at[i];
        }
    }
    return result;
}

}  // namespace shakedown::vectors::stellar
