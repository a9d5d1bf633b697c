#include "fuzz/sft/sft_fuzz.hpp"

#include "sft/message.hpp"

namespace shakedown::fuzz {

namespace {

template <std::size_t N>
ByteArray<N> hx(std::string_view h) {
    const auto b = from_hex(h);
    ByteArray<N> a{};
    std::copy(b->begin(), b->end(), a.begin());
    return a;
}

}  // namespace

const FixedKeys& fixed_keys() {
    static const FixedKeys k = [] {
        FixedKeys x;
        x.client_eph_secret = hx<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        x.server_eph_secret = hx<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        x.server_id_seed = hx<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        x.client_id_seed = hx<32>("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
        x.server_id = crypto::ed25519_from_seed(x.server_id_seed).public_key;
        x.client_id = crypto::ed25519_from_seed(x.client_id_seed).public_key;
        return x;
    }();
    return k;
}

const sft::RecordKey& kat_record_key() {
    // aes_key and key_id of the upstream-v2 known answers (docs/protocols/sft.md §10), taken as
    // given: deriving them would cost a PBKDF2 in every forked replay child.
    static const sft::RecordKey k = [] {
        sft::RecordKey r;
        r.profile = sft::Profile::upstream_v2;
        r.aes_key = Secret<32>(hx<32>("a4970d6179306f1f31f7b4769255860a16e3da9f2bd94e6a9d60ea33fd11a706"));
        const std::string_view id = "c5e4e713869f6f26";
        std::copy(id.begin(), id.end(), r.key_id.begin());
        return r;
    }();
    return k;
}

namespace {
ByteArray<32> seed_of(std::uint8_t v) {
    ByteArray<32> s{};
    s.fill(v);
    return s;
}
}  // namespace

MachineHarness::MachineHarness(Role role, sft::Profile profile)
    : m_clock(1767225600), m_profile(profile), m_role(role) {
    const FixedKeys& k = fixed_keys();
    sft::Config cfg;
    cfg.role = role;
    cfg.profile = profile;
    cfg.store = &m_store;
    cfg.deriver = &m_deriver;
    m_store.put("f.bin", Bytes(5000, 0x42));
    if (role == Role::acceptor) {
        cfg.identity_seed = k.server_id_seed;
        if (profile == sft::Profile::described) {
            cfg.peer_identity = k.client_id;
        }
    } else {
        cfg.identity_seed = k.client_id_seed;
        cfg.peer_identity = k.server_id;
    }
    m_machine_rng = std::make_unique<FirstThenStream>(
        role == Role::acceptor ? k.server_eph_secret : k.client_eph_secret, seed_of(0x33));
    m_machine = std::make_unique<sft::Endpoint>(cfg, *m_machine_rng, m_clock);
    m_machine->start();
    check_outputs();
}

void MachineHarness::establish() {
    // The peer: a reference machine of the other role, same fixed keys.
    const FixedKeys& k = fixed_keys();
    sft::Config cfg;
    cfg.role = other(m_role);
    cfg.profile = m_profile;
    cfg.deriver = &m_deriver;
    if (cfg.role == Role::acceptor) {
        cfg.identity_seed = k.server_id_seed;
        if (m_profile == sft::Profile::described) {
            cfg.peer_identity = k.client_id;
        }
    } else {
        cfg.identity_seed = k.client_id_seed;
        cfg.peer_identity = k.server_id;
    }
    FirstThenStream peer_rng(cfg.role == Role::acceptor ? k.server_eph_secret : k.client_eph_secret, seed_of(0x44));
    sft::Endpoint peer(cfg, peer_rng, m_clock);
    peer.start();
    // The machine's first output was taken by check_outputs(); replay its handshake units.
    for (const auto& u : m_pending_for_peer) {
        peer.receive(u);
    }
    m_pending_for_peer.clear();
    for (int round = 0; round < 4 && !m_machine->closure(); ++round) {
        for (const auto& u : peer.take_output()) {
            feed(u);
        }
        for (const auto& u : m_pending_for_peer) {
            peer.receive(u);
        }
        m_pending_for_peer.clear();
    }
    FUZZ_CHECK(m_machine->authenticated());
    FUZZ_CHECK(peer.authenticated());
    // The peer's record nonces continue from its stream: seal() uses a separate counter stream.
}

void MachineHarness::feed(ByteView bytes) {
    m_machine->receive(bytes);
    check_outputs();
}

Bytes MachineHarness::seal(sft::PayloadType type, std::uint64_t offset, ByteView plaintext) {
    const auto& keys = m_machine->keys();
    if (!keys) {
        return {};
    }
    sft::RecordKey rk{m_profile, keys->aes_key, keys->key_id};
    ByteArray<12> nonce{};
    nonce[0] = 0xfe;
    for (std::size_t i = 0; i < 8; ++i) {
        nonce[4 + i] = static_cast<std::uint8_t>(m_peer_nonce >> (8 * i));
    }
    ++m_peer_nonce;
    return sft::seal_record(rk, type, offset, nonce, plaintext);
}

void MachineHarness::check_outputs() {
    const bool closed_before = m_was_closed;
    auto units = m_machine->take_output();
    const auto closure = m_machine->closure();
    if (closed_before) {
        FUZZ_CHECK(units.empty());  // nothing after close
    }
    if (closure) {
        FUZZ_CHECK(closure->by_peer || closure->failure.code != Error::peer_error);
        m_was_closed = true;
    }
    if (m_was_authenticated) {
        FUZZ_CHECK(m_machine->authenticated());
    }
    for (auto& u : units) {
        FUZZ_CHECK(!u.empty());
        // The first units are the handshake messages this role sends (H1/H3, H2/H4, D1 or D2);
        // each has its fixed size.
        if (m_handshake_units < (m_profile == sft::Profile::upstream_v2 ? 2U : 1U)) {
            const bool up = m_profile == sft::Profile::upstream_v2;
            const std::size_t first = up ? (m_role == Role::initiator ? sft::kH1Len : sft::kH2Len)
                                          : (m_role == Role::initiator ? sft::kD2Len : sft::kD1Len);
            FUZZ_CHECK(u.size() == (m_handshake_units == 0 ? first : sft::kConfirmLen));
            ++m_handshake_units;
            m_pending_for_peer.push_back(u);
            continue;
        }
        // A record under the session key: it opens, and JSON seq counts 0, 1, 2, ...
        const auto& keys = *m_machine->keys();
        sft::RecordKey rk{m_profile, keys.aes_key, keys.key_id};
        auto rec = sft::open_record(rk, u);
        FUZZ_CHECK(rec.ok());
        if (rec->type == sft::PayloadType::json) {
            auto m = sft::parse_message(rec->plaintext);
            FUZZ_CHECK(m.ok());
            FUZZ_CHECK(m->seq == m_seen_seq + 1);
            FUZZ_CHECK(sft::check_signature(*m, keys.hmac_key.view(), false).ok());
            FUZZ_CHECK(sft::check_payload(m->type, m->payload).ok());
            m_seen_seq = m->seq;
        }
        m_pending_for_peer.push_back(std::move(u));
    }
    if (m_machine->authenticated()) {
        m_was_authenticated = true;
    }
    // Bounded buffering: at most one record (header + 10 MiB) waits, plus one header's worth.
    FUZZ_CHECK(m_machine->pending_bytes() <= sft::kHeaderLen + sft::kMaxPacketSize + sft::kHeaderLen ||
               m_machine->state() != sft::State::established);
}

Result<Secret<64>> FastDeriver::derive(ByteView shared_secret, ByteView salt) {
    const auto a = crypto::hmac_sha256(salt, shared_secret);
    const auto b = crypto::hmac_sha256(salt, {shared_secret, ByteView(a)});
    ByteArray<64> out{};
    std::copy(a.begin(), a.end(), out.begin());
    std::copy(b.begin(), b.end(), out.begin() + 32);
    return Secret<64>(out);
}

int run_machine_target(Role role, sft::Profile profile, ByteView in) {
    InputCursor cur(in);
    const std::uint8_t mode = cur.u8();
    MachineHarness h(role, profile);
    if ((mode & 1) == 0) {
        // Raw stream in chunks whose sizes the input chooses.
        while (!cur.empty() && !h.machine().closure()) {
            const std::size_t n = 1 + cur.u8();
            h.feed(cur.bytes(n));
        }
        return 0;
    }
    h.establish();
    if (role == Role::initiator && (mode & 2) != 0) {
        (void)h.machine().download("f.bin");
        h.check_outputs();
    }
    while (!cur.empty() && !h.machine().closure()) {
        const std::uint8_t op = cur.u8();
        const std::size_t len = cur.u16be() % 2048;
        const ByteView body = cur.bytes(len);
        switch (op % 5) {
            case 0: h.feed(body); break;
            case 1: h.feed(h.seal(sft::PayloadType::json, 0, body)); break;
            case 2: h.feed(h.seal(sft::PayloadType::data, (op / 5) * std::uint64_t{4096}, body)); break;
            case 3: h.advance(op / 5); break;
            default: {
                // A message the fuzzer wrote, signed with the session's HMAC key as the peer would,
                // so mutations reach the seq, timestamp and transfer rules behind J5.
                auto m = sft::parse_message(body, sft::EnvelopeOptions{true});
                if (m && h.machine().keys()) {
                    sft::sign(*m, h.machine().keys()->hmac_key.view());
                    const std::string text = sft::wire_json(*m);
                    h.feed(h.seal(sft::PayloadType::json, 0, as_bytes(text)));
                } else {
                    h.feed(h.seal(sft::PayloadType::json, 0, body));
                }
                break;
            }
        }
    }
    return 0;
}

}  // namespace shakedown::fuzz
