#include "vectors/gen/shadowmesh/shadowmesh_vectors.hpp"

#include "vectors/gen/shadowmesh/support.hpp"

namespace shakedown::shadowmesh::vectors {

std::vector<shakedown::vectors::GeneratedFile> generate(const shakedown::vectors::GenerateOptions& /*options*/) {
    using shakedown::vectors::dump_canonical;
    return {
        {"shadowmesh/kdf_test.json", dump_canonical(generate_kdf_file())},
        {"shadowmesh/codec_test.json", dump_canonical(generate_codec_file())},
        {"shadowmesh/transcript_test.json", dump_canonical(generate_transcript_file())},
    };
}

shakedown::vectors::CaseChecker checker(const std::string& schema) {
    if (schema == kKdfSchema) {
        return check_kdf_case;
    }
    if (schema == kCodecSchema) {
        return check_codec_case;
    }
    if (schema == kTranscriptSchema) {
        return check_transcript_case;
    }
    return nullptr;
}

}  // namespace shakedown::shadowmesh::vectors
