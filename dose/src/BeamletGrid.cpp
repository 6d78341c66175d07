#include "beamlet/dose/BeamletGrid.h"

#include "beamlet/core/Error.h"

#include <cmath>
#include <set>
#include <utility>

namespace beamlet::dose {

std::vector<Bixel> makeBeamletGrid(const BeamFrame& frame, int beamIndex, const Mask& target,
                                   const BeamletGridOptions& options) {
  const double w = options.bixelWidthMm;
  if (!(w > 0.0) || options.marginMm < 0.0) {
    throw InvalidArgumentError("bixel width must be positive and the margin not negative");
  }
  const ImageGeometry& g = target.geometry();
  const double halfVoxel = 0.5 * g.spacing.maxCoeff();
  std::set<std::pair<int, int>> cells; // (y index, x index)
  for (int k = 0; k < g.dims[2]; ++k) {
    for (int j = 0; j < g.dims[1]; ++j) {
      for (int i = 0; i < g.dims[0]; ++i) {
        if (target(i, j, k) == 0) {
          continue;
        }
        const Vec3 bev = frame.toBev(g.indexToPatient(Vec3(i, j, k)));
        if (bev.z() <= 0.0) {
          continue; // behind the source
        }
        const double reach = 0.5 * w + options.marginMm + halfVoxel * frame.sad() / bev.z();
        const double bx = bev.x() - options.offsetXMm;
        const double by = bev.y() - options.offsetYMm;
        const int x0 = static_cast<int>(std::ceil((bx - reach) / w));
        const int x1 = static_cast<int>(std::floor((bx + reach) / w));
        const int y0 = static_cast<int>(std::ceil((by - reach) / w));
        const int y1 = static_cast<int>(std::floor((by + reach) / w));
        for (int y = y0; y <= y1; ++y) {
          for (int x = x0; x <= x1; ++x) {
            cells.emplace(y, x);
          }
        }
      }
    }
  }
  if (cells.empty()) {
    throw DataError("the target is empty: no bixels for beam " + std::to_string(beamIndex + 1));
  }
  std::vector<Bixel> bixels;
  bixels.reserve(cells.size());
  for (const auto& [y, x] : cells) {
    Bixel b;
    b.beam = beamIndex;
    b.xMm = options.offsetXMm + x * w;
    b.yMm = options.offsetYMm + y * w;
    b.widthMm = w;
    bixels.push_back(b);
  }
  return bixels;
}

} // namespace beamlet::dose
