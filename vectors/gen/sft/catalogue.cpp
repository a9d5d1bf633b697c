#include "vectors/gen/sft/catalogue.hpp"

#include <fstream>
#include <set>

#include "vectors/gen/json_strict.hpp"

namespace shakedown::sft::vectors {

namespace {

using json::Value;

template <std::size_t N>
ByteArray<N> hx(std::string_view h) {
    const auto b = from_hex(h);
    ByteArray<N> a{};
    if (b && b->size() == N) {
        std::copy(b->begin(), b->end(), a.begin());
    }
    return a;
}

ByteArray<12> nonce(std::uint8_t k) {
    ByteArray<12> n{};
    n.fill(0xa5);
    n[11] = k;
    return n;
}

SessionKeys keys_for(Profile p) {
    const KnownKeys& k = known_keys();
    auto ss = shared_secret(Secret<32>(k.client_eph_secret), k.server_eph);
    auto keys = derive_session_keys(p, *ss, k.server_eph, k.client_eph, CachingDeriver::shared());
    return std::move(*keys);
}

// The first record index (after the handshake) in an honest run.
std::size_t hs(Profile p) { return p == Profile::upstream_v2 ? 4 : 2; }

Message msg(MsgType t, Value payload, std::int64_t seq, std::string ts = "2026-01-01T00:00:00") {
    Message m;
    m.type = t;
    m.payload = std::move(payload);
    m.seq = seq;
    m.timestamp = std::move(ts);
    return m;
}

std::string signed_text(Profile p, Message m) {
    const SessionKeys k = keys_for(p);
    sign(m, k.hmac_key.view());
    return wire_json(m);
}

Mutation forge_json(std::size_t at, std::string text, std::uint8_t n) {
    Mutation m;
    m.message = at;
    m.op = MutationOp::forge_json;
    m.text = std::move(text);
    m.nonce = nonce(n);
    return m;
}

Mutation simple(std::size_t at, MutationOp op, std::uint64_t arg = 0, Bytes bytes = {}) {
    Mutation m;
    m.message = at;
    m.op = op;
    m.arg = arg;
    m.bytes = std::move(bytes);
    return m;
}

Expectation fails(Role r, Error e, std::size_t at, std::string sent = {}) {
    Expectation x;
    x.failing = r;
    x.error = e;
    x.at_message = at;
    x.sent = std::move(sent);
    return x;
}

Expectation passes(bool both_auth = true) {
    Expectation x;
    x.both_authenticated = both_auth;
    return x;
}

CatalogueCase make(std::string id, std::string comment, std::vector<std::string> flags, TranscriptInputs in,
                   Expectation e) {
    return CatalogueCase{std::move(id), std::move(comment), std::move(flags), std::move(in), std::move(e)};
}

Bytes sample_file(std::size_t n, std::uint8_t salt) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = static_cast<std::uint8_t>((i * 31 + salt) & 0xff);
    }
    return b;
}

}  // namespace

const KnownKeys& known_keys() {
    static const KnownKeys k = [] {
        KnownKeys x;
        x.client_eph_secret = hx<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        x.client_eph = hx<32>("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        x.server_eph_secret = hx<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        x.server_eph = hx<32>("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        x.server_id_seed = hx<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        x.server_id = hx<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        x.client_id_seed = hx<32>("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
        x.client_id = hx<32>("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        x.attacker_id_seed = hx<32>("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7");
        return x;
    }();
    return k;
}

TranscriptInputs honest_inputs(Profile p) {
    const KnownKeys& k = known_keys();
    TranscriptInputs in;
    in.profile = p;
    in.client.eph_secret = k.client_eph_secret;
    in.server.eph_secret = k.server_eph_secret;
    in.server.identity_seed = k.server_id_seed;
    in.client.nonce_seed.fill(0xc1);
    in.server.nonce_seed.fill(0x5e);
    if (p == Profile::described) {
        in.client.identity_seed = k.client_id_seed;
        in.client.peer_identity = k.server_id;
        in.server.peer_identity = k.client_id;
    }
    in.client.now = kNow;
    in.server.now = kNow;
    return in;
}

std::vector<CatalogueCase> catalogue(Profile p, const std::vector<ByteArray<32>>& zero_keys) {
    const KnownKeys& k = known_keys();
    const bool up = p == Profile::upstream_v2;
    const std::size_t r0 = hs(p);  // first client record
    const auto server_id = crypto::ed25519_from_seed(k.server_id_seed);
    const auto client_id = crypto::ed25519_from_seed(k.client_id_seed);
    const auto attacker = crypto::ed25519_from_seed(k.attacker_id_seed);
    const std::size_t client_hello = up ? 0 : 1;  // H1 / D2
    const std::size_t server_hello = up ? 1 : 0;  // H2 / D1
    std::vector<CatalogueCase> out;

    // Honest runs.
    {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}};
        out.push_back(make("honest", "handshake and one ping", {"Valid"}, in, passes()));
    }
    {
        auto in = honest_inputs(p);
        in.client.files["report.bin"] = sample_file(10000, 7);
        in.server.files["notes.txt"] = sample_file(5000, 3);
        const Bytes notes = sample_file(5000, 3);
        in.client.files["notes.txt"] = Bytes(notes.begin(), notes.begin() + 1500);
        in.steps = {{"list", ""}, {"upload", "report.bin"}, {"download", "notes.txt"}, {"list", ""}};
        Expectation e = passes();
        e.client_event = TransferEvent{"download", "notes.txt", true, ""};
        out.push_back(make("transfer", "list, upload, download resuming a 1,500-byte partial file, list", {"Valid"},
                           in, e));
    }

    // A1: the 14 zero-shared-secret keys, as client_eph and as server_eph.
    for (std::size_t i = 0; i < zero_keys.size(); ++i) {
        const auto& z = zero_keys[i];
        {
            auto in = honest_inputs(p);
            Bytes wire;
            if (up) {
                wire = serialize(H1{z});
            } else {
                wire = serialize(D2{z, crypto::ed25519_sign(client_id, signed_transcript(p, z, k.server_eph, k.server_id))});
            }
            in.mutations.push_back(simple(client_hello, MutationOp::replace, 0, wire));
            out.push_back(make("A1", "zero-shared-secret key #" + std::to_string(i + 1) + " as client_eph",
                               {"LowOrderKey"}, in, fails(Role::acceptor, Error::weak_key, client_hello)));
        }
        {
            auto in = honest_inputs(p);
            Bytes wire;
            if (up) {
                wire = serialize(H2{z, k.server_id, crypto::ed25519_sign(server_id, signed_transcript(p, k.client_eph, z, {}))});
            } else {
                wire = serialize(D1{z, k.server_id});
            }
            in.mutations.push_back(simple(server_hello, MutationOp::replace, 0, wire));
            out.push_back(make("A1", "zero-shared-secret key #" + std::to_string(i + 1) + " as server_eph",
                               {"LowOrderKey"}, in, fails(Role::initiator, Error::weak_key, server_hello)));
        }
    }

    // A2: bit 255 set on a valid key is masked: the receiver accepts the key.
    {
        auto b = k.server_eph;
        b[31] |= 0x80;
        auto in = honest_inputs(p);
        if (up) {
            const Bytes wire = serialize(H2{b, k.server_id, crypto::ed25519_sign(server_id, signed_transcript(p, k.client_eph, b, {}))});
            in.mutations.push_back(simple(server_hello, MutationOp::replace, 0, wire));
            out.push_back(make("A2", "server_eph with bit 255 set, re-signed: same shared secret, accepted",
                               {"NonCanonicalKey"}, in, passes()));
        } else {
            in.mutations.push_back(simple(server_hello, MutationOp::replace, 0, serialize(D1{b, k.server_id})));
            // The client accepts the key and signs what it saw; the server's transcript differs.
            out.push_back(make("A2", "server_eph with bit 255 set: client accepts it, the signed transcript differs",
                               {"NonCanonicalKey"}, in, fails(Role::acceptor, Error::bad_signature, 1)));
        }
    }

    // A3/A4: handshake length prefixes (upstream-v2), fixed sizes (described).
    if (up) {
        for (const std::uint32_t len : {31U, 33U, 0U, 0xffffffffU}) {
            auto in = honest_inputs(p);
            Bytes wire = {static_cast<std::uint8_t>(len >> 24), static_cast<std::uint8_t>(len >> 16),
                          static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
            const Bytes key(std::min<std::uint32_t>(len, 33), 0x42);
            wire.insert(wire.end(), key.begin(), key.end());
            in.mutations.push_back(simple(0, MutationOp::replace, 0, wire));
            out.push_back(make(len == 0xffffffffU ? "A4" : "A3", "H1 prefix " + std::to_string(len), {"BadLength"}, in,
                               fails(Role::acceptor, Error::bad_length, 0)));
        }
        auto in = honest_inputs(p);
        in.mutations.push_back(simple(1, MutationOp::patch, 0, {0xff, 0xff, 0xff, 0xff}));
        out.push_back(make("A4", "H2 first prefix FFFFFFFF", {"BadLength"}, in, fails(Role::initiator, Error::bad_length, 1)));
    } else {
        auto in = honest_inputs(p);
        in.mutations.push_back(simple(0, MutationOp::append, 0, {0x00}));
        // 65 bytes where 64 are due: the extra byte is read as the start of the first record.
        Expectation e = passes(false);
        e.failing = std::nullopt;
        out.push_back(make("A3", "D1 with one extra byte: the client waits for a record that never completes",
                           {"BadLength"}, in, e));
    }

    // A5: the overall handshake deadline.
    {
        auto in = honest_inputs(p);
        Mutation m = simple(client_hello == 0 ? 2 : 1, MutationOp::set_clock, kNow + 31);
        in.mutations.push_back(m);
        out.push_back(make("A5", "the server's clock passes 30 s before the client's last handshake message",
                           {"Deadline"}, in, fails(Role::acceptor, Error::timeout, m.message)));
    }

    // A6: bad signature.
    if (up) {
        auto in = honest_inputs(p);
        in.mutations.push_back(simple(1, MutationOp::flip_bit, (76 + 10) * 8 + 3));
        out.push_back(make("A6", "H2 signature with one bit flipped", {"BadSignature"}, in,
                           fails(Role::initiator, Error::bad_signature, 1)));
        auto in2 = honest_inputs(p);
        const Bytes wire = serialize(H2{k.server_eph, k.server_id,
                                        crypto::ed25519_sign(server_id, concat({k.server_eph, k.client_eph}))});
        in2.mutations.push_back(simple(1, MutationOp::replace, 0, wire));
        out.push_back(make("A6", "H2 signed over server_eph||client_eph", {"BadSignature"}, in2,
                           fails(Role::initiator, Error::bad_signature, 1)));
    } else {
        auto in = honest_inputs(p);
        in.mutations.push_back(simple(1, MutationOp::flip_bit, (32 + 5) * 8));
        out.push_back(make("A6", "D2 signature with one bit flipped", {"BadSignature"}, in,
                           fails(Role::acceptor, Error::bad_signature, 1)));
    }

    // A7: a man in the middle's own identity, validly signed.
    {
        auto in = honest_inputs(p);
        Bytes wire;
        if (up) {
            in.client.peer_identity = k.server_id;
            wire = serialize(H2{k.server_eph, attacker.public_key,
                                crypto::ed25519_sign(attacker, signed_transcript(p, k.client_eph, k.server_eph, {}))});
        } else {
            wire = serialize(D1{k.server_eph, attacker.public_key});
        }
        in.mutations.push_back(simple(server_hello, MutationOp::replace, 0, wire));
        out.push_back(make("A7", "server_id is an attacker's key (client pins the real one)", {"Mitm"}, in,
                           fails(Role::initiator, Error::untrusted_identity, server_hello)));
    }

    // A8: Ed25519 S >= L (S + L of a valid signature).
    {
        static const ByteArray<32> kL = hx<32>("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        auto in = honest_inputs(p);
        ByteArray<64> sig{};
        if (up) {
            sig = crypto::ed25519_sign(server_id, signed_transcript(p, k.client_eph, k.server_eph, {}));
        } else {
            sig = crypto::ed25519_sign(client_id, signed_transcript(p, k.client_eph, k.server_eph, k.server_id));
        }
        unsigned carry = 0;
        for (std::size_t i = 0; i < 32; ++i) {
            const unsigned s = sig[32 + i] + kL[i] + carry;
            sig[32 + i] = static_cast<std::uint8_t>(s & 0xff);
            carry = s >> 8;
        }
        const Bytes wire = up ? serialize(H2{k.server_eph, k.server_id, sig}) : serialize(D2{k.client_eph, sig});
        in.mutations.push_back(simple(up ? 1 : 1, MutationOp::replace, 0, wire));
        out.push_back(make("A8", "signature with S + L (non-canonical S)", {"BadSignature"}, in,
                           fails(up ? Role::initiator : Role::acceptor, Error::bad_signature, 1)));
    }

    if (up) {
        const SessionKeys keys = keys_for(p);
        // A9: bad confirmation.
        {
            auto in = honest_inputs(p);
            auto sealed = crypto::aes_gcm_seal(keys.aes_key.view(), nonce(9), {}, as_bytes("AUTH_NO"));
            Confirm c;
            c.nonce = nonce(9);
            std::copy_n(sealed->begin(), 7, c.ciphertext.begin());
            std::copy_n(sealed->begin() + 7, 16, c.tag.begin());
            in.mutations.push_back(simple(2, MutationOp::replace, 0, serialize(c)));
            out.push_back(make("A9", "H3 decrypts to AUTH_NO", {"BadConfirmation"}, in,
                               fails(Role::acceptor, Error::unexpected_message, 2)));
            auto in2 = honest_inputs(p);
            in2.mutations.push_back(simple(2, MutationOp::flip_bit, (16 + 3) * 8));
            out.push_back(make("A9", "H3 tag with one bit flipped", {"BadConfirmation"}, in2,
                               fails(Role::acceptor, Error::bad_mac, 2)));
            for (const std::uint8_t len : {std::uint8_t{34}, std::uint8_t{36}}) {
                auto in3 = honest_inputs(p);
                Bytes wire = {0, 0, 0, len};
                wire.resize(4 + len, 0x11);
                in3.mutations.push_back(simple(2, MutationOp::replace, 0, wire));
                out.push_back(make("A9", "H3 of " + std::to_string(len) + " bytes", {"BadConfirmation"}, in3,
                                   fails(Role::acceptor, Error::bad_length, 2)));
            }
        }
        // A10: the client's own H3 reflected as H4.
        {
            auto in = honest_inputs(p);
            in.mutations.push_back(simple(2, MutationOp::reflect));
            out.push_back(make("A10", "H3 reflected back to the client as H4", {"Reflection"}, in,
                               fails(Role::initiator, Error::replay, 2)));
        }
    }

    // Record layer, on the first client record (a ping).
    auto record_case = [&](std::string id, std::string comment, std::vector<std::string> flags, Mutation m, Error e,
                           Role failing = Role::acceptor) {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}};
        in.mutations.push_back(std::move(m));
        out.push_back(make(std::move(id), std::move(comment), std::move(flags), in, fails(failing, e, m.message)));
    };
    record_case("A11", "magic SFTX", {"RecordHeader"}, simple(r0, MutationOp::patch, 3, {'X'}), Error::decode_error);
    record_case("A12", "payload_len 10,485,761", {"RecordHeader"},
                simple(r0, MutationOp::patch, 17, {0x00, 0xa0, 0x00, 0x01}), Error::oversize);
    record_case("A12", "payload_len 0", {"RecordHeader"}, simple(r0, MutationOp::patch, 17, {0, 0, 0, 0}),
                Error::bad_length);
    record_case("A13", "record version 3", {"RecordHeader"}, simple(r0, MutationOp::patch, 4, {0, 0, 0, 3}),
                Error::wrong_version);
    record_case("A14", "unknown key_id", {"RecordHeader"}, simple(r0, MutationOp::patch, 21, {up ? std::uint8_t{'0'} : std::uint8_t{0}}),
                Error::bad_credentials);
    if (up) {
        record_case("A14", "key_id not UTF-8", {"RecordHeader"}, simple(r0, MutationOp::patch, 21, {0xff}),
                    Error::decode_error);
    }
    for (const std::uint64_t bit : {std::uint64_t{8 * 8 + 7}, std::uint64_t{9 * 8 + 63}, std::uint64_t{37 * 8 + 1},
                                    std::uint64_t{49 * 8 + 2}, std::uint64_t{65 * 8 + 4}, std::uint64_t{100 * 8}}) {
        record_case("A15", "bit " + std::to_string(bit) + " flipped", {"Tampering"}, simple(r0, MutationOp::flip_bit, bit),
                    Error::bad_mac);
    }
    {
        Mutation m = simple(r0, MutationOp::forge_type, 3, Bytes{'{', '}'});
        m.nonce = nonce(16);
        record_case("A16", "payload_type 3 with a valid tag", {"RecordHeader"}, m, Error::unknown_type);
    }
    // A17: exact replay.
    {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}};
        in.mutations.push_back(simple(r0, MutationOp::duplicate));
        Expectation e = fails(Role::acceptor, Error::replay, r0);
        e.answers_after = 1;  // the pong to the first copy
        out.push_back(make("A17", "the same JSON record twice", {"Replay"}, in, e));
    }
    // A18: seq.
    auto second_ping = [&](std::string id, std::string comment, std::string text, Error e) {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}, {"ping", ""}};
        in.mutations.push_back(forge_json(r0 + 2, std::move(text), 18));
        out.push_back(make(std::move(id), std::move(comment), {"Sequence"}, in, fails(Role::acceptor, e, r0 + 2)));
    };
    const Value empty = Value::make_object({});
    second_ping("A18", "duplicate seq 0 (other content)", signed_text(p, msg(MsgType::list_files_request, empty, 0)),
                Error::replay);
    second_ping("A18", "jump of +101 (seq 101 after 0)", signed_text(p, msg(MsgType::ping, empty, 101)),
                Error::bad_sequence);
    {
        Message m = msg(MsgType::ping, empty, 1);
        m.seq_is_float = true;
        second_ping("A18", "seq 1.0", signed_text(p, m), Error::bad_sequence);
    }
    {
        std::string t = signed_text(p, msg(MsgType::ping, empty, 1));
        t.replace(t.find("\"seq\": 1"), 8, "\"seq\": true");
        second_ping("A18", "seq true", t, Error::decode_error);
    }
    auto first_record = [&](std::string id, std::string comment, std::vector<std::string> flags, std::string text,
                            std::optional<Error> e) {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}};
        in.mutations.push_back(forge_json(r0, std::move(text), 19));
        out.push_back(make(std::move(id), std::move(comment), std::move(flags), in,
                           e ? fails(Role::acceptor, *e, r0) : passes()));
    };
    first_record("A18", "first seq 100", {"Sequence"}, signed_text(p, msg(MsgType::ping, empty, 100)), Error::bad_sequence);
    first_record("A18", "first seq 99 (within the jump)", {"Sequence"}, signed_text(p, msg(MsgType::ping, empty, 99)),
                 std::nullopt);
    // A19/A20: HMAC.
    first_record("A19", "no signature field", {"Hmac"}, wire_json(msg(MsgType::ping, empty, 0)), Error::bad_mac);
    {
        Message m = msg(MsgType::ping, empty, 0);
        m.signature = std::string(64, 'a');
        first_record("A20", "wrong HMAC", {"Hmac"}, wire_json(m), Error::bad_mac);
        m.signature = std::string(63, 'a') + "g";
        first_record("A20", "non-hex HMAC", {"Hmac"}, wire_json(m), Error::decode_error);
    }
    // A21: timestamps against the server clock (2026-01-01T00:00:00).
    first_record("A21", "301 s in the past", {"Timestamp"},
                 signed_text(p, msg(MsgType::ping, empty, 0, "2025-12-31T23:54:59")), Error::stale_timestamp);
    first_record("A21", "301 s in the future", {"Timestamp"},
                 signed_text(p, msg(MsgType::ping, empty, 0, "2026-01-01T00:05:01")), Error::future_timestamp);
    first_record("A21", "exactly 300 s in the past", {"Timestamp"},
                 signed_text(p, msg(MsgType::ping, empty, 0, "2025-12-31T23:55:00")), std::nullopt);
    first_record("A21", "exactly 300 s in the future, with microseconds .000000", {"Timestamp"},
                 signed_text(p, msg(MsgType::ping, empty, 0, "2026-01-01T00:05:00.000000")), std::nullopt);
    first_record("A21", "zone Z", {"Timestamp"}, signed_text(p, msg(MsgType::ping, empty, 0, "2026-01-01T00:00:00Z")),
                 Error::decode_error);
    first_record("A21", "zone +00:00", {"Timestamp"},
                 signed_text(p, msg(MsgType::ping, empty, 0, "2026-01-01T00:00:00+00:00")), Error::decode_error);
    // A22: flood.
    {
        auto in = honest_inputs(p);
        for (int i = 0; i < 101; ++i) {
            in.steps.push_back({"ping", ""});
        }
        out.push_back(make("A22", "101 JSON records within 60 s", {"Flood"}, in,
                           fails(Role::acceptor, Error::rate_limited, r0 + 200)));
    }
    // A23: schema.
    {
        std::string t = signed_text(p, msg(MsgType::ping, empty, 0));
        const auto at = t.find(", \"seq\": 0");
        first_record("A23", "seq missing", {"Schema"}, t.substr(0, at) + t.substr(at + 10), Error::decode_error);
        std::string u = signed_text(p, msg(MsgType::ping, empty, 0));
        u.replace(u.find("\"ping\""), 6, "\"pingx\"");
        first_record("A23", "unknown type", {"Schema"}, u, Error::unknown_type);
        std::string v = signed_text(p, msg(MsgType::ping, empty, 0));
        v.replace(v.find("\"payload\": {}"), 13, "\"payload\": []");
        first_record("A23", "payload is a list", {"Schema"}, v, Error::decode_error);
    }
    // Transfers: upload of a 5,000-byte file: r0 file_header, r0+1 resume_ack, r0+2 DATA(4096),
    // r0+3 DATA(904), r0+4 file_complete, r0+5 file_ack.
    auto upload_case = [&](std::string id, std::string comment, std::vector<std::string> flags, Mutation m,
                           Expectation e) {
        auto in = honest_inputs(p);
        in.client.files["up.bin"] = sample_file(5000, 1);
        in.steps = {{"upload", "up.bin"}};
        in.mutations.push_back(std::move(m));
        out.push_back(make(std::move(id), std::move(comment), std::move(flags), in, std::move(e)));
    };
    upload_case("A24", "the first DATA record twice", {"Replay"}, simple(r0 + 2, MutationOp::duplicate),
                fails(Role::acceptor, Error::replay, r0 + 2));
    {
        Mutation m = simple(r0 + 3, MutationOp::forge_data, 4096, Bytes(2000, 0x33));
        m.nonce = nonce(25);
        upload_case("A25", "DATA at 4096 of 2000 bytes: past total_size 5000", {"DataBounds"}, m,
                    fails(Role::acceptor, Error::oversize, r0 + 3));
        Mutation m2 = simple(r0 + 3, MutationOp::forge_data, 1ULL << 63, Bytes(904, 0x33));
        m2.nonce = nonce(26);
        upload_case("A25", "DATA at offset 2^63", {"DataBounds"}, m2, fails(Role::acceptor, Error::bad_sequence, r0 + 3));
    }
    {
        FileHeader h{"up.bin", 5000, std::string(64, '0'), "2026-01-01T00:00:00Z"};
        Expectation e = passes();
        e.client_event = TransferEvent{"upload", "up.bin", false, "Hash mismatch on server"};
        upload_case("hash-mismatch", "file_header with the wrong hash: file_ack error, file deleted", {"Transfer"},
                    forge_json(r0, signed_text(p, msg(MsgType::file_header, to_json(h), 0)), 30), e);
    }
    // A26: the client's own record reflected back to it.
    {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}};
        in.mutations.push_back(simple(r0, MutationOp::reflect));
        out.push_back(make("A26", "the client's ping reflected back to the client", {"Reflection"}, in,
                           fails(Role::initiator, Error::replay, r0)));
    }
    // A27: oversize file.
    {
        FileHeader h{"big.bin", static_cast<std::int64_t>(kMaxFileSize + 1), std::string(64, '0'), "2026-01-01T00:00:00Z"};
        first_record("A27", "file_header total_size 10 GiB + 1", {"Transfer"},
                     signed_text(p, msg(MsgType::file_header, to_json(h), 0)), Error::oversize);
        out.back().expect.sent = "file_ack error: File too large";
    }
    // A28 and other names: refused, the connection stays open.
    for (const std::string& name : {std::string("../x"), std::string("/etc/passwd"), std::string("a\0b", 3),
                                   std::string("missing.txt")}) {
        auto in = honest_inputs(p);
        in.server.files["x"] = sample_file(10, 2);
        in.steps = {{"download", name}, {"ping", ""}};
        Expectation e = passes();
        e.client_event = TransferEvent{"download", name, false, "File not found or access denied"};
        out.push_back(make("A28", "download_file_request for " + json::quote(name), {"PathTraversal"}, in, e));
    }
    return out;
}

std::vector<CatalogueCase> knob_cases(Profile p) {
    const KnownKeys& k = known_keys();
    const bool up = p == Profile::upstream_v2;
    const std::size_t r0 = hs(p);
    std::vector<CatalogueCase> out;
    const Value empty = Value::make_object({});
    auto knob = [&](std::string name, std::string comment, TranscriptInputs in, bool client_side, Expectation e) {
        (client_side ? in.client : in.server).knobs.push_back(name);
        out.push_back(make(name, std::move(comment), {"Knob"}, std::move(in), std::move(e)));
    };
    {
        auto in = honest_inputs(p);
        const auto attacker = crypto::ed25519_from_seed(k.attacker_id_seed);
        Bytes wire;
        if (up) {
            in.client.peer_identity = k.server_id;
            wire = serialize(H2{k.server_eph, attacker.public_key,
                                crypto::ed25519_sign(attacker, signed_transcript(p, k.client_eph, k.server_eph, {}))});
        } else {
            wire = serialize(D1{k.server_eph, attacker.public_key});
        }
        in.mutations.push_back(simple(up ? 1 : 0, MutationOp::replace, 0, wire));
        // upstream-v2: the client goes on and the session completes (only the id was swapped);
        // described: the client goes on and signs what it saw, which the real server refuses.
        knob("no-identity-check", "attacker's server_id accepted by the client", in, true,
             up ? passes() : fails(Role::acceptor, Error::bad_signature, 1));
    }
    {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}};
        in.mutations.push_back(forge_json(r0, wire_json(msg(MsgType::ping, empty, 0)), 40));
        knob("hmac-optional", "ping without signature accepted", in, false, passes());
    }
    if (up) {
        auto in = honest_inputs(p);
        in.mutations.push_back(simple(2, MutationOp::reflect));
        // The client "completes" against itself; the server never saw H3 and waits.
        Expectation e;
        knob("accept-reflected-confirmation", "own H3 accepted as H4", in, true, e);
    }
    {
        auto in = honest_inputs(p);
        in.client.files["up.bin"] = sample_file(5000, 1);
        in.steps = {{"upload", "up.bin"}};
        in.mutations.push_back(simple(r0 + 2, MutationOp::duplicate));
        // Past the nonce check, the strict offset rule still refuses the repeated chunk.
        knob("accept-data-replay", "first DATA twice: passes the nonce check, fails the offset rule", in, false,
             fails(Role::acceptor, Error::bad_sequence, r0 + 2));
        in.server.knobs = {"no-data-bounds"};
        // Both defects: the chunk is written again at its own offset; the file stays correct.
        knob("accept-data-replay", "first DATA twice, with no-data-bounds: rewritten in place", in, false, passes());
    }
    {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}, {"ping", ""}};
        Message m = msg(MsgType::ping, empty, 1);
        m.seq_is_float = true;
        in.mutations.push_back(forge_json(r0 + 2, signed_text(p, m), 41));
        knob("accept-float-seq", "seq 1.0 accepted", in, false, passes());
    }
    if (up) {
        auto in = honest_inputs(p);
        in.mutations.push_back(simple(0, MutationOp::replace, 0, {0, 0, 0, 33, 1, 2, 3}));
        // Waits for 33 bytes instead of refusing the prefix.
        knob("accept-any-length-prefix", "H1 prefix 33 buffered", in, false, Expectation{});
    }
    {
        auto in = honest_inputs(p);
        in.mutations.push_back(simple(up ? 2 : 1, MutationOp::set_clock, kNow + 31));
        knob("no-handshake-deadline", "handshake completes after 31 s", in, false, passes());
    }
    {
        auto in = honest_inputs(p);
        in.steps = {{"ping", ""}};
        in.mutations.push_back(simple(r0, MutationOp::reflect));
        knob("accept-reflected-record", "own ping accepted back", in, true, passes());
    }
    {
        auto in = honest_inputs(p);
        in.client.files["up.bin"] = sample_file(5000, 1);
        in.steps = {{"upload", "up.bin"}};
        Mutation m = simple(r0 + 3, MutationOp::forge_data, 8192, Bytes(904, 0x33));
        m.nonce = nonce(42);
        in.mutations.push_back(m);
        // Written where it says: the bytes differ from the file, so the hash check catches it.
        Expectation e = passes();
        e.client_event = TransferEvent{"upload", "up.bin", false, "Hash mismatch on server"};
        knob("no-data-bounds", "DATA accepted at its own offset", in, false, e);
    }
    return out;
}

std::vector<ByteArray<32>> load_zero_keys(const std::string& wycheproof_dir) {
    const auto j = shakedown::vectors::read_json_file(wycheproof_dir + "/x25519_test.json");
    std::vector<ByteArray<32>> out;
    std::set<ByteArray<32>> seen;
    for (const auto& g : j.at("testGroups")) {
        for (const auto& t : g.at("tests")) {
            if (t.at("shared").get<std::string>() != std::string(64, '0')) {
                continue;
            }
            const auto b = from_hex(t.at("public").get<std::string>());
            ByteArray<32> a{};
            std::copy(b->begin(), b->end(), a.begin());
            if (seen.insert(a).second) {
                out.push_back(a);
            }
        }
    }
    return out;
}

}  // namespace shakedown::sft::vectors
