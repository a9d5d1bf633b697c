#include "conformance/runner/verdict.hpp"

namespace shakedown::conformance {

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::pass: return "pass";
        case Verdict::non_strict: return "non_strict";
        case Verdict::fail: return "fail";
        case Verdict::unimplemented: return "unimplemented";
        case Verdict::skipped: return "skipped";
    }
    return "skipped";
}

std::string_view to_label(Verdict v) {
    switch (v) {
        case Verdict::pass: return "PASS";
        case Verdict::non_strict: return "NON-STRICT";
        case Verdict::fail: return "FAIL";
        case Verdict::unimplemented: return "UNIMPLEMENTED";
        case Verdict::skipped: return "SKIPPED";
    }
    return "SKIPPED";
}

namespace {
int rank(Verdict v) {
    switch (v) {
        case Verdict::pass: return 0;
        case Verdict::non_strict: return 1;
        case Verdict::fail: return 2;
        default: return -1;
    }
}
}  // namespace

Verdict worst(Verdict a, Verdict b) { return rank(b) > rank(a) ? b : a; }



std::string ScenarioResult::outcome_label() const {
    if (expected_failure()) {
        return "XFAIL";
    }
    if (unexpected_pass()) {
        return "XPASS";
    }
    return std::string(to_label(verdict));
}

}  // namespace shakedown::conformance
