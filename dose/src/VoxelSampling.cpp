// Voxel sampling for fluence optimisation (Martin, Bortfeld & Castanon 2007,
// doi:10.1088/0031-9155/52/24/006): the margin around the targets and the regular lattice.

#include "beamlet/dose/VoxelSampling.h"

#include "beamlet/core/Error.h"

#include <cmath>

namespace beamlet::dose {

Mask dilateMask(const Mask& mask, double radiusMm) {
  if (!(radiusMm >= 0.0) || !std::isfinite(radiusMm)) {
    throw InvalidArgumentError("dilateMask: the radius must be finite and >= 0 mm");
  }
  const ImageGeometry& g = mask.geometry();
  const Index3& n = g.dims;
  // The ball's offsets (voxel centres within the radius).
  struct Offset {
    int i, j, k;
  };
  std::vector<Offset> ball;
  const int ri = static_cast<int>(std::floor(radiusMm / g.spacing[0]));
  const int rj = static_cast<int>(std::floor(radiusMm / g.spacing[1]));
  const int rk = static_cast<int>(std::floor(radiusMm / g.spacing[2]));
  for (int dk = -rk; dk <= rk; ++dk) {
    for (int dj = -rj; dj <= rj; ++dj) {
      for (int di = -ri; di <= ri; ++di) {
        const double x = di * g.spacing[0];
        const double y = dj * g.spacing[1];
        const double z = dk * g.spacing[2];
        if (x * x + y * y + z * z <= radiusMm * radiusMm) {
          ball.push_back({di, dj, dk});
        }
      }
    }
  }
  Mask out = mask;
  auto inside = [&](int i, int j, int k) { return g.contains(i, j, k) && mask(i, j, k) != 0; };
  // Only the mask's boundary voxels (a face neighbour outside) can reach beyond the mask.
  for (int k = 0; k < n[2]; ++k) {
    for (int j = 0; j < n[1]; ++j) {
      for (int i = 0; i < n[0]; ++i) {
        if (mask(i, j, k) == 0 ||
            (inside(i - 1, j, k) && inside(i + 1, j, k) && inside(i, j - 1, k) &&
             inside(i, j + 1, k) && inside(i, j, k - 1) && inside(i, j, k + 1))) {
          continue;
        }
        for (const Offset& o : ball) {
          if (g.contains(i + o.i, j + o.j, k + o.k)) {
            out(i + o.i, j + o.j, k + o.k) = 1;
          }
        }
      }
    }
  }
  return out;
}

std::vector<std::uint32_t> latticeSample(const std::vector<std::uint32_t>& voxels,
                                         const Mask& sampleable, int stride) {
  if (stride < 1) {
    throw InvalidArgumentError("voxel sampling: the stride must be >= 1");
  }
  const ImageGeometry& g = sampleable.geometry();
  const auto nx = static_cast<std::size_t>(g.dims[0]);
  const auto ny = static_cast<std::size_t>(g.dims[1]);
  const auto s = static_cast<std::size_t>(stride);
  std::vector<std::uint32_t> kept;
  kept.reserve(voxels.size());
  for (std::size_t r = 0; r < voxels.size(); ++r) {
    const std::size_t v = voxels[r];
    if (v >= sampleable.size()) {
      throw InvalidArgumentError("voxel sampling: a voxel lies outside the mask's grid");
    }
    const std::size_t i = v % nx;
    const std::size_t j = (v / nx) % ny;
    const std::size_t k = v / (nx * ny);
    if (sampleable[v] == 0 || (i % s == 0 && j % s == 0 && k % s == 0)) {
      kept.push_back(static_cast<std::uint32_t>(r));
    }
  }
  return kept;
}

} // namespace beamlet::dose
