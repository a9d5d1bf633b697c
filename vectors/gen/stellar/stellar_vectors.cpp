#include "vectors/gen/stellar/stellar_vectors.hpp"

#include "vectors/gen/stellar/stellar_catalogue.hpp"
#include "vectors/gen/stellar/stellar_verify.hpp"

namespace shakedown::stellar::vectors {

namespace sv = shakedown::vectors;

std::vector<sv::GeneratedFile> generate(const sv::GenerateOptions& options) {
    return {
        {"stellar/handshake_test.json", sv::dump_canonical(sv::stellar::generate_handshake_file(options.wycheproof_dir))},
        {"stellar/codec_test.json", sv::dump_canonical(sv::stellar::generate_codec_file())},
    };
}

sv::CaseChecker checker(const std::string& schema) {
    if (schema == "transcript.schema.json") {
        return [](const sv::Json& group, const sv::Json& test) {
            if (group.value("type", "") != "StellarHandshake") {
                throw sv::VectorError("group type must be StellarHandshake");
            }
            sv::stellar::verify_transcript_case(test);
        };
    }
    if (schema == "codec.schema.json") {
        return [](const sv::Json& group, const sv::Json& test) {
            if (group.value("type", "") != "StellarCodec" || !group.contains("message") ||
                !group["message"].is_string()) {
                throw sv::VectorError("group type must be StellarCodec with a message name");
            }
            sv::stellar::verify_codec_case(group["message"].get<std::string>(), test);
        };
    }
    return nullptr;
}

}  // namespace shakedown::stellar::vectors
