#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_decoding_and_framing(Builder& b, const HandshakeBase& base_run) {
    const HelloLayout& hello_i = base_run.hello_i;
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::append, 0, Bytes{0, 0, 0, 0}));
        b.add("HELLO with 4 trailing bytes", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::append, 0, Bytes{0}));
        b.add("AUTH with 1 trailing byte", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.initiator.version_str = "abc";
        TranscriptResult r = run(in);
        const HelloLayout l = layout_of(r.messages[0].wire);
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(l.vstr_len + 4 + 3)));
        b.add("non-zero padding after versionStr", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.initiator.version_str = std::string(101, 'v');
        b.add("versionStr of 101 bytes", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(hello_i.node_type + 3)));
        b.add("NodeID key type 1", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(19, 6)));
        b.add("MessageType 15 (removed SURVEY_RESPONSE)", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(7)));
        b.add("AuthenticatedMessage version 1", {"MalformedXdr"}, in);
    }
    for (const std::uint64_t len : {0ULL, 100ULL, 275ULL}) {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::truncate, len));
        b.add("HELLO truncated to " + std::to_string(len) + " bytes (record mark matches)", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0x80000000U));
        b.add("record length 0", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0x80001001U));
        b.add("record length 4097 before authentication", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0xffffffffU));
        b.add("record length 2^31-1", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(5, MutationOp::set_header, 0x81000001U));
        b.add("record length 16 MiB + 1 after authentication", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0x80001000U));
        b.add("record length 4096 before authentication, body short: waits, times out", {"LowerLayerTimeout"}, in);
    }
}

}  // namespace shakedown::vectors::stellar::cases
