#include "vectors/gen/in_step.hpp"

#include <algorithm>
#include <deque>

namespace shakedown::vectors {

namespace {

constexpr std::array<std::string_view, 9> kOpNames = {"flip_bit", "set_header", "truncate", "append", "drop",
                                                       "duplicate", "inject_before", "resequence", "replace"};

// Apply one mutation to the list of units standing in for the emitted one.
void apply(const Mutation& m, std::vector<Bytes>& out, const Machine& sender, const UnitHooks& hooks) {
    switch (m.op) {
        case MutationOp::flip_bit:
            for (auto& r : out) {
                if (m.value / 8 < r.size()) {
                    r[m.value / 8] ^= static_cast<std::uint8_t>(0x80U >> (m.value % 8));
                }
            }
            return;
        case MutationOp::set_header:
            for (auto& r : out) {
                for (std::size_t i = 0; i < hooks.header_size && i < r.size(); ++i) {
                    r[i] = static_cast<std::uint8_t>(m.value >> (8 * (hooks.header_size - 1 - i)));
                }
            }
            return;
        case MutationOp::truncate:
            for (auto& r : out) {
                const ByteView body = ByteView(r).subspan(std::min(hooks.header_size, r.size()));
                r = hooks.reframe(r, body.first(std::min<std::size_t>(m.value, body.size())));
            }
            return;
        case MutationOp::append:
            for (auto& r : out) {
                r = hooks.reframe(r, concat({ByteView(r).subspan(std::min(hooks.header_size, r.size())), m.data}));
            }
            return;
        case MutationOp::drop:
            out.clear();
            return;
        case MutationOp::duplicate:
            if (!out.empty()) {
                out.push_back(out.back());
            }
            return;
        case MutationOp::inject_before:
            out.insert(out.begin(), m.data);
            return;
        case MutationOp::replace:
            out.assign(1, m.data);
            return;
        case MutationOp::resequence:
            for (auto& r : out) {
                if (auto changed = hooks.resequence(r, m.value, sender)) {
                    r = std::move(*changed);
                }
            }
            return;
    }
}

bool closed(const Machine& m) { return m.closure().has_value(); }
bool open_and_waiting(const Machine& m) { return !closed(m) && !m.authenticated(); }

}  // namespace

std::string_view to_string(MutationOp op) { return kOpNames[static_cast<std::size_t>(op)]; }

std::optional<MutationOp> mutation_op_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kOpNames.size(); ++i) {
        if (kOpNames[i] == s) {
            return static_cast<MutationOp>(i);
        }
    }
    return std::nullopt;
}

Result<InStepResult> run_in_step(Machine& a, Machine& b, const std::vector<Mutation>& mutations,
                                 const UnitHooks& hooks, std::size_t max_units) {
    const std::array<Machine*, 2> peers = {&a, &b};
    InStepResult result;
    std::deque<std::size_t> fifo;

    auto collect = [&](Machine& m, Role from) {
        for (auto& unit : m.take_output()) {
            fifo.push_back(result.units.size());
            result.units.push_back(Unit{from, hooks.type(unit), std::move(unit), std::nullopt});
        }
    };

    a.start();
    collect(a, Role::initiator);
    b.start();
    collect(b, Role::acceptor);
    while (!fifo.empty()) {
        if (result.units.size() > max_units) {
            return fail(Error::invalid_argument, "transcript does not settle within its unit budget");
        }
        const std::size_t index = fifo.front();
        fifo.pop_front();
        Unit& unit = result.units[index];
        const std::size_t sender = unit.from == Role::initiator ? 0 : 1;
        const std::size_t receiver = 1 - sender;
        std::vector<Bytes> delivered{unit.wire};
        bool mutated = false;
        for (const auto& m : mutations) {
            if (m.message == index) {
                apply(m, delivered, *peers[sender], hooks);
                mutated = true;
            }
        }
        if (mutated) {
            unit.delivered = delivered;
        }
        Machine& to = *peers[receiver];
        for (const auto& d : delivered) {
            const bool was_open = !closed(to);
            to.receive(d);
            if (was_open && closed(to)) {
                result.closed_at[receiver] = index;
            }
        }
        collect(to, receiver == 0 ? Role::initiator : Role::acceptor);
    }
    for (const auto& m : mutations) {
        if (m.message >= result.units.size()) {
            return fail(Error::invalid_argument, "a mutation names a unit that was never emitted");
        }
    }

    auto propagate = [&] {
        if (closed(a) && open_and_waiting(b)) {
            b.peer_closed();
        }
        if (closed(b) && open_and_waiting(a)) {
            a.peer_closed();
        }
    };
    propagate();
    for (Machine* m : peers) {
        if (open_and_waiting(*m)) {
            m->idle_timeout();
            propagate();
        }
    }
    return result;
}

}  // namespace shakedown::vectors
