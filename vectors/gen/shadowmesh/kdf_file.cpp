// vectors/shadowmesh/kdf_test.json: the relay key schedule (deployed code and protocol document
// forms) and the challenge MAC, with the known answers of docs/protocols/shadowmesh.md §9.
#include "common/crypto.hpp"
#include "shadowmesh/keys.hpp"
#include "vectors/gen/shadowmesh/support.hpp"

namespace shakedown::shadowmesh::vectors {

namespace {

template <std::size_t N>
ByteArray<N> arr(const Bytes& b) {
    ByteArray<N> out{};
    std::copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(N), out.begin());
    return out;
}

template <std::size_t N>
ByteArray<N> filled(std::uint8_t v) {
    ByteArray<N> a{};
    a.fill(v);
    return a;
}

template <std::size_t N>
ByteArray<N> hex_arr(const Json& t, const char* key) {
    const Bytes b = shakedown::vectors::hex_value(t.at(key), key);
    if (b.size() != N) {
        throw VectorError(std::string(key) + ": expected " + std::to_string(N) + " bytes");
    }
    return arr<N>(b);
}

Json master_case(const std::string& form, const std::string& comment, std::vector<std::string> flags,
                 const ByteArray<32>& kem, const ByteArray<32>& ecdh) {
    Json t = Json::object();
    t["comment"] = comment;
    t["flags"] = std::move(flags);
    t["kem_ss"] = to_hex(kem);
    t["ecdh_ss"] = to_hex(ecdh);
    const auto m = form == "code" ? master_secret_code(kem, ecdh) : master_secret_document(kem, ecdh);
    t["master"] = to_hex(m.view());
    t["result"] = "valid";
    return t;
}

// code form: local/remote; document form: client/relay.
Json session_case(const std::string& form, const std::string& comment, std::vector<std::string> flags,
                  const ByteArray<32>& master, const SessionId& sid, const NodeId& a, const NodeId& b) {
    Json t = Json::object();
    t["comment"] = comment;
    t["flags"] = std::move(flags);
    t["master"] = to_hex(master);
    t["session_id"] = to_hex(sid);
    t[form == "code" ? "local_id" : "client_id"] = to_hex(a);
    t[form == "code" ? "remote_id" : "relay_id"] = to_hex(b);
    const Secret<32> m(master);
    const auto k = form == "code" ? session_keys_code(m, sid, a, b) : session_keys_document(m, sid, a, b);
    t["tx"] = to_hex(k.tx.view());
    t["rx"] = to_hex(k.rx.view());
    t["result"] = "valid";
    return t;
}

Json mac_case(const std::string& comment, std::vector<std::string> flags, const ByteArray<32>& key,
              const Challenge& challenge, const Mac& mac) {
    Json t = Json::object();
    t["comment"] = comment;
    t["flags"] = std::move(flags);
    t["key"] = to_hex(key);
    t["challenge"] = to_hex(challenge);
    t["mac"] = to_hex(mac);
    const bool ok = verify_challenge_mac(Secret<32>(key), challenge, mac);
    t["result"] = ok ? "valid" : "invalid";
    if (!ok) {
        t["error"] = "bad_mac";
    }
    return t;
}

Json group(const char* type, const char* form, Json tests) {
    Json g = Json::object();
    g["type"] = type;
    if (form != nullptr) {
        g["form"] = form;
    }
    g["tests"] = std::move(tests);
    return g;
}

}  // namespace

Json generate_kdf_file() {
    Json notes = Json::object();
    notes["KnownAnswer"] = {
        {"bugType", "BASIC"},
        {"description", "Inputs and outputs of the protocol description's known answers (section 9)."},
        {"effect", "An implementation that differs cannot interoperate."}};
    notes["Valid"] = {{"bugType", "BASIC"},
                      {"description", "Further inputs, derived deterministically from a label."},
                      {"effect", "Must reproduce the output."}};
    notes["DocumentForm"] = {
        {"bugType", "SPEC_DIVERGENCE"},
        {"description", "The derivation as the protocol document writes it, which the deployed code does not use."},
        {"effect", "A peer deriving this way gets other keys: the re-handshake fails (finding, not crash)."}};
    notes["RelaySide"] = {{"bugType", "BASIC"},
                          {"description", "The relay's view: local and remote swapped, so relay.TX = client.RX."},
                          {"effect", "Directional keys mirror across the two ends."}};
    notes["WrongKey"] = {{"bugType", "AUTHENTICATION"},
                         {"description",
                          "A MAC computed with another session key (the COMPLETE field comment's RX reading, X8; RX_R "
                          "for RESPONSE, X7)."},
                         {"effect", "Must not verify: strict rejects it."}};
    notes["WrongInput"] = {{"bugType", "AUTHENTICATION"},
                           {"description", "A MAC over other bytes than the bare 32-byte challenge."},
                           {"effect", "Must not verify."}};
    notes["ModifiedMac"] = {
        {"bugType", "INTEGRITY"},
        {"description", "A correct MAC with one bit flipped, or only its first 16 bytes correct (X6)."},
        {"effect", "Must not verify: the comparison covers all 32 bytes."}};
    Json f = file_skeleton(kKdfSchema,
                           {"ShadowMesh relay key schedule (master secret, TX/RX session keys) and challenge MAC.",
                            "HKDF-SHA256 (RFC 5869) and HMAC-SHA256; 'code' is the deployed derivation, 'document' the "
                            "protocol document's."},
                           notes);
    const ByteArray<32> kem = filled<32>(0x33);
    const ByteArray<32> ecdh = filled<32>(0x44);
    const auto kem2 = arr<32>(derived_bytes("kem 2", 32));
    const auto ecdh2 = arr<32>(derived_bytes("ecdh 2", 32));
    for (const char* form : {"code", "document"}) {
        const std::vector<std::string> extra =
            std::string(form) == "document" ? std::vector<std::string>{"DocumentForm"} : std::vector<std::string>{};
        auto flags = [&](std::vector<std::string> base) {
            base.insert(base.end(), extra.begin(), extra.end());
            return base;
        };
        Json masters = Json::array();
        masters.push_back(master_case(form, "section 9: IKM = 33 x 32 || 44 x 32", flags({"KnownAnswer"}), kem, ecdh));
        masters.push_back(master_case(form, "derived IKM", flags({"Valid"}), kem2, ecdh2));
        masters.push_back(master_case(form, "all-zero IKM", flags({"Valid"}), ByteArray<32>{}, ByteArray<32>{}));
        f["testGroups"].push_back(group("ShadowMeshMasterSecret", form, std::move(masters)));

        const auto master = counting_bytes<32>(0x00);
        const auto sid = counting_bytes<16>(0x01);
        const auto client = filled<32>(0x11);
        const auto relay = filled<32>(0x22);
        Json sessions = Json::array();
        sessions.push_back(session_case(form, "section 9: master 00..1f, client 11 x 32, relay 22 x 32, sid 01..10",
                                        flags({"KnownAnswer"}), master, sid, client, relay));
        if (std::string(form) == "code") {
            sessions.push_back(
                session_case(form, "section 9 from the relay's side", {"RelaySide"}, master, sid, relay, client));
        }
        sessions.push_back(session_case(form, "derived inputs", flags({"Valid"}), arr<32>(derived_bytes("master", 32)),
                                        arr<16>(derived_bytes("sid", 16)), arr<32>(derived_bytes("client", 32)),
                                        arr<32>(derived_bytes("relay", 32))));
        f["testGroups"].push_back(group("ShadowMeshSessionKeys", form, std::move(sessions)));
    }

    // MACs with the section 9 keys: A (responder) TX = 01..20, RX = 21..40; B (initiator) swapped.
    const auto a_tx = counting_bytes<32>(0x01);
    const auto a_rx = counting_bytes<32>(0x21);
    const auto c_i = counting_bytes<32>(0xa0);
    const auto c_r = counting_bytes<32>(0xc0);
    const auto mac = [](const ByteArray<32>& k, ByteView m) { return crypto::hmac_sha256(k, m); };
    Json macs = Json::array();
    macs.push_back(mac_case("section 9 R1 = HMAC(A.TX, c_I)", {"KnownAnswer"}, a_tx, c_i, mac(a_tx, c_i)));
    macs.push_back(mac_case("section 9 R2 = HMAC(B.TX, c_R)", {"KnownAnswer"}, a_rx, c_r, mac(a_rx, c_r)));
    macs.push_back(mac_case("X8: COMPLETE MACed with RX_I (= TX_R), checked against TX_I", {"KnownAnswer", "WrongKey"},
                            a_rx, c_r, mac(a_tx, c_r)));
    macs.push_back(
        mac_case("X7: RESPONSE MACed with RX_R, checked against TX_R", {"WrongKey"}, a_tx, c_i, mac(a_rx, c_i)));
    macs.push_back(mac_case("X7: RESPONSE MACed over sid || c_I", {"WrongInput"}, a_tx, c_i,
                            crypto::hmac_sha256(a_tx, {ByteView(counting_bytes<16>(0x01)), ByteView(c_i)})));
    macs.push_back(mac_case("X8: COMPLETE MACed over c_I instead of c_R", {"WrongInput"}, a_rx, c_r, mac(a_rx, c_i)));
    for (const std::size_t bit : {0U, 7U, 128U, 255U}) {
        Mac m = mac(a_tx, c_i);
        m[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
        macs.push_back(mac_case("X6: R1 with bit " + std::to_string(bit) + " flipped", {"ModifiedMac"}, a_tx, c_i, m));
    }
    {
        Mac m = mac(a_tx, c_i);
        std::fill(m.begin() + 16, m.end(), 0);
        macs.push_back(mac_case("X6: only the first 16 bytes of R1 correct", {"ModifiedMac"}, a_tx, c_i, m));
    }
    const auto k3 = arr<32>(derived_bytes("mac key", 32));
    const auto c3 = arr<32>(derived_bytes("mac challenge", 32));
    macs.push_back(mac_case("derived key and challenge", {"Valid"}, k3, c3, mac(k3, c3)));
    f["testGroups"].push_back(group("ShadowMeshChallengeMac", nullptr, std::move(macs)));
    number_tests(f);
    return f;
}

void check_kdf_case(const Json& group, const Json& test) {
    const std::string type = group.at("type").get<std::string>();
    const std::string form = group.contains("form") ? group.at("form").get<std::string>() : "";
    Json recomputed;
    if (type == "ShadowMeshMasterSecret") {
        check_keys(test, {"tcId", "comment", "flags", "kem_ss", "ecdh_ss", "master", "result"}, {}, "test");
        if (form != "code" && form != "document") {
            throw VectorError("group.form: must be code or document");
        }
        recomputed = master_case(form, test.at("comment").get<std::string>(), test.at("flags"),
                                 hex_arr<32>(test, "kem_ss"), hex_arr<32>(test, "ecdh_ss"));
    } else if (type == "ShadowMeshSessionKeys") {
        const bool code = form == "code";
        if (!code && form != "document") {
            throw VectorError("group.form: must be code or document");
        }
        const char* a = code ? "local_id" : "client_id";
        const char* b = code ? "remote_id" : "relay_id";
        check_keys(test, {"tcId", "comment", "flags", "master", "session_id", a, b, "tx", "rx", "result"}, {}, "test");
        recomputed =
            session_case(form, test.at("comment").get<std::string>(), test.at("flags"), hex_arr<32>(test, "master"),
                         hex_arr<16>(test, "session_id"), hex_arr<32>(test, a), hex_arr<32>(test, b));
    } else if (type == "ShadowMeshChallengeMac") {
        check_keys(test, {"tcId", "comment", "flags", "key", "challenge", "mac", "result"}, {"error"}, "test");
        recomputed = mac_case(test.at("comment").get<std::string>(), test.at("flags"), hex_arr<32>(test, "key"),
                              hex_arr<32>(test, "challenge"), hex_arr<32>(test, "mac"));
    } else {
        throw VectorError("group.type: unknown '" + type + "'");
    }
    recomputed["tcId"] = test.at("tcId");
    // Compare in the file's key order is irrelevant; values must match.
    compare_json(test, recomputed, "test");
}

}  // namespace shakedown::shadowmesh::vectors
