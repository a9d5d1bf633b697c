// A machine that forwards every call to an inner machine: the base of decorators (an owner of the
// inner machine's Rng and Clock, a lock around a shared cache, a rewrite of its output), which
// override only the calls they change.
#pragma once

#include <memory>
#include <utility>

#include "common/machine.hpp"

namespace shakedown::registry {

class ForwardingMachine : public Machine {
public:
    ForwardingMachine() = default;
    explicit ForwardingMachine(std::unique_ptr<Machine> inner) : m_inner(std::move(inner)) {}
    void set(std::unique_ptr<Machine> inner) { m_inner = std::move(inner); }

    [[nodiscard]] Role role() const noexcept override { return m_inner->role(); }
    void start() override { m_inner->start(); }
    void receive(ByteView input) override { m_inner->receive(input); }
    void peer_closed() override { m_inner->peer_closed(); }
    void idle_timeout() override { m_inner->idle_timeout(); }
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override { return m_inner->idle_timeout_ms(); }
    [[nodiscard]] Action next_action() const override { return m_inner->next_action(); }
    [[nodiscard]] std::vector<Bytes> take_output() override { return m_inner->take_output(); }
    // drain_output() is not forwarded: Machine's goes through take_output(), so a decorator that
    // rewrites the output rewrites it on both paths.
    [[nodiscard]] bool authenticated() const noexcept override { return m_inner->authenticated(); }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_inner->closure(); }
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override { return m_inner->derived_keys(); }
    [[nodiscard]] std::size_t pending_bytes() const noexcept override { return m_inner->pending_bytes(); }
    [[nodiscard]] Bytes peer_identity() const override { return m_inner->peer_identity(); }

protected:
    [[nodiscard]] Machine& inner() { return *m_inner; }

private:
    std::unique_ptr<Machine> m_inner;
};

}  // namespace shakedown::registry
