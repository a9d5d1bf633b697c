#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_bitflips(Builder& b, const HandshakeBase& base_run) {
    const TranscriptResult& honest_run = base_run.honest_run;
    for (std::size_t rec = 0; rec < 4; ++rec) {
        const std::size_t size = honest_run.messages[rec].wire.size();
        const std::size_t step = rec < 2 ? 24 : 8;
        for (std::size_t byte = 4; byte < size; byte += step) {
            auto in = base();
            in.mutations.push_back(mut(rec, MutationOp::flip_bit, bit(byte, static_cast<unsigned>(byte % 8))));
            std::string comment = "bit flip in record " + std::to_string(rec) + " (" + honest_run.messages[rec].type +
                                  ") byte " + std::to_string(byte);
            std::vector<std::string> flags = {"BitFlip"};
            if (run(in).both_authenticated()) {
                comment += ": a field stellar-core does not check";
                flags.emplace_back("NonStrictAccepted");
            }
            b.add(comment, flags, in);
        }
    }
}

}  // namespace shakedown::vectors::stellar::cases
