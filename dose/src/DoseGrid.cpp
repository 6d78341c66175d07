#include "beamlet/dose/DoseGrid.h"

#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>

namespace beamlet::dose {

ImageGeometry makeDoseGrid(const ImageGeometry& image, double spacingMm) {
  if (!(spacingMm > 0.0)) {
    throw InvalidArgumentError("dose grid spacing must be positive");
  }
  Index3 dims{};
  Vec3 start;
  for (int d = 0; d < 3; ++d) {
    const double extent = image.dims[d] * image.spacing[d]; // outer face to outer face
    dims[d] = std::max(1, static_cast<int>(std::ceil(extent / spacingMm - 1e-6)));
    // Centre the dose grid on the image along this axis (index units of the image).
    const double imageCentre = 0.5 * (image.dims[d] - 1);
    const double firstOffsetMm = -0.5 * (dims[d] - 1) * spacingMm;
    start[d] = imageCentre + firstOffsetMm / image.spacing[d];
  }
  const Vec3 origin = image.indexToPatient(start);
  return ImageGeometry(dims, origin, Vec3::Constant(spacingMm), image.direction);
}

std::vector<std::uint32_t> voxelsInside(const ImageGeometry& doseGrid,
                                        const std::vector<const Structure*>& structures) {
  Mask any(doseGrid, 0);
  for (const Structure* s : structures) {
    if (s == nullptr || s->empty()) {
      continue;
    }
    const Mask m = rasterize(*s, doseGrid);
    for (std::size_t n = 0; n < m.size(); ++n) {
      any[n] = static_cast<std::uint8_t>(any[n] | m[n]);
    }
  }
  std::vector<std::uint32_t> voxels;
  for (std::size_t n = 0; n < any.size(); ++n) {
    if (any[n] != 0) {
      voxels.push_back(static_cast<std::uint32_t>(n));
    }
  }
  return voxels;
}

std::vector<std::uint32_t> voxelsAboveDensity(const ImageGeometry& doseGrid,
                                              const VolumeF32& density, double threshold) {
  const ImageGeometry& g = density.geometry();
  std::vector<std::uint32_t> voxels;
  for (int k = 0; k < doseGrid.dims[2]; ++k) {
    for (int j = 0; j < doseGrid.dims[1]; ++j) {
      for (int i = 0; i < doseGrid.dims[0]; ++i) {
        const Vec3 q = g.patientToIndex(doseGrid.indexToPatient(Vec3(i, j, k)));
        const int a = static_cast<int>(std::lround(q.x()));
        const int b = static_cast<int>(std::lround(q.y()));
        const int c = static_cast<int>(std::lround(q.z()));
        if (g.contains(a, b, c) && density(a, b, c) > threshold) {
          voxels.push_back(static_cast<std::uint32_t>(doseGrid.linearIndex(i, j, k)));
        }
      }
    }
  }
  return voxels;
}

} // namespace beamlet::dose
