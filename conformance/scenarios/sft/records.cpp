#include "conformance/scenarios/sft/records.hpp"

#include <ctime>

#include "common/crypto.hpp"
#include "common/rng.hpp"
#include "sft/message.hpp"
#include "sft/record.hpp"

namespace shakedown::conformance::sft_scenarios {

namespace {

enum class Stimulus : std::uint8_t {
    signed_ping,
    unsigned_ping,
    float_seq,
    reflected_pong,
    replayed_data,
    data_past_size,
    reflected_ping,  // a client target's own first record (it runs with --ping), played back to it
};

struct RecordCase {
    ScenarioInfo info;
    Stimulus stimulus = Stimulus::signed_ping;
    std::string consequence;  // what a target that goes on has accepted
};

std::string describe(const Incoming& in) {
    return std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail);
}

class RecordScenario final : public Scenario {
public:
    RecordScenario(std::shared_ptr<const MachineEnvironment> env, sft::Profile profile, RecordCase c)
        : m_env(std::move(env)), m_profile(profile), m_case(std::move(c)) {}

    [[nodiscard]] const ScenarioInfo& info() const override { return m_case.info; }

    [[nodiscard]] ScenarioOutcome run(ScenarioContext& ctx) const override {
        // A server needs the catalogue's keys and no flood budget (as the generic families'); a
        // client, the switch that makes it send a record of its own (ScenarioInfo::target_config).
        const Role role = m_case.info.target_role;
        std::string error;
        auto harness = m_env->make(other(role), {}, error);
        if (!harness) {
            return {Verdict::fail, "the harness could not be configured: " + error, {}, false};
        }
        ConnectionRequest request;
        request.target_role = role;
        request.dedicated = true;
        request.flags = m_case.info.target_config;
        auto opened = ctx.open(request, Millis(5000));
        if (opened.status != OpenResult::Status::ok) {
            return {opened.status == OpenResult::Status::unimplemented ? Verdict::unimplemented : Verdict::fail,
                    "could not open a connection: " + opened.error,
                    {},
                    false};
        }
        Transport& t = *opened.transport;
        // Each end runs 600,000 PBKDF2 iterations before the records start, and a running server
        // derives for every scenario's connection at once: as the machine scenarios, 40 s.
        const Deadline end = after(ctx.scaled(Millis(40000)));
        const auto flush = [&]() {
            for (const auto& u : harness->take_output()) {
                if (t.send(u, end)) {
                    return false;
                }
            }
            return true;
        };
        harness->start();
        bool ok = flush();
        while (ok && !harness->authenticated() && harness->next_action() != Action::closed) {
            // A client's units one at a time: the described client may send its first record
            // right behind D2, and that record is the scenario's, not the harness's.
            const Incoming in = role == Role::initiator ? t.receive(end) : t.receive_any(end);
            if (in.kind != Incoming::Kind::message) {
                return finish(t, {Verdict::fail, "the handshake did not complete: " + describe(in), {}, false});
            }
            harness->receive(in.wire);
            ok = flush();
        }
        if (!ok || !harness->authenticated()) {
            return finish(t, {Verdict::fail, "the handshake did not complete", {}, false});
        }
        m_keys = harness->derived_keys();
        const auto key = record_key();
        if (!key) {
            return finish(t, {Verdict::fail, "the harness has no session keys", {}, true});
        }
        const Bytes hmac = derived("hmac_key");
        // The server derives its keys (PBKDF2) before it reads the first record.
        const Millis reaction = ctx.scaled(Millis(10000));
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        const auto message = [&](sft::MsgType type, sft::json::Value payload, std::int64_t seq, bool sign,
                                 bool float_seq) {
            sft::Message m;
            m.type = type;
            m.timestamp = sft::format_local_timestamp(now, 0);
            m.payload = std::move(payload);
            m.seq = seq;
            m.seq_is_float = float_seq;
            if (sign) {
                sft::sign(m, hmac);
            }
            const std::string text = sft::wire_json(m);
            return sft::seal_record(*key, sft::PayloadType::json, 0, m_rng.array<12>(),
                                    ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
        };
        const auto ping = [&](bool sign, bool float_seq) {
            return message(sft::MsgType::ping, sft::json::Value::make_object({}), 0, sign, float_seq);
        };
        const auto send = [&](const Bytes& b) { return !t.send(b, after(Millis(2000))); };

        switch (m_case.stimulus) {
            case Stimulus::signed_ping: {
                if (!send(ping(true, false))) {
                    return finish(t, {Verdict::fail, "could not send the ping", {}, true});
                }
                const Incoming in = t.receive_any(after(reaction));
                if (in.kind == Incoming::Kind::message) {
                    return finish(t, {Verdict::pass, "the server answered a signed ping", {}, true});
                }
                return finish(t, {Verdict::fail, "no answer to a signed ping: " + describe(in), {}, true});
            }
            case Stimulus::unsigned_ping: return watch(t, send(ping(false, false)), reaction);
            case Stimulus::float_seq: return watch(t, send(ping(true, true)), reaction);
            case Stimulus::reflected_pong: {
                if (!send(ping(true, false))) {
                    return finish(t, {Verdict::fail, "could not send the ping", {}, true});
                }
                const Incoming pong = t.receive_any(after(reaction));
                if (pong.kind != Incoming::Kind::message) {
                    return finish(t, {Verdict::fail, "no pong to reflect: " + describe(pong), {}, true});
                }
                return watch(t, send(pong.wire), reaction);
            }
            case Stimulus::reflected_ping: {
                // The client's ping comes once it has our last handshake message; it goes back
                // as it came, a record under a nonce the client drew itself.
                const Incoming own = t.receive(after(reaction));
                if (own.kind != Incoming::Kind::message) {
                    return finish(
                        t, {Verdict::fail,
                            "the client (started with --ping) sent no record after its handshake: " + describe(own),
                            {},
                            true});
                }
                return watch(t, send(own.wire), reaction);
            }
            case Stimulus::replayed_data: {
                // No transfer is active: the server discards the chunk, and must still refuse the
                // same record the second time (R2).
                const Bytes chunk = {'a', 'b', 'c', 'd'};
                const Bytes data = sft::seal_record(*key, sft::PayloadType::data, 0, m_rng.array<12>(), chunk);
                if (!send(data)) {
                    return finish(t, {Verdict::fail, "could not send the DATA record", {}, true});
                }
                const Incoming early = t.receive_any(after(Millis(300)));
                if (early.kind != Incoming::Kind::timeout) {
                    return finish(
                        t, {Verdict::fail, "the server refused a fresh DATA record: " + describe(early), {}, true});
                }
                return watch(t, send(data), reaction);
            }
            case Stimulus::data_past_size: {
                const Bytes content = {'a', 'b', 'c', 'd'};
                sft::FileHeader h;
                h.filename = "bounds.bin";
                h.total_size = static_cast<std::int64_t>(content.size());
                h.hash = to_hex(crypto::sha256(content));
                h.timestamp = sft::format_utc_timestamp(now);
                if (!send(message(sft::MsgType::file_header, sft::to_json(h), 0, true, false))) {
                    return finish(t, {Verdict::fail, "could not send the file_header", {}, true});
                }
                const Incoming ack = t.receive_any(after(reaction));
                if (ack.kind != Incoming::Kind::message) {
                    return finish(t, {Verdict::fail, "no file_resume_ack: " + describe(ack), {}, true});
                }
                const Bytes chunk(8, 'x');  // twice total_size
                return watch(t, send(sft::seal_record(*key, sft::PayloadType::data, 0, m_rng.array<12>(), chunk)),
                             reaction);
            }
        }
        return finish(t, {Verdict::fail, "unknown stimulus", {}, true});
    }

private:
    // After a record the target must refuse: it must close; an answer, or the connection kept
    // open, means it went on.
    ScenarioOutcome watch(Transport& t, bool sent, Millis reaction) const {
        if (!sent) {
            return finish(t, {Verdict::fail, "could not send the record", {}, true});
        }
        const Incoming in = t.receive_any(after(reaction));
        if (in.kind == Incoming::Kind::message) {
            return finish(t, {Verdict::fail, "the target answered the record; " + m_case.consequence, {}, true});
        }
        if (in.kind == Incoming::Kind::timeout) {
            return finish(t, {Verdict::fail,
                              "the target kept the connection open without refusing the record; " + m_case.consequence,
                              {},
                              true});
        }
        return finish(t, {Verdict::pass, "the target closed the connection (" + describe(in) + ")", {}, true});
    }

    static ScenarioOutcome finish(Transport& t, ScenarioOutcome o) {
        t.shutdown_send();
        t.close();
        return o;
    }

    [[nodiscard]] Bytes derived(const std::string& name) const {
        for (const auto& k : m_keys) {
            if (k.name == name) {
                return k.value;
            }
        }
        return {};
    }

    [[nodiscard]] std::optional<sft::RecordKey> record_key() const {
        const Bytes aes = derived("aes_key");
        const Bytes id = derived("key_id");
        if (aes.size() != 32 || id.size() != 16) {
            return std::nullopt;
        }
        ByteArray<32> a{};
        std::copy(aes.begin(), aes.end(), a.begin());
        sft::RecordKey k;
        k.profile = m_profile;
        k.aes_key = Secret<32>(a);
        std::copy(id.begin(), id.end(), k.key_id.begin());
        return k;
    }

    std::shared_ptr<const MachineEnvironment> m_env;
    sft::Profile m_profile;
    RecordCase m_case;
    mutable std::vector<DerivedKey> m_keys;
    mutable SystemRng m_rng;
};

}  // namespace

void add_record_scenarios(Catalogue& cat, std::shared_ptr<const MachineEnvironment> env, sft::Profile profile,
                          Role target) {
    struct Entry {
        Role target;
        const char* name;
        Stimulus stimulus;
        const char* title;
        const char* rule;
        const char* consequence;
    };
    const Entry entries[] = {
        {Role::acceptor, "signed-ping", Stimulus::signed_ping, "a signed ping after the handshake is answered",
         "an established server answers ping with pong (§6); the control of the records class", ""},
        {Role::acceptor, "unsigned-ping", Stimulus::unsigned_ping, "a ping without its signature",
         "J5: a JSON record without its HMAC is refused (§4.2, A19)",
         "the HMAC over JSON messages is optional, any record the AES key seals is taken"},
        {Role::acceptor, "float-seq", Stimulus::float_seq, "a ping whose seq is 0.0",
         "J3: seq is an integer; a float is bad_sequence (§4.2, §5, A18)", "a float seq passes as an integer"},
        {Role::acceptor, "reflected-pong", Stimulus::reflected_pong, "the server's own pong played back to it",
         "R1: a record sealed under a nonce this end drew is its own, played back (§4.2, A26)",
         "a party takes its own records played back as its peer's"},
        {Role::acceptor, "replayed-data", Stimulus::replayed_data, "a DATA record sent twice",
         "R2: a DATA nonce already received is refused (§4.2, A24)", "a replayed chunk is taken again"},
        {Role::initiator, "reflected-ping", Stimulus::reflected_ping, "the client's own ping played back to it",
         "R1: a record sealed under a nonce this end drew is its own, played back (§4.2, A26); the client's first "
         "seq fits where the server's pong never does",
         "a party takes its own records played back as its peer's"},
        {Role::acceptor, "data-past-size", Stimulus::data_past_size, "DATA of 8 bytes for a file announced as 4",
         "a DATA record must not pass total_size (§6, A25)", "a peer writes past the size it announced"},
    };
    for (const auto& e : entries) {
        if (e.target != target) {
            continue;
        }
        RecordCase c;
        c.info.id = std::string(to_string(target)) + ".records." + e.name;
        c.info.cls = "records";
        c.info.title = e.title;
        c.info.rule = e.rule;
        c.info.target_role = target;
        c.info.target_config = env->target_flags;
        if (e.stimulus == Stimulus::reflected_ping) {
            c.info.target_config.emplace_back("--ping");
        }
        c.stimulus = e.stimulus;
        c.consequence = e.consequence;
        cat.scenarios.push_back(std::make_unique<RecordScenario>(env, profile, std::move(c)));
    }
}

}  // namespace shakedown::conformance::sft_scenarios
