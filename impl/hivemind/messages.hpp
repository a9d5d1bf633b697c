// HiveMessage and the payloads of the five handshake messages (docs/protocols/hivemind.md,
// "Messages"). Parsers are strict on the HiveMessage envelope (unknown keys, wrong types) and on
// the types of the payload fields they read; payload keys they do not read are ignored, as the
// pinned upstream ignores them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hivemind/json.hpp"

namespace shakedown::hivemind {

struct HiveMessage {
    std::string msg_type;
    Json payload = Json::object();
    Json metadata = Json::object();
    Json route = Json::array();
    Json node;
    Json target_site_id;
    Json target_pubkey;
    Json source_peer;
};
[[nodiscard]] bool operator==(const HiveMessage& a, const HiveMessage& b);

// {"msg_type", "payload", "metadata", "route", "node", "target_site_id", "target_pubkey",
// "source_peer"} in that order, Python json.dumps style.
[[nodiscard]] std::string serialize_message(const HiveMessage& m);
// A JSON object; msg_type (string) required, the other seven optional with the defaults above.
// unknown_type for an unknown key, wrong_type for a field of the wrong type (payload and metadata
// objects, route an array, the rest string or null).
[[nodiscard]] Result<HiveMessage> parse_message(ByteView text, const JsonLimits& limits = {});
[[nodiscard]] Result<HiveMessage> message_from_json(const Json& j);
[[nodiscard]] Result<HiveMessage> message_from_json(Json&& j);  // moves the fields out of `j`

inline const std::vector<std::string> kDefaultEncodings = {"JSON-B91", "JSON-Z85B", "JSON-Z85P", "JSON-B64",
                                                           "JSON-URLSAFE-B64", "JSON-B32", "JSON-HEX"};
inline const std::vector<std::string> kDefaultCiphers = {"AES-GCM"};

// 1. S->C HELLO.
struct ServerHello {
    std::string pubkey;
    std::optional<std::string> peer;
    std::string node_id;
    friend bool operator==(const ServerHello&, const ServerHello&) = default;
};
// 2. S->C HANDSHAKE (connection parameters).
struct ServerParams {
    bool handshake = true;
    std::int64_t min_protocol_version = 1;
    std::int64_t max_protocol_version = 1;
    bool binarize = false;
    bool preshared_key = false;
    bool password = true;
    bool crypto_required = true;
    std::vector<std::string> encodings = kDefaultEncodings;
    std::vector<std::string> ciphers = kDefaultCiphers;
    friend bool operator==(const ServerParams&, const ServerParams&) = default;
};
// 3. C->S HANDSHAKE: exactly one of envelope (password) and pubkey (RSA).
struct ClientOffer {
    bool binarize = false;
    std::vector<std::string> encodings = {"JSON-HEX"};
    std::vector<std::string> ciphers = {"AES-GCM"};
    std::optional<std::string> envelope;
    std::optional<std::string> pubkey;
    friend bool operator==(const ClientOffer&, const ClientOffer&) = default;
};
// 4. S->C HANDSHAKE: the server's envelope and choices (missing: JSON-HEX / AES-GCM).
struct ServerChoice {
    std::string envelope;
    std::optional<std::string> encoding;
    std::optional<std::string> cipher;
    friend bool operator==(const ServerChoice&, const ServerChoice&) = default;
};
// 5. C->S HELLO (encrypted).
struct ClientHello {
    std::string pubkey;
    Json session = Json::object();
    std::string site_id;
};
[[nodiscard]] bool operator==(const ClientHello& a, const ClientHello& b);

[[nodiscard]] Json to_json(const ServerHello& p);
[[nodiscard]] Json to_json(const ServerParams& p);
[[nodiscard]] Json to_json(const ClientOffer& p);
[[nodiscard]] Json to_json(const ServerChoice& p);
[[nodiscard]] Json to_json(const ClientHello& p);
[[nodiscard]] Result<ServerHello> server_hello_from(const Json& payload);
[[nodiscard]] Result<ServerParams> server_params_from(const Json& payload);
[[nodiscard]] Result<ClientOffer> client_offer_from(const Json& payload);
[[nodiscard]] Result<ServerChoice> server_choice_from(const Json& payload);
[[nodiscard]] Result<ClientHello> client_hello_from(const Json& payload);

// The upgrade request's ?authorization= value: standard padded base64 of "useragent:access_key"
// (strict base64, UTF-8, a ':' required; the access key is what follows the first ':').
struct Authorization {
    std::string useragent;
    std::string access_key;
    friend bool operator==(const Authorization&, const Authorization&) = default;
};
[[nodiscard]] std::string write_authorization(const Authorization& a);
[[nodiscard]] Result<Authorization> parse_authorization(std::string_view value);

}  // namespace shakedown::hivemind
