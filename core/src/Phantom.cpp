#include "beamlet/core/Phantom.h"

#include <cmath>

namespace beamlet {

namespace {
bool insideEllipse(double x, double y, double cx, double cy, double rx, double ry) {
  const double u = (x - cx) / rx;
  const double v = (y - cy) / ry;
  return u * u + v * v <= 1.0;
}
} // namespace

Image makeDemoCtPhantom() {
  const Index3 dims{160, 128, 60};
  const Vec3 spacing(2.5, 2.5, 3.0);
  // Centre the grid on the LPS origin: first voxel centre at -(n-1)/2 * spacing.
  const Vec3 origin(-0.5 * (dims[0] - 1) * spacing[0], -0.5 * (dims[1] - 1) * spacing[1],
                    -0.5 * (dims[2] - 1) * spacing[2]);
  const ImageGeometry geometry(dims, origin, spacing);
  VolumeI16 ct(geometry, static_cast<std::int16_t>(-1000));
  for (int k = 0; k < dims[2]; ++k) {
    for (int j = 0; j < dims[1]; ++j) {
      for (int i = 0; i < dims[0]; ++i) {
        const Vec3 p = geometry.indexToPatient(Vec3(i, j, k));
        const double x = p.x();
        const double y = p.y();
        std::int16_t hu = -1000;
        if (insideEllipse(x, y, 0, 0, 170, 120)) {
          hu = 0;
          if (!insideEllipse(x, y, 0, 0, 160, 110)) {
            hu = 700;
          }
          if (insideEllipse(x, y, -70, -10, 50, 70) || insideEllipse(x, y, 70, -10, 50, 70)) {
            hu = -750;
          }
          if (std::abs(p.z()) < 40 && insideEllipse(x, y, 0, 50, 25, 25)) {
            hu = 40;
          }
        }
        ct(i, j, k) = hu;
      }
    }
  }
  Image image{std::move(ct)};
  image.modality = "CT";
  image.units = "HU";
  image.description = "Beamlet demo phantom";
  return image;
}

} // namespace beamlet
