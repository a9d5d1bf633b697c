#include "common/machine.hpp"

namespace shakedown {

std::string_view to_string(Role r) noexcept {
    return r == Role::initiator ? "initiator" : "acceptor";
}

std::optional<Role> role_from_string(std::string_view s) noexcept {
    if (s == "initiator") {
        return Role::initiator;
    }
    if (s == "acceptor") {
        return Role::acceptor;
    }
    return std::nullopt;
}

std::string_view to_string(Action a) noexcept {
    switch (a) {
        case Action::send:
            return "send";
        case Action::receive:
            return "receive";
        case Action::done:
            return "done";
        case Action::closed:
            return "closed";
    }
    return "unknown";
}

}  // namespace shakedown
