#include "QaReport.h"

#include "ReportSvg.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace beamlet::cli {

namespace {

struct Counts {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t errors = 0;
};

Counts count(const std::vector<QaCaseResult>& results) {
  Counts c;
  for (const QaCaseResult& r : results) {
    (r.status == QaStatus::Passed   ? c.passed
     : r.status == QaStatus::Failed ? c.failed
                                    : c.errors)++;
  }
  return c;
}

std::string gammaLine(const QaGammaOutcome& g) {
  std::ostringstream s;
  s << "gamma " << g.tolerance.settings.describe() << ": pass rate " << fixed(g.passRatePercent, 2)
    << "% (" << g.pointsPassed << " of " << g.pointsEvaluated << " points), minimum "
    << g.tolerance.minPassRatePercent << "%: " << (g.passed ? "passed" : "FAILED")
    << "; mean gamma " << fixed(g.meanGamma, 3) << ", max " << fixed(g.maxGamma, 3);
  return s.str();
}

std::string dvhLine(const QaDvhOutcome& d) {
  const QaDvhTolerance& t = d.tolerance;
  if (!d.evaluated) {
    return t.structure + " " + t.metric + ": " + d.note;
  }
  std::ostringstream s;
  s << t.structure << " " << t.metric << ": baseline " << fixed(d.baseline, 3) << " " << t.unit
    << ", evaluated " << fixed(d.value, 3) << " " << t.unit << ", difference "
    << fixed(d.difference, 3) << ", tolerance " << t.describe() << ": "
    << (d.passed ? "passed" : "FAILED");
  return s.str();
}

// Everything about a case, one line each (JUnit system-out).
std::string details(const QaCaseResult& r) {
  std::string text = r.method + "\nbaseline: " + r.baseline + "\n";
  if (!r.evaluated.empty()) {
    text += "evaluated: " + r.evaluated + "\n";
  }
  if (r.gamma) {
    text += gammaLine(*r.gamma) + "\n";
  }
  for (const QaDvhOutcome& d : r.dvh) {
    text += dvhLine(d) + "\n";
  }
  for (const std::string& n : r.notes) {
    text += "note: " + n + "\n";
  }
  return text;
}

// Colour of a gamma value in the map: greens to yellow up to 1, orange to red above.
std::string gammaColour(float gamma, double maxGamma) {
  if (gamma == dose::kGammaBelowCutoff) {
    return "#f2f2f2";
  }
  if (gamma < 0.0f) {
    return "#c8c8c8";
  }
  const double q = std::round(gamma * 10.0) / 10.0; // steps of 0.1
  auto mix = [](std::array<int, 3> a, std::array<int, 3> b, double t) {
    t = std::clamp(t, 0.0, 1.0);
    std::array<std::uint8_t, 3> c{};
    for (int n = 0; n < 3; ++n) {
      c[n] = static_cast<std::uint8_t>(std::lround(a[n] + (b[n] - a[n]) * t));
    }
    return svgColour(c);
  };
  if (q <= 1.0) {
    return mix({30, 130, 60}, {225, 220, 70}, q);
  }
  return mix({245, 150, 40}, {190, 0, 0}, (q - 1.0) / std::max(1e-9, maxGamma - 1.0));
}

std::string gammaMapSvg(const QaGammaOutcome& g) {
  const QaGammaMap& m = g.map;
  if (m.nx <= 0 || m.ny <= 0) {
    return "";
  }
  const double widthMm = m.nx * m.dxMm;
  const double heightMm = m.ny * m.dyMm;
  const double scale = 420.0 / std::max(widthMm, heightMm);
  const double w = widthMm * scale;
  const double h = heightMm * scale;
  const double legendH = 50;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << fixed(std::max(w, 420.0), 1)
      << "' height='" << fixed(h + legendH, 1)
      << "' font-family='sans-serif' font-size='11' shape-rendering='crispEdges'>";
  const double maxGamma = g.tolerance.settings.maxGamma;
  for (int j = 0; j < m.ny; ++j) {
    int i = 0;
    while (i < m.nx) {
      const std::string colour =
          gammaColour(m.gamma[static_cast<std::size_t>(j) * m.nx + i], maxGamma);
      int end = i + 1;
      while (end < m.nx &&
             gammaColour(m.gamma[static_cast<std::size_t>(j) * m.nx + end], maxGamma) == colour) {
        ++end;
      }
      svg << "<rect x='" << fixed(i * m.dxMm * scale, 2) << "' y='" << fixed(j * m.dyMm * scale, 2)
          << "' width='" << fixed((end - i) * m.dxMm * scale + 0.3, 2) << "' height='"
          << fixed(m.dyMm * scale + 0.3, 2) << "' fill='" << colour << "'/>";
      i = end;
    }
  }
  // The 50% isodose of the baseline: voxel edges where the dose crosses it.
  const double level = 0.5 * m.maxDoseGy;
  svg << "<path fill='none' stroke='#0050c8' stroke-width='1' d='";
  auto inside = [&](int i, int j) {
    return i >= 0 && j >= 0 && i < m.nx && j < m.ny &&
           m.doseGy[static_cast<std::size_t>(j) * m.nx + i] >= level;
  };
  for (int j = 0; j < m.ny; ++j) {
    for (int i = 0; i < m.nx; ++i) {
      if (!inside(i, j)) {
        continue;
      }
      const double x0 = i * m.dxMm * scale;
      const double y0 = j * m.dyMm * scale;
      const double x1 = x0 + m.dxMm * scale;
      const double y1 = y0 + m.dyMm * scale;
      if (!inside(i - 1, j)) {
        svg << "M" << fixed(x0, 1) << " " << fixed(y0, 1) << "V" << fixed(y1, 1);
      }
      if (!inside(i + 1, j)) {
        svg << "M" << fixed(x1, 1) << " " << fixed(y0, 1) << "V" << fixed(y1, 1);
      }
      if (!inside(i, j - 1)) {
        svg << "M" << fixed(x0, 1) << " " << fixed(y0, 1) << "H" << fixed(x1, 1);
      }
      if (!inside(i, j + 1)) {
        svg << "M" << fixed(x0, 1) << " " << fixed(y1, 1) << "H" << fixed(x1, 1);
      }
    }
  }
  svg << "'/>";
  // Legend: the colour scale 0 .. max gamma, and what grey and blue mean.
  const double barW = std::min(200.0, w - 10);
  const int steps = static_cast<int>(std::lround(maxGamma * 10.0));
  for (int s = 0; s < steps; ++s) {
    svg << "<rect x='" << fixed(5 + barW * s / steps, 1) << "' y='" << fixed(h + 4, 1)
        << "' width='" << fixed(barW / steps + 0.3, 1) << "' height='10' fill='"
        << gammaColour(static_cast<float>((s + 0.5) / 10.0), maxGamma) << "'/>";
  }
  svg << "<text x='5' y='" << fixed(h + 27, 1) << "'>0</text><text x='" << fixed(5 + barW / 2, 1)
      << "' y='" << fixed(h + 27, 1) << "' text-anchor='middle'>1</text><text x='"
      << fixed(5 + barW, 1) << "' y='" << fixed(h + 27, 1) << "' text-anchor='end'>" << maxGamma
      << "</text>";
  svg << "<text x='5' y='" << fixed(h + 43, 1)
      << "'>grey: not evaluated (light: below the cut-off); blue: 50% isodose</text>";
  svg << "</svg>";
  return svg.str();
}

std::string gammaHistogramSvg(const QaGammaOutcome& g) {
  const double w = 420;
  const double h = 240;
  const double left = 45;
  const double bottom = 32;
  const double top = 10;
  const std::size_t bins = g.histogram.size();
  if (bins == 0) {
    return "";
  }
  double total = 0.0;
  for (const std::size_t n : g.histogram) {
    total += static_cast<double>(n);
  }
  double maxPercent = 0.0;
  for (const std::size_t n : g.histogram) {
    maxPercent = std::max(maxPercent, total > 0.0 ? 100.0 * n / total : 0.0);
  }
  const double yMax = std::max(5.0, std::ceil(maxPercent / 5.0) * 5.0);
  const double plotW = w - left - 10;
  const double plotH = h - bottom - top;
  const double maxGamma = g.histogramBinWidth * static_cast<double>(bins);
  auto x = [&](double gamma) { return left + plotW * gamma / maxGamma; };
  auto y = [&](double percent) { return top + plotH * (1.0 - percent / yMax); };
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
      << "' font-family='sans-serif' font-size='11'>";
  svg << "<rect x='" << left << "' y='" << top << "' width='" << plotW << "' height='" << plotH
      << "' fill='none' stroke='#888'/>";
  for (std::size_t b = 0; b < bins; ++b) {
    const double percent = total > 0.0 ? 100.0 * g.histogram[b] / total : 0.0;
    const double g0 = g.histogramBinWidth * static_cast<double>(b);
    const bool pass = g0 + g.histogramBinWidth <= 1.0 + 1e-9;
    svg << "<rect x='" << fixed(x(g0) + 0.5, 2) << "' y='" << fixed(y(percent), 2) << "' width='"
        << fixed(x(g0 + g.histogramBinWidth) - x(g0) - 1.0, 2) << "' height='"
        << fixed(y(0.0) - y(percent), 2) << "' fill='" << (pass ? "#3a8f4f" : "#c0392b") << "'/>";
  }
  svg << "<line x1='" << x(1.0) << "' y1='" << top << "' x2='" << x(1.0) << "' y2='" << y(0.0)
      << "' stroke='#333' stroke-dasharray='4,3'/>";
  for (int t = 0; t <= static_cast<int>(std::lround(maxGamma * 2.0)); ++t) {
    svg << "<text x='" << x(0.5 * t) << "' y='" << h - bottom + 14 << "' text-anchor='middle'>"
        << 0.5 * t << "</text>";
  }
  for (int t = 0; t <= 5; ++t) {
    svg << "<text x='" << left - 4 << "' y='" << y(yMax * t / 5.0) + 4 << "' text-anchor='end'>"
        << yMax * t / 5.0 << "</text>";
  }
  svg << "<text x='" << left + plotW / 2 << "' y='" << h - 3
      << "' text-anchor='middle'>gamma (% of evaluated points per bin of " << g.histogramBinWidth
      << ")</text>";
  svg << "</svg>";
  return svg.str();
}

const char* statusClass(QaStatus status) {
  return status == QaStatus::Passed ? "pass" : status == QaStatus::Failed ? "fail" : "error";
}

std::string anchor(std::size_t n) {
  return "case" + std::to_string(n + 1);
}

void htmlCase(std::ostringstream& html, const QaCaseResult& r, std::size_t index) {
  html << "<h2 id='" << anchor(index) << "'>" << escapeXml(r.name) << " <span class='"
       << statusClass(r.status) << "'>" << qaStatusName(r.status) << "</span></h2>";
  if (!r.description.empty()) {
    html << "<p>" << escapeXml(r.description) << "</p>";
  }
  html << "<p>" << escapeXml(r.method) << "<br>baseline: " << escapeXml(r.baseline);
  if (!r.evaluated.empty()) {
    html << "<br>evaluated: " << escapeXml(r.evaluated);
  }
  if (!r.folder.empty()) {
    html << "<br>files: " << escapeXml(r.folder);
  }
  html << "<br>" << fixed(r.seconds, 1) << " s";
  if (r.baselineMaxGy > 0.0) {
    html << "; maximum dose: baseline " << fixed(r.baselineMaxGy, 2) << " Gy";
    if (r.evaluatedMaxGy > 0.0) {
      html << ", evaluated " << fixed(r.evaluatedMaxGy, 2) << " Gy";
    }
  }
  html << "</p>";
  if (!r.reason.empty()) {
    html << "<p class='" << statusClass(r.status) << "'>"
         << (r.status == QaStatus::Error ? escapeXml(r.errorType) + ": " : std::string())
         << escapeXml(r.reason) << "</p>";
  }
  if (r.gamma || !r.dvh.empty()) {
    html << "<table><tr><th>check</th><th>baseline</th><th>evaluated</th><th>difference</th>"
            "<th>tolerance</th><th></th></tr>";
    if (r.gamma) {
      const QaGammaOutcome& g = *r.gamma;
      html << "<tr><td>gamma " << escapeXml(g.tolerance.settings.describe()) << "</td><td></td><td>"
           << fixed(g.passRatePercent, 2) << "% pass (" << g.pointsPassed << " of "
           << g.pointsEvaluated << ")</td><td>mean " << fixed(g.meanGamma, 3) << ", max "
           << fixed(g.maxGamma, 3) << "</td><td>&ge; " << g.tolerance.minPassRatePercent
           << "%</td><td class='" << (g.passed ? "pass'>passed" : "fail'>failed") << "</td></tr>";
    }
    for (const QaDvhOutcome& d : r.dvh) {
      const QaDvhTolerance& t = d.tolerance;
      html << "<tr><td>" << escapeXml(t.structure + " " + t.metric) << "</td>";
      if (d.evaluated) {
        html << "<td>" << fixed(d.baseline, 3) << " " << escapeXml(t.unit) << "</td><td>"
             << fixed(d.value, 3) << " " << escapeXml(t.unit) << "</td><td>"
             << fixed(d.difference, 3) << "</td><td>&plusmn; " << escapeXml(t.describe())
             << "</td><td class='" << (d.passed ? "pass'>passed" : "fail'>failed") << "</td>";
      } else {
        html << "<td colspan='4'>" << escapeXml(d.note) << "</td><td class='fail'>failed</td>";
      }
      html << "</tr>";
    }
    html << "</table>";
  }
  if (r.gamma) {
    const QaGammaOutcome& g = *r.gamma;
    html << "<div class='plots'><figure>" << gammaHistogramSvg(g)
         << "<figcaption>gamma histogram</figcaption></figure><figure>" << gammaMapSvg(g)
         << "<figcaption>gamma, axial plane " << g.map.k << " (z = " << fixed(g.map.zMm, 1)
         << " mm) through the baseline maximum (" << fixed(g.map.maxDoseGy, 2)
         << " Gy)</figcaption></figure></div>";
  }
  if (!r.dvhPlots.empty()) {
    // Distinct colours: structure sets often give several structures the same one.
    static const std::array<std::array<std::uint8_t, 3>, 8> palette{{{31, 119, 180},
                                                                     {255, 127, 14},
                                                                     {44, 160, 44},
                                                                     {214, 39, 40},
                                                                     {148, 103, 189},
                                                                     {140, 86, 75},
                                                                     {227, 119, 194},
                                                                     {23, 190, 207}}};
    std::vector<DvhCurve> curves;
    for (std::size_t n = 0; n < r.dvhPlots.size(); ++n) {
      const QaDvhPlot& p = r.dvhPlots[n];
      DvhCurve evaluated;
      evaluated.name = p.structure;
      evaluated.color = palette[n % palette.size()];
      evaluated.points = p.evaluated;
      DvhCurve baseline = evaluated;
      baseline.points = p.baseline;
      baseline.dashed = true;
      baseline.legend = false;
      curves.push_back(std::move(baseline));
      curves.push_back(std::move(evaluated));
    }
    html << "<figure>" << dvhSvg(curves, r.dvhMaxGy)
         << "<figcaption>DVHs: baseline dashed, evaluated solid</figcaption></figure>";
  }
  if (!r.notes.empty()) {
    html << "<details><summary>notes (" << r.notes.size() << ")</summary><ul>";
    for (const std::string& note : r.notes) {
      html << "<li>" << escapeXml(note) << "</li>";
    }
    html << "</ul></details>";
  }
}

} // namespace

std::string qaJunitXml(const QaSuite& suite, const std::vector<QaCaseResult>& results,
                       const QaRunInfo& run) {
  const Counts c = count(results);
  const std::string name = escapeXml(suite.name);
  std::ostringstream xml;
  xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml << "<testsuites name=\"" << name << "\" tests=\"" << results.size() << "\" failures=\""
      << c.failed << "\" errors=\"" << c.errors << "\" time=\"" << fixed(run.seconds, 3) << "\">\n";
  xml << "  <testsuite name=\"" << name << "\" tests=\"" << results.size() << "\" failures=\""
      << c.failed << "\" errors=\"" << c.errors << "\" skipped=\"0\" time=\""
      << fixed(run.seconds, 3) << "\" timestamp=\"" << escapeXml(run.timestamp) << "\">\n";
  xml << "    <properties>\n      <property name=\"suite_file\" value=\"" << escapeXml(suite.file)
      << "\"/>\n      <property name=\"output\" value=\"" << escapeXml(run.out) << "\"/>\n"
      << "    </properties>\n";
  for (const QaCaseResult& r : results) {
    xml << "    <testcase classname=\"" << name << "\" name=\"" << escapeXml(r.name) << "\" time=\""
        << fixed(r.seconds, 3) << "\"";
    if (r.status == QaStatus::Passed && r.notes.empty() && !r.gamma && r.dvh.empty()) {
      xml << "/>\n";
      continue;
    }
    xml << ">\n";
    if (r.status == QaStatus::Failed) {
      std::string body;
      for (const std::string& f : r.failures) {
        body += f + "\n";
      }
      xml << "      <failure message=\"" << escapeXml(r.reason) << "\" type=\"tolerance\">"
          << escapeXml(body) << "</failure>\n";
    } else if (r.status == QaStatus::Error) {
      xml << "      <error message=\"" << escapeXml(r.reason) << "\" type=\""
          << escapeXml(r.errorType) << "\">" << escapeXml(r.reason) << "</error>\n";
    }
    xml << "      <system-out>" << escapeXml(details(r)) << "</system-out>\n";
    xml << "    </testcase>\n";
  }
  xml << "  </testsuite>\n</testsuites>\n";
  return xml.str();
}

std::string qaHtml(const QaSuite& suite, const std::vector<QaCaseResult>& results,
                   const QaRunInfo& run) {
  const Counts c = count(results);
  std::ostringstream html;
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Beamlet QA: "
       << escapeXml(suite.name) << "</title><style>body{font-family:sans-serif;margin:2em}"
       << "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;"
       << "padding:3px 8px;text-align:left}.pass{color:#070}.fail,.error{color:#b00;"
       << "font-weight:bold}.plots{display:flex;flex-wrap:wrap;gap:2em}figure{margin:0.5em 0}"
       << "figcaption{font-size:small;color:#444}h2{margin-top:1.5em;border-top:1px solid #ddd;"
       << "padding-top:0.5em}</style></head><body>";
  html << "<h1>Beamlet QA: " << escapeXml(suite.name) << "</h1>";
  if (!suite.description.empty()) {
    html << "<p>" << escapeXml(suite.description) << "</p>";
  }
  html << "<p>" << results.size() << " cases: " << c.passed << " passed, " << c.failed
       << " failed, " << c.errors << " errors; " << fixed(run.seconds, 1) << " s. Suite "
       << escapeXml(suite.file) << ", run " << escapeXml(run.timestamp) << ", files in "
       << escapeXml(run.out) << ".</p>";
  html << "<table><tr><th>case</th><th>result</th><th>gamma pass rate</th><th>DVH metrics</th>"
          "<th>time (s)</th><th>reason</th></tr>";
  for (std::size_t n = 0; n < results.size(); ++n) {
    const QaCaseResult& r = results[n];
    html << "<tr><td><a href='#" << anchor(n) << "'>" << escapeXml(r.name) << "</a></td><td class='"
         << statusClass(r.status) << "'>" << qaStatusName(r.status) << "</td><td>";
    if (r.gamma) {
      html << fixed(r.gamma->passRatePercent, 2) << "% (&ge; "
           << r.gamma->tolerance.minPassRatePercent << "%)";
    }
    html << "</td><td>";
    if (!r.dvh.empty()) {
      const auto within =
          std::count_if(r.dvh.begin(), r.dvh.end(), [](const QaDvhOutcome& d) { return d.passed; });
      html << within << " of " << r.dvh.size() << " within tolerance";
    }
    html << "</td><td>" << fixed(r.seconds, 1) << "</td><td>" << escapeXml(r.reason)
         << "</td></tr>";
  }
  html << "</table>";
  for (std::size_t n = 0; n < results.size(); ++n) {
    htmlCase(html, results[n], n);
  }
  html << "</body></html>\n";
  return html.str();
}

std::string qaJson(const QaSuite& suite, const std::vector<QaCaseResult>& results,
                   const QaRunInfo& run) {
  using Json = nlohmann::ordered_json;
  const Counts c = count(results);
  Json j;
  j["format"] = "beamlet-qa-results";
  j["version"] = 1;
  j["suite"] = suite.name;
  j["file"] = suite.file;
  j["out"] = run.out;
  j["timestamp"] = run.timestamp;
  j["seconds"] = run.seconds;
  j["passed"] = c.passed;
  j["failed"] = c.failed;
  j["errors"] = c.errors;
  Json cases = Json::array();
  for (const QaCaseResult& r : results) {
    Json k;
    k["name"] = r.name;
    k["status"] = qaStatusName(r.status);
    k["reason"] = r.reason;
    k["error_type"] = r.errorType;
    k["method"] = r.method;
    k["folder"] = r.folder;
    k["baseline"] = r.baseline;
    k["evaluated"] = r.evaluated;
    k["seconds"] = r.seconds;
    if (r.gamma) {
      const QaGammaOutcome& g = *r.gamma;
      const dose::GammaSettings& s = g.tolerance.settings;
      k["gamma"] = {{"dose_percent", s.doseDifferencePercent},
                    {"distance_mm", s.dtaMm},
                    {"threshold_percent", s.cutoffPercent},
                    {"local", s.local},
                    {"max_gamma", s.maxGamma},
                    {"min_pass_rate_percent", g.tolerance.minPassRatePercent},
                    {"pass_rate_percent", g.passRatePercent},
                    {"passed", g.passed},
                    {"mean_gamma", g.meanGamma},
                    {"max_gamma_found", g.maxGamma},
                    {"points_evaluated", g.pointsEvaluated},
                    {"points_passed", g.pointsPassed},
                    {"points_outside_evaluated", g.pointsOutsideEval},
                    {"baseline_max_Gy", g.referenceMaxGy}};
    } else {
      k["gamma"] = nullptr;
    }
    Json dvh = Json::array();
    for (const QaDvhOutcome& d : r.dvh) {
      const QaDvhTolerance& t = d.tolerance;
      Json m = {{"structure", t.structure}, {"metric", t.metric}, {"unit", t.unit}};
      m["baseline"] = d.evaluated ? Json(d.baseline) : Json(nullptr);
      m["evaluated"] = d.evaluated ? Json(d.value) : Json(nullptr);
      m["difference"] = d.evaluated ? Json(d.difference) : Json(nullptr);
      m[t.key] = t.value;
      m["allowed"] = d.evaluated ? Json(d.allowed) : Json(nullptr);
      m["passed"] = d.passed;
      m["note"] = d.note;
      dvh.push_back(std::move(m));
    }
    k["dvh"] = dvh;
    k["failures"] = r.failures;
    k["notes"] = r.notes;
    cases.push_back(std::move(k));
  }
  j["cases"] = cases;
  return j.dump(1);
}

} // namespace beamlet::cli
