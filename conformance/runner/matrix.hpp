// The compatibility matrix (shakedown report merge): the reports of several targets, of one variant
// or several, side by side. Per variant and profile, scenarios are rows and targets columns; a
// deviation is any verdict other than PASS or SKIPPED, and the page tells the deviations every
// target shares (the catalogue or the spec reading, most likely) from those of one target alone.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "conformance/runner/runner.hpp"

namespace shakedown::conformance {

// One input report and where it came from (its file), which tells apart columns whose reports name
// the same target.
struct MatrixSource {
    std::string name;
    RunReport report;
};

// A verdict other than PASS and SKIPPED (XFAIL and UNIMPLEMENTED are deviations too).
[[nodiscard]] bool is_deviation(const ScenarioResult& r);

struct MatrixColumn {
    std::string label;  // the target, made unique within its group
    const MatrixSource* source = nullptr;
};

struct MatrixRow {
    std::string id;
    std::string title;
    std::string cls;
    std::vector<const ScenarioResult*> cells;  // one per column; nullptr when that report lacks the scenario

    [[nodiscard]] std::size_t deviations() const;
    // Every column has the scenario and deviates (and there are two columns or more).
    [[nodiscard]] bool shared_deviation() const;
    // The column that alone deviates, when exactly one does (of two columns or more); npos otherwise.
    [[nodiscard]] std::size_t unique_deviation() const;
};

struct MatrixGroup {
    std::string variant;
    std::string profile;
    std::vector<MatrixColumn> columns;  // in input order
    std::vector<MatrixRow> rows;        // the first report's scenario order, then ids only later ones have
};

// Groups by variant and profile, in order of first appearance. The groups point into `sources`,
// which must outlive them.
[[nodiscard]] std::vector<MatrixGroup> build_matrix(const std::vector<MatrixSource>& sources);

// A self-contained page: per group a headline per target, the matrix (each cell links to the
// reason and transcript from its report), per-class totals per target, the deviations shared by
// all targets versus those unique to one, and the verdict filters of the per-target report (rows
// show while one of their cells has a shown verdict; page.html#filter=FAIL opens filtered).
[[nodiscard]] std::string matrix_html(const std::vector<MatrixSource>& sources);
// One <testsuite> per target.
[[nodiscard]] std::string matrix_junit(const std::vector<MatrixSource>& sources);
// The merged matrix: per group its targets (with totals and headline), scenarios with one cell per
// target, and the deviations by kind.
[[nodiscard]] std::string matrix_json(const std::vector<MatrixSource>& sources);
// A few lines for the terminal: one headline per target.
[[nodiscard]] std::string matrix_summary(const std::vector<MatrixSource>& sources);

}  // namespace shakedown::conformance
