// vectors/shadowmesh/transcript_test.json: the reference machine of one role, under one profile,
// driven by a script of timed events (connection opened, binary or text WebSocket messages from
// the peer, deadline, peer close). Expected: what the reference sends at each event and each
// connection's outcome. Connections of one test share one replay cache (docs/protocols/
// shadowmesh.md §5, V11). The peer's messages are inputs: honest ones are the section 9 frames,
// adversarial ones the catalogue X1-X22 and the extra cases of §8.
#include <memory>

#include "common/crypto.hpp"
#include "shadowmesh/clock.hpp"
#include "shadowmesh/keys.hpp"
#include "shadowmesh/rehandshake.hpp"
#include "vectors/gen/shadowmesh/support.hpp"

namespace shakedown::shadowmesh::vectors {

namespace {

struct Event {
    std::size_t conn = 0;
    std::uint64_t at = kT1;
    std::string op;  // open, binary, text, idle_timeout, peer_closed
    Bytes wire;
};

struct Scenario {
    std::string comment;
    std::vector<std::string> flags;
    SessionId sid{};
    ByteArray<32> tx{};
    ByteArray<32> rx{};
    std::vector<Challenge> random;  // per connection: the challenge it draws
    std::vector<Event> events;
};

Json events_json(const std::vector<Event>& events) {
    Json out = Json::array();
    for (const auto& e : events) {
        Json j = Json::object();
        j["conn"] = e.conn;
        j["at"] = shakedown::vectors::u64_json(e.at);
        j["op"] = e.op;
        if (e.op == "binary" || e.op == "text") {
            j["wire"] = to_hex(e.wire);
        }
        out.push_back(std::move(j));
    }
    return out;
}

// Runs the reference and returns the test object (comment, flags, inputs, expected, result).
Json run(Profile profile, Role role, const Scenario& s, const Quirks& quirks = {}) {
    auto cache = std::make_shared<ChallengeCache>(kMaxSkewMs);
    std::vector<std::unique_ptr<FixedMillisClock>> clocks;
    std::vector<std::unique_ptr<ScriptedRng>> rngs;
    std::vector<std::unique_ptr<Rehandshake>> machines;
    for (const auto& c : s.random) {
        clocks.push_back(std::make_unique<FixedMillisClock>(kT1));
        rngs.push_back(std::make_unique<ScriptedRng>(Bytes(c.begin(), c.end())));
        Config cfg{role, profile, SessionKeys{s.sid, Secret<32>(s.tx), Secret<32>(s.rx)},
                   profile == Profile::strict ? cache : nullptr, quirks};
        machines.push_back(std::make_unique<Rehandshake>(std::move(cfg), *rngs.back(), *clocks.back()));
    }
    Json sent_per_event = Json::array();
    for (const auto& e : s.events) {
        if (e.conn >= machines.size()) {
            throw VectorError("inputs.events: conn out of range");
        }
        clocks[e.conn]->set(e.at);
        Rehandshake& m = *machines[e.conn];
        if (e.op == "open") {
            m.start();
        } else if (e.op == "binary") {
            m.receive(e.wire);
        } else if (e.op == "text") {
            m.receive_text(e.wire);
        } else if (e.op == "idle_timeout") {
            m.idle_timeout();
        } else if (e.op == "peer_closed") {
            m.peer_closed();
        } else {
            throw VectorError("inputs.events: unknown op '" + e.op + "'");
        }
        Json sent = Json::array();
        for (const auto& u : m.take_output()) {
            sent.push_back(to_hex(u));
        }
        sent_per_event.push_back(std::move(sent));
    }
    Json outcomes = Json::array();
    std::optional<std::string> first_error;
    for (const auto& mp : machines) {
        const Rehandshake& m = *mp;
        Json o = Json::object();
        o["state"] = std::string(to_string(m.state()));
        o["authenticated"] = m.authenticated();
        Json dropped = Json::array();
        for (auto i : m.dropped()) {
            dropped.push_back(i);
        }
        o["dropped"] = std::move(dropped);
        if (const auto c = m.closure()) {
            o["error"] = std::string(to_string(c->failure.code));
            o["offset"] = c->failure.offset == kNoOffset ? Json(nullptr) : Json(c->failure.offset);
            o["at_message"] = c->at_message;
            o["by_peer"] = c->by_peer;
            if (!first_error) {
                first_error = to_string(c->failure.code);
            }
        }
        outcomes.push_back(std::move(o));
    }
    Json t = Json::object();
    t["comment"] = s.comment;
    t["flags"] = s.flags;
    Json in = Json::object();
    in["session_id"] = to_hex(s.sid);
    in["tx_key"] = to_hex(s.tx);
    in["rx_key"] = to_hex(s.rx);
    Json random = Json::array();
    for (const auto& c : s.random) {
        random.push_back(to_hex(c));
    }
    in["random"] = std::move(random);
    in["events"] = events_json(s.events);
    t["inputs"] = std::move(in);
    t["expected"] = {{"sent", std::move(sent_per_event)}, {"outcomes", std::move(outcomes)}};
    t["result"] = first_error ? "invalid" : "valid";
    if (first_error) {
        t["error"] = *first_error;
    }
    return t;
}

// ---- the section 9 peers and message builders

const SessionId kSid = counting_bytes<16>(0x01);
const ByteArray<32> kATx = counting_bytes<32>(0x01);  // responder A
const ByteArray<32> kARx = counting_bytes<32>(0x21);
const Challenge kCi = counting_bytes<32>(0xa0);
const Challenge kCr = counting_bytes<32>(0xc0);

Mac hmac(const ByteArray<32>& k, const Challenge& c) {
    return crypto::hmac_sha256(k, c);
}
Bytes req(std::uint64_t ts, SessionId sid = kSid, Challenge c = kCi) {
    return encode_frame(RehandshakeRequest{sid, c, ts});
}
Bytes resp(std::uint64_t ts, Mac mac = hmac(kATx, kCi), SessionId sid = kSid) {
    return encode_frame(RehandshakeResponse{sid, mac, kCr, ts});
}
Bytes comp(std::uint64_t ts, Mac mac = hmac(kARx, kCr), SessionId sid = kSid) {
    return encode_frame(RehandshakeComplete{sid, mac, ts});
}
SessionId flipped_sid() {
    SessionId s = kSid;
    s[15] ^= 0x01;
    return s;
}
Bytes heartbeat() {
    return encode_frame(OtherMsg{MessageType::heartbeat, {}});
}

// The §9 HKDF inputs (master from kem 33..33 and ecdh 44..44, client 11..11, relay 22..22): the
// keys of a client and a relay keyed the deployed way, and the pair the document's derivation gives
// (the same on both ends, §4.1).
struct KeySchedules {
    SessionKeys code_client;
    SessionKeys code_relay;
    SessionKeys document;
};
KeySchedules key_schedules() {
    ByteArray<32> kem{};
    ByteArray<32> ecdh{};
    NodeId client{};
    NodeId relay{};
    kem.fill(0x33);
    ecdh.fill(0x44);
    client.fill(0x11);
    relay.fill(0x22);
    const auto code = master_secret_code(kem, ecdh);
    return {session_keys_code(code, kSid, client, relay), session_keys_code(code, kSid, relay, client),
            session_keys_document(master_secret_document(kem, ecdh), kSid, client, relay)};
}
Scenario with_keys(Scenario s, const SessionKeys& k) {
    s.tx = k.tx.array();
    s.rx = k.rx.array();
    return s;
}

Scenario initiator(std::string comment, std::vector<std::string> flags, std::vector<Event> after_open) {
    Scenario s{std::move(comment), std::move(flags), kSid, kARx, kATx, {kCi}, {}};
    s.events.push_back({0, kT1, "open", {}});
    s.events.insert(s.events.end(), after_open.begin(), after_open.end());
    return s;
}
Scenario responder(std::string comment, std::vector<std::string> flags, std::vector<Event> after_open,
                   std::size_t connections = 1) {
    // Connection 0 opens at T1; further connections open with their own "open" event.
    Scenario s{std::move(comment), std::move(flags), kSid, kATx, kARx, std::vector<Challenge>(connections, kCr), {}};
    s.events.push_back({0, kT1, "open", {}});
    s.events.insert(s.events.end(), after_open.begin(), after_open.end());
    return s;
}
Event bin(std::uint64_t at, Bytes w, std::size_t conn = 0) {
    return {conn, at, "binary", std::move(w)};
}

// The codec mutations of X10-X16 applied to a frame.
struct Mutation {
    std::string name;
    std::vector<std::string> flags;
    bool dropped_by_upstream;  // upstream: decode fails, message dropped, connection kept
    Bytes (*apply)(const Bytes&);
};
Bytes with_length(const Bytes& w, std::uint32_t len) {
    Bytes out = w;
    out[4] = static_cast<std::uint8_t>(len >> 24);
    out[5] = static_cast<std::uint8_t>(len >> 16);
    out[6] = static_cast<std::uint8_t>(len >> 8);
    out[7] = static_cast<std::uint8_t>(len);
    return out;
}
std::uint32_t length_of(const Bytes& w) {
    return static_cast<std::uint32_t>(w.size() - kHeaderSize);
}
const std::vector<Mutation>& mutations() {
    static const std::vector<Mutation> kMutations = {
        {"X10: Length + 1 with one extra byte",
         {"LongerLength"},
         false,
         [](const Bytes& w) {
             Bytes o = with_length(w, length_of(w) + 1);
             o.push_back(0xee);
             return o;
         }},
        {"X11: Length - 1, one byte short",
         {"ShorterLength"},
         true,
         [](const Bytes& w) {
             Bytes o = with_length(w, length_of(w) - 1);
             o.pop_back();
             return o;
         }},
        {"X12: ten trailing bytes",
         {"TrailingBytes"},
         false,
         [](const Bytes& w) {
             Bytes o = w;
             o.insert(o.end(), 10, 0x5a);
             return o;
         }},
        {"X13: Length 65536", {"Oversize"}, true, [](const Bytes& w) { return with_length(w, 65536); }},
        {"X14: version 2",
         {"WrongVersion"},
         true,
         [](const Bytes& w) {
             Bytes o = w;
             o[0] = 0x02;
             return o;
         }},
        {"X15: flags 0x0001",
         {"NonZeroFlags"},
         false,
         [](const Bytes& w) {
             Bytes o = w;
             o[3] = 0x01;
             return o;
         }},
        {"X15: flags 0xffff",
         {"NonZeroFlags"},
         false,
         [](const Bytes& w) {
             Bytes o = w;
             o[2] = 0xff;
             o[3] = 0xff;
             return o;
         }},
        {"X16: type 0x33",
         {"UnknownType"},
         true,
         [](const Bytes& w) {
             Bytes o = w;
             o[1] = 0x33;
             return o;
         }},
        {"X16: type 0x11 (MULTI_HOP, no codec)",
         {"UnknownType"},
         true,
         [](const Bytes& w) {
             Bytes o = w;
             o[1] = 0x11;
             return o;
         }},
        {"X16: type 0x20 (CONFIG_UPDATE, no codec)",
         {"UnknownType"},
         true,
         [](const Bytes& w) {
             Bytes o = w;
             o[1] = 0x20;
             return o;
         }},
        {"truncated inside the payload",
         {"Truncated"},
         true,
         [](const Bytes& w) { return Bytes(w.begin(), w.begin() + 30); }},
    };
    return kMutations;
}

// Single-bit flips, one or two per field, of a frame the reference receives (docs/protocols/
// shadowmesh.md §8). Fields are named from the layouts of §2 and §3.
struct Flip {
    std::size_t byte;
    std::uint8_t bit;
};
std::string field_at(std::uint8_t type, std::size_t byte) {
    if (byte < kHeaderSize) {
        return byte == 0 ? "Version" : byte == 1 ? "Type" : byte < 4 ? "Flags" : "Length";
    }
    const std::size_t o = byte - kHeaderSize;
    if (o < 16) {
        return "SessionID";
    }
    if (type == 0x30) {
        return o < 48 ? "Challenge" : "Timestamp";
    }
    if (type == 0x31) {
        return o < 48 ? "ChallengeResponse" : o < 80 ? "Challenge" : "Timestamp";
    }
    return o < 48 ? "ChallengeResponse" : "Timestamp";
}
Bytes flipped(const Bytes& w, Flip f) {
    Bytes o = w;
    o[f.byte] ^= static_cast<std::uint8_t>(1U << f.bit);
    return o;
}
// The flipped frame, then (when the deployed decoder would drop it) the genuine one, so that an
// upstream machine's outcome shows whether the connection survived.
std::vector<Event> flip_events(const Bytes& genuine, Flip f, std::uint64_t at) {
    std::vector<Event> ev{bin(at, flipped(genuine, f))};
    if (!decode_frame(flipped(genuine, f), Profile::upstream).ok()) {
        ev.push_back(bin(at + 1, genuine));
    }
    return ev;
}
std::string flip_name(const std::string& message, const Bytes& genuine, Flip f) {
    return "bit flip: " + message + " byte " + std::to_string(f.byte) + " bit " + std::to_string(f.bit) + " (" +
           field_at(genuine[1], f.byte) + ")";
}
const std::vector<Flip> kHeaderFlips = {{0, 0}, {1, 0}, {2, 7}, {3, 0}, {4, 0}, {7, 0}};

std::vector<Scenario> initiator_scenarios() {
    std::vector<Scenario> v;
    const std::uint64_t at = kT1 + 2;  // RESPONSE arrives; COMPLETE is stamped T1+2
    v.push_back(initiator("X1: section 9 exchange", {"KnownAnswer"}, {bin(at, resp(kT1 + 1))}));
    v.push_back(initiator("HEARTBEAT after DONE is tunnel traffic", {"Valid"},
                          {bin(at, resp(kT1 + 1)), bin(at + 1, heartbeat())}));
    v.push_back(initiator("X2: RESPONSE SessionID off by one bit", {"WrongSession"},
                          {bin(at, resp(kT1 + 1, hmac(kATx, kCi), flipped_sid()))}));
    v.push_back(initiator("X3: RESPONSE stamped now - 30001", {"StaleTimestamp"}, {bin(at, resp(at - 30001))}));
    v.push_back(initiator("X3: RESPONSE stamped now + 30001", {"FutureTimestamp"}, {bin(at, resp(at + 30001))}));
    v.push_back(initiator("X3: RESPONSE stamped now - 29999", {"EdgeCaseValid"}, {bin(at, resp(at - 29999))}));
    v.push_back(initiator("X3: RESPONSE stamped now + 29999", {"EdgeCaseValid"}, {bin(at, resp(at + 29999))}));
    v.push_back(initiator("X4: RESPONSE stamped 0", {"StaleTimestamp"}, {bin(at, resp(0))}));
    v.push_back(initiator("X4: RESPONSE stamped 2^64 - 1", {"FutureTimestamp"}, {bin(at, resp(UINT64_MAX))}));
    v.push_back(initiator("X5: RESPONSE stamped in seconds", {"StaleTimestamp"}, {bin(at, resp((kT1 + 1) / 1000))}));
    v.push_back(
        initiator("X5: RESPONSE stamped in nanoseconds", {"FutureTimestamp"}, {bin(at, resp((kT1 + 1) * 1000000))}));
    {
        Mac m = hmac(kATx, kCi);
        m[0] ^= 0x01;
        v.push_back(
            initiator("X6: ChallengeResponse with its first bit flipped", {"BadMac"}, {bin(at, resp(kT1 + 1, m))}));
        m = hmac(kATx, kCi);
        std::fill(m.begin() + 16, m.end(), 0);
        v.push_back(initiator("X6: only the first 16 bytes of the ChallengeResponse correct", {"BadMac"},
                              {bin(at, resp(kT1 + 1, m))}));
    }
    v.push_back(initiator("X7: RESPONSE MACed with RX_R instead of TX_R", {"BadMac"},
                          {bin(at, resp(kT1 + 1, hmac(kARx, kCi)))}));
    v.push_back(initiator("X7: RESPONSE MACed over sid || c_I", {"BadMac"},
                          {bin(at, resp(kT1 + 1, crypto::hmac_sha256(kATx, {ByteView(kSid), ByteView(kCi)})))}));
    for (const auto& mu : mutations()) {
        std::vector<Event> ev{bin(at, mu.apply(resp(kT1 + 1)))};
        if (mu.dropped_by_upstream) {
            ev.push_back(bin(at + 1, resp(kT1 + 1)));
        }
        v.push_back(initiator(mu.name + " on RESPONSE" + (mu.dropped_by_upstream ? ", then the genuine RESPONSE" : ""),
                              mu.flags, ev));
    }
    v.push_back(initiator("X17: HEARTBEAT while waiting for RESPONSE", {"OutOfOrder"}, {bin(at, heartbeat())}));
    v.push_back(initiator("X17: REQUEST sent to the initiator (reflection)", {"OutOfOrder"}, {bin(at, req(kT1))}));
    v.push_back(initiator("X17: COMPLETE sent to the initiator", {"OutOfOrder"}, {bin(at, comp(kT1 + 1))}));
    v.push_back(initiator("X18: RESPONSE in a text message, then in a binary one", {"TextMessage"},
                          {{0, at, "text", resp(kT1 + 1)}, bin(at + 1, resp(kT1 + 1))}));
    v.push_back(initiator("X19: silence for 5.001 s in I1", {"Deadline"}, {{0, kT1 + 5001, "idle_timeout", {}}}));
    v.push_back(initiator("X19: RESPONSE 5.001 s after REQUEST", {"Deadline"}, {bin(kT1 + 5001, resp(kT1 + 5000))}));
    v.push_back(
        initiator("X19: RESPONSE exactly 5 s after REQUEST", {"EdgeCaseValid"}, {bin(kT1 + 5000, resp(kT1 + 4999))}));
    v.push_back(initiator("X20: the same RESPONSE again after DONE", {"AfterDone"},
                          {bin(at, resp(kT1 + 1)), bin(at + 1, resp(kT1 + 1))}));
    {
        // A responder whose keys come from its own relay session: TX_R != RX_I.
        const Secret<32> master(counting_bytes<32>(0x40));
        NodeId peer{};
        NodeId relay{};
        peer.fill(0xaa);
        relay.fill(0x22);
        const auto other = session_keys_code(master, kSid, peer, relay);
        v.push_back(initiator("X22: responder keyed by an independent relay session", {"MismatchedKeys"},
                              {bin(at, resp(kT1 + 1, hmac(other.tx.array(), kCi)))}));
    }
    {
        // A client keyed the deployed way; the responder keyed the document's way MACs with its tx.
        const auto k = key_schedules();
        v.push_back(
            with_keys(initiator("responder keyed by the document's key schedule, initiator by the deployed one",
                                {"DocumentKeySchedule"}, {bin(at, resp(kT1 + 1, hmac(k.document.tx.array(), kCi)))}),
                      k.code_client));
    }
    {
        const Bytes genuine = resp(kT1 + 1);
        std::vector<Flip> flips = kHeaderFlips;
        flips.insert(flips.end(), {{8, 0}, {23, 7}, {24, 0}, {55, 7}, {56, 0}, {87, 7}, {88, 7}, {93, 0}, {95, 0}});
        for (const Flip f : flips) {
            v.push_back(initiator(flip_name("RESPONSE", genuine, f), {"BitFlip"}, flip_events(genuine, f, at)));
        }
    }
    v.push_back(initiator("CLOSE while waiting for RESPONSE", {"PeerClose"},
                          {bin(at, encode_frame(CloseMsg{kCloseNormal, {}}))}));
    v.push_back(initiator("ERROR while waiting for RESPONSE", {"PeerClose"},
                          {bin(at, encode_frame(ErrorMsg{0x0004, Bytes{'t'}}))}));
    v.push_back(initiator("transport closed while waiting for RESPONSE", {"PeerClose"}, {{0, at, "peer_closed", {}}}));
    return v;
}

std::vector<Scenario> responder_scenarios() {
    std::vector<Scenario> v;
    const std::uint64_t rq = kT1 + 1;    // REQUEST arrives; RESPONSE stamped T1+1
    const std::uint64_t cp = kT1 + 500;  // COMPLETE arrives
    const auto honest = [&](std::vector<Event> tail) {
        std::vector<Event> ev{bin(rq, req(kT1))};
        ev.insert(ev.end(), tail.begin(), tail.end());
        return ev;
    };
    v.push_back(responder("X1: section 9 exchange", {"KnownAnswer"}, honest({bin(cp, comp(kT1 + 2))})));
    v.push_back(responder("X2: REQUEST for a session ID the responder does not hold (one bit off)", {"WrongSession"},
                          {bin(rq, req(kT1, flipped_sid()))}));
    v.push_back(responder("COMPLETE with a SessionID one bit off", {"WrongSession"},
                          honest({bin(cp, comp(kT1 + 2, hmac(kARx, kCr), flipped_sid()))})));
    v.push_back(responder("X3: REQUEST stamped now - 30001", {"StaleTimestamp"}, {bin(rq, req(rq - 30001))}));
    v.push_back(responder("X3: REQUEST stamped now + 30001", {"FutureTimestamp"}, {bin(rq, req(rq + 30001))}));
    v.push_back(responder("X3: REQUEST stamped now - 29999", {"EdgeCaseValid"},
                          {bin(rq, req(rq - 29999)), bin(cp, comp(kT1 + 2))}));
    v.push_back(responder("X3: REQUEST stamped now + 29999", {"EdgeCaseValid"},
                          {bin(rq, req(rq + 29999)), bin(cp, comp(kT1 + 2))}));
    v.push_back(responder("X3: COMPLETE stamped now - 30001", {"StaleTimestamp"}, honest({bin(cp, comp(cp - 30001))})));
    v.push_back(
        responder("X3: COMPLETE stamped now + 30001", {"FutureTimestamp"}, honest({bin(cp, comp(cp + 30001))})));
    v.push_back(responder("X4: REQUEST stamped 0", {"StaleTimestamp"}, {bin(rq, req(0))}));
    v.push_back(responder("X4: REQUEST stamped 2^64 - 1", {"FutureTimestamp"}, {bin(rq, req(UINT64_MAX))}));
    v.push_back(responder("X5: REQUEST stamped in seconds", {"StaleTimestamp"}, {bin(rq, req(kT1 / 1000))}));
    v.push_back(responder("X5: REQUEST stamped in nanoseconds", {"FutureTimestamp"}, {bin(rq, req(kT1 * 1000000))}));
    {
        Mac m = hmac(kARx, kCr);
        m[31] ^= 0x80;
        v.push_back(responder("X6: COMPLETE ChallengeResponse with its last bit flipped", {"BadMac"},
                              honest({bin(cp, comp(kT1 + 2, m))})));
        m = hmac(kARx, kCr);
        std::fill(m.begin() + 16, m.end(), 0);
        v.push_back(responder("X6: only the first 16 bytes of the COMPLETE ChallengeResponse correct", {"BadMac"},
                              honest({bin(cp, comp(kT1 + 2, m))})));
    }
    v.push_back(responder("X8: COMPLETE MACed over c_I instead of c_R", {"BadMac"},
                          honest({bin(cp, comp(kT1 + 2, hmac(kARx, kCi)))})));
    v.push_back(responder("X8: COMPLETE MACed with TX_R (the field comment's RX_I), 13f615f0...",
                          {"BadMac", "KnownAnswer"}, honest({bin(cp, comp(kT1 + 2, hmac(kATx, kCr)))})));
    v.push_back(responder(
        "X9: recorded REQUEST replayed on a second connection 10 s later", {"Replay"},
        {bin(rq, req(kT1)), bin(cp, comp(kT1 + 2)), {1, kT1 + 10000, "open", {}}, bin(kT1 + 10000, req(kT1), 1)}, 2));
    v.push_back(responder("the same REQUEST on two connections at once", {"Replay"},
                          {{1, kT1, "open", {}}, bin(rq, req(kT1)), bin(rq, req(kT1), 1), bin(cp, comp(kT1 + 2))}, 2));
    v.push_back(responder(
        "REQUEST replayed 30.002 s later: outside the window, stale", {"StaleTimestamp"},
        {bin(rq, req(kT1)), bin(cp, comp(kT1 + 2)), {1, kT1 + 30002, "open", {}}, bin(kT1 + 30002, req(kT1), 1)}, 2));
    for (const auto& mu : mutations()) {
        std::vector<Event> ev{bin(rq, mu.apply(req(kT1)))};
        if (mu.dropped_by_upstream) {
            ev.push_back(bin(rq + 1, req(kT1)));
        }
        ev.push_back(bin(cp, comp(kT1 + 2)));
        v.push_back(responder(mu.name + " on REQUEST" + (mu.dropped_by_upstream ? ", then the genuine REQUEST" : ""),
                              mu.flags, ev));
    }
    v.push_back(responder("X17: COMPLETE before REQUEST", {"OutOfOrder"}, {bin(rq, comp(kT1 + 2))}));
    v.push_back(responder("X17: RESPONSE sent to the responder", {"OutOfOrder"}, {bin(rq, resp(kT1 + 1))}));
    v.push_back(responder("X17: HEARTBEAT in the middle", {"OutOfOrder"}, honest({bin(cp, heartbeat())})));
    v.push_back(responder("two re-handshakes interleaved: a second REQUEST while waiting for COMPLETE", {"OutOfOrder"},
                          honest({bin(cp, req(kT1 + 2, kSid, kCr))})));
    v.push_back(responder("the same REQUEST twice on one connection", {"OutOfOrder", "Replay"},
                          honest({bin(rq + 1, req(kT1))})));
    v.push_back(responder("X18: REQUEST in a text message, then in a binary one", {"TextMessage"},
                          {{0, rq, "text", req(kT1)}, bin(rq + 1, req(kT1)), bin(cp, comp(kT1 + 2))}));
    v.push_back(
        responder("X19: silence for 5.001 s in R1", {"Deadline"}, honest({{0, rq + 5001, "idle_timeout", {}}})));
    v.push_back(
        responder("X19: COMPLETE 5.001 s after RESPONSE", {"Deadline"}, honest({bin(rq + 5001, comp(kT1 + 2))})));
    v.push_back(responder("X19: COMPLETE exactly 5 s after RESPONSE", {"EdgeCaseValid"},
                          honest({bin(rq + 5000, comp(kT1 + 2))})));
    v.push_back(responder("silence for 5.001 s in R0", {"Deadline"}, {{0, kT1 + 5001, "idle_timeout", {}}}));
    v.push_back(responder("X20: second COMPLETE after DONE", {"AfterDone"},
                          honest({bin(cp, comp(kT1 + 2)), bin(cp + 1, comp(kT1 + 2))})));
    {
        const Secret<32> master(counting_bytes<32>(0x60));
        NodeId peer{};
        NodeId relay{};
        peer.fill(0xbb);
        relay.fill(0x22);
        const auto other = session_keys_code(master, kSid, peer, relay);
        v.push_back(responder("X22: initiator keyed by an independent relay session", {"MismatchedKeys"},
                              honest({bin(cp, comp(kT1 + 2, hmac(other.tx.array(), kCr)))})));
    }
    {
        // The relay end keyed the deployed way; the initiator keyed the document's way MACs with its tx.
        const auto k = key_schedules();
        v.push_back(with_keys(
            responder("initiator keyed by the document's key schedule, responder by the deployed one",
                      {"DocumentKeySchedule"}, honest({bin(cp, comp(kT1 + 2, hmac(k.document.tx.array(), kCr)))})),
            k.code_relay));
    }
    {
        const Bytes genuine_req = req(kT1);
        std::vector<Flip> flips = kHeaderFlips;
        flips.insert(flips.end(), {{8, 0}, {24, 0}, {56, 7}, {63, 0}});
        for (const Flip f : flips) {
            std::vector<Event> ev = flip_events(genuine_req, f, rq);
            v.push_back(responder(flip_name("REQUEST", genuine_req, f), {"BitFlip"}, ev));
        }
        const Bytes genuine_comp = comp(kT1 + 2);
        flips = kHeaderFlips;
        flips.insert(flips.end(), {{8, 0}, {23, 7}, {24, 0}, {55, 7}, {56, 7}, {61, 0}, {63, 0}});
        for (const Flip f : flips) {
            v.push_back(responder(flip_name("COMPLETE", genuine_comp, f), {"BitFlip"},
                                  honest(flip_events(genuine_comp, f, cp))));
        }
    }
    v.push_back(responder("CLOSE in the middle", {"PeerClose"},
                          honest({bin(cp, encode_frame(CloseMsg{kCloseProtocolViolation, {}}))})));
    v.push_back(responder("transport closed before COMPLETE", {"PeerClose"}, honest({{0, cp, "peer_closed", {}}})));
    return v;
}

Json notes_json() {
    Json notes = Json::object();
    const auto note = [&notes](const char* name, const char* bug, const char* desc, const char* effect) {
        notes[name] = {{"bugType", bug}, {"description", desc}, {"effect", effect}};
    };
    note("KnownAnswer", "BASIC", "The section 9 exchange (or a value of it).",
         "Both sides reach DONE with these exact frames.");
    note("Valid", "BASIC", "An honest exchange with further traffic.", "DONE.");
    note("EdgeCaseValid", "EDGE_CASE",
         "At an edge that must still pass: skew 29,999 ms, a message exactly 5 s into a state.", "Must be accepted.");
    note("WrongSession", "AUTHENTICATION", "A SessionID other than the one provisioned (V7, X2).",
         "Abort; no RESPONSE.");
    note("StaleTimestamp", "CLOCK_SKEW", "Timestamp more than 30,000 ms before the verifier's clock (V8, X3-X5).",
         "Abort.");
    note("FutureTimestamp", "CLOCK_SKEW", "Timestamp more than 30,000 ms after the verifier's clock (V8, X3-X5).",
         "Abort.");
    note("BadMac", "AUTHENTICATION", "A ChallengeResponse that is not HMAC(peer TX, our challenge) (V9, X6-X8).",
         "Abort; the initiator sends no COMPLETE.");
    note("Replay", "REPLAY", "A REQUEST challenge already answered within the skew window (V11, X9).",
         "strict aborts (challenge cache shared by the connections of a test); upstream answers.");
    note("LongerLength", "DECODING", "X10.", "strict aborts; upstream reads the fields and ignores the extra byte.");
    note("ShorterLength", "DECODING", "X11.", "strict aborts; upstream drops the message and keeps the connection.");
    note("TrailingBytes", "DECODING", "X12.", "strict aborts; upstream ignores them.");
    note("Oversize", "DECODING", "X13.", "strict aborts; upstream drops the message.");
    note("WrongVersion", "DECODING", "X14.", "strict aborts; upstream drops the message.");
    note("NonZeroFlags", "MALLEABILITY", "X15.", "strict aborts; upstream ignores Flags.");
    note("UnknownType", "DECODING", "X16.", "strict aborts; upstream drops the message.");
    note("Truncated", "DECODING", "A message cut inside its payload.", "strict aborts; upstream drops it.");
    note("OutOfOrder", "STATE_MACHINE", "A decodable message the state does not accept (V6, X17).", "Abort.");
    note("TextMessage", "FRAMING", "A protocol message in a text WebSocket message (V12, X18).",
         "strict aborts; upstream skips it.");
    note("Deadline", "LIVENESS", "More than 5,000 ms in one state (V10, X19).", "Abort with timeout.");
    note("AfterDone", "STATE_MACHINE", "A re-handshake message after DONE (X20).",
         "Protocol violation: close (DONE stays reached).");
    note("MismatchedKeys", "CONFIGURATION", "Peers whose keys come from independent relay sessions (X22).",
         "Abort with bad_mac.");
    note("DocumentKeySchedule", "CONFIGURATION",
         "One peer keyed by the protocol document's key schedule, the other by the deployed code's (§4.1).",
         "Abort with bad_mac: a finding about the document, not a crash.");
    note("BitFlip", "INTEGRITY", "One bit flipped in a received frame, one or two positions per field.",
         "Every flip in a checked field ends the exchange (strict) or is dropped or rejected (upstream). Flips the "
         "protocol cannot see are accepted: low timestamp bits within the window, a REQUEST challenge or RESPONSE "
         "counter-challenge (not authenticated; the peer's next MAC check fails), and Flags under upstream.");
    note("PeerClose", "STATE_MACHINE", "The peer sends CLOSE or ERROR, or closes the transport, mid-exchange.",
         "The side gives up silently.");
    return notes;
}

Json group_of(Profile p, Role role, const std::vector<Scenario>& scenarios) {
    Json g = Json::object();
    g["type"] = "ShadowMeshRehandshake";
    g["profile"] = std::string(to_string(p));
    g["role"] = role == Role::initiator ? "initiator" : "responder";
    g["tests"] = Json::array();
    for (const auto& s : scenarios) {
        g["tests"].push_back(run(p, role, s));
    }
    return g;
}

template <std::size_t N>
ByteArray<N> arr_of(const Json& j, const std::string& path) {
    const Bytes b = shakedown::vectors::hex_value(j, path);
    if (b.size() != N) {
        throw VectorError(path + ": expected " + std::to_string(N) + " bytes");
    }
    ByteArray<N> out{};
    std::copy(b.begin(), b.end(), out.begin());
    return out;
}

}  // namespace

Json generate_transcript_file() {
    Json f =
        file_skeleton(kTranscriptSchema,
                      {"ShadowMesh re-handshake transcripts: one reference machine per test, per profile and role.",
                       "Events set the machine's clock (Unix ms) and deliver one peer action; expected.sent lists the "
                       "frames the reference sends at each event.",
                       "Keys are injected (tx_key, rx_key of the machine under test); random lists the challenge each "
                       "connection draws.",
                       "A test's connections share one challenge replay cache (strict only)."},
                      notes_json());
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        f["testGroups"].push_back(group_of(p, Role::initiator, initiator_scenarios()));
        f["testGroups"].push_back(group_of(p, Role::acceptor, responder_scenarios()));
    }
    number_tests(f);
    return f;
}

Json run_transcript_case(const Json& group, const Json& test, const Quirks& quirks) {
    if (group.at("type") != "ShadowMeshRehandshake") {
        throw VectorError("group.type: unknown");
    }
    const auto p = profile_from_string(group.at("profile").get<std::string>());
    if (!p) {
        throw VectorError("group.profile: unknown");
    }
    const std::string role_name = group.at("role").get<std::string>();
    if (role_name != "initiator" && role_name != "responder") {
        throw VectorError("group.role: unknown");
    }
    check_keys(test, {"tcId", "comment", "flags", "inputs", "expected", "result"}, {"error"}, "test");
    const Json& in = test.at("inputs");
    check_keys(in, {"session_id", "tx_key", "rx_key", "random", "events"}, {}, "test.inputs");
    Scenario s;
    s.comment = test.at("comment").get<std::string>();
    s.flags = test.at("flags").get<std::vector<std::string>>();
    s.sid = arr_of<16>(in.at("session_id"), "inputs.session_id");
    s.tx = arr_of<32>(in.at("tx_key"), "inputs.tx_key");
    s.rx = arr_of<32>(in.at("rx_key"), "inputs.rx_key");
    for (const auto& r : in.at("random")) {
        s.random.push_back(arr_of<32>(r, "inputs.random"));
    }
    for (const auto& e : in.at("events")) {
        check_keys(e, {"conn", "at", "op"}, {"wire"}, "test.inputs.events[]");
        Event ev;
        ev.conn = e.at("conn").get<std::size_t>();
        ev.at = shakedown::vectors::u64_value(e.at("at"), "inputs.events[].at");
        ev.op = e.at("op").get<std::string>();
        if (e.contains("wire")) {
            ev.wire = shakedown::vectors::hex_value(e.at("wire"), "inputs.events[].wire");
        }
        s.events.push_back(std::move(ev));
    }
    Json recomputed = run(*p, role_name == "initiator" ? Role::initiator : Role::acceptor, s, quirks);
    recomputed["tcId"] = test.at("tcId");
    return recomputed;
}

void check_transcript_case(const Json& group, const Json& test) {
    compare_json(test, run_transcript_case(group, test, {}), "test");
}

}  // namespace shakedown::shadowmesh::vectors
