#include "sft/machine.hpp"

#include <algorithm>

#include "common/ct.hpp"
#include "common/reader.hpp"

namespace shakedown::sft {

namespace {

constexpr std::string_view kFileTooLarge = "File too large";
constexpr std::string_view kNotFound = "File not found or access denied";
constexpr std::string_view kInvalidName = "Invalid filename";

template <std::size_t N>
ByteArray<N> to_array(ByteView b) {
    ByteArray<N> a{};
    std::copy_n(b.begin(), N, a.begin());
    return a;
}

}  // namespace

bool KdfThrottle::admit(std::uint64_t now) {
    while (!m_times.empty() && m_times.front() + m_window <= now) {
        m_times.pop_front();
    }
    if (m_times.size() >= m_max) {
        return false;
    }
    m_times.push_back(now);
    return true;
}

std::string_view to_string(State s) noexcept {
    switch (s) {
        case State::idle: return "idle";
        case State::await_h1: return "await_h1";
        case State::await_h2: return "await_h2";
        case State::await_h3: return "await_h3";
        case State::await_h4: return "await_h4";
        case State::await_d1: return "await_d1";
        case State::await_d2: return "await_d2";
        case State::established: return "established";
        case State::closed: return "closed";
    }
    return "unknown";
}

Endpoint::Endpoint(Config config, Rng& rng, const Clock& clock)
    : m_config(std::move(config)),
      m_rng(rng),
      m_clock(clock),
      m_identity(crypto::ed25519_from_seed(m_config.identity_seed)) {
    secure_wipe(m_config.identity_seed);
    // The long-term identity key and the ephemeral X25519 secret.
    ct::classify(m_identity.secret_key.mut());
    rng.fill(m_eph_secret.mut());
    ct::classify(m_eph_secret.mut());
    m_eph_public = crypto::x25519_public(m_eph_secret);
}

void Endpoint::start() {
    if (m_started || m_state == State::closed) {
        return;
    }
    m_started = true;
    m_start_time = m_clock.unix_seconds();
    const bool client = m_config.role == Role::initiator;
    if (m_config.profile == Profile::upstream_v2) {
        if (client) {
            m_out.add(serialize(H1{m_eph_public}));
            m_state = State::await_h2;
        } else {
            m_state = State::await_h1;
        }
    } else {
        if (client) {
            m_state = State::await_d1;
        } else {
            m_out.add(serialize(D1{m_eph_public, m_identity.public_key}));
            m_state = State::await_d2;
        }
    }
}

void Endpoint::close(Failure f, std::string sent) {
    if (m_state == State::closed) {
        return;
    }
    Closure c;
    c.failure = f;
    c.sent = std::move(sent);
    c.at_message = m_received;
    m_closure = c;
    m_state = State::closed;
}

bool Endpoint::deadline_passed() {
    if (m_state == State::established || m_config.quirks.no_handshake_deadline) {
        return false;
    }
    return m_clock.unix_seconds() > m_start_time + m_config.handshake_deadline_seconds;
}

void Endpoint::receive(ByteView input) {
    if (m_state == State::closed) {
        return;
    }
    if (!m_started) {
        start();
    }
    if (deadline_passed()) {
        close(fail(Error::timeout, "A5: handshake not finished by its deadline (30 s unless configured)"));
        return;
    }
    m_in.insert(m_in.end(), input.begin(), input.end());
    while (m_state != State::closed) {
        const std::size_t before = m_in_pos;
        const State state_before = m_state;
        if (m_state == State::established) {
            step_records();
        } else {
            step_handshake();
        }
        if (m_in_pos == before && m_state == state_before) {
            break;
        }
    }
    if (m_in_pos > 0) {
        m_in.erase(m_in.begin(), m_in.begin() + static_cast<std::ptrdiff_t>(m_in_pos));
        m_in_pos = 0;
    }
}

void Endpoint::peer_closed() {
    if (m_state == State::closed) {
        return;
    }
    Closure c;
    c.failure = fail(Error::peer_closed, "connection closed by peer");
    c.at_message = m_received;
    c.by_peer = true;
    m_closure = c;
    m_state = State::closed;
}

void Endpoint::idle_timeout() {
    if (m_state == State::closed) {
        return;
    }
    if (m_state != State::established) {
        close(fail(Error::timeout, "no handshake input within the read timeout"));
    } else if (m_config.role == Role::acceptor) {
        close(fail(Error::timeout, "60 s idle"));
    }
}

std::optional<std::uint32_t> Endpoint::idle_timeout_ms() const {
    if (m_state == State::closed) {
        return std::nullopt;
    }
    if (m_state != State::established) {
        return m_config.handshake_deadline_seconds * 1000;
    }
    if (m_config.role == Role::acceptor) {
        return kIdleTimeoutSeconds * 1000;
    }
    return std::nullopt;
}

shakedown::Action Endpoint::next_action() const {
    if (!m_out.empty()) {
        return shakedown::Action::send;
    }
    if (m_state == State::closed) {
        return shakedown::Action::closed;
    }
    if (m_state == State::established) {
        return shakedown::Action::done;
    }
    return shakedown::Action::receive;
}

std::vector<Bytes> Endpoint::take_output() { return m_out.take(); }

void Endpoint::drain_output(OutputUnits& out) { m_out.drain_into(out); }

std::vector<DerivedKey> Endpoint::derived_keys() const {
    std::vector<DerivedKey> out;
    if (m_shared) {
        out.push_back({"shared_secret", Bytes(m_shared->view().begin(), m_shared->view().end())});
    }
    if (m_keys) {
        out.push_back({"hmac_key", Bytes(m_keys->hmac_key.view().begin(), m_keys->hmac_key.view().end())});
        out.push_back({"aes_key", Bytes(m_keys->aes_key.view().begin(), m_keys->aes_key.view().end())});
        out.push_back({"key_id", Bytes(m_keys->key_id.begin(), m_keys->key_id.end())});
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Handshake

std::optional<Result<std::vector<Bytes>>> Endpoint::take_fields(std::span<const std::uint32_t> expected) {
    std::vector<Bytes> fields;
    std::size_t pos = m_in_pos;
    for (const std::uint32_t want : expected) {
        if (m_in.size() - pos < 4) {
            // A prefix already complete is judged now (A4), before waiting for more.
            return std::nullopt;
        }
        Reader r(ByteView(m_in).subspan(pos, 4), m_consumed + (pos - m_in_pos));
        const std::uint32_t len = *r.read_u32be();
        const std::size_t at = pos - m_in_pos;
        if (len == 0) {
            return Result<std::vector<Bytes>>(Failure{Error::bad_length, at, "V2: zero-length field"});
        }
        if (len != want && !m_config.quirks.accept_any_length_prefix) {
            return Result<std::vector<Bytes>>(Failure{Error::bad_length, at, "A4: prefix is not the field size"});
        }
        pos += 4;
        if (m_in.size() - pos < len) {
            return std::nullopt;
        }
        fields.emplace_back(m_in.begin() + static_cast<std::ptrdiff_t>(pos),
                            m_in.begin() + static_cast<std::ptrdiff_t>(pos + len));
        pos += len;
    }
    m_consumed += pos - m_in_pos;
    m_in_pos = pos;
    return Result<std::vector<Bytes>>(std::move(fields));
}

std::optional<Bytes> Endpoint::take_fixed(std::size_t n) {
    if (m_in.size() - m_in_pos < n) {
        return std::nullopt;
    }
    Bytes b(m_in.begin() + static_cast<std::ptrdiff_t>(m_in_pos),
            m_in.begin() + static_cast<std::ptrdiff_t>(m_in_pos + n));
    m_in_pos += n;
    m_consumed += n;
    return b;
}

void Endpoint::step_handshake() {
    auto run_fields = [&](std::span<const std::uint32_t> expected, void (Endpoint::*handler)(const std::vector<Bytes>&)) {
        auto fields = take_fields(expected);
        if (!fields) {
            return;
        }
        if (!*fields) {
            close(fields->failure());
            return;
        }
        (this->*handler)(**fields);
        ++m_received;
    };
    switch (m_state) {
        case State::await_h1: run_fields(kH1Fields, &Endpoint::on_h1); return;
        case State::await_h2: run_fields(kH2Fields, &Endpoint::on_h2); return;
        case State::await_h3: run_fields(kConfirmFields, &Endpoint::on_h3); return;
        case State::await_h4: run_fields(kConfirmFields, &Endpoint::on_h4); return;
        case State::await_d1:
            if (auto b = take_fixed(kD1Len)) {
                on_d1(*b);
                ++m_received;
            }
            return;
        case State::await_d2:
            if (auto b = take_fixed(kD2Len)) {
                on_d2(*b);
                ++m_received;
            }
            return;
        default: return;
    }
}

bool Endpoint::derive(const Secret<32>& shared, const ByteArray<32>& server_eph, const ByteArray<32>& client_eph) {
    DirectDeriver direct;
    Deriver& d = m_config.deriver != nullptr ? *m_config.deriver : direct;
    auto keys = derive_session_keys(m_config.profile, shared, server_eph, client_eph, d);
    if (!keys) {
        close(keys.failure());
        return false;
    }
    m_keys = std::move(*keys);
    ct::classify(m_keys->hmac_key.mut());
    ct::classify(m_keys->aes_key.mut());
    return true;
}

void Endpoint::establish() {
    m_channel.emplace(m_config.profile, *m_keys, m_config.quirks, m_config.utc_offset_seconds);
    m_state = State::established;
    m_authenticated = true;
}

// Server, upstream-v2 (§5): V3 on client_eph, then the (throttled) KDF, then sign and send H2.
void Endpoint::on_h1(const std::vector<Bytes>& f) {
    if (f[0].size() != 32) {
        close(Failure{Error::bad_length, 4, "V3: client_eph is not 32 bytes"});
        return;
    }
    m_peer_eph = to_array<32>(f[0]);
    auto ss = shared_secret(m_eph_secret, m_peer_eph);
    if (!ss) {
        close(Failure{ss.error(), 4, "V3/A1: all-zero shared secret"});
        return;
    }
    if (m_config.kdf_throttle && !m_config.quirks.unthrottled_kdf && !m_config.kdf_throttle->admit(m_clock.unix_seconds())) {
        close(fail(Error::rate_limited, "unauthenticated key derivations over the server's budget"));
        return;
    }
    m_shared = std::move(*ss);
    if (!derive(*m_shared, m_eph_public, m_peer_eph)) {
        return;
    }
    H2 h2;
    h2.server_eph = m_eph_public;
    h2.server_id = m_identity.public_key;
    h2.sig = crypto::ed25519_sign(m_identity, signed_transcript(Profile::upstream_v2, m_peer_eph, m_eph_public, {}));
    m_out.add(serialize(h2));
    m_state = State::await_h3;
}

// Client, upstream-v2: V4 signature, the pin (reference only), V5 on server_eph, KDF, H3.
void Endpoint::on_h2(const std::vector<Bytes>& f) {
    const Bytes transcript = concat({m_eph_public, f[0]});
    if (f[1].size() != 32 || !crypto::ed25519_verify(f[1], transcript, f[2])) {
        close(Failure{Error::bad_signature, 72, "V4: server signature"});
        return;
    }
    if (m_config.peer_identity && !m_config.quirks.no_identity_check &&
        !ct_equal(*m_config.peer_identity, f[1])) {
        close(Failure{Error::untrusted_identity, 40, "A7: server_id is not the pinned key"});
        return;
    }
    if (f[0].size() != 32) {
        close(Failure{Error::bad_length, 4, "V5: server_eph is not 32 bytes"});
        return;
    }
    m_peer_eph = to_array<32>(f[0]);
    auto ss = shared_secret(m_eph_secret, m_peer_eph);
    if (!ss) {
        close(Failure{ss.error(), 4, "V5/A1: all-zero shared secret"});
        return;
    }
    m_shared = std::move(*ss);
    if (!derive(*m_shared, m_peer_eph, m_eph_public)) {
        return;
    }
    m_h3_nonce = m_rng.array<12>();
    m_out.add(serialize(seal_confirm(m_keys->aes_key, m_h3_nonce)));
    m_state = State::await_h4;
}

// Server: V7 on H3, then H4 under a new nonce.
void Endpoint::on_h3(const std::vector<Bytes>& f) {
    if (f[0].size() != kConfirmPayloadLen) {
        close(Failure{Error::bad_mac, 4, "V7: confirmation is not 35 bytes"});
        return;
    }
    const Confirm c = *parse_confirm_payload(f[0], 4);
    auto r = open_confirm(m_keys->aes_key, c, 4);
    if (!r) {
        close(r.failure());
        return;
    }
    m_out.add(serialize(seal_confirm(m_keys->aes_key, m_rng.array<12>())));
    establish();
}

// Client: V7 on H4; the reference also refuses its own H3 coming back (A10).
void Endpoint::on_h4(const std::vector<Bytes>& f) {
    if (f[0].size() != kConfirmPayloadLen) {
        close(Failure{Error::bad_mac, 4, "V7: confirmation is not 35 bytes"});
        return;
    }
    const Confirm c = *parse_confirm_payload(f[0], 4);
    if (!m_config.quirks.accept_reflected_confirmation && c.nonce == m_h3_nonce) {
        close(Failure{Error::replay, 4, "A10: H4 is the client's own H3"});
        return;
    }
    auto r = open_confirm(m_keys->aes_key, c, 4);
    if (!r) {
        close(r.failure());
        return;
    }
    establish();
}

// Client, described: pin, then server_eph, then sign and send D2, then KDF.
void Endpoint::on_d1(ByteView b) {
    const D1 d1 = *parse_d1(b);
    if (!m_config.quirks.no_identity_check &&
        (!m_config.peer_identity || !ct_equal(*m_config.peer_identity, d1.server_id))) {
        close(Failure{Error::untrusted_identity, 32, "server_id is not the pinned key"});
        return;
    }
    m_peer_eph = d1.server_eph;
    auto ss = shared_secret(m_eph_secret, m_peer_eph);
    if (!ss) {
        close(Failure{ss.error(), 0, "A1: all-zero shared secret"});
        return;
    }
    m_shared = std::move(*ss);
    D2 d2;
    d2.client_eph = m_eph_public;
    d2.sig = crypto::ed25519_sign(m_identity, signed_transcript(Profile::described, m_eph_public, d1.server_eph, d1.server_id));
    m_out.add(serialize(d2));
    if (!derive(*m_shared, m_peer_eph, m_eph_public)) {
        return;
    }
    establish();
}

// Server, described: client_eph, then the signature under the provisioned key, then KDF.
void Endpoint::on_d2(ByteView b) {
    const D2 d2 = *parse_d2(b);
    m_peer_eph = d2.client_eph;
    auto ss = shared_secret(m_eph_secret, m_peer_eph);
    if (!ss) {
        close(Failure{ss.error(), 0, "A1: all-zero shared secret"});
        return;
    }
    const Bytes transcript = signed_transcript(Profile::described, d2.client_eph, m_eph_public, m_identity.public_key);
    if (!m_config.peer_identity) {
        close(fail(Error::untrusted_identity, "no client key provisioned"));
        return;
    }
    if (!crypto::ed25519_verify(*m_config.peer_identity, transcript, d2.sig)) {
        close(Failure{Error::bad_signature, 32, "client signature"});
        return;
    }
    m_shared = std::move(*ss);
    if (!derive(*m_shared, m_eph_public, m_peer_eph)) {
        return;
    }
    establish();
}

// ---------------------------------------------------------------------------------------------
// Records

void Endpoint::step_records() {
    if (!m_pending_header) {
        if (m_in.size() - m_in_pos < kHeaderLen) {
            return;
        }
        auto h = parse_record_header(ByteView(m_in).subspan(m_in_pos, kHeaderLen));
        if (!h) {
            close(h.failure());
            return;
        }
        m_pending_header = *h;
    }
    const std::size_t need = kHeaderLen + m_pending_header->payload_len;
    if (m_in.size() - m_in_pos < need) {
        return;
    }
    const ByteView rec = ByteView(m_in).subspan(m_in_pos, need);
    auto in = m_channel->open(*m_pending_header, rec.first(kHeaderLen), rec.subspan(kHeaderLen), m_clock);
    m_pending_header.reset();
    m_in_pos += need;
    m_consumed += need;
    if (!in) {
        close(in.failure());
        return;
    }
    on_inbound(std::move(*in));
    ++m_received;
}

void Endpoint::send_message(MsgType t, json::Value payload) {
    Message m;
    m.type = t;
    m.payload = std::move(payload);
    m_out.add(m_channel->seal_message(std::move(m), m_rng, m_clock));
}

void Endpoint::event(std::string what, std::string filename, bool ok, std::string detail) {
    m_events.push_back(TransferEvent{std::move(what), std::move(filename), ok, std::move(detail)});
}

void Endpoint::on_inbound(Inbound in) {
    if (in.type == PayloadType::data) {
        on_data(in);
        return;
    }
    on_message(*in.message);
}

void Endpoint::on_message(const Message& m) {
    // Payloads of the types this end acts on are checked strictly; a malformed one closes.
    auto bad_payload = [&](const Failure& f) { close(Failure{f.code, kHeaderLen, f.detail}); };
    const bool server = m_config.role == Role::acceptor;
    switch (m.type) {
        case MsgType::ping:
            if (server) {
                send_message(MsgType::pong, json::Value::make_object({}));
            }
            return;
        case MsgType::pong:
            if (!server && m_awaiting_pong) {
                m_awaiting_pong = false;
                event("pong", "", true);
            }
            return;
        case MsgType::list_files_request:
            if (server) {
                ListFilesResponse r;
                if (m_config.store == nullptr) {
                    r.error = "No storage";
                } else {
                    for (const auto& [name, size] : m_config.store->list()) {
                        r.files.push_back(FileEntry{name, static_cast<std::int64_t>(size)});
                    }
                }
                send_message(MsgType::list_files_response, to_json(r));
            }
            return;
        case MsgType::list_files_response: {
            if (server || !m_awaiting_list) {
                return;
            }
            auto r = parse_list_files_response(m.payload);
            if (!r) {
                bad_payload(r.failure());
                return;
            }
            m_awaiting_list = false;
            std::string listing;
            for (const auto& f : r->files) {
                listing += f.name + ":" + std::to_string(f.size) + ";";
            }
            event("list", "", !r->error, r->error.value_or(listing));
            return;
        }
        case MsgType::file_header: {
            auto h = parse_file_header(m.payload);
            if (!h) {
                bad_payload(h.failure());
                return;
            }
            on_file_header(*h);
            return;
        }
        case MsgType::file_complete: {
            auto c = parse_file_complete(m.payload);
            if (!c) {
                bad_payload(c.failure());
                return;
            }
            on_file_complete(*c);
            return;
        }
        case MsgType::download_file_request: {
            if (!server) {
                return;
            }
            auto r = parse_download_file_request(m.payload);
            if (!r) {
                bad_payload(r.failure());
                return;
            }
            on_download_request(*r);
            return;
        }
        case MsgType::file_resume_ack: {
            auto a = parse_file_resume_ack(m.payload);
            if (!a) {
                bad_payload(a.failure());
                return;
            }
            on_resume_ack(*a);
            return;
        }
        case MsgType::file_ack: {
            auto a = parse_file_ack(m.payload);
            if (!a) {
                bad_payload(a.failure());
                return;
            }
            on_file_ack(*a);
            return;
        }
        case MsgType::key_rotation:
        case MsgType::auth:
            // Pass the schema, have no handler (§3.4).
            return;
    }
}

// A file arriving: the server's upload, the client's answer to its own download request.
void Endpoint::on_file_header(const FileHeader& h) {
    const bool server = m_config.role == Role::acceptor;
    if (!server) {
        if (!m_download_request || *m_download_request != h.filename) {
            return;  // not asked for
        }
        m_download_request.reset();
    }
    if (static_cast<std::uint64_t>(h.total_size) > kMaxFileSize) {
        // A27: refuse, say so, close.
        send_message(MsgType::file_ack, to_json(FileAck{h.filename, std::string(kFileTooLarge)}));
        if (!server) {
            event("download", h.filename, false, std::string(kFileTooLarge));
        }
        close(Failure{Error::oversize, kHeaderLen, "A27: total_size over 10 GiB"}, "file_ack error: File too large");
        return;
    }
    auto name = sanitize_filename(h.filename);
    if (!name || m_config.store == nullptr) {
        send_message(MsgType::file_ack, to_json(FileAck{h.filename, std::string(kInvalidName)}));
        if (!server) {
            event("download", h.filename, false, std::string(kInvalidName));
        }
        return;
    }
    Incoming in;
    in.filename = *name;
    in.total_size = static_cast<std::uint64_t>(h.total_size);
    in.hash = h.hash;
    const auto existing = m_config.store->size(*name);
    if (existing && *existing < in.total_size) {
        in.next_offset = *existing;  // resume
        in.resumed = *existing > 0;
    } else if (!m_config.store->create(*name)) {
        send_message(MsgType::file_ack, to_json(FileAck{h.filename, std::string(kInvalidName)}));
        return;
    }
    m_incoming = in;
    send_message(MsgType::file_resume_ack,
                 to_json(FileResumeAck{h.filename, static_cast<std::int64_t>(in.next_offset)}));
}

void Endpoint::on_data(const Inbound& in) {
    if (!m_incoming) {
        return;  // A1: no transfer active, discarded
    }
    const std::uint64_t off = in.header.offset;
    const std::uint64_t len = in.data.size();
    std::uint64_t at = m_incoming->next_offset;
    if (m_config.quirks.no_data_bounds) {
        // Deployed: a fresh file is written where the record says, a resumed one appended.
        at = m_incoming->resumed ? m_incoming->next_offset : off;
    } else {
        if (off != m_incoming->next_offset) {
            close(Failure{Error::bad_sequence, 9, "A25: DATA offset is not the next byte of the file"});
            return;
        }
        if (len > m_incoming->total_size - off) {
            close(Failure{Error::oversize, 17, "A25: DATA beyond total_size"});
            return;
        }
    }
    if (!m_config.store->write_at(m_incoming->filename, at, in.data)) {
        close(Failure{Error::oversize, 9, "write refused by the sandbox"});
        return;
    }
    m_incoming->next_offset = std::max(m_incoming->next_offset, at + len);
}

void Endpoint::on_file_complete(const FileComplete& c) {
    const bool server = m_config.role == Role::acceptor;
    if (!m_incoming || m_incoming->filename != c.filename) {
        return;  // A1
    }
    const Incoming in = *m_incoming;
    m_incoming.reset();
    if (c.error) {
        if (!server) {
            event("download", in.filename, false, *c.error);
        }
        return;  // the sender gave up; the partial file stays for a resume
    }
    const auto digest = m_config.store->sha256(in.filename);
    const auto size = m_config.store->size(in.filename);
    const bool good = digest && size && *size == in.total_size &&
                      static_cast<std::uint64_t>(*c.total_size) == in.total_size && to_hex(*digest) == in.hash;
    if (good) {
        send_message(MsgType::file_ack, to_json(FileAck{in.filename, std::nullopt}));
        event(server ? "received" : "download", in.filename, true);
        return;
    }
    // A3: delete, say which end found it.
    m_config.store->remove(in.filename);
    const std::string err = server ? "Hash mismatch on server" : "Hash mismatch on client";
    send_message(MsgType::file_ack, to_json(FileAck{in.filename, err}));
    event(server ? "received" : "download", in.filename, false, err);
}

// Server: A2/A28, a name that sanitising would change, or a missing file, is refused.
void Endpoint::on_download_request(const DownloadFileRequest& r) {
    auto name = sanitize_filename(r.filename);
    if (!name || m_config.store == nullptr || !m_config.store->size(*name) || m_outgoing) {
        send_message(MsgType::file_ack, to_json(FileAck{r.filename, std::string(kNotFound)}));
        event("served", r.filename, false, std::string(kNotFound));
        return;
    }
    const auto digest = m_config.store->sha256(*name);
    FileHeader h;
    h.filename = *name;
    h.total_size = static_cast<std::int64_t>(*m_config.store->size(*name));
    h.hash = digest ? to_hex(*digest) : std::string(64, '0');
    h.timestamp = format_utc_timestamp(static_cast<std::int64_t>(m_clock.unix_seconds()));
    send_message(MsgType::file_header, to_json(h));
    m_outgoing = Outgoing{*name, true};
}

void Endpoint::send_file(const std::string& filename, std::uint64_t offset) {
    const std::uint64_t size = m_config.store->size(filename).value_or(0);
    for (std::uint64_t at = offset; at < size; at += kChunkSize) {
        auto chunk = m_config.store->read(filename, at, kChunkSize);
        if (!chunk) {
            break;
        }
        m_out.add(m_channel->seal_data(at, *chunk, m_rng));
    }
    send_message(MsgType::file_complete, to_json(FileComplete{filename, static_cast<std::int64_t>(size), std::nullopt}));
}

void Endpoint::on_resume_ack(const FileResumeAck& a) {
    const bool server = m_config.role == Role::acceptor;
    if (!m_outgoing || !m_outgoing->awaiting_resume_ack || a.filename != m_outgoing->filename) {
        return;
    }
    const std::uint64_t size = m_config.store->size(m_outgoing->filename).value_or(0);
    if (static_cast<std::uint64_t>(a.offset) > size) {
        // The receiver claims more than there is: abort this transfer.
        event(server ? "served" : "upload", m_outgoing->filename, false, "resume offset beyond the file");
        m_outgoing.reset();
        return;
    }
    m_outgoing->awaiting_resume_ack = false;
    send_file(m_outgoing->filename, static_cast<std::uint64_t>(a.offset));
}

void Endpoint::on_file_ack(const FileAck& a) {
    const bool server = m_config.role == Role::acceptor;
    if (m_outgoing) {
        if (m_outgoing->awaiting_resume_ack && !server) {
            // Anything but file_resume_ack aborts an upload (§5).
            event("upload", m_outgoing->filename, false, a.error.value_or("unexpected file_ack"));
            m_outgoing.reset();
            return;
        }
        if (!m_outgoing->awaiting_resume_ack) {
            event(server ? "served" : "upload", m_outgoing->filename, !a.error, a.error.value_or(""));
            m_outgoing.reset();
        }
        return;
    }
    if (!server && m_download_request) {
        // The server refused the download (A2).
        event("download", *m_download_request, false, a.error.value_or(""));
        m_download_request.reset();
    }
}

Result<void> Endpoint::ping() {
    if (m_state != State::established || m_config.role != Role::initiator) {
        return fail(Error::invalid_argument, "not an established client");
    }
    m_awaiting_pong = true;
    send_message(MsgType::ping, json::Value::make_object({}));
    return ok();
}

Result<void> Endpoint::list_files() {
    if (m_state != State::established || m_config.role != Role::initiator) {
        return fail(Error::invalid_argument, "not an established client");
    }
    m_awaiting_list = true;
    send_message(MsgType::list_files_request, json::Value::make_object({}));
    return ok();
}

Result<void> Endpoint::upload(const std::string& filename) {
    if (m_state != State::established || m_config.role != Role::initiator || transfer_active() ||
        m_download_request || m_config.store == nullptr) {
        return fail(Error::invalid_argument, "not an idle established client with a store");
    }
    const auto size = m_config.store->size(filename);
    const auto digest = m_config.store->sha256(filename);
    if (!size || !digest) {
        return fail(Error::invalid_argument, "no such file in the client's sandbox");
    }
    FileHeader h;
    h.filename = filename;
    h.total_size = static_cast<std::int64_t>(*size);
    h.hash = to_hex(*digest);
    h.timestamp = format_utc_timestamp(static_cast<std::int64_t>(m_clock.unix_seconds()));
    send_message(MsgType::file_header, to_json(h));
    m_outgoing = Outgoing{filename, true};
    return ok();
}

Result<void> Endpoint::download(const std::string& filename) {
    if (m_state != State::established || m_config.role != Role::initiator || transfer_active() ||
        m_download_request || m_config.store == nullptr) {
        return fail(Error::invalid_argument, "not an idle established client with a store");
    }
    send_message(MsgType::download_file_request, to_json(DownloadFileRequest{filename}));
    m_download_request = filename;
    return ok();
}

}  // namespace shakedown::sft
