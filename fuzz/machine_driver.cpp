#include "fuzz/machine_driver.hpp"

#include <algorithm>
#include <string>

#include "common/bytes.hpp"

namespace shakedown::fuzz {

namespace {

// Bounds that keep one execution short whatever the input: script steps, honest units delivered in
// a row, and the delivered stream kept for the tamper check. A handshake is a few units; 32 steps
// still change, drop, reorder and replay each of them several times. (At 128, libFuzzer kept
// inputs that only replayed an encrypted frame dozens of times, for the hit-count bucket each
// reached: fuzz/README.md.)
constexpr int kMaxSteps = 32;
constexpr int kMaxHonestRun = 64;
constexpr std::size_t kMaxStreamKept = std::size_t{1} << 20;
constexpr std::size_t kUnitsReserved = 32;
// Op 10: the bytes of a unit delivered in small pieces, and the most pieces for the rest.
constexpr std::size_t kSplitHead = 64;
constexpr std::size_t kBodyPieces = 8;
constexpr std::size_t kStreamReserved = 4096;

bool starts_with(ByteView whole, ByteView prefix) {
    return whole.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

}  // namespace

MachineDriver::MachineDriver(Role role, MachineFixture& fixture, MachineObserver& observer)
    : m_fixture(fixture), m_observer(observer) {
    // Room for a typical run, so that recording deliveries does not reallocate step by step.
    m_units.reserve(kUnitsReserved);
    m_kinds.reserve(kUnitsReserved);
    m_stream.reserve(kStreamReserved);
    m_machine = m_fixture.make(role, true);
    m_peer = m_fixture.make(other(role), false);
    FUZZ_CHECK(m_machine && m_peer);
    FUZZ_CHECK(m_machine->role() == role && m_peer->role() == other(role));
    m_machine->start();
    m_peer->start();
    settle();
}

const Unit* MachineDriver::take_honest() {
    if (m_pending.empty()) {
        return nullptr;
    }
    m_last_honest = std::move(m_pending.front());
    m_pending.pop_front();
    return &*m_last_honest;
}

void MachineDriver::deliver(ByteView bytes, Delivery kind, const Unit* original) {
    if (kind == Delivery::changed && original != nullptr) {
        const bool same = std::equal(bytes.begin(), bytes.end(), original->bytes.begin(), original->bytes.end());
        // A stream unit delivered whole and followed by more bytes is intact: what follows belongs
        // to the stream after it.
        const bool intact =
            same || (m_fixture.transport() == UnitTransport::stream && starts_with(bytes, original->bytes));
        if (same) {
            kind = Delivery::honest;
        } else if (intact) {
            kind = Delivery::injected;
        } else if (!m_machine_track.authenticated &&
                   !(bytes.empty() && m_fixture.transport() == UnitTransport::stream)) {
            // (Nothing at all on a stream is no change: the unit simply has not come yet.)
            m_tampered.push_back(Tamper{*original, Bytes(bytes.begin(), bytes.end()), m_stream.size(), m_units.size()});
        }
    }
    m_genuine = m_genuine && (kind == Delivery::honest || kind == Delivery::replayed);
    m_in_order = m_in_order && kind == Delivery::honest;
    if (m_stream.size() + bytes.size() <= kMaxStreamKept) {
        m_units.push_back(Delivered{m_stream.size(), bytes.size(), {}});
        m_stream.insert(m_stream.end(), bytes.begin(), bytes.end());
    } else {
        m_units.push_back(Delivered{0, bytes.size(), Bytes(bytes.begin(), bytes.end())});
    }
    m_kinds.push_back(kind);
    m_observer.on_delivered(*m_machine, bytes);
    m_machine->receive(bytes);
    settle();
}

void MachineDriver::act(const std::function<void(Machine&)>& action, bool genuine) {
    m_genuine = m_genuine && genuine;
    m_in_order = false;
    action(*m_machine);
    settle();
}

// A changed unit stops counting once the original, or a version of it the observer lets pass,
// reached the machine after all: delivered whole as a unit of its own, before or after the change
// (a machine that drops a unit it cannot read, then takes the real one; the real one injected
// ahead of it); in a stream, also at the place the changed one started (a truncated unit
// completed by later bytes).
bool MachineDriver::healed(const Tamper& t) const {
    const auto passes = [&](ByteView got) {
        return std::equal(got.begin(), got.end(), t.original.bytes.begin(), t.original.bytes.end()) ||
               !m_observer.tamper_must_be_rejected(t.original, Bytes(got.begin(), got.end()));
    };
    if (m_fixture.transport() == UnitTransport::stream && t.stream_offset <= m_stream.size()) {
        const ByteView from = ByteView(m_stream).subspan(t.stream_offset);
        if (from.size() >= t.original.bytes.size() && passes(from.first(t.original.bytes.size()))) {
            return true;
        }
    }
    return std::any_of(m_units.begin(), m_units.end(), [&](const Delivered& u) { return passes(unit_bytes(u)); });
}

void MachineDriver::check(Machine& m, Track& t, bool wrote, bool announced) {
    FUZZ_INVARIANT(announced == wrote, "next_action() says send exactly when units wait");
    FUZZ_INVARIANT(m.next_action() != Action::send, "drain_output() takes every unit");
    const auto closure = m.closure();
    if (t.closed) {
        FUZZ_INVARIANT(!wrote, "a closed machine emits nothing more");
        FUZZ_INVARIANT(closure.has_value() && closure->failure == t.closure->failure,
                       "a closed machine stays closed for the same reason");
        FUZZ_INVARIANT(m.authenticated() == t.authenticated, "a closed machine never authenticates");
    }
    FUZZ_INVARIANT(closure.has_value() == (m.next_action() == Action::closed), "closed exactly when closure() says so");
    if (m.next_action() == Action::done) {
        FUZZ_INVARIANT(m.authenticated(), "done only once authenticated");
    }
    FUZZ_INVARIANT(!t.authenticated || m.authenticated(), "authenticated() never goes back to false");
    if (closure) {
        FUZZ_INVARIANT(m.take_output().empty(), "take_output() after closure is empty");
    }
    t.authenticated = m.authenticated();
    t.closed = closure.has_value();
    t.closure = closure;
}

// Hands the machine's output to the honest peer, queues the peer's answers, and checks both.
void MachineDriver::settle() {
    const bool was_authenticated = m_machine_track.authenticated;
    const bool announced = m_machine->next_action() == Action::send;
    m_out.clear();
    m_machine->drain_output(m_out);
    for (const ByteView u : m_out) {
        m_observer.on_output(*m_machine, u);
    }
    check(*m_machine, m_machine_track, !m_out.empty(), announced);
    for (const ByteView u : m_out) {
        m_peer->receive(u);
    }
    const bool peer_announced = m_peer->next_action() == Action::send;
    m_answers.clear();
    m_peer->drain_output(m_answers);
    for (const ByteView u : m_answers) {
        m_observer.on_output(*m_peer, u);
    }
    check(*m_peer, m_peer_track, !m_answers.empty(), peer_announced);
    for (const ByteView u : m_answers) {
        m_pending.push_back(Unit{m_peer_units++, Bytes(u.begin(), u.end())});
    }

    if (!was_authenticated && m_machine->authenticated()) {
        const bool foreign_peer = std::find(m_kinds.begin(), m_kinds.end(), Delivery::injected) != m_kinds.end() &&
                                  m_observer.authenticated_foreign_peer(*m_machine, *m_peer);
        for (const Tamper& t : m_tampered) {
            if (foreign_peer) {
                break;
            }
            // Bytes injected after the change may carry a whole handshake of their own (another
            // identity from the vectors): authenticating on them is no acceptance of the change,
            // and the observer's identity and key checks judge it.
            const bool foreign_after = std::find(m_kinds.begin() + static_cast<std::ptrdiff_t>(t.units_at) + 1,
                                                 m_kinds.end(), Delivery::injected) != m_kinds.end();
            if (!foreign_after && !healed(t) && m_observer.tamper_must_be_rejected(t.original, t.delivered)) {
                const auto diff = std::mismatch(t.original.bytes.begin(), t.original.bytes.end(), t.delivered.begin(),
                                                t.delivered.end());
                std::fprintf(stderr,
                             "honest unit %zu (%zu bytes) was delivered changed (%zu bytes), first difference at byte "
                             "%zu\n",
                             t.original.index, t.original.bytes.size(), t.delivered.size(),
                             static_cast<std::size_t>(diff.first - t.original.bytes.begin()));
                // The 24 bytes from 8 before the difference, both ways (printable as is).
                const auto window = [&](const Bytes& b) {
                    const std::size_t at = static_cast<std::size_t>(diff.first - t.original.bytes.begin());
                    const std::size_t from = at > 8 ? at - 8 : 0;
                    std::string text;
                    for (std::size_t i = from; i < b.size() && i < from + 24; ++i) {
                        const auto c = static_cast<char>(b[i]);
                        text += (c >= 0x20 && c < 0x7f) ? std::string(1, c) : "\\x" + to_hex(ByteView(&b[i], 1));
                    }
                    return text;
                };
                std::fprintf(stderr, "  sent:      %s\n  delivered: %s\n", window(t.original.bytes).c_str(),
                             window(t.delivered).c_str());
                check_failed("authenticated although the script changed a unit the honest peer sent", __FILE__,
                             __LINE__);
            }
        }
        m_observer.on_authenticated(*m_machine, *m_peer, m_genuine);
    }
    m_observer.after_step(*m_machine, *m_peer);
}

void MachineDriver::deliver_honest() {
    if (auto u = take_honest()) {
        deliver(u->bytes, Delivery::honest);
    }
}

void MachineDriver::run_script(InputCursor& in) {
    using namespace script;
    for (int steps = 0; steps < kMaxSteps && !in.empty(); ++steps) {
        const std::uint8_t b = in.u8();
        const std::uint8_t arg = static_cast<std::uint8_t>(b >> 4);
        switch (b & 15) {
            case kFlip: {
                const std::uint16_t pos = in.u16be();
                const std::uint8_t mask = in.u8();
                if (auto u = take_honest(); u && !u->bytes.empty()) {
                    Bytes changed = u->bytes;
                    changed[pos % changed.size()] ^= mask == 0 ? 1 : mask;
                    deliver(changed, Delivery::changed, &*u);
                }
                break;
            }
            case kTruncate: {
                const std::uint16_t n = in.u16be();
                if (auto u = take_honest(); u && !u->bytes.empty()) {
                    deliver(ByteView(u->bytes).first(n % u->bytes.size()), Delivery::changed, &*u);
                }
                break;
            }
            case kAppend: {
                const ByteView extra = in.bytes(in.u8());
                if (auto u = take_honest()) {
                    Bytes changed = u->bytes;
                    changed.insert(changed.end(), extra.begin(), extra.end());
                    deliver(changed, Delivery::changed, &*u);
                }
                break;
            }
            case kReplace: {
                const ByteView raw = in.bytes(in.u16be() % kMaxInjected);
                if (auto u = take_honest()) {
                    deliver(raw, Delivery::changed, &*u);
                }
                break;
            }
            case kInjectUnit: {
                const ByteView body = in.bytes(in.u16be() % kMaxInjected);
                deliver(m_fixture.wrap(body), Delivery::injected);
                break;
            }
            case kInjectRaw: deliver(in.bytes(in.u16be() % kMaxInjected), Delivery::injected); break;
            case kDuplicate:
                if (m_last_honest) {
                    deliver(m_last_honest->bytes, Delivery::replayed);
                }
                break;
            case kReorder:
                if (m_pending.size() >= 2) {
                    Unit second = std::move(m_pending[1]);
                    m_pending.erase(m_pending.begin() + 1);
                    m_last_honest = second;
                    deliver(second.bytes, Delivery::replayed);
                }
                break;
            case kDrop:
                if (take_honest()) {
                    m_in_order = false;
                }
                break;
            case kSplit:
                if (auto u = take_honest()) {
                    if (m_fixture.transport() == UnitTransport::message || u->bytes.empty()) {
                        deliver(u->bytes, Delivery::honest);
                        break;
                    }
                    // Chunks of one unit, each its own step: a machine must wait for the rest. The
                    // head, where headers and lengths lie, comes in pieces of arg + 1 bytes; the
                    // rest in at most kBodyPieces, so a long unit costs a bounded number of steps.
                    const std::size_t chunk = std::size_t{arg} + 1;
                    const std::size_t size = u->bytes.size();
                    const std::size_t body_chunk =
                        size > kSplitHead ? std::max(chunk, (size - kSplitHead + kBodyPieces - 1) / kBodyPieces) : chunk;
                    const bool in_order = m_in_order;
                    for (std::size_t at = 0; at < size;) {
                        const std::size_t n = std::min(at < kSplitHead ? std::min(chunk, kSplitHead - at) : body_chunk, size - at);
                        deliver(ByteView(u->bytes).subspan(at, n), Delivery::replayed);
                        at += n;
                    }
                    m_in_order = in_order;
                }
                break;
            case kPeerClosed: act([](Machine& m) { m.peer_closed(); }, true); break;
            case kIdleTimeout:
                if (m_machine->idle_timeout_ms().has_value()) {
                    act([](Machine& m) { m.idle_timeout(); }, true);
                }
                break;
            case kVariant: m_fixture.variant_op(*this, arg, in); break;
            case kHonestToEnd:
                for (int i = 0; i < kMaxHonestRun && has_honest(); ++i) {
                    deliver_honest();
                }
                break;
            default: deliver_honest(); break;
        }
    }
}

void MachineDriver::finish() {
    if (m_in_order) {
        for (int i = 0; i < kMaxHonestRun && has_honest(); ++i) {
            deliver_honest();
        }
        if (!m_observer.refused_for_randomness(*m_machine, *m_peer)) {
            FUZZ_INVARIANT(m_machine->authenticated() && !m_machine->closure(),
                           "an honest run leaves the machine authenticated and open");
            FUZZ_INVARIANT(m_peer->authenticated() && !m_peer->closure(),
                           "an honest run leaves the peer authenticated and open");
        }
    }
    m_observer.finish(*m_machine, *m_peer, m_genuine);
}

void run_machine_target(Role role, ByteView input, MachineFixture& fixture, MachineObserver& observer) {
    InputCursor in(input);
    fixture.configure(in);
    MachineDriver d(role, fixture, observer);
    d.run_script(in);
    d.finish();
}

namespace script {
void append_with_length(Bytes& out, std::uint8_t code, ByteView bytes) {
    out.push_back(code);
    out.push_back(static_cast<std::uint8_t>(bytes.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(bytes.size()));
    out.insert(out.end(), bytes.begin(), bytes.end());
}
}  // namespace script

}  // namespace shakedown::fuzz
