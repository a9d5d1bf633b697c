#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

void add_certs_and_clocks(Builder& b) {
    const std::string verify = "stellar.md, Cryptography: reject if expiration < now; signature exactly 64 bytes, "
                               "verified against the HELLO's peerID with the verifier's networkID";
    struct Bad {
        const char* name;
        const char* title;
        std::function<void(Conn&, ss::Hello&)> edit;
        bool resign;
        const char* why;
    };
    const std::vector<Bad> bad = {
        {"cert.expired", "AuthCert expired 120 s ago",
         [](Conn& c, ss::Hello& h) { h.cert.expiration = c.now() - 120; }, true, "expired cert"},
        {"cert.expiration-zero", "AuthCert expiration 0", [](Conn&, ss::Hello& h) { h.cert.expiration = 0; }, true,
         "expired cert"},
        {"cert.bad-signature", "AuthCert signature with one bit flipped",
         [](Conn&, ss::Hello& h) { h.cert.sig[10] ^= 0x04; }, false, "bad signature"},
        {"cert.signature-63", "AuthCert signature of 63 bytes", [](Conn&, ss::Hello& h) { h.cert.sig.pop_back(); },
         false, "signature not 64 bytes"},
        {"cert.signature-32", "AuthCert signature of 32 bytes", [](Conn&, ss::Hello& h) { h.cert.sig.resize(32); },
         false, "signature not 64 bytes"},
        {"cert.signature-empty", "AuthCert signature of 0 bytes", [](Conn&, ss::Hello& h) { h.cert.sig.clear(); },
         false, "signature not 64 bytes"},
        {"cert.other-network", "AuthCert signed for another network (networkID field right)",
         [](Conn& c, ss::Hello& h) { c.sign(h, kOtherNetwork); }, false, "cert signed for another network"},
        {"cert.wrong-peer-id", "HELLO peerID of another node, AuthCert signed by ours",
         [](Conn&, ss::Hello& h) { h.peer_id = crypto::ed25519_from_seed(random_key()).public_key; }, true,
         "wrong peerID"},
        {"cert.signed-over-other-key", "AuthCert signature made over another X25519 key",
         [](Conn& c, ss::Hello& h) {
             const auto mine = h.cert.pubkey;
             h.cert.pubkey = crypto::x25519_public(Secret<32>(random_key()));
             c.sign(h);
             h.cert.pubkey = mine;
         },
         false, "bad signature"},
    };
    for (const auto& x : bad) {
        auto spec = reject_case(x.name, x.title, verify, Stage::start, hello_edit(x.edit, x.resign));
        spec.reaction = cert_drop(x.why);
        b.both(spec);
    }
    struct Good {
        const char* name;
        const char* title;
        std::function<void(Conn&, ss::Hello&)> edit;
        Verdict on_reject;
    };
    const std::vector<Good> good = {
        {"cert.expires-soon", "AuthCert expiring in 60 s",
         [](Conn& c, ss::Hello& h) { h.cert.expiration = c.now() + 60; }, Verdict::non_strict},
        {"cert.far-future", "AuthCert expiring in 10 years",
         [](Conn& c, ss::Hello& h) { h.cert.expiration = c.now() + 10ULL * 365 * 24 * 3600; }, Verdict::non_strict},
        {"cert.max-expiration", "AuthCert expiration 2^64-1",
         [](Conn&, ss::Hello& h) { h.cert.expiration = ~std::uint64_t{0}; }, Verdict::non_strict},
        {"cert.milliseconds", "AuthCert expiration written in milliseconds (now_ms + 360000)",
         [](Conn& c, ss::Hello& h) { h.cert.expiration = c.now() * 1000 + 360000; }, Verdict::non_strict},
        {"clock.ahead-1h", "our clock one hour ahead: AuthCert expiring in 2 h",
         [](Conn& c, ss::Hello& h) { h.cert.expiration = c.now() + 7200; }, Verdict::non_strict},
        {"clock.behind-30min", "our clock 30 minutes behind: AuthCert expiring in 30 min",
         [](Conn& c, ss::Hello& h) { h.cert.expiration = c.now() + 1800; }, Verdict::fail},
    };
    for (const auto& x : good) {
        auto spec = accept_case(x.name, x.title, "stellar.md, Cryptography: no upper bound, no not-before check",
                             must_accept(x.on_reject, "accepts any cert not yet expired"));
        spec.tweaks.hello = x.edit;
        b.both(spec);
    }
    {
        auto spec = reject_case("clock.behind-2h", "our clock two hours behind: AuthCert expired an hour ago", verify,
                             Stage::start, hello_edit([](Conn& c, ss::Hello& h) { h.cert.expiration = c.now() - 3600; }));
        spec.reaction = cert_drop("expired cert");
        b.both(spec);
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
