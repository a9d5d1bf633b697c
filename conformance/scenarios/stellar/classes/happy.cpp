#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::Role;

void add_happy(Builder& b) {
    b.both(accept_case("happy.path", "honest handshake, every record graded",
                       "stellar.md, Message order: HELLO, HELLO, AUTH, AUTH + PEERS + SEND_MORE_EXTENDED"));
    {
        auto spec = accept_case("happy.no-bit31", "our records lack bit 31 of the record mark",
                             "stellar.md, Framing: stellar-core clears bit 31 when reading and does not check it",
                             must_accept(Verdict::non_strict, "accepts records without bit 31"));
        spec.tweaks.bit31 = false;
        b.both(spec);
    }
    {
        auto spec = accept_case("happy.pipelined-auth", "AUTH and SEND_MORE_EXTENDED in one write, before its AUTH",
                             "stellar.md, Message order: A is authenticated once B's AUTH verifies; records are "
                             "processed in order");
        spec.target = Role::acceptor;
        spec.tweaks.pipeline = true;
        b.add(spec);
    }
    {
        auto spec = accept_case("happy.ledger-version-max", "HELLO ledgerVersion 2^32-1",
                             "stellar.md, Validation: ledgerVersion is not checked",
                             must_accept(Verdict::non_strict, "does not check ledgerVersion"));
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.ledger_version = 0xffffffffU; };
        b.both(spec);
    }
    {
        auto spec = accept_case("happy.version-str-empty", "HELLO versionStr empty", "Stellar-overlay.x: string versionStr<100>");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.version_str.clear(); };
        b.both(spec);
    }
    {
        auto spec = accept_case("happy.version-str-100", "HELLO versionStr of exactly 100 bytes",
                             "Stellar-overlay.x: string versionStr<100>");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.version_str.assign(100, 'v'); };
        b.both(spec);
    }
    {
        auto spec = accept_case("happy.listening-port-1", "HELLO listeningPort 1",
                             "stellar.md, Validation: listeningPort <= 0 or > 65535 is refused, 1 is not");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.listening_port = 1; };
        b.both(spec);
    }
    {
        auto spec = accept_case("happy.listening-port-65535", "HELLO listeningPort 65535",
                             "stellar.md, Validation: listeningPort <= 0 or > 65535 is refused, 65535 is not");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.listening_port = 65535; };
        b.both(spec);
    }
    {
        auto spec = accept_case("happy.hello-sequence-and-mac", "our HELLO carries sequence 7 and a non-zero MAC",
                             "stellar.md, Receive rule: the first HELLO's sequence and MAC are ignored",
                             must_accept(Verdict::non_strict, "ignores the first HELLO's sequence and MAC"));
        spec.tweaks.hello_record = [](Bytes& r) {
            r[15] = 7;                  // low byte of the sequence
            r[r.size() - 1] = 0x5a;     // last byte of the MAC
        };
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
