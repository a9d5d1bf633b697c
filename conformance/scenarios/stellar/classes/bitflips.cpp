#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::Role;

void add_bitflips(Builder& b) {
    struct F {
        const char* name;
        const char* title;
        std::function<std::size_t(const HelloLayout&)> where;
        unsigned bit;
        int kind;  // 0 corrupt XDR, 1 cert drop, 2 config error, 3 framing drop
        const char* detail;
    };
    const std::vector<F> flips = {
        {"bitflip.record-length", "bit 30 of the HELLO's record mark", [](const HelloLayout&) { return 0; }, 1, 3,
         "a record over 4096 bytes before authentication"},
        {"bitflip.envelope-version", "lowest bit of AuthenticatedMessage.v", [](const HelloLayout&) { return 7; }, 7,
         0, ""},
        {"bitflip.message-type", "HELLO (13) becomes type 15, removed", [](const HelloLayout&) { return 19; }, 6, 0,
         ""},
        {"bitflip.network-id", "a bit of networkID", [](const HelloLayout& l) { return l.network + 5; }, 3, 2,
         "wrong network passphrase"},
        {"bitflip.overlay-min-version", "top bit of overlayMinVersion", [](const HelloLayout& l) { return l.min; }, 0,
         2, "wrong protocol version"},
        {"bitflip.listening-port", "sign bit of listeningPort", [](const HelloLayout& l) { return l.port; }, 0, 2,
         "bad address"},
        {"bitflip.version-str-length", "top bit of versionStr's length", [](const HelloLayout& l) { return l.vstr_len; },
         0, 0, ""},
        {"bitflip.peer-id", "a bit of peerID", [](const HelloLayout& l) { return l.peer_id + 9; }, 2, 1,
         "bad signature"},
        {"bitflip.cert-key", "a bit of the AuthCert key", [](const HelloLayout& l) { return l.cert_key + 4; }, 5, 1,
         "bad signature"},
        {"bitflip.cert-expiration", "lowest bit of the AuthCert expiration",
         [](const HelloLayout& l) { return l.expiration + 7; }, 7, 1, "bad signature"},
        {"bitflip.signature", "a bit of the AuthCert signature", [](const HelloLayout& l) { return l.sig + 33; }, 1, 1,
         "bad signature"},
    };
    for (const auto& f : flips) {
        auto spec = reject_case(f.name, std::string("HELLO with one bit flipped: ") + f.title,
                             "docs/protocols/stellar.md, Validation: single-bit flips anywhere",
                             Stage::start, hello_flip(f.where, f.bit));
        if (f.kind == 0) {
            spec.reaction = corrupt_xdr();
            b.both(spec);
        } else if (f.kind == 1) {
            spec.reaction = cert_drop(f.detail);
            b.both(spec);
        } else if (f.kind == 2) {
            const std::string text = f.detail;
            b.both(spec, [text](Role r) { return config_error(r, text); });
        } else {
            spec.reaction = framing_drop(f.detail);
            b.both(spec);
        }
    }
    const std::string mac_rule = "stellar.md, Receive rule: the MAC covers sequence and message -> ERROR ERR_AUTH";
    struct A {
        const char* name;
        const char* title;
        std::size_t byte;
        unsigned bit;
        bool corrupt;
    };
    for (const A a : {A{"bitflip.auth-flags", "AUTH with a bit of flags flipped", 23, 4, false},
                      A{"bitflip.auth-sequence", "AUTH with a bit of its sequence flipped", 15, 6, false},
                      A{"bitflip.auth-mac", "AUTH with the first bit of its MAC flipped", 24, 0, false},
                      A{"bitflip.auth-envelope-version", "AUTH with v = 1", 7, 7, true}}) {
        auto spec = reject_case(a.name, a.title, mac_rule, Stage::after_hello,
                             auth_record_edit([a](Bytes& r) { flip(r, a.byte, a.bit); }));
        spec.reaction = a.corrupt ? corrupt_xdr()
                               : auth_error(a.byte < 16 ? "unexpected auth sequence" : "unexpected MAC");
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
