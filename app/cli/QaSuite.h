#pragma once
// The suite file of `beamlet-cli qa` (docs/qa.md): cases, each an image with its structures, a
// protocol to plan or an RTPLAN to recompute, a baseline dose and the tolerances the new dose is
// held to. Loading checks every key and value; the files a case names are only checked when the
// case runs (a missing file fails that case, not the suite).

#include "beamlet/dose/Gamma.h"

#include <optional>
#include <string>
#include <vector>

namespace beamlet::cli {

struct QaGammaTolerance {
  dose::GammaSettings settings; ///< dose difference, DTA, cut-off, local, max gamma
  double minPassRatePercent = 0.0;
};

/// One DVH metric of one structure: |evaluated - baseline| must not exceed the tolerance.
struct QaDvhTolerance {
  std::string structure; ///< name in the structure set (exact, then ignoring case)
  std::string metric;    ///< evaluateMetric's (Dvh.h): "D95%", "D2cc", "Dmean", "V20Gy", ...
  std::string unit;      ///< the metric's unit: "Gy", "cc" or "%"
  std::string key;       ///< the suite key the tolerance was given as, e.g. "tolerance_Gy"
  double value = 0.0;    ///< as given
  bool relative = false; ///< value is a percentage of the baseline's metric (tolerance_percent)

  /// The allowed absolute difference, in `unit`, for this baseline value.
  double allowed(double baseline) const;
  /// E.g. "0.5 Gy", "2% of baseline".
  std::string describe() const;
};

struct QaCase {
  std::string name;
  std::string folder; ///< the name made safe as a folder name (unique in the suite)
  std::string description;
  std::string demo;       ///< "tg119" or empty
  std::string image;      ///< CT series folder or CT volume file (absolute); empty with demo
  std::string structures; ///< RTSTRUCT, or a mask folder with a volume image (absolute)
  std::string protocol;   ///< protocol file (absolute) or a shipped protocol's id; or empty
  std::string plan;       ///< RTPLAN to recompute (absolute); or empty
  std::string baseline;   ///< RTDOSE or dose volume file (absolute)
  double gridMm = 3.0;    ///< plan cases: dose grid
  std::vector<std::string> overrides; ///< plan cases: NAME=RED
  std::string calibration;            ///< plan cases: HU to rED table (absolute) or empty
  std::optional<QaGammaTolerance> gamma;
  std::vector<QaDvhTolerance> dvh;
};

struct QaSuite {
  std::string file; ///< absolute
  std::string name; ///< "name", else the file name without extension
  std::string description;
  std::vector<QaCase> cases;
};

/// Reads and checks a suite. Throws IoError when it cannot be read and DataError, one line naming
/// the file and the key (e.g. "cases[1].tolerances.gamma.dose_percent"), for anything wrong in it.
QaSuite loadQaSuite(const std::string& path);

} // namespace beamlet::cli
