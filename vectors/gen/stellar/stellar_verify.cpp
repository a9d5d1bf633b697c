#include "vectors/gen/stellar/stellar_verify.hpp"

#include "stellar/codec.hpp"
#include "stellar/framing.hpp"
#include "vectors/gen/stellar/stellar_json.hpp"

namespace shakedown::vectors::stellar {

using namespace shakedown::stellar;

namespace {

// First difference between two JSON values, as a path; empty when equal.
std::string first_difference(const Json& expected, const Json& computed, const std::string& path) {
    if (expected.type() != computed.type() && !(expected.is_number() && computed.is_number())) {
        return path + ": expected " + expected.dump() + ", computed " + computed.dump();
    }
    if (expected.is_object()) {
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            if (!computed.contains(it.key())) {
                return path + "." + it.key() + ": expected " + it.value().dump() + ", computed nothing";
            }
            auto d = first_difference(it.value(), computed.at(it.key()), path + "." + it.key());
            if (!d.empty()) {
                return d;
            }
        }
        for (auto it = computed.begin(); it != computed.end(); ++it) {
            if (!expected.contains(it.key())) {
                return path + "." + it.key() + ": expected nothing, computed " + it.value().dump();
            }
        }
        return {};
    }
    if (expected.is_array()) {
        if (expected.size() != computed.size()) {
            return path + ": expected " + std::to_string(expected.size()) + " entries, computed " +
                   std::to_string(computed.size());
        }
        for (std::size_t i = 0; i < expected.size(); ++i) {
            auto d = first_difference(expected[i], computed[i], path + "[" + std::to_string(i) + "]");
            if (!d.empty()) {
                return d;
            }
        }
        return {};
    }
    if (expected != computed) {
        return path + ": expected " + expected.dump() + ", computed " + computed.dump();
    }
    return {};
}

void require_same(const Json& expected, const Json& computed, const std::string& path) {
    const std::string d = first_difference(expected, computed, path);
    if (!d.empty()) {
        throw VectorError(d);
    }
}

std::string result_of(StrictObject& t) {
    const std::string r = t.str("result");
    if (r != "valid" && r != "invalid") {
        throw VectorError("result: expected valid or invalid");
    }
    return r;
}

template <class T, class ToJson>
void check_codec(StrictObject& t, const Bytes& wire, const Result<T>& parsed, ToJson to_json_fn,
                 const std::function<Bytes(StrictObject)>& serialize_fields) {
    const std::string result = result_of(t);
    if (result == "valid") {
        if (!parsed) {
            throw VectorError("wire: expected to decode, failed with " + parsed.failure().describe());
        }
        require_same(t.req("fields"), to_json_fn(*parsed), "fields");
        const Bytes re = serialize_fields(t.object("fields"));
        if (re != wire) {
            throw VectorError("fields: serialize gives " + to_hex(re) + ", expected the wire");
        }
        return;
    }
    const std::string err = t.str("error");
    const auto offset = static_cast<std::size_t>(t.integer("offset", 0, INT64_MAX));
    if (!error_from_string(err)) {
        throw VectorError("error: unknown error name '" + err + "'");
    }
    if (parsed) {
        throw VectorError("wire: expected " + err + " at byte " + std::to_string(offset) + ", decoded");
    }
    if (to_string(parsed.error()) != err || parsed.failure().offset != offset) {
        throw VectorError("error: expected " + err + " at byte " + std::to_string(offset) + ", computed " +
                          parsed.failure().describe());
    }
}

}  // namespace

void verify_transcript_case(const Json& test) {
    StrictObject t(test, "test");
    StrictObject inputs = t.object("inputs");
    TranscriptInputs in;
    in.initiator = side_from_json(inputs.object("initiator"));
    in.acceptor = side_from_json(inputs.object("acceptor"));
    const Json& muts = inputs.req("mutations");
    if (!muts.is_array()) {
        throw VectorError("inputs.mutations: expected an array");
    }
    for (std::size_t i = 0; i < muts.size(); ++i) {
        in.mutations.push_back(mutation_from_json(StrictObject(muts[i], "inputs.mutations[" + std::to_string(i) + "]")));
    }
    inputs.finish();
    auto r = run_transcript(in);
    if (!r) {
        throw VectorError("inputs: cannot run: " + r.failure().describe());
    }
    require_same(t.req("expected"), to_json(*r), "expected");
    const std::string result = result_of(t);
    const std::string computed = r->both_authenticated() ? "valid" : "invalid";
    if (result != computed) {
        throw VectorError("result: expected " + result + ", computed " + computed);
    }
    (void)t.integer("tcId", 0, INT64_MAX);
    (void)t.str("comment");
    (void)t.req("flags");
    t.finish();
}

void verify_codec_case(const std::string& message, const Json& test) {
    StrictObject t(test, "test");
    const Bytes wire = t.hex("wire");
    (void)t.integer("tcId", 0, INT64_MAX);
    (void)t.str("comment");
    (void)t.req("flags");
    if (t.str("result") == "valid") {
        (void)t.req("fields");
    }
    if (message == "Frame") {
        const Json& auth = t.req("authenticated");
        if (!auth.is_boolean()) {
            throw VectorError("authenticated: expected a boolean");
        }
        check_codec(
            t, wire, parse_frame(wire, auth.get<bool>()),
            [](const Frame& f) {
                Json j;
                j["length"] = f.header.length;
                j["last_fragment_bit"] = f.header.last_fragment_bit;
                j["body"] = to_hex(f.body);
                return j;
            },
            [](StrictObject o) {
                const auto len = static_cast<std::uint32_t>(o.integer("length", 0, 0x7fffffff));
                const Json& bit = o.req("last_fragment_bit");
                const Bytes body = o.hex("body");
                o.finish();
                Writer w;
                w.put_u32be(len | (bit.get<bool>() ? kLastFragmentBit : 0));
                w.put_bytes(body);
                return std::move(w).take();
            });
    } else if (message == "AuthCert") {
        check_codec(t, wire, parse_auth_cert(wire), [](const AuthCert& m) { return to_json(m); },
                    [](StrictObject o) { return serialize(auth_cert_from_json(std::move(o))); });
    } else if (message == "Hello") {
        check_codec(t, wire, parse_hello(wire), [](const Hello& m) { return to_json(m); },
                    [](StrictObject o) { return serialize(hello_from_json(std::move(o))); });
    } else if (message == "Auth") {
        check_codec(t, wire, parse_auth(wire), [](const Auth& m) { return to_json(m); },
                    [](StrictObject o) { return serialize(auth_from_json(std::move(o))); });
    } else if (message == "Error") {
        check_codec(t, wire, parse_error(wire), [](const ErrorMsg& m) { return to_json(m); },
                    [](StrictObject o) { return serialize(error_from_json(std::move(o))); });
    } else if (message == "StellarMessage") {
        check_codec(t, wire, parse_stellar_message(wire), [](const StellarMessage& m) { return to_json(m); },
                    [](StrictObject o) { return serialize(stellar_message_from_json(std::move(o))); });
    } else if (message == "AuthenticatedMessage") {
        check_codec(t, wire, parse_authenticated_message(wire), [](const AuthenticatedMessage& m) { return to_json(m); },
                    [](StrictObject o) { return serialize(authenticated_message_from_json(std::move(o))); });
    } else {
        throw VectorError("group message '" + message + "' is not a Stellar message");
    }
    t.finish();
}

}  // namespace shakedown::vectors::stellar
