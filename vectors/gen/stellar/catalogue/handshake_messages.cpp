#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_mac_sequence_replay_order(Builder& b, const HandshakeBase& base_run) {
    const TranscriptResult& honest_run = base_run.honest_run;
    const ByteArray<32>& i_send = base_run.i_send;
    const StellarMessage& i_hello = base_run.i_hello;
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::flip_bit, bit(24)));
        b.add("initiator AUTH MAC bit flipped", {"BadMac", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::flip_bit, bit(55, 0)));
        b.add("acceptor AUTH MAC bit flipped", {"BadMac", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::flip_bit, bit(23, 0)));
        b.add("initiator AUTH flags bit flipped under the MAC", {"BadMac", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::resequence, 1));
        b.add("initiator AUTH with sequence 1, correctly MACed", {"BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::resequence, 0xffffffffffffffffULL));
        b.add("acceptor AUTH with sequence 2^64-1, correctly MACed", {"BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::duplicate));
        b.add("initiator AUTH replayed within the connection", {"Replay", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::duplicate));
        b.add("zero-MAC HELLO sent twice: second fails the MAC check", {"Replay", "BadMac"}, in);
    }
    {
        const TranscriptResult other = run(base("other-connection"));
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::replace, 0, other.messages[2].wire));
        b.add("initiator AUTH replayed from another connection", {"Replay", "BadMac"}, in);
    }
    {
        const TranscriptResult other = run(base("other-connection"));
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::replace, 0, other.messages[1].wire));
        b.add("acceptor HELLO replayed from another connection (other nonce and key)", {"Replay", "BadMac"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::inject_before, 0, authenticated_record(Auth{200}, nullptr, 0)));
        b.add("AUTH before HELLO", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::inject_before, 0, authenticated_record(i_hello, &i_send, 0)));
        b.add("second HELLO, correctly MACed: dropped", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::inject_before, 0, authenticated_record(Peers{}, &i_send, 0)));
        b.add("PEERS before authentication, correctly MACed", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::inject_before, 0, authenticated_record(Peers{}, nullptr, 0)));
        b.add("initiator receives PEERS before the acceptor's HELLO", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::drop));
        b.add("acceptor AUTH lost: PEERS arrives with sequence 1", {"OutOfOrder", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::replace, 0, honest_run.messages[4].wire));
        in.mutations.push_back(mut(4, MutationOp::replace, 0, honest_run.messages[3].wire));
        b.add("acceptor AUTH and PEERS swapped", {"OutOfOrder", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(4, MutationOp::replace, 0, honest_run.messages[5].wire));
        in.mutations.push_back(mut(5, MutationOp::replace, 0, honest_run.messages[4].wire));
        b.add("acceptor PEERS and SEND_MORE_EXTENDED reordered", {"OutOfOrder", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::drop));
        b.add("initiator HELLO lost: both sides time out", {"LowerLayerTimeout"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::inject_before, 0, honest_run.messages[0].wire));
        b.add("initiator's own HELLO reflected back to it", {"Reflection"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::replace, 0, honest_run.messages[2].wire));
        b.add("initiator's own AUTH reflected back instead of the acceptor's", {"Reflection", "BadMac"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::inject_before, 0,
                                   authenticated_record(ErrorMsg{ErrorCode::load, "injected"}, nullptr, 0)));
        b.add("network injects an ERROR_MSG", {"PeerError"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(6, MutationOp::inject_before, 0,
                                   authenticated_record(ErrorMsg{ErrorCode::misc, "late"}, nullptr, 5)));
        b.add("ERROR_MSG after authentication, any sequence: still closes", {"PeerError"}, in);
    }
}

}  // namespace shakedown::vectors::stellar::cases
