// shakedown: reference peers, known-answer vectors and conformance checks for handshake protocols.
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"shakedown: conformance and fuzzing harness for authenticated handshakes"};
    app.require_subcommand(1);
    int exit_code = 0;
    shakedown::cli::add_vectors_command(app, exit_code);
    shakedown::cli::add_list_command(app, exit_code);
    shakedown::cli::add_peer_command(app, exit_code);
    shakedown::cli::add_conform_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return exit_code;
}
