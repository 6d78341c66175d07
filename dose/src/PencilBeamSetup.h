#pragma once
// Per-beam set-up of the SVD pencil beam's dose-influence matrix, shared by the CPU engine
// (SvdPencilBeam.cpp) and the GPU engine (dose/cuda/): which bixels belong to a beam, their SSDs,
// the beam's voxels in reach (BeamVoxels.h), the lateral kernel tables (one per bixel width and
// SSD node) and the lateral buckets searched for each bixel. Both engines evaluate the same
// entries from this set-up, so their matrices differ only by float rounding.

#include "BeamVoxels.h"

#include "beamlet/core/Progress.h"
#include "beamlet/dose/DoseEngine.h"
#include "beamlet/dose/LateralKernels.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <cstddef>
#include <map>
#include <utility>
#include <vector>

namespace beamlet::dose::detail {

/// Kernel tables by (bixel width mm, kernel SSD node mm).
using KernelTables = std::map<std::pair<double, double>, LateralKernelTable>;

struct PreparedBeam {
  std::vector<std::size_t> bixels; ///< indices of the beam's bixels in the Dij's bixel list
  BeamVoxels voxels;
  KernelTables tables;
};

/// Indices of the bixels of beam `beam`, ascending.
std::vector<std::size_t> bixelsOfBeam(const std::vector<Bixel>& bixels, std::size_t beam);

/// Dose of a bixel is computed out to this distance (mm, isocentre plane) from its centre.
inline double bixelReachMm(const DijOptions& options, const Bixel& bixel) {
  return options.lateralCutoffMm + 0.5 * bixel.widthMm;
}

/// Sets up beam `beam` for the bixels `mine` (non-empty): fills in their ssdMm, traces the beam's
/// voxels in reach (reported as "radiological depth" on [begin, end] of `progress`) and builds
/// the kernel tables on all cores.
PreparedBeam prepareBeam(const SvdPencilBeam& engine, const DoseProblem& problem, std::size_t beam,
                         std::vector<std::size_t> mine, std::vector<Bixel>& bixels,
                         const DijOptions& options, const ProgressScope& progress, double begin,
                         double end);

/// The kernel table of `bixel` (prepared by prepareBeam).
const LateralKernelTable& tableOf(const PreparedBeam& beam, const SvdPencilBeam& engine,
                                  const Bixel& bixel);

/// Buckets [bx0, bx1] x [by0, by1] searched for a bixel of reach `reachMm` (empty when
/// bx0 > bx1 or by0 > by1).
struct BucketRange {
  int bx0 = 0;
  int bx1 = -1;
  int by0 = 0;
  int by1 = -1;
};
BucketRange bucketRange(const BeamVoxels& voxels, const Bixel& bixel, double reachMm);

/// Throws the DataError for a matrix larger than `limitBytes`.
[[noreturn]] void throwDijTooLarge(std::size_t limitBytes);

} // namespace beamlet::dose::detail
