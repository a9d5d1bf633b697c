#include "vectors/gen/stellar/stellar_catalogue.hpp"

#include <set>

#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar {

using namespace shakedown::stellar;

namespace {

using cases::Builder;
using cases::CodecBuilder;

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
    const cases::HandshakeBase base_run = cases::make_handshake_base();
    cases::add_valid(b, base_run);
    cases::add_weak_keys(b, wycheproof_dir);
    cases::add_certs_and_clocks(b, base_run);
    cases::add_hello_validation(b, base_run);
    cases::add_mac_sequence_replay_order(b, base_run);
    cases::add_decoding_and_framing(b, base_run);
    cases::add_bitflips(b, base_run);

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

Json generate_codec_file() {
    CodecBuilder cb;
    const cases::CodecBase base_run = cases::make_codec_base();
    cases::add_frame(cb, base_run);
    cases::add_auth_cert(cb, base_run);
    cases::add_hello(cb, base_run);
    cases::add_auth(cb, base_run);
    cases::add_error(cb, base_run);
    cases::add_stellar_message(cb, base_run);
    cases::add_authenticated_message(cb, base_run);

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
