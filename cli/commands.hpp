#pragma once

#include <CLI/CLI.hpp>

namespace shakedown::cli {

// Each adds its subcommand to the app; the callback sets the process exit code.
void add_vectors_command(CLI::App& app, int& exit_code);
void add_list_command(CLI::App& app, int& exit_code);
void add_peer_command(CLI::App& app, int& exit_code);
void add_conform_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_load_command(CLI::App& app, int& exit_code);

}  // namespace shakedown::cli
