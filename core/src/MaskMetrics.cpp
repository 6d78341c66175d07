#include "beamlet/core/MaskMetrics.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace beamlet {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// One line of the separable transform (Felzenszwalb & Huttenlocher 2012, algorithm DT(f)):
// d(q) = min_p ((q - p) * h)^2 + f(p), the lower envelope of parabolas rooted at the finite samples
// of f. `f` and `d` have n samples spaced `stride` apart; v and z are work arrays of n and n + 1.
void transformLine(double* f, std::size_t stride, int n, double h, std::vector<int>& v,
                   std::vector<double>& z, std::vector<double>& line) {
  for (int q = 0; q < n; ++q) {
    line[static_cast<std::size_t>(q)] = f[static_cast<std::size_t>(q) * stride];
  }
  int k = -1;
  const double h2 = h * h;
  for (int q = 0; q < n; ++q) {
    const double fq = line[static_cast<std::size_t>(q)];
    if (!std::isfinite(fq)) {
      continue;
    }
    // Intersection (in index units) of the parabola from q with the rightmost one of the envelope.
    double s = 0.0;
    while (k >= 0) {
      const int p = v[static_cast<std::size_t>(k)];
      const double fp = line[static_cast<std::size_t>(p)];
      s = ((fq + h2 * q * q) - (fp + h2 * static_cast<double>(p) * p)) / (2.0 * h2 * (q - p));
      if (s <= z[static_cast<std::size_t>(k)]) {
        --k;
      } else {
        break;
      }
    }
    ++k;
    v[static_cast<std::size_t>(k)] = q;
    z[static_cast<std::size_t>(k)] = k == 0 ? -kInf : s;
    z[static_cast<std::size_t>(k) + 1] = kInf;
  }
  if (k < 0) {
    return; // no finite sample: the line stays infinite
  }
  int j = 0;
  for (int q = 0; q < n; ++q) {
    while (z[static_cast<std::size_t>(j) + 1] < q) {
      ++j;
    }
    const int p = v[static_cast<std::size_t>(j)];
    const double dq = (q - p) * h;
    f[static_cast<std::size_t>(q) * stride] = dq * dq + line[static_cast<std::size_t>(p)];
  }
}

std::size_t countInside(const Mask& mask) {
  return static_cast<std::size_t>(std::count_if(mask.voxels().begin(), mask.voxels().end(),
                                                [](std::uint8_t v) { return v != 0; }));
}

} // namespace

Mask surfaceOf(const Mask& mask) {
  const ImageGeometry& g = mask.geometry();
  Mask surface(g, 0);
  const int nx = g.dims[0];
  const int ny = g.dims[1];
  const int nz = g.dims[2];
  auto inside = [&](int i, int j, int k) { return g.contains(i, j, k) && mask(i, j, k) != 0; };
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        if (mask(i, j, k) == 0) {
          continue;
        }
        const bool edge = !inside(i - 1, j, k) || !inside(i + 1, j, k) || !inside(i, j - 1, k) ||
                          !inside(i, j + 1, k) || !inside(i, j, k - 1) || !inside(i, j, k + 1);
        surface(i, j, k) = edge ? 1 : 0;
      }
    }
  }
  return surface;
}

std::vector<double> squaredDistanceTransformMm2(const Mask& mask) {
  const ImageGeometry& g = mask.geometry();
  std::vector<double> d(mask.size(), kInf);
  for (std::size_t n = 0; n < mask.size(); ++n) {
    if (mask[n] != 0) {
      d[n] = 0.0;
    }
  }
  const int nx = g.dims[0];
  const int ny = g.dims[1];
  const int nz = g.dims[2];
  const int longest = std::max({nx, ny, nz, 1});
  std::vector<int> v(static_cast<std::size_t>(longest));
  std::vector<double> z(static_cast<std::size_t>(longest) + 1);
  std::vector<double> line(static_cast<std::size_t>(longest));
  const std::size_t sx = 1;
  const std::size_t sy = static_cast<std::size_t>(nx);
  const std::size_t sz = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      transformLine(&d[g.linearIndex(0, j, k)], sx, nx, g.spacing[0], v, z, line);
    }
  }
  for (int k = 0; k < nz; ++k) {
    for (int i = 0; i < nx; ++i) {
      transformLine(&d[g.linearIndex(i, 0, k)], sy, ny, g.spacing[1], v, z, line);
    }
  }
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      transformLine(&d[g.linearIndex(i, j, 0)], sz, nz, g.spacing[2], v, z, line);
    }
  }
  return d;
}

std::vector<double> directedSurfaceDistancesMm(const Mask& from, const Mask& to) {
  if (from.dims() != to.dims()) {
    throw InvalidArgumentError("directedSurfaceDistancesMm: the masks are on different grids");
  }
  const Mask fromSurface = surfaceOf(from);
  const std::vector<double> d2 = squaredDistanceTransformMm2(surfaceOf(to));
  std::vector<double> distances;
  for (std::size_t n = 0; n < fromSurface.size(); ++n) {
    if (fromSurface[n] != 0) {
      distances.push_back(std::sqrt(d2[n]));
    }
  }
  return distances;
}

double percentileLinear(std::vector<double> values, double p) {
  if (values.empty()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::sort(values.begin(), values.end());
  const double position =
      std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(position));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  const double t = position - static_cast<double>(lo);
  return values[lo] + t * (values[hi] - values[lo]);
}

MaskComparison compareMasks(const Mask& reference, const Mask& evaluated) {
  if (reference.dims() != evaluated.dims()) {
    throw InvalidArgumentError("compareMasks: the masks are on different grids (resample first)");
  }
  MaskComparison c;
  for (std::size_t n = 0; n < reference.size(); ++n) {
    const bool a = reference[n] != 0;
    const bool b = evaluated[n] != 0;
    c.referenceVoxels += a ? 1 : 0;
    c.evaluatedVoxels += b ? 1 : 0;
    c.overlapVoxels += a && b ? 1 : 0;
  }
  const double voxelCc = reference.geometry().voxelVolumeMm3() / 1000.0;
  c.referenceVolumeCc = static_cast<double>(c.referenceVoxels) * voxelCc;
  c.evaluatedVolumeCc = static_cast<double>(c.evaluatedVoxels) * voxelCc;
  c.volumeDifferenceCc = c.evaluatedVolumeCc - c.referenceVolumeCc;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  c.volumeDifferencePercent =
      c.referenceVoxels > 0 ? 100.0 * c.volumeDifferenceCc / c.referenceVolumeCc : nan;
  const std::size_t total = c.referenceVoxels + c.evaluatedVoxels;
  c.dice =
      total == 0 ? 1.0 : 2.0 * static_cast<double>(c.overlapVoxels) / static_cast<double>(total);
  if (c.referenceVoxels == 0 || c.evaluatedVoxels == 0) {
    c.referenceSurfaceVoxels = countInside(surfaceOf(reference));
    c.evaluatedSurfaceVoxels = countInside(surfaceOf(evaluated));
    c.hausdorffMm = nan;
    c.hd95Mm = nan;
    c.meanSurfaceDistanceMm = nan;
    return c;
  }
  std::vector<double> distances = directedSurfaceDistancesMm(reference, evaluated);
  c.referenceSurfaceVoxels = distances.size();
  const std::vector<double> back = directedSurfaceDistancesMm(evaluated, reference);
  c.evaluatedSurfaceVoxels = back.size();
  distances.insert(distances.end(), back.begin(), back.end());
  c.hausdorffMm = *std::max_element(distances.begin(), distances.end());
  c.meanSurfaceDistanceMm = std::accumulate(distances.begin(), distances.end(), 0.0) /
                            static_cast<double>(distances.size());
  c.hd95Mm = percentileLinear(std::move(distances), 95.0);
  return c;
}

} // namespace beamlet
