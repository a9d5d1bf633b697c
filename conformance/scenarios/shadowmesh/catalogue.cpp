#include "conformance/scenarios/shadowmesh/catalogue.hpp"

#include <utility>

#include "conformance/scenarios/shadowmesh/close_transport.hpp"
#include "conformance/scenarios/shadowmesh/variant.hpp"
#include "shadowmesh/messages.hpp"

namespace shakedown::shadowmesh {

namespace {

namespace cf = conformance;
namespace rw = conformance::rewrite;

// The targets' fixed clock for the skew-window scenarios: §9's T1, in milliseconds.
constexpr std::uint64_t kNowMs = 1762230765000;
// Where the fields sit in a frame (§3.2-3.4): the SessionID after the header, the MAC after it
// (RESPONSE, COMPLETE), the timestamp in the last 8 bytes of all three.
constexpr std::size_t kSidAt = kHeaderSize;
constexpr std::size_t kMacAt = kHeaderSize + 16;

Bytes set_timestamp(Bytes frame, std::uint64_t ts) {
    if (frame.size() >= kHeaderSize + 8) {
        for (std::size_t i = 0; i < 8; ++i) {
            frame[frame.size() - 1 - i] = static_cast<std::uint8_t>(ts >> (8 * i));
        }
    }
    return frame;
}

std::uint64_t timestamp(const Bytes& frame) {
    std::uint64_t ts = 0;
    for (std::size_t i = frame.size() - 8; i < frame.size(); ++i) {
        ts = (ts << 8U) | frame[i];
    }
    return ts;
}

Bytes set_header(Bytes frame, std::size_t at, std::initializer_list<std::uint8_t> bytes) {
    for (const auto b : bytes) {
        if (at < frame.size()) {
            frame[at] = b;
        }
        ++at;
    }
    return frame;
}

// A header with `length` and a payload (what a peer would frame).
Bytes frame_of(std::uint8_t type, const Bytes& payload) {
    Bytes f{kProtocolVersion, type, 0, 0};
    const auto n = static_cast<std::uint32_t>(payload.size());
    for (int s = 24; s >= 0; s -= 8) {
        f.push_back(static_cast<std::uint8_t>(n >> static_cast<unsigned>(s)));
    }
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

// `change` applied only to a re-handshake message of its full size (REQUEST or COMPLETE 64 bytes,
// RESPONSE 96): the harness's unit at that index may instead be its own CLOSE, when it has already
// refused the target, and then it passes unchanged (the scenario then says its change never applied).
std::function<Bytes(const Bytes&)> on_message(std::function<Bytes(const Bytes&)> change) {
    return [change = std::move(change)](const Bytes& u) {
        const bool rehandshake = u.size() >= kHeaderSize + 56 && u[0] == kProtocolVersion &&
                                 (u[1] == static_cast<std::uint8_t>(MessageType::rehandshake_request) ||
                                  u[1] == static_cast<std::uint8_t>(MessageType::rehandshake_response) ||
                                  u[1] == static_cast<std::uint8_t>(MessageType::rehandshake_complete));
        return rehandshake ? change(u) : u;
    };
}

// Unit `k` changed, then (when `then_honest`) the unchanged unit after it: a peer that drops the
// changed message (the upstream profile's decoder, §2) still completes with the honest one.
cf::RewriterFactory changed(std::size_t k, std::function<Bytes(const Bytes&)> change, bool then_honest) {
    return [k, change = std::move(change), then_honest]() -> cf::UnitRewriter {
        return [k, change, then_honest](std::size_t index, const Bytes& u) {
            if (index != k) {
                return std::vector<Bytes>{u};
            }
            return then_honest ? std::vector<Bytes>{change(u), u} : std::vector<Bytes>{change(u)};
        };
    };
}

// A decoy message before unit `k` (a message of the wrong type now, §5 V6).
cf::RewriterFactory before(std::size_t k, std::function<Bytes(const Bytes&)> decoy) {
    return changed(k, std::move(decoy), true);
}

class Builder {
public:
    Builder(const std::string& profile, std::shared_ptr<cf::MachineEnvironment> env)
        : m_profile(profile), m_upstream(profile == "upstream"), m_env(std::move(env)) {}

    [[nodiscard]] bool upstream() const { return m_upstream; }
    [[nodiscard]] const std::shared_ptr<cf::MachineEnvironment>& env() const { return m_env; }

    cf::MachineScenario& add(Role role, const std::string& cls, const std::string& name, std::string title,
                             std::string rule) {
        cf::MachineScenario s;
        s.info.id = std::string(to_string(role)) + "." + cls + "." + name;
        s.info.cls = cls;
        s.info.title = std::move(title);
        s.info.rule = std::move(rule);
        s.info.target_role = role;
        m_specs.push_back(std::move(s));
        return m_specs.back();
    }
    void push(cf::MachineScenario s) { m_specs.push_back(std::move(s)); }
    void extra(std::unique_ptr<cf::Scenario> s) { m_extra.push_back(std::move(s)); }

    [[nodiscard]] cf::Catalogue take() {
        cf::Catalogue cat;
        cat.variant = "shadowmesh";
        cat.description = "ShadowMesh direct-P2P re-handshake, profile " + m_profile + " (docs/protocols/shadowmesh.md)";
        for (const Role role : {Role::acceptor, Role::initiator}) {
            for (auto& s : m_specs) {
                if (s.info.target_role == role) {
                    cat.scenarios.push_back(cf::make_machine_scenario(m_env, std::move(s)));
                }
            }
            for (auto& s : m_extra) {
                if (s && s->info().target_role == role) {
                    cat.scenarios.push_back(std::move(s));
                }
            }
        }
        return cat;
    }

private:
    std::string m_profile;
    bool m_upstream;
    std::shared_ptr<cf::MachineEnvironment> m_env;
    std::vector<cf::MachineScenario> m_specs;
    std::vector<std::unique_ptr<cf::Scenario>> m_extra;
};

// The honest exchange, then the harness's last unit once more after DONE (X20): the target must
// close (unexpected_message). The generic scenarios cannot ask this: a target that reported
// HANDSHAKE_OK has "accepted", whatever it does next.
class AfterDone final : public cf::Scenario {
public:
    AfterDone(std::shared_ptr<const cf::MachineEnvironment> env, Role role) : m_env(std::move(env)) {
        const bool acceptor = role == Role::acceptor;
        m_info.id = std::string(to_string(role)) + ".done." + (acceptor ? "second_complete" : "second_response");
        m_info.cls = "done";
        m_info.title = acceptor ? "COMPLETE sent again after the exchange finished"
                                : "RESPONSE sent again after the exchange finished";
        m_info.rule = "a re-handshake message after DONE is unexpected_message: the peer closes "
                      "(docs/protocols/shadowmesh.md §5, X20)";
        m_info.target_role = role;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }

    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext& ctx) const override {
        const Role role = m_info.target_role;
        std::string error;
        auto harness = m_env->make(other(role), {}, error);
        if (!harness) {
            return {cf::Verdict::fail, "the harness could not be configured: " + error, {}, false};
        }
        cf::ConnectionRequest request;
        request.target_role = role;
        auto opened = ctx.open(request, cf::Millis(5000));
        if (opened.status == cf::OpenResult::Status::unimplemented) {
            return {cf::Verdict::unimplemented, opened.error, {}, false};
        }
        if (opened.status != cf::OpenResult::Status::ok) {
            return {cf::Verdict::fail, "could not open a connection: " + opened.error, {}, false};
        }
        cf::Transport& t = *opened.transport;
        const cf::Deadline end = cf::after(ctx.scaled(cf::Millis(3000)));
        Bytes last;
        const auto flush = [&]() {
            for (auto& u : harness->take_output()) {
                last = u;
                if (t.send(u, end)) {
                    return false;
                }
            }
            return true;
        };
        harness->start();
        bool ok = flush();
        while (ok && !harness->authenticated() && harness->next_action() != Action::closed) {
            const cf::Incoming in = t.receive_any(end);
            if (in.kind != cf::Incoming::Kind::message) {
                break;
            }
            harness->receive(in.wire);
            ok = flush();
        }
        if (!harness->authenticated() || !ok) {
            t.close();
            return {cf::Verdict::fail, "the honest exchange before the extra message did not complete", {}, false};
        }
        // The acceptor finishes on our COMPLETE, which it never acknowledges: the same COMPLETE
        // again comes after it on the same stream.
        std::string how;
        if (!t.send(last, cf::after(cf::Millis(2000)))) {
            const cf::Deadline watch = cf::after(ctx.scaled(cf::Millis(1500)));
            for (;;) {
                const cf::Incoming in = t.receive_any(watch);
                if (in.kind == cf::Incoming::Kind::timeout) {
                    break;
                }
                if (in.kind != cf::Incoming::Kind::message) {
                    how = std::string(to_string(in.kind)) + (in.detail.empty() ? "" : ": " + in.detail);
                    break;
                }
            }
        } else {
            how = "the connection was gone before the extra message";
        }
        t.shutdown_send();
        t.close();
        const auto& reports = ctx.finish_target();
        if (!reports.empty()) {
            bool ok_line = false;
            for (const auto& line : reports.back().lines) {
                ok_line = ok_line || line.rfind("HANDSHAKE_OK", 0) == 0;
            }
            if (!ok_line) {
                return {cf::Verdict::fail, "the target did not report the honest exchange as complete", {}, false};
            }
        }
        if (how.empty()) {
            return {cf::Verdict::fail,
                    "the target kept the connection open after a re-handshake message that came after DONE; a "
                    "replayed or injected exchange message goes unnoticed",
                    {}, true};
        }
        return {cf::Verdict::pass, "the target closed the connection (" + how + ")", {}, true};
    }

private:
    std::shared_ptr<const cf::MachineEnvironment> m_env;
    cf::ScenarioInfo m_info;
};

// The generic families (conformance/runner/machine_catalogue.hpp) for one role, with the
// exceptions the protocol makes.
void add_families(Builder& b, Role role, const std::string& challenge) {
    const bool acceptor = role == Role::acceptor;
    const bool upstream = b.upstream();
    cf::FamilyOptions o;
    o.target_role = role;
    o.unit_names = acceptor ? std::vector<std::string>{"REQUEST", "COMPLETE"} : std::vector<std::string>{"RESPONSE"};
    const auto env = b.env();
    o.keep = [acceptor, upstream, env, challenge](cf::MachineScenario& s, std::size_t unit) {
        const std::string& id = s.info.id;
        // The generic orderings cannot happen here: REQUEST is answered before the initiator can
        // send anything else, so a duplicate is answered (then refused), and COMPLETE cannot
        // precede the RESPONSE that it answers. order.* below sends these cases after RESPONSE.
        if (id.find(".order.") != std::string::npos) {
            return false;
        }
        // The last bit of every message is the low bit of its timestamp, which nothing
        // authenticates (§4.2): a 1 ms change within the 30 s window is accepted by design (§8,
        // "what the protocol cannot see"). mac.* flips the MAC's bits instead.
        if (id.ends_with(".bitflip.u" + std::to_string(unit) + ".last_bit")) {
            s.expect = cf::Expect::complete;
            s.info.rule = "a timestamp 1 ms off stays inside the ±30 s window (docs/protocols/shadowmesh.md §4.3)";
            return true;
        }
        // A shorter Length is bad_length in strict (V3); upstream's decoder fails on the short
        // payload and drops the message, keeping the connection (§2, V3): the honest message
        // that follows completes.
        if (id.find(".truncation.") != std::string::npos) {
            if (upstream) {
                const bool empty = id.ends_with(".empty");
                s.rewrite = changed(unit,
                                    [env, empty](const Bytes& u) {
                                        return env->rebody(u, [empty](Bytes body) {
                                            if (empty) {
                                                return Bytes{};
                                            }
                                            body.pop_back();
                                            return body;
                                        });
                                    },
                                    true);
                s.expect = cf::Expect::complete;
                s.info.title += ", then the honest message";
                s.info.rule = "upstream drops an undecodable message and keeps waiting (docs/protocols/shadowmesh.md §2, V3)";
            } else {
                s.expected_error = "bad_length";
            }
            return true;
        }
        if (id.find(".trailing.") != std::string::npos) {
            s.expected_error = "bad_length";  // the reframed Length is one too long (V3)
            s.consequence = "a longer Length is accepted (V3)";
            return true;
        }
        if (id.find(".replay.") != std::string::npos && acceptor && unit == 0) {
            // The harness holds the replayed REQUEST's challenge, so a peer without a replay
            // cache (V11) completes with it; the cache spans connections of one process.
            s.harness_flags = {"--challenge", challenge};
            s.info.needs_single_process = true;
            s.expected_error = "replay";
            s.consequence = "a recorded REQUEST is answered within the window (V11)";
            return true;
        }
        if (id.find(".idle.") != std::string::npos) {
            // The reference gives up after 5 s in every waiting state (V10).
            s.deadline = cf::Millis(9000);
        }
        return true;
    };
    for (auto& s : cf::generic_families(*env, o)) {
        b.push(std::move(s));
    }
}

void add_specific(Builder& b, Role role) {
    const bool acceptor = role == Role::acceptor;
    const bool upstream = b.upstream();
    const std::string first = acceptor ? "REQUEST" : "RESPONSE";
    // The unit carrying the MAC the target checks: COMPLETE (acceptor) or RESPONSE (initiator).
    const std::size_t mac_unit = acceptor ? 1 : 0;
    const std::string mac_name = acceptor ? "COMPLETE" : "RESPONSE";

    // MAC (V9, X6).
    struct MacCase {
        const char* name;
        const char* title;
        std::function<Bytes(const Bytes&)> change;
    };
    const MacCase macs[] = {
        {"first_bit", "with the first bit of its MAC flipped",
         [](const Bytes& u) { return set_header(u, kMacAt, {static_cast<std::uint8_t>(u[kMacAt] ^ 0x80U)}); }},
        {"last_bit", "with the last bit of its MAC flipped",
         [](const Bytes& u) {
             return set_header(u, kMacAt + 31, {static_cast<std::uint8_t>(u[kMacAt + 31] ^ 0x01U)});
         }},
        {"second_half_zero", "with the last 16 bytes of its MAC zeroed (only the first half right)",
         [](const Bytes& u) {
             Bytes f = u;
             std::fill(f.begin() + kMacAt + 16, f.begin() + kMacAt + 32, 0);
             return f;
         }},
        {"zero", "with an all-zero MAC",
         [](const Bytes& u) {
             Bytes f = u;
             std::fill(f.begin() + kMacAt, f.begin() + kMacAt + 32, 0);
             return f;
         }},
    };
    for (const auto& m : macs) {
        auto& s = b.add(role, "mac", m.name, mac_name + " " + m.title,
                        "the ChallengeResponse is compared in full, constant time: bad_mac (docs/protocols/shadowmesh.md "
                        "§4.2, V9, X6)");
        s.rewrite = rw::replace(mac_unit, on_message(m.change));
        s.expected_error = "bad_mac";
        s.consequence = "the peer is not authenticated by its key";
    }

    // SessionID (V7, X2).
    {
        auto& s = b.add(role, "session", "last_bit", first + " with the last bit of its SessionID flipped",
                        "a SessionID that is not ours is unknown_session (V7, X2)");
        s.rewrite = rw::replace(0, on_message([](const Bytes& u) {
            return set_header(u, kSidAt + 15, {static_cast<std::uint8_t>(u[kSidAt + 15] ^ 0x01U)});
        }));
        s.expected_error = "unknown_session";
    }
    if (acceptor) {
        auto& s = b.add(role, "session", "complete_other", "COMPLETE with another SessionID",
                        "a SessionID that is not ours is unknown_session (V7, X2)");
        s.rewrite = rw::replace(1, on_message([](const Bytes& u) {
            Bytes f = u;
            for (std::size_t i = kSidAt; i < kSidAt + 16; ++i) {
                f[i] = static_cast<std::uint8_t>(~f[i]);
            }
            return f;
        }));
        s.expected_error = "unknown_session";
    }

    // Timestamps far outside the window, whatever the target's clock (V8, X4, X5).
    struct Stamp {
        const char* name;
        const char* title;
        std::function<std::uint64_t(std::uint64_t)> ts;
        const char* error;
    };
    const Stamp stamps[] = {
        {"ts_zero", "timestamp 0", [](std::uint64_t) { return std::uint64_t{0}; }, "stale_timestamp"},
        {"ts_max", "timestamp 2^64 - 1", [](std::uint64_t) { return ~std::uint64_t{0}; }, "future_timestamp"},
        {"ts_seconds", "timestamp in seconds", [](std::uint64_t t) { return t / 1000; }, "stale_timestamp"},
        {"ts_nanoseconds", "timestamp in nanoseconds", [](std::uint64_t t) { return t * 1000000; },
         "future_timestamp"},
    };
    for (const auto& st : stamps) {
        auto& s = b.add(role, "clock", st.name, first + " with " + st.title,
                        "|now - ts| <= 30,000 ms, in milliseconds (docs/protocols/shadowmesh.md §4.3, V8, X4, X5)");
        const auto f = st.ts;
        s.rewrite = rw::replace(0, on_message([f](const Bytes& u) { return set_timestamp(u, f(timestamp(u))); }));
        s.expected_error = st.error;
        s.consequence = "timestamps do not bound the exchange in time";
    }
    if (acceptor) {
        auto& s = b.add(role, "clock", "ts_zero_complete", "COMPLETE with timestamp 0",
                        "COMPLETE's timestamp is checked too (docs/protocols/shadowmesh.md §5 R1, V8)");
        s.rewrite = rw::replace(1, on_message([](const Bytes& u) { return set_timestamp(u, 0); }));
        s.expected_error = "stale_timestamp";
    }
    // The window's edges against a fixed target clock (X3): 29,999 ms passes, 30,001 ms does not;
    // 30,000 itself is never tested (the deployed documentation leaves it open, §4.3).
    struct Edge {
        const char* name;
        std::int64_t offset;
        cf::Expect expect;
        const char* error;
    };
    for (const Edge e : {Edge{"stale_30001ms", -30001, cf::Expect::reject, "stale_timestamp"},
                         Edge{"stale_29999ms", -29999, cf::Expect::complete, ""},
                         Edge{"future_29999ms", 29999, cf::Expect::complete, ""},
                         Edge{"future_30001ms", 30001, cf::Expect::reject, "future_timestamp"}}) {
        auto& s = b.add(role, "clock", e.name,
                        first + " stamped " + std::to_string(e.offset) + " ms from the target's fixed clock",
                        "|now - ts| <= 30,000 ms: 29,999 passes, 30,001 is refused (docs/protocols/shadowmesh.md "
                        "§4.3, X3)");
        const std::string now = std::to_string(kNowMs);
        s.requires_target_flags = true;
        s.target_flags = {"--now", now};
        s.harness_flags = {"--now", now};
        const auto ts = static_cast<std::uint64_t>(static_cast<std::int64_t>(kNowMs) + e.offset);
        s.rewrite = rw::replace(0, on_message([ts](const Bytes& u) { return set_timestamp(u, ts); }));
        s.expect = e.expect;
        s.expected_error = e.error;
    }

    // A message of the wrong type now (V6, X17): refused in both profiles. Each decoy comes
    // before the honest message, so a peer that drops it instead completes.
    const Bytes heartbeat = frame_of(static_cast<std::uint8_t>(MessageType::heartbeat), {});
    if (acceptor) {
        {
            auto& s = b.add(role, "order", "complete_before_request", "a COMPLETE before REQUEST",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            // REQUEST's payload has COMPLETE's layout (sid, 32 bytes, ts): only the type differs.
            s.rewrite = before(0, on_message([](const Bytes& u) {
                return set_header(u, 1, {static_cast<std::uint8_t>(MessageType::rehandshake_complete)});
            }));
            s.expected_error = "unexpected_message";
        }
        {
            auto& s = b.add(role, "order", "heartbeat_before_complete", "a HEARTBEAT between RESPONSE and COMPLETE",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            s.rewrite = before(1, [heartbeat](const Bytes&) { return heartbeat; });
            s.expected_error = "unexpected_message";
        }
        {
            auto& s = b.add(role, "order", "request_again_before_complete",
                            "REQUEST again after RESPONSE, then COMPLETE (two exchanges interleaved)",
                            "a second REQUEST in R1 is unexpected_message (docs/protocols/shadowmesh.md §5, §8)");
            s.rewrite = []() -> cf::UnitRewriter {
                auto held = std::make_shared<Bytes>();
                return [held](std::size_t index, const Bytes& u) {
                    if (index == 0) {
                        *held = u;
                        return std::vector<Bytes>{u};
                    }
                    return index == 1 ? std::vector<Bytes>{*held, u} : std::vector<Bytes>{u};
                };
            };
            s.expected_error = "unexpected_message";
        }
    } else {
        {
            auto& s = b.add(role, "order", "heartbeat_before_response", "a HEARTBEAT before RESPONSE",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            s.rewrite = before(0, [heartbeat](const Bytes&) { return heartbeat; });
            s.expected_error = "unexpected_message";
        }
        {
            auto& s = b.add(role, "order", "request_to_initiator", "a REQUEST sent to the initiator before RESPONSE",
                            "a message the state does not accept is unexpected_message (V6, X17)");
            s.rewrite = before(0, on_message([](const Bytes& u) {
                // sid and 32 bytes of RESPONSE, its timestamp: a well-formed REQUEST.
                Bytes payload(u.begin() + kHeaderSize, u.begin() + kHeaderSize + 48);
                payload.insert(payload.end(), u.end() - 8, u.end());
                return frame_of(static_cast<std::uint8_t>(MessageType::rehandshake_request), payload);
            }));
            s.expected_error = "unexpected_message";
        }
    }

    // Framing (§2, V1-V5). What strict refuses, the deployed decoder either accepts (Flags,
    // trailing bytes: reference-upstream.json lists these as upstream's defects) or drops and
    // keeps waiting (Version, type, Length: the honest message after it completes).
    struct Codec {
        const char* name;
        const char* title;
        std::function<Bytes(const Bytes&)> change;
        bool upstream_drops;
        const char* error;
    };
    const Codec codecs[] = {
        {"flags_0001", "Flags 0x0001", [](const Bytes& u) { return set_header(u, 2, {0x00, 0x01}); }, false,
         "bad_flags"},
        {"flags_ffff", "Flags 0xFFFF", [](const Bytes& u) { return set_header(u, 2, {0xFF, 0xFF}); }, false,
         "bad_flags"},
        {"trailing_ten", "ten bytes after the message (Length unchanged)",
         [](const Bytes& u) {
             Bytes f = u;
             f.resize(f.size() + 10, 0);
             return f;
         },
         false, "trailing_bytes"},
        {"version_2", "Version 2", [](const Bytes& u) { return set_header(u, 0, {0x02}); }, true, "wrong_version"},
        {"type_0x33", "type 0x33", [](const Bytes& u) { return set_header(u, 1, {0x33}); }, true, "unknown_type"},
        {"type_0x11", "type 0x11 (MULTI_HOP, no layout)", [](const Bytes& u) { return set_header(u, 1, {0x11}); },
         true, "unknown_type"},
        {"length_65536", "Length 65,536", [](const Bytes& u) { return set_header(u, 4, {0x00, 0x01, 0x00, 0x00}); },
         true, "oversize"},
    };
    for (const auto& c : codecs) {
        auto& s = b.add(role, "codec", c.name, first + " with " + c.title,
                        "strict decodes exactly (docs/protocols/shadowmesh.md §2, V1-V5, X10-X16)");
        if (upstream && c.upstream_drops) {
            s.rewrite = changed(0, on_message(c.change), true);
            s.expect = cf::Expect::complete;
            s.info.title += ", then the honest " + first;
            s.info.rule = "upstream drops an undecodable message and keeps waiting (docs/protocols/shadowmesh.md §2, §6)";
        } else {
            s.rewrite = rw::replace(0, on_message(c.change));
            s.expected_error = c.error;
            s.consequence = "the peer decodes more than the protocol defines";
        }
    }
}

}  // namespace

cf::Catalogue make_catalogue(const registry::CatalogueOptions& options) {
    const std::string profile = options.profile.empty() ? "strict" : options.profile;
    auto env = registry::machine_environment(variant(), profile);
    // One WebSocket message is one frame: the generic families change the payload and the
    // Length follows it, so a truncation is a shorter message rather than a broken header.
    env->body_offset = [](const Bytes& unit) { return std::min(unit.size(), kHeaderSize); };
    env->reframe = [](const Bytes& unit, const Bytes& body) {
        Bytes f(unit.begin(), unit.begin() + static_cast<std::ptrdiff_t>(std::min(unit.size(), kHeaderSize)));
        f.resize(kHeaderSize, 0);
        const auto n = static_cast<std::uint32_t>(body.size());
        for (std::size_t i = 0; i < 4; ++i) {
            f[4 + i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
        }
        f.insert(f.end(), body.begin(), body.end());
        return f;
    };
    // A fresh challenge per run for the replay scenario, so no earlier run's cache entry meets it.
    const std::string challenge = to_hex(SystemRng().array<32>());
    Builder b(profile, env);
    for (const Role role : {Role::acceptor, Role::initiator}) {
        add_families(b, role, challenge);
        add_specific(b, role);
        b.extra(std::make_unique<AfterDone>(env, role));
    }
    return b.take();
}

}  // namespace shakedown::shadowmesh
