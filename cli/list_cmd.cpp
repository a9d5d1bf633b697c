#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/paths.hpp"
#include "stellar/quirks.hpp"
#include "vectors/gen/vectors.hpp"

namespace shakedown::cli {

void add_list_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("list", "show variants, their messages and vector files");
    cmd->callback([&exit_code] {
        std::cout << "stellar  Stellar overlay peer handshake (TCP, XDR record marking)\n"
                  << "  messages: Frame AuthenticatedMessage StellarMessage Hello Auth AuthCert Error Peers "
                     "SendMoreExtended\n"
                  << "  roles:    initiator acceptor\n"
                  << "  vectors:\n";
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(vectors_dir() + "/stellar", ec)) {
            if (e.path().extension() == ".json") {
                std::cout << "    " << e.path().string() << "\n";
            }
        }
        std::cout << "  peer bugs (shakedown peer --bug NAME): " << stellar::quirk_table().size() << "\n";
        exit_code = 0;
    });
}

}  // namespace shakedown::cli
