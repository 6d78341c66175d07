#pragma once
// Running one case of a `beamlet-cli qa` suite: the new dose (the protocol planned, or the RTPLAN
// recomputed) compared with the case's baseline by gamma and by DVH metrics, with what the
// reports draw (gamma histogram, an axial gamma map, DVH curves).

#include "QaSuite.h"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace beamlet::cli {

struct QaOptions {
  std::string out; ///< the run's folder (prepared); each case writes into out/<case folder>/
  std::string device = "auto";
  int threads = 0; ///< 0 = all cores
};

enum class QaStatus { Passed, Failed, Error };

/// "2%/2 mm" (with " local" for local gamma).
std::string gammaCriteria(const dose::GammaSettings& settings);

/// "passed", "failed", "error".
const char* qaStatusName(QaStatus status);

/// The axial plane of the gamma volume (on the baseline's grid) through the baseline's maximum,
/// cropped to the evaluated points and a margin.
struct QaGammaMap {
  int nx = 0;
  int ny = 0;
  double dxMm = 1.0; ///< spacing along i (columns)
  double dyMm = 1.0; ///< spacing along j (rows)
  int k = 0;
  double zMm = 0.0;          ///< patient z of the plane's centre
  std::vector<float> gamma;  ///< nx * ny, row-major; negative: not evaluated (Gamma.h)
  std::vector<float> doseGy; ///< the baseline on the plane (for its isodose outline)
  double maxDoseGy = 0.0;    ///< the baseline maximum
};

struct QaGammaOutcome {
  QaGammaTolerance tolerance;
  bool passed = false;
  double passRatePercent = 0.0;
  double meanGamma = 0.0;
  double maxGamma = 0.0;
  std::size_t pointsEvaluated = 0;
  std::size_t pointsPassed = 0;
  std::size_t pointsOutsideEval = 0;
  double referenceMaxGy = 0.0;
  double cutoffDoseGy = 0.0;
  double histogramBinWidth = 0.1;
  std::vector<std::size_t> histogram; ///< evaluated points per bin of gamma, 0 .. max gamma
  QaGammaMap map;
};

struct QaDvhOutcome {
  QaDvhTolerance tolerance;
  bool evaluated = false; ///< false: the structure is missing or has no contours (see note)
  bool passed = false;
  double baseline = 0.0;
  double value = 0.0; ///< on the evaluated dose
  double difference = 0.0;
  double allowed = 0.0; ///< the allowed |difference|, in the metric's unit
  std::string note;
};

struct QaDvhPlot {
  std::string structure;
  std::vector<std::pair<double, double>> baseline;  ///< (Gy, % of volume)
  std::vector<std::pair<double, double>> evaluated; ///< (Gy, % of volume)
};

struct QaCaseResult {
  std::string name;
  std::string description;
  std::string method;    ///< e.g. "protocol tg119-cshape planned on tg119 (demo)"
  std::string folder;    ///< where the case wrote its files
  std::string baseline;  ///< the baseline file
  std::string evaluated; ///< the new dose's RTDOSE, when written
  QaStatus status = QaStatus::Error;
  std::string reason;    ///< one line: why it failed or could not run; empty when passed
  std::string errorType; ///< with status Error: the exception's kind (IoError, DataError, ...)
  std::vector<std::string> failures; ///< each check that failed, one line each
  std::optional<QaGammaOutcome> gamma;
  std::vector<QaDvhOutcome> dvh;
  std::vector<QaDvhPlot> dvhPlots;
  double dvhMaxGy = 0.0;
  double baselineMaxGy = 0.0;
  double evaluatedMaxGy = 0.0;
  std::vector<std::string> notes;
  double seconds = 0.0;

  /// One line: "PASS name: ..." / "FAIL name: reason" / "ERROR name: reason".
  std::string summary() const;
};

/// Runs a case. Never throws a Beamlet error: a case that cannot run (a missing or unreadable
/// file, a planning failure) comes back with status Error and the reason.
QaCaseResult runQaCase(const QaCase& qaCase, const QaOptions& options);

} // namespace beamlet::cli
