// Stellar messages, side inputs, mutations and outcomes as vector JSON (vectors/README.md).
#pragma once

#include "stellar/messages.hpp"
#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/stellar/stellar_transcript.hpp"

namespace shakedown::vectors::stellar {

[[nodiscard]] Json to_json(const ss::AuthCert& m);
[[nodiscard]] Json to_json(const ss::Hello& m);
[[nodiscard]] Json to_json(const ss::Auth& m);
[[nodiscard]] Json to_json(const ss::ErrorMsg& m);
[[nodiscard]] Json to_json(const ss::StellarMessage& m);
[[nodiscard]] Json to_json(const ss::AuthenticatedMessage& m);

[[nodiscard]] ss::AuthCert auth_cert_from_json(StrictObject o);
[[nodiscard]] ss::Hello hello_from_json(StrictObject o);
[[nodiscard]] ss::Auth auth_from_json(StrictObject o);
[[nodiscard]] ss::ErrorMsg error_from_json(StrictObject o);
[[nodiscard]] ss::StellarMessage stellar_message_from_json(StrictObject o);
[[nodiscard]] ss::AuthenticatedMessage authenticated_message_from_json(StrictObject o);

[[nodiscard]] Json to_json(const SideInputs& s);
[[nodiscard]] SideInputs side_from_json(StrictObject o);
[[nodiscard]] Json to_json(const Mutation& m);
[[nodiscard]] Mutation mutation_from_json(StrictObject o);
[[nodiscard]] Json to_json(const TranscriptResult& r);

}  // namespace shakedown::vectors::stellar
