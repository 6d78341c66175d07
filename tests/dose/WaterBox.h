#pragma once
// In-memory dose problems for tests: a water box in air on a chosen grid, dose computed in the
// water, and open square fields.

#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/LateralKernels.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <cmath>

namespace beamlet::test {

/// Water (density 1) where |x| <= hx, |y| <= hy, |z| <= hz (LPS mm, voxel centres), air 0.001
/// elsewhere, on `grid`; dose grid = `doseGrid`; computed voxels: the water.
inline dose::DoseProblem waterBox(const ImageGeometry& grid, const ImageGeometry& doseGrid,
                                  double hx, double hy, double hz) {
  dose::DoseProblem p;
  p.density = VolumeF32(grid, 0.001f);
  auto inside = [&](const Vec3& q) {
    return std::abs(q.x()) <= hx && std::abs(q.y()) <= hy && std::abs(q.z()) <= hz;
  };
  for (int k = 0; k < grid.dims[2]; ++k) {
    for (int j = 0; j < grid.dims[1]; ++j) {
      for (int i = 0; i < grid.dims[0]; ++i) {
        if (inside(grid.indexToPatient(Vec3(i, j, k)))) {
          p.density(i, j, k) = 1.0f;
        }
      }
    }
  }
  p.doseGrid = doseGrid;
  for (int k = 0; k < doseGrid.dims[2]; ++k) {
    for (int j = 0; j < doseGrid.dims[1]; ++j) {
      for (int i = 0; i < doseGrid.dims[0]; ++i) {
        if (inside(doseGrid.indexToPatient(Vec3(i, j, k)))) {
          p.voxels.push_back(static_cast<std::uint32_t>(doseGrid.linearIndex(i, j, k)));
        }
      }
    }
  }
  return p;
}

/// A grid of `spacing` whose voxel faces fall on multiples of the spacing and which covers
/// [-h, h] on each axis (so a box of half-size h made of whole voxels fits).
inline ImageGeometry centredGrid(const Vec3& spacing, const Vec3& half) {
  Index3 dims{};
  Vec3 origin;
  for (int d = 0; d < 3; ++d) {
    dims[d] = static_cast<int>(std::lround(2 * half[d] / spacing[d]));
    origin[d] = -half[d] + 0.5 * spacing[d];
  }
  return ImageGeometry(dims, origin, spacing);
}

/// A square open field of `widthMm` with fluence weight `weight` for beam `beam`.
inline dose::BeamFluence openField(const dose::PhotonMachine& m, int beam, double widthMm,
                                   double weight = 1.0) {
  dose::BeamFluence f;
  f.beam = beam;
  f.fluence = dose::bixelFluence(m, widthMm);
  for (float& v : f.fluence.values) {
    v *= static_cast<float>(weight);
  }
  return f;
}

} // namespace beamlet::test
