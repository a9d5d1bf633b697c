#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

void add_encoding(Builder& b) {
    const std::string xdr_rule = "stellar.md, Validation: malformed XDR (trailing bytes, padding, bad enum/arm, "
                                 "string > 100, sig > 64) -> ERROR ERR_DATA 'received corrupt XDR'";
    auto xdr_case = [&](const std::string& name, const std::string& title, Stimulus s,
                        Stage stage = Stage::start) {
        auto spec = reject_case(name, title, xdr_rule, stage, std::move(s));
        spec.reaction = corrupt_xdr();
        b.both(spec);
    };
    xdr_case("truncation.hello-short", "HELLO missing its last byte (record mark adjusted)", [](Conn& c) {
        Bytes x = hello_xdr(c, c.honest_hello());
        x.pop_back();
        return c.send(frame(x));
    });
    xdr_case("truncation.hello-half", "the first half of a HELLO (record mark adjusted)", [](Conn& c) {
        Bytes x = hello_xdr(c, c.honest_hello());
        x.resize(x.size() / 2);
        return c.send(frame(x));
    });
    xdr_case(
        "truncation.auth-short", "AUTH missing its last byte (record mark adjusted)",
        [](Conn& c) {
            Bytes r = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
            r.pop_back();
            r[3] = static_cast<std::uint8_t>(r[3] - 1);
            return c.send(r);
        },
        Stage::after_hello);
    xdr_case("trailing.hello-word", "HELLO followed by 4 zero bytes inside its record", [](Conn& c) {
        Bytes x = hello_xdr(c, c.honest_hello());
        x.insert(x.end(), 4, 0);
        return c.send(frame(x));
    });
    xdr_case("trailing.hello-byte", "HELLO followed by 1 byte inside its record", [](Conn& c) {
        Bytes x = hello_xdr(c, c.honest_hello());
        x.push_back(0);
        return c.send(frame(x));
    });
    xdr_case(
        "trailing.auth-word", "AUTH followed by 4 zero bytes inside its record",
        [](Conn& c) {
            Bytes r = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
            Bytes x(r.begin() + 4, r.end());
            x.insert(x.end(), 4, 0);
            return c.send(frame(x));
        },
        Stage::after_hello);
    xdr_case("xdr.nonzero-padding", "versionStr 'x' with a non-zero padding byte", [](Conn& c) {
        ss::Hello h = c.honest_hello();
        h.version_str = "x";
        Bytes r = c.hello_record(h);
        r[record_layout(h).vstr + 1] = 0x01;
        return c.send(r);
    });
    xdr_case("xdr.version-str-101", "versionStr of 101 bytes", hello_edit([](Conn&, ss::Hello& h) {
                 h.version_str.assign(101, 'v');
             }));
    xdr_case("xdr.signature-65", "AuthCert signature of 65 bytes",
             hello_edit([](Conn&, ss::Hello& h) { h.cert.sig.push_back(0); }, false));
    xdr_case("xdr.unknown-type", "StellarMessage type 99",
             send_bytes([](Conn&) { return frame(envelope(0, 99, {})); }));
    xdr_case("xdr.removed-type", "StellarMessage type 4 (GET_PEERS, removed)",
             send_bytes([](Conn&) { return frame(envelope(0, 4, {})); }));
    xdr_case("xdr.negative-type", "StellarMessage type -1",
             send_bytes([](Conn&) { return frame(envelope(0, -1, {})); }));
    xdr_case("xdr.envelope-v1", "AuthenticatedMessage v = 1 around a HELLO", hello_record_edit([](Conn&, Bytes& r) {
                 r[7] = 1;
             }));
    xdr_case("xdr.node-id-type", "NodeID key type 1", [](Conn& c) {
        const ss::Hello h = c.honest_hello();
        Bytes r = c.hello_record(h);
        r[record_layout(h).node_type + 3] = 1;
        return c.send(r);
    });
    xdr_case("xdr.string-length-huge", "versionStr length 0xfffffff0", [](Conn& c) {
        const ss::Hello h = c.honest_hello();
        Bytes r = c.hello_record(h);
        const auto at = record_layout(h).vstr_len;
        r[at] = 0xff;
        r[at + 1] = 0xff;
        r[at + 2] = 0xff;
        r[at + 3] = 0xf0;
        return c.send(r);
    });
    xdr_case("truncation.tiny-record-2", "a record of 2 bytes", send_bytes([](Conn&) {
                 return Bytes{0x80, 0x00, 0x00, 0x02, 0x00, 0x00};
             }));
    xdr_case("truncation.tiny-record-12", "a record of 12 bytes: v and sequence, nothing else",
             send_bytes([](Conn&) { return frame(Bytes(12, 0)); }));
    {
        auto spec = reject_case("truncation.cut-then-eof", "half a HELLO record, then end of stream",
                             "stellar.md, Framing: a record is read whole; the connection ended inside it",
                             Stage::start, [](Conn& c) {
                                 const Bytes r = c.hello_record(c.honest_hello());
                                 const bool ok = c.send(ByteView(r).first(r.size() / 2));
                                 c.shutdown_send();
                                 return ok;
                             });
        spec.reaction = drop("closes when the stream ends", false);
        b.both(spec);
    }
    {
        auto spec = reject_case("truncation.header-then-eof", "two bytes of a record mark, then end of stream",
                             "stellar.md, Framing: a record is read whole; the connection ended inside it",
                             Stage::start, [](Conn& c) {
                                 const Bytes r = c.hello_record(c.honest_hello());
                                 const bool ok = c.send(ByteView(r).first(2));
                                 c.shutdown_send();
                                 return ok;
                             });
        spec.reaction = drop("closes when the stream ends", false);
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
