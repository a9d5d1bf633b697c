// The SFT client (Role::initiator) and server (Role::acceptor) as one sans-IO machine per
// connection end (docs/protocols/sft.md §5, §7): the handshake of either profile, then the record
// layer and the file-transfer state machines. Randomness comes only from the injected Rng (the
// X25519 secret at construction, then each nonce when it is needed), time only from the Clock,
// files only through the injected FileStore.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/machine.hpp"
#include "common/rng.hpp"
#include "sft/channel.hpp"
#include "sft/files.hpp"
#include "sft/handshake_messages.hpp"
#include "sft/keys.hpp"
#include "sft/quirks.hpp"

namespace shakedown::sft {

// The reference's answer to the unauthenticated PBKDF2 (docs/protocols/sft.md §8): an
// upstream-v2 server admits at most `max` key derivations per `window` seconds across the
// connections that share this object; the rest are closed (rate_limited) before PBKDF2 runs.
class KdfThrottle {
public:
    explicit KdfThrottle(std::size_t max = kKdfBudget, std::uint64_t window_seconds = kKdfWindowSeconds)
        : m_max(max), m_window(window_seconds) {}
    [[nodiscard]] bool admit(std::uint64_t now);

private:
    std::size_t m_max;
    std::uint64_t m_window;
    std::deque<std::uint64_t> m_times;
};

struct Config {
    Role role = Role::initiator;  // initiator = client, acceptor = server
    Profile profile = Profile::upstream_v2;
    // Ed25519 seed of this end's identity: the server's (both profiles) or the described client's.
    // The upstream-v2 client has no identity that is ever used.
    ByteArray<32> identity_seed{};
    // described server: the provisioned client key (required). Client: the pinned server key
    // (required in described, optional in upstream-v2, where the deployed client checks nothing).
    std::optional<ByteArray<32>> peer_identity;
    // Naive local time = UTC + this offset, for the envelope timestamp (J6).
    std::int64_t utc_offset_seconds = 0;
    FileStore* store = nullptr;    // the sandbox; nullptr: no files
    Deriver* deriver = nullptr;    // nullptr: a fresh PBKDF2 per handshake
    std::shared_ptr<KdfThrottle> kdf_throttle;  // shared by a server's connections; nullptr: none
    // The overall handshake deadline (A5); the spec's 30 s unless a deployment sets it lower.
    std::uint32_t handshake_deadline_seconds = kHandshakeDeadlineSeconds;
    Quirks quirks;
};

enum class State : std::uint8_t { idle, await_h1, await_h2, await_h3, await_h4, await_d1, await_d2, established, closed };
[[nodiscard]] std::string_view to_string(State s) noexcept;

// What a transfer-layer exchange came to, in order (the transcript's "outcome").
struct TransferEvent {
    std::string what;      // "pong", "list", "upload", "download", "served", "received"
    std::string filename;
    bool ok = false;
    std::string detail;    // the error text, or the listing
    friend bool operator==(const TransferEvent&, const TransferEvent&) = default;
};

class Endpoint final : public Machine {
public:
    Endpoint(Config config, Rng& rng, const Clock& clock);

    [[nodiscard]] Role role() const noexcept override { return m_config.role; }
    void start() override;
    void receive(ByteView input) override;
    void peer_closed() override;
    void idle_timeout() override;
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override;
    [[nodiscard]] shakedown::Action next_action() const override;
    [[nodiscard]] std::vector<Bytes> take_output() override;
    void drain_output(OutputUnits& out) override;
    [[nodiscard]] bool authenticated() const noexcept override { return m_authenticated; }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_closure; }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override;
    [[nodiscard]] std::size_t pending_bytes() const noexcept override { return m_in.size() - m_in_pos; }

    // Client requests, once established; invalid_argument before, or while a transfer runs.
    [[nodiscard]] Result<void> ping();
    [[nodiscard]] Result<void> list_files();
    [[nodiscard]] Result<void> upload(const std::string& filename);
    [[nodiscard]] Result<void> download(const std::string& filename);

    [[nodiscard]] State state() const noexcept { return m_state; }
    [[nodiscard]] const std::vector<TransferEvent>& events() const noexcept { return m_events; }
    [[nodiscard]] bool transfer_active() const noexcept { return m_incoming.has_value() || m_outgoing.has_value(); }
    [[nodiscard]] const ByteArray<32>& eph_public() const noexcept { return m_eph_public; }
    [[nodiscard]] const ByteArray<32>& identity_public() const noexcept { return m_identity.public_key; }
    [[nodiscard]] const std::optional<SessionKeys>& keys() const noexcept { return m_keys; }
    [[nodiscard]] const Channel* channel() const noexcept { return m_channel ? &*m_channel : nullptr; }
    [[nodiscard]] std::size_t messages_received() const noexcept { return m_received; }

private:
    struct Incoming {  // a file arriving (server: upload; client: download)
        std::string filename;
        std::uint64_t total_size = 0;
        std::string hash;
        std::uint64_t next_offset = 0;
        bool resumed = false;
    };
    struct Outgoing {  // a file leaving (server: download; client: upload)
        std::string filename;
        bool awaiting_resume_ack = true;
    };

    void close(Failure f, std::string sent = {});
    bool deadline_passed();
    // upstream-v2 handshake fields: nullopt while more bytes are needed.
    std::optional<Result<std::vector<Bytes>>> take_fields(std::span<const std::uint32_t> expected);
    std::optional<Bytes> take_fixed(std::size_t n);
    void step_handshake();
    void step_records();

    void on_h1(const std::vector<Bytes>& f);
    void on_h2(const std::vector<Bytes>& f);
    void on_h3(const std::vector<Bytes>& f);
    void on_h4(const std::vector<Bytes>& f);
    void on_d1(ByteView b);
    void on_d2(ByteView b);
    bool derive(const Secret<32>& shared, const ByteArray<32>& server_eph, const ByteArray<32>& client_eph);
    void establish();

    void send_message(MsgType t, json::Value payload);
    void on_inbound(Inbound in);
    void on_message(const Message& m);
    void on_data(const Inbound& in);
    void on_file_header(const FileHeader& h);
    void on_file_complete(const FileComplete& c);
    void on_download_request(const DownloadFileRequest& r);
    void on_resume_ack(const FileResumeAck& a);
    void on_file_ack(const FileAck& a);
    void send_file(const std::string& filename, std::uint64_t offset);
    void event(std::string what, std::string filename, bool ok, std::string detail = {});

    Config m_config;
    Rng& m_rng;
    const Clock& m_clock;
    crypto::Ed25519KeyPair m_identity;
    Secret<32> m_eph_secret;
    ByteArray<32> m_eph_public{};
    ByteArray<32> m_peer_eph{};
    ByteArray<12> m_h3_nonce{};
    std::optional<Secret<32>> m_shared;
    std::optional<SessionKeys> m_keys;
    std::optional<Channel> m_channel;

    State m_state = State::idle;
    bool m_started = false;
    bool m_authenticated = false;
    std::uint64_t m_start_time = 0;
    Bytes m_in;
    std::size_t m_in_pos = 0;
    std::size_t m_consumed = 0;  // stream offset of m_in[m_in_pos]
    std::size_t m_received = 0;  // complete messages / records received
    std::optional<RecordHeader> m_pending_header;
    OutputUnits m_out;
    std::optional<Closure> m_closure;

    std::optional<Incoming> m_incoming;
    std::optional<Outgoing> m_outgoing;
    std::optional<std::string> m_download_request;  // client: asked for, header not yet seen
    bool m_awaiting_pong = false;
    bool m_awaiting_list = false;
    std::vector<TransferEvent> m_events;
};

}  // namespace shakedown::sft
