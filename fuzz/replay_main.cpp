// Replay driver for builds without libFuzzer: runs every file named on the command line (or found
// under a named directory) through LLVMFuzzerTestOneInput and reports "N passed, M failed".
//
// Each input runs in a forked child by default, so an abort (FUZZ_CHECK), a sanitizer report or a
// crash marks that one input failed and the rest still run; --no-fork runs in-process, which is
// what a debugger wants. Finding no input at all is an error: a replay over an empty or misnamed
// corpus must not pass silently.
//
// --heap-balance (AddressSanitizer builds): each input runs twice, and the second run must free as
// many blocks as it allocates. The first run may fill caches and lazy statics; after it, an input
// that leaves heap memory behind is what libFuzzer takes for a possible leak, and it then runs that
// input again and scans the whole heap, on every such input: a target that does so fuzzes at a
// fraction of its speed, and a real leak in it would be found late.
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

#if defined(__SANITIZE_ADDRESS__)
#define SHAKEDOWN_REPLAY_HEAP_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHAKEDOWN_REPLAY_HEAP_HOOKS 1
#endif
#endif
#if defined(SHAKEDOWN_REPLAY_HEAP_HOOKS)
// The sanitizers' allocator interface (clang's <sanitizer/allocator_interface.h>; GCC ships the
// runtime function without the header).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                                         void (*free_hook)(const volatile void*));
#endif

namespace {

#if defined(SHAKEDOWN_REPLAY_HEAP_HOOKS)
// Blocks allocated and freed while counting (the sanitizer's allocator calls the hooks).
bool g_counting = false;
std::size_t g_mallocs = 0;
std::size_t g_frees = 0;
void on_malloc(const volatile void* /*p*/, std::size_t /*size*/) {
    if (g_counting) {
        ++g_mallocs;
    }
}
void on_free(const volatile void* /*p*/) {
    if (g_counting) {
        ++g_frees;
    }
}
constexpr bool kHeapHooks = true;
#else
constexpr bool kHeapHooks = false;
#endif

bool g_heap_balance = false;
// run_one()'s result, and the forked child's exit status, for an input whose second run left heap
// blocks behind.
constexpr int kUnbalanced = 4;
constexpr const char* kUnbalancedWhy = "heap not balanced on a second run";

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
    const int rc = LLVMFuzzerTestOneInput(data.data(), data.size());
    if (rc != 0 || !g_heap_balance) {
        return rc;
    }
#if defined(SHAKEDOWN_REPLAY_HEAP_HOOKS)
    g_mallocs = 0;
    g_frees = 0;
    g_counting = true;
    const int again = LLVMFuzzerTestOneInput(data.data(), data.size());
    g_counting = false;
    if (again != 0) {
        return again;
    }
    if (g_mallocs != g_frees) {
        std::fprintf(stderr,
                     "heap not balanced: run again, the input allocated %zu blocks and freed %zu (libFuzzer would "
                     "re-run it and scan the heap for leaks)\n",
                     g_mallocs, g_frees);
        return kUnbalanced;
    }
#endif
    return 0;
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
        _exit(rc == 0 ? 0 : rc == kUnbalanced ? kUnbalanced : 3);
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
    if (WIFEXITED(status) && WEXITSTATUS(status) == kUnbalanced) {
        return kUnbalancedWhy;
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
        if (arg == "--heap-balance") {
            if (!kHeapHooks) {
                std::fprintf(stderr, "replay: --heap-balance needs a build with AddressSanitizer (its allocator hooks)\n");
                return 2;
            }
            g_heap_balance = true;
            continue;
        }
        if (arg == "-h" || arg == "--help") {
            std::printf("usage: %s [--no-fork] [--heap-balance] FILE|DIR...\n", argv[0]);
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

#if defined(SHAKEDOWN_REPLAY_HEAP_HOOKS)
    if (g_heap_balance && __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) == 0) {
        std::fprintf(stderr, "replay: the sanitizer refused the allocator hooks that --heap-balance needs\n");
        return 2;
    }
#endif
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
            if (const int rc = run_one(data); rc != 0) {
                std::fprintf(stderr, "FAIL %s: %s\n", path.c_str(),
                             rc == kUnbalanced ? kUnbalancedWhy : "returned non-zero");
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
