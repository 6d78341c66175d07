// EVAL resampled onto the (padded) reference grid for the gamma search. Plastimatch and most
// clinical tools also bring the evaluated dose onto the reference grid first; the fine search then
// interpolates that grid (Wendling et al. 2007, doi:10.1118/1.2721657). When both grids coincide
// the resampling is an exact copy, so the only interpolation is the search's own.

#include "GammaInternal.h"

#include "beamlet/core/Parallel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

namespace beamlet::dose::detail {

namespace {

// Index positions within this distance (in voxels) of a voxel centre snap onto it, so a copy
// between coinciding grids is exact despite round-off in the index transform.
constexpr double kSnap = 1e-6;
// Positions this far (in voxels) beyond the outermost voxel centre still count as inside EVAL.
constexpr double kEdge = 1e-4;

struct Axis {
  int i0;
  double f;
};

// Lower neighbour and fraction along one axis of n voxels; false when c lies outside.
bool locate(double c, int n, Axis& a) {
  const double r = std::round(c);
  if (std::abs(c - r) <= kSnap) {
    c = r;
  }
  if (n == 1) {
    // A single plane stands for a slab one voxel thick.
    a = {0, 0.0};
    return std::abs(c) <= 0.5 + kEdge;
  }
  if (!(c >= -kEdge && c <= n - 1 + kEdge)) {
    return false;
  }
  c = std::clamp(c, 0.0, static_cast<double>(n - 1));
  a.i0 = std::min(static_cast<int>(std::floor(c)), n - 2);
  a.f = c - a.i0;
  return true;
}

} // namespace

float sampleTrilinear(const VolumeF32& volume, const Vec3& c) {
  const Index3& n = volume.dims();
  Axis ax[3];
  for (int d = 0; d < 3; ++d) {
    if (!locate(c[d], n[d], ax[d])) {
      return std::numeric_limits<float>::quiet_NaN();
    }
  }
  // (1 - f) * a + f * b is exact at f == 0 and f == 1 (a + f * (b - a) is not at f == 1).
  auto lerp = [](double a, double b, double f) { return f == 0.0 ? a : (1.0 - f) * a + f * b; };
  const int i1 = n[0] > 1 ? ax[0].i0 + 1 : 0;
  const int j1 = n[1] > 1 ? ax[1].i0 + 1 : 0;
  const int k1 = n[2] > 1 ? ax[2].i0 + 1 : 0;
  const int i0 = ax[0].i0;
  const int j0 = ax[1].i0;
  const int k0 = ax[2].i0;
  const double c00 = lerp(volume(i0, j0, k0), volume(i1, j0, k0), ax[0].f);
  const double c10 = lerp(volume(i0, j1, k0), volume(i1, j1, k0), ax[0].f);
  const double c01 = lerp(volume(i0, j0, k1), volume(i1, j0, k1), ax[0].f);
  const double c11 = lerp(volume(i0, j1, k1), volume(i1, j1, k1), ax[0].f);
  const double c0 = lerp(c00, c10, ax[1].f);
  const double c1 = lerp(c01, c11, ax[1].f);
  return static_cast<float>(lerp(c0, c1, ax[2].f));
}

PaddedEval resampleOntoReference(const VolumeF32& evaluated, const ImageGeometry& reference,
                                 const Index3& pad, unsigned threads, const ProgressScope& scope) {
  PaddedEval out;
  out.pad = pad;
  for (int d = 0; d < 3; ++d) {
    out.dims[d] = reference.dims[d] + 2 * pad[d];
  }
  out.strideJ = out.dims[0];
  out.strideK = static_cast<std::ptrdiff_t>(out.dims[0]) * out.dims[1];
  out.values.assign(static_cast<std::size_t>(out.strideK) * static_cast<std::size_t>(out.dims[2]),
                    std::numeric_limits<float>::quiet_NaN());

  // Reference index -> EVAL continuous index is affine: c = a * (i, j, k) + b.
  const ImageGeometry& e = evaluated.geometry();
  const Mat3 a = e.spacing.cwiseInverse().asDiagonal() * e.direction.transpose() *
                 reference.direction * reference.spacing.asDiagonal();
  const Vec3 b = e.patientToIndex(reference.origin);

  const std::size_t rows = static_cast<std::size_t>(out.dims[1]) * out.dims[2];
  std::atomic<std::size_t> done{0};
  parallelFor(
      rows,
      [&](std::size_t row) {
        scope.throwIfCancelled();
        const int jp = static_cast<int>(row % static_cast<std::size_t>(out.dims[1]));
        const int kp = static_cast<int>(row / static_cast<std::size_t>(out.dims[1]));
        float* dst = out.values.data() + static_cast<std::ptrdiff_t>(row) * out.strideJ;
        for (int ip = 0; ip < out.dims[0]; ++ip) {
          const Vec3 ijk(ip - pad[0], jp - pad[1], kp - pad[2]);
          dst[ip] = sampleTrilinear(evaluated, a * ijk + b);
        }
        const std::size_t n = ++done;
        if (n % 64 == 0 || n == rows) {
          scope.step(n, rows);
        }
      },
      threads);
  return out;
}

} // namespace beamlet::dose::detail
