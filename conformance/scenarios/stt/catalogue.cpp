#include "conformance/scenarios/stt/catalogue.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>

#include "common/bytes.hpp"
#include "common/crypto.hpp"
#include "conformance/runner/scenario_driver.hpp"
#include "conformance/scenarios/stt/session_scenarios.hpp"
#include "stt/frame.hpp"
#include "stt/messages.hpp"
#include "stt/tlv.hpp"

namespace shakedown::stt {

namespace {

namespace cf = shakedown::conformance;
using cf::Millis;

// A rejecting STT target stays silent (one datagram, no answer), so every refusal costs the
// scenario's whole deadline; on a local network an answer takes well under a millisecond.
constexpr Millis kRejectDeadline{700};
// The handshake deadline the idle scenarios give the target (the reference's is 10 s). A running
// initiator, which starts its next handshake as soon as one ends, must still be waiting when its
// HELLO is answered: well above the time between two scenarios.
constexpr std::uint32_t kIdleTimeoutMs = 1500;
// The fixed clock of the window-edge scenarios (2026-01-01T00:00:00Z) and the default window.
constexpr std::int64_t kEdgeNow = 1767225600;
constexpr std::int64_t kWindowSeconds = 30;
// The harness accepts any skew, so that it goes on to show how the target judges the skew.
const std::vector<std::string> kLenientHarness = {"--timestamp-window-ms", "86400000"};

// ---- units: one datagram, one frame, one TLV message ----------------------------------------

std::size_t payload_offset(const Bytes& unit) {
    const auto f = parse_frame(unit);
    return f ? f->payload_offset : 0;
}

Bytes with_payload(const Bytes& unit, const Bytes& payload) {
    const auto f = parse_frame(unit);
    if (!f) {
        return payload;
    }
    Frame g = *f;
    g.payload = payload;
    return serialize_frame(g);
}

Bytes with_header(const Bytes& unit, const std::function<void(FrameHeader&)>& change) {
    const auto f = parse_frame(unit);
    if (!f) {
        return unit;
    }
    Frame g = *f;
    change(g.header);
    return serialize_frame(g);
}

Value* field(Value& m, std::string_view key) {
    for (auto& v : m.items) {
        if (v.key == key) {
            return &v;
        }
    }
    return nullptr;
}

Bytes data_of(Value& m, std::string_view key) {
    const Value* v = field(m, key);
    return v != nullptr ? v->data : Bytes{};
}

std::int64_t timestamp_of(Value& m) {
    const Value* v = field(m, "timestamp");
    return v != nullptr ? v->integer : 0;
}

Bytes commitment(const Bytes& node_id, const Bytes& nonce) {
    const auto d = crypto::sha256({ByteView(node_id), ByteView(nonce)});
    return Bytes(d.begin(), d.end());
}

// The message decoded, changed (or replaced) and encoded canonically again, in the same frame.
Bytes edit_message(const Bytes& unit, const std::function<Value(Value)>& change) {
    const auto f = parse_frame(unit);
    if (!f) {
        return unit;
    }
    auto v = decode(f->payload);
    if (!v) {
        return unit;
    }
    auto encoded = encode(change(std::move(*v)));
    return encoded ? with_payload(unit, *encoded) : unit;
}

cf::RewriterFactory message(std::size_t k, std::function<Value(Value)> change) {
    return cf::rewrite::replace(k, [change = std::move(change)](const Bytes& u) { return edit_message(u, change); });
}

cf::RewriterFactory payload(std::size_t k, std::function<Bytes(Bytes)> change) {
    return cf::rewrite::replace(k, [change = std::move(change)](const Bytes& u) {
        const std::size_t at = payload_offset(u);
        return with_payload(u, change(Bytes(u.begin() + static_cast<std::ptrdiff_t>(at), u.end())));
    });
}

// Where the message's last value, the `type` STRING (keys sort "type" last), starts.
std::optional<std::size_t> type_string_at(const Bytes& p) {
    for (std::size_t n = 1; n <= 32 && n + 5 <= p.size(); ++n) {
        const std::size_t at = p.size() - n - 5;
        const std::uint32_t len = (std::uint32_t{p[at + 1]} << 24) | (std::uint32_t{p[at + 2]} << 16) |
                                  (std::uint32_t{p[at + 3]} << 8) | std::uint32_t{p[at + 4]};
        if (p[at] == tag::kString && len == n) {
            return at;
        }
    }
    return std::nullopt;
}

// `type` declared one byte longer than what follows: the upstream decoder takes what is there.
Bytes type_length_past_end(Bytes p) {
    if (const auto at = type_string_at(p)) {
        p[*at + 4] = static_cast<std::uint8_t>(p[*at + 4] + 1);
    }
    return p;
}

// The `type` entry repeated at the end of the DICT (the count raised by one).
Bytes duplicate_type_key(Bytes p) {
    const auto at = type_string_at(p);
    if (!at || p.size() < 5 || p[0] != tag::kDict) {
        return p;
    }
    const Bytes value(p.begin() + static_cast<std::ptrdiff_t>(*at), p.end());
    std::uint32_t count = (std::uint32_t{p[1]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 8) | p[4];
    ++count;
    for (int i = 0; i < 4; ++i) {
        p[static_cast<std::size_t>(1 + i)] = static_cast<std::uint8_t>(count >> (24 - 8 * i));
    }
    const Bytes key = {tag::kString, 0, 0, 0, 4, 't', 'y', 'p', 'e'};
    p.insert(p.end(), key.begin(), key.end());
    p.insert(p.end(), value.begin(), value.end());
    return p;
}

// The frame's length varint replaced by a claim of 3 MiB (over the 2 MiB frame bound).
Bytes claim_3mib(const Bytes& unit) {
    if (unit.size() < 3) {
        return unit;
    }
    std::size_t end = 2;
    while (end < unit.size() && (unit[end] & 0x80U) != 0) {
        ++end;
    }
    Bytes out(unit.begin(), unit.begin() + 2);
    std::uint64_t v = 3U * 1024U * 1024U;
    while (v >= 0x80U) {
        out.push_back(static_cast<std::uint8_t>((v & 0x7fU) | 0x80U));
        v >>= 7U;
    }
    out.push_back(static_cast<std::uint8_t>(v));
    out.insert(out.end(), unit.begin() + static_cast<std::ptrdiff_t>(std::min(end + 1, unit.size())), unit.end());
    return out;
}

// The tag of the `timestamp` value (an INT, keys sort it after every other but `type`) replaced.
Bytes timestamp_tag(Bytes p, std::uint8_t tag) {
    static const Bytes key = {tag::kString, 0, 0, 0, 9, 't', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p'};
    const auto at = std::search(p.begin(), p.end(), key.begin(), key.end());
    if (at != p.end() && at + static_cast<std::ptrdiff_t>(key.size()) < p.end()) {
        *(at + static_cast<std::ptrdiff_t>(key.size())) = tag;
    }
    return p;
}

// One more DICT entry, key "a" (sorted first), holding `value`: the message gains a key it must
// not have, and the value is what the TLV decoder has to get through first.
Bytes extra_entry(Bytes p, const Bytes& value) {
    if (p.size() < 5 || p[0] != tag::kDict) {
        return p;
    }
    std::uint32_t count = (std::uint32_t{p[1]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 8) | p[4];
    ++count;
    for (int i = 0; i < 4; ++i) {
        p[static_cast<std::size_t>(1 + i)] = static_cast<std::uint8_t>(count >> (24 - 8 * i));
    }
    Bytes entry = {tag::kString, 0, 0, 0, 1, 'a'};
    entry.insert(entry.end(), value.begin(), value.end());
    p.insert(p.begin() + 5, entry.begin(), entry.end());
    return p;
}

// `depth` LISTs, each holding the next, the innermost holding NULL.
Bytes nested_lists(std::size_t depth) {
    Bytes v;
    for (std::size_t i = 0; i < depth; ++i) {
        const Bytes list = {tag::kList, 0, 0, 0, 1};
        v.insert(v.end(), list.begin(), list.end());
    }
    v.push_back(tag::kNull);
    return v;
}

// A LIST declaring `count` items, holding `present` NULLs.
Bytes list_of_nulls(std::uint32_t count, std::size_t present) {
    Bytes v = {tag::kList, static_cast<std::uint8_t>(count >> 24), static_cast<std::uint8_t>(count >> 16),
               static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)};
    v.insert(v.end(), present, tag::kNull);
    return v;
}

// ---- grading on top of the generic engine ---------------------------------------------------

// A stalled datagram handshake looks the same on the wire whether the target gave it up or not;
// only the target's own account tells. Where it reports (a shim, the in-process reference), it
// must report HANDSHAKE_FAILED once its deadline has passed.
class ReportedStall final : public cf::Scenario {
public:
    explicit ReportedStall(std::unique_ptr<cf::Scenario> inner) : m_inner(std::move(inner)) {}
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_inner->info(); }
    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        cf::ScenarioOutcome o = m_inner->run(ctx);
        if (o.verdict != cf::Verdict::pass) {
            return o;
        }
        const auto& reports = ctx.finish_target();
        if (reports.empty()) {
            return o;
        }
        for (const auto& line : reports.back().lines) {
            // A target stopped by the runner reports HANDSHAKE_FAILED with no reason: not its own.
            if (line.rfind("HANDSHAKE_FAILED", 0) == 0 && !(reports.back().killed && line == "HANDSHAKE_FAILED unknown")) {
                o.reason = "the target gave up the stalled handshake: " + line;
                return o;
            }
        }
        o.verdict = cf::Verdict::fail;
        o.reason = "the target never reported giving up the stalled handshake (its deadline was " +
                   std::to_string(kIdleTimeoutMs) + " ms); a half-open handshake holds its state forever";
        return o;
    }

private:
    std::unique_ptr<cf::Scenario> m_inner;
};

// A datagram target that answered a changed message and then waits for the rest is still pending
// when the scenario ends; the runner stops it, and its report then reads like a refusal
// (HANDSHAKE_FAILED with no reason). A refusal is the target's own: a report that only says it
// was stopped while waiting is not one.
class ReportedRefusal final : public cf::Scenario {
public:
    explicit ReportedRefusal(std::unique_ptr<cf::Scenario> inner) : m_inner(std::move(inner)) {}
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_inner->info(); }
    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        cf::ScenarioOutcome o = m_inner->run(ctx);
        if (o.verdict != cf::Verdict::pass) {
            return o;
        }
        const auto& reports = ctx.finish_target();
        if (reports.empty()) {
            return o;
        }
        // A target whose only end is that we went away (its retransmission found our port closed)
        // was still waiting for the handshake to go on: it did not refuse.
        bool only_our_leaving = !reports.back().lines.empty();
        for (const auto& line : reports.back().lines) {
            only_our_leaving = only_our_leaving && line == "HANDSHAKE_FAILED remote closed";
        }
        if (only_our_leaving) {
            o.verdict = cf::Verdict::fail;
            o.reason = "the target did not refuse the changed message: it went on, and ended only when its "
                       "retransmission found the harness gone (HANDSHAKE_FAILED remote closed)";
            return o;
        }
        if (!reports.back().killed) {
            return o;
        }
        for (const auto& line : reports.back().lines) {
            if (line != "HANDSHAKE_FAILED unknown") {
                return o;
            }
        }
        o.verdict = cf::Verdict::fail;
        o.reason = "the target did not refuse the changed message: it was still waiting for the handshake to go on "
                   "when the scenario ended (stopped by the runner)";
        return o;
    }

private:
    std::unique_ptr<cf::Scenario> m_inner;
};

// ---- a target with another cipher suite --------------------------------------------------------

// The suite the harness speaks (impl/stt/suite.hpp): the only one it can seal and open with.
constexpr std::string_view kHarnessSuite = "xchacha20poly1305-hkdf-sha256";

// Against a target that uses another suite (conform --target-suite), a scenario that needs the
// harness to seal or open a suite message cannot run: UNIMPLEMENTED, with the reason.
class NeedsHarnessSuite final : public cf::Scenario {
public:
    NeedsHarnessSuite(std::unique_ptr<cf::Scenario> inner, std::string suite)
        : m_inner(std::move(inner)), m_suite(std::move(suite)) {}
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_inner->info(); }
    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& /*ctx*/) const override {
        return {cf::Verdict::unimplemented,
                "needs the harness to seal or open the target's messages, and the target uses the " + m_suite +
                    " suite; the harness has only " + std::string(kHarnessSuite),
                {},
                false};
    }

private:
    std::unique_ptr<cf::Scenario> m_inner;
    std::string m_suite;
};

// Whether a scenario runs against a target with another suite: the harness only sends a HELLO
// (plain TLV, a SHA-256 commitment) and grades the target's refusal of a changed one. Anything
// that needs the target's RESPONSE opened, or an AUTH_PROOF sealed, does not.
bool hello_only(const cf::ScenarioInfo& info) {
    if (info.target_role != Role::acceptor) {
        return false;  // the harness's first unit is RESPONSE, sealed
    }
    const std::string& id = info.id;
    if (id.find(".u0.") != std::string::npos) {
        // The duplicated HELLO must complete, and a replay needs an honest first handshake.
        return id.find(".duplicated") == std::string::npos && info.cls != "replay";
    }
    // Refusals of the HELLO's timestamp; the window's edges that pass must complete.
    return id == "acceptor.clock.stale_1h" || id == "acceptor.clock.future_1h" || id.ends_with("_31s") ||
           info.cls == "suite";
}

// The control that makes the HELLO refusals mean something against a target with another suite:
// an honest HELLO is answered with a RESPONSE (framed, a well-formed RESPONSE message). A target
// whose commitment digest or framing differs refuses every HELLO, changed or not.
class HelloAnswered final : public cf::Scenario {
public:
    explicit HelloAnswered(std::shared_ptr<const cf::MachineEnvironment> env) : m_env(std::move(env)) {
        m_info.id = "acceptor.suite.hello_answered";
        m_info.cls = "suite";
        m_info.title = "an honest HELLO, answered with a RESPONSE";
        m_info.rule = "a responder answers an honest HELLO with a framed RESPONSE (Handshake); the control for "
                      "grading a target with another cipher suite on HELLO alone";
        m_info.target_role = Role::acceptor;
        m_info.target_config = m_env->target_flags;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }
    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        cf::ScenarioDriver driver(ctx, Role::acceptor);
        std::string error;
        auto harness = m_env->make(Role::initiator, {}, error);
        if (!harness) {
            return {cf::Verdict::fail, "the harness could not be configured: " + error, {}, false};
        }
        cf::ConnectionRequest request;
        request.target_role = Role::acceptor;
        if (ctx.target().takes_flags(Role::acceptor)) {
            request.flags = m_env->target_flags;
        }
        auto opened = driver.open(request);
        if (!opened) {
            return driver.open_failure();
        }
        cf::Transport& t = *opened->transport;
        harness->start();
        for (const Bytes& unit : harness->take_output()) {
            if (t.send(unit, cf::after(ctx.scaled(Millis(2000))))) {
                t.close();
                return driver.conclude(cf::Verdict::fail, "the HELLO could not be sent", false);
            }
        }
        const cf::Incoming in = t.receive_any(cf::after(ctx.scaled(Millis(1500))));
        t.close();
        if (in.kind != cf::Incoming::Kind::message || in.wire.empty()) {
            return driver.conclude(cf::Verdict::fail,
                                   "the target did not answer an honest HELLO (" + std::string(to_string(in.kind)) +
                                       "): the HELLO refusals cannot be told from a refusal of every HELLO",
                                   false);
        }
        const auto frame = parse_frame(in.wire);
        const auto message = frame ? parse_message(frame->payload) : Result<Message>(frame.failure());
        if (!message || !std::holds_alternative<Response>(*message)) {
            return driver.conclude(cf::Verdict::fail,
                                   "the target answered an honest HELLO with something other than a framed RESPONSE (" +
                                       (message ? std::string("another message") : message.failure().describe()) + ")",
                                   false);
        }
        return driver.conclude(cf::Verdict::pass, "answered with a framed RESPONSE", false);
    }

private:
    std::shared_ptr<const cf::MachineEnvironment> m_env;
    cf::ScenarioInfo m_info;
};

// ---- the catalogue ----------------------------------------------------------------------------

struct RoleBuilder {
    std::shared_ptr<const cf::MachineEnvironment> env;
    Role role;
    std::vector<std::string> unit_names;  // the harness's units
    cf::Catalogue* cat;

    cf::MachineScenario base(const std::string& cls, const std::string& name, const std::string& title,
                             const std::string& rule) const {
        cf::MachineScenario s;
        s.info.id = std::string(to_string(role)) + "." + cls + "." + name;
        s.info.cls = cls;
        s.info.title = title;
        s.info.rule = rule;
        s.info.target_role = role;
        s.deadline = kRejectDeadline;
        return s;
    }
    void add(cf::MachineScenario s) const {
        if (s.expect == cf::Expect::reject) {
            cat->scenarios.push_back(std::make_unique<ReportedRefusal>(cf::make_machine_scenario(env, std::move(s))));
        } else {
            cat->scenarios.push_back(cf::make_machine_scenario(env, std::move(s)));
        }
    }
    void add_stall(cf::MachineScenario s) const {
        cat->scenarios.push_back(std::make_unique<ReportedStall>(cf::make_machine_scenario(env, std::move(s))));
    }
    [[nodiscard]] std::string unit(std::size_t k) const { return unit_names.at(k); }
};

void add_generic(const RoleBuilder& b) {
    cf::FamilyOptions o;
    o.target_role = b.role;
    o.unit_names = b.unit_names;
    // The largest datagram the transport carries (1472 bytes): a 1437-byte payload in a frame with
    // a two-byte length varint. Padding the message to it leaves bytes after the TLV value.
    o.oversize = 1437;
    o.keep = [](cf::MachineScenario& s, std::size_t unit) {
        const std::string& id = s.info.id;
        // Silence on a datagram transport is graded by STT's own idle class (a short deadline
        // given to the target, and its report); the generic ones would wait out 10 s each.
        if (s.info.cls == "idle") {
            return false;
        }
        // Lockstep: the harness's next unit exists only once the target answered this one, so
        // holding it back to swap it never lets the swap happen.
        if (id.ends_with(".swapped")) {
            return false;
        }
        // UDP duplicates: a byte-identical copy of the last datagram is answered by resending
        // the last answer, never refused (docs/protocols/stt.md, "Duplicates").
        if (id.ends_with(".duplicated")) {
            s.expect = cf::Expect::complete;
            s.info.rule = "a duplicated handshake datagram is answered idempotently (resend), the handshake completes";
            return true;
        }
        if (s.info.cls == "oversize") {
            s.info.rule = "a message padded to the datagram bound is refused (bytes after the TLV value)";
            s.expected_error = "trailing_bytes";
        }
        if (s.info.cls == "replay") {
            // The responder's replay cache is the node's (variant.cpp shares it across the
            // generic server's per-address machines): a replayed HELLO is `replay`.
            // A shim serves each connection from a new process (a restarted node, whose
            // in-memory cache is empty): graded only where one target instance sees both.
            if (unit == 0 && s.info.target_role == Role::acceptor) {
                s.expected_error = "replay";
                s.info.needs_single_process = true;
            }
        }
        if (s.expect == cf::Expect::reject) {
            s.deadline = kRejectDeadline;
        }
        return true;
    };
    for (auto& s : cf::generic_families(*b.env, o)) {
        b.add(std::move(s));
    }
}

void add_tlv_and_framing(const RoleBuilder& b) {
    for (std::size_t k = 0; k < b.unit_names.size(); ++k) {
        const std::string n = "u" + std::to_string(k);
        {
            auto s = b.base("tlv", n + ".length_past_end", b.unit(k) + " with its type STRING declared one byte longer",
                            "a BYTES/STRING length past the end is `truncated`, never what is there (TLV decoder)");
            s.rewrite = payload(k, type_length_past_end);
            s.expected_error = "truncated";
            b.add(std::move(s));
        }
        {
            auto s = b.base("tlv", n + ".duplicate_key", b.unit(k) + " with its `type` key repeated",
                            "a repeated DICT key is `decode_error`, not an overwrite (TLV decoder)");
            s.rewrite = payload(k, duplicate_type_key);
            s.expected_error = "decode_error";
            b.add(std::move(s));
        }
        {
            auto s = b.base("tlv", n + ".uint_tag", b.unit(k) + " with its timestamp tagged UINT64 (0x17)",
                            "UINT8..64 and FLOAT32 are declared upstream but unsupported: `unknown_type` (TLV encoding)");
            s.rewrite = payload(k, [](Bytes p) { return timestamp_tag(std::move(p), 0x17); });
            s.expected_error = "unknown_type";
            b.add(std::move(s));
        }
        {
            auto s = b.base("tlv", n + ".unknown_tag", b.unit(k) + " with its timestamp under tag 0x7f (no such type)",
                            "a tag outside the table is `unknown_type` at the tag (TLV decoder)");
            s.rewrite = payload(k, [](Bytes p) { return timestamp_tag(std::move(p), 0x7f); });
            s.expected_error = "unknown_type";
            b.add(std::move(s));
        }
        {
            auto s = b.base("tlv", n + ".depth_9", b.unit(k) + " with an extra entry nesting 9 LISTs",
                            "nesting over 8 containers is `oversize` at the container's tag (TLV bounds)");
            s.rewrite = payload(k, [](Bytes p) { return extra_entry(std::move(p), nested_lists(9)); });
            s.expected_error = "oversize";
            b.add(std::move(s));
        }
        {
            auto s = b.base("tlv", n + ".count_1025", b.unit(k) + " with an extra entry: a LIST of 1025 NULLs",
                            "a LIST or DICT of more than 1024 entries is `bad_length` at the count (TLV bounds)");
            s.rewrite = payload(k, [](Bytes p) { return extra_entry(std::move(p), list_of_nulls(1025, 1025)); });
            s.expected_error = "bad_length";
            b.add(std::move(s));
        }
        {
            auto s = b.base("tlv", n + ".count_claimed", b.unit(k) + " with an extra entry: a LIST claiming 2^32-1 items",
                            "a declared count is checked against the bound before any item, `bad_length`, and never "
                            "allocated for (TLV bounds)");
            s.rewrite = payload(k, [](Bytes p) { return extra_entry(std::move(p), list_of_nulls(0xffffffffU, 1)); });
            s.expected_error = "bad_length";
            b.add(std::move(s));
        }
        {
            auto s = b.base("framing", n + ".unframed", b.unit(k) + " as a raw TLV datagram, without its frame",
                            "handshake datagrams are framed; a datagram without the ST magic is `decode_error` (Frames)");
            s.rewrite = cf::rewrite::replace(k, [](const Bytes& u) {
                return Bytes(u.begin() + static_cast<std::ptrdiff_t>(payload_offset(u)), u.end());
            });
            s.expected_error = "decode_error";
            b.add(std::move(s));
        }
        {
            auto s = b.base("framing", n + ".flags", b.unit(k) + " in a frame with flags 1",
                            "handshake frames carry flags 0, else `bad_flags` (Frames)");
            s.rewrite = cf::rewrite::replace(k, [](const Bytes& u) { return with_header(u, [](FrameHeader& h) { h.flags = 1; }); });
            s.expected_error = "bad_flags";
            b.add(std::move(s));
        }
        {
            auto s = b.base("framing", n + ".data_frame_type", b.unit(k) + " in a session-data frame (type 0x01)",
                            "a handshake message in a non-handshake frame is `unexpected_message` (Frames)");
            s.rewrite = cf::rewrite::replace(k, [](const Bytes& u) {
                return with_header(u, [](FrameHeader& h) { h.type = kFrameData; });
            });
            s.expected_error = "unexpected_message";
            b.add(std::move(s));
        }
        {
            auto s = b.base("framing", n + ".session_id", b.unit(k) + " in a frame with a non-zero session id",
                            "handshake frames carry an all-zero session id, else `decode_error` (Frames)");
            s.rewrite = cf::rewrite::replace(k, [](const Bytes& u) {
                return with_header(u, [](FrameHeader& h) { h.session_id[0] = 1; });
            });
            s.expected_error = "decode_error";
            b.add(std::move(s));
        }
        {
            auto s = b.base("framing", n + ".length_3mib", b.unit(k) + " in a frame whose length claims 3 MiB",
                            "a frame length over 2 MiB is `oversize` at the length, before anything is buffered (Frames)");
            s.rewrite = cf::rewrite::replace(k, claim_3mib);
            s.expected_error = "oversize";
            b.add(std::move(s));
        }
    }
}

void add_acceptor_specific(const RoleBuilder& b) {
    {
        auto s = b.base("commitment", "u0.flipped", "HELLO whose commitment has one bit flipped",
                        "commitment = SHA-256(node_id || nonce), else `bad_mac` (Handshake, responder HELLO)");
        s.rewrite = message(0, [](Value m) {
            if (Value* c = field(m, "commitment"); c != nullptr && !c->data.empty()) {
                c->data[0] ^= 0x01U;
            }
            return m;
        });
        s.expected_error = "bad_mac";
        b.add(std::move(s));
    }
    {
        auto s = b.base("length", "u0.node_id_31", "HELLO with a 31-byte node_id (and its matching commitment)",
                        "node_id is BYTES(32), else `bad_length` (Messages)");
        s.rewrite = message(0, [](Value m) {
            Bytes id = data_of(m, "node_id");
            if (!id.empty()) {
                id.pop_back();
            }
            field(m, "node_id")->data = id;
            field(m, "commitment")->data = commitment(id, data_of(m, "nonce"));
            return m;
        });
        s.expected_error = "bad_length";
        b.add(std::move(s));
    }
    {
        auto s = b.base("length", "u0.nonce_1", "HELLO with a 1-byte nonce (and its matching commitment)",
                        "nonce is BYTES(32), else `bad_length`; upstream derives a 1-byte session id from it (Messages)");
        s.rewrite = message(0, [](Value m) {
            Bytes nonce = data_of(m, "nonce");
            nonce.resize(1);
            field(m, "nonce")->data = nonce;
            field(m, "commitment")->data = commitment(data_of(m, "node_id"), nonce);
            return m;
        });
        s.expected_error = "bad_length";
        b.add(std::move(s));
    }
    {
        auto s = b.base("credential", "u1.proof_flipped", "AUTH_PROOF whose proof has one bit flipped",
                        "the proof must decrypt under the shared seed's key, else `bad_credentials` (responder AUTH_PROOF)");
        s.rewrite = message(1, [](Value m) {
            if (Value* p = field(m, "proof"); p != nullptr && !p->data.empty()) {
                p->data[0] ^= 0x01U;
            }
            return m;
        });
        s.expected_error = "bad_credentials";
        b.add(std::move(s));
    }
    {
        auto s = b.base("credential", "u1.session_id", "AUTH_PROOF with another session id",
                        "session_id must equal ours, else `bad_mac` (responder AUTH_PROOF)");
        s.rewrite = message(1, [](Value m) {
            if (Value* p = field(m, "session_id"); p != nullptr && !p->data.empty()) {
                p->data[0] ^= 0x01U;
            }
            return m;
        });
        s.expected_error = "bad_mac";
        b.add(std::move(s));
    }
    {
        auto s = b.base("order", "u0.foreign_role", "a RESPONSE (the responder's own message) instead of HELLO",
                        "a message of the other role, or a reflected one, is `unexpected_message` (Validation order)");
        s.rewrite = message(0, [](Value m) {
            return Value::dict({{"challenge", Value::bytes_value(data_of(m, "commitment"))},
                                {"challenge_metadata", Value::bytes_value(Bytes(24, 0))},
                                {"node_id", Value::bytes_value(data_of(m, "node_id"))},
                                {"nonce", Value::bytes_value(data_of(m, "nonce"))},
                                {"timestamp", Value::int_value(timestamp_of(m))},
                                {"type", Value::string_value("RESPONSE")}});
        });
        s.expected_error = "unexpected_message";
        b.add(std::move(s));
    }
    {
        auto s = b.base("order", "u0.final_first", "FINAL as the first message",
                        "a message out of order is `unexpected_message` (Validation order)");
        s.rewrite = message(0, [](Value m) {
            return Value::dict({{"session_id", Value::bytes_value(Bytes(8, 0))},
                                {"timestamp", Value::int_value(timestamp_of(m))},
                                {"type", Value::string_value("FINAL")}});
        });
        s.expected_error = "unexpected_message";
        b.add(std::move(s));
    }
}

void add_initiator_specific(const RoleBuilder& b) {
    {
        auto s = b.base("length", "u0.node_id_31", "RESPONSE with a 31-byte node_id",
                        "node_id is BYTES(32), else `bad_length` (Messages)");
        s.rewrite = message(0, [](Value m) {
            if (Value* id = field(m, "node_id"); id != nullptr && !id->data.empty()) {
                id->data.pop_back();
            }
            return m;
        });
        s.expected_error = "bad_length";
        b.add(std::move(s));
    }
    {
        auto s = b.base("length", "u0.nonce_1", "RESPONSE with a 1-byte nonce",
                        "nonce is BYTES(32), else `bad_length` before the challenge is opened; upstream derives a "
                        "1-byte session id from it (Messages)");
        s.rewrite = message(0, [](Value m) {
            if (Value* nonce = field(m, "nonce"); nonce != nullptr && !nonce->data.empty()) {
                nonce->data.resize(1);
            }
            return m;
        });
        s.expected_error = "bad_length";
        b.add(std::move(s));
    }
    {
        auto s = b.base("credential", "u0.challenge_flipped", "RESPONSE whose challenge has one bit flipped",
                        "the challenge must decrypt under the shared seed's key, else `bad_credentials` (initiator RESPONSE)");
        s.rewrite = message(0, [](Value m) {
            if (Value* c = field(m, "challenge"); c != nullptr && !c->data.empty()) {
                c->data[0] ^= 0x01U;
            }
            return m;
        });
        s.expected_error = "bad_credentials";
        b.add(std::move(s));
    }
    {
        auto s = b.base("credential", "wrong_shared_seed", "a responder holding another shared seed",
                        "only holders of the shared seed complete: the challenge fails, `bad_credentials`");
        s.harness_flags = {"--shared-seed", to_hex(Bytes(32, 0x5a))};
        s.expected_error = "bad_credentials";
        b.add(std::move(s));
    }
    {
        auto s = b.base("credential", "u1.session_id", "FINAL with another session id",
                        "session_id must equal ours, else `bad_mac` (initiator FINAL)");
        s.rewrite = message(1, [](Value m) {
            if (Value* p = field(m, "session_id"); p != nullptr && !p->data.empty()) {
                p->data[0] ^= 0x01U;
            }
            return m;
        });
        s.expected_error = "bad_mac";
        b.add(std::move(s));
    }
    {
        auto s = b.base("order", "u0.foreign_role", "a HELLO (the initiator's own message) instead of RESPONSE",
                        "a message of the other role, or a reflected one, is `unexpected_message` (Validation order)");
        s.rewrite = message(0, [](Value m) {
            const Bytes id = data_of(m, "node_id");
            const Bytes nonce = data_of(m, "nonce");
            return Value::dict({{"commitment", Value::bytes_value(commitment(id, nonce))},
                                {"node_id", Value::bytes_value(id)},
                                {"nonce", Value::bytes_value(nonce)},
                                {"timestamp", Value::int_value(timestamp_of(m))},
                                {"type", Value::string_value("HELLO")}});
        });
        s.expected_error = "unexpected_message";
        b.add(std::move(s));
    }
}

void add_clock(const RoleBuilder& b) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    // Against the target's own clock: an hour either way is far outside any sane window.
    for (const auto& [name, offset, error] : {std::tuple{"stale_1h", -3600, "stale_timestamp"},
                                              std::tuple{"future_1h", 3600, "future_timestamp"}}) {
        auto s = b.base("clock", name, std::string("our timestamps ") + (offset < 0 ? "an hour old" : "an hour ahead"),
                        "timestamps outside the window are `stale_timestamp` / `future_timestamp` (Timestamps)");
        s.harness_flags = {"--now", std::to_string(now + offset)};
        s.harness_flags.insert(s.harness_flags.end(), kLenientHarness.begin(), kLenientHarness.end());
        s.expected_error = error;
        b.add(std::move(s));
    }
    // The window's edges, with the target's clock fixed (--now): the edges are accepted, one second
    // past them is not. Against a running target these are UNIMPLEMENTED.
    struct Edge {
        const char* name;
        std::int64_t offset;
        cf::Expect expect;
        const char* error;
    };
    for (const Edge e : {Edge{"edge_stale_30s", -kWindowSeconds, cf::Expect::complete, ""},
                         Edge{"edge_stale_31s", -kWindowSeconds - 1, cf::Expect::reject, "stale_timestamp"},
                         Edge{"edge_future_30s", kWindowSeconds, cf::Expect::complete, ""},
                         Edge{"edge_future_31s", kWindowSeconds + 1, cf::Expect::reject, "future_timestamp"}}) {
        auto s = b.base("clock", e.name,
                        "our timestamps " + std::to_string(e.offset) + " s from the target's fixed clock (window 30 s)",
                        "now - window and now + window are accepted, anything past them refused (Timestamps)");
        s.expect = e.expect;
        s.requires_target_flags = true;
        s.target_flags = {"--now", std::to_string(kEdgeNow)};
        s.harness_flags = {"--now", std::to_string(kEdgeNow + e.offset)};
        s.harness_flags.insert(s.harness_flags.end(), kLenientHarness.begin(), kLenientHarness.end());
        s.expected_error = e.error;
        if (e.expect == cf::Expect::complete) {
            s.deadline = Millis(3000);
        }
        b.add(std::move(s));
    }
}

void add_idle(const RoleBuilder& b) {
    // Silence after each harness unit the target waits on: after HELLO for a responder; before
    // RESPONSE and before FINAL for an initiator (a responder that got nothing has no handshake).
    const std::vector<std::size_t> stalls = b.role == Role::acceptor ? std::vector<std::size_t>{1}
                                                                       : std::vector<std::size_t>{0, 1};
    for (const std::size_t k : stalls) {
        auto s = b.base("idle", "before_u" + std::to_string(k),
                        "silence instead of " + b.unit(k) + " (target deadline " + std::to_string(kIdleTimeoutMs) + " ms)",
                        "a half-open handshake is given up by its deadline, `timeout` (Timeouts)");
        s.stall_after = k;
        s.requires_target_flags = true;
        s.target_flags = {"--handshake-timeout-ms", std::to_string(kIdleTimeoutMs)};
        // A datagram peer that gave up and one that still waits are equally silent: only its own
        // report tells.
        s.needs_target_report = true;
        s.deadline = Millis(kIdleTimeoutMs * 3);
        s.expected_error = "timeout";
        b.add_stall(std::move(s));
    }
}

void add_loss(const RoleBuilder& b) {
    // Each datagram the target sends before it completes, lost once on the way. An initiator target
    // sends its HELLO or AUTH_PROOF again when no answer comes; a responder target answers the
    // harness's retransmitted HELLO or AUTH_PROOF (a duplicate) with its RESPONSE or FINAL again.
    const std::vector<std::string> sent = b.role == Role::initiator ? std::vector<std::string>{"HELLO", "AUTH_PROOF"}
                                                                    : std::vector<std::string>{"RESPONSE", "FINAL"};
    for (std::size_t k = 0; k < sent.size(); ++k) {
        auto s = b.base("loss", "target_u" + std::to_string(k),
                        "the target's " + sent[k] + " is lost on the way",
                        b.role == Role::initiator
                            ? "an unanswered HELLO or AUTH_PROOF is sent again (Retransmission)"
                            : "a retransmitted HELLO or AUTH_PROOF is answered again (Duplicates)");
        s.expect = cf::Expect::complete;
        s.lose_target_unit = k;
        // The harness retransmits after 300 ms, well before a responder target that completed stops
        // listening; the target's first retransmission comes after 1 s by default.
        s.harness_flags = {"--retransmit-ms", "300"};
        s.deadline = Millis(4000);
        b.add(std::move(s));
    }
}

void add_wire(const RoleBuilder& b) {
    // The data exchange after the handshake (session_machine.hpp), in both roles.
    for (const WireCase c : {WireCase::echo, WireCase::header_tampered, WireCase::replayed, WireCase::reordered}) {
        b.cat->scenarios.push_back(make_wire_scenario(b.env, b.role, c));
    }
    // A handshake datagram overtaken on the way: the harness's first message again, after the
    // handshake completed (a retransmission that arrived last).
    b.cat->scenarios.push_back(make_wire_scenario(b.env, b.role, WireCase::stale_first));
    // Refusals of a handshake message the harness cannot build from its own units: they are graded
    // like every other refusal (ReportedRefusal).
    b.cat->scenarios.push_back(std::make_unique<ReportedRefusal>(make_wire_scenario(b.env, b.role, WireCase::reflected)));
    if (b.role == Role::acceptor) {
        b.cat->scenarios.push_back(
            std::make_unique<ReportedRefusal>(make_wire_scenario(b.env, b.role, WireCase::wrong_seed_proof)));
        // From a second source port (the runner's datagram transport): graded on the wire, since a
        // target that keeps the first address's handshake waiting is right to.
        b.cat->scenarios.push_back(make_wire_scenario(b.env, b.role, WireCase::auth_proof_second_source));
        b.cat->scenarios.push_back(make_wire_scenario(b.env, b.role, WireCase::data_second_source));
        // The node's bound and expiry, each with a target configured for it.
        b.cat->scenarios.push_back(make_wire_scenario(b.env, b.role, WireCase::flood));
        b.cat->scenarios.push_back(make_wire_scenario(b.env, b.role, WireCase::expiry));
    }
}

}  // namespace

cf::Catalogue make_catalogue(const registry::Variant& v, const registry::CatalogueOptions& options) {
    cf::Catalogue cat;
    cat.variant = v.name;
    cat.description = "STT pre-shared-seed handshake over framed UDP datagrams (docs/protocols/stt.md)";
    auto env = registry::machine_environment(v, options.profile);
    // A refusing datagram peer just stays silent, and nothing ever closes: a short reaction window.
    env->silence_is_rejection = true;
    // The harness answers a retransmitted datagram with its last one again, and retransmits itself.
    env->resends = true;
    env->reaction = Millis(300);
    // The generic families change the TLV message, and the frame is rebuilt around it.
    env->body_offset = payload_offset;
    env->reframe = with_payload;
    const std::shared_ptr<const cf::MachineEnvironment> shared = env;
    for (const Role role : {Role::acceptor, Role::initiator}) {
        RoleBuilder b{shared, role,
                      role == Role::acceptor ? std::vector<std::string>{"HELLO", "AUTH_PROOF"}
                                             : std::vector<std::string>{"RESPONSE", "FINAL"},
                      &cat};
        add_generic(b);
        add_tlv_and_framing(b);
        if (role == Role::acceptor) {
            add_acceptor_specific(b);
        } else {
            add_initiator_specific(b);
        }
        add_clock(b);
        add_idle(b);
        add_loss(b);
        add_wire(b);
    }
    cat.scenarios.push_back(std::make_unique<HelloAnswered>(shared));
    // A target with another cipher suite: the HELLO scenarios run, the others are UNIMPLEMENTED.
    if (const auto suite = registry::setting(options.settings, "target-suite"); suite && *suite != kHarnessSuite) {
        for (auto& sc : cat.scenarios) {
            if (!hello_only(sc->info())) {
                sc = std::make_unique<NeedsHarnessSuite>(std::move(sc), *suite);
            }
        }
    }
    return cat;
}

}  // namespace shakedown::stt
