#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_authenticated_message(CodecBuilder& cb, const CodecBase& base_run) {
    const TranscriptResult& honest = base_run.honest;
    const std::vector<AuthenticatedMessage>& am = base_run.am;
    const std::vector<Bytes>& body = base_run.body;
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

}  // namespace shakedown::vectors::stellar::cases
