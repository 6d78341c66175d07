#pragma once
// Binary morphology on masks in millimetres: exact Euclidean
// distance transforms with anisotropic spacing, erosion and dilation by a ball, connected
// components, per-slice hole filling.

#include "beamlet/core/Volume.h"

#include <cstdint>
#include <vector>

namespace beamlet {

/// Squared Euclidean distance in mm^2 from every voxel to the nearest voxel where `mask` is
/// non-zero (0 on those voxels; a huge value everywhere when the mask is empty). Separable exact
/// transform of Felzenszwalb and Huttenlocher, "Distance transforms of sampled functions", Theory
/// of Computing 8 (2012) 415-428, doi:10.4086/toc.2012.v008a019, one pass per axis with that axis's
/// spacing, so a ball in mm stays a ball on an anisotropic grid.
std::vector<float> squaredDistanceMm(const Mask& mask);

/// Voxels within radiusMm of the mask (dilation by a ball).
Mask dilateMm(const Mask& mask, double radiusMm);
/// Voxels whose ball of radiusMm lies inside the mask (erosion; voxels outside the grid count as
/// outside the mask).
Mask erodeMm(const Mask& mask, double radiusMm);

/// 6-connected components of the non-zero voxels: labels 1..n (0 = background) and the voxel
/// count of each label (index 0 unused).
struct Components {
  std::vector<std::int32_t> label;
  std::vector<std::size_t> size;
};
Components components6(const Mask& mask);

/// The largest 6-connected component (ties: first found in memory order); empty mask when none.
Mask largestComponent(const Mask& mask);

/// On every axial slice, fills each background region the slice border cannot reach
/// (4-connected background).
void fillHolesPerSlice(Mask& mask);

std::size_t countVoxels(const Mask& mask);

/// Calls visit(m) for each face neighbour m (up to 6, inside the grid) of the voxel with linear
/// index n on a grid of `dims` (x fastest): the step of every 6-connected flood fill.
template <typename Visit>
void forEachFaceNeighbour(std::size_t n, const Index3& dims, Visit&& visit) {
  const auto nx = static_cast<std::size_t>(dims[0]);
  const std::size_t nxy = nx * static_cast<std::size_t>(dims[1]);
  const auto i = static_cast<int>(n % nx);
  const auto j = static_cast<int>((n / nx) % static_cast<std::size_t>(dims[1]));
  const auto k = static_cast<int>(n / nxy);
  if (i > 0) {
    visit(n - 1);
  }
  if (i + 1 < dims[0]) {
    visit(n + 1);
  }
  if (j > 0) {
    visit(n - nx);
  }
  if (j + 1 < dims[1]) {
    visit(n + nx);
  }
  if (k > 0) {
    visit(n - nxy);
  }
  if (k + 1 < dims[2]) {
    visit(n + nxy);
  }
}

} // namespace beamlet
