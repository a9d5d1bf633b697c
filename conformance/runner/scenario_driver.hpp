// One scenario's connections, from the first open to the outcome: opens connections through the
// ScenarioContext and remembers how an open failed, marks the connections on which the target must
// not complete a handshake, and at the end closes every connection, ends the target side, checks
// what a shim printed (conformance/SHIM.md) and turns the verdict and the findings into the
// ScenarioOutcome. Variant-independent: a variant's own connection type plugs into
// ConnectionDriver.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "conformance/runner/findings.hpp"
#include "conformance/runner/runner.hpp"

namespace shakedown::conformance {

// What a shim printed about one connection: HANDSHAKE_OK, or HANDSHAKE_FAILED and why.
struct HandshakeReport {
    bool reported = false;  // either line
    bool ok = false;        // a HANDSHAKE_OK line
    std::string failure;    // what followed the first HANDSHAKE_FAILED
};
[[nodiscard]] HandshakeReport handshake_report(const PeerReport& report);

// The outcome of a scenario whose connection could not be opened: UNIMPLEMENTED when the target
// said so (a shim's exit 89), FAIL otherwise.
[[nodiscard]] ScenarioOutcome open_failure(OpenResult::Status status, const std::string& error);

class ScenarioDriver {
public:
    // `graded`: the finding categories whose NON-STRICT findings count in this scenario.
    ScenarioDriver(ScenarioContext& ctx, PeerRole target_role, std::vector<std::string> graded = {});
    ScenarioDriver(const ScenarioDriver&) = delete;
    ScenarioDriver& operator=(const ScenarioDriver&) = delete;
    virtual ~ScenarioDriver() = default;

    struct Opened {
        std::unique_ptr<Transport> transport;
        std::uint8_t index = 0;  // the connection's index in the transcript and the shim reports
    };
    // A new connection; nullopt if the target could not be reached (open_failure() says how).
    [[nodiscard]] std::optional<Opened> open(const ConnectionRequest& request);
    [[nodiscard]] ScenarioOutcome open_failure() const;
    // The target must not complete a handshake on connection `index`: a shim's HANDSHAKE_OK there
    // is a FAIL even if the wire did not show it (an initiator may accept silently).
    void must_not_complete(std::uint8_t index) { m_guarded.push_back(index); }

    [[nodiscard]] Findings& findings() { return m_findings; }
    [[nodiscard]] ScenarioContext& ctx() { return m_ctx; }
    [[nodiscard]] PeerRole target_role() const { return m_target_role; }

    // Ends the target side and turns everything into the outcome; the connections must be closed
    // by then (ConnectionDriver closes its own).
    [[nodiscard]] ScenarioOutcome conclude(Verdict verdict, std::string reason, bool completed);

private:
    ScenarioContext& m_ctx;
    PeerRole m_target_role;
    std::vector<std::string> m_graded;
    Findings m_findings;
    std::vector<std::uint8_t> m_guarded;
    OpenResult::Status m_open_status = OpenResult::Status::ok;
    std::string m_open_error;
};

// A ScenarioDriver owning the variant's connections: `Conn` has close() (idempotent), and is made
// from the opened transport by the variant.
template <class Conn>
class ConnectionDriver : public ScenarioDriver {
public:
    using ScenarioDriver::ScenarioDriver;
    ConnectionDriver(const ConnectionDriver&) = delete;
    ConnectionDriver& operator=(const ConnectionDriver&) = delete;
    ~ConnectionDriver() override { close_all(); }

    // Opens a connection and makes the variant's side of it with `make(transport, index)`;
    // nullptr if the target could not be reached.
    template <class Make>
    [[nodiscard]] Conn* connect(const ConnectionRequest& request, Make&& make) {
        auto opened = open(request);
        if (!opened) {
            return nullptr;
        }
        std::unique_ptr<Conn> c = std::forward<Make>(make)(std::move(opened->transport), opened->index);
        m_conns.push_back(Entry{std::move(c), opened->index});
        return m_conns.back().conn.get();
    }

    using ScenarioDriver::must_not_complete;
    void must_not_complete(const Conn& c) {
        for (const Entry& e : m_conns) {
            if (e.conn.get() == &c) {
                must_not_complete(e.index);
            }
        }
    }

    // Closes every connection, then ScenarioDriver::conclude.
    [[nodiscard]] ScenarioOutcome conclude(Verdict verdict, std::string reason, bool completed) {
        close_all();
        return ScenarioDriver::conclude(verdict, std::move(reason), completed);
    }

private:
    struct Entry {
        std::unique_ptr<Conn> conn;
        std::uint8_t index = 0;
    };
    void close_all() {
        for (Entry& e : m_conns) {
            e.conn->close();
        }
    }
    std::vector<Entry> m_conns;
};

}  // namespace shakedown::conformance
