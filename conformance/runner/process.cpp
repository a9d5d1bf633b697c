#include "conformance/runner/process.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace shakedown::conformance {

namespace {
void close_fd(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}
}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::spawn(const std::string& command, const std::vector<std::string>& args,
                                                  std::string& error) {
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        error = "pipe: " + std::string(std::strerror(errno));
        close_fd(out[0]);
        close_fd(out[1]);
        return nullptr;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Own process group, so kill() reaches the shell's children too; default signal handling
    // (the runner ignores SIGPIPE, the shim should not inherit that).
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);

    const std::string script = command + " \"$@\"";
    std::vector<std::string> argv_storage{"/bin/sh", "-c", script, "shim"};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argv_storage.size() + 1);
    for (auto& a : argv_storage) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        error = "spawn: " + std::string(std::strerror(rc));
        ::close(out[0]);
        ::close(err[0]);
        return nullptr;
    }
    std::unique_ptr<ChildProcess> p(new ChildProcess());
    p->m_pid = pid;
    p->m_out = out[0];
    p->m_err = err[0];
    ::fcntl(p->m_out, F_SETFL, ::fcntl(p->m_out, F_GETFL) | O_NONBLOCK);
    ::fcntl(p->m_err, F_SETFL, ::fcntl(p->m_err, F_GETFL) | O_NONBLOCK);
    return p;
}

ChildProcess::~ChildProcess() {
    if (!m_status) {
        kill();
    }
    close_fd(m_out);
    close_fd(m_err);
}

void ChildProcess::take_stdout(const char* data, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const char c = data[i];
        if (c == '\n') {
            if (m_lines.size() < kMaxLines) {
                m_lines.push_back(std::move(m_partial));
            } else {
                ++m_dropped_lines;
            }
            m_partial.clear();
        } else if (c != '\r' && m_partial.size() < kMaxLineLength) {
            m_partial.push_back(c);
        }
    }
}

void ChildProcess::take_stderr(const char* data, std::size_t n) {
    m_stderr.append(data, n);
    if (m_stderr.size() > kMaxStderr) {
        m_stderr.erase(0, m_stderr.size() - kMaxStderr);
    }
}

void ChildProcess::pump(Deadline deadline) {
    pollfd fds[2];
    nfds_t count = 0;
    if (m_out >= 0) {
        fds[count++] = pollfd{m_out, POLLIN, 0};
    }
    if (m_err >= 0) {
        fds[count++] = pollfd{m_err, POLLIN, 0};
    }
    if (count == 0) {
        return;
    }
    const auto left = std::chrono::duration_cast<Millis>(deadline - SteadyClock::now()).count();
    const int timeout = static_cast<int>(std::clamp<long long>(left, 0, 50));
    if (::poll(fds, count, timeout) <= 0) {
        return;
    }
    char buf[4096];
    for (nfds_t i = 0; i < count; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
            continue;
        }
        // Bounded per pump: a flooding shim cannot keep the runner here.
        for (int rounds = 0; rounds < 16; ++rounds) {
            const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                if (fds[i].fd == m_out) {
                    take_stdout(buf, static_cast<std::size_t>(n));
                } else {
                    take_stderr(buf, static_cast<std::size_t>(n));
                }
                continue;
            }
            if (n == 0) {
                if (fds[i].fd == m_out) {
                    close_fd(m_out);
                } else {
                    close_fd(m_err);
                }
            }
            break;
        }
    }
}

bool ChildProcess::reap(bool block) {
    if (m_status) {
        return true;
    }
    int status = 0;
    const pid_t r = ::waitpid(m_pid, &status, block ? 0 : WNOHANG);
    if (r == m_pid) {
        m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return true;
    }
    return false;
}

std::optional<std::string> ChildProcess::read_line(Deadline deadline) {
    for (;;) {
        if (m_next_line < m_lines.size()) {
            return m_lines[m_next_line++];
        }
        if (m_out < 0) {
            return std::nullopt;
        }
        if (SteadyClock::now() >= deadline) {
            return std::nullopt;
        }
        pump(deadline);
    }
}

std::optional<int> ChildProcess::exit_status() {
    pump(SteadyClock::now());
    reap(false);
    return m_status;
}

std::optional<int> ChildProcess::wait(Deadline deadline) {
    for (;;) {
        pump(std::min(deadline, SteadyClock::now() + Millis(20)));
        if (reap(false)) {
            // Drain what the process wrote before exiting (its descendants may hold the pipe:
            // stop at the deadline).
            while ((m_out >= 0 || m_err >= 0) && SteadyClock::now() < deadline) {
                pump(deadline);
                if (m_out >= 0 || m_err >= 0) {
                    pollfd probe[2] = {{m_out, POLLIN, 0}, {m_err, POLLIN, 0}};
                    if (::poll(probe, 2, 0) <= 0) {
                        break;
                    }
                }
            }
            return m_status;
        }
        if (SteadyClock::now() >= deadline) {
            return std::nullopt;
        }
    }
}

void ChildProcess::kill() {
    if (m_status) {
        return;
    }
    // The group this object created (posix_spawn with POSIX_SPAWN_SETPGROUP 0: pgid == pid).
    ::kill(-m_pid, SIGKILL);
    m_killed = true;
    reap(true);
    pump(SteadyClock::now());
}

}  // namespace shakedown::conformance
