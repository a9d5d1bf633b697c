#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::MessageType;

void add_idle_and_slow(Builder& b) {
    const std::string rule = "stellar.md, Message order: handshake idle timeout 2 s without traffic (checked every "
                             "5 s in stellar-core) -> drop";
    struct I {
        const char* name;
        const char* title;
        Stage stage;
        bool partial;
    };
    for (const I i : {I{"idle.after-connect", "nothing sent after the connection opened", Stage::start, false},
                      I{"idle.after-hello", "nothing sent after the HELLOs", Stage::after_hello, false},
                      I{"idle.partial-header", "two bytes of a record mark, then nothing", Stage::start, true}}) {
        auto spec = reject_case(i.name, i.title, rule, i.stage, [partial = i.partial](Conn& c) {
            if (partial) {
                const Bytes r = c.hello_record(c.honest_hello());
                return c.send(ByteView(r).first(2));
            }
            return true;
        });
        spec.reaction = drop("idle timeout, silent drop", false);
        // 2 s idle plus stellar-core's 5 s check period, and slack.
        spec.reaction.deadline = Millis(7500);
        spec.reaction.prompt = Millis(0);
        spec.reaction.markers = std::vector<MessageType>{};
        b.both(spec);
    }
    {
        auto spec = accept_case("slow.header-trickle",
                             "HELLO record mark one byte per 100 ms, then its body in three parts",
                             "stellar.md, Framing: records are reassembled from the stream; any traffic resets the "
                             "idle timer");
        spec.tweaks.hello_pacing = Pacing{[](std::size_t total) {
                                           const std::size_t third = (total - 4) / 3;
                                           return std::vector<std::size_t>{1, 1, 1, 1, third, third};
                                       },
                                       Millis(100)};
        b.both(spec);
    }
    {
        auto spec = accept_case("slow.byte-at-a-time", "HELLO one byte per write",
                             "stellar.md, Framing: records are reassembled from the stream");
        spec.tweaks.hello_pacing = Pacing{bytewise, Millis(1)};
        b.both(spec);
    }
    {
        auto spec = accept_case("slow.split-auth", "AUTH in two writes 300 ms apart",
                             "stellar.md, Framing: records are reassembled from the stream");
        spec.tweaks.auth_pacing = Pacing{[](std::size_t total) { return std::vector<std::size_t>{total / 2}; }, Millis(300)};
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
