#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_stellar_message(CodecBuilder& cb, const CodecBase& base_run) {
    const TranscriptResult& honest = base_run.honest;
    const std::vector<AuthenticatedMessage>& am = base_run.am;
    Json& g = cb.group("StellarMessage", "StellarMessage union, handshake arms decoded, others kept raw");
    for (std::size_t i = 0; i < am.size(); ++i) {
        const Bytes w = serialize(am[i].message);
        cb.valid(g, "record " + std::to_string(i) + " of the honest handshake (" + honest.messages[i].type + ")",
                 {"Valid"}, w, parse_stellar_message(w), to_json(am[i].message));
    }
    Peers peers;
    peers.peers.push_back(PeerAddress{false, {127, 0, 0, 1}, 11625, 0});
    peers.peers.push_back(PeerAddress{true, Bytes(16, 0xfe), 65535, UINT32_MAX});
    const StellarMessage pm{peers};
    cb.valid(g, "PEERS with an IPv4 and an IPv6 address", {"Valid"}, serialize(pm), parse_stellar_message(serialize(pm)),
             to_json(pm));
    const StellarMessage sm{SendMore{7}};
    cb.valid(g, "SEND_MORE", {"Valid"}, serialize(sm), parse_stellar_message(serialize(sm)), to_json(sm));
    const StellarMessage gs{GetScpState{123456}};
    cb.valid(g, "GET_SCP_STATE", {"Valid"}, serialize(gs), parse_stellar_message(serialize(gs)), to_json(gs));
    const StellarMessage tx{OtherMessage{MessageType::transaction, Bytes{0, 0, 0, 2, 0xaa, 0xbb, 0, 0}}};
    cb.valid(g, "TRANSACTION kept undecoded", {"EdgeCaseValid"}, serialize(tx), parse_stellar_message(serialize(tx)),
             to_json(tx));
    Peers many;
    many.peers.assign(101, PeerAddress{false, {10, 0, 0, 1}, 1, 0});
    cb.invalid(g, "PEERS with 101 entries", {"StringOverBound"}, serialize(StellarMessage{many}),
               parse_stellar_message(serialize(StellarMessage{many})), Error::bad_length);
    const Bytes ip2 = with(serialize(pm), 11, 2);
    cb.invalid(g, "IPAddrType 2", {"UnknownArm"}, ip2, parse_stellar_message(ip2), Error::unknown_type);
    for (const std::int32_t t : {1, 4, 14, 15, 25, -1}) {
        Writer w;
        w.put_i32be(t);
        w.put_u32be(200);
        cb.invalid(g, "MessageType " + std::to_string(t), {"UnknownArm"}, w.bytes(), parse_stellar_message(w.bytes()),
                   Error::unknown_type);
    }
    const Bytes auth = serialize(am[2].message);
    cb.invalid(g, "AUTH with a trailing word", {"TrailingBytes"}, cat(auth, Bytes(4, 0)),
               parse_stellar_message(cat(auth, Bytes(4, 0))), Error::trailing_bytes);
    cb.invalid(g, "empty input", {"Truncated"}, Bytes{}, parse_stellar_message(Bytes{}), Error::truncated);
}

}  // namespace shakedown::vectors::stellar::cases
