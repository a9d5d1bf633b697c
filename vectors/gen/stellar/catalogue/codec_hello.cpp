#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_hello(CodecBuilder& cb, const CodecBase& base_run) {
    const std::vector<AuthenticatedMessage>& am = base_run.am;
    const Hello& hello = base_run.hello;
    const Bytes& hello_xdr = base_run.hello_xdr;
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
    pad[HelloLayout(h).vstr + 3] = 0x20;
    cb.invalid(g, "non-zero padding after versionStr", {"NonZeroPadding"}, pad, parse_hello(pad),
               Error::bad_padding);
    const std::size_t key_type = HelloLayout(hello).node_type;
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

}  // namespace shakedown::vectors::stellar::cases
