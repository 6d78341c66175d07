#pragma once
// A synthetic Dij case generated in code, for the GPU-vs-CPU test and the GPU benchmark: a water
// box (180 x 160 x 150 mm) in air with a bone slab (relative electron density 1.6) and a lung-like
// block (0.3), four coplanar beams (gantry 0, 90, 200 and 300 degrees, one oblique to the box's
// faces so that bixel SSDs differ) at the box centre, each with a square grid of bixels.

#include "beamlet/dose/DoseEngine.h"

#include <cmath>
#include <string>
#include <vector>

namespace beamlet::test {

struct WaterBoxCase {
  dose::DoseProblem problem;
  std::vector<dose::Bixel> bixels;
};

/// Voxels of `voxelMm`; `bixelsPerSide`^2 bixels of `bixelMm` per beam (4 x 49 = 196 by default).
inline WaterBoxCase waterBoxCase(double voxelMm = 3.0, int bixelsPerSide = 7,
                                 double bixelMm = 10.0) {
  // The grid covers 240 x 240 x 180 mm around the origin (voxel centres).
  const Index3 dims{static_cast<int>(std::lround(240.0 / voxelMm)),
                    static_cast<int>(std::lround(240.0 / voxelMm)),
                    static_cast<int>(std::lround(180.0 / voxelMm))};
  const Vec3 spacing(voxelMm, voxelMm, voxelMm);
  const Vec3 origin(-0.5 * (dims[0] - 1) * voxelMm, -0.5 * (dims[1] - 1) * voxelMm,
                    -0.5 * (dims[2] - 1) * voxelMm);
  const ImageGeometry grid(dims, origin, spacing);
  WaterBoxCase c;
  c.problem.density = VolumeF32(grid, 0.0f);
  c.problem.doseGrid = grid;
  for (int k = 0; k < dims[2]; ++k) {
    for (int j = 0; j < dims[1]; ++j) {
      for (int i = 0; i < dims[0]; ++i) {
        const Vec3 p = origin + Vec3(i * voxelMm, j * voxelMm, k * voxelMm);
        if (std::abs(p.x()) > 90.0 || std::abs(p.y()) > 80.0 || std::abs(p.z()) > 75.0) {
          continue; // air (density 0), not computed
        }
        float density = 1.0f;
        if (p.y() > 30.0 && p.y() < 45.0) {
          density = 1.6f; // bone slab across the box
        } else if (p.x() < -30.0 && p.x() > -70.0 && std::abs(p.z()) < 40.0) {
          density = 0.3f; // lung-like block
        }
        const std::size_t v = (static_cast<std::size_t>(k) * dims[1] + j) * dims[0] + i;
        c.problem.density[v] = density;
        c.problem.voxels.push_back(static_cast<std::uint32_t>(v));
      }
    }
  }
  for (double gantry : {0.0, 90.0, 200.0, 300.0}) {
    dose::BeamSetup beam;
    beam.name = "gantry " + std::to_string(static_cast<int>(gantry));
    beam.angles.gantryDeg = gantry;
    beam.isocenter = Vec3(0.0, 0.0, 0.0);
    c.problem.beams.push_back(beam);
  }
  for (std::size_t b = 0; b < c.problem.beams.size(); ++b) {
    for (int iy = 0; iy < bixelsPerSide; ++iy) {
      for (int ix = 0; ix < bixelsPerSide; ++ix) {
        dose::Bixel x;
        x.beam = static_cast<int>(b);
        x.xMm = (ix - 0.5 * (bixelsPerSide - 1)) * bixelMm;
        x.yMm = (iy - 0.5 * (bixelsPerSide - 1)) * bixelMm;
        x.widthMm = bixelMm;
        c.bixels.push_back(x);
      }
    }
  }
  return c;
}

} // namespace beamlet::test
