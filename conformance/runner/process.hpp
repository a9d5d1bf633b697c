// A shim process: spawned through /bin/sh in its own process group, stdin from /dev/null, stdout
// and stderr captured into bounded buffers. Every wait has a deadline; kill() ends the whole group
// (the shell and whatever it started), by the group id this object created.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "conformance/runner/net.hpp"

namespace shakedown::conformance {

class ChildProcess {
public:
    static constexpr std::size_t kMaxLines = 64;
    static constexpr std::size_t kMaxLineLength = 512;
    static constexpr std::size_t kMaxStderr = 4096;

    // Runs `sh -c '<command> "$@"' shim args...`: the command may carry its own arguments and the
    // runner's flags follow them, each passed as one argument.
    [[nodiscard]] static std::unique_ptr<ChildProcess> spawn(const std::string& command,
                                                             const std::vector<std::string>& args,
                                                             std::string& error);
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    // The next stdout line (without the newline) not yet returned; nullopt at the deadline or
    // once the process has exited and its output is drained.
    [[nodiscard]] std::optional<std::string> read_line(Deadline deadline);
    // Exit status: the exit code, or 128 + signal number. nullopt if still running at the deadline.
    [[nodiscard]] std::optional<int> wait(Deadline deadline);
    [[nodiscard]] std::optional<int> exit_status();  // non-blocking
    void kill();

    [[nodiscard]] pid_t pid() const { return m_pid; }
    [[nodiscard]] const std::vector<std::string>& lines() const { return m_lines; }
    [[nodiscard]] const std::string& stderr_tail() const { return m_stderr; }
    [[nodiscard]] bool killed() const { return m_killed; }

private:
    ChildProcess() = default;
    // Reads what is available from both pipes, waiting at most until `deadline`.
    void pump(Deadline deadline);
    void take_stdout(const char* data, std::size_t n);
    void take_stderr(const char* data, std::size_t n);
    bool reap(bool block);

    pid_t m_pid = -1;
    int m_out = -1;
    int m_err = -1;
    std::optional<int> m_status;
    bool m_killed = false;
    std::string m_partial;
    std::vector<std::string> m_lines;
    std::size_t m_next_line = 0;
    std::size_t m_dropped_lines = 0;
    std::string m_stderr;
};

}  // namespace shakedown::conformance
