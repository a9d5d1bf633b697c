// Stellar messages, side inputs, mutations and outcomes as vector JSON (vectors/README.md).
#pragma once

#include "stellar/messages.hpp"
#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/stellar/stellar_transcript.hpp"

namespace shakedown::vectors::stellar {

[[nodiscard]] Json to_json(const AuthCert& m);
[[nodiscard]] Json to_json(const Hello& m);
[[nodiscard]] Json to_json(const Auth& m);
[[nodiscard]] Json to_json(const ErrorMsg& m);
[[nodiscard]] Json to_json(const StellarMessage& m);
[[nodiscard]] Json to_json(const AuthenticatedMessage& m);

[[nodiscard]] AuthCert auth_cert_from_json(StrictObject o);
[[nodiscard]] Hello hello_from_json(StrictObject o);
[[nodiscard]] Auth auth_from_json(StrictObject o);
[[nodiscard]] ErrorMsg error_from_json(StrictObject o);
[[nodiscard]] StellarMessage stellar_message_from_json(StrictObject o);
[[nodiscard]] AuthenticatedMessage authenticated_message_from_json(StrictObject o);

[[nodiscard]] Json to_json(const SideInputs& s);
[[nodiscard]] SideInputs side_from_json(StrictObject o);
[[nodiscard]] Json to_json(const Mutation& m);
[[nodiscard]] Mutation mutation_from_json(StrictObject o);
[[nodiscard]] Json to_json(const TranscriptResult& r);

}  // namespace shakedown::vectors::stellar
