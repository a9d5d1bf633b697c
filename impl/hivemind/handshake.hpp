// Sans-IO HiveMind handshake, server (acceptor) or client (initiator), on the common Machine
// interface (docs/protocols/hivemind.md, "State machines"). A transport unit is one WebSocket
// message prefixed with its opcode byte: 0x01 text, 0x02 binary.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/machine.hpp"
#include "common/rng.hpp"
#include "hivemind/auth.hpp"
#include "hivemind/binarize.hpp"
#include "hivemind/channel.hpp"
#include "hivemind/messages.hpp"
#include "hivemind/quirks.hpp"

namespace shakedown::hivemind {

inline constexpr std::uint8_t kOpText = 0x01;
inline constexpr std::uint8_t kOpBinary = 0x02;
[[nodiscard]] Bytes text_unit(std::string_view text);
[[nodiscard]] Bytes binary_unit(ByteView data);

// Idle limit while the handshake runs (the pinned client retries every 5 s).
inline constexpr std::uint32_t kIdleTimeoutMs = 5000;

enum class Mode : std::uint8_t { password, rsa, preshared };
[[nodiscard]] std::string_view to_string(Mode m) noexcept;
[[nodiscard]] std::optional<Mode> mode_from_string(std::string_view s) noexcept;

// Derives the password key; a test or vector run may cache it (PBKDF2 is the slow step).
using PasswordKdf = std::function<Result<SecretBytes>(std::string_view password, const Iv& salt,
                                                      std::uint32_t iterations)>;

// Client, RSA: the server keys trusted on first use and pinned afterwards, kept by the caller
// (a file, for `shakedown peer --known-servers`); the machine itself does no I/O and only asks.
class ServerKeyStore {
public:
    ServerKeyStore() = default;
    ServerKeyStore(const ServerKeyStore&) = delete;
    ServerKeyStore& operator=(const ServerKeyStore&) = delete;
    virtual ~ServerKeyStore() = default;
    // HELLO brought `server`'s key: a failure (untrusted_identity) refuses it, because another key
    // is known for this server.
    [[nodiscard]] virtual Result<void> check(const crypto::RsaKey& server) = 0;
    // The server proved it holds `server`'s private key (its signed envelope opened): trust the key
    // from now on. A failure ends the handshake (the key could not be kept).
    [[nodiscard]] virtual Result<void> record(const crypto::RsaKey& server) = 0;
};

struct Config {
    Role role = Role::initiator;  // initiator: client; acceptor: server
    Mode mode = Mode::password;
    std::string password;
    std::string crypto_key;         // pre-shared key, v0 (16, 24 or 32 characters)
    std::string own_key_pem;        // RSA private key: the server's identity; the client's in RSA mode
    std::string pinned_server_pem;  // client, RSA: empty means trust on first use
    std::shared_ptr<ServerKeyStore> known_servers;  // client, RSA: consulted after the pin (may be null)
    bool binarize = false;
    bool crypto_required = true;
    std::vector<std::string> encodings = kDefaultEncodings;  // offer / allowed, in preference order
    std::vector<std::string> ciphers = kDefaultCiphers;
    std::string peer = "shakedown::1::hivemind::default";
    std::string node_id = "master:0.0.0.0";
    std::string site_id = "unknown";
    Json session = Json::object();
    std::uint32_t pbkdf2_iterations = kPbkdf2Iterations;
    PasswordKdf kdf;  // empty: password_key()
    // Adversarial overrides; the reference never sets them.
    std::optional<std::string> envelope_override;  // send this envelope instead of our own
    Quirks quirks;
};

enum class State : std::uint8_t { idle, wait_hello, wait_params, wait_offer, wait_choice, wait_client_hello, done, closed };

// A message received after the handshake (decrypted where it was encrypted).
struct Received {
    HiveMessage message;
    bool encrypted = false;
};

class HiveMachine final : public Machine {
public:
    HiveMachine(Config config, Rng& rng, const Clock& clock);
    // Wipes the password, the pre-shared key and the private key PEM held in the config copy.
    ~HiveMachine() override;
    HiveMachine(const HiveMachine&) = delete;
    HiveMachine& operator=(const HiveMachine&) = delete;

    [[nodiscard]] Role role() const noexcept override { return m_config.role; }
    void start() override;
    void receive(ByteView input) override;
    void peer_closed() override;
    void idle_timeout() override;
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override;
    [[nodiscard]] Action next_action() const override;
    [[nodiscard]] std::vector<Bytes> take_output() override;
    void drain_output(OutputUnits& out) override;
    [[nodiscard]] bool authenticated() const noexcept override { return m_authenticated; }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_closure; }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override;

    [[nodiscard]] State state() const noexcept { return m_state; }
    [[nodiscard]] std::optional<Encoding> encoding() const noexcept { return m_encoding; }
    [[nodiscard]] std::optional<Cipher> cipher() const noexcept { return m_cipher; }
    [[nodiscard]] bool binarized() const noexcept { return m_binarize; }
    // Client, RSA: the server key it trusted (to pin on the next connection).
    [[nodiscard]] const std::string& server_pubkey() const noexcept { return m_server_pem; }
    [[nodiscard]] const std::vector<Received>& received() const noexcept { return m_received; }
    // Encrypts a message on the negotiated channel as this machine sends it (a transport unit).
    [[nodiscard]] Result<Bytes> seal_message(const HiveMessage& m);
    // Encrypts raw plaintext bytes (a frame of our own making) as a text or binary unit; for
    // adversarial drivers that need well-encrypted malformed content.
    [[nodiscard]] Result<Bytes> seal_raw(ByteView plaintext, bool binary);
    // Decrypts/parses one unit as this machine would after the handshake, without acting on it.
    [[nodiscard]] Result<Received> open_unit(ByteView unit) const;

private:
    void on_unit(ByteView unit);
    Result<void> client_hello_msg(const HiveMessage& m);
    Result<void> client_params_msg(const HiveMessage& m);
    Result<void> client_choice_msg(const HiveMessage& m);
    Result<void> server_offer_msg(const HiveMessage& m);
    Result<void> after_handshake(ByteView unit);
    Result<void> send_client_hello();
    Result<void> set_password_key(const Iv& peer_iv);
    Result<Received> open_text(ByteView text) const;
    void send_text(const HiveMessage& m);
    void close(Failure f, std::string sent = "close");

    Config m_config;
    Rng& m_rng;
    State m_state = State::idle;
    bool m_authenticated = false;
    std::size_t m_units = 0;
    OutputUnits m_out;
    std::optional<Closure> m_closure;

    std::optional<crypto::RsaKey> m_own_key;
    std::string m_own_pem;  // public part, as HELLO and the RSA offer carry it
    std::optional<crypto::RsaKey> m_peer_key;
    std::string m_server_pem;
    std::optional<ServerParams> m_params;  // client: what the server advertised
    Iv m_iv{};
    std::optional<Iv> m_peer_iv;
    std::string m_own_envelope;
    std::optional<Iv> m_salt;
    SecretBytes m_rsa_secret;
    SecretBytes m_key;
    bool m_have_key = false;
    std::optional<Encoding> m_encoding;
    std::optional<Cipher> m_cipher;
    bool m_binarize = false;
    std::vector<Received> m_received;
};

}  // namespace shakedown::hivemind
