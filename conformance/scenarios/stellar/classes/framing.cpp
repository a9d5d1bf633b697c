#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

void add_framing(Builder& b) {
    const std::string rule = "stellar.md, Framing: length 0 -> drop; > 4096 before authentication -> drop; > 16 MiB "
                             "-> drop (all silent)";
    auto framing = [&](const char* name, const char* title, Stimulus s, const char* why) {
        auto spec = reject_case(name, title, rule, Stage::start, std::move(s));
        spec.reaction = framing_drop(why);
        b.both(spec);
    };
    framing("oversize.unauth-4097", "record mark 4097 before authentication, 4096 bytes of it sent",
            [](Conn& c) {
                Bytes x = hello_xdr(c, c.honest_hello());
                x.resize(4097, 0);
                Bytes r = frame(x);
                r.pop_back();
                return c.send(r);
            },
            "records over 4096 bytes before authentication");
    framing("oversize.length-2gib", "record mark 0xffffffff (2 GiB) and nothing else",
            send_bytes([](Conn&) { return Bytes{0xff, 0xff, 0xff, 0xff}; }), "records over 16 MiB");
    framing("oversize.zero-length", "record mark of length 0", send_bytes([](Conn&) { return Bytes{0x80, 0, 0, 0}; }),
            "records of length 0");
    framing("garbage.http-request", "an HTTP request on the overlay port",
            send_bytes([](Conn&) {
                const std::string_view s = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
                return Bytes(s.begin(), s.end());
            }),
            "a record mark of 0x47455420 (over 4096 bytes)");
    framing("garbage.tls-client-hello", "the start of a TLS ClientHello",
            send_bytes([](Conn&) {
                Bytes t{0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03};
                t.resize(64, 0x2a);
                return t;
            }),
            "a record mark of 0x16030100 (over 4096 bytes)");
    {
        auto spec = reject_case("oversize.at-limit-4096", "a 4096-byte record before authentication: HELLO and zeros",
                             "stellar.md, Framing: up to 4096 bytes before authentication is read; the trailing "
                             "bytes are then corrupt XDR -> ERROR ERR_DATA",
                             Stage::start, [](Conn& c) {
                                 Bytes x = hello_xdr(c, c.honest_hello());
                                 x.resize(4096, 0);
                                 return c.send(frame(x));
                             });
        spec.reaction = corrupt_xdr();
        b.both(spec);
    }
    {
        auto spec = reject_case("garbage.random-record", "a 256-byte record of 0xa5 bytes",
                             "stellar.md, Validation: malformed XDR -> ERROR ERR_DATA", Stage::start,
                             send_bytes([](Conn&) { return frame(Bytes(256, 0xa5)); }));
        spec.reaction = corrupt_xdr();
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
