// Codec vectors: each group names a kind; a case is its inputs plus the outputs the reference
// computes from them (the checker recomputes and compares every output field).
#include <functional>
#include <map>
#include <set>

#include "hivemind/auth.hpp"
#include "hivemind/binarize.hpp"
#include "hivemind/channel.hpp"
#include "hivemind/messages.hpp"
#include "vectors/gen/hivemind/hivemind_vectors.hpp"
#include "vectors/gen/json_strict.hpp"

namespace shakedown::hivemind::vectors {

namespace {

using shakedown::vectors::GeneratedFile;
using shakedown::vectors::VectorError;
using VJson = shakedown::vectors::Json;

void put_failure(VJson& out, const Failure& f) {
    out["result"] = "invalid";
    out["error"] = std::string(to_string(f.code));
    out["offset"] = f.offset == kNoOffset ? VJson(nullptr) : VJson(f.offset);
}

Bytes hex_in(const VJson& in, const char* key) { return shakedown::vectors::hex_value(in.at(key), key); }
std::string str_in(const VJson& in, const char* key) { return in.at(key).get<std::string>(); }

Encoding encoding_in(const VJson& group) {
    const auto e = encoding_from_wire(group.at("encoding").get<std::string>());
    if (!e) {
        throw VectorError("group encoding unknown");
    }
    return *e;
}

// ---- compute functions: inputs (and the group) -> outputs --------------------------------

VJson compute_encoding(const VJson& group, const VJson& in) {
    const Encoding e = encoding_in(group);
    VJson out = VJson::object();
    const std::string text = str_in(in, "text");
    const auto r = decode(e, text);
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["data"] = to_hex(*r);
    return out;
}

VJson compute_json(const VJson&, const VJson& in) {
    VJson out = VJson::object();
    const auto r = parse_json(ByteView(hex_in(in, "hex")));
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["dump"] = dump_json(*r);
    return out;
}

VJson compute_message(const VJson&, const VJson& in) {
    VJson out = VJson::object();
    const auto r = parse_message(ByteView(hex_in(in, "hex")));
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["serialized"] = serialize_message(*r);
    return out;
}

VJson compute_frame(const VJson&, const VJson& in) {
    VJson out = VJson::object();
    const auto r = parse_frame(hex_in(in, "hex"));
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["type"] = static_cast<int>(r->type);
    out["version"] = r->version ? VJson(*r->version) : VJson(nullptr);
    out["compressed"] = r->compressed;
    out["metadata"] = r->metadata;
    out["binaryType"] = r->type == FrameType::binary ? VJson(r->binary_type) : VJson(nullptr);
    out["payload"] = to_hex(r->payload);
    return out;
}

VJson compute_password_envelope(const VJson&, const VJson& in) {
    VJson out = VJson::object();
    const std::string password = str_in(in, "password");
    const std::string envelope = str_in(in, "envelope");
    out["upstreamAccepts"] = verify_password_envelope(envelope, password, {true}).ok();
    const auto r = verify_password_envelope(envelope, password);
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["iv"] = to_hex(*r);
    return out;
}

crypto::RsaKey load_key(const std::string& name, bool public_only) {
    const std::string pem = test_key_pem(name);
    auto k = crypto::RsaKey::from_pem(pem);
    if (!k) {
        throw VectorError("unknown key " + name);
    }
    if (public_only) {
        return crypto::RsaKey::from_pem(public_pem(*k)).value();
    }
    return std::move(*k);
}

VJson compute_rsa_envelope(const VJson&, const VJson& in) {
    VJson out = VJson::object();
    const auto signer = load_key(str_in(in, "signer"), true);
    const auto recipient = load_key(str_in(in, "recipient"), false);
    const auto r = open_rsa_envelope(str_in(in, "envelope"), signer, recipient);
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["secret"] = to_hex(r->view());
    return out;
}

VJson compute_encrypted(const VJson& group, const VJson& in) {
    VJson out = VJson::object();
    const auto cipher = cipher_from_wire(group.at("cipher").get<std::string>());
    const Encoding e = encoding_in(group);
    const Bytes key = hex_in(in, "key");
    const bool binary = in.at("binary").get<bool>();
    Result<Sealed> s = binary ? parse_binary_frame(hex_in(in, "frame"), *cipher)
                              : parse_json_frame(as_bytes(str_in(in, "frame")), e);
    if (!s) {
        put_failure(out, s.failure());
        return out;
    }
    const auto r = open(*cipher, key, *s);
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["plaintext"] = to_hex(*r);
    return out;
}

VJson compute_authorization(const VJson&, const VJson& in) {
    VJson out = VJson::object();
    const auto r = parse_authorization(str_in(in, "value"));
    if (!r) {
        put_failure(out, r.failure());
        return out;
    }
    out["result"] = "valid";
    out["useragent"] = r->useragent;
    out["accessKey"] = r->access_key;
    return out;
}

struct Kind {
    const char* type;
    std::vector<std::string> inputs;
    std::function<VJson(const VJson&, const VJson&)> compute;
};

const std::map<std::string, Kind>& kinds() {
    static const std::map<std::string, Kind> k = {
        {"HiveMindEncoding", {"HiveMindEncoding", {"text"}, compute_encoding}},
        {"HiveMindJson", {"HiveMindJson", {"hex"}, compute_json}},
        {"HiveMindMessage", {"HiveMindMessage", {"hex"}, compute_message}},
        {"HiveMindFrame", {"HiveMindFrame", {"hex"}, compute_frame}},
        {"HiveMindPasswordEnvelope", {"HiveMindPasswordEnvelope", {"password", "envelope"}, compute_password_envelope}},
        {"HiveMindRsaEnvelope", {"HiveMindRsaEnvelope", {"signer", "recipient", "envelope"}, compute_rsa_envelope}},
        {"HiveMindEncryptedFrame", {"HiveMindEncryptedFrame", {"key", "binary", "frame"}, compute_encrypted}},
        {"HiveMindAuthorization", {"HiveMindAuthorization", {"value"}, compute_authorization}},
    };
    return k;
}

struct GroupBuilder {
    VJson group;
    std::size_t* next_id;
    std::size_t* count;
    void add(const std::string& comment, std::vector<std::string> flags, VJson inputs) {
        const auto& kind = kinds().at(group.at("type").get<std::string>());
        VJson t = VJson::object();
        t["tcId"] = (*next_id)++;
        t["comment"] = comment;
        t["flags"] = flags;
        for (auto& [k, v] : inputs.items()) {
            t[k] = v;
        }
        const VJson outputs = kind.compute(group, inputs);
        for (const auto& [k, v] : outputs.items()) {
            t[k] = v;
        }
        group["tests"].push_back(t);
        ++*count;
    }
};

Bytes seeded(std::uint8_t seed, std::size_t n) {
    ByteArray<32> s{};
    s.fill(seed);
    SeededRng rng(s);
    Bytes out(n);
    rng.fill(out);
    return out;
}

std::string flip_case(std::string s) {
    for (auto& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 32);
        } else if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + 32);
        }
    }
    return s;
}

void encoding_groups(std::vector<GroupBuilder>& out, std::size_t* id, std::size_t* count) {
    const std::vector<Bytes> samples = {Bytes{}, Bytes{'f'},
                                        Bytes{'f', 'o'}, Bytes{'f', 'o', 'o'}, Bytes{'f', 'o', 'o', 'b'},
                                        Bytes{'f', 'o', 'o', 'b', 'a'}, Bytes{'f', 'o', 'o', 'b', 'a', 'r'},
                                        Bytes{'t', 'e', 's', 't'}, Bytes{0}, Bytes{0xff}, Bytes(4, 0), Bytes(5, 0xff),
                                        seeded(1, 16), seeded(2, 32), seeded(3, 61), seeded(4, 100)};
    for (const auto e : all_encodings()) {
        GroupBuilder g{VJson::object(), id, count};
        g.group["type"] = "HiveMindEncoding";
        g.group["encoding"] = std::string(wire_name(e));
        g.group["tests"] = VJson::array();
        for (const auto& s : samples) {
            g.add(std::to_string(s.size()) + " bytes", {"Valid"}, VJson{{"text", encode(e, s)}});
        }
        const std::string sample = encode(e, seeded(5, 7));
        std::vector<std::pair<std::string, std::string>> bad;
        bad.emplace_back("last character removed", sample.substr(0, sample.size() - 1));
        bad.emplace_back("a space inserted", sample.substr(0, 2) + " " + sample.substr(2));
        bad.emplace_back("character outside every alphabet", sample.substr(0, 3) + "\x7f" + sample.substr(4));
        bad.emplace_back("case flipped", flip_case(sample));
        bad.emplace_back("one character appended", sample + sample.substr(1, 1));
        switch (e) {
            case Encoding::hex:
                bad.emplace_back("uppercase digits", "0A0B");
                bad.emplace_back("odd length", "abc");
                break;
            case Encoding::b64:
            case Encoding::urlsafe_b64:
                bad.emplace_back("non-zero unused bits", "Zh==");
                bad.emplace_back("missing padding", "Zg");
                bad.emplace_back("padding in the middle", "Zg==Zg==");
                bad.emplace_back("the other alphabet", e == Encoding::b64 ? "-_-_" : "+/+/");
                bad.emplace_back("three padding characters", "Z===");
                break;
            case Encoding::b32:
                bad.emplace_back("non-zero unused bits", "MZ======");
                bad.emplace_back("lowercase", "my======");
                bad.emplace_back("impossible padding", "MZXW6Y==");
                break;
            case Encoding::b91:
                bad.emplace_back("one byte written with one digit", "/");
                bad.emplace_back("'-' of the compiled upstream alphabet", "fP-Kd");
                bad.emplace_back("'~' missing from the compiled upstream alphabet", "~~");
                break;
            case Encoding::z85b:
                bad.emplace_back("length leaving one digit", "000001");
                bad.emplace_back("group above 2^32 - 1", "#####");
                bad.emplace_back("dropped digits would not be zero", "zz");
                break;
            case Encoding::z85p:
                bad.emplace_back("padding byte 4", std::string("\x04") + "00000");
                bad.emplace_back("padding byte as ASCII digit", "100000");
                bad.emplace_back("empty (no padding byte)", "");
                bad.emplace_back("padding bytes not zero", std::string("\x03") + "0rr92");
                bad.emplace_back("padding larger than the data", std::string("\x01"));
                bad.emplace_back("group above 2^32 - 1", std::string("\x00", 1) + "#####");
                break;
        }
        for (const auto& [what, text] : bad) {
            VJson in{{"text", text}};
            // A few mutations happen to be canonical spellings of other bytes: those are valid.
            const bool accepted = decode(e, text).ok();
            g.add(what, {accepted ? "Valid" : "Malformed"}, in);
        }
        out.push_back(g);
    }
}

Bytes hx(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

std::vector<GeneratedFile> generate_codecs() {
    std::size_t id = 1;
    std::size_t count = 0;
    std::vector<GroupBuilder> groups;
    encoding_groups(groups, &id, &count);

    auto group = [&](const char* type) -> GroupBuilder& {
        groups.push_back(GroupBuilder{VJson::object(), &id, &count});
        groups.back().group["type"] = type;
        groups.back().group["tests"] = VJson::array();
        return groups.back();
    };
    {
        auto& g = group("HiveMindJson");
        const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> texts = {
            {"object with nested values", {"Valid"}, R"({"a":[1,-2,{}],"b":{"c":null,"d":true,"e":false}})"},
            {"whitespace everywhere", {"Valid"}, " {\t\"a\" :\n[ ] }\r\n"},
            {"escapes and raw UTF-8", {"Valid"}, "{\"s\": \"\\u00e9\\n\\t\\\"\\\\\\/\\u0001\xc3\xa9\xf0\x9f\x98\x80\"}"},
            {"surrogate pair escape", {"Valid"}, R"(["\ud83d\ude00"])"},
            {"int64 bounds", {"Valid"}, "[-9223372036854775808, 9223372036854775807]"},
            {"duplicate key", {"DuplicateKey"}, R"({"a": 1, "a": 2})"},
            {"fraction", {"WrongType"}, R"({"a": 1.5})"},
            {"exponent", {"WrongType"}, R"({"a": 1e3})"},
            {"integer past int64", {"Oversize"}, "[9223372036854775808]"},
            {"lone high surrogate", {"InvalidUtf8"}, R"(["\ud800"])"},
            {"lone low surrogate", {"InvalidUtf8"}, R"(["\udc00x"])"},
            {"high surrogate followed by a non-surrogate escape", {"InvalidUtf8"}, R"(["\ud800\u0041"])"},
            {"UTF-8 encoded surrogate", {"InvalidUtf8"}, "[\"\xed\xa0\x80\"]"},
            {"overlong UTF-8", {"InvalidUtf8"}, "[\"\xc0\xaf\"]"},
            {"stray continuation byte", {"InvalidUtf8"}, "[\"\x80\"]"},
            {"code point above U+10FFFF", {"InvalidUtf8"}, "[\"\xf4\x90\x80\x80\"]"},
            {"cut inside a UTF-8 sequence", {"InvalidUtf8"}, "[\"\xe2\x82\"]"},
            {"trailing data", {"TrailingBytes"}, "{} {}"},
            {"truncated object", {"Truncated"}, R"({"a": [1, 2)"},
            {"empty input", {"Truncated"}, ""},
            {"unterminated string", {"Truncated"}, R"(["abc)"},
            {"leading zero", {"Malformed"}, "[01]"},
            {"single quotes", {"Malformed"}, "{'a': 1}"},
            {"trailing comma", {"Malformed"}, "[1, 2,]"},
            {"raw control character in a string", {"Malformed"}, "[\"a\nb\"]"},
            {"unknown escape", {"Malformed"}, R"(["\x"])"},
            {"NaN literal", {"Malformed"}, "[NaN]"},
            {"depth 32 (the bound)", {"Valid"}, std::string(32, '[') + std::string(32, ']')},
            {"depth 33", {"Oversize"}, std::string(33, '[') + std::string(33, ']')},
        };
        for (const auto& [what, flags, text] : texts) {
            g.add(what, flags, VJson{{"hex", to_hex(as_bytes(text))}});
        }
    }
    {
        auto& g = group("HiveMindMessage");
        HiveMessage m;
        m.msg_type = "bus";
        m.payload.set("type", Json::string("speak"));
        m.payload.set("data", Json::object({{"utterance", Json::string("ol\xc3\xa1 \"mundo\""), 0}}));
        const std::string full = serialize_message(m);
        const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> texts = {
            {"BUS message as upstream writes it", {"Valid"}, full},
            {"only msg_type: the rest defaults", {"Valid"}, R"({"msg_type": "hello"})"},
            {"keys in another order, compact separators", {"Valid"},
             R"({"payload":{},"msg_type":"shake","route":[],"node":"n"})"},
            {"unknown key", {"UnknownKey"}, R"({"msg_type": "bus", "priority": 1})"},
            {"payload is a list", {"WrongType"}, R"({"msg_type": "bus", "payload": []})"},
            {"msg_type is a number", {"WrongType"}, R"({"msg_type": 1})"},
            {"node is an object", {"WrongType"}, R"({"msg_type": "bus", "node": {}})"},
            {"route is a string", {"WrongType"}, R"({"msg_type": "bus", "route": "x"})"},
            {"no msg_type", {"Malformed"}, R"({"payload": {}})"},
            {"top level is a list", {"WrongType"}, "[]"},
            {"duplicate msg_type", {"DuplicateKey"}, R"({"msg_type": "bus", "msg_type": "hello"})"},
        };
        for (const auto& [what, flags, text] : texts) {
            g.add(what, flags, VJson{{"hex", to_hex(as_bytes(text))}});
        }
    }
    {
        auto& g = group("HiveMindFrame");
        for (std::uint8_t t = 0; t < kFrameTypeCount; ++t) {
            for (int v = 0; v < 2; ++v) {
                BinFrame f;
                f.type = static_cast<FrameType>(t);
                f.compressed = v == 1;
                if (v == 1) {
                    f.version = 1;
                }
                f.metadata = t % 2 == 0 ? "{}" : "{\"ts\": 1}";
                f.binary_type = f.type == FrameType::binary ? 2 : 0;
                f.payload = hx(R"({"utterance": "hi"})");
                g.add(std::string(msg_type_name(f.type)) + (v ? " frame, versioned and compressed" : " frame"),
                      {"Valid"}, VJson{{"hex", to_hex(serialize_frame(f).value())}});
            }
        }
        BinFrame bus;
        bus.type = FrameType::bus;
        bus.payload = hx("{}");
        const Bytes w = serialize_frame(bus).value();
        BinFrame bomb;
        bomb.compressed = true;
        bomb.payload.assign(kMaxInflated + 1, 0);
        BinFrame compressed;
        compressed.compressed = true;
        compressed.payload = hx(R"({"a": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})");
        const Bytes cw = serialize_frame(compressed).value();
        const std::vector<std::tuple<std::string, std::vector<std::string>, Bytes>> raw = {
            {"empty", {"Truncated"}, Bytes{}},
            {"first byte zero (no start bit)", {"BadStartBit"}, concat({Bytes{0}, w})},
            {"unknown type 13", {"UnknownFrameType"}, Bytes{0x9a, 0x02, '{', '}'}},
            {"unknown type 31", {"UnknownFrameType"}, Bytes{0xbe, 0x02, '{', '}'}},
            {"metadata length past the end", {"MetadataPastEnd"}, Bytes{0x82, 0x03, '{', '}'}},
            {"header cut inside the metadata length", {"Truncated"}, Bytes{0x82}},
            {"padding that does not match the header", {"BadPadding"}, Bytes{0x41, 0x01, 0x3d, 0xbe, 0x80}},
            {"metadata not an object", {"WrongType"}, Bytes{0x82, 0x02, '[', ']'}},
            {"metadata not JSON", {"Malformed"}, Bytes{0x82, 0x02, '{', '{'}},
            {"zlib bomb", {"ZlibBomb"}, serialize_frame(bomb).value()},
            {"compressed payload cut short", {"Truncated"}, Bytes(cw.begin(), cw.end() - 4)},
            {"bytes after the zlib stream", {"TrailingBytes"}, concat({cw, Bytes{0}})},
            {"compressed bit over a payload that is not zlib", {"Malformed"}, Bytes{0x83, 0x02, '{', '}', '{', '}'}},
        };
        for (const auto& [what, flags, bytes] : raw) {
            g.add(what, flags, VJson{{"hex", to_hex(bytes)}});
        }
    }
    {
        auto& g = group("HiveMindPasswordEnvelope");
        const std::string pw = "test-password-123";
        const Iv iv = {0, 1, 2, 3, 4, 5, 6, 7};
        const std::string env = password_envelope(pw, iv);
        std::string upper_iv = env;
        for (std::size_t k = 0; k < 16; ++k) {
            upper_iv[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper_iv[k])));
        }
        const Iv iv2 = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87};
        const std::vector<std::tuple<std::string, std::vector<std::string>, std::string, std::string>> cases = {
            {"the upstream known answer's client envelope", {"Valid", "KnownAnswer"}, pw, env},
            {"the upstream known answer's server envelope", {"Valid", "KnownAnswer"}, pw, password_envelope(pw, iv2)},
            {"empty password", {"Valid", "EmptyPassword"}, "", password_envelope("", iv)},
            {"non-ASCII password", {"Valid"}, "p\xc3\xa4ssw\xc3\xb6rd", password_envelope("p\xc3\xa4ssw\xc3\xb6rd", iv)},
            {"wrong password", {"WrongPassword"}, "other", env},
            {"15 characters", {"MalformedEnvelope"}, pw, env.substr(0, 15)},
            {"47 characters", {"MalformedEnvelope"}, pw, env.substr(0, 47)},
            {"empty", {"MalformedEnvelope"}, pw, ""},
            {"IV not hex", {"MalformedEnvelope"}, pw, "000102030405060g" + env.substr(16)},
            {"digest not hex", {"MalformedEnvelope"}, pw, env.substr(0, 40) + "zzzzzzzz"},
            {"uppercase IV", {"MalformedEnvelope"}, pw, upper_iv},
            {"uppercase digest", {"MalformedEnvelope"}, pw, env.substr(0, 16) + flip_case(env.substr(16))},
            {"80 digits: valid 48 and 32 more", {"MalformedEnvelope"}, pw, env + env.substr(0, 32)},
            {"81 digits", {"MalformedEnvelope"}, pw, env + env.substr(0, 33)},
            {"junk after 48 characters", {"MalformedEnvelope"}, pw, env + "junk"},
        };
        for (const auto& [what, flags, password, envelope] : cases) {
            g.add(what, flags, VJson{{"password", password}, {"envelope", envelope}});
        }
    }
    {
        auto& g = group("HiveMindRsaEnvelope");
        const auto server = load_key("server_rsa2048", false);
        const auto client_pub = load_key("client_rsa2048", true);
        SeededRng rng(ByteArray<32>{0x2a});
        const Bytes secret = seeded(6, 32);
        const std::string env = rsa_envelope(server, client_pub, secret, rng).value();
        std::string sig_flip = env;
        sig_flip[5] = sig_flip[5] == 'a' ? 'b' : 'a';
        std::string ct_flip = env;
        ct_flip[700] = ct_flip[700] == 'a' ? 'b' : 'a';
        SeededRng rng2(ByteArray<32>{0x2b});
        const Bytes ct31 = oaep_sha1_encrypt(client_pub, Bytes(31, 1), rng2).value();
        const std::string env31 = to_hex(concat({pss_sha256_sign(server, ct31, rng2).value(), ct31}));
        const std::vector<std::tuple<std::string, std::vector<std::string>, std::string, std::string, std::string>> cases = {
            {"1,024 hex digits, server to client", {"Valid"}, "server_rsa2048", "client_rsa2048", env},
            {"uppercase hex", {"MalformedEnvelope"}, "server_rsa2048", "client_rsa2048", flip_case(env)},
            {"non-hex digit", {"MalformedEnvelope"}, "server_rsa2048", "client_rsa2048", "x" + env.substr(1)},
            {"1,022 hex digits", {"MalformedEnvelope"}, "server_rsa2048", "client_rsa2048", env.substr(2)},
            {"signature bit flipped", {"TamperedSignature"}, "server_rsa2048", "client_rsa2048", sig_flip},
            {"ciphertext bit flipped", {"TamperedSignature"}, "server_rsa2048", "client_rsa2048", ct_flip},
            {"checked against another signer", {"TamperedSignature"}, "other_rsa2048", "client_rsa2048", env},
            {"a 31-byte secret", {"WrongSecretSize"}, "server_rsa2048", "client_rsa2048", env31},
        };
        for (const auto& [what, flags, signer, recipient, envelope] : cases) {
            g.add(what, flags, VJson{{"signer", signer}, {"recipient", recipient}, {"envelope", envelope}});
        }
    }
    for (const auto* cipher_name : {"AES-GCM", "CHACHA20-POLY1305"}) {
        for (const auto e : {Encoding::hex, Encoding::b64, Encoding::b91, Encoding::z85p}) {
            auto& g = group("HiveMindEncryptedFrame");
            g.group["cipher"] = cipher_name;
            g.group["encoding"] = std::string(wire_name(e));
            const Cipher c = *cipher_from_wire(cipher_name);
            const Bytes key = seeded(7, 32);
            const Bytes nonce = seeded(8, nonce_size(c));
            const Sealed s = seal(c, key, nonce, as_bytes(R"({"msg_type": "bus"})")).value();
            auto text = [&](std::vector<std::pair<const char*, Bytes>> fields) {
                Json j = Json::object();
                for (auto& [k, v] : fields) {
                    j.set(k, Json::string(encode(e, v)));
                }
                return dump_json(j);
            };
            const Bytes short_nonce(nonce.begin(), nonce.end() - 4);
            Bytes flipped = s.ciphertext;
            flipped[0] ^= 1;
            const std::vector<std::tuple<std::string, std::vector<std::string>, bool, std::string>> cases = {
                {"as the reference writes it", {"Valid"}, false, write_json_frame(s, e)},
                {"tag inside the ciphertext, no tag field", {"Valid", "TagInCiphertext"}, false,
                 text({{"ciphertext", concat({s.ciphertext, s.tag})}, {"nonce", s.nonce}})},
                {"missing tag and a ciphertext shorter than one", {"TruncatedTag"}, false,
                 text({{"ciphertext", Bytes(s.tag.begin(), s.tag.begin() + 10)}, {"nonce", s.nonce}})},
                {"tag of 15 bytes", {"TruncatedTag"}, false,
                 text({{"ciphertext", s.ciphertext}, {"tag", Bytes(s.tag.begin(), s.tag.end() - 1)}, {"nonce", s.nonce}})},
                {"zero-length ciphertext", {"ZeroLengthCiphertext"}, false,
                 text({{"ciphertext", {}}, {"tag", s.tag}, {"nonce", s.nonce}})},
                {"nonce 4 bytes short", {"WrongNonceSize"}, false,
                 text({{"ciphertext", s.ciphertext}, {"tag", s.tag}, {"nonce", short_nonce}})},
                {"ciphertext bit flipped", {"BitFlip"}, false,
                 text({{"ciphertext", flipped}, {"tag", s.tag}, {"nonce", s.nonce}})},
                {"no nonce", {"Malformed"}, false, text({{"ciphertext", s.ciphertext}, {"tag", s.tag}})},
                {"an extra field", {"UnknownKey"}, false,
                 text({{"ciphertext", s.ciphertext}, {"tag", s.tag}, {"nonce", s.nonce}, {"aad", {}}})},
                {"binary frame nonce || ciphertext || tag", {"Valid", "Binarized"}, true, to_hex(write_binary_frame(s))},
                {"binary frame shorter than nonce and tag", {"Truncated"}, true,
                 to_hex(Bytes(nonce_size(c) + 15, 0))},
                {"binary frame, nonce only and a tag (empty ciphertext, wrong tag)", {"BitFlip"}, true,
                 to_hex(concat({s.nonce, s.tag}))},
            };
            for (const auto& [what, flags, binary, frame] : cases) {
                g.add(what, flags, VJson{{"key", to_hex(key)}, {"binary", binary}, {"frame", frame}});
            }
        }
    }
    {
        auto& g = group("HiveMindAuthorization");
        const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> cases = {
            {"useragent and key", {"Valid"}, write_authorization({"HiveMind-websocket", "abcdef0123456789"})},
            {"key containing ':'", {"Valid"}, write_authorization({"ua", "a:b"})},
            {"empty useragent and key", {"Valid"}, write_authorization({"", ""})},
            {"no ':'", {"Malformed"}, encode(Encoding::b64, as_bytes("nocolon"))},
            {"not base64", {"Malformed"}, "not base64!"},
            {"percent-encoded padding", {"Malformed"}, "YTpi%3D"},
            {"missing padding", {"Malformed"}, "YTpiYw"},
            {"URL-safe alphabet", {"Malformed"}, "-_-_"},
            {"invalid UTF-8 inside", {"InvalidUtf8"}, encode(Encoding::b64, Bytes{'u', ':', 0xff})},
            {"empty value", {"Malformed"}, ""},
        };
        for (const auto& [what, flags, value] : cases) {
            g.add(what, flags, VJson{{"value", value}});
        }
    }

    VJson file = VJson::object();
    file["variant"] = "hivemind";
    file["schema"] = kCodecSchema;
    file["generatedBy"] = "shakedown vectors generate --variant hivemind (do not edit)";
    file["header"] = {"HiveMind codecs: the seven field encodings, HiveMessage JSON, binarized frames, envelopes, "
                      "encrypted frames and the authorization parameter.",
                      "Invalid cases name the error value and the byte offset (in the decoded text or frame) where "
                      "it is detected; docs/protocols/hivemind.md states the rules."};
    VJson notes = VJson::object();
    auto note = [&](const char* flag, const char* bug, const char* desc) {
        notes[flag] = VJson{{"bugType", bug}, {"description", desc}};
    };
    note("Valid", "BASIC", "Decodes; outputs as given.");
    note("KnownAnswer", "BASIC", "Value from the upstream known answer.");
    note("Malformed", "DECODING", "Rejected: not in the format.");
    note("DuplicateKey", "DECODING", "A JSON key repeated.");
    note("WrongType", "DECODING", "A value of the wrong JSON type.");
    note("Oversize", "RESOURCE", "Past a size or depth bound.");
    note("InvalidUtf8", "DECODING", "Invalid UTF-8 or a lone surrogate.");
    note("TrailingBytes", "DECODING", "Data after a complete value.");
    note("Truncated", "DECODING", "Input ends inside a field.");
    note("UnknownKey", "DECODING", "A key outside the format.");
    note("BadStartBit", "DECODING", "Binarized frame without a start bit in its first byte.");
    note("UnknownFrameType", "DECODING", "Binarized type above 12.");
    note("MetadataPastEnd", "DECODING", "Metadata longer than the frame.");
    note("BadPadding", "DECODING", "Leading zero bits that do not pad the header.");
    note("ZlibBomb", "RESOURCE", "Inflates past the 1 MiB bound.");
    note("EmptyPassword", "CONFIG", "An empty password (the strict reference refuses to run with one).");
    note("WrongPassword", "AUTH", "Envelope made with another password.");
    note("MalformedEnvelope", "DECODING", "upstreamAccepts says whether the pinned upstream's rule takes it.");
    note("TamperedSignature", "AUTH", "The PSS signature does not verify.");
    note("WrongSecretSize", "CRYPTO", "The OAEP plaintext is not 32 bytes.");
    note("TagInCiphertext", "EDGE_CASE", "No tag field: the ciphertext's last 16 bytes are the tag.");
    note("TruncatedTag", "DECODING", "Tag shorter than 16 bytes.");
    note("ZeroLengthCiphertext", "DECODING", "Empty ciphertext with a tag that does not fit.");
    note("WrongNonceSize", "DECODING", "A nonce of a size the cipher does not use.");
    note("BitFlip", "CRYPTO", "Authentication fails.");
    note("Binarized", "BASIC", "Binary frame layout.");
    file["notes"] = notes;
    file["numberOfTests"] = count;
    VJson gs = VJson::array();
    for (auto& g : groups) {
        gs.push_back(g.group);
    }
    file["testGroups"] = gs;
    return {GeneratedFile{"hivemind/codec_test.json", shakedown::vectors::dump_canonical(file)}};
}

void check_codec_case(const VJson& group, const VJson& test) {
    const std::string type = group.value("type", "");
    const auto it = kinds().find(type);
    if (it == kinds().end()) {
        throw VectorError("group type '" + type + "' unknown");
    }
    VJson inputs = VJson::object();
    std::set<std::string> seen = {"tcId", "comment", "flags"};
    for (const auto& k : it->second.inputs) {
        if (!test.contains(k)) {
            throw VectorError(k + ": missing input");
        }
        inputs[k] = test.at(k);
        seen.insert(k);
    }
    const VJson expect = it->second.compute(group, inputs);
    for (auto& [k, v] : expect.items()) {
        if (!test.contains(k)) {
            throw VectorError(k + ": missing");
        }
        if (test.at(k) != v) {
            throw VectorError(k + ": expected " + test.at(k).dump() + ", reference computes " + v.dump());
        }
        seen.insert(k);
    }
    for (auto& [k, v] : test.items()) {
        if (seen.count(k) == 0) {
            throw VectorError(k + ": unknown key");
        }
    }
}

}  // namespace shakedown::hivemind::vectors
