// Replay driver for builds without libFuzzer: runs every file named on the command line (or found
// under a named directory) through LLVMFuzzerTestOneInput and reports "N passed, M failed".
//
// Each input runs in a forked child by default, so an abort (FUZZ_CHECK), a sanitizer report or a
// crash marks that one input failed and the rest still run; --no-fork runs in-process, which is
// what a debugger wants. Finding no input at all is an error: a replay over an empty or misnamed
// corpus must not pass silently.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::vector<std::uint8_t>& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

// Hidden files (.gitkeep, editor droppings) are not inputs.
bool is_input(const fs::directory_entry& e) {
    return e.is_regular_file() && e.path().filename().string().rfind('.', 0) != 0;
}

int run_one(const std::vector<std::uint8_t>& data) {
    return LLVMFuzzerTestOneInput(data.data(), data.size());
}

// Returns an empty string on success, otherwise how the input failed.
std::string run_forked(const std::vector<std::uint8_t>& data) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        return std::string("fork failed: ") + std::strerror(errno);
    }
    if (pid == 0) {
        const int rc = run_one(data);
        std::fflush(nullptr);
        // _exit: the parent owns the stdio buffers and at-exit handlers.
        _exit(rc == 0 ? 0 : 3);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return std::string("waitpid failed: ") + std::strerror(errno);
        }
    }
    if (WIFSIGNALED(status)) {
        return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    bool fork_each = true;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--no-fork") {
            fork_each = false;
            continue;
        }
        if (arg == "-h" || arg == "--help") {
            std::printf("usage: %s [--no-fork] FILE|DIR...\n", argv[0]);
            return 0;
        }
        if (!arg.empty() && arg[0] == '-') {
            // libFuzzer flags (-runs=..., -dict=...) are accepted and ignored so that one command
            // line works against either build.
            continue;
        }
        std::error_code ec;
        const fs::path p(arg);
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
                if (is_input(e)) {
                    inputs.push_back(e.path());
                }
            }
        } else if (fs::is_regular_file(p, ec)) {
            inputs.push_back(p);
        } else {
            std::fprintf(stderr, "replay: %s: no such file or directory\n", arg.c_str());
            return 2;
        }
    }
    // Sorted, so that two runs over the same corpus print the same report.
    std::sort(inputs.begin(), inputs.end());
    if (inputs.empty()) {
        std::fprintf(stderr, "replay: no inputs found (0 passed, 0 failed)\n");
        return 2;
    }

    std::size_t passed = 0;
    std::size_t failed = 0;
    std::vector<std::uint8_t> data;
    for (const auto& path : inputs) {
        if (!read_file(path, data)) {
            std::fprintf(stderr, "FAIL %s: cannot read\n", path.c_str());
            ++failed;
            continue;
        }
        if (!fork_each) {
            if (run_one(data) != 0) {
                std::fprintf(stderr, "FAIL %s: returned non-zero\n", path.c_str());
                ++failed;
            } else {
                ++passed;
            }
            continue;
        }
        const std::string why = run_forked(data);
        if (why.empty()) {
            ++passed;
        } else {
            std::fprintf(stderr, "FAIL %s: %s\n", path.c_str(), why.c_str());
            ++failed;
        }
    }
    std::printf("%zu passed, %zu failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
