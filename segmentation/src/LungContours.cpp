#include "beamlet/segmentation/LungContours.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Morphology.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace beamlet::segmentation {

namespace {

// Labels of the components sorted by size, largest first.
std::vector<std::int32_t> bySize(const Components& c) {
  std::vector<std::int32_t> order(c.size.size() - 1);
  std::iota(order.begin(), order.end(), 1);
  std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return c.size[static_cast<std::size_t>(a)] > c.size[static_cast<std::size_t>(b)];
  });
  return order;
}

// Multi-source breadth-first flood inside `region` from the labelled seeds, at most `steps` voxel
// steps (6-connected): each voxel takes the label of the seed that reaches it first, so the border
// between two seeds runs through the middle of the thin junction that joined them.
std::vector<std::int32_t> geodesicAssign(const Mask& region, const std::vector<std::int32_t>& seed,
                                         int steps) {
  const Index3 d = region.dims();
  std::vector<std::int32_t> label(region.size(), 0);
  std::vector<std::size_t> front;
  for (std::size_t n = 0; n < region.size(); ++n) {
    if (seed[n] != 0 && region[n] != 0) {
      label[n] = seed[n];
      front.push_back(n);
    }
  }
  std::vector<std::size_t> next;
  for (int step = 0; step < steps && !front.empty(); ++step) {
    next.clear();
    for (const std::size_t n : front) {
      const auto visit = [&](std::size_t m) {
        if (region[m] != 0 && label[m] == 0) {
          label[m] = label[n];
          next.push_back(m);
        }
      };
      forEachFaceNeighbour(n, d, visit);
    }
    front.swap(next);
  }
  return label;
}

// Closing (dilation then erosion by a ball) of one lung, keeping only added voxels inside the
// External and outside the other lung, then per-slice hole filling: vessels and bronchial walls
// inside the lung (denser than the air threshold) become lung, as in clinical Lung contours.
Mask closeLung(const Mask& lung, const Mask& other, const Mask& external, double radiusMm) {
  Mask closed = radiusMm > 0.0 ? erodeMm(dilateMm(lung, radiusMm), radiusMm) : lung;
  for (std::size_t n = 0; n < closed.size(); ++n) {
    closed[n] = lung[n] != 0 || (closed[n] != 0 && external[n] != 0 && other[n] == 0) ? 1 : 0;
  }
  fillHolesPerSlice(closed);
  for (std::size_t n = 0; n < closed.size(); ++n) {
    if (other[n] != 0) {
      closed[n] = 0;
    }
  }
  return largestComponent(closed);
}

} // namespace

LungContours lungContours(const Image& ct, const Mask& external, const LungOptions& options) {
  if (!ct.modality.empty() && ct.modality != "CT") {
    throw InvalidArgumentError("lungs: need a CT in HU, not " + ct.modality);
  }
  if (!ct.geometry().sameGrid(external.geometry())) {
    throw InvalidArgumentError("lungs: the External is not on the CT's grid");
  }
  const ImageGeometry& g = ct.geometry();
  const Index3 d = g.dims;
  // Air-like voxels inside the External.
  Mask air(g, 0);
  for (std::size_t n = 0; n < air.size(); ++n) {
    air[n] = external[n] != 0 && ct.valueAt(n) < options.airThresholdHu ? 1 : 0;
  }
  // Drop air connected to the outside: components with a voxel next to (in its slice) a voxel
  // outside the External or on the grid's side faces (gas in skin folds, air between body and
  // devices), and those too small to be a lung.
  const Components all = components6(air);
  std::vector<bool> keep(all.size.size(), true);
  const double voxelMl = g.voxelVolumeMm3() / 1000.0;
  std::vector<double> sum(all.size.size(), 0.0);
  for (std::size_t n = 0; n < air.size(); ++n) {
    sum[static_cast<std::size_t>(all.label[n])] += air[n] != 0 ? ct.valueAt(n) : 0.0;
  }
  for (std::size_t l = 1; l < all.size.size(); ++l) {
    const auto size = static_cast<double>(all.size[l]);
    keep[l] = size * voxelMl >= options.minLungMl && sum[l] / size >= options.maxGasMeanHu;
  }
  for (int k = 0; k < d[2]; ++k) {
    for (int j = 0; j < d[1]; ++j) {
      for (int i = 0; i < d[0]; ++i) {
        const std::size_t n = g.linearIndex(i, j, k);
        if (air[n] == 0) {
          continue;
        }
        const bool side = i == 0 || j == 0 || i + 1 == d[0] || j + 1 == d[1];
        if (side || external(i - 1, j, k) == 0 || external(i + 1, j, k) == 0 ||
            external(i, j - 1, k) == 0 || external(i, j + 1, k) == 0) {
          keep[static_cast<std::size_t>(all.label[n])] = false;
        }
      }
    }
  }
  Mask candidates(g, 0);
  for (std::size_t n = 0; n < candidates.size(); ++n) {
    candidates[n] = air[n] != 0 && keep[static_cast<std::size_t>(all.label[n])] ? 1 : 0;
  }
  // Erode until the two largest pieces are both lung-sized: the airways (a trachea about 18 mm
  // across, main bronchi about 12 mm) and a thin anterior or posterior junction between the lungs
  // give way long before a lung does.
  for (double r = 0.0; r <= options.maxErosionMm + 1e-9; r += options.erosionStepMm) {
    const Mask eroded = r > 0.0 ? erodeMm(candidates, r) : candidates;
    const Components pieces = components6(eroded);
    if (pieces.size.size() < 3) {
      continue;
    }
    // Rank the pieces by how much lung parenchyma (-950..-600 HU) they hold rather than by size: a
    // gas-filled stomach under a lung base can be larger than the lung but holds little of it.
    Components score = pieces;
    std::fill(score.size.begin(), score.size.end(), std::size_t{0});
    for (std::size_t n = 0; n < eroded.size(); ++n) {
      const double hu = ct.valueAt(n);
      if (pieces.label[n] != 0 && hu >= -950.0 && hu <= -600.0) {
        ++score.size[static_cast<std::size_t>(pieces.label[n])];
      }
    }
    const std::vector<std::int32_t> order = bySize(score);
    const std::size_t first = score.size[static_cast<std::size_t>(order[0])];
    const std::size_t second = score.size[static_cast<std::size_t>(order[1])];
    if (static_cast<double>(second) < options.minSecondFraction * static_cast<double>(first)) {
      continue;
    }
    // Every candidate voxel goes to the piece that reaches it first through air, within the
    // erosion radius (in voxel steps along the finest axis) plus one step.
    const double finest = std::min({g.spacing[0], g.spacing[1], g.spacing[2]});
    const int steps = static_cast<int>(std::ceil(r / finest)) + 1;
    const std::vector<std::int32_t> owner = geodesicAssign(candidates, pieces.label, steps);
    Mask a(g, 0);
    Mask b(g, 0);
    for (std::size_t n = 0; n < owner.size(); ++n) {
      a[n] = owner[n] == order[0] ? 1 : 0;
      b[n] = owner[n] == order[1] ? 1 : 0;
    }
    a = largestComponent(a);
    b = largestComponent(b);
    // Left is LPS +x: compare the centroids' x in patient coordinates.
    const auto centroidX = [&](const Mask& m) {
      Vec3 total = Vec3::Zero();
      std::size_t count = 0;
      for (int k = 0; k < d[2]; ++k) {
        for (int j = 0; j < d[1]; ++j) {
          for (int i = 0; i < d[0]; ++i) {
            if (m(i, j, k) != 0) {
              total += Vec3(i, j, k);
              ++count;
            }
          }
        }
      }
      return g.indexToPatient(total / static_cast<double>(std::max<std::size_t>(count, 1)))[0];
    };
    const bool aIsLeft = centroidX(a) > centroidX(b);
    LungContours out;
    out.erosionMm = r;
    const Mask& left = aIsLeft ? a : b;
    const Mask& right = aIsLeft ? b : a;
    out.left = closeLung(left, right, external, options.closingRadiusMm);
    out.right = closeLung(right, out.left, external, options.closingRadiusMm);
    return out;
  }
  throw DataError(
      "lungs: no two lung-sized air regions inside the External (tried erosions up to " +
      std::to_string(options.maxErosionMm) + " mm)");
}

} // namespace beamlet::segmentation
