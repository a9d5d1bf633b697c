#include "vectors/gen/hivemind/hivemind_vectors.hpp"

namespace shakedown::hivemind::vectors {

std::vector<shakedown::vectors::GeneratedFile> generate(const shakedown::vectors::GenerateOptions& /*no inputs*/) {
    auto out = generate_codecs();
    auto t = generate_transcripts();
    out.insert(out.end(), t.begin(), t.end());
    return out;
}

shakedown::vectors::CaseChecker checker(const std::string& schema) {
    if (schema == kTranscriptSchema) {
        return &check_transcript_case;
    }
    if (schema == kCodecSchema) {
        return &check_codec_case;
    }
    return nullptr;
}

}  // namespace shakedown::hivemind::vectors
