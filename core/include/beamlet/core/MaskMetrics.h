#pragma once
// Agreement between two binary masks on the same grid: Dice, volumes, and surface distances in mm
// (docs/contouring.md, "Evaluating contours").
//
// Surface voxels: voxels inside (non-zero) with at least one of their six face neighbours outside
// or beyond the grid border. The directed surface distances from A to B are, for every surface
// voxel of A, the Euclidean distance (mm, patient space, any spacing) from its centre to the
// nearest surface-voxel centre of B; they come from an exact Euclidean distance transform of B's
// surface (separable squared EDT of Felzenszwalb & Huttenlocher, "Distance transforms of sampled
// functions", Theory of Computing 8:415-428, 2012, doi:10.4086/toc.2012.v008a019, with the
// spacing of each axis in the parabolas). The symmetric metrics pool both directed sets:
//   HD    = the largest distance of either set (Hausdorff distance),
//   HD95  = the 95th percentile of the union of both sets, linear interpolation between order
//           statistics (numpy's default, as MedPy's hd95 does),
//   MSD   = the mean of the union of both sets (average symmetric surface distance, Heimann et al.
//           2009: the sum of both sets' distances over the number of surface voxels of both).

#include "beamlet/core/Volume.h"

#include <cstddef>
#include <vector>

namespace beamlet {

struct MaskComparison {
  std::size_t referenceVoxels = 0;
  std::size_t evaluatedVoxels = 0;
  std::size_t overlapVoxels = 0; ///< voxels inside both
  std::size_t referenceSurfaceVoxels = 0;
  std::size_t evaluatedSurfaceVoxels = 0;
  double referenceVolumeCc = 0.0;
  double evaluatedVolumeCc = 0.0;
  double volumeDifferenceCc = 0.0;      ///< evaluated - reference
  double volumeDifferencePercent = 0.0; ///< 100 * difference / reference; NaN when reference empty
  double dice = 1.0;                    ///< 2|A and B| / (|A| + |B|); 1 when both are empty
  /// Surface distances (mm): NaN when either mask is empty (not defined).
  double hausdorffMm = 0.0;
  double hd95Mm = 0.0;
  double meanSurfaceDistanceMm = 0.0;
};

/// The surface voxels of `mask` (1 on the surface, 0 elsewhere), same grid.
Mask surfaceOf(const Mask& mask);

/// Squared Euclidean distance (mm^2) from every voxel centre of the mask's grid to the nearest
/// voxel centre set in `mask`, exact, honouring each axis' spacing; +infinity everywhere when the
/// mask is empty.
std::vector<double> squaredDistanceTransformMm2(const Mask& mask);

/// Directed surface distances (mm) from each surface voxel of `from` to the surface of `to`, in
/// voxel order. Empty when `from` is empty; +infinity entries when `to` is empty.
std::vector<double> directedSurfaceDistancesMm(const Mask& from, const Mask& to);

/// Percentile p (0..100) of `values` with linear interpolation between order statistics (position
/// p/100 * (n - 1) in the sorted values); NaN when `values` is empty.
double percentileLinear(std::vector<double> values, double p);

/// Compares `evaluated` against `reference`. Both must be on the same grid (same dims; the
/// reference's spacing is used): throws InvalidArgumentError otherwise.
MaskComparison compareMasks(const Mask& reference, const Mask& evaluated);

} // namespace beamlet
