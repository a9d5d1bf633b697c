#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_valid(Builder& b, const HandshakeBase& base_run) {
    const TranscriptInputs& honest = base_run.honest;
    const TranscriptResult& honest_run = base_run.honest_run;
    const HelloLayout& hello_i = base_run.hello_i;
    b.add("honest handshake", {"Valid"}, honest);
    for (int k = 1; k <= 3; ++k) {
        b.add("honest handshake, other identities and nonces", {"Valid"}, base("honest-" + std::to_string(k)));
    }
    {
        auto in = base();
        in.initiator.nonce.fill(0);
        in.acceptor.nonce.fill(0xff);
        b.add("all-zero and all-ff nonces are legal", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.overlay_version = 41;
        in.initiator.overlay_min_version = 41;
        b.add("initiator at the minimum overlay version", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.acceptor.overlay_version = 50;
        in.acceptor.overlay_min_version = 42;
        b.add("acceptor newer: ranges overlap at 42", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.ledger_version = 0;
        in.acceptor.ledger_version = 0xffffffff;
        b.add("ledgerVersion is not checked", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.version_str = std::string(100, 'v');
        in.acceptor.version_str = "";
        b.add("versionStr of 100 bytes and of 0 bytes", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.listening_port = 1;
        in.acceptor.listening_port = 65535;
        b.add("listeningPort at 1 and 65535", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_expiration = in.acceptor.now;
        b.add("cert expiration == verifier's now is accepted", {"EdgeCaseValid", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.acceptor.now = in.initiator.now + 3599;
        b.add("verifier's clock 3599 s ahead: cert still valid", {"EdgeCaseValid", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.acceptor.now = in.initiator.now - 86400 * 365;
        in.acceptor.cert_expiration = in.initiator.now + kCertLifetimeSeconds;
        b.add("verifier's clock a year behind: no not-before check", {"EdgeCaseValid", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_expiration = UINT64_MAX;
        b.add("cert expiring at 2^64-1: no upper bound", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(
            mut(0, MutationOp::set_header, static_cast<std::uint32_t>(honest_run.messages[0].wire.size() - 4)));
        b.add("HELLO record mark without bit 31 (stellar-core does not check it)", {"NonStrictAccepted"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(15)));
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(hello_i.mac + 31)));
        b.add("first HELLO with sequence 1 and a non-zero MAC: both ignored", {"NonStrictAccepted"}, in);
    }
}

}  // namespace shakedown::vectors::stellar::cases
