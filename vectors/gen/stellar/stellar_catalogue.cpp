#include "vectors/gen/stellar/stellar_catalogue.hpp"

#include "vectors/gen/wycheproof.hpp"

#include <set>

#include "common/crypto.hpp"
#include "stellar/codec.hpp"
#include "stellar/framing.hpp"
#include "vectors/gen/stellar/stellar_json.hpp"

namespace shakedown::vectors::stellar {

namespace {

constexpr std::uint64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::string_view kPublicPassphrase = "Public Global Stellar Network ; September 2015";
constexpr std::size_t kRecordPrefix = 20;  // record mark, v, sequence, MessageType

ByteArray<32> derive(const std::string& label) { return crypto::sha256(as_bytes("shakedown/stellar/" + label)); }

SideInputs side(const std::string& label, std::uint64_t now = kNow) {
    SideInputs s;
    s.node_seed = derive(label + "/node");
    s.ecdh_secret = derive(label + "/ecdh");
    s.nonce = derive(label + "/nonce");
    s.now = now;
    return s;
}

TranscriptInputs base(const std::string& label = "base") {
    TranscriptInputs in;
    in.initiator = side(label + "/initiator");
    in.acceptor = side(label + "/acceptor");
    return in;
}

TranscriptResult run(const TranscriptInputs& in) {
    auto r = run_transcript(in);
    if (!r) {
        throw VectorError("catalogue case does not run: " + r.failure().describe());
    }
    return *r;
}

ByteArray<32> public_of(const ByteArray<32>& seed) { return crypto::ed25519_from_seed(seed).public_key; }

// Byte offsets inside a framed HELLO record, from the HELLO the side would send.
struct HelloLayout {
    std::size_t version_str;  // the length word
    std::size_t node_id_type;
    std::size_t cert_pubkey;
    std::size_t sig;
    std::size_t nonce;
    std::size_t mac;
};
HelloLayout layout_of(const Bytes& framed_hello) {
    auto am = parse_authenticated_message(ByteView(framed_hello).subspan(4));
    const Hello& h = std::get<Hello>(am->message);
    const std::size_t str_words = 4 + h.version_str.size() + (4 - h.version_str.size() % 4) % 4;
    HelloLayout l{};
    l.version_str = kRecordPrefix + 44;
    l.node_id_type = l.version_str + str_words + 4;
    l.cert_pubkey = l.node_id_type + 36;
    l.sig = l.cert_pubkey + 32 + 8 + 4;
    l.nonce = l.sig + h.cert.sig.size() + (4 - h.cert.sig.size() % 4) % 4;
    l.mac = l.nonce + 32;
    return l;
}

std::size_t bit(std::size_t byte, unsigned bit_in_byte_from_msb = 7) { return byte * 8 + bit_in_byte_from_msb; }

Mutation mut(std::size_t message, MutationOp op, std::uint64_t value = 0, Bytes data = {}) {
    return Mutation{message, op, value, std::move(data)};
}

// A record framed as `from` would send it, MACed with its send key at `sequence` when keyed.
Bytes authenticated_record(const StellarMessage& m, const ByteArray<32>* key, std::uint64_t sequence) {
    AuthenticatedMessage am{sequence, m, {}};
    if (key != nullptr) {
        am.mac = message_mac(Secret<32>(*key), sequence, serialize(m));
    }
    return frame_record(serialize(am));
}

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

struct Note {
    const char* flag;
    const char* bug_type;
    const char* description;
    const char* effect;
};

const Note kHandshakeNotes[] = {
    {"Valid", "BASIC", "An honest handshake between two reference peers.", "Both sides authenticate and agree on keys."},
    {"EdgeCaseValid", "EDGE_CASE", "Inputs at the edge of what stellar-core accepts (bounds, clocks, versions).",
     "An implementation that rejects these does not interoperate with stellar-core."},
    {"NonStrictAccepted", "MALLEABILITY",
     "stellar-core accepts something a strict peer could reject (missing record-mark bit 31, sequence or MAC on "
     "the first HELLO, altered unchecked fields).",
     "Accepting is correct for interoperation; conformance grades it NON-STRICT."},
    {"LowOrderPublic", "WEAK_PUBLIC_KEY",
     "The cert carries an X25519 public key of low order (Wycheproof x25519 ZeroSharedSecret/LowOrderPublic keys).",
     "The shared secret is all zero and known to an attacker: the peer must drop the connection."},
    {"ExpiredCert", "EXPIRED", "The AuthCert expired before the verifier's clock.",
     "Accepting lets a stolen old cert key be reused."},
    {"BadCertSignature", "SIGNATURE_MALLEABILITY",
     "The AuthCert signature is wrong: altered bytes, another node's key, another network, or a bad length.",
     "Accepting lets anyone bind any X25519 key to a node identity."},
    {"WrongNetwork", "CONFIGURATION", "The HELLO names another network.", "Peers of different networks would mix."},
    {"SelfConnection", "CONFIGURATION", "The HELLO carries the verifier's own node ID.",
     "A node talking to itself wastes a slot and can mask reflection attacks."},
    {"VersionMismatch", "CONFIGURATION", "Overlay versions do not overlap or are inconsistent.",
     "The peers cannot agree on a protocol."},
    {"BadAddress", "CONFIGURATION", "listeningPort outside 1..65535.", "The peer cannot be dialled back."},
    {"AlreadyConnected", "CONFIGURATION", "The node ID already has a connection.", "Duplicate connections."},
    {"BadAuthFlags", "CONFIGURATION", "AUTH flags other than 200 (including the old 100).",
     "The peer does not use byte-based flow control."},
    {"BadMac", "AUTHENTICATION", "A MACed message whose MAC does not verify.",
     "Accepting lets an on-path attacker inject or alter messages."},
    {"BadSequence", "REPLAY", "A MACed message with a sequence other than the expected one (replays, drops, reorders).",
     "Accepting allows replay and reordering."},
    {"Replay", "REPLAY", "A message repeated within the connection or carried over from another connection.",
     "Accepting allows replay."},
    {"OutOfOrder", "STATE_MACHINE", "A message the state machine does not expect now.",
     "Accepting skips authentication steps."},
    {"Reflection", "STATE_MACHINE", "A side's own message sent back to it.", "Accepting allows reflection attacks."},
    {"MalformedXdr", "DECODING", "Corrupt XDR: trailing bytes, non-zero padding, bounds, unknown arms, truncation.",
     "Lenient decoding makes one message mean two things."},
    {"BadFrame", "FRAMING", "Record mark of length 0 or over the limit in force.",
     "Unbounded buffering or desynchronised framing."},
    {"BitFlip", "INTEGRITY", "A single bit flipped in flight.",
     "Every flip in a checked field ends the handshake; flips in fields stellar-core does not check (versionStr, "
     "ledgerVersion, the first HELLO's sequence and MAC) are accepted and also flagged NonStrictAccepted."},
    {"PeerError", "STATE_MACHINE", "An unauthenticated ERROR_MSG injected by the network.",
     "The receiver closes; ERROR_MSG is never authenticated."},
    {"StaleTimestamp", "CLOCK_SKEW", "The verifier's clock is ahead of or behind the sender's.",
     "Only expiration < now rejects; there is no not-before check."},
    {"LowerLayerTimeout", "LIVENESS", "Nothing more arrives and the idle timeout fires.", "The side gives up."},
};

Json notes_json(const Note* notes, std::size_t n, const std::set<std::string>& used) {
    Json j = Json::object();
    for (std::size_t i = 0; i < n; ++i) {
        if (used.count(notes[i].flag) == 0) {
            continue;
        }
        Json e;
        e["bugType"] = notes[i].bug_type;
        e["description"] = notes[i].description;
        e["effect"] = notes[i].effect;
        j[notes[i].flag] = e;
    }
    return j;
}

Json file_header(const char* schema, std::vector<std::string> header) {
    Json j;
    j["generatedBy"] = "shakedown vectors generate --variant stellar (do not edit)";
    j["schema"] = schema;
    j["variant"] = "stellar";
    j["header"] = header;
    return j;
}

}  // namespace

Json generate_handshake_file(const std::string& wycheproof_dir) {
    Builder b;
    const TranscriptInputs honest = base();
    const TranscriptResult honest_run = run(honest);
    const HelloLayout hello_i = layout_of(honest_run.messages[0].wire);
    const HelloLayout hello_a = layout_of(honest_run.messages[1].wire);
    const ByteArray<32> i_send = *honest_run.initiator.send_mac_key;
    const StellarMessage i_hello = parse_authenticated_message(ByteView(honest_run.messages[0].wire).subspan(4))->message;

    // Record numbers of the honest run: 0 HELLO(i) 1 HELLO(a) 2 AUTH(i) 3 AUTH(a) 4 PEERS(a)
    // 5 SEND_MORE_EXTENDED(a) 6 SEND_MORE_EXTENDED(i).
    b.add("honest handshake", {"Valid"}, honest);
    for (int k = 1; k <= 3; ++k) {
        b.add("honest handshake, other identities and nonces", {"Valid"}, base("honest-" + std::to_string(k)));
    }
    {
        auto in = base();
        in.initiator.nonce.fill(0);
        in.acceptor.nonce.fill(0xff);
        b.add("all-zero and all-ff nonces are legal", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.overlay_version = 41;
        in.initiator.overlay_min_version = 41;
        b.add("initiator at the minimum overlay version", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.acceptor.overlay_version = 50;
        in.acceptor.overlay_min_version = 42;
        b.add("acceptor newer: ranges overlap at 42", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.ledger_version = 0;
        in.acceptor.ledger_version = 0xffffffff;
        b.add("ledgerVersion is not checked", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.version_str = std::string(100, 'v');
        in.acceptor.version_str = "";
        b.add("versionStr of 100 bytes and of 0 bytes", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.listening_port = 1;
        in.acceptor.listening_port = 65535;
        b.add("listeningPort at 1 and 65535", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_expiration = in.acceptor.now;
        b.add("cert expiration == verifier's now is accepted", {"EdgeCaseValid", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.acceptor.now = in.initiator.now + 3599;
        b.add("verifier's clock 3599 s ahead: cert still valid", {"EdgeCaseValid", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.acceptor.now = in.initiator.now - 86400 * 365;
        in.acceptor.cert_expiration = in.initiator.now + kCertLifetimeSeconds;
        b.add("verifier's clock a year behind: no not-before check", {"EdgeCaseValid", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_expiration = UINT64_MAX;
        b.add("cert expiring at 2^64-1: no upper bound", {"EdgeCaseValid"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(
            mut(0, MutationOp::set_header, static_cast<std::uint32_t>(honest_run.messages[0].wire.size() - 4)));
        b.add("HELLO record mark without bit 31 (stellar-core does not check it)", {"NonStrictAccepted"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(15)));
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(hello_i.mac + 31)));
        b.add("first HELLO with sequence 1 and a non-zero MAC: both ignored", {"NonStrictAccepted"}, in);
    }

    // Weak keys: every Wycheproof low-order point as the initiator's cert key, and a few as the
    // acceptor's.
    std::vector<ByteArray<32>> weak;
    for (const auto& k : x25519_low_order_keys(wycheproof_dir)) {
        weak.push_back(k.key);
    }
    for (std::size_t i = 0; i < weak.size(); ++i) {
        auto in = base();
        in.initiator.cert_pubkey = weak[i];
        b.add("initiator cert key is low order: " + to_hex(weak[i]), {"LowOrderPublic"}, in);
    }
    for (std::size_t i = 0; i < weak.size(); i += 4) {
        auto in = base();
        in.acceptor.cert_pubkey = weak[i];
        b.add("acceptor cert key is low order: " + to_hex(weak[i]), {"LowOrderPublic"}, in);
    }

    // Certificates and clocks.
    {
        auto in = base();
        in.initiator.cert_expiration = in.acceptor.now - 1;
        b.add("cert expired 1 s before the verifier's now", {"ExpiredCert", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.acceptor.now = in.initiator.now + 3601;
        b.add("verifier's clock 3601 s ahead: cert expired", {"ExpiredCert", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_expiration = 0;
        b.add("cert expiration 0", {"ExpiredCert"}, in);
    }
    {
        auto in = base();
        in.acceptor.cert_expiration = in.initiator.now - 1;
        b.add("acceptor's cert expired: initiator drops", {"ExpiredCert"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(hello_i.sig)));
        b.add("initiator cert signature bit flipped", {"BadCertSignature", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::flip_bit, bit(hello_a.sig + 63, 0)));
        b.add("acceptor cert signature bit flipped", {"BadCertSignature", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_network_passphrase = std::string(kPublicPassphrase);
        b.add("cert signed for another network", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.peer_id = public_of(derive("someone-else/node"));
        b.add("HELLO claims another node's peerID", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_sig = Bytes(63, 0x5a);
        b.add("cert signature of 63 bytes decodes but fails", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_sig = Bytes{};
        b.add("empty cert signature", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_sig = Bytes(65, 0x5a);
        b.add("cert signature of 65 bytes is corrupt XDR (sig<64>)", {"BadCertSignature", "MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.initiator.network_passphrase = std::string(kPublicPassphrase);
        in.initiator.cert_network_passphrase = std::string(kTestNetworkPassphrase);
        b.add("HELLO names another network, cert valid for the verifier's", {"WrongNetwork"}, in);
    }
    {
        auto in = base();
        in.acceptor.network_passphrase = std::string(kPublicPassphrase);
        b.add("different networks: cert check fails first (silent)", {"WrongNetwork", "BadCertSignature"}, in);
    }

    // HELLO validation.
    {
        auto in = base();
        in.initiator.overlay_version = 40;
        in.initiator.overlay_min_version = 40;
        b.add("remote overlayVersion below local minimum", {"VersionMismatch"}, in);
    }
    {
        auto in = base();
        in.initiator.overlay_version = 42;
        in.initiator.overlay_min_version = 43;
        b.add("remote overlayMinVersion above its overlayVersion", {"VersionMismatch"}, in);
    }
    {
        auto in = base();
        in.initiator.overlay_version = 44;
        in.initiator.overlay_min_version = 43;
        b.add("remote overlayMinVersion above local version", {"VersionMismatch"}, in);
    }
    {
        auto in = base();
        in.acceptor.node_seed = in.initiator.node_seed;
        b.add("connecting to self (same node seed)", {"SelfConnection"}, in);
    }
    for (const std::int32_t port : {0, -1, 65536}) {
        auto in = base();
        in.initiator.listening_port = port;
        b.add("listeningPort " + std::to_string(port), {"BadAddress"}, in);
    }
    {
        auto in = base();
        in.acceptor.connected_peers.push_back(public_of(in.initiator.node_seed));
        b.add("initiator's node ID already connected", {"AlreadyConnected"}, in);
    }
    for (const std::int32_t flags : {100, 0, 201}) {
        auto in = base();
        in.initiator.auth_flags = flags;
        b.add("AUTH flags " + std::to_string(flags), {"BadAuthFlags"}, in);
    }
    {
        auto in = base();
        in.acceptor.auth_flags = 100;
        b.add("acceptor sends AUTH flags 100", {"BadAuthFlags"}, in);
    }

    // MACs, sequences, replays, order.
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::flip_bit, bit(24)));
        b.add("initiator AUTH MAC bit flipped", {"BadMac", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::flip_bit, bit(55, 0)));
        b.add("acceptor AUTH MAC bit flipped", {"BadMac", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::flip_bit, bit(23, 0)));
        b.add("initiator AUTH flags bit flipped under the MAC", {"BadMac", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::resequence, 1));
        b.add("initiator AUTH with sequence 1, correctly MACed", {"BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::resequence, 0xffffffffffffffffULL));
        b.add("acceptor AUTH with sequence 2^64-1, correctly MACed", {"BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::duplicate));
        b.add("initiator AUTH replayed within the connection", {"Replay", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::duplicate));
        b.add("zero-MAC HELLO sent twice: second fails the MAC check", {"Replay", "BadMac"}, in);
    }
    {
        const TranscriptResult other = run(base("other-connection"));
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::replace, 0, other.messages[2].wire));
        b.add("initiator AUTH replayed from another connection", {"Replay", "BadMac"}, in);
    }
    {
        const TranscriptResult other = run(base("other-connection"));
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::replace, 0, other.messages[1].wire));
        b.add("acceptor HELLO replayed from another connection (other nonce and key)", {"Replay", "BadMac"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::inject_before, 0, authenticated_record(Auth{200}, nullptr, 0)));
        b.add("AUTH before HELLO", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::inject_before, 0, authenticated_record(i_hello, &i_send, 0)));
        b.add("second HELLO, correctly MACed: dropped", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::inject_before, 0, authenticated_record(Peers{}, &i_send, 0)));
        b.add("PEERS before authentication, correctly MACed", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::inject_before, 0, authenticated_record(Peers{}, nullptr, 0)));
        b.add("initiator receives PEERS before the acceptor's HELLO", {"OutOfOrder"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::drop));
        b.add("acceptor AUTH lost: PEERS arrives with sequence 1", {"OutOfOrder", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::replace, 0, honest_run.messages[4].wire));
        in.mutations.push_back(mut(4, MutationOp::replace, 0, honest_run.messages[3].wire));
        b.add("acceptor AUTH and PEERS swapped", {"OutOfOrder", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(4, MutationOp::replace, 0, honest_run.messages[5].wire));
        in.mutations.push_back(mut(5, MutationOp::replace, 0, honest_run.messages[4].wire));
        b.add("acceptor PEERS and SEND_MORE_EXTENDED reordered", {"OutOfOrder", "BadSequence"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::drop));
        b.add("initiator HELLO lost: both sides time out", {"LowerLayerTimeout"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::inject_before, 0, honest_run.messages[0].wire));
        b.add("initiator's own HELLO reflected back to it", {"Reflection"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(3, MutationOp::replace, 0, honest_run.messages[2].wire));
        b.add("initiator's own AUTH reflected back instead of the acceptor's", {"Reflection", "BadMac"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::inject_before, 0,
                                   authenticated_record(ErrorMsg{ErrorCode::load, "injected"}, nullptr, 0)));
        b.add("network injects an ERROR_MSG", {"PeerError"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(6, MutationOp::inject_before, 0,
                                   authenticated_record(ErrorMsg{ErrorCode::misc, "late"}, nullptr, 5)));
        b.add("ERROR_MSG after authentication, any sequence: still closes", {"PeerError"}, in);
    }

    // Decoding and framing.
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::append, 0, Bytes{0, 0, 0, 0}));
        b.add("HELLO with 4 trailing bytes", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(2, MutationOp::append, 0, Bytes{0}));
        b.add("AUTH with 1 trailing byte", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.initiator.version_str = "abc";
        TranscriptResult r = run(in);
        const HelloLayout l = layout_of(r.messages[0].wire);
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(l.version_str + 4 + 3)));
        b.add("non-zero padding after versionStr", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.initiator.version_str = std::string(101, 'v');
        b.add("versionStr of 101 bytes", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(hello_i.node_id_type + 3)));
        b.add("NodeID key type 1", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(19, 6)));
        b.add("MessageType 15 (removed SURVEY_RESPONSE)", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(7)));
        b.add("AuthenticatedMessage version 1", {"MalformedXdr"}, in);
    }
    for (const std::uint64_t len : {0ULL, 100ULL, 275ULL}) {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::truncate, len));
        b.add("HELLO truncated to " + std::to_string(len) + " bytes (record mark matches)", {"MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0x80000000U));
        b.add("record length 0", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0x80001001U));
        b.add("record length 4097 before authentication", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0xffffffffU));
        b.add("record length 2^31-1", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(5, MutationOp::set_header, 0x81000001U));
        b.add("record length 16 MiB + 1 after authentication", {"BadFrame"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::set_header, 0x80001000U));
        b.add("record length 4096 before authentication, body short: waits, times out", {"LowerLayerTimeout"}, in);
    }

    // Single bit flips spread over each record of the handshake.
    for (std::size_t rec = 0; rec < 4; ++rec) {
        const std::size_t size = honest_run.messages[rec].wire.size();
        const std::size_t step = rec < 2 ? 24 : 8;
        for (std::size_t byte = 4; byte < size; byte += step) {
            auto in = base();
            in.mutations.push_back(mut(rec, MutationOp::flip_bit, bit(byte, static_cast<unsigned>(byte % 8))));
            std::string comment = "bit flip in record " + std::to_string(rec) + " (" + honest_run.messages[rec].type +
                                  ") byte " + std::to_string(byte);
            std::vector<std::string> flags = {"BitFlip"};
            if (run(in).both_authenticated()) {
                comment += ": a field stellar-core does not check";
                flags.emplace_back("NonStrictAccepted");
            }
            b.add(comment, flags, in);
        }
    }

    Json file = file_header("transcript.schema.json",
                            {"Stellar overlay handshake transcripts: both sides' inputs, every framed record, every "
                             "derived key and each side's outcome.",
                             "Behaviour follows stellar-core (docs/protocols/stellar.md); see vectors/README.md for "
                             "how the two sides are run in step."});
    file["notes"] = notes_json(kHandshakeNotes, std::size(kHandshakeNotes), b.used_flags);
    file["numberOfTests"] = b.tests.size();
    Json group;
    group["type"] = "StellarHandshake";
    group["comment"] = "initiator and acceptor run in step";
    group["tests"] = b.tests;
    file["testGroups"] = Json::array({group});
    return file;
}

}  // namespace shakedown::vectors::stellar

namespace shakedown::vectors::stellar {

namespace {

const Note kCodecNotes[] = {
    {"Valid", "BASIC", "A message as the reference sends it.", "Must decode to the fields and re-encode to the wire."},
    {"EdgeCaseValid", "EDGE_CASE", "At a bound of the schema (empty or maximal strings, lists, all-ones values).",
     "Must decode."},
    {"NonStrictAccepted", "MALLEABILITY", "stellar-core accepts it although a stricter reading could reject it.",
     "Decodes; conformance grades it NON-STRICT."},
    {"Truncated", "DECODING", "The input ends inside a field.", "Must be rejected at the end of the input."},
    {"TrailingBytes", "DECODING", "Bytes after a complete message.",
     "Must be rejected: lenient decoders let one message carry two meanings."},
    {"StringOverBound", "DECODING", "A string or opaque longer than its XDR bound (versionStr<100>, sig<64>, "
                                    "msg<100>, peers<100>).",
     "Must be rejected at the length word."},
    {"NonZeroPadding", "DECODING", "XDR padding bytes that are not zero.", "Must be rejected (RFC 4506 4.10)."},
    {"UnknownArm", "DECODING", "An enum or union discriminant outside the schema.",
     "Must be rejected at the discriminant."},
    {"BadFrame", "FRAMING", "A record mark of length 0 or over the limit in force.", "Must be rejected."},
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

Json frame_fields(const Frame& f) {
    Json j;
    j["length"] = f.header.length;
    j["last_fragment_bit"] = f.header.last_fragment_bit;
    j["body"] = to_hex(f.body);
    return j;
}

Bytes with(Bytes b, std::size_t at, std::uint8_t value) {
    b[at] = value;
    return b;
}

Bytes cat(const Bytes& a, const Bytes& b) { return concat({a, b}); }

}  // namespace

Json generate_codec_file() {
    CodecBuilder cb;
    const TranscriptResult honest = run(base());
    std::vector<AuthenticatedMessage> am;
    std::vector<Bytes> body;
    for (const auto& m : honest.messages) {
        body.emplace_back(m.wire.begin() + 4, m.wire.end());
        am.push_back(*parse_authenticated_message(body.back()));
    }
    const Hello hello = std::get<Hello>(am[0].message);
    const Bytes hello_xdr = serialize(hello);

    {
        Json& g = cb.group("Frame", "record mark (4 bytes, bit 31 = last fragment) and one record");
        auto frame_case = [&](const std::string& comment, std::vector<std::string> flags, const Bytes& wire,
                              bool authenticated, std::optional<Error> intended) {
            auto parsed = parse_frame(wire, authenticated);
            Json t;
            if (intended) {
                cb.invalid(g, comment, flags, wire, parsed, *intended);
            } else {
                cb.valid(g, comment, flags, wire, parsed, parsed ? frame_fields(*parsed) : Json());
            }
            g["tests"].back()["authenticated"] = authenticated;
        };
        frame_case("HELLO record", {"Valid"}, honest.messages[0].wire, false, std::nullopt);
        frame_case("AUTH record", {"Valid"}, honest.messages[2].wire, false, std::nullopt);
        frame_case("record mark without bit 31", {"NonStrictAccepted"}, frame_record(body[2], false), false,
                   std::nullopt);
        frame_case("4096-byte record before authentication", {"EdgeCaseValid"}, frame_record(Bytes(4096, 0)), false,
                   std::nullopt);
        frame_case("4097-byte record after authentication", {"EdgeCaseValid"}, frame_record(Bytes(4097, 0)), true,
                   std::nullopt);
        frame_case("record length 0", {"BadFrame"}, Bytes{0x80, 0, 0, 0}, false, Error::bad_length);
        frame_case("record length 0 without bit 31", {"BadFrame"}, Bytes{0, 0, 0, 0}, true, Error::bad_length);
        frame_case("record length 4097 before authentication", {"BadFrame"}, Bytes{0x80, 0, 0x10, 0x01}, false,
                   Error::oversize);
        frame_case("record length 16 MiB + 1", {"BadFrame"}, Bytes{0x81, 0, 0, 0x01}, true, Error::oversize);
        frame_case("record length 2^31-1", {"BadFrame"}, Bytes{0xff, 0xff, 0xff, 0xff}, true, Error::oversize);
        frame_case("record mark cut short", {"Truncated"}, Bytes{0x80, 0}, false, Error::truncated);
        frame_case("body shorter than the record mark says", {"Truncated"},
                   Bytes(honest.messages[2].wire.begin(), honest.messages[2].wire.end() - 1), false, Error::truncated);
        frame_case("bytes after the record", {"TrailingBytes"}, cat(honest.messages[2].wire, Bytes{0x80}), false,
                   Error::trailing_bytes);
    }
    {
        Json& g = cb.group("AuthCert", "AuthCert { Curve25519Public pubkey; uint64 expiration; Signature sig<64> }");
        const Bytes cert = serialize(hello.cert);
        cb.valid(g, "initiator's cert", {"Valid"}, cert, parse_auth_cert(cert), to_json(hello.cert));
        AuthCert empty = hello.cert;
        empty.sig.clear();
        empty.expiration = UINT64_MAX;
        cb.valid(g, "empty signature, expiration 2^64-1", {"EdgeCaseValid"}, serialize(empty),
                 parse_auth_cert(serialize(empty)), to_json(empty));
        AuthCert odd = hello.cert;
        odd.sig.resize(61, 0x11);
        cb.valid(g, "61-byte signature with zero padding", {"EdgeCaseValid"}, serialize(odd),
                 parse_auth_cert(serialize(odd)), to_json(odd));
        const Bytes odd_bad = with(serialize(odd), serialize(odd).size() - 1, 1);
        cb.invalid(g, "61-byte signature, last padding byte 1", {"NonZeroPadding"}, odd_bad, parse_auth_cert(odd_bad),
                   Error::bad_padding);
        AuthCert big = hello.cert;
        big.sig.resize(65, 0x22);
        cb.invalid(g, "65-byte signature", {"StringOverBound"}, serialize(big), parse_auth_cert(serialize(big)),
                   Error::bad_length);
        big.sig.clear();
        Bytes huge = serialize(big);
        huge[40] = 0xff;
        huge[41] = 0xff;
        huge[42] = 0xff;
        huge[43] = 0xff;
        cb.invalid(g, "signature length 2^32-1", {"StringOverBound"}, huge, parse_auth_cert(huge), Error::bad_length);
        for (const std::size_t cut : {0UL, 31UL, 39UL, 43UL, 100UL}) {
            const Bytes t(cert.begin(), cert.begin() + static_cast<std::ptrdiff_t>(cut));
            cb.invalid(g, "cut at byte " + std::to_string(cut), {"Truncated"}, t, parse_auth_cert(t), Error::truncated);
        }
        cb.invalid(g, "trailing zero word", {"TrailingBytes"}, cat(cert, Bytes(4, 0)),
                   parse_auth_cert(cat(cert, Bytes(4, 0))), Error::trailing_bytes);
    }
    {
        Json& g = cb.group("Hello", "Hello as sent by the reference");
        cb.valid(g, "initiator's HELLO", {"Valid"}, hello_xdr, parse_hello(hello_xdr), to_json(hello));
        const Hello acceptor_hello = std::get<Hello>(am[1].message);
        cb.valid(g, "acceptor's HELLO", {"Valid"}, serialize(acceptor_hello), parse_hello(serialize(acceptor_hello)),
                 to_json(acceptor_hello));
        Hello h = hello;
        h.version_str = std::string(100, 'x');
        h.listening_port = -5;
        h.ledger_version = UINT32_MAX;
        cb.valid(g, "versionStr of 100 bytes, negative port (decodes; rejected later)", {"EdgeCaseValid"}, serialize(h),
                 parse_hello(serialize(h)), to_json(h));
        h.version_str = "";
        cb.valid(g, "empty versionStr", {"EdgeCaseValid"}, serialize(h), parse_hello(serialize(h)), to_json(h));
        h.version_str = std::string(101, 'x');
        cb.invalid(g, "versionStr of 101 bytes", {"StringOverBound"}, serialize(h), parse_hello(serialize(h)),
                   Error::bad_length);
        h.version_str = "ab";
        Bytes pad = serialize(h);
        pad[44 + 4 + 3] = 0x20;
        cb.invalid(g, "non-zero padding after versionStr", {"NonZeroPadding"}, pad, parse_hello(pad),
                   Error::bad_padding);
        const std::size_t key_type = 44 + 4 + 16 + 4;  // versionStr "shakedown 0.1.0" takes 4 + 16 bytes
        cb.invalid(g, "NodeID key type 1", {"UnknownArm"}, with(hello_xdr, key_type + 3, 1),
                   parse_hello(with(hello_xdr, key_type + 3, 1)), Error::unknown_type);
        cb.invalid(g, "NodeID key type -1", {"UnknownArm"}, with(with(hello_xdr, key_type, 0xff), key_type + 3, 0xff),
                   parse_hello(with(with(hello_xdr, key_type, 0xff), key_type + 3, 0xff)), Error::unknown_type);
        Hello sig65 = hello;
        sig65.cert.sig.resize(65, 0);
        cb.invalid(g, "cert signature of 65 bytes", {"StringOverBound"}, serialize(sig65), parse_hello(serialize(sig65)),
                   Error::bad_length);
        for (const std::size_t cut : {0UL, 3UL, 44UL, 60UL, 150UL, hello_xdr.size() - 1}) {
            const Bytes t(hello_xdr.begin(), hello_xdr.begin() + static_cast<std::ptrdiff_t>(cut));
            cb.invalid(g, "cut at byte " + std::to_string(cut), {"Truncated"}, t, parse_hello(t), Error::truncated);
        }
        cb.invalid(g, "one trailing byte", {"TrailingBytes"}, cat(hello_xdr, Bytes{0}),
                   parse_hello(cat(hello_xdr, Bytes{0})), Error::trailing_bytes);
    }
    {
        Json& g = cb.group("Auth", "Auth { int flags }");
        for (const std::int32_t flags : {200, 100, 0, -1}) {
            const Bytes w = serialize(Auth{flags});
            cb.valid(g, "flags " + std::to_string(flags) + " (decodes; only 200 is accepted by the handshake)",
                     {flags == 200 ? "Valid" : "EdgeCaseValid"}, w, parse_auth(w), to_json(Auth{flags}));
        }
        const Bytes w = serialize(Auth{200});
        cb.invalid(g, "3 bytes", {"Truncated"}, ByteView(w).first(3), parse_auth(ByteView(w).first(3)),
                   Error::truncated);
        cb.invalid(g, "5 bytes", {"TrailingBytes"}, cat(w, Bytes{0}), parse_auth(cat(w, Bytes{0})),
                   Error::trailing_bytes);
    }
    {
        Json& g = cb.group("Error", "Error { ErrorCode code; string msg<100> }");
        for (int c = 0; c <= 4; ++c) {
            const ErrorMsg e{static_cast<ErrorCode>(c), c == 0 ? "" : "wrong protocol version"};
            cb.valid(g, std::string(to_string(e.code)), {"Valid"}, serialize(e), parse_error(serialize(e)), to_json(e));
        }
        const ErrorMsg longest{ErrorCode::auth, std::string(100, 'm')};
        cb.valid(g, "msg of 100 bytes", {"EdgeCaseValid"}, serialize(longest), parse_error(serialize(longest)),
                 to_json(longest));
        const Bytes bad_code = with(serialize(ErrorMsg{ErrorCode::misc, "x"}), 3, 5);
        cb.invalid(g, "ErrorCode 5", {"UnknownArm"}, bad_code, parse_error(bad_code), Error::unknown_type);
        const ErrorMsg too_long{ErrorCode::auth, std::string(101, 'm')};
        cb.invalid(g, "msg of 101 bytes", {"StringOverBound"}, serialize(too_long), parse_error(serialize(too_long)),
                   Error::bad_length);
        const Bytes pad = with(serialize(ErrorMsg{ErrorCode::data, "x"}), 9, 1);
        cb.invalid(g, "non-zero padding after msg", {"NonZeroPadding"}, pad, parse_error(pad), Error::bad_padding);
    }
    {
        Json& g = cb.group("StellarMessage", "StellarMessage union, handshake arms decoded, others kept raw");
        for (std::size_t i = 0; i < am.size(); ++i) {
            const Bytes w = serialize(am[i].message);
            cb.valid(g, "record " + std::to_string(i) + " of the honest handshake (" + honest.messages[i].type + ")",
                     {"Valid"}, w, parse_stellar_message(w), to_json(am[i].message));
        }
        Peers peers;
        peers.peers.push_back(PeerAddress{false, {127, 0, 0, 1}, 11625, 0});
        peers.peers.push_back(PeerAddress{true, Bytes(16, 0xfe), 65535, UINT32_MAX});
        const StellarMessage pm{peers};
        cb.valid(g, "PEERS with an IPv4 and an IPv6 address", {"Valid"}, serialize(pm), parse_stellar_message(serialize(pm)),
                 to_json(pm));
        const StellarMessage sm{SendMore{7}};
        cb.valid(g, "SEND_MORE", {"Valid"}, serialize(sm), parse_stellar_message(serialize(sm)), to_json(sm));
        const StellarMessage gs{GetScpState{123456}};
        cb.valid(g, "GET_SCP_STATE", {"Valid"}, serialize(gs), parse_stellar_message(serialize(gs)), to_json(gs));
        const StellarMessage tx{OtherMessage{MessageType::transaction, Bytes{0, 0, 0, 2, 0xaa, 0xbb, 0, 0}}};
        cb.valid(g, "TRANSACTION kept undecoded", {"EdgeCaseValid"}, serialize(tx), parse_stellar_message(serialize(tx)),
                 to_json(tx));
        Peers many;
        many.peers.assign(101, PeerAddress{false, {10, 0, 0, 1}, 1, 0});
        cb.invalid(g, "PEERS with 101 entries", {"StringOverBound"}, serialize(StellarMessage{many}),
                   parse_stellar_message(serialize(StellarMessage{many})), Error::bad_length);
        const Bytes ip2 = with(serialize(pm), 11, 2);
        cb.invalid(g, "IPAddrType 2", {"UnknownArm"}, ip2, parse_stellar_message(ip2), Error::unknown_type);
        for (const std::int32_t t : {1, 4, 14, 15, 25, -1}) {
            Writer w;
            w.put_i32be(t);
            w.put_u32be(200);
            cb.invalid(g, "MessageType " + std::to_string(t), {"UnknownArm"}, w.bytes(), parse_stellar_message(w.bytes()),
                       Error::unknown_type);
        }
        const Bytes auth = serialize(am[2].message);
        cb.invalid(g, "AUTH with a trailing word", {"TrailingBytes"}, cat(auth, Bytes(4, 0)),
                   parse_stellar_message(cat(auth, Bytes(4, 0))), Error::trailing_bytes);
        cb.invalid(g, "empty input", {"Truncated"}, Bytes{}, parse_stellar_message(Bytes{}), Error::truncated);
    }
    {
        Json& g = cb.group("AuthenticatedMessage", "AuthenticatedMessage v0 { uint64 sequence; StellarMessage; HmacSha256Mac mac }");
        for (std::size_t i = 0; i < am.size(); ++i) {
            cb.valid(g, "record " + std::to_string(i) + " of the honest handshake (" + honest.messages[i].type + ")",
                     {"Valid"}, body[i], parse_authenticated_message(body[i]), to_json(am[i]));
        }
        const Bytes v1 = with(body[2], 3, 1);
        cb.invalid(g, "version 1", {"UnknownArm"}, v1, parse_authenticated_message(v1), Error::unknown_type);
        cb.invalid(g, "MAC cut to 31 bytes", {"Truncated"}, ByteView(body[2]).first(body[2].size() - 1),
                   parse_authenticated_message(ByteView(body[2]).first(body[2].size() - 1)), Error::truncated);
        cb.invalid(g, "one byte after the MAC", {"TrailingBytes"}, cat(body[2], Bytes{0}),
                   parse_authenticated_message(cat(body[2], Bytes{0})), Error::trailing_bytes);
        const StellarMessage tx{OtherMessage{MessageType::scp_message, Bytes(8, 0x42)}};
        const AuthenticatedMessage raw{9, tx, am[2].mac};
        cb.valid(g, "SCP_MESSAGE kept undecoded", {"EdgeCaseValid"}, serialize(raw),
                 parse_authenticated_message(serialize(raw)), to_json(raw));
        const Bytes short_other = Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11, 1, 2, 3};
        cb.invalid(g, "undecoded arm shorter than the MAC", {"Truncated"}, short_other,
                   parse_authenticated_message(short_other), Error::truncated);
    }

    Json file = file_header("codec.schema.json",
                            {"Stellar overlay message codec: wire bytes and fields, valid and invalid.",
                             "Strict XDR (RFC 4506) with the bounds of Stellar-overlay.x; error offsets count from the "
                             "start of wire."});
    file["notes"] = notes_json(kCodecNotes, std::size(kCodecNotes), cb.used_flags);
    std::size_t n = 0;
    for (const auto& g : cb.groups) {
        n += g["tests"].size();
    }
    file["numberOfTests"] = n;
    file["testGroups"] = cb.groups;
    return file;
}

}  // namespace shakedown::vectors::stellar
