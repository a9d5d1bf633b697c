#include "conformance/scenarios/stellar/catalogue.hpp"

#include <array>
#include <thread>

#include "common/writer.hpp"
#include "conformance/scenarios/stellar/engine.hpp"
#include "vectors/gen/wycheproof.hpp"

namespace shakedown::conformance::stellar_scenarios {

using ss::ErrorCode;
using ss::MessageType;
using ss::Role;

namespace {

// ------------------------------------------------------------------ the scenario type

struct CaseSpec {
    std::string name;  // "<class>.<case>"; the id is "<target role>.<name>"
    std::string title;
    Role target = Role::acceptor;
    Stage stage = Stage::start;
    Tweaks tweaks;
    Stimulus stimulus;  // empty: the target must complete the handshake
    Reaction reaction;
    Acceptance acceptance;
    std::vector<Category> grades;
    std::string rule;
    bool single_process = false;
    bool completes_first = false;  // the stimulus itself completes a handshake before misbehaving
    std::function<ScenarioOutcome(Driver&, const CaseSpec&)> custom;
};

class StellarScenario final : public Scenario {
public:
    StellarScenario(CaseSpec spec, std::shared_ptr<Env> env) : m_spec(std::move(spec)), m_env(std::move(env)) {
        m_info.id = std::string(to_string(m_spec.target)) + "." + m_spec.name;
        m_info.title = m_spec.title;
        m_info.cls = m_spec.name.substr(0, m_spec.name.find('.'));
        m_info.target_role = m_spec.target == Role::acceptor ? PeerRole::acceptor : PeerRole::initiator;
        m_info.rule = m_spec.rule;
        m_info.needs_single_process = m_spec.single_process;
    }
    [[nodiscard]] const ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] ScenarioOutcome run(ScenarioContext& ctx) const override {
        Driver d(ctx, *m_env, m_spec.target, m_spec.grades);
        if (m_spec.custom) {
            return m_spec.custom(d, m_spec);
        }
        Conn* c = d.connect();
        if (c == nullptr) {
            return d.open_failure();
        }
        bool completed = false;
        if (!m_spec.stimulus) {
            if (auto f = play_honest(*c, Stage::established, m_spec.tweaks, completed)) {
                return d.conclude(m_spec.acceptance.on_reject,
                                  "refused a handshake stellar-core completes: " + *f +
                                      (m_spec.acceptance.core.empty() ? "" : "; " + m_spec.acceptance.core),
                                  completed);
            }
            return d.conclude(Verdict::pass, "handshake completed, as with stellar-core", true);
        }
        if (auto f = play_honest(*c, m_spec.stage, m_spec.tweaks, completed)) {
            return d.conclude(Verdict::fail, "broke off the honest part of the handshake: " + *f, completed);
        }
        if (m_spec.stage != Stage::established && !m_spec.completes_first) {
            d.must_not_complete(*c);
        }
        (void)m_spec.stimulus(*c);
        const Judgement j = evaluate(*c, m_spec.stage, m_spec.reaction);
        return d.conclude(j.verdict, j.reason, completed);
    }

private:
    CaseSpec m_spec;
    std::shared_ptr<Env> m_env;
    ScenarioInfo m_info;
};

// ------------------------------------------------------------------ building blocks

const std::string kOtherNetwork = "Public Global Stellar Network ; September 2015";

Stimulus hello_edit(std::function<void(Conn&, ss::Hello&)> edit, bool resign = true) {
    return [edit = std::move(edit), resign](Conn& c) {
        ss::Hello h = c.honest_hello();
        edit(c, h);
        if (resign) {
            c.sign(h);
        }
        return c.send_hello(h);
    };
}

Stimulus send_bytes(std::function<Bytes(Conn&)> make) {
    return [make = std::move(make)](Conn& c) { return c.send(make(c)); };
}

// Our honest HELLO record, then `mutate` on the framed bytes.
Stimulus hello_record_edit(std::function<void(Conn&, Bytes&)> mutate) {
    return [mutate = std::move(mutate)](Conn& c) {
        Bytes r = c.hello_record(c.honest_hello());
        mutate(c, r);
        return c.send(r);
    };
}

Bytes frame(Bytes xdr) { return ss::frame_record(xdr); }

Bytes envelope(std::uint32_t v, std::int32_t type, ByteView body) {
    Writer w;
    w.put_u32be(v);
    w.put_u64be(0);
    w.put_i32be(type);
    w.put_bytes(body);
    w.put_zeros(32);
    return std::move(w).take();
}

Bytes hello_xdr(Conn&, const ss::Hello& h) { return ss::serialize(ss::AuthenticatedMessage{0, h, {}}); }

void flip(Bytes& b, std::size_t byte, unsigned bit_from_msb) { b[byte] ^= static_cast<std::uint8_t>(0x80U >> bit_from_msb); }

// Byte offsets of HELLO fields in a framed honest HELLO record (4 mark, 4 v, 8 seq, 4 type).
struct HelloLayout {
    std::size_t ledger = 20, overlay = 24, min = 28, network = 32, vstr_len = 64, vstr = 68;
    std::size_t port, node_type, peer_id, cert_key, expiration, sig_len, sig, nonce, mac;
    explicit HelloLayout(const ss::Hello& h) {
        const std::size_t len = h.version_str.size();
        port = vstr + len + (4 - len % 4) % 4;
        node_type = port + 4;
        peer_id = node_type + 4;
        cert_key = peer_id + 32;
        expiration = cert_key + 32;
        sig_len = expiration + 8;
        sig = sig_len + 4;
        nonce = sig + h.cert.sig.size() + (4 - h.cert.sig.size() % 4) % 4;
        mac = nonce + 32;
    }
};

Stimulus hello_flip(std::function<std::size_t(const HelloLayout&)> where, unsigned bit) {
    return [where = std::move(where), bit](Conn& c) {
        const ss::Hello h = c.honest_hello();
        Bytes r = c.hello_record(h);
        flip(r, where(HelloLayout(h)), bit);
        return c.send(r);
    };
}

Stimulus auth(MacMode mode, std::optional<std::uint64_t> seq = std::nullopt, std::int32_t flags = 200) {
    return [mode, seq, flags](Conn& c) { return c.send(c.authenticated(ss::Auth{flags}, mode, seq)); };
}

// AUTH record then a mutation of its bytes (mark 0..3, v 4..7, seq 8..15, type 16..19, flags
// 20..23, MAC 24..55).
Stimulus auth_record_edit(std::function<void(Bytes&)> mutate) {
    return [mutate = std::move(mutate)](Conn& c) {
        Bytes r = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
        mutate(r);
        return c.send(r);
    };
}

// ------------------------------------------------------------------ reactions

Reaction drop(std::string core, bool probe) {
    Reaction r;
    r.core = "stellar-core: " + std::move(core);
    r.probe = probe;
    return r;
}

Reaction error(ErrorCode code, std::string core) {
    Reaction r;
    r.core_sends_error = true;
    r.code = code;
    r.core = "stellar-core: " + std::move(core);
    return r;
}

// HELLO validation failures after the cert check (stellar-core Peer::recvHello): the acceptor
// has already answered with its HELLO, then ERROR ERR_CONF.
Reaction config_error(Role target, const std::string& text) {
    Reaction r = error(ErrorCode::conf, "ERROR ERR_CONF '" + text + "'");
    if (target == Role::acceptor) {
        r.before = {MessageType::hello};
        r.probe = true;
    }
    return r;
}

// Certificate, signature and key failures: silent drop, before the acceptor answers.
Reaction cert_drop(const std::string& why) { return drop(why + ", silent drop", true); }

Reaction corrupt_xdr() { return error(ErrorCode::data, "ERROR ERR_DATA 'received corrupt XDR'"); }

Reaction auth_error(const std::string& text) { return error(ErrorCode::auth, "ERROR ERR_AUTH '" + text + "'"); }

Reaction framing_drop(const std::string& why) {
    Reaction r = drop(why + ": silent drop at the record mark", false);
    r.markers = std::vector<MessageType>{MessageType::hello, MessageType::auth};
    return r;
}

Acceptance must_accept(Verdict on_reject, std::string core) { return Acceptance{on_reject, "stellar-core: " + std::move(core)}; }

std::vector<std::size_t> bytewise(std::size_t n) { return std::vector<std::size_t>(n, 1); }


ByteArray<32> random_key() {
    ByteArray<32> k{};
    SystemRng().fill(k);
    return k;
}

// ------------------------------------------------------------------ multi-connection scenarios

// A running target removes a closed connection's node from its connected peers when it notices
// the close; give it that moment before the same node connects again.
void let_close_settle(Driver& d) {
    if (d.ctx().target().single_process()) {
        std::this_thread::sleep_for(d.ctx().scaled(Millis(100)));
    }
}

ScenarioOutcome honest_failure(Driver& d, const std::string& which, const std::string& f, bool completed) {
    return d.conclude(Verdict::fail, "broke off the honest handshake on " + which + ": " + f, completed);
}

// Connection 1 captures the acceptor's HELLO; connection 2 sends it back to it.
ScenarioOutcome self_reflected_acceptor(Driver& d, const CaseSpec&) {
    Conn* c1 = d.connect();
    if (c1 == nullptr) {
        return d.open_failure();
    }
    bool completed = false;
    if (auto f = play_honest(*c1, Stage::after_hello, {}, completed)) {
        return honest_failure(d, "connection 0", *f, completed);
    }
    const Bytes theirs = c1->their_hello_wire();
    c1->close();
    Conn* c2 = d.connect();
    if (c2 == nullptr) {
        return d.open_failure();
    }
    d.must_not_complete(*c2);
    (void)c2->send(theirs);
    const auto j = evaluate(*c2, Stage::start, config_error(Role::acceptor, "connecting to self"));
    return d.conclude(j.verdict, j.reason, false);
}

// Connection 1 completes; connection 2 replays connection 1's AUTH (or its HELLO and AUTH).
ScenarioOutcome cross_connection(Driver& d, bool whole_session) {
    Conn* c1 = d.connect();
    if (c1 == nullptr) {
        return d.open_failure();
    }
    bool completed = false;
    if (auto f = play_honest(*c1, Stage::established, {}, completed)) {
        return honest_failure(d, "connection 0", *f, completed);
    }
    const Bytes hello1 = c1->sent_hello_wire();
    const Bytes auth1 = c1->sent_auth_wire();
    c1->close();
    let_close_settle(d);
    Conn* c2 = d.connect();
    if (c2 == nullptr) {
        return d.open_failure();
    }
    d.must_not_complete(*c2);
    bool unused = false;
    Observation o;
    if (!whole_session) {
        if (auto f = play_honest(*c2, Stage::after_hello, {}, unused)) {
            return honest_failure(d, "connection 1", *f, completed);
        }
    } else if (d.target_role() == Role::acceptor) {
        (void)c2->send(hello1);
        const Deadline deadline = after(d.ctx().scaled(Millis(2000)));
        for (;;) {
            o = c2->next(deadline);
            if (o.kind != Observation::Kind::message || o.type == MessageType::hello ||
                o.type == MessageType::error_msg) {
                break;
            }
        }
        if (!o.is(MessageType::hello)) {
            // Stricter than stellar-core, which keeps no record of nonces it has seen.
            return d.conclude(Verdict::pass, "refused the replayed HELLO outright (" + describe(o) + ")", completed);
        }
    } else {
        const Deadline deadline = after(d.ctx().scaled(Millis(2000)));
        o = c2->next(deadline);
        if (!o.is(MessageType::hello)) {
            return honest_failure(d, "connection 1", "its first message was " + describe(o), completed);
        }
        (void)c2->send(hello1);
        for (;;) {
            o = c2->next(deadline);
            if (o.kind != Observation::Kind::message || o.type == MessageType::auth ||
                o.type == MessageType::error_msg) {
                break;
            }
        }
        if (!o.is(MessageType::auth)) {
            return d.conclude(Verdict::pass, "refused the replayed HELLO outright (" + describe(o) + ")", completed);
        }
    }
    (void)c2->send(auth1);
    const auto j = evaluate(*c2, Stage::after_hello,
                            auth_error("unexpected MAC' (MAC keys depend on both nonces, fresh per connection"));
    return d.conclude(j.verdict, j.reason, completed);
}

// Connection 1 stays authenticated; connection 2 comes from the same node.
ScenarioOutcome already_connected(Driver& d, const CaseSpec&) {
    Conn* c1 = d.connect();
    if (c1 == nullptr) {
        return d.open_failure();
    }
    bool completed = false;
    if (auto f = play_honest(*c1, Stage::established, {}, completed)) {
        return honest_failure(d, "connection 0", *f, completed);
    }
    Conn* c2 = d.connect();
    if (c2 == nullptr) {
        return d.open_failure();
    }
    d.must_not_complete(*c2);
    (void)c2->send_hello(c2->honest_hello());
    const auto j = evaluate(*c2, Stage::start, config_error(Role::acceptor, "already-connected peer"));
    return d.conclude(j.verdict, j.reason, completed);
}

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
        d.findings().add(Verdict::fail, Category::nonce, "the same nonce on two connections");
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

// ------------------------------------------------------------------ the catalogue

class Builder {
public:
    void add(CaseSpec c) { m_cases.push_back(std::move(c)); }
    // The same case for both roles.
    void both(const CaseSpec& c) {
        for (const Role r : {Role::acceptor, Role::initiator}) {
            CaseSpec x = c;
            x.target = r;
            add(std::move(x));
        }
    }
    // Both roles, with a role-dependent reaction.
    void both(CaseSpec c, const std::function<Reaction(Role)>& reaction) {
        for (const Role r : {Role::acceptor, Role::initiator}) {
            CaseSpec x = c;
            x.target = r;
            x.reaction = reaction(r);
            add(std::move(x));
        }
    }
    std::vector<CaseSpec> take() { return std::move(m_cases); }

private:
    std::vector<CaseSpec> m_cases;
};

CaseSpec accept_case(std::string name, std::string title, std::string rule, Acceptance a = {}) {
    CaseSpec spec;
    spec.name = std::move(name);
    spec.title = std::move(title);
    spec.rule = std::move(rule);
    spec.acceptance = std::move(a);
    return spec;
}

CaseSpec reject_case(std::string name, std::string title, std::string rule, Stage stage, Stimulus s) {
    CaseSpec spec;
    spec.name = std::move(name);
    spec.title = std::move(title);
    spec.rule = std::move(rule);
    spec.stage = stage;
    spec.stimulus = std::move(s);
    return spec;
}

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

void add_versions_and_addresses(Builder& b) {
    {
        auto spec = accept_case("version.newer-compatible", "HELLO overlay versions [41, 43]",
                             "stellar.md, Validation: compatible when remote max >= local min and remote min <= "
                             "local max");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.overlay_version = 43; };
        b.both(spec);
    }
    {
        auto spec = accept_case("version.oldest-compatible", "HELLO overlay versions [41, 41]",
                             "stellar.md, Validation: remote max 41 equals local min");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.overlay_version = 41; };
        b.both(spec);
    }
    const std::string rule = "stellar.md, Validation: overlayMinVersion > overlayVersion, remote version < local "
                             "min, remote min > local version -> ERROR ERR_CONF 'wrong protocol version'";
    struct V {
        const char* name;
        const char* title;
        std::uint32_t min;
        std::uint32_t max;
    };
    for (const V v : {V{"version.min-above-max", "HELLO overlay versions min 42 > max 41", 42, 41},
                      V{"version.too-old", "HELLO overlay versions [40, 40]", 40, 40},
                      V{"version.min-too-new", "HELLO overlay versions [43, 44]", 43, 44}}) {
        b.both(reject_case(v.name, v.title, rule, Stage::start, hello_edit([v](Conn&, ss::Hello& h) {
                               h.overlay_min_version = v.min;
                               h.overlay_version = v.max;
                           })),
               [](Role r) { return config_error(r, "wrong protocol version"); });
    }
    const std::string port_rule = "stellar.md, Validation: listeningPort <= 0 or > 65535 -> ERROR ERR_CONF 'bad address'";
    struct P {
        const char* name;
        std::int32_t port;
    };
    for (const P p : {P{"address.port-zero", 0}, P{"address.port-negative", -1}, P{"address.port-65536", 65536}}) {
        b.both(reject_case(p.name, "HELLO listeningPort " + std::to_string(p.port), port_rule, Stage::start,
                           hello_edit([p](Conn&, ss::Hello& h) { h.listening_port = p.port; })),
               [](Role r) { return config_error(r, "bad address"); });
    }
}

void add_network_and_self(Builder& b) {
    b.both(reject_case("network.wrong-id",
                       "HELLO networkID of another network, AuthCert signed for the target's network",
                       "stellar.md, Validation: networkID differs -> ERROR ERR_CONF 'wrong network passphrase'",
                       Stage::start,
                       hello_edit([](Conn&, ss::Hello& h) { h.network_id = ss::network_id(kOtherNetwork); })),
           [](Role r) { return config_error(r, "wrong network passphrase"); });
    {
        auto spec = reject_case("network.other-network-peer", "a peer of another network: networkID and AuthCert both for it",
                             "stellar.md, Cryptography: the cert is verified with the verifier's own networkID",
                             Stage::start, [](Conn& c) {
                                 ss::Hello h = c.honest_hello();
                                 h.network_id = ss::network_id(kOtherNetwork);
                                 c.sign(h, kOtherNetwork);
                                 return c.send_hello(h);
                             });
        spec.reaction = cert_drop("the cert does not verify for its network");
        b.both(spec);
    }
    {
        auto spec = reject_case("self.reflected-hello", "its own HELLO sent back to it",
                             "stellar.md, Validation: peerID equals own -> ERROR ERR_CONF 'connecting to self'",
                             Stage::start, [](Conn& c) { return c.send(c.their_hello_wire()); });
        spec.target = Role::initiator;
        spec.reaction = config_error(Role::initiator, "connecting to self");
        b.add(spec);
    }
    {
        CaseSpec spec;
        spec.name = "self.reflected-hello";
        spec.title = "its HELLO from an earlier connection sent back to it";
        spec.rule = "stellar.md, Validation: peerID equals own -> ERROR ERR_CONF 'connecting to self'";
        spec.target = Role::acceptor;
        spec.custom = self_reflected_acceptor;
        b.add(spec);
    }
    {
        CaseSpec spec;
        spec.name = "session.already-connected";
        spec.title = "a second connection from a node already authenticated";
        spec.rule = "stellar.md, Validation: same peerID already connected -> ERROR ERR_CONF 'already-connected peer'";
        spec.target = Role::acceptor;
        spec.single_process = true;
        spec.custom = already_connected;
        b.add(spec);
    }
}

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

void add_keys(Builder& b) {
    // Every Wycheproof x25519_test.json public key whose shared secret is zero, named by the
    // first Wycheproof case that uses it.
    for (const auto& p : vectors::x25519_low_order_keys(vectors::default_wycheproof_dir())) {
        const ByteArray<32> point = p.key;
        auto spec = reject_case("keys.low-order-wycheproof-tc" + std::to_string(p.tc_id),
                             "AuthCert key " + to_hex(point) + ", validly signed",
                             "stellar.md, Cryptography: an all-zero X25519 output is an error (libsodium "
                             "crypto_scalarmult returns -1); Validation: drop",
                             Stage::start, hello_edit([point](Conn&, ss::Hello& h) { h.cert.pubkey = point; }));
        spec.reaction = cert_drop("zero or low-order key");
        b.both(spec);
    }
}

void add_auth_checks(Builder& b) {
    const std::string flags_rule = "stellar.md, Validation: AUTH flags != 200 (including the old 100) -> ERROR "
                                   "ERR_CONF (acceptor has already sent AUTH and PEERS)";
    for (const std::int32_t f : {100, 0, 201, -1}) {
        const std::string name = f < 0 ? "flags.negative" : "flags." + std::to_string(f);
        b.both(reject_case(name, "AUTH flags " + std::to_string(f), flags_rule, Stage::after_hello,
                           auth(MacMode::good, std::nullopt, f)),
               [](Role r) {
                   Reaction x = error(ErrorCode::conf, "ERROR ERR_CONF (AUTH flags must be 200)");
                   if (r == Role::acceptor) {
                       x.before = {MessageType::auth, MessageType::peers};
                   }
                   return x;
               });
    }
    const std::string mac_rule = "stellar.md, Receive rule: every message but ERROR_MSG carries sequence == "
                                 "recv_seq and a valid MAC -> else ERROR ERR_AUTH";
    struct M {
        const char* name;
        const char* title;
        MacMode mode;
        bool initiator_only;
    };
    for (const M m : {M{"mac.flipped", "AUTH with one MAC bit flipped", MacMode::flipped, false},
                      M{"mac.zero", "AUTH with an all-zero MAC", MacMode::zero, false},
                      M{"mac.other-direction", "AUTH MACed with the key of the other direction",
                        MacMode::other_direction, false},
                      M{"mac.without-sequence", "AUTH MAC computed over the message without the sequence",
                        MacMode::without_sequence, false},
                      M{"mac.seed-prefix", "AUTH MACed with the seed document's send key (prefix by direction)",
                        MacMode::sender_view, true}}) {
        auto spec = reject_case(m.name, m.title, mac_rule, Stage::after_hello, auth(m.mode));
        spec.reaction = auth_error("unexpected MAC");
        if (m.initiator_only) {
            // As initiator the seed's reading gives the right key; only an acceptor's differs.
            spec.target = Role::initiator;
            b.add(spec);
        } else {
            b.both(spec);
        }
    }
    for (const auto& [name, seq] :
         std::vector<std::pair<std::string, std::uint64_t>>{{"sequence.one", 1}, {"sequence.max", ~std::uint64_t{0}}}) {
        auto spec = reject_case(name, "AUTH with sequence " + std::to_string(seq) + " (MAC valid for it)", mac_rule,
                             Stage::after_hello, auth(MacMode::good, seq));
        spec.reaction = auth_error("unexpected auth sequence");
        b.both(spec);
    }
    {
        auto spec = reject_case("reflect.auth", "its own AUTH sent back to it", mac_rule, Stage::after_hello,
                             [](Conn& c) { return c.send(c.their_auth_wire()); });
        spec.target = Role::initiator;
        spec.reaction = auth_error("unexpected MAC");
        b.add(spec);
    }
}

void add_post_auth(Builder& b) {
    const std::string rule = "stellar.md, Receive rule: sequence == recv_seq and a valid MAC, after the handshake too";
    auto established = [&](const char* name, const char* title, Stimulus s, Reaction r) {
        auto spec = reject_case(name, title, rule, Stage::established, std::move(s));
        spec.reaction = std::move(r);
        spec.reaction.markers = std::vector<MessageType>{};
        b.both(spec);
    };
    established("post-auth.forged-mac", "SEND_MORE_EXTENDED with a flipped MAC after the handshake",
                [](Conn& c) { return c.send(c.authenticated(ss::SendMoreExtended{10, 1000}, MacMode::flipped)); },
                auth_error("unexpected MAC"));
    established("post-auth.skipped-sequence", "SEND_MORE_EXTENDED skipping a sequence number",
                [](Conn& c) {
                    return c.send(c.authenticated(ss::SendMoreExtended{10, 1000}, MacMode::good, c.send_sequence() + 1));
                },
                auth_error("unexpected auth sequence"));
    established("post-auth.replayed-auth", "our AUTH record replayed after the handshake",
                [](Conn& c) { return c.send(c.sent_auth_wire()); }, auth_error("unexpected auth sequence"));
    established("post-auth.reflected-auth", "its AUTH record sent back after the handshake",
                [](Conn& c) { return c.send(c.their_auth_wire()); }, auth_error("unexpected auth sequence"));
    established("post-auth.hello-again", "our HELLO (zero MAC) sent again after the handshake",
                [](Conn& c) { return c.send(c.sent_hello_wire()); }, auth_error("unexpected auth sequence"));
    established("post-auth.second-auth", "a correctly MACed second AUTH after the handshake",
                [](Conn& c) { return c.send(c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes})); },
                error(ErrorCode::misc, "ERROR ERR_MISC 'out-of-order AUTH message'"));
    established("post-auth.oversize-17mib", "a record mark announcing 17 MiB after the handshake",
                send_bytes([](Conn&) { return Bytes{0x81, 0x10, 0x00, 0x00}; }),
                drop("records over 16 MiB: silent drop at the record mark", false));
}

void add_replay_and_order(Builder& b) {
    {
        auto spec = reject_case("replay.duplicate-hello", "our HELLO twice in one write",
                             "stellar.md, Validation: a re-sent zero-MAC HELLO -> ERROR ERR_AUTH 'unexpected MAC'",
                             Stage::start, [](Conn& c) {
                                 Bytes r = c.hello_record(c.honest_hello());
                                 const Bytes again = r;
                                 r.insert(r.end(), again.begin(), again.end());
                                 return c.send(r);
                             });
        b.both(spec, [](Role r) {
            Reaction x = auth_error("unexpected MAC");
            x.before = {r == Role::acceptor ? MessageType::hello : MessageType::auth};
            x.markers = std::vector<MessageType>{};
            return x;
        });
    }
    {
        auto spec = reject_case("replay.maced-second-hello", "a second HELLO, correctly MACed",
                             "stellar.md, Validation: correctly MACed second HELLO -> drop", Stage::after_hello,
                             [](Conn& c) { return c.send(c.authenticated(*c.sent_hello())); });
        spec.reaction = drop("drops a second HELLO", false);
        spec.reaction.markers = std::vector<MessageType>{MessageType::hello, MessageType::auth,
                                                      MessageType::send_more_extended};
        b.both(spec);
    }
    {
        auto spec = reject_case("replay.duplicate-auth", "our AUTH twice, byte for byte",
                             "stellar.md, Receive rule: the copy's sequence is no longer recv_seq -> ERROR ERR_AUTH",
                             Stage::after_hello, [](Conn& c) {
                                 Bytes a = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
                                 Bytes all = a;
                                 if (c.target_role() == Role::initiator) {
                                     const Bytes p = c.authenticated(ss::Peers{});
                                     const Bytes f = c.authenticated(ss::SendMoreExtended{200, 300000});
                                     all.insert(all.end(), p.begin(), p.end());
                                     all.insert(all.end(), f.begin(), f.end());
                                 }
                                 all.insert(all.end(), a.begin(), a.end());
                                 return c.send(all);
                             });
        spec.completes_first = true;
        b.both(spec, [](Role r) {
            Reaction x = auth_error("unexpected auth sequence");
            x.markers = std::vector<MessageType>{};
            x.before = r == Role::acceptor ? std::vector<MessageType>{MessageType::auth, MessageType::peers,
                                                                      MessageType::send_more_extended}
                                           : std::vector<MessageType>{MessageType::send_more_extended};
            return x;
        });
    }
    for (const bool whole : {false, true}) {
        CaseSpec spec;
        spec.name = whole ? "replay.cross-connection-session" : "replay.cross-connection-auth";
        spec.title = whole ? "HELLO and AUTH of a completed connection replayed on a new one"
                        : "the AUTH of a completed connection replayed on a new one";
        spec.rule = "stellar.md, Cryptography: MAC keys from both nonces, fresh per connection -> ERROR ERR_AUTH";
        spec.custom = [whole](Driver& d, const CaseSpec&) { return cross_connection(d, whole); };
        b.both(spec);
    }
    const std::string order_rule = "stellar.md, Validation: AUTH before HELLO, or a second AUTH -> ERROR ERR_MISC "
                                   "'out-of-order AUTH message'";
    {
        auto spec = reject_case("order.auth-before-hello", "AUTH before our HELLO", order_rule, Stage::start,
                             [](Conn& c) { return c.send(c.unauthenticated(ss::Auth{ss::kAuthFlagFlowControlBytes})); });
        spec.reaction = error(ErrorCode::misc, "ERROR ERR_MISC 'out-of-order AUTH message'");
        spec.reaction.markers = std::vector<MessageType>{MessageType::auth, MessageType::send_more_extended};
        b.both(spec);
    }
    {
        auto spec = reject_case("order.peers-before-auth", "PEERS (correctly MACed) before our AUTH",
                             "stellar.md, Validation: any non-handshake type before auth completes -> silent drop",
                             Stage::after_hello, [](Conn& c) {
                                 Bytes all = c.authenticated(ss::Peers{});
                                 if (c.target_role() == Role::initiator) {
                                     const Bytes a = c.authenticated(ss::Auth{ss::kAuthFlagFlowControlBytes});
                                     all.insert(all.end(), a.begin(), a.end());
                                 }
                                 return c.send(all);
                             });
        spec.reaction = drop("non-handshake message before authentication, silent drop", true);
        b.both(spec);
    }
    {
        auto spec = reject_case("order.message-before-hello", "SEND_MORE_EXTENDED, unauthenticated, before our HELLO",
                             "stellar.md, Validation: any non-handshake type before auth completes -> silent drop",
                             Stage::start,
                             [](Conn& c) { return c.send(c.unauthenticated(ss::SendMoreExtended{200, 300000})); });
        spec.reaction = drop("non-handshake message before authentication, silent drop", true);
        b.both(spec);
    }
    {
        auto spec = reject_case("order.error-injected", "an unauthenticated ERROR_MSG in the middle of the handshake",
                             "stellar.md, Receive rule: ERROR_MSG is never authenticated; receiving it ends the "
                             "connection",
                             Stage::after_hello, [](Conn& c) {
                                 return c.send(c.unauthenticated(ss::ErrorMsg{ErrorCode::misc, "shakedown test"}));
                             });
        spec.reaction = drop("closes on ERROR_MSG", false);
        spec.reaction.on_stall = Verdict::non_strict;
        spec.reaction.markers = std::vector<MessageType>{};
        b.both(spec);
    }
}

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
        r[HelloLayout(h).vstr + 1] = 0x01;
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
        r[HelloLayout(h).node_type + 3] = 1;
        return c.send(r);
    });
    xdr_case("xdr.string-length-huge", "versionStr length 0xfffffff0", [](Conn& c) {
        const ss::Hello h = c.honest_hello();
        Bytes r = c.hello_record(h);
        const auto at = HelloLayout(h).vstr_len;
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

void add_idle_and_slow(Builder& b) {
    const std::string rule = "stellar.md, Message order: handshake idle timeout 2 s without traffic (checked every "
                             "5 s in stellar-core) -> drop";
    struct I {
        const char* name;
        const char* title;
        Stage stage;
        bool partial;
    };
    for (const I i : {I{"idle.after-connect", "nothing sent after the connection opened", Stage::start, false},
                      I{"idle.after-hello", "nothing sent after the HELLOs", Stage::after_hello, false},
                      I{"idle.partial-header", "two bytes of a record mark, then nothing", Stage::start, true}}) {
        auto spec = reject_case(i.name, i.title, rule, i.stage, [partial = i.partial](Conn& c) {
            if (partial) {
                const Bytes r = c.hello_record(c.honest_hello());
                return c.send(ByteView(r).first(2));
            }
            return true;
        });
        spec.reaction = drop("idle timeout, silent drop", false);
        // 2 s idle plus stellar-core's 5 s check period, and slack.
        spec.reaction.deadline = Millis(7500);
        spec.reaction.prompt = Millis(0);
        spec.reaction.markers = std::vector<MessageType>{};
        b.both(spec);
    }
    {
        auto spec = accept_case("slow.header-trickle",
                             "HELLO record mark one byte per 100 ms, then its body in three parts",
                             "stellar.md, Framing: records are reassembled from the stream; any traffic resets the "
                             "idle timer");
        spec.tweaks.hello_pacing = Pacing{[](std::size_t total) {
                                           const std::size_t third = (total - 4) / 3;
                                           return std::vector<std::size_t>{1, 1, 1, 1, third, third};
                                       },
                                       Millis(100)};
        b.both(spec);
    }
    {
        auto spec = accept_case("slow.byte-at-a-time", "HELLO one byte per write",
                             "stellar.md, Framing: records are reassembled from the stream");
        spec.tweaks.hello_pacing = Pacing{bytewise, Millis(1)};
        b.both(spec);
    }
    {
        auto spec = accept_case("slow.split-auth", "AUTH in two writes 300 ms apart",
                             "stellar.md, Framing: records are reassembled from the stream");
        spec.tweaks.auth_pacing = Pacing{[](std::size_t total) { return std::vector<std::size_t>{total / 2}; }, Millis(300)};
        b.both(spec);
    }
}

}  // namespace

Catalogue make_catalogue(std::shared_ptr<Env> env) {
    Builder b;
    add_happy(b);
    add_output(b);
    add_versions_and_addresses(b);
    add_network_and_self(b);
    add_certs_and_clocks(b);
    add_keys(b);
    add_auth_checks(b);
    add_post_auth(b);
    add_replay_and_order(b);
    add_encoding(b);
    add_bitflips(b);
    add_framing(b);
    add_idle_and_slow(b);
    Catalogue cat;
    cat.variant = "stellar";
    cat.description = "Stellar overlay peer handshake (stellar-core behaviour, docs/protocols/stellar.md)";
    auto cases = b.take();
    // Group by target role, keeping the catalogue order within each.
    std::stable_sort(cases.begin(), cases.end(),
                     [](const CaseSpec& x, const CaseSpec& y) { return x.target == Role::acceptor && y.target != Role::acceptor; });
    for (auto& c : cases) {
        cat.scenarios.push_back(std::make_unique<StellarScenario>(std::move(c), env));
    }
    return cat;
}


}  // namespace shakedown::conformance::stellar_scenarios
