#pragma once
// CT number -> relative electron density (to water), the CT scanner's calibration curve:
// piecewise linear between (HU, rED) points, clamped outside the table.

#include <string>
#include <utility>
#include <vector>

namespace beamlet::dose {

class DensityCalibration {
public:
  /// Points (HU, rED) with HU strictly ascending and rED >= 0; throws InvalidArgumentError.
  explicit DensityCalibration(std::vector<std::pair<double, double>> points,
                              std::string source = "");

  double relativeElectronDensity(double hu) const;
  const std::vector<std::pair<double, double>>& points() const { return points_; }
  const std::string& source() const { return source_; }

private:
  std::vector<std::pair<double, double>> points_;
  std::string source_;
};

/// Reads "HU,rED" lines ('#' comments and one header line allowed); throws DataError naming the
/// file and line.
DensityCalibration loadDensityCalibration(const std::string& csvPath);

/// The shipped default (resources/calibration/hu-to-red-default.csv).
DensityCalibration defaultDensityCalibration();

} // namespace beamlet::dose
