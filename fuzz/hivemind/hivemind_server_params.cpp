// Handshake payload server_params (docs/protocols/hivemind.md, "Messages"): accepted payloads survive
// to_json and back.
#include "fuzz/hivemind/hivemind_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    shakedown::hivemind::hmfuzz::check_payload(shakedown::hivemind::hmfuzz::input_view(data, size),
                                             [](const shakedown::hivemind::Json& j) {
                                                 return shakedown::hivemind::server_params_from(j);
                                             });
    return 0;
}
