#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

namespace {

Json frame_fields(const Frame& f) {
    Json j;
    j["length"] = f.header.length;
    j["last_fragment_bit"] = f.header.last_fragment_bit;
    j["body"] = to_hex(f.body);
    return j;
}

}  // namespace

void add_frame(CodecBuilder& cb, const CodecBase& base_run) {
    const TranscriptResult& honest = base_run.honest;
    const std::vector<Bytes>& body = base_run.body;
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

}  // namespace shakedown::vectors::stellar::cases
