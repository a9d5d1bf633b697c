#include "stellar/codec.hpp"

#include "stellar/xdr.hpp"

namespace shakedown::stellar {

namespace {

// Parse a whole span with one streaming reader and insist every byte is consumed.
template <class T, class F>
Result<T> parse_all(ByteView in, F read) {
    Reader r(in);
    SK_TRY(T v, read(r));
    SK_CHECK(r.expect_done());
    return v;
}

template <class F>
Bytes write_all(F write) {
    Writer w;
    write(w);
    return std::move(w).take();
}

Result<ByteArray<32>> read_node_id(Reader& r) {
    SK_TRY(const std::int32_t key_type, r.read_i32be());
    if (key_type != kPublicKeyTypeEd25519) {
        return r.fail_here(Error::unknown_type, "NodeID key type is not ED25519", 4);
    }
    return xdr::read_fixed_opaque<32>(r);
}

Result<Auth> read_auth(Reader& r) {
    SK_TRY(const std::int32_t flags, r.read_i32be());
    return Auth{flags};
}

Result<ErrorMsg> read_error(Reader& r) {
    SK_TRY(const std::int32_t code, r.read_i32be());
    if (code < 0 || code > static_cast<std::int32_t>(ErrorCode::load)) {
        return r.fail_here(Error::unknown_type, "unknown ErrorCode", 4);
    }
    SK_TRY(std::string msg, xdr::read_string(r, kMaxErrorMsg));
    return ErrorMsg{static_cast<ErrorCode>(code), std::move(msg)};
}

Result<PeerAddress> read_peer_address(Reader& r) {
    PeerAddress a;
    SK_TRY(const std::int32_t ip_type, r.read_i32be());
    if (ip_type == 0) {
        SK_TRY(const auto ip, r.read_array<4>());
        a.ip.assign(ip.begin(), ip.end());
    } else if (ip_type == 1) {
        SK_TRY(const auto ip, r.read_array<16>());
        a.ipv6 = true;
        a.ip.assign(ip.begin(), ip.end());
    } else {
        return r.fail_here(Error::unknown_type, "unknown IPAddrType", 4);
    }
    SK_TRY(a.port, r.read_u32be());
    SK_TRY(a.num_failures, r.read_u32be());
    return a;
}

Result<Peers> read_peers(Reader& r) {
    SK_TRY(const std::uint32_t count, r.read_u32be());
    if (count > kMaxPeers) {
        return r.fail_here(Error::bad_length, "more than 100 peers", 4);
    }
    Peers p;
    p.peers.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        SK_TRY(auto a, read_peer_address(r));
        p.peers.push_back(std::move(a));
    }
    return p;
}

Result<SendMoreExtended> read_send_more_extended(Reader& r) {
    SendMoreExtended m;
    SK_TRY(m.num_messages, r.read_u32be());
    SK_TRY(m.num_bytes, r.read_u32be());
    return m;
}

void write_peers(Writer& w, const Peers& p) {
    w.put_u32be(static_cast<std::uint32_t>(p.peers.size()));
    for (const auto& a : p.peers) {
        w.put_i32be(a.ipv6 ? 1 : 0);
        w.put_bytes(a.ip);
        w.put_u32be(a.port);
        w.put_u32be(a.num_failures);
    }
}

}  // namespace

namespace detail {

Result<AuthCert> read_auth_cert(Reader& r) {
    AuthCert c;
    SK_TRY(c.pubkey, xdr::read_fixed_opaque<32>(r));
    SK_TRY(c.expiration, r.read_u64be());
    SK_TRY(const ByteView sig, xdr::read_var_opaque(r, kMaxSignature));
    c.sig.assign(sig.begin(), sig.end());
    return c;
}

Result<Hello> read_hello(Reader& r) {
    Hello h;
    SK_TRY(h.ledger_version, r.read_u32be());
    SK_TRY(h.overlay_version, r.read_u32be());
    SK_TRY(h.overlay_min_version, r.read_u32be());
    SK_TRY(h.network_id, xdr::read_fixed_opaque<32>(r));
    SK_TRY(h.version_str, xdr::read_string(r, kMaxVersionStr));
    SK_TRY(h.listening_port, r.read_i32be());
    SK_TRY(h.peer_id, read_node_id(r));
    SK_TRY(h.cert, read_auth_cert(r));
    SK_TRY(h.nonce, xdr::read_fixed_opaque<32>(r));
    return h;
}

// `trailer` is how many bytes after the message belong to the enclosing structure (the MAC of an
// AuthenticatedMessage); only arms kept undecoded need it to find their end.
Result<StellarMessage> read_stellar_message(Reader& r, std::size_t trailer) {
    SK_TRY(const std::int32_t raw_type, r.read_i32be());
    if (!is_known_type(raw_type)) {
        return r.fail_here(Error::unknown_type, "unknown or removed MessageType", 4);
    }
    switch (static_cast<MessageType>(raw_type)) {
        case MessageType::error_msg: {
            SK_TRY(auto m, read_error(r));
            return StellarMessage{std::move(m)};
        }
        case MessageType::hello: {
            SK_TRY(auto m, read_hello(r));
            return StellarMessage{std::move(m)};
        }
        case MessageType::auth: {
            SK_TRY(auto m, read_auth(r));
            return StellarMessage{m};
        }
        case MessageType::peers: {
            SK_TRY(auto m, read_peers(r));
            return StellarMessage{std::move(m)};
        }
        case MessageType::send_more: {
            SK_TRY(const std::uint32_t n, r.read_u32be());
            return StellarMessage{SendMore{n}};
        }
        case MessageType::send_more_extended: {
            SK_TRY(auto m, read_send_more_extended(r));
            return StellarMessage{m};
        }
        case MessageType::get_scp_state: {
            SK_TRY(const std::uint32_t n, r.read_u32be());
            return StellarMessage{GetScpState{n}};
        }
        default: {
            if (r.remaining() < trailer) {
                // Like every truncation, located at the end of the input.
                return Failure{Error::truncated, r.offset() + r.remaining(), "message body shorter than its trailer"};
            }
            SK_TRY(const ByteView body, r.read_bytes(r.remaining() - trailer));
            return StellarMessage{OtherMessage{static_cast<MessageType>(raw_type), Bytes(body.begin(), body.end())}};
        }
    }
}

void write_auth_cert(Writer& w, const AuthCert& m) {
    xdr::write_fixed_opaque(w, m.pubkey);
    w.put_u64be(m.expiration);
    xdr::write_var_opaque(w, m.sig);
}

void write_hello(Writer& w, const Hello& m) {
    w.put_u32be(m.ledger_version);
    w.put_u32be(m.overlay_version);
    w.put_u32be(m.overlay_min_version);
    xdr::write_fixed_opaque(w, m.network_id);
    xdr::write_string(w, m.version_str);
    w.put_i32be(m.listening_port);
    w.put_i32be(kPublicKeyTypeEd25519);
    xdr::write_fixed_opaque(w, m.peer_id);
    write_auth_cert(w, m.cert);
    xdr::write_fixed_opaque(w, m.nonce);
}

void write_stellar_message(Writer& w, const StellarMessage& m) {
    w.put_i32be(static_cast<std::int32_t>(type_of(m)));
    std::visit(
        [&w](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, ErrorMsg>) {
                w.put_i32be(static_cast<std::int32_t>(v.code));
                xdr::write_string(w, v.msg);
            } else if constexpr (std::is_same_v<T, Hello>) {
                write_hello(w, v);
            } else if constexpr (std::is_same_v<T, Auth>) {
                w.put_i32be(v.flags);
            } else if constexpr (std::is_same_v<T, Peers>) {
                write_peers(w, v);
            } else if constexpr (std::is_same_v<T, SendMore>) {
                w.put_u32be(v.num_messages);
            } else if constexpr (std::is_same_v<T, SendMoreExtended>) {
                w.put_u32be(v.num_messages);
                w.put_u32be(v.num_bytes);
            } else if constexpr (std::is_same_v<T, GetScpState>) {
                w.put_u32be(v.ledger_seq);
            } else {
                w.put_bytes(v.body);
            }
        },
        m);
}

}  // namespace detail

Result<AuthCert> parse_auth_cert(ByteView in) { return parse_all<AuthCert>(in, detail::read_auth_cert); }
Result<Hello> parse_hello(ByteView in) { return parse_all<Hello>(in, detail::read_hello); }
Result<Auth> parse_auth(ByteView in) { return parse_all<Auth>(in, read_auth); }
Result<ErrorMsg> parse_error(ByteView in) { return parse_all<ErrorMsg>(in, read_error); }
Result<Peers> parse_peers(ByteView in) { return parse_all<Peers>(in, read_peers); }
Result<SendMoreExtended> parse_send_more_extended(ByteView in) {
    return parse_all<SendMoreExtended>(in, read_send_more_extended);
}

Result<StellarMessage> parse_stellar_message(ByteView in) {
    return parse_all<StellarMessage>(in, [](Reader& r) { return detail::read_stellar_message(r, 0); });
}

Result<AuthenticatedMessage> parse_authenticated_message(ByteView in) {
    return parse_all<AuthenticatedMessage>(in, [](Reader& r) -> Result<AuthenticatedMessage> {
        SK_TRY(const std::uint32_t v, r.read_u32be());
        if (v != 0) {
            return r.fail_here(Error::unknown_type, "AuthenticatedMessage version is not 0", 4);
        }
        AuthenticatedMessage m;
        SK_TRY(m.sequence, r.read_u64be());
        SK_TRY(m.message, detail::read_stellar_message(r, 32));
        SK_TRY(m.mac, r.read_array<32>());
        return m;
    });
}

Bytes serialize(const AuthCert& m) { return write_all([&](Writer& w) { detail::write_auth_cert(w, m); }); }
Bytes serialize(const Hello& m) { return write_all([&](Writer& w) { detail::write_hello(w, m); }); }
Bytes serialize(const Auth& m) { return write_all([&](Writer& w) { w.put_i32be(m.flags); }); }
Bytes serialize(const ErrorMsg& m) {
    return write_all([&](Writer& w) {
        w.put_i32be(static_cast<std::int32_t>(m.code));
        xdr::write_string(w, m.msg);
    });
}
Bytes serialize(const Peers& m) { return write_all([&](Writer& w) { write_peers(w, m); }); }
Bytes serialize(const SendMoreExtended& m) {
    return write_all([&](Writer& w) {
        w.put_u32be(m.num_messages);
        w.put_u32be(m.num_bytes);
    });
}
Bytes serialize(const StellarMessage& m) { return write_all([&](Writer& w) { detail::write_stellar_message(w, m); }); }
Bytes serialize(const AuthenticatedMessage& m) {
    return write_all([&](Writer& w) {
        w.put_u32be(0);
        w.put_u64be(m.sequence);
        detail::write_stellar_message(w, m.message);
        w.put_bytes(m.mac);
    });
}

HelloLayout::HelloLayout(const Hello& h, std::size_t origin) {
    const auto padded = [](std::size_t n) { return n + (4 - n % 4) % 4; };
    ledger = origin;
    overlay = ledger + 4;
    min = overlay + 4;
    network = min + 4;
    vstr_len = network + 32;
    vstr = vstr_len + 4;
    port = vstr + padded(h.version_str.size());
    node_type = port + 4;
    peer_id = node_type + 4;
    cert_key = peer_id + 32;
    expiration = cert_key + 32;
    sig_len = expiration + 8;
    sig = sig_len + 4;
    nonce = sig + padded(h.cert.sig.size());
    mac = nonce + 32;
}

}  // namespace shakedown::stellar
