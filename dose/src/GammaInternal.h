#pragma once
// Building blocks of the gamma analysis (Gamma.cpp), private to beamlet_dose: EVAL resampled onto
// the reference grid extended by the search radius, and the sorted fine-search offsets.

#include "beamlet/core/ImageGeometry.h"
#include "beamlet/core/Progress.h"
#include "beamlet/core/Volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace beamlet::dose::detail {

/// EVAL on the reference grid grown by `pad` voxels on each side; NaN where the position lies
/// outside EVAL (no extrapolation). Padding lets the search reach past the reference grid's edge
/// wherever EVAL has dose, and lets the search loop run without bounds checks.
struct PaddedEval {
  Index3 pad{0, 0, 0};
  Index3 dims{0, 0, 0};
  std::ptrdiff_t strideJ = 0;
  std::ptrdiff_t strideK = 0;
  std::vector<float> values;

  /// Linear index of reference voxel (i, j, k).
  std::ptrdiff_t index(int i, int j, int k) const {
    return (static_cast<std::ptrdiff_t>(k + pad[2]) * dims[1] + (j + pad[1])) * dims[0] +
           (i + pad[0]);
  }
};

/// Trilinear resampling of `evaluated` at the centres of the padded reference grid, in patient
/// coordinates (any origin, spacing, size and orientation of either grid).
PaddedEval resampleOntoReference(const VolumeF32& evaluated, const ImageGeometry& reference,
                                 const Index3& pad, unsigned threads, const ProgressScope& scope);

/// Smallest and largest EVAL dose within `window` voxels (per axis, a box) of each padded voxel,
/// NaN ignored (+inf / -inf where there is none). Trilinear interpolation never leaves the range of
/// the nodes it uses, so a reference point whose dose is more than maxGamma * dD away from this
/// range has gamma >= maxGamma without searching: a gross disagreement costs nothing.
struct EvalRange {
  std::vector<float> lo;
  std::vector<float> hi;
};
EvalRange evalRange(const PaddedEval& eval, const Index3& window, unsigned threads,
                    const ProgressScope& scope);

/// Trilinear sampling of `volume` at continuous index c; NaN outside the box of its voxel centres
/// (an axis with a single voxel accepts half a voxel either side). Exact at voxel centres.
float sampleTrilinear(const VolumeF32& volume, const Vec3& c);

/// The fine-search candidates around a reference point (Wendling 2007), as segments of grid lines.
/// Trilinear interpolation is linear along each axis within a voxel, so instead of sampling every
/// fine step along a line the search minimises gamma over each voxel-long piece of the line in
/// closed form. Lines run along each searched axis through every fine-grid position of the two
/// other axes, so every fine-grid point lies on them, and isodose crossings between two fine
/// points (steep gradients, where the dose changes by more than dD from one step to the next) are
/// found exactly. Segments are sorted by their distance to the reference point.
///
/// A segment's stencil in the padded EVAL is the same for every reference point: the bilinear
/// interpolation across the line at its start node (base, strides and fractions of the two other
/// axes; a stride is 0 where the fraction is 0, so a NaN beyond EVAL's edge is never read for a
/// line exactly on it) and the stride along the line to its end node.
struct SearchLines {
  Vec3 step = Vec3::Zero(); ///< fine step in mm along i, j, k (0 on an axis that is not searched)
  /// Lower bound of (distance / DTA)^2 over each segment, ascending.
  std::vector<float> bound;
  struct Segment {
    std::ptrdiff_t base; ///< start node (bilinear cell corner) relative to the reference voxel
    std::int32_t along;  ///< stride to the end node
    std::int32_t s1, s2; ///< strides across the line (0 where the fraction is 0)
    float f1, f2;        ///< fractions across the line
    float x0;            ///< start position along the line / DTA (end: x0 + length)
    float rho2;          ///< squared distance of the line from the reference point / DTA^2
    float length;        ///< voxel spacing along the line / DTA
    float invLength;     ///< 1 / length
  };
  std::vector<Segment> segments;

  std::size_t size() const { return segments.size(); }
};

/// Voxels of padding the search needs on each side: the radius plus one voxel for the upper
/// neighbour of the trilinear stencil; 0 on an axis that is not searched.
Index3 searchPadding(const ImageGeometry& reference, const std::array<bool, 3>& searched,
                     double radiusMm);

/// Segments within radius dtaMm * maxGamma on the axes where `searched` is true. `requestedStep`
/// is refined per axis so that it divides the voxel spacing. Strides are those of `eval`, which
/// must have been built with searchPadding(). Throws InvalidArgumentError when there would be too
/// many segments (a search step far below the voxel size).
SearchLines buildSearchLines(const ImageGeometry& reference, const std::array<bool, 3>& searched,
                             double dtaMm, double maxGamma, double requestedStep,
                             const PaddedEval& eval);

} // namespace beamlet::dose::detail
