#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

ByteArray<32> derive(const std::string& label) { return crypto::sha256(as_bytes("shakedown/stellar/" + label)); }

SideInputs side(const std::string& label, std::uint64_t now) {
    SideInputs s;
    s.node_seed = derive(label + "/node");
    s.ecdh_secret = derive(label + "/ecdh");
    s.nonce = derive(label + "/nonce");
    s.now = now;
    return s;
}

TranscriptInputs base(const std::string& label) {
    TranscriptInputs in;
    in.initiator = side(label + "/initiator");
    in.acceptor = side(label + "/acceptor");
    return in;
}

TranscriptResult run(const TranscriptInputs& in) {
    auto r = run_transcript(in);
    if (!r) {
        throw VectorError("catalogue case does not run: " + r.failure().describe());
    }
    return *r;
}

ByteArray<32> public_of(const ByteArray<32>& seed) { return crypto::ed25519_from_seed(seed).public_key; }

HelloLayout layout_of(const Bytes& framed_hello) {
    auto am = parse_authenticated_message(ByteView(framed_hello).subspan(4));
    return HelloLayout(std::get<Hello>(am->message), kHelloInRecord);
}

std::size_t bit(std::size_t byte, unsigned bit_in_byte_from_msb) { return byte * 8 + bit_in_byte_from_msb; }

Mutation mut(std::size_t message, MutationOp op, std::uint64_t value, Bytes data) {
    return Mutation{message, op, value, std::move(data)};
}

// A record framed as `from` would send it, MACed with its send key at `sequence` when keyed.
Bytes authenticated_record(const StellarMessage& m, const ByteArray<32>* key, std::uint64_t sequence) {
    AuthenticatedMessage am{sequence, m, {}};
    if (key != nullptr) {
        am.mac = message_mac(Secret<32>(*key), sequence, serialize(m));
    }
    return frame_record(serialize(am));
}

Bytes with(Bytes b, std::size_t at, std::uint8_t value) {
    b[at] = value;
    return b;
}

Bytes cat(const Bytes& a, const Bytes& b) { return concat({a, b}); }

HandshakeBase make_handshake_base() {
    TranscriptInputs honest = base();
    TranscriptResult honest_run = run(honest);
    const HelloLayout hello_i = layout_of(honest_run.messages[0].wire);
    const HelloLayout hello_a = layout_of(honest_run.messages[1].wire);
    const ByteArray<32> i_send = *honest_run.initiator.send_mac_key;
    StellarMessage i_hello = parse_authenticated_message(ByteView(honest_run.messages[0].wire).subspan(4))->message;
    return HandshakeBase{std::move(honest), std::move(honest_run), hello_i, hello_a, i_send, std::move(i_hello)};
}

CodecBase make_codec_base() {
    CodecBase c;
    c.honest = run(base());
    for (const auto& m : c.honest.messages) {
        c.body.emplace_back(m.wire.begin() + 4, m.wire.end());
        c.am.push_back(*parse_authenticated_message(c.body.back()));
    }
    c.hello = std::get<Hello>(c.am[0].message);
    c.hello_xdr = serialize(c.hello);
    return c;
}

}  // namespace shakedown::vectors::stellar::cases
