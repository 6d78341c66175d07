#include "beamlet/core/ContourRasterizer.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace beamlet {

std::vector<SliceContours> contoursOnGrid(const Structure& structure, const ImageGeometry& grid,
                                          int* outside) {
  // Contour planes: contours whose mean slice positions agree within 0.05 slices.
  struct Plane {
    double k = 0.0;
    std::vector<Polygon2> polygons;
  };
  std::vector<std::pair<double, Polygon2>> contours;
  for (const Contour& contour : structure.contours) {
    Polygon2 polygon;
    polygon.reserve(contour.points.size());
    double kMin = 1e300;
    double kMax = -1e300;
    double kSum = 0.0;
    for (const Vec3& p : contour.points) {
      const Vec3 ijk = grid.patientToIndex(p);
      polygon.emplace_back(ijk.x(), ijk.y());
      kMin = std::min(kMin, ijk.z());
      kMax = std::max(kMax, ijk.z());
      kSum += ijk.z();
    }
    if (kMax - kMin > 0.1) {
      throw GeometryError("structure '" + structure.name +
                          "': a contour is not parallel to the image slices (it spans " +
                          std::to_string((kMax - kMin) * grid.spacing.z()) + " mm across them)");
    }
    contours.emplace_back(kSum / static_cast<double>(contour.points.size()), std::move(polygon));
  }
  std::stable_sort(contours.begin(), contours.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Plane> planes;
  for (auto& [k, polygon] : contours) {
    if (planes.empty() || k - planes.back().k > 0.05) {
      planes.push_back(Plane{k, {}});
    }
    planes.back().polygons.push_back(std::move(polygon));
  }
  int left = 0;
  for (const Plane& plane : planes) {
    const long k = std::lround(plane.k);
    if (k < 0 || k >= grid.dims[2]) {
      left += static_cast<int>(plane.polygons.size());
    }
  }
  if (outside != nullptr) {
    *outside = left;
  }
  // Each slice takes the one plane nearest to it: a plane within half a slice (a contour belongs
  // to its nearest slice), or, between two planes of one piece (no farther apart than 1.5 times
  // their usual spacing), the nearer of them, so a grid finer or coarser than the contours' plane
  // spacing gets neither gaps nor planes stacked on one slice (which the even-odd rule would
  // cancel).
  std::vector<double> gaps;
  for (std::size_t n = 1; n < planes.size(); ++n) {
    gaps.push_back(planes[n].k - planes[n - 1].k);
  }
  double usual = 0.0;
  if (!gaps.empty()) {
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    usual = sorted[sorted.size() / 2];
  }
  std::vector<SliceContours> slices;
  std::size_t next = 0; // first plane above the current slice
  for (int k = 0; k < grid.dims[2] && !planes.empty(); ++k) {
    while (next < planes.size() && planes[next].k <= k) {
      ++next;
    }
    const Plane* below = next > 0 ? &planes[next - 1] : nullptr;
    const Plane* above = next < planes.size() ? &planes[next] : nullptr;
    const Plane* nearest = below;
    if (above != nullptr && (below == nullptr || above->k - k < k - below->k)) {
      nearest = above;
    }
    const bool close = std::abs(nearest->k - k) <= 0.5 + 1e-9;
    const bool between = below != nullptr && above != nullptr && above->k - below->k <= 1.5 * usual;
    if (close || between) {
      slices.push_back(SliceContours{k, nearest->polygons});
    }
  }
  return slices;
}

Mask rasterize(const Structure& structure, const ImageGeometry& grid) {
  Mask mask(grid, 0);
  std::vector<double> xs;
  for (const SliceContours& slice : contoursOnGrid(structure, grid)) {
    std::uint8_t* plane = mask.slice(slice.k);
    for (int j = 0; j < grid.dims[1]; ++j) {
      scanlineCrossings(slice.polygons, j, xs);
      for (std::size_t n = 0; n + 1 < xs.size(); n += 2) {
        // Voxel centres i with x0 <= i < x1.
        const int first = std::max(0, static_cast<int>(std::ceil(xs[n])));
        const int last = std::min(grid.dims[0] - 1, static_cast<int>(std::ceil(xs[n + 1])) - 1);
        for (int i = first; i <= last; ++i) {
          plane[static_cast<std::size_t>(j) * grid.dims[0] + i] = 1;
        }
      }
    }
  }
  return mask;
}

VolumeF32 rasterizeFraction(const Structure& structure, const ImageGeometry& grid, int subsamples) {
  if (subsamples < 1) {
    throw InvalidArgumentError("rasterizeFraction: subsamples must be at least 1");
  }
  VolumeF32 fraction(grid, 0.0f);
  std::vector<double> xs;
  const double rowWeight = 1.0 / subsamples;
  for (const SliceContours& slice : contoursOnGrid(structure, grid)) {
    float* plane = fraction.slice(slice.k);
    for (int j = 0; j < grid.dims[1]; ++j) {
      float* row = plane + static_cast<std::size_t>(j) * grid.dims[0];
      for (int s = 0; s < subsamples; ++s) {
        const double y = j - 0.5 + (s + 0.5) * rowWeight;
        scanlineCrossings(slice.polygons, y, xs);
        for (std::size_t n = 0; n + 1 < xs.size(); n += 2) {
          // Voxel i covers [i - 0.5, i + 0.5): add the length of the inside interval it holds.
          const double x0 = std::max(xs[n], -0.5);
          const double x1 = std::min(xs[n + 1], grid.dims[0] - 0.5);
          if (x1 <= x0) {
            continue;
          }
          const int first = static_cast<int>(std::floor(x0 + 0.5));
          const int last = std::min(grid.dims[0] - 1, static_cast<int>(std::floor(x1 + 0.5)));
          for (int i = first; i <= last; ++i) {
            const double covered = std::min(x1, i + 0.5) - std::max(x0, i - 0.5);
            if (covered > 0.0) {
              row[i] += static_cast<float>(covered * rowWeight);
            }
          }
        }
      }
    }
  }
  for (float& f : fraction.voxels()) {
    f = std::min(f, 1.0f);
  }
  return fraction;
}

double rasterizedVolumeCc(const Structure& structure, const ImageGeometry& grid) {
  const VolumeF32 fraction = rasterizeFraction(structure, grid);
  double sum = 0.0;
  for (float f : fraction.voxels()) {
    sum += f;
  }
  return sum * grid.voxelVolumeMm3() * 1e-3;
}

bool maskCentroid(const Mask& mask, Vec3& centroid) {
  const ImageGeometry& g = mask.geometry();
  Vec3 sum = Vec3::Zero();
  double count = 0.0;
  for (int k = 0; k < g.dims[2]; ++k) {
    for (int j = 0; j < g.dims[1]; ++j) {
      for (int i = 0; i < g.dims[0]; ++i) {
        if (mask(i, j, k) != 0) {
          sum += Vec3(i, j, k);
          count += 1.0;
        }
      }
    }
  }
  if (count == 0.0) {
    return false;
  }
  centroid = g.indexToPatient(sum / count); // the index-to-LPS map is affine
  return true;
}

} // namespace beamlet
