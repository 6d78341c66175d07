#pragma once
// Per-beam voxel data shared by the CPU and GPU paths of the SVD pencil beam: for every computed
// voxel in reach of the beam, its compact row, its position projected onto the isocentre plane
// and its depth factors times the inverse-square factor (the part of the dose that does not
// depend on the bixel), plus a lateral bucket grid for finding the voxels near a bixel.

#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/PhotonMachine.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace beamlet::dose::detail {

struct BeamVoxels {
  std::vector<std::uint32_t> rows;      ///< compact row (index into DoseProblem::voxels)
  std::vector<Eigen::Vector2f> xy;      ///< BEV position at the isocentre plane, mm
  std::vector<Eigen::Vector4f> factors; ///< a_k = D_k(z) (SAD/r)^2, k = 0..2; [3] = 0
  // Buckets: square cells of bucketMm over [x0, x0 + nx cell) x [y0, y0 + ny cell); voxels of
  // bucket b are order[start[b] .. start[b + 1]).
  double x0 = 0.0;
  double y0 = 0.0;
  double bucketMm = 5.0;
  int nx = 0;
  int ny = 0;
  std::vector<std::uint32_t> start;
  std::vector<std::uint32_t> order;
};

/// Voxels of `problem` whose projection lies in [xMin, xMax] x [yMin, yMax] (mm, isocentre plane)
/// of beam `frame`, in front of the source. Radiological depths are traced on all cores.
BeamVoxels prepareBeamVoxels(const PhotonMachine& machine, const DoseProblem& problem,
                             const BeamFrame& frame, double xMin, double xMax, double yMin,
                             double yMax, double bucketMm, const ProgressScope& progress);

} // namespace beamlet::dose::detail
