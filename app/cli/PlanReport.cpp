#include "PlanReport.h"

#include "beamlet/core/Error.h"
#include "beamlet/dose/Dvh.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

void writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".part";
  {
    std::ofstream file(temp);
    file << text;
    if (!file) {
      throw IoError(withContext(path.string(), "cannot write"));
    }
  }
  fs::rename(temp, path);
}

std::string escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    switch (c) {
    case '<':
      r += "&lt;";
      break;
    case '>':
      r += "&gt;";
      break;
    case '&':
      r += "&amp;";
      break;
    default:
      r += c;
    }
  }
  return r;
}

struct Curve {
  std::string name;
  std::array<std::uint8_t, 3> color;
  std::vector<std::pair<double, double>> points; ///< (Gy, % of volume receiving at least)
};

// An SVG plot of cumulative DVHs, 0 .. maxGy by 0 .. 100%.
std::string dvhSvg(const std::vector<Curve>& curves, double maxGy) {
  const double w = 640;
  const double h = 360;
  const double left = 50;
  const double bottom = 30;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
      << "' font-family='sans-serif' font-size='11'>";
  auto x = [&](double gy) { return left + (w - left - 10) * gy / maxGy; };
  auto y = [&](double pct) { return (h - bottom) * (1.0 - pct / 100.0) + 5; };
  svg << "<rect x='" << left << "' y='5' width='" << w - left - 10 << "' height='" << h - bottom - 5
      << "' fill='none' stroke='#888'/>";
  for (int t = 0; t <= 10; ++t) {
    const double gy = maxGy * t / 10.0;
    svg << "<text x='" << x(gy) << "' y='" << h - 12 << "' text-anchor='middle'>" << std::lround(gy)
        << "</text>";
    svg << "<text x='" << left - 4 << "' y='" << y(10.0 * t) + 4 << "' text-anchor='end'>" << 10 * t
        << "</text>";
  }
  svg << "<text x='" << w / 2 << "' y='" << h - 1 << "' text-anchor='middle'>dose (Gy)</text>";
  int legend = 0;
  for (const Curve& c : curves) {
    std::ostringstream colour;
    colour << "rgb(" << int(c.color[0]) << "," << int(c.color[1]) << "," << int(c.color[2]) << ")";
    svg << "<polyline fill='none' stroke='" << colour.str() << "' stroke-width='1.5' points='";
    for (const auto& [gy, pct] : c.points) {
      svg << x(gy) << "," << y(pct) << " ";
    }
    svg << "'/><text x='" << w - 140 << "' y='" << 20 + 14 * legend++ << "' fill='" << colour.str()
        << "'>" << escape(c.name) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

} // namespace

PlanReport writePlanReport(const dose::Protocol& protocol, const StructureSet& structures,
                           const dose::PlanningResult& result, const fs::path& out,
                           double totalSeconds) {
  PlanReport report;
  nlohmann::ordered_json j;
  j["format"] = "beamlet-plan-report";
  j["version"] = 1;
  j["protocol"] = {{"name", protocol.name},
                   {"file", protocol.file},
                   {"prescription_Gy", protocol.prescriptionGy},
                   {"fractions", protocol.fractions},
                   {"prescribed_structure", protocol.prescribedStructure}};
  nlohmann::ordered_json goals = nlohmann::ordered_json::array();
  int met = 0;
  for (const dose::GoalResult& g : result.goals) {
    met += g.met ? 1 : 0;
    goals.push_back({{"goal", g.goal.text},
                     {"structure", g.setName},
                     {"achieved", g.evaluated ? nlohmann::ordered_json(g.achieved) : nullptr},
                     {"unit", g.goal.unit},
                     {"met", g.met},
                     {"note", g.note}});
  }
  j["goals"] = goals;
  j["goals_met"] = met;
  nlohmann::ordered_json beams = nlohmann::ordered_json::array();
  for (std::size_t b = 0; b < result.plan.beams.size(); ++b) {
    const Beam& beam = result.plan.beams[b];
    const dose::SequencedBeam& s = result.sequenced[b];
    report.segments += s.segments.size();
    report.totalMu += s.totalMu;
    beams.push_back({{"name", beam.name},
                     {"gantry_deg", beam.controlPoints.front().gantryAngle},
                     {"segments", s.segments.size()},
                     {"mu_per_fraction", s.totalMu},
                     {"fluence_error_rms", s.fluenceErrorRms},
                     {"delivery_s", s.deliveryTimeSeconds}});
  }
  j["beams"] = beams;
  j["segments"] = report.segments;
  j["mu_per_fraction"] = report.totalMu;
  j["dij"] = {{"bixels", result.bixels},
              {"nnz", result.dijNonZeros},
              {"bytes", result.dijBytes},
              {"device", result.device}};
  j["optimizer"] = {{"iterations", result.optimizer.iterations},
                    {"objective", result.optimizer.objective},
                    {"seconds", result.optimizer.seconds},
                    {"converged", result.optimizer.converged},
                    {"stop", result.optimizer.stopReason}};
  j["normalisation"] = result.normalisation;
  j["ideal_vs_deliverable_Gy"] = {{"mean", result.idealVsDeliverableMeanGy},
                                  {"max", result.idealVsDeliverableMaxGy},
                                  {"in", protocol.prescribedStructure}};
  nlohmann::ordered_json stages = nlohmann::ordered_json::object();
  for (const auto& [name, seconds] : result.secondsPerStage) {
    stages[name] = seconds;
  }
  stages["total"] = totalSeconds;
  j["seconds"] = stages;
  j["notes"] = result.notes;

  // DVHs of the structures the protocol names.
  std::vector<Curve> curves;
  double maxGy = protocol.prescriptionGy * 1.2;
  nlohmann::ordered_json dvhs = nlohmann::ordered_json::array();
  for (const dose::StructureMatch& m : dose::matchStructures(protocol, structures)) {
    if (!m.found()) {
      continue;
    }
    const Structure& s = structures.structures[static_cast<std::size_t>(m.setIndex)];
    const dose::Dvh dvh = dose::computeDvh(s, result.dose);
    Curve c{s.name, s.color, {}};
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (int t = 0; t <= 120; ++t) {
      const double gy = maxGy * t / 120.0;
      const double pct = dvh.volumeAtDosePercent(gy);
      c.points.emplace_back(gy, pct);
      points.push_back({gy, pct});
    }
    dvhs.push_back({{"structure", s.name},
                    {"volume_cc", dvh.volumeCc},
                    {"mean_Gy", dvh.meanGy},
                    {"max_Gy", dvh.maxGy},
                    {"cumulative_Gy_percent", points}});
    curves.push_back(std::move(c));
  }
  j["dvh"] = dvhs;
  report.json = j.dump(1);
  writeAtomically(out / "report.json", report.json + "\n");

  std::ostringstream html;
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Beamlet plan: "
       << escape(protocol.name) << "</title><style>body{font-family:sans-serif;margin:2em}"
       << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
       << ".met{color:#070}.not{color:#b00;font-weight:bold}</style></head><body>";
  html << "<h1>" << escape(protocol.name) << "</h1><p>" << protocol.prescriptionGy << " Gy in "
       << protocol.fractions << " fractions to " << escape(protocol.prescribedStructure) << "; "
       << result.plan.beams.size() << " beams, " << report.segments << " segments, "
       << std::lround(report.totalMu) << " MU per fraction.</p>";
  html << "<h2>Clinical goals (" << met << " of " << result.goals.size()
       << " met)</h2><table><tr><th>goal</th><th>achieved</th><th></th><th>note</th></tr>";
  for (const dose::GoalResult& g : result.goals) {
    html << "<tr><td>" << escape(g.goal.text) << "</td><td>";
    if (g.evaluated) {
      html << std::round(g.achieved * 100.0) / 100.0 << " " << escape(g.goal.unit);
    }
    html << "</td><td class='" << (g.met ? "met'>met" : "not'>not met") << "</td><td>"
         << escape(g.note) << "</td></tr>";
  }
  html << "</table><h2>Dose-volume histograms</h2>" << dvhSvg(curves, maxGy);
  html << "<h2>Beams</h2><table><tr><th>beam</th><th>gantry</th><th>segments</th><th>MU per "
          "fraction</th></tr>";
  for (const auto& b : beams) {
    html << "<tr><td>" << escape(b["name"].get<std::string>()) << "</td><td>"
         << b["gantry_deg"].get<double>() << "</td><td>" << b["segments"].get<std::size_t>()
         << "</td><td>" << std::round(b["mu_per_fraction"].get<double>() * 10.0) / 10.0
         << "</td></tr>";
  }
  html << "</table><h2>Timings (s)</h2><table>";
  for (const auto& [name, seconds] : stages.items()) {
    html << "<tr><td>" << escape(name) << "</td><td>"
         << std::round(seconds.get<double>() * 100.0) / 100.0 << "</td></tr>";
  }
  html << "</table><p>Optimisation: " << result.optimizer.iterations << " iterations, objective "
       << result.optimizer.objective << ". Ideal vs deliverable dose in "
       << escape(protocol.prescribedStructure) << ": mean "
       << std::round(result.idealVsDeliverableMeanGy * 100.0) / 100.0 << " Gy, max "
       << std::round(result.idealVsDeliverableMaxGy * 100.0) / 100.0 << " Gy.</p></body></html>\n";
  writeAtomically(out / "report.html", html.str());
  return report;
}

} // namespace beamlet::cli
