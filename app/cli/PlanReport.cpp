#include "PlanReport.h"
#include "ReportSvg.h"

#include "beamlet/dose/Dvh.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace fs = std::filesystem;

namespace beamlet::cli {

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
  std::vector<DvhCurve> curves;
  double maxGy = protocol.prescriptionGy * 1.2;
  nlohmann::ordered_json dvhs = nlohmann::ordered_json::array();
  for (const dose::StructureMatch& m : dose::matchStructures(protocol, structures)) {
    if (!m.found()) {
      continue;
    }
    const Structure& s = structures.structures[static_cast<std::size_t>(m.setIndex)];
    const dose::Dvh dvh = dose::computeDvh(s, result.dose);
    DvhCurve c;
    c.name = s.name;
    c.color = s.color;
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
       << escapeXml(protocol.name) << "</title><style>body{font-family:sans-serif;margin:2em}"
       << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
       << ".met{color:#070}.not{color:#b00;font-weight:bold}</style></head><body>";
  html << "<h1>" << escapeXml(protocol.name) << "</h1><p>" << protocol.prescriptionGy << " Gy in "
       << protocol.fractions << " fractions to " << escapeXml(protocol.prescribedStructure) << "; "
       << result.plan.beams.size() << " beams, " << report.segments << " segments, "
       << std::lround(report.totalMu) << " MU per fraction.</p>";
  html << "<h2>Clinical goals (" << met << " of " << result.goals.size()
       << " met)</h2><table><tr><th>goal</th><th>achieved</th><th></th><th>note</th></tr>";
  for (const dose::GoalResult& g : result.goals) {
    html << "<tr><td>" << escapeXml(g.goal.text) << "</td><td>";
    if (g.evaluated) {
      html << std::round(g.achieved * 100.0) / 100.0 << " " << escapeXml(g.goal.unit);
    }
    html << "</td><td class='" << (g.met ? "met'>met" : "not'>not met") << "</td><td>"
         << escapeXml(g.note) << "</td></tr>";
  }
  html << "</table><h2>Dose-volume histograms</h2>" << dvhSvg(curves, maxGy);
  html << "<h2>Beams</h2><table><tr><th>beam</th><th>gantry</th><th>segments</th><th>MU per "
          "fraction</th></tr>";
  for (const auto& b : beams) {
    html << "<tr><td>" << escapeXml(b["name"].get<std::string>()) << "</td><td>"
         << b["gantry_deg"].get<double>() << "</td><td>" << b["segments"].get<std::size_t>()
         << "</td><td>" << std::round(b["mu_per_fraction"].get<double>() * 10.0) / 10.0
         << "</td></tr>";
  }
  html << "</table><h2>Timings (s)</h2><table>";
  for (const auto& [name, seconds] : stages.items()) {
    html << "<tr><td>" << escapeXml(name) << "</td><td>"
         << std::round(seconds.get<double>() * 100.0) / 100.0 << "</td></tr>";
  }
  html << "</table><p>Optimisation: " << result.optimizer.iterations << " iterations, objective "
       << result.optimizer.objective << ". Ideal vs deliverable dose in "
       << escapeXml(protocol.prescribedStructure) << ": mean "
       << std::round(result.idealVsDeliverableMeanGy * 100.0) / 100.0 << " Gy, max "
       << std::round(result.idealVsDeliverableMaxGy * 100.0) / 100.0 << " Gy.</p></body></html>\n";
  writeAtomically(out / "report.html", html.str());
  return report;
}

} // namespace beamlet::cli
