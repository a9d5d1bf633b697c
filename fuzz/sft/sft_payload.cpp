// Each payload parser: byte 0 picks the message type, the rest is the payload JSON. Accepted
// payloads of the typed kinds re-encode to a value the same parser reads back identically.
#include "fuzz/sft/sft_fuzz.hpp"
#include "sft/message.hpp"

using namespace shakedown;

namespace {
template <class Parse>
void round_trip(const sft::json::Value& v, Parse parse) {
    const auto r = parse(v);
    if (r) {
        const auto again = parse(sft::to_json(*r));
        FUZZ_CHECK(again.ok() && *again == *r);
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputCursor cur(fuzz::input_view(data, size));
    const auto type = static_cast<sft::MsgType>(cur.u8() % sft::kMsgTypeCount);
    const auto v = sft::json::parse(cur.rest());
    if (!v) {
        return 0;
    }
    const auto checked = sft::check_payload(type, *v);
    switch (type) {
        case sft::MsgType::file_header: round_trip(*v, sft::parse_file_header); break;
        case sft::MsgType::file_resume_ack: round_trip(*v, sft::parse_file_resume_ack); break;
        case sft::MsgType::file_complete: round_trip(*v, sft::parse_file_complete); break;
        case sft::MsgType::file_ack: round_trip(*v, sft::parse_file_ack); break;
        case sft::MsgType::list_files_response: round_trip(*v, sft::parse_list_files_response); break;
        case sft::MsgType::download_file_request: round_trip(*v, sft::parse_download_file_request); break;
        default: break;
    }
    (void)checked;
    return 0;
}
