#include "beamlet/dose/DensityCalibration.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Resources.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace beamlet::dose {

DensityCalibration::DensityCalibration(std::vector<std::pair<double, double>> points,
                                       std::string source)
    : points_(std::move(points)), source_(std::move(source)) {
  if (points_.size() < 2) {
    throw InvalidArgumentError("a HU to density calibration needs at least two points");
  }
  for (std::size_t n = 0; n < points_.size(); ++n) {
    if (points_[n].second < 0.0) {
      throw InvalidArgumentError("negative relative electron density in the calibration");
    }
    if (n > 0 && !(points_[n].first > points_[n - 1].first)) {
      throw InvalidArgumentError("calibration HU values must be strictly ascending");
    }
  }
}

double DensityCalibration::relativeElectronDensity(double hu) const {
  if (hu <= points_.front().first) {
    return points_.front().second;
  }
  if (hu >= points_.back().first) {
    return points_.back().second;
  }
  const auto upper = std::upper_bound(points_.begin(), points_.end(), hu,
                                      [](double v, const auto& p) { return v < p.first; });
  const auto lower = upper - 1;
  const double f = (hu - lower->first) / (upper->first - lower->first);
  return lower->second + f * (upper->second - lower->second);
}

DensityCalibration loadDensityCalibration(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw IoError(withContext(path, "cannot open the HU to density calibration"));
  }
  std::vector<std::pair<double, double>> points;
  std::string line;
  int lineNumber = 0;
  bool headerSeen = false;
  while (std::getline(in, line)) {
    ++lineNumber;
    line.erase(std::find(line.begin(), line.end(), '#'), line.end());
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    double hu = 0.0;
    double red = 0.0;
    if (!(fields >> hu >> red)) {
      if (!headerSeen && points.empty()) {
        headerSeen = true;
        continue;
      }
      throw DataError(withContext(path, "line " + std::to_string(lineNumber) +
                                            ": expected two numbers 'HU,rED'"));
    }
    points.emplace_back(hu, red);
  }
  try {
    return DensityCalibration(std::move(points), path);
  } catch (const InvalidArgumentError& e) {
    throw DataError(withContext(path, e.what()));
  }
}

DensityCalibration defaultDensityCalibration() {
  return loadDensityCalibration(resourcePath("calibration/hu-to-red-default.csv"));
}

} // namespace beamlet::dose
