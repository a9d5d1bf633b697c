// Building blocks shared by the Stellar vector classes (one file per class in this folder): inputs
// derived deterministically from labels, the builders that number cases in catalogue order, and
// the honest run each class mutates.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "stellar/codec.hpp"
#include "stellar/framing.hpp"
#include "vectors/gen/stellar/stellar_json.hpp"

namespace shakedown::vectors::stellar::cases {

inline constexpr std::uint64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr std::string_view kPublicPassphrase = "Public Global Stellar Network ; September 2015";

[[nodiscard]] ByteArray<32> derive(const std::string& label);
[[nodiscard]] SideInputs side(const std::string& label, std::uint64_t now = kNow);
[[nodiscard]] TranscriptInputs base(const std::string& label = "base");
// Runs a case; a case that does not run is a bug in the catalogue.
[[nodiscard]] TranscriptResult run(const TranscriptInputs& in);
[[nodiscard]] ByteArray<32> public_of(const ByteArray<32>& seed);

// Byte offsets inside a framed HELLO record, from the HELLO the side would send.
[[nodiscard]] ss::HelloLayout layout_of(const Bytes& framed_hello);

[[nodiscard]] std::size_t bit(std::size_t byte, unsigned bit_in_byte_from_msb = 7);
[[nodiscard]] Mutation mut(std::size_t message, MutationOp op, std::uint64_t value = 0, Bytes data = {});
// A record framed as `from` would send it, MACed with its send key at `sequence` when keyed.
[[nodiscard]] Bytes authenticated_record(const ss::StellarMessage& m, const ByteArray<32>* key, std::uint64_t sequence);
[[nodiscard]] Bytes with(Bytes b, std::size_t at, std::uint8_t value);
[[nodiscard]] Bytes cat(const Bytes& a, const Bytes& b);

struct Builder {
    Json tests = Json::array();
    std::set<std::string> used_flags;
    int next_id = 1;

    void add(const std::string& comment, std::vector<std::string> flags, const TranscriptInputs& in) {
        const TranscriptResult r = run(in);
        Json t;
        t["tcId"] = next_id++;
        t["comment"] = comment;
        t["flags"] = flags;
        for (const auto& f : flags) {
            used_flags.insert(f);
        }
        Json inputs;
        inputs["initiator"] = to_json(in.initiator);
        inputs["acceptor"] = to_json(in.acceptor);
        Json muts = Json::array();
        for (const auto& m : in.mutations) {
            muts.push_back(to_json(m));
        }
        inputs["mutations"] = muts;
        t["inputs"] = inputs;
        t["expected"] = to_json(r);
        t["result"] = r.both_authenticated() ? "valid" : "invalid";
        tests.push_back(t);
    }
};

struct CodecBuilder {
    Json groups = Json::array();
    std::set<std::string> used_flags;
    int next_id = 1;

    Json& group(const std::string& message, const std::string& comment) {
        Json g;
        g["type"] = "StellarCodec";
        g["message"] = message;
        g["comment"] = comment;
        g["tests"] = Json::array();
        groups.push_back(g);
        return groups.back();
    }

    Json start(const std::string& comment, const std::vector<std::string>& flags, ByteView wire) {
        Json t;
        t["tcId"] = next_id++;
        t["comment"] = comment;
        t["flags"] = flags;
        for (const auto& f : flags) {
            used_flags.insert(f);
        }
        t["wire"] = to_hex(wire);
        return t;
    }

    template <class T>
    void valid(Json& g, const std::string& comment, std::vector<std::string> flags, ByteView wire,
               const Result<T>& parsed, Json fields) {
        if (!parsed) {
            throw VectorError("codec catalogue: valid case '" + comment + "' does not parse: " +
                              parsed.failure().describe());
        }
        Json t = start(comment, flags, wire);
        t["result"] = "valid";
        t["fields"] = std::move(fields);
        g["tests"].push_back(t);
    }

    template <class T>
    void invalid(Json& g, const std::string& comment, std::vector<std::string> flags, ByteView wire,
                 const Result<T>& parsed, Error intended) {
        if (parsed || parsed.error() != intended) {
            throw VectorError("codec catalogue: invalid case '" + comment + "' does not fail with " +
                              std::string(to_string(intended)));
        }
        Json t = start(comment, flags, wire);
        t["result"] = "invalid";
        t["error"] = std::string(to_string(parsed.error()));
        t["offset"] = parsed.failure().offset;
        g["tests"].push_back(t);
    }
};

// The honest handshake every transcript class mutates. Record numbers: 0 HELLO(i) 1 HELLO(a)
// 2 AUTH(i) 3 AUTH(a) 4 PEERS(a) 5 SEND_MORE_EXTENDED(a) 6 SEND_MORE_EXTENDED(i).
struct HandshakeBase {
    TranscriptInputs honest;
    TranscriptResult honest_run;
    ss::HelloLayout hello_i;
    ss::HelloLayout hello_a;
    ByteArray<32> i_send;
    ss::StellarMessage i_hello;
};
[[nodiscard]] HandshakeBase make_handshake_base();

// The honest handshake's records, which the codec classes decode and alter.
struct CodecBase {
    TranscriptResult honest;
    std::vector<ss::AuthenticatedMessage> am;
    std::vector<Bytes> body;  // each record without its record mark
    ss::Hello hello;              // the initiator's
    Bytes hello_xdr;
};
[[nodiscard]] CodecBase make_codec_base();

// ------------------------------------------------------------------ transcript classes, in file order

// Honest handshakes, inputs at the edge of what stellar-core accepts, and what it accepts
// although a strict peer could refuse it.
void add_valid(Builder& b, const HandshakeBase& base_run);
// Weak keys: every Wycheproof low-order point as the initiator's cert key, and a few as the
// acceptor's.
void add_weak_keys(Builder& b, const std::string& wycheproof_dir);
// Certificates and clocks.
void add_certs_and_clocks(Builder& b, const HandshakeBase& base_run);
// HELLO validation.
void add_hello_validation(Builder& b, const HandshakeBase& base_run);
// MACs, sequences, replays, order.
void add_mac_sequence_replay_order(Builder& b, const HandshakeBase& base_run);
// Decoding and framing.
void add_decoding_and_framing(Builder& b, const HandshakeBase& base_run);
// Single bit flips spread over each record of the handshake.
void add_bitflips(Builder& b, const HandshakeBase& base_run);

// ------------------------------------------------------------------ codec classes, in file order

void add_frame(CodecBuilder& cb, const CodecBase& base_run);
void add_auth_cert(CodecBuilder& cb, const CodecBase& base_run);
void add_hello(CodecBuilder& cb, const CodecBase& base_run);
void add_auth(CodecBuilder& cb, const CodecBase& base_run);
void add_error(CodecBuilder& cb, const CodecBase& base_run);
void add_stellar_message(CodecBuilder& cb, const CodecBase& base_run);
void add_authenticated_message(CodecBuilder& cb, const CodecBase& base_run);

}  // namespace shakedown::vectors::stellar::cases
