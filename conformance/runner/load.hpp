// Handshake load against a target, for any variant: C concurrent clients, each running the
// variant's reference initiator over its transport, one connection after another, for a duration
// or a number of attempts. The abusive modes measure what an unauthenticated peer costs the
// target: half-open (send the first message, then stall), first-message flood (send it and
// leave), wrong credential (a whole attempt the target must refuse). When the target is a local
// process, the caller supplies its CPU time (process_cpu_ms, process_group_cpu_ms) and the result
// gives it per attempt.
//
// Bounded: at most `concurrency` connections are open at once (each client closes one before it
// opens the next), at most `attempts` are started, no attempt is started after `duration`, and
// every attempt ends by its own deadline (`attempt_timeout`, or `stall` when half-open), so a run
// lasts at most duration + max(attempt_timeout, stall). Latencies are kept in a sample of at most
// kMaxLatencies values.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
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
    static constexpr std::size_t kMaxLatencies = 100000;

    Endpoint to;
    LoadMode mode = LoadMode::honest;
    std::size_t concurrency = 1;
    Millis duration{10000};    // no attempt starts after this, and ...
    std::size_t attempts = 0;  // ... at most this many start (0: the duration alone bounds the run)
    Millis attempt_timeout{10000};
    Millis stall{5000};  // half-open: how long a client holds its connection at most
    // wrong-credential: once our initiator is done, how long the target has to refuse its proof.
    Millis refusal_grace{1000};
    // The target's CPU time so far, in ms (nullopt: not known); read at the start, and at the end
    // once it has settled (no more than 10 ms in each of two 250 ms intervals), at most `settle`
    // after the clients are done.
    std::function<std::optional<double>()> target_cpu_ms;
    Millis settle{10000};
    // Called about every 200 ms on the calling thread while the clients run (e.g. to drain a
    // target process's output); returning a reason stops the run early (the target exited).
    std::function<std::optional<std::string>()> tick;
    // One progress line, about once a second.
    std::function<void(const std::string&)> progress;
};

struct LoadResult {
    std::string mode;
    std::size_t concurrency = 0;
    std::uint64_t elapsed_ms = 0;
    std::size_t attempts = 0;
    // Attempts that went as the mode intends: a completed handshake (honest), a refusal
    // (wrong-credential), a first message sent (half-open, first-message-flood).
    std::size_t completed = 0;
    std::map<std::string, std::size_t> outcomes;  // how the completed ones ended, by reason
    std::map<std::string, std::size_t> failures;  // the others, by reason
    double per_second = 0;                        // completed per second
    double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
    std::size_t max_open = 0;  // connections open at once, at most
    std::optional<double> target_cpu_ms;  // over the run and its settling
    std::uint64_t settle_ms = 0;          // how long after the run it was read
    std::optional<double> target_cpu_ms_per_attempt;
    std::string stopped;  // why the run ended early (the tick's reason); empty when it ran out
};

// Makes one initiator; nullptr (with `error`) when it cannot.
using InitiatorFactory = std::function<std::unique_ptr<Machine>(std::string& error)>;

[[nodiscard]] LoadResult run_load(const TransportFactory& transport, const InitiatorFactory& make,
                                  const LoadOptions& options);

// What a run was against, for the reports.
struct LoadContext {
    std::string variant;
    std::string profile;
    std::string target;
};
[[nodiscard]] std::string to_json(const LoadContext& c, const LoadResult& r);
[[nodiscard]] std::string to_text(const LoadContext& c, const LoadResult& r);

// utime + stime of a process (all its threads), in ms; nullopt when /proc has no such process.
[[nodiscard]] std::optional<double> process_cpu_ms(pid_t pid);
// The same, summed over every process of a process group (a shim's shell and what it started).
[[nodiscard]] std::optional<double> process_group_cpu_ms(pid_t pgid);

}  // namespace shakedown::conformance
