// The state-machine fuzz driver, written once against the sans-IO Machine (impl/common/machine.hpp)
// for every variant. It builds the machine under test and an honest reference peer of the other
// role, hands the machine's output to the peer, queues the peer's answers, and reads the fuzz input
// as a script saying what reaches the machine: the peer's next unit as is or changed, bytes of the
// input, replays, reorders, drops, transport events. A variant supplies a MachineFixture (the two
// machines and its unit hooks) and a MachineObserver (its invariants); nothing here names a variant.
//
// Script: repeated op bytes, op = byte & 15, arg = byte >> 4, operands following:
//    0, 15 deliver the honest peer's next unit
//    1 deliver it with one byte changed: u16be position (mod size), u8 xor mask (0 means 1)
//    2 deliver it truncated to u16be n (mod size) bytes
//    3 deliver it with u8 n input bytes appended
//    4 deliver input bytes in its place: u16be n (mod 8192), n bytes
//    5 inject input bytes as one unit, framed as the variant frames units: u16be n (mod 8192), n bytes
//    6 inject input bytes as they are: u16be n (mod 8192), n bytes
//    7 deliver the last honest unit again
//    8 deliver the honest unit after the next one (the next one stays queued)
//    9 drop the honest peer's next unit
//   10 deliver the next unit in chunks of arg + 1 bytes (stream transports; whole otherwise);
//      past its first 64 bytes, in at most 8 more chunks
//   11 the peer closed the transport        12 idle timeout (as a caller's loop makes one: only
//      when the machine's idle_timeout_ms() names a deadline; nullopt means the caller waits on)
//   13 the variant's own op (MachineFixture::variant_op), with arg
//   14 deliver honest units until none is queued
// An empty script is an honest run to its end.
//
// Checked after every step, for both machines: next_action() says send exactly when units wait; a
// closed machine stays closed for the same reason, emits nothing more and never authenticates;
// authenticated() never goes back to false; done implies authenticated. For the machine under
// test: it never authenticates while a unit the honest peer sent was delivered changed, unless the
// observer says the change is one the protocol does not authenticate; and an untouched script
// leaves both machines authenticated and open (unless the observer says a protocol rule refused
// the random values the input chose).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "common/machine.hpp"
#include "fuzz/fuzz_target.hpp"

namespace shakedown::fuzz {

// How the variant's transport carries units: a byte stream (units may be cut and joined anywhere)
// or one message (datagram, WebSocket message) per unit.
enum class UnitTransport : std::uint8_t { stream, message };

// A unit the honest peer sent, by its position in the peer's output.
struct Unit {
    std::size_t index = 0;
    Bytes bytes;
};

// What a delivery is, relative to what the honest peer sent.
enum class Delivery : std::uint8_t {
    honest,    // the peer's next unit, intact and in order
    replayed,  // an honest unit, intact, out of order (duplicate, reorder)
    changed,   // an honest unit the script altered (the original is given)
    injected,  // bytes the peer never sent as a unit
};

class MachineDriver;

// The variant's side of the set-up.
class MachineFixture {
public:
    virtual ~MachineFixture() = default;
    [[nodiscard]] virtual UnitTransport transport() const = 0;
    // Reads any configuration the variant takes from the front of the input, before make().
    virtual void configure(InputCursor& in) { (void)in; }
    // The machine of `role`: the one under test or the honest peer. Randomness and clock are
    // deterministic and owned by the fixture, which outlives both machines.
    [[nodiscard]] virtual std::unique_ptr<Machine> make(Role role, bool under_test) = 0;
    // Input bytes as one unit of the variant's wire (a record mark, an opcode); as they are by
    // default.
    [[nodiscard]] virtual Bytes wrap(ByteView body) { return Bytes(body.begin(), body.end()); }
    // Script op 13: whatever the generic ops cannot express (an authentic unit the peer never sent,
    // a message kind of its own, a clock step), through the driver's public calls.
    virtual void variant_op(MachineDriver& d, std::uint8_t arg, InputCursor& in) {
        (void)d;
        (void)arg;
        (void)in;
    }
};

// The variant's invariants, called by the driver; each asserts with FUZZ_CHECK.
class MachineObserver {
public:
    virtual ~MachineObserver() = default;
    // Bytes about to reach the machine under test through receive().
    virtual void on_delivered(const Machine& m, ByteView bytes) {
        (void)m;
        (void)bytes;
    }
    // A unit `from` (either machine) wrote, before it goes anywhere.
    virtual void on_output(const Machine& from, ByteView unit) {
        (void)from;
        (void)unit;
    }
    // After every step, once the generic checks passed.
    virtual void after_step(const Machine& m, const Machine& peer) {
        (void)m;
        (void)peer;
    }
    // The step in which the machine under test authenticated. `genuine`: only honest units, intact,
    // reached it (possibly replayed or reordered).
    virtual void on_authenticated(const Machine& m, const Machine& peer, bool genuine) {
        (void)m;
        (void)peer;
        (void)genuine;
    }
    // The machine authenticated after `original` was delivered as `delivered`: false if the change
    // only touches what the protocol does not authenticate.
    [[nodiscard]] virtual bool tamper_must_be_rejected(const Unit& original, const Bytes& delivered) {
        (void)original;
        (void)delivered;
        return true;
    }
    // The machine under test authenticated with a peer other than the honest one: bytes the script
    // injected carried a handshake of another identity (from the vectors, say). What the script
    // changed in the honest peer's units is then no part of what the machine accepted; the
    // observer's own checks (identity, keys, MACs) judge the peer it did accept. Asked only when
    // something was injected.
    [[nodiscard]] virtual bool authenticated_foreign_peer(const Machine& m, const Machine& peer) {
        (void)m;
        (void)peer;
        return false;
    }
    // An untouched script, and still a machine closed: true when a rule of the protocol required
    // it for the random values of this run. The input chooses the randomness of the machine under
    // test, and the fuzzer can make it match the honest peer's fixed draws (a nonce reflected back
    // is refused, rightly). True exempts the run from the honest-run check; everything else is
    // checked as usual.
    [[nodiscard]] virtual bool refused_for_randomness(const Machine& m, const Machine& peer) {
        (void)m;
        (void)peer;
        return false;
    }
    // End of the run.
    virtual void finish(const Machine& m, const Machine& peer, bool genuine) {
        (void)m;
        (void)peer;
        (void)genuine;
    }
};

class MachineDriver {
public:
    MachineDriver(Role role, MachineFixture& fixture, MachineObserver& observer);

    [[nodiscard]] Machine& machine() noexcept { return *m_machine; }
    [[nodiscard]] Machine& peer() noexcept { return *m_peer; }
    [[nodiscard]] MachineFixture& fixture() noexcept { return m_fixture; }

    [[nodiscard]] bool has_honest() const noexcept { return !m_pending.empty(); }
    // The honest peer's next unit, removed from the queue (nullptr if none); valid until the next
    // call.
    [[nodiscard]] const Unit* take_honest();
    // The last unit taken from the queue.
    [[nodiscard]] const std::optional<Unit>& last_honest() const noexcept { return m_last_honest; }

    // One receive() of the machine under test, then the checks. `original`: the honest unit a
    // changed delivery stands for.
    void deliver(ByteView bytes, Delivery kind, const Unit* original = nullptr);
    // Anything else done to the machine under test (a transport event, a variant's own call), then
    // the checks. `genuine`: the action is one an honest peer's transport could cause.
    void act(const std::function<void(Machine&)>& action, bool genuine);

    void run_script(InputCursor& in);
    // Honest units until none is queued; with an untouched script, both machines must then be
    // authenticated and open. Then the observer's finish().
    void finish();

private:
    // What the checks remember of one machine.
    struct Track {
        bool authenticated = false;
        bool closed = false;
        std::optional<Closure> closure;
    };
    // An honest unit delivered changed before the machine authenticated, and where it started in
    // the delivered stream.
    struct Tamper {
        Unit original;
        Bytes delivered;
        std::size_t stream_offset = 0;
        std::size_t units_at = 0;  // index of the changed delivery in m_units
    };

    void settle();
    void check(Machine& m, Track& t, bool wrote, bool announced);
    [[nodiscard]] bool healed(const Tamper& t) const;
    void deliver_honest();

    MachineFixture& m_fixture;
    MachineObserver& m_observer;
    std::unique_ptr<Machine> m_machine;
    std::unique_ptr<Machine> m_peer;
    Track m_machine_track;
    Track m_peer_track;
    std::deque<Unit> m_pending;
    // Each machine's output of the current step, drained into storage kept across steps.
    OutputUnits m_out;
    OutputUnits m_answers;
    std::size_t m_peer_units = 0;
    std::optional<Unit> m_last_honest;
    std::vector<Tamper> m_tampered;
    // Every byte delivered to the machine under test (bounded), and every unit delivered whole.
    // A delivered unit: where it lies in m_stream, or its own copy once the stream is full.
    struct Delivered {
        std::size_t offset = 0;
        std::size_t size = 0;
        Bytes copy;
    };
    [[nodiscard]] ByteView unit_bytes(const Delivered& u) const {
        return u.copy.empty() ? ByteView(m_stream).subspan(u.offset, u.size) : ByteView(u.copy);
    }
    Bytes m_stream;
    std::vector<Delivered> m_units;
    std::vector<Delivery> m_kinds;  // how each of m_units came
    bool m_genuine = true;
    bool m_in_order = true;
};

// The whole target: configure, build, run the script, finish.
void run_machine_target(Role role, ByteView input, MachineFixture& fixture, MachineObserver& observer);

// A fixture and observer in one object, the usual shape of a variant's target.
class MachineTarget : public MachineFixture, public MachineObserver {
public:
    void run(Role role, ByteView input) { run_machine_target(role, input, *this, *this); }
};

// Script encoders for the corpus generators, in the format above.
namespace script {
inline constexpr std::uint8_t kHonest = 0;
inline constexpr std::uint8_t kFlip = 1;
inline constexpr std::uint8_t kTruncate = 2;
inline constexpr std::uint8_t kAppend = 3;
inline constexpr std::uint8_t kReplace = 4;
inline constexpr std::uint8_t kInjectUnit = 5;
inline constexpr std::uint8_t kInjectRaw = 6;
inline constexpr std::uint8_t kDuplicate = 7;
inline constexpr std::uint8_t kReorder = 8;
inline constexpr std::uint8_t kDrop = 9;
inline constexpr std::uint8_t kSplit = 10;
inline constexpr std::uint8_t kPeerClosed = 11;
inline constexpr std::uint8_t kIdleTimeout = 12;
inline constexpr std::uint8_t kVariant = 13;
inline constexpr std::uint8_t kHonestToEnd = 14;
inline constexpr std::size_t kMaxInjected = 8192;

[[nodiscard]] constexpr std::uint8_t op(std::uint8_t code, std::uint8_t arg = 0) {
    return static_cast<std::uint8_t>(code | (arg << 4));
}
// `code` followed by a u16be length and `bytes` (ops 4, 5, 6).
void append_with_length(Bytes& out, std::uint8_t code, ByteView bytes);
}  // namespace script

}  // namespace shakedown::fuzz

// An invariant with its name, printed first: negative-control tests match on it.
#define FUZZ_INVARIANT(cond, what)                                                    \
    do {                                                                              \
        if (!(cond)) {                                                                \
            ::shakedown::fuzz::check_failed(what " [" #cond "]", __FILE__, __LINE__); \
        }                                                                             \
    } while (false)
