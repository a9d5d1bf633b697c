#include <array>

#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

namespace {

ScenarioOutcome output_nonce(Driver& d, const CaseSpec&) {
    std::array<ByteArray<32>, 2> nonces{};
    for (std::size_t i = 0; i < 2; ++i) {
        Conn* c = d.connect();
        if (c == nullptr) {
            return d.open_failure();
        }
        bool completed = false;
        if (auto f = play_honest(*c, Stage::after_hello, {}, completed)) {
            return honest_failure(d, "connection " + std::to_string(i), *f, false);
        }
        nonces[i] = c->their_hello()->nonce;
        c->close();
    }
    if (nonces[0] == nonces[1]) {
        d.findings().add(Verdict::fail, to_string(Category::nonce), "the same nonce on two connections");
        return d.conclude(Verdict::fail, "sent the same nonce on two connections", false);
    }
    return d.conclude(Verdict::pass, "a fresh nonce on each connection", false);
}

ScenarioOutcome output_error(Driver& d, const CaseSpec&) {
    Conn* c = d.connect();
    if (c == nullptr) {
        return d.open_failure();
    }
    bool completed = false;
    if (auto f = play_honest(*c, Stage::start, {}, completed)) {
        return honest_failure(d, "connection 0", *f, false);
    }
    Bytes xdr = hello_xdr(*c, c->honest_hello());
    xdr.insert(xdr.end(), 4, 0);
    (void)c->send(frame(xdr));
    d.must_not_complete(*c);
    const auto j = evaluate(*c, Stage::start, corrupt_xdr());
    if (!j.error_seen) {
        return d.conclude(Verdict::non_strict,
                          "sent no ERROR message where stellar-core sends ERR_DATA 'received corrupt XDR' (" + j.reason +
                              ")",
                          false);
    }
    return d.conclude(Verdict::pass, "sent an ERROR; its form is graded below", false);
}

}  // namespace

void add_output(Builder& b) {
    struct Out {
        const char* name;
        const char* title;
        Category category;
        const char* rule;
    };
    const Out outs[] = {
        {"output.framing", "record marks of every record it sends", Category::framing,
         "stellar.md, Framing: 4-byte length with bit 31 set (len | 0x80000000)"},
        {"output.hello", "HELLO fields and envelope it sends", Category::hello,
         "stellar.md, XDR and Sending: HELLO with sequence 0 and a zero MAC; versions 41..42"},
        {"output.cert", "AuthCert lifetime it issues", Category::cert,
         "stellar.md, Cryptography: expiration = now_s + 3600, re-signed when less than 1800 s remain"},
        {"output.after-auth", "what it sends once authenticated", Category::after_auth,
         "stellar.md, Message order 4: AUTH, PEERS, then SEND_MORE_EXTENDED (and GET_SCP_STATE)"},
    };
    for (const auto& o : outs) {
        auto spec = accept_case(o.name, o.title, o.rule);
        spec.grades = {o.category};
        b.both(spec);
    }
    {
        CaseSpec spec;
        spec.name = "output.error";
        spec.title = "the ERROR message it sends for corrupt XDR";
        spec.rule = "stellar.md, Validation: malformed XDR -> ERROR ERR_DATA; ERROR sent with sequence 0 and a zero MAC";
        spec.grades = {Category::error_form};
        spec.custom = output_error;
        b.both(spec);
    }
    {
        CaseSpec spec;
        spec.name = "output.nonce";
        spec.title = "a fresh nonce on each of two connections";
        spec.rule = "stellar.md, Roles and keys: nonce = 32 random bytes per connection";
        spec.grades = {Category::nonce};
        spec.custom = output_nonce;
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
