#include "vectors/gen/stellar/stellar_json.hpp"

namespace shakedown::vectors::stellar {

using namespace shakedown::stellar;

namespace {

template <std::size_t N>
Json hex(const ByteArray<N>& a) {
    return to_hex(a);
}
Json hex(const Bytes& b) { return to_hex(b); }

std::optional<ErrorCode> error_code_from_string(std::string_view s) {
    for (int i = 0; i <= static_cast<int>(ErrorCode::load); ++i) {
        if (to_string(static_cast<ErrorCode>(i)) == s) {
            return static_cast<ErrorCode>(i);
        }
    }
    return std::nullopt;
}

std::optional<MessageType> message_type_from_string(std::string_view s) {
    for (std::int32_t t = 0; t <= 24; ++t) {
        if (is_known_type(t) && to_string(static_cast<MessageType>(t)) == s) {
            return static_cast<MessageType>(t);
        }
    }
    return std::nullopt;
}

std::uint32_t u32(StrictObject& o, const std::string& key) {
    return static_cast<std::uint32_t>(o.integer(key, 0, UINT32_MAX));
}
std::int32_t i32(StrictObject& o, const std::string& key) {
    return static_cast<std::int32_t>(o.integer(key, INT32_MIN, INT32_MAX));
}

}  // namespace

Json to_json(const AuthCert& m) {
    Json j;
    j["pubkey"] = hex(m.pubkey);
    j["expiration"] = u64_json(m.expiration);
    j["sig"] = hex(m.sig);
    return j;
}

Json to_json(const Hello& m) {
    Json j;
    j["ledger_version"] = m.ledger_version;
    j["overlay_version"] = m.overlay_version;
    j["overlay_min_version"] = m.overlay_min_version;
    j["network_id"] = hex(m.network_id);
    j["version_str"] = m.version_str;
    j["listening_port"] = m.listening_port;
    j["peer_id"] = hex(m.peer_id);
    j["cert"] = to_json(m.cert);
    j["nonce"] = hex(m.nonce);
    return j;
}

Json to_json(const Auth& m) { return Json{{"flags", m.flags}}; }

Json to_json(const ErrorMsg& m) {
    Json j;
    j["code"] = std::string(to_string(m.code));
    j["msg"] = m.msg;
    return j;
}

Json to_json(const StellarMessage& m) {
    Json j;
    j["type"] = std::string(to_string(type_of(m)));
    j["body"] = std::visit(
        [](const auto& v) -> Json {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ErrorMsg> || std::is_same_v<T, Hello> || std::is_same_v<T, Auth>) {
                return to_json(v);
            } else if constexpr (std::is_same_v<T, Peers>) {
                Json list = Json::array();
                for (const auto& p : v.peers) {
                    Json e;
                    e["ip_type"] = p.ipv6 ? "IPv6" : "IPv4";
                    e["ip"] = hex(p.ip);
                    e["port"] = p.port;
                    e["num_failures"] = p.num_failures;
                    list.push_back(e);
                }
                return Json{{"peers", list}};
            } else if constexpr (std::is_same_v<T, SendMore>) {
                return Json{{"num_messages", v.num_messages}};
            } else if constexpr (std::is_same_v<T, SendMoreExtended>) {
                Json e;
                e["num_messages"] = v.num_messages;
                e["num_bytes"] = v.num_bytes;
                return e;
            } else if constexpr (std::is_same_v<T, GetScpState>) {
                return Json{{"ledger_seq", v.ledger_seq}};
            } else {
                return Json{{"raw", hex(v.body)}};
            }
        },
        m);
    return j;
}

Json to_json(const AuthenticatedMessage& m) {
    Json j;
    j["sequence"] = u64_json(m.sequence);
    j["message"] = to_json(m.message);
    j["mac"] = hex(m.mac);
    return j;
}

AuthCert auth_cert_from_json(StrictObject o) {
    AuthCert c;
    c.pubkey = o.hex_array<32>("pubkey");
    c.expiration = o.u64("expiration");
    c.sig = o.hex("sig");
    o.finish();
    return c;
}

Hello hello_from_json(StrictObject o) {
    Hello h;
    h.ledger_version = u32(o, "ledger_version");
    h.overlay_version = u32(o, "overlay_version");
    h.overlay_min_version = u32(o, "overlay_min_version");
    h.network_id = o.hex_array<32>("network_id");
    h.version_str = o.str("version_str");
    h.listening_port = i32(o, "listening_port");
    h.peer_id = o.hex_array<32>("peer_id");
    h.cert = auth_cert_from_json(o.object("cert"));
    h.nonce = o.hex_array<32>("nonce");
    o.finish();
    return h;
}

Auth auth_from_json(StrictObject o) {
    Auth a{i32(o, "flags")};
    o.finish();
    return a;
}

ErrorMsg error_from_json(StrictObject o) {
    const auto code = error_code_from_string(o.str("code"));
    if (!code) {
        throw VectorError(o.path() + ".code: unknown error code");
    }
    ErrorMsg e{*code, o.str("msg")};
    o.finish();
    return e;
}

StellarMessage stellar_message_from_json(StrictObject o) {
    const auto type = message_type_from_string(o.str("type"));
    if (!type) {
        throw VectorError(o.path() + ".type: unknown message type");
    }
    StrictObject b = o.object("body");
    StellarMessage m;
    switch (*type) {
        case MessageType::error_msg: m = error_from_json(b); break;
        case MessageType::hello: m = hello_from_json(b); break;
        case MessageType::auth: m = auth_from_json(b); break;
        case MessageType::peers: {
            Peers p;
            const Json& list = b.req("peers");
            if (!list.is_array()) {
                throw VectorError(b.path() + ".peers: expected an array");
            }
            for (std::size_t i = 0; i < list.size(); ++i) {
                StrictObject e(list[i], b.path() + ".peers[" + std::to_string(i) + "]");
                PeerAddress a;
                const std::string t = e.str("ip_type");
                if (t != "IPv4" && t != "IPv6") {
                    throw VectorError(e.path() + ".ip_type: expected IPv4 or IPv6");
                }
                a.ipv6 = t == "IPv6";
                a.ip = e.hex("ip");
                a.port = u32(e, "port");
                a.num_failures = u32(e, "num_failures");
                e.finish();
                p.peers.push_back(std::move(a));
            }
            b.finish();
            m = std::move(p);
            break;
        }
        case MessageType::send_more:
            m = SendMore{u32(b, "num_messages")};
            b.finish();
            break;
        case MessageType::send_more_extended: {
            SendMoreExtended s;
            s.num_messages = u32(b, "num_messages");
            s.num_bytes = u32(b, "num_bytes");
            b.finish();
            m = s;
            break;
        }
        case MessageType::get_scp_state:
            m = GetScpState{u32(b, "ledger_seq")};
            b.finish();
            break;
        default:
            m = OtherMessage{*type, b.hex("raw")};
            b.finish();
            break;
    }
    o.finish();
    return m;
}

AuthenticatedMessage authenticated_message_from_json(StrictObject o) {
    AuthenticatedMessage m;
    m.sequence = o.u64("sequence");
    m.message = stellar_message_from_json(o.object("message"));
    m.mac = o.hex_array<32>("mac");
    o.finish();
    return m;
}

Json to_json(const SideInputs& s) {
    Json j;
    j["node_seed"] = hex(s.node_seed);
    j["ecdh_secret"] = hex(s.ecdh_secret);
    j["nonce"] = hex(s.nonce);
    j["now"] = s.now;
    j["network_passphrase"] = s.network_passphrase;
    j["ledger_version"] = s.ledger_version;
    j["overlay_version"] = s.overlay_version;
    j["overlay_min_version"] = s.overlay_min_version;
    j["version_str"] = s.version_str;
    j["listening_port"] = s.listening_port;
    j["auth_flags"] = s.auth_flags;
    if (s.cert_pubkey) {
        j["cert_pubkey"] = hex(*s.cert_pubkey);
    }
    if (s.cert_expiration) {
        j["cert_expiration"] = u64_json(*s.cert_expiration);
    }
    if (s.cert_network_passphrase) {
        j["cert_network_passphrase"] = *s.cert_network_passphrase;
    }
    if (s.cert_sig) {
        j["cert_sig"] = hex(*s.cert_sig);
    }
    if (s.peer_id) {
        j["peer_id"] = hex(*s.peer_id);
    }
    if (!s.connected_peers.empty()) {
        Json list = Json::array();
        for (const auto& p : s.connected_peers) {
            list.push_back(hex(p));
        }
        j["connected_peers"] = list;
    }
    return j;
}

SideInputs side_from_json(StrictObject o) {
    SideInputs s;
    s.node_seed = o.hex_array<32>("node_seed");
    s.ecdh_secret = o.hex_array<32>("ecdh_secret");
    s.nonce = o.hex_array<32>("nonce");
    s.now = static_cast<std::uint64_t>(o.integer("now", 0, INT64_MAX));
    s.network_passphrase = o.str("network_passphrase");
    s.ledger_version = u32(o, "ledger_version");
    s.overlay_version = u32(o, "overlay_version");
    s.overlay_min_version = u32(o, "overlay_min_version");
    s.version_str = o.str("version_str");
    s.listening_port = i32(o, "listening_port");
    s.auth_flags = i32(o, "auth_flags");
    if (o.opt("cert_pubkey") != nullptr) {
        s.cert_pubkey = o.hex_array<32>("cert_pubkey");
    }
    if (o.opt("cert_expiration") != nullptr) {
        s.cert_expiration = o.u64("cert_expiration");
    }
    if (o.opt("cert_network_passphrase") != nullptr) {
        s.cert_network_passphrase = o.str("cert_network_passphrase");
    }
    if (o.opt("cert_sig") != nullptr) {
        s.cert_sig = o.hex("cert_sig");
    }
    if (o.opt("peer_id") != nullptr) {
        s.peer_id = o.hex_array<32>("peer_id");
    }
    if (const Json* list = o.opt("connected_peers"); list != nullptr) {
        if (!list->is_array()) {
            throw VectorError(o.path() + ".connected_peers: expected an array");
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            const Bytes b = hex_value((*list)[i], o.path() + ".connected_peers[" + std::to_string(i) + "]");
            if (b.size() != 32) {
                throw VectorError(o.path() + ".connected_peers: expected 32-byte node IDs");
            }
            ByteArray<32> id{};
            std::copy(b.begin(), b.end(), id.begin());
            s.connected_peers.push_back(id);
        }
    }
    o.finish();
    return s;
}

Json to_json(const Mutation& m) {
    Json j;
    j["message"] = m.message;
    j["op"] = std::string(to_string(m.op));
    switch (m.op) {
        case MutationOp::flip_bit: j["bit"] = m.value; break;
        case MutationOp::set_header: j["value"] = m.value; break;
        case MutationOp::truncate: j["length"] = m.value; break;
        case MutationOp::resequence: j["sequence"] = u64_json(m.value); break;
        case MutationOp::append:
        case MutationOp::inject_before:
        case MutationOp::replace: j["hex"] = to_hex(m.data); break;
        case MutationOp::drop:
        case MutationOp::duplicate: break;
    }
    return j;
}

Mutation mutation_from_json(StrictObject o) {
    Mutation m;
    m.message = static_cast<std::size_t>(o.integer("message", 0, 1 << 20));
    const auto op = mutation_op_from_string(o.str("op"));
    if (!op) {
        throw VectorError(o.path() + ".op: unknown mutation op");
    }
    m.op = *op;
    switch (m.op) {
        case MutationOp::flip_bit: m.value = static_cast<std::uint64_t>(o.integer("bit", 0, 1LL << 40)); break;
        case MutationOp::set_header: m.value = static_cast<std::uint64_t>(o.integer("value", 0, UINT32_MAX)); break;
        case MutationOp::truncate: m.value = static_cast<std::uint64_t>(o.integer("length", 0, 1LL << 40)); break;
        case MutationOp::resequence: m.value = o.u64("sequence"); break;
        case MutationOp::append:
        case MutationOp::inject_before:
        case MutationOp::replace: m.data = o.hex("hex"); break;
        case MutationOp::drop:
        case MutationOp::duplicate: break;
    }
    o.finish();
    return m;
}

namespace {
Json outcome_json(const SideOutcome& o) {
    Json j;
    j["state"] = o.state;
    if (o.error) {
        j["error"] = std::string(to_string(*o.error));
    }
    if (o.at_message) {
        j["at_message"] = *o.at_message;
    }
    if (o.response) {
        j["response"] = *o.response;
    }
    if (o.shared_key) {
        j["shared_key"] = hex(*o.shared_key);
        j["send_mac_key"] = hex(*o.send_mac_key);
        j["recv_mac_key"] = hex(*o.recv_mac_key);
    }
    return j;
}
}  // namespace

Json to_json(const TranscriptResult& r) {
    Json j;
    Json msgs = Json::array();
    for (const auto& m : r.messages) {
        Json e;
        e["from"] = std::string(to_string(m.from));
        e["type"] = m.type;
        e["wire"] = hex(m.wire);
        if (m.delivered) {
            Json d = Json::array();
            for (const auto& x : *m.delivered) {
                d.push_back(hex(x));
            }
            e["delivered"] = d;
        }
        msgs.push_back(e);
    }
    j["messages"] = msgs;
    j["initiator"] = outcome_json(r.initiator);
    j["acceptor"] = outcome_json(r.acceptor);
    return j;
}

}  // namespace shakedown::vectors::stellar
