#pragma once
// Voxel sampling for fluence optimisation (Martin, Bortfeld & Castanon, "Accelerating IMRT
// optimization by voxel sampling", Phys Med Biol 52:7211, 2007, doi:10.1088/0031-9155/52/24/006):
// the voxels where the dose matters in detail (targets, organs at risk, a margin around the
// targets where the dose falls off) are all kept, but normal tissue far from the targets only on
// a regular lattice, each kept voxel standing for the ones left out around it. The Dij then has
// fewer rows and entries, and every optimiser evaluation (one Dij w, one Dij^T g) gets cheaper;
// the final dose is computed on the full grid (docs/optimization.md).

#include "beamlet/core/ImageGeometry.h"
#include "beamlet/core/Volume.h"

#include <cstdint>
#include <vector>

namespace beamlet::dose {

/// Defaults measured on TG-119 (docs/benchmarks.md, docs/optimization.md): 1 voxel in 27 with a
/// 10 mm margin gives a Dij of 7.5 M non-zeros against 11.7 M for 1 in 8 with 20 mm, about half
/// the optimisation time, and an optimum as good on the exact dose (within the spread that the
/// Dij's own entry sampling causes).
struct VoxelSamplingOptions {
  /// Normal-tissue voxels are kept where the grid indices i, j and k are all multiples of this
  /// (1/stride^3 of them: 1 in 27 by default, a 9 mm lattice on a 3 mm grid); 1 keeps every
  /// voxel (no sampling).
  int stride = 3;
  /// Voxels within this distance of a target (mm) are kept in full: the dose fall-off around the
  /// target is where normal-tissue objectives act.
  double targetMarginMm = 10.0;
};

/// The voxels within `radiusMm` of a voxel of `mask` (centre to centre, the grid's spacing),
/// `mask` included: a dilation by a ball.
Mask dilateMask(const Mask& mask, double radiusMm);

/// Positions in `voxels` (linear grid indices, ascending) that are kept: every voxel where
/// `sampleable` is 0, and the sampleable ones on the lattice whose indices i, j, k are multiples
/// of `stride` (>= 1). Throws InvalidArgumentError when stride < 1 or a voxel lies outside the
/// mask's grid.
std::vector<std::uint32_t> latticeSample(const std::vector<std::uint32_t>& voxels,
                                         const Mask& sampleable, int stride);

} // namespace beamlet::dose
