// shakedown: reference peers, known-answer vectors and conformance checks for handshake protocols.
#include <iostream>

#include "cli/commands.hpp"

// Fuzz builds change the library's behaviour (memoised crypto, impl/common/crypto.cpp); a CLI
// built from them would be a different program under the same name.
#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) || defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
#error "the shakedown CLI cannot be built in fuzzing mode"
#endif

int main(int argc, char** argv) {
    CLI::App app{"shakedown: conformance and fuzzing harness for authenticated handshakes"};
    app.require_subcommand(1);
    int exit_code = 0;
    shakedown::cli::add_vectors_command(app, exit_code);
    shakedown::cli::add_list_command(app, exit_code);
    shakedown::cli::add_peer_command(app, exit_code);
    shakedown::cli::add_conform_command(app, exit_code);
    shakedown::cli::add_report_command(app, exit_code);
    shakedown::cli::add_load_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return exit_code;
}
