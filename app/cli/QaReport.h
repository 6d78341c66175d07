#pragma once
// The reports of a `beamlet-cli qa` run: JUnit XML (the Ant/Jenkins schema CI servers read), an
// HTML page with per-case tables and inline SVG plots (gamma histogram, axial gamma map, DVHs of
// baseline and evaluated dose), and the results as JSON.

#include "QaRun.h"
#include "QaSuite.h"

#include <string>
#include <vector>

namespace beamlet::cli {

struct QaRunInfo {
  std::string out;       ///< the run's folder
  std::string timestamp; ///< start, local time, ISO 8601 without zone ("2024-05-01T12:00:00")
  double seconds = 0.0;
};

std::string qaJunitXml(const QaSuite& suite, const std::vector<QaCaseResult>& results,
                       const QaRunInfo& run);

std::string qaHtml(const QaSuite& suite, const std::vector<QaCaseResult>& results,
                   const QaRunInfo& run);

/// {"format": "beamlet-qa-results", "version": 1, ...} (docs/qa.md).
std::string qaJson(const QaSuite& suite, const std::vector<QaCaseResult>& results,
                   const QaRunInfo& run);

} // namespace beamlet::cli
