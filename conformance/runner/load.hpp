// Handshake load against a target, for any variant: C concurrent clients, each running the
// variant's reference initiator over its transport, for a duration or a number of handshakes. The
// abusive modes measure what an unauthenticated peer costs the target: half-open (send the first
// message, then stall), first-message flood (send it and leave), wrong credential (a full attempt
// the target must refuse). When the target is a local process, its CPU time per attempt is read
// from /proc. Bounded: connections at once never exceed the concurrency, and the run ends by itself.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/machine.hpp"
#include "conformance/runner/transport.hpp"

namespace shakedown::conformance {

enum class LoadMode : std::uint8_t { honest, half_open, first_message_flood, wrong_credential };
[[nodiscard]] std::string_view to_string(LoadMode m);
[[nodiscard]] std::optional<LoadMode> load_mode_from_string(std::string_view s);

struct LoadOptions {
    static constexpr std::size_t kMaxConcurrency = 256;
    static constexpr std::size_t kMaxLatencies = 1000000;

    Endpoint to;
    LoadMode mode = LoadMode::honest;
    std::size_t concurrency = 1;
    Millis duration{10000};    // ends at this, or ...
    std::size_t attempts = 0;  // ... after this many attempts (0: duration only)
    Millis attempt_timeout{10000};
    Millis stall{2000};  // half-open: how long a client holds its connection at most
    std::optional<pid_t> target_pid;  // for CPU time from /proc/<pid>/stat
    std::function<void(const std::string&)> progress;  // one line about once a second
};

struct LoadResult {
    std::string mode;
    std::size_t concurrency = 0;
    std::uint64_t elapsed_ms = 0;
    std::size_t attempts = 0;
    std::size_t completed = 0;  // handshakes completed (honest) or refused as they should be
    std::map<std::string, std::size_t> failures;  // by reason
    double per_second = 0;
    double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
    std::optional<double> target_cpu_ms;               // over the run
    std::optional<double> target_cpu_ms_per_attempt;
    double held_ms_mean = 0;  // half-open: how long the target kept a stalled connection
};

using InitiatorFactory = std::function<std::unique_ptr<Machine>(std::string& error)>;

[[nodiscard]] LoadResult run_load(const TransportFactory& transport, const InitiatorFactory& make,
                                  const LoadOptions& options);
[[nodiscard]] std::string to_json(const LoadResult& r);
[[nodiscard]] std::string to_text(const LoadResult& r);
// utime + stime of a process, in milliseconds (nullopt when /proc has no such process).
[[nodiscard]] std::optional<double> process_cpu_ms(pid_t pid);

}  // namespace shakedown::conformance
