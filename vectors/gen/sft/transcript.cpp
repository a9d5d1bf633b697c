#include "vectors/gen/sft/transcript.hpp"

#include <array>

#include "sft/record.hpp"

namespace shakedown::sft::vectors {

namespace {

constexpr std::array<std::string_view, 12> kOps = {"flip_bit",   "replace",    "truncate",  "append",
                                                   "drop",       "duplicate",  "reflect",   "forge_json",
                                                   "forge_data", "set_clock",  "patch",     "forge_type"};

// The X25519 secret first (the machine draws it at construction), then a ChaCha20 stream for
// every nonce, so a transcript is fixed by its inputs.
class TranscriptRng final : public Rng {
public:
    TranscriptRng(const ByteArray<32>& eph, const ByteArray<32>& nonce_seed) : m_eph(eph), m_nonces(nonce_seed) {}
    void fill(std::span<std::uint8_t> out) override {
        if (!m_eph_drawn && out.size() == 32) {
            std::copy(m_eph.begin(), m_eph.end(), out.begin());
            m_eph_drawn = true;
            return;
        }
        m_nonces.fill(out);
    }

private:
    ByteArray<32> m_eph;
    bool m_eph_drawn = false;
    SeededRng m_nonces;
};

struct Side {
    Role role;
    FixedClock clock;
    TranscriptRng rng;
    MemoryFileStore store;
    std::unique_ptr<Endpoint> machine;
    std::size_t units_sent = 0;
    bool was_closed = false;

    Side(Role r, const SideInputs& in) : role(r), clock(in.now), rng(in.eph_secret, in.nonce_seed) {
        for (const auto& [name, content] : in.files) {
            store.put(name, content);
        }
    }
};

std::string handshake_kind(Profile p, Role from, std::size_t unit) {
    if (p == Profile::upstream_v2) {
        if (from == Role::initiator) {
            return unit == 0 ? "H1" : unit == 1 ? "H3" : "";
        }
        return unit == 0 ? "H2" : unit == 1 ? "H4" : "";
    }
    if (unit == 0) {
        return from == Role::initiator ? "D2" : "D1";
    }
    return "";
}

SideOutcome outcome_of(const Side& s) {
    SideOutcome o;
    const Endpoint& m = *s.machine;
    o.authenticated = m.authenticated();
    const auto c = m.closure();
    if (c && c->by_peer) {
        o.state = "peer_closed";
    } else if (c) {
        o.state = "closed";
        o.error = c->failure.code;
        o.sent = c->sent;
    } else {
        o.state = std::string(to_string(m.state()));
    }
    o.events = m.events();
    for (const auto& [name, size] : s.store.list()) {
        (void)size;
        o.files[name] = *s.store.get(name);
    }
    o.keys = m.derived_keys();
    return o;
}

}  // namespace

std::string_view to_string(MutationOp op) noexcept { return kOps[static_cast<std::size_t>(op)]; }

std::optional<MutationOp> mutation_op_from_string(std::string_view s) noexcept {
    for (std::size_t i = 0; i < kOps.size(); ++i) {
        if (kOps[i] == s) {
            return static_cast<MutationOp>(i);
        }
    }
    return std::nullopt;
}

std::string describe_record(ByteView wire, const SessionKeys* keys, Profile p) {
    if (wire.size() < kHeaderLen) {
        return "raw";
    }
    auto h = parse_record_header(wire.first(kHeaderLen));
    if (!h) {
        return "raw";
    }
    if (h->payload_type == 2) {
        return "DATA";
    }
    if (keys == nullptr) {
        return "JSON";
    }
    RecordKey rk{p, keys->aes_key, keys->key_id};
    auto opened = open_record(rk, wire);
    if (!opened) {
        return "raw";
    }
    auto m = parse_message(opened->plaintext, EnvelopeOptions{true});
    if (!m) {
        return "JSON";
    }
    return "JSON:" + std::string(to_string(m->type));
}

Result<Transcript> run_transcript(const TranscriptInputs& in, Deriver& deriver) {
    Side client(Role::initiator, in.client);
    Side server(Role::acceptor, in.server);
    for (Side* s : {&client, &server}) {
        const SideInputs& si = s->role == Role::initiator ? in.client : in.server;
        Config cfg;
        cfg.role = s->role;
        cfg.profile = in.profile;
        cfg.identity_seed = si.identity_seed;
        cfg.peer_identity = si.peer_identity;
        cfg.store = &s->store;
        cfg.deriver = &deriver;
        for (const auto& k : si.knobs) {
            if (!set_quirk(cfg.quirks, k)) {
                return fail(Error::invalid_argument, "unknown knob");
            }
        }
        s->machine = std::make_unique<Endpoint>(cfg, s->rng, s->clock);
    }
    Transcript t;
    std::optional<std::size_t> client_at;
    std::optional<std::size_t> server_at;

    auto deliver = [&](Side& from, Bytes unit) {
        Side& other = from.role == Role::initiator ? server : client;
        Side* target = &other;
        WireMessage wm;
        wm.from = from.role;
        const std::string hk = handshake_kind(in.profile, from.role, from.units_sent);
        const auto& sender_keys = from.machine->keys();
        wm.kind = !hk.empty() ? hk : describe_record(unit, sender_keys ? &*sender_keys : nullptr, in.profile);
        ++from.units_sent;
        const std::size_t index = t.messages.size();
        int times = 1;
        for (const auto& m : in.mutations) {
            if (m.message != index) {
                continue;
            }
            switch (m.op) {
                case MutationOp::flip_bit:
                    if (m.arg / 8 < unit.size()) {
                        unit[m.arg / 8] = static_cast<std::uint8_t>(unit[m.arg / 8] ^ (0x80U >> (m.arg % 8)));
                    }
                    break;
                case MutationOp::replace: unit = m.bytes; break;
                case MutationOp::truncate: unit.resize(std::min<std::size_t>(unit.size(), m.arg)); break;
                case MutationOp::append: unit.insert(unit.end(), m.bytes.begin(), m.bytes.end()); break;
                case MutationOp::drop: times = 0; break;
                case MutationOp::duplicate: times = 2; break;
                case MutationOp::reflect: target = &from; break;
                case MutationOp::patch:
                    for (std::size_t k = 0; k < m.bytes.size() && m.arg + k < unit.size(); ++k) {
                        unit[m.arg + k] = m.bytes[k];
                    }
                    break;
                case MutationOp::forge_json:
                case MutationOp::forge_type:
                case MutationOp::forge_data: {
                    if (!sender_keys) {
                        break;
                    }
                    RecordKey rk{in.profile, sender_keys->aes_key, sender_keys->key_id};
                    if (m.op == MutationOp::forge_json) {
                        unit = seal_record(rk, PayloadType::json, 0, m.nonce, as_bytes(m.text));
                    } else if (m.op == MutationOp::forge_data) {
                        unit = seal_record(rk, PayloadType::data, m.arg, m.nonce, m.bytes);
                    } else {
                        unit = seal_record(rk, static_cast<PayloadType>(m.arg & 0xff), 0, m.nonce, m.bytes);
                    }
                    break;
                }
                case MutationOp::set_clock: target->clock.set(m.arg); break;
            }
        }
        wm.wire = unit;
        wm.delivered = times > 0 && !target->machine->closure();
        t.messages.push_back(wm);
        for (int k = 0; k < times; ++k) {
            if (target->machine->closure()) {
                break;
            }
            target->machine->receive(unit);
            if (target->machine->closure() && !target->was_closed) {
                target->was_closed = true;
                (target->role == Role::initiator ? client_at : server_at) = index;
            }
        }
    };

    auto pump = [&] {
        bool progress = true;
        while (progress) {
            progress = false;
            for (Side* s : {&client, &server}) {
                for (auto& unit : s->machine->take_output()) {
                    progress = true;
                    deliver(*s, std::move(unit));
                }
            }
        }
        const bool c_closed = client.machine->closure().has_value();
        const bool s_closed = server.machine->closure().has_value();
        if (c_closed && !s_closed) {
            server.machine->peer_closed();
        } else if (s_closed && !c_closed) {
            client.machine->peer_closed();
        }
    };

    server.machine->start();
    client.machine->start();
    pump();
    for (const auto& step : in.steps) {
        Endpoint& c = *client.machine;
        if (step.op == "advance") {
            const auto secs = std::stoull(step.arg);
            client.clock.advance(secs);
            server.clock.advance(secs);
            continue;
        }
        Result<void> r = ok();
        if (step.op == "ping") {
            r = c.ping();
        } else if (step.op == "list") {
            r = c.list_files();
        } else if (step.op == "upload") {
            r = c.upload(step.arg);
        } else if (step.op == "download") {
            r = c.download(step.arg);
        } else {
            return fail(Error::invalid_argument, "unknown step");
        }
        (void)r;  // a step after a failed handshake does nothing; the outcome shows why
        pump();
    }
    for (const auto& m : in.mutations) {
        if (m.message >= t.messages.size()) {
            return fail(Error::invalid_argument, "mutation of a message that was never sent");
        }
    }
    t.client = outcome_of(client);
    t.server = outcome_of(server);
    t.client.at_message = client_at;
    t.server.at_message = server_at;
    return t;
}

}  // namespace shakedown::sft::vectors
