#pragma once
// The cases of the Nelms et al. 2015 analytic DVH benchmark (dvh/nelms/analytical.csv) whose dose
// grids are in the shared data: structure file, dose file and the analytic answers.

#include <array>
#include <fstream>
#include <string>
#include <vector>

namespace beamlet::test {

struct NelmsCase {
  std::string structure;     ///< e.g. "Sphere_10_X05"
  std::string sliceSpacing;  ///< CT slice spacing column, e.g. "1mm"
  std::string doseVoxelMm;   ///< "1", "2" or "3"
  std::string gradient;      ///< "Z(AP)" or "Y(SI)"
  std::string structureFile; ///< relative to the test data
  std::string doseFile;
  double volumeCc = 0.0;
  /// Dmin, Dmax, Dmean, D99, D95, D5, D1, D0.03cc in Gy.
  std::array<double, 8> doses{};
};

inline const std::array<const char*, 8>& nelmsMetrics() {
  static const std::array<const char*, 8> names{"Dmin", "Dmax", "Dmean", "D99%",
                                                "D95%", "D5%",  "D1%",   "D0.03cc"};
  return names;
}

/// Splits one CSV line, honouring double quotes.
inline std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

inline std::vector<NelmsCase> nelmsCases(const std::string& csvPath) {
  std::vector<NelmsCase> cases;
  std::ifstream in(csvPath);
  std::string line;
  std::getline(in, line); // header
  const std::string base = "dvh/nelms/DVH-Analysis-Data-Etc/";
  while (std::getline(in, line)) {
    const std::vector<std::string> f = splitCsv(line);
    if (f.size() < 14 || f[3].find('x') != std::string::npos) {
      continue; // the 0.4x0.2x0.4 mm dose grids are not in the data set
    }
    NelmsCase c;
    c.structure = f[0];
    c.sliceSpacing = f[1];
    c.doseVoxelMm = f[3];
    c.gradient = f[4];
    c.structureFile = base + "STRUCTURES/" + c.structure + ".dcm";
    c.doseFile = base + "DOSE GRIDS/Linear_" +
                 std::string(c.gradient.find("AP") != std::string::npos ? "AntPost" : "SupInf") +
                 "_" + c.doseVoxelMm + "mm_Aligned.dcm";
    c.volumeCc = std::stod(f[5]);
    for (std::size_t m = 0; m < 8; ++m) {
      c.doses[m] = std::stod(f[6 + m]) / 100.0; // cGy -> Gy
    }
    cases.push_back(c);
  }
  return cases;
}

} // namespace beamlet::test
