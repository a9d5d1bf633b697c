#include <thread>

#include "common/writer.hpp"
#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::ErrorCode;
using ss::MessageType;
using ss::Role;

CaseSpec accept_case(std::string name, std::string title, std::string rule, Acceptance a) {
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

Stimulus hello_edit(std::function<void(Conn&, ss::Hello&)> edit, bool resign) {
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

HelloLayout record_layout(const ss::Hello& h) { return HelloLayout(h, ss::kHelloInRecord); }

Stimulus hello_flip(std::function<std::size_t(const HelloLayout&)> where, unsigned bit) {
    return [where = std::move(where), bit](Conn& c) {
        const ss::Hello h = c.honest_hello();
        Bytes r = c.hello_record(h);
        flip(r, where(record_layout(h)), bit);
        return c.send(r);
    };
}

Stimulus auth(MacMode mode, std::optional<std::uint64_t> seq, std::int32_t flags) {
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
    r.reference = "stellar-core: " + std::move(core);
    r.probe = probe;
    return r;
}

Reaction error(ErrorCode code, std::string core) {
    Reaction r;
    r.core_sends_error = true;
    r.code = code;
    r.reference = "stellar-core: " + std::move(core);
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


ByteArray<32> random_key() {
    ByteArray<32> k{};
    SystemRng().fill(k);
    return k;
}

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

}  // namespace shakedown::conformance::stellar_scenarios::cases
