// Each handshake bug knob lets through exactly the upstream behaviour it names: the reference
// rejects the input, the knob accepts it (or, where the message layer still objects, fails
// differently).
#include <gtest/gtest.h>

#include <set>

#include "common/crypto.hpp"
#include "common/writer.hpp"

#include "stt/frame.hpp"
#include "tests/stt/driver.hpp"

namespace shakedown::stt {
namespace {

using test::config;
using test::kNow;

struct Outcome {
    std::optional<Error> error;
    std::size_t replies = 0;
};

// Builds an honest HELLO, lets `change` rewrite its TLV or datagram, and feeds it to a responder.
Outcome feed_hello(const Quirks& q, const std::function<Bytes(const Bytes& datagram, const Bytes& tlv)>& change,
                   std::int64_t skew_ms = 0) {
    FixedClock clock(kNow);
    SeededRng ri(test::seed_of(1));
    Config ci = config(Role::initiator);
    ci.send_skew_ms = skew_ms;
    Handshake i(std::move(ci), ri, clock);
    i.start();
    const Bytes hello = i.take_output().at(0);
    const Bytes tlv = parse_frame(hello)->payload;
    Config cr = config(Role::acceptor);
    cr.quirks = q;
    SeededRng rr(test::seed_of(2));
    Handshake r(std::move(cr), rr, clock);
    r.start();
    r.receive(change(hello, tlv));
    Outcome o;
    if (r.closure()) {
        o.error = r.closure()->failure.code;
    }
    o.replies = r.take_output().size();
    return o;
}

Bytes reframe(const Bytes& datagram, Bytes tlv) {
    Frame f = *parse_frame(datagram);
    f.payload = std::move(tlv);
    return serialize_frame(f);
}

Bytes rewrite(const Bytes& tlv, const std::function<void(Hello&)>& change) {
    Hello h = std::get<Hello>(*parse_message(tlv));
    change(h);
    return serialize(h);
}

struct KnobCase {
    const char* knob;
    Error strict;
    std::optional<Error> with_knob;  // nullopt: answered
    std::function<Bytes(const Bytes&, const Bytes&)> change;
    std::int64_t skew = 0;
};

TEST(SttKnobs, EachHandshakeKnobLetsItsDefectThrough) {
    const std::vector<KnobCase> cases = {
        {"tlv-accept-trailing-bytes", Error::trailing_bytes, std::nullopt,
         [](const Bytes& d, const Bytes& t) {
             Bytes longer = t;
             longer.push_back(0);
             return reframe(d, longer);
         }},
        {"tlv-truncate-short-fields", Error::truncated, std::nullopt,
         [](const Bytes& d, const Bytes& t) {
             Bytes b = t;
             b[b.size() - 6] = 6;  // the "HELLO" STRING claims 6 bytes; 5 remain
             return reframe(d, b);
         }},
        {"tlv-duplicate-keys-overwrite", Error::non_canonical, std::nullopt,
         [](const Bytes& d, const Bytes& t) {
             Value v = *decode(t);
             std::rotate(v.items.begin(), v.items.end() - 1, v.items.end());  // "type" first
             Writer w;
             w.put_u8(tag::kDict);
             w.put_u32be(static_cast<std::uint32_t>(v.items.size()));
             for (const Value& item : v.items) {
                 Value k = Value::string_value(item.key);
                 w.put_bytes(*encode(k));
                 Value copy = item;
                 copy.key.clear();
                 w.put_bytes(*encode(copy));
             }
             return reframe(d, w.bytes());
         }},
        {"tlv-no-limits", Error::oversize, Error::decode_error,
         [](const Bytes& d, const Bytes& t) {
             Value v = *decode(t);
             Value deep = Value::null();
             for (int i = 0; i < 9; ++i) {
                 deep = Value::list({deep});
             }
             deep.key = "zz";
             v.items.push_back(deep);
             return reframe(d, *encode(v));
         }},
        {"skip-commitment-check", Error::bad_mac, std::nullopt,
         [](const Bytes& d, const Bytes& t) {
             return reframe(d, rewrite(t, [](Hello& h) { h.commitment[0] ^= 1; }));
         }},
        {"skip-timestamp-check", Error::stale_timestamp, std::nullopt, [](const Bytes& d, const Bytes&) { return d; },
         -3'600'000},
        {"skip-length-checks", Error::bad_length, std::nullopt,
         [](const Bytes& d, const Bytes& t) {
             return reframe(d, rewrite(t, [](Hello& h) {
                                h.nonce.resize(1);
                                const auto c = crypto::sha256(concat({h.node_id, h.nonce}));
                                h.commitment.assign(c.begin(), c.end());
                            }));
         }},
        {"unframed-handshake", Error::decode_error, std::nullopt, [](const Bytes&, const Bytes& t) { return t; }},
    };
    for (const KnobCase& c : cases) {
        const Outcome strict = feed_hello({}, c.change, c.skew);
        EXPECT_EQ(strict.error, c.strict) << c.knob;
        EXPECT_EQ(strict.replies, 0u) << c.knob;
        Quirks q;
        ASSERT_TRUE(set_quirk(q, c.knob)) << c.knob;
        const Outcome lax = feed_hello(q, c.change, c.skew);
        EXPECT_EQ(lax.error, c.with_knob) << c.knob;
        EXPECT_EQ(lax.replies, c.with_knob ? 0u : 1u) << c.knob;
    }
}

TEST(SttKnobs, UnframedPeersCompleteAndNoIdleTimeout) {
    Config ci = config(Role::initiator);
    Config cr = config(Role::acceptor);
    ci.quirks.unframed_handshake = true;
    cr.quirks.unframed_handshake = true;
    cr.quirks.no_idle_timeout = true;
    test::Pair p(ci, cr);
    const auto wire = p.run();
    EXPECT_TRUE(p.initiator.authenticated());
    EXPECT_TRUE(p.responder.authenticated());
    EXPECT_NE(wire.at(0).at(0), 'S');  // raw TLV: starts with the DICT tag
    test::Pair q(config(Role::initiator), cr);
    q.responder.start();
    EXPECT_EQ(q.responder.idle_timeout_ms(), std::nullopt);
    q.responder.idle_timeout();
    EXPECT_FALSE(q.responder.closure());
}

TEST(SttKnobs, EveryKnobHasAUniqueName) {
    std::set<std::string_view> names;
    for (const QuirkInfo& q : quirk_table()) {
        EXPECT_TRUE(names.insert(q.name).second) << q.name;
        Quirks one;
        EXPECT_TRUE(set_quirk(one, q.name));
        EXPECT_TRUE(one.*(q.flag));
    }
    Quirks none;
    EXPECT_FALSE(set_quirk(none, "no-such-knob"));
}

}  // namespace
}  // namespace shakedown::stt
