#pragma once
// Compares two images voxel centre by voxel centre in patient space, so that grids that differ only
// by axis order or flips (NIfTI writers reorient freely) compare equal.

#include "beamlet/core/Image.h"

#include <cmath>
#include <sstream>
#include <string>

namespace beamlet::test {

struct Comparison {
  bool sameCentres = false; ///< every reference voxel centre is a voxel centre of ours
  double maxCentreErrorMm = 0.0;
  double maxValueDifference = 0.0;
  std::size_t valueMismatches = 0;
  std::string describe() const {
    std::ostringstream s;
    s << "centres " << (sameCentres ? "match" : "DIFFER") << " (max " << maxCentreErrorMm
      << " mm), max value difference " << maxValueDifference << ", " << valueMismatches
      << " voxel(s) beyond tolerance";
    return s.str();
  }
};

/// For each voxel of `reference`, finds the voxel of `ours` with the same centre (within tolMm)
/// and compares values (|a - b| <= valueTolerance). Grids must have equal voxel counts.
inline Comparison compareOnVoxelCentres(const Image& ours, const Image& reference, double tolMm,
                                        double valueTolerance) {
  Comparison c;
  const ImageGeometry& g = ours.geometry();
  const ImageGeometry& r = reference.geometry();
  if (g.voxelCount() != r.voxelCount()) {
    c.maxCentreErrorMm = INFINITY;
    return c;
  }
  c.sameCentres = true;
  for (int k = 0; k < r.dims[2]; ++k) {
    for (int j = 0; j < r.dims[1]; ++j) {
      for (int i = 0; i < r.dims[0]; ++i) {
        const Vec3 p = r.indexToPatient(Vec3(i, j, k));
        const Vec3 q = g.patientToIndex(p);
        const int a = static_cast<int>(std::lround(q.x()));
        const int b = static_cast<int>(std::lround(q.y()));
        const int d = static_cast<int>(std::lround(q.z()));
        if (!g.contains(a, b, d)) {
          c.sameCentres = false;
          c.maxCentreErrorMm = INFINITY;
          return c;
        }
        const double err = (g.indexToPatient(Vec3(a, b, d)) - p).norm();
        c.maxCentreErrorMm = std::max(c.maxCentreErrorMm, err);
        if (err > tolMm) {
          c.sameCentres = false;
        }
        const double diff = std::abs(ours.valueAt(g.linearIndex(a, b, d)) -
                                     reference.valueAt(r.linearIndex(i, j, k)));
        c.maxValueDifference = std::max(c.maxValueDifference, diff);
        if (diff > valueTolerance) {
          ++c.valueMismatches;
        }
      }
    }
  }
  return c;
}

} // namespace beamlet::test
