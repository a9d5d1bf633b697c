#include "vectors/gen/stellar/stellar_transcript.hpp"

#include <array>
#include <deque>
#include <memory>

#include "stellar/codec.hpp"

namespace shakedown::vectors::stellar {

using namespace shakedown::stellar;

namespace {

constexpr std::size_t kMaxRecords = 64;

constexpr std::array<std::string_view, 9> kOpNames = {"flip_bit", "set_header", "truncate", "append", "drop",
                                                       "duplicate", "inject_before", "resequence", "replace"};

struct Peer {
    std::unique_ptr<ScriptedRng> rng;
    std::unique_ptr<FixedClock> clock;
    std::unique_ptr<Handshake> machine;
};

Peer make_peer(const SideInputs& side, Role role) {
    Peer p;
    p.rng = std::make_unique<ScriptedRng>(concat({side.ecdh_secret, side.nonce}));
    p.clock = std::make_unique<FixedClock>(side.now);
    p.machine = std::make_unique<Handshake>(to_config(side, role), *p.rng, *p.clock);
    return p;
}

// The MessageType word of a record as emitted (record mark 4, v 4, sequence 8), read without
// decoding the rest: a side may deliberately emit a malformed body.
std::string record_type(const Bytes& framed) {
    Reader r(framed);
    if (!r.read_bytes(16).ok()) {
        return "?";
    }
    auto t = r.read_i32be();
    return t.ok() && is_known_type(*t) ? std::string(to_string(static_cast<MessageType>(*t))) : "?";
}

Bytes reframe(ByteView framed, ByteView body) {
    const bool bit31 = framed.size() >= 4 && (framed[0] & 0x80) != 0;
    return frame_record(body, bit31);
}

// Apply one mutation to the list of records standing in for the emitted one.
void apply(const Mutation& m, std::vector<Bytes>& out, const Handshake& sender) {
    switch (m.op) {
        case MutationOp::flip_bit:
            for (auto& r : out) {
                if (m.value / 8 < r.size()) {
                    r[m.value / 8] ^= static_cast<std::uint8_t>(0x80U >> (m.value % 8));
                }
            }
            return;
        case MutationOp::set_header:
            for (auto& r : out) {
                for (std::size_t i = 0; i < 4 && i < r.size(); ++i) {
                    r[i] = static_cast<std::uint8_t>(m.value >> (24 - 8 * i));
                }
            }
            return;
        case MutationOp::truncate:
            for (auto& r : out) {
                const ByteView body = ByteView(r).subspan(4);
                r = reframe(r, body.first(std::min<std::size_t>(m.value, body.size())));
            }
            return;
        case MutationOp::append:
            for (auto& r : out) {
                r = reframe(r, concat({ByteView(r).subspan(4), m.data}));
            }
            return;
        case MutationOp::drop:
            out.clear();
            return;
        case MutationOp::duplicate:
            if (!out.empty()) {
                out.push_back(out.back());
            }
            return;
        case MutationOp::inject_before:
            out.insert(out.begin(), m.data);
            return;
        case MutationOp::replace:
            out.assign(1, m.data);
            return;
        case MutationOp::resequence:
            for (auto& r : out) {
                auto am = parse_authenticated_message(ByteView(r).subspan(4));
                if (!am) {
                    continue;
                }
                am->sequence = m.value;
                if (sender.keys()) {
                    am->mac = message_mac(sender.keys()->send, m.value, serialize(am->message));
                }
                r = reframe(r, serialize(*am));
            }
            return;
    }
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

bool open_and_waiting(const Handshake& h) {
    return h.state() != HandshakeState::closed && !h.authenticated();
}

}  // namespace

std::string_view to_string(MutationOp op) { return kOpNames[static_cast<std::size_t>(op)]; }

std::optional<MutationOp> mutation_op_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kOpNames.size(); ++i) {
        if (kOpNames[i] == s) {
            return static_cast<MutationOp>(i);
        }
    }
    return std::nullopt;
}

HandshakeConfig to_config(const SideInputs& side, Role role) {
    HandshakeConfig c = side;
    c.role = role;
    return c;
}

Result<TranscriptResult> run_transcript(const TranscriptInputs& inputs) {
    std::array<Peer, 2> peers = {make_peer(inputs.initiator, Role::initiator), make_peer(inputs.acceptor, Role::acceptor)};
    auto& a = *peers[0].machine;
    auto& b = *peers[1].machine;
    TranscriptResult result;
    std::array<std::optional<std::size_t>, 2> closed_at;
    std::deque<std::size_t> fifo;

    auto collect = [&](Handshake& h, Role from) {
        for (auto& rec : h.take_records()) {
            fifo.push_back(result.messages.size());
            result.messages.push_back(RecordOut{from, record_type(rec), std::move(rec), std::nullopt});
        }
    };

    a.start();
    collect(a, Role::initiator);
    while (!fifo.empty()) {
        if (result.messages.size() > kMaxRecords) {
            return fail(Error::invalid_argument, "transcript does not settle within 64 records");
        }
        const std::size_t index = fifo.front();
        fifo.pop_front();
        RecordOut& rec = result.messages[index];
        const int sender = rec.from == Role::initiator ? 0 : 1;
        const int receiver = 1 - sender;
        std::vector<Bytes> delivered{rec.wire};
        bool mutated = false;
        for (const auto& m : inputs.mutations) {
            if (m.message == index) {
                apply(m, delivered, *peers[static_cast<std::size_t>(sender)].machine);
                mutated = true;
            }
        }
        if (mutated) {
            rec.delivered = delivered;
        }
        Handshake& to = *peers[static_cast<std::size_t>(receiver)].machine;
        for (const auto& d : delivered) {
            const bool was_open = to.state() != HandshakeState::closed;
            to.receive(d);
            if (was_open && to.state() == HandshakeState::closed) {
                closed_at[static_cast<std::size_t>(receiver)] = index;
            }
        }
        collect(to, receiver == 0 ? Role::initiator : Role::acceptor);
    }
    for (const auto& m : inputs.mutations) {
        if (m.message >= result.messages.size()) {
            return fail(Error::invalid_argument, "a mutation names a record that was never emitted");
        }
    }

    // Settling: closes propagate, then idle timeouts (initiator first), then their closes.
    auto propagate = [&] {
        if (a.state() == HandshakeState::closed && open_and_waiting(b)) {
            b.peer_closed();
        }
        if (b.state() == HandshakeState::closed && open_and_waiting(a)) {
            a.peer_closed();
        }
    };
    propagate();
    for (Handshake* h : {&a, &b}) {
        if (open_and_waiting(*h)) {
            h->idle_timeout();
            propagate();
        }
    }

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
