#pragma once
// report.json and report.html of `beamlet-cli plan`: clinical goals with pass/fail, DVHs (an SVG
// plot in the HTML), beams with segments and MU, optimisation and timings per stage.

#include "beamlet/dose/Planner.h"

#include <filesystem>
#include <string>

namespace beamlet::cli {

struct PlanReport {
  std::string json; ///< what report.json holds
  std::size_t segments = 0;
  double totalMu = 0.0; ///< per fraction
};

/// Writes report.json and report.html into `out` (each under a temporary name, then renamed).
PlanReport writePlanReport(const dose::Protocol& protocol, const StructureSet& structures,
                           const dose::PlanningResult& result, const std::filesystem::path& out,
                           double totalSeconds);

} // namespace beamlet::cli
