#include "conformance/runner/matrix.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "conformance/runner/report_format.hpp"

namespace shakedown::conformance {

namespace {

using format::xml_escape;
using nlohmann::json;

constexpr std::size_t npos = static_cast<std::size_t>(-1);

std::string group_title(const MatrixGroup& g) {
    return g.variant + (g.profile.empty() ? "" : " (" + g.profile + ")");
}

format::LabelCounts column_counts(const MatrixGroup& g, std::size_t column) {
    format::LabelCounts counts;
    for (const auto& row : g.rows) {
        if (const auto* r = row.cells[column]) {
            ++counts[r->outcome_label()];
        }
    }
    return counts;
}

// Per class (in row order), per label.
std::vector<std::pair<std::string, format::LabelCounts>> class_counts(const MatrixGroup& g, std::size_t column) {
    std::vector<std::pair<std::string, format::LabelCounts>> out;
    std::map<std::string, std::size_t> index;
    for (const auto& row : g.rows) {
        const auto* r = row.cells[column];
        if (r == nullptr) {
            continue;
        }
        auto [it, inserted] = index.emplace(row.cls, out.size());
        if (inserted) {
            out.emplace_back(row.cls, format::LabelCounts{});
        }
        ++out[it->second].second[r->outcome_label()];
    }
    return out;
}

std::vector<std::string> row_classes(const MatrixGroup& g) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& row : g.rows) {
        if (seen.insert(row.cls).second) {
            out.push_back(row.cls);
        }
    }
    return out;
}

// Small coloured counts, most pressing first: "1 FAIL 17 PASS".
std::string count_badges(const format::LabelCounts& counts) {
    std::string out;
    for (const auto& l : {"FAIL", "XPASS", "NON-STRICT", "XFAIL", "UNIMPLEMENTED", "SKIPPED", "PASS"}) {
        const auto it = counts.find(l);
        if (it != counts.end() && it->second > 0) {
            out += "<span class=\"n " + format::css_class(l) + "\" title=\"" + l + "\">" + std::to_string(it->second) +
                   " " + l + "</span> ";
        }
    }
    return out;
}

std::string cell_anchor(std::size_t group, std::size_t column, std::size_t row) {
    return "d-" + std::to_string(group) + "-" + std::to_string(column) + "-" + std::to_string(row);
}

std::string row_anchor(std::size_t group, std::size_t row) {
    return "r-" + std::to_string(group) + "-" + std::to_string(row);
}

void cell_details(std::ostream& h, const MatrixGroup& g, std::size_t gi, std::size_t ci, std::size_t ri) {
    const auto& row = g.rows[ri];
    const auto* r = row.cells[ci];
    const std::string label = r->outcome_label();
    h << "<details class=\"cell\" id=\"" << cell_anchor(gi, ci, ri) << "\"><summary><span class=\"badge "
      << format::css_class(label) << "\">" << label << "</span> <code>" << xml_escape(row.id) << "</code> &mdash; "
      << xml_escape(g.columns[ci].label) << ": " << xml_escape(r->reason) << "</summary>\n";
    h << "<table class=\"meta\">\n<tr><td>title</td><td>" << xml_escape(row.title) << "</td></tr>\n";
    h << "<tr><td>rule</td><td>" << xml_escape(r->info.rule) << "</td></tr>\n";
    h << "<tr><td>verdict</td><td>" << to_label(r->verdict) << (r->handshake_completed ? ", handshake completed" : "")
      << "</td></tr>\n";
    h << "<tr class=\"timing\"><td>duration</td><td>" << r->duration_ms << " ms</td></tr>\n";
    if (r->expectation != Expectation::none) {
        h << "<tr><td>expectation</td><td>" << (r->expectation == Expectation::skip ? "skip" : "expected failure")
          << ": " << xml_escape(r->expectation_reason) << "</td></tr>\n";
    }
    h << "<tr><td>report</td><td>" << xml_escape(g.columns[ci].source->name) << "</td></tr>\n</table>\n";
    if (!r->findings.empty()) {
        h << "<pre>" << xml_escape(format::findings_text(*r)) << "</pre>\n";
    }
    if (!r->transcript.entries().empty()) {
        h << "<pre>" << format::transcript_html(r->transcript) << "</pre>\n";
    }
    h << "<p class=\"small\"><a href=\"#" << row_anchor(gi, ri) << "\">back to the row</a></p>\n</details>\n";
}

// "A FAIL, B NON-STRICT": the deviating cells of a row.
std::string deviating_cells(const MatrixGroup& g, std::size_t gi, std::size_t ri) {
    std::string out;
    const auto& row = g.rows[ri];
    for (std::size_t c = 0; c < g.columns.size(); ++c) {
        const auto* r = row.cells[c];
        if (r != nullptr && is_deviation(*r)) {
            const std::string label = r->outcome_label();
            out += (out.empty() ? "" : ", ") + xml_escape(g.columns[c].label) + " <a class=\"badge " +
                   format::css_class(label) + "\" href=\"#" + cell_anchor(gi, c, ri) + "\">" + label + "</a>";
        }
    }
    return out;
}

void deviation_list(std::ostream& h, const MatrixGroup& g, std::size_t gi, const std::vector<std::size_t>& rows) {
    if (rows.empty()) {
        h << "<p class=\"small\">none</p>\n";
        return;
    }
    h << "<ul>\n";
    for (const auto ri : rows) {
        h << "<li><a href=\"#" << row_anchor(gi, ri) << "\"><code>" << xml_escape(g.rows[ri].id)
          << "</code></a>: " << deviating_cells(g, gi, ri) << " &mdash; " << xml_escape(g.rows[ri].title) << "</li>\n";
    }
    h << "</ul>\n";
}

}  // namespace

bool is_deviation(const ScenarioResult& r) {
    return r.verdict != Verdict::pass && r.verdict != Verdict::skipped;
}

std::size_t MatrixRow::deviations() const {
    std::size_t n = 0;
    for (const auto* r : cells) {
        n += r != nullptr && is_deviation(*r) ? 1 : 0;
    }
    return n;
}

bool MatrixRow::shared_deviation() const {
    return cells.size() >= 2 && deviations() == cells.size();
}

std::size_t MatrixRow::unique_deviation() const {
    if (cells.size() < 2 || deviations() != 1) {
        return npos;
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
        if (cells[c] != nullptr && is_deviation(*cells[c])) {
            return c;
        }
    }
    return npos;
}

std::vector<MatrixGroup> build_matrix(const std::vector<MatrixSource>& sources) {
    std::vector<MatrixGroup> groups;
    for (const auto& s : sources) {
        auto it = std::find_if(groups.begin(), groups.end(), [&s](const MatrixGroup& g) {
            return g.variant == s.report.variant && g.profile == s.report.profile;
        });
        if (it == groups.end()) {
            groups.push_back({s.report.variant, s.report.profile, {}, {}});
            it = std::prev(groups.end());
        }
        it->columns.push_back({s.report.target, &s});
    }
    for (auto& g : groups) {
        // Columns are named by their target; reports that name the same target are told apart by
        // their file name, then by position.
        std::map<std::string, std::size_t> uses;
        for (const auto& c : g.columns) {
            ++uses[c.label];
        }
        std::set<std::string> taken;
        for (auto& c : g.columns) {
            if (uses[c.label] > 1) {
                c.label += " [" + std::filesystem::path(c.source->name).stem().string() + "]";
            }
            const std::string base = c.label;
            for (int n = 2; !taken.insert(c.label).second; ++n) {
                c.label = base + " #" + std::to_string(n);
            }
        }
        std::map<std::string, std::size_t> row_of;
        for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
            for (const auto& r : g.columns[ci].source->report.results) {
                auto [it, inserted] = row_of.emplace(r.info.id, g.rows.size());
                if (inserted) {
                    g.rows.push_back({r.info.id, r.info.title, r.info.cls,
                                      std::vector<const ScenarioResult*>(g.columns.size(), nullptr)});
                }
                g.rows[it->second].cells[ci] = &r;
            }
        }
    }
    return groups;
}

std::string matrix_html(const std::vector<MatrixSource>& sources) {
    const auto groups = build_matrix(sources);
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>shakedown compatibility matrix"
      << "</title>\n"
      << format::html_style()
      << "<style>\n.matrix td{text-align:center}.matrix td:first-child,.matrix td:nth-child(2){text-align:left}\n"
         ".matrix .badge{min-width:6.5em}\n.n{display:inline-block;border-radius:3px;padding:0 4px;color:#fff;"
         "font-size:12px;margin:1px}\n.headlines li{margin:.1em 0}\n</style>\n</head><body>\n";
    h << "<h1>Compatibility matrix</h1>\n";

    // The page's headline: unexpected FAILs over every report.
    std::size_t failing = 0;
    std::size_t failures = 0;
    format::LabelCounts all;
    for (const auto& s : sources) {
        failures += s.report.unexpected_failures();
        failing += s.report.unexpected_failures() > 0 ? 1 : 0;
        for (const auto& r : s.report.results) {
            ++all[r.outcome_label()];
        }
    }
    h << "<p class=\"headline\" id=\"headline\">" << sources.size() << (sources.size() == 1 ? " report" : " reports")
      << ", " << groups.size() << (groups.size() == 1 ? " variant" : " variants") << ": ";
    if (failures == 0) {
        h << "no unexpected FAIL";
    } else {
        h << failures << " unexpected FAIL in " << failing << " of " << sources.size();
    }
    h << "</p>\n";
    h << "<p class=\"small\">A deviation is any verdict other than PASS and SKIPPED. Each cell links to the "
         "reason and transcript from its report. Filters show the rows where one target has a shown verdict.</p>\n";
    h << "<ul>\n";
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        h << "<li><a href=\"#g-" << gi << "\">" << xml_escape(group_title(groups[gi]))
          << "</a>: " << groups[gi].columns.size() << " targets, " << groups[gi].rows.size() << " scenarios</li>\n";
    }
    h << "</ul>\n";
    h << format::filter_bar(all);

    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        const auto& g = groups[gi];
        h << "<h2 id=\"g-" << gi << "\">" << xml_escape(group_title(g)) << "</h2>\n<ul class=\"headlines\">\n";
        for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
            const auto& rep = g.columns[ci].source->report;
            h << "<li id=\"headline-" << gi << "-" << ci << "\"><b>" << xml_escape(g.columns[ci].label)
              << "</b>: <span class=\"hl\">" << xml_escape(format::headline(column_counts(g, ci)))
              << "</span> <span class=\"small\">(" << xml_escape(rep.transport)
              << (rep.expectations.empty() ? "" : ", expectations: " + xml_escape(rep.expectations)) << "; "
              << xml_escape(g.columns[ci].source->name) << ")</span></li>\n";
        }
        h << "</ul>\n";

        // Deviations by kind.
        std::vector<std::size_t> shared;
        std::vector<std::vector<std::size_t>> unique(g.columns.size());
        std::vector<std::size_t> some;
        std::vector<std::size_t> any;
        for (std::size_t ri = 0; ri < g.rows.size(); ++ri) {
            const auto& row = g.rows[ri];
            if (row.deviations() == 0) {
                continue;
            }
            any.push_back(ri);
            if (row.shared_deviation()) {
                shared.push_back(ri);
            } else if (const auto c = row.unique_deviation(); c != npos) {
                unique[c].push_back(ri);
            } else {
                some.push_back(ri);
            }
        }
        if (g.columns.size() < 2) {
            h << "<h3>Deviations (" << any.size() << ", one target only)</h3>\n";
            deviation_list(h, g, gi, any);
        } else {
            h << "<h3 id=\"shared-" << gi << "\">Deviations shared by all targets (" << shared.size() << ")</h3>\n";
            deviation_list(h, g, gi, shared);
            std::size_t unique_total = 0;
            for (const auto& u : unique) {
                unique_total += u.size();
            }
            h << "<h3 id=\"unique-" << gi << "\">Deviations unique to one target (" << unique_total << ")</h3>\n";
            for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
                h << "<h4>" << xml_escape(g.columns[ci].label) << " (" << unique[ci].size() << ")</h4>\n";
                deviation_list(h, g, gi, unique[ci]);
            }
            if (!some.empty()) {
                h << "<h3 id=\"some-" << gi << "\">Deviations of several targets but not all (" << some.size()
                  << ")</h3>\n";
                deviation_list(h, g, gi, some);
            }
        }

        // The matrix.
        h << "<h3>Scenarios</h3>\n<table class=\"matrix\"><thead><tr><th>scenario</th><th>class</th>";
        for (const auto& c : g.columns) {
            h << "<th>" << xml_escape(c.label) << "</th>";
        }
        h << "</tr></thead><tbody>\n";
        for (std::size_t ri = 0; ri < g.rows.size(); ++ri) {
            const auto& row = g.rows[ri];
            std::set<std::string> labels;
            for (const auto* r : row.cells) {
                if (r != nullptr) {
                    labels.insert(r->outcome_label());
                }
            }
            std::string v;
            for (const auto& l : labels) {
                v += (v.empty() ? "" : " ") + l;
            }
            h << "<tr class=\"fr\" id=\"" << row_anchor(gi, ri) << "\" data-v=\"" << v << "\"><td><code title=\""
              << xml_escape(row.title) << "\">" << xml_escape(row.id) << "</code></td><td>" << xml_escape(row.cls)
              << "</td>";
            for (std::size_t ci = 0; ci < row.cells.size(); ++ci) {
                const auto* r = row.cells[ci];
                if (r == nullptr) {
                    h << "<td class=\"absent\" title=\"not in this report\">&ndash;</td>";
                    continue;
                }
                const std::string label = r->outcome_label();
                h << "<td><a class=\"badge " << format::css_class(label) << "\" href=\"#" << cell_anchor(gi, ci, ri)
                  << "\" title=\"" << xml_escape(r->reason) << "\">" << label << "</a></td>";
            }
            h << "</tr>\n";
        }
        h << "</tbody></table>\n";

        // Per-class totals per target.
        h << "<h3>Totals per class</h3>\n<table><tr><th>class</th>";
        for (const auto& c : g.columns) {
            h << "<th>" << xml_escape(c.label) << "</th>";
        }
        h << "</tr>\n";
        std::vector<std::map<std::string, format::LabelCounts>> per_column(g.columns.size());
        for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
            for (auto& [cls, counts] : class_counts(g, ci)) {
                per_column[ci][cls] = counts;
            }
        }
        for (const auto& cls : row_classes(g)) {
            h << "<tr><td>" << xml_escape(cls) << "</td>";
            for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
                h << "<td>" << count_badges(per_column[ci][cls]) << "</td>";
            }
            h << "</tr>\n";
        }
        h << "<tr><th>total</th>";
        for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
            h << "<th>" << count_badges(column_counts(g, ci)) << "</th>";
        }
        h << "</tr></table>\n";

        // Every cell's reason and transcript, target by target.
        h << "<h3>Details</h3>\n";
        for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
            h << "<h4>" << xml_escape(g.columns[ci].label) << "</h4>\n";
            for (std::size_t ri = 0; ri < g.rows.size(); ++ri) {
                if (g.rows[ri].cells[ci] != nullptr) {
                    cell_details(h, g, gi, ci, ri);
                }
            }
        }
    }
    h << format::filter_script() << "</body></html>\n";
    return h.str();
}

std::string matrix_junit(const std::vector<MatrixSource>& sources) {
    const auto groups = build_matrix(sources);
    std::size_t tests = 0;
    std::size_t failures = 0;
    std::size_t skipped = 0;
    std::uint64_t ms = 0;
    for (const auto& s : sources) {
        tests += s.report.results.size();
        ms += s.report.duration_ms;
        for (const auto& r : s.report.results) {
            failures += r.unexpected_failure() ? 1 : 0;
            skipped += (!r.ran() || r.expected_failure()) ? 1 : 0;
        }
    }
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x << "<testsuites name=\"shakedown report merge\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" skipped=\"" << skipped << "\" time=\"" << format::seconds(ms) << "\">\n";
    for (const auto& g : groups) {
        for (const auto& c : g.columns) {
            const auto& rep = c.source->report;
            std::size_t f = 0;
            std::size_t s = 0;
            for (const auto& r : rep.results) {
                f += r.unexpected_failure() ? 1 : 0;
                s += (!r.ran() || r.expected_failure()) ? 1 : 0;
            }
            const std::string suite = group_title(g) + " / " + c.label;
            x << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << rep.results.size() << "\" failures=\""
              << f << "\" errors=\"0\" skipped=\"" << s << "\" time=\"" << format::seconds(rep.duration_ms) << "\">\n";
            x << "    <properties><property name=\"target\" value=\"" << xml_escape(rep.target)
              << "\"/><property name=\"transport\" value=\"" << xml_escape(rep.transport)
              << "\"/><property name=\"report\" value=\"" << xml_escape(c.source->name) << "\"/></properties>\n";
            for (const auto& r : rep.results) {
                format::junit_testcase(x, g.variant + "." + c.label, r);
            }
            x << "  </testsuite>\n";
        }
    }
    x << "</testsuites>\n";
    return x.str();
}

std::string matrix_json(const std::vector<MatrixSource>& sources) {
    const auto groups = build_matrix(sources);
    json out_groups = json::array();
    for (const auto& g : groups) {
        json targets = json::array();
        std::vector<std::string> labels;
        for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
            const auto& c = g.columns[ci];
            const auto& rep = c.source->report;
            json by_class = json::object();
            for (const auto& [cls, counts] : class_counts(g, ci)) {
                by_class[cls] = counts;
            }
            const auto counts = column_counts(g, ci);
            targets.push_back({{"label", c.label},
                               {"target", rep.target},
                               {"transport", rep.transport},
                               {"expectations", rep.expectations},
                               {"report", c.source->name},
                               {"started", rep.started_utc},
                               {"duration_ms", rep.duration_ms},
                               {"headline", format::headline(counts)},
                               {"totals", counts},
                               {"by_class", by_class}});
            labels.push_back(c.label);
        }
        json scenarios = json::array();
        json shared = json::array();
        json some = json::array();
        json unique = json::object();
        for (const auto& l : labels) {
            unique[l] = json::array();
        }
        for (const auto& row : g.rows) {
            json cells = json::array();
            for (const auto* r : row.cells) {
                if (r == nullptr) {
                    cells.push_back(nullptr);
                } else {
                    cells.push_back({{"outcome", r->outcome_label()},
                                     {"verdict", to_string(r->verdict)},
                                     {"reason", r->reason},
                                     {"deviation", is_deviation(*r)}});
                }
            }
            scenarios.push_back({{"id", row.id}, {"title", row.title}, {"class", row.cls}, {"cells", cells}});
            if (row.deviations() == 0) {
                continue;
            }
            if (row.shared_deviation()) {
                shared.push_back(row.id);
            } else if (const auto c = row.unique_deviation(); c != npos) {
                unique[labels[c]].push_back(row.id);
            } else {
                some.push_back(row.id);
            }
        }
        out_groups.push_back({{"variant", g.variant},
                              {"profile", g.profile},
                              {"targets", targets},
                              {"scenarios", scenarios},
                              {"deviations", {{"shared_by_all", shared}, {"unique", unique}, {"several", some}}}});
    }
    const json doc = {{"tool", "shakedown report merge"}, {"groups", out_groups}};
    return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string matrix_summary(const std::vector<MatrixSource>& sources) {
    std::ostringstream s;
    for (const auto& g : build_matrix(sources)) {
        s << group_title(g) << ": " << g.rows.size() << " scenarios, " << g.columns.size() << " targets\n";
        for (std::size_t ci = 0; ci < g.columns.size(); ++ci) {
            s << "  " << g.columns[ci].label << ": " << format::headline(column_counts(g, ci)) << "\n";
        }
    }
    return s.str();
}

}  // namespace shakedown::conformance
