#include "conformance/scenarios/stellar/classes/classes.hpp"

namespace shakedown::conformance::stellar_scenarios::cases {

using ss::Role;

void add_versions_and_addresses(Builder& b) {
    {
        auto spec = accept_case("version.newer-compatible", "HELLO overlay versions [41, 43]",
                             "stellar.md, Validation: compatible when remote max >= local min and remote min <= "
                             "local max");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.overlay_version = 43; };
        b.both(spec);
    }
    {
        auto spec = accept_case("version.oldest-compatible", "HELLO overlay versions [41, 41]",
                             "stellar.md, Validation: remote max 41 equals local min");
        spec.tweaks.hello = [](Conn&, ss::Hello& h) { h.overlay_version = 41; };
        b.both(spec);
    }
    const std::string rule = "stellar.md, Validation: overlayMinVersion > overlayVersion, remote version < local "
                             "min, remote min > local version -> ERROR ERR_CONF 'wrong protocol version'";
    struct V {
        const char* name;
        const char* title;
        std::uint32_t min;
        std::uint32_t max;
    };
    for (const V v : {V{"version.min-above-max", "HELLO overlay versions min 42 > max 41", 42, 41},
                      V{"version.too-old", "HELLO overlay versions [40, 40]", 40, 40},
                      V{"version.min-too-new", "HELLO overlay versions [43, 44]", 43, 44}}) {
        b.both(reject_case(v.name, v.title, rule, Stage::start, hello_edit([v](Conn&, ss::Hello& h) {
                               h.overlay_min_version = v.min;
                               h.overlay_version = v.max;
                           })),
               [](Role r) { return config_error(r, "wrong protocol version"); });
    }
    const std::string port_rule = "stellar.md, Validation: listeningPort <= 0 or > 65535 -> ERROR ERR_CONF 'bad address'";
    struct P {
        const char* name;
        std::int32_t port;
    };
    for (const P p : {P{"address.port-zero", 0}, P{"address.port-negative", -1}, P{"address.port-65536", 65536}}) {
        b.both(reject_case(p.name, "HELLO listeningPort " + std::to_string(p.port), port_rule, Stage::start,
                           hello_edit([p](Conn&, ss::Hello& h) { h.listening_port = p.port; })),
               [](Role r) { return config_error(r, "bad address"); });
    }
}

}  // namespace shakedown::conformance::stellar_scenarios::cases
