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

} // namespace beamlet
