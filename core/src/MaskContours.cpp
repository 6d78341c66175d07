#include "beamlet/core/MaskContours.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <utility>

namespace beamlet {

namespace {

// Vertices are edge midpoints of the voxel-centre lattice, so twice their index coordinates are
// integers: linking and the collinearity test are exact.
struct Point2i {
  int x = 0;
  int y = 0;
};

// Cell corners (bit: offset): 0: (0,0) a, 1: (1,0) b, 2: (1,1) c, 3: (0,1) d. Edge midpoints in
// doubled coordinates relative to 2 * (i, j): B (1,0), R (2,1), T (1,2), L (0,1).
enum Edge { B, R, T, L };
constexpr int kEdgeOffset[4][2] = {{1, 0}, {2, 1}, {1, 2}, {0, 1}};
constexpr int kCorner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};

// The marching squares case table (unoriented segments). The saddle cases 5 (a, c) and 10 (b, d)
// cut off each inside corner on its own: the foreground is 4-connected, everywhere the same way.
struct CaseSegments {
  int count;
  Edge segment[2][2];
};
constexpr CaseSegments kCases[16] = {
    {0, {{B, B}, {B, B}}}, {1, {{B, L}, {B, B}}}, {1, {{B, R}, {B, B}}}, {1, {{L, R}, {B, B}}},
    {1, {{R, T}, {B, B}}}, {2, {{B, L}, {R, T}}}, {1, {{B, T}, {B, B}}}, {1, {{L, T}, {B, B}}},
    {1, {{L, T}, {B, B}}}, {1, {{B, T}, {B, B}}}, {2, {{B, R}, {L, T}}}, {1, {{R, T}, {B, B}}},
    {1, {{L, R}, {B, B}}}, {1, {{B, R}, {B, B}}}, {1, {{B, L}, {B, B}}}, {0, {{B, B}, {B, B}}},
};

long long cross(const Point2i& o, const Point2i& p, const Point2i& q) {
  return static_cast<long long>(p.x - o.x) * (q.y - o.y) -
         static_cast<long long>(p.y - o.y) * (q.x - o.x);
}

// True when the segment p -> q has only inside corners (at least one) on its left: the
// orientation that keeps the inside on the left, so outer boundaries run counter-clockwise.
bool insideOnLeft(Point2i p, Point2i q, int caseIndex) {
  bool any = false;
  for (int c = 0; c < 4; ++c) {
    const Point2i corner{2 * kCorner[c][0], 2 * kCorner[c][1]};
    if (cross(p, q, corner) > 0) {
      if ((caseIndex & (1 << c)) == 0) {
        return false;
      }
      any = true;
    }
  }
  return any;
}

std::vector<Point2i> dropCollinear(const std::vector<Point2i>& loop) {
  const std::size_t n = loop.size();
  std::vector<Point2i> kept;
  kept.reserve(n);
  for (std::size_t v = 0; v < n; ++v) {
    // On a simple polygon a vertex collinear with its neighbours is inside a straight run.
    if (cross(loop[(v + n - 1) % n], loop[v], loop[(v + 1) % n]) != 0) {
      kept.push_back(loop[v]);
    }
  }
  return kept;
}

Polygon2 smoothed(Polygon2 polygon, int iterations) {
  const std::size_t n = polygon.size();
  for (int it = 0; it < iterations; ++it) {
    Polygon2 next(n);
    for (std::size_t v = 0; v < n; ++v) {
      next[v] = 0.5 * polygon[v] + 0.25 * (polygon[(v + n - 1) % n] + polygon[(v + 1) % n]);
    }
    polygon = std::move(next);
  }
  return polygon;
}

} // namespace

std::vector<Polygon2> sliceContours(const Mask& mask, int k, const MaskContourOptions& options) {
  const ImageGeometry& g = mask.geometry();
  const int nx = g.dims[0];
  const int ny = g.dims[1];
  if (k < 0 || k >= g.dims[2]) {
    throw InvalidArgumentError("sliceContours: slice " + std::to_string(k) + " is not in the mask");
  }
  const std::uint8_t* plane = mask.slice(k);
  int iMin = nx;
  int iMax = -1;
  int jMin = ny;
  int jMax = -1;
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      if (plane[static_cast<std::size_t>(j) * nx + i] != 0) {
        iMin = std::min(iMin, i);
        iMax = std::max(iMax, i);
        jMin = std::min(jMin, j);
        jMax = std::max(jMax, j);
      }
    }
  }
  if (iMax < 0) {
    return {};
  }
  auto inside = [&](int i, int j) {
    return i >= 0 && j >= 0 && i < nx && j < ny && plane[static_cast<std::size_t>(j) * nx + i] != 0;
  };
  // Outgoing segment of each vertex (each vertex has exactly one in and one out).
  const long long stride = 2LL * nx + 8;
  auto key = [stride](const Point2i& p) { return (p.y + 4LL) * stride + (p.x + 4LL); };
  std::unordered_map<long long, std::pair<Point2i, Point2i>> next;
  // Cells from one voxel before the first inside voxel: the area outside the grid is outside.
  for (int j = jMin - 1; j <= jMax; ++j) {
    for (int i = iMin - 1; i <= iMax; ++i) {
      const int caseIndex = (inside(i, j) ? 1 : 0) | (inside(i + 1, j) ? 2 : 0) |
                            (inside(i + 1, j + 1) ? 4 : 0) | (inside(i, j + 1) ? 8 : 0);
      const CaseSegments& c = kCases[caseIndex];
      for (int s = 0; s < c.count; ++s) {
        Point2i p{kEdgeOffset[c.segment[s][0]][0], kEdgeOffset[c.segment[s][0]][1]};
        Point2i q{kEdgeOffset[c.segment[s][1]][0], kEdgeOffset[c.segment[s][1]][1]};
        if (!insideOnLeft(p, q, caseIndex)) {
          std::swap(p, q);
        }
        p = {p.x + 2 * i, p.y + 2 * j};
        q = {q.x + 2 * i, q.y + 2 * j};
        next.emplace(key(p), std::make_pair(p, q));
      }
    }
  }
  // Link segments into loops, starting from the lowest vertex key so the output is deterministic.
  std::vector<long long> starts;
  starts.reserve(next.size());
  for (const auto& entry : next) {
    starts.push_back(entry.first);
  }
  std::sort(starts.begin(), starts.end());
  std::unordered_map<long long, bool> used;
  std::vector<Polygon2> polygons;
  for (long long start : starts) {
    if (used[start]) {
      continue;
    }
    std::vector<Point2i> loop;
    long long at = start;
    while (!used[at]) {
      used[at] = true;
      const auto& segment = next.at(at);
      loop.push_back(segment.first);
      at = key(segment.second);
    }
    if (options.reduceCollinear && options.smoothingIterations <= 0) {
      loop = dropCollinear(loop);
    }
    Polygon2 polygon;
    polygon.reserve(loop.size());
    for (const Point2i& p : loop) {
      polygon.emplace_back(0.5 * p.x, 0.5 * p.y);
    }
    if (options.smoothingIterations > 0) {
      polygon = smoothed(std::move(polygon), options.smoothingIterations);
    }
    polygons.push_back(std::move(polygon));
  }
  return polygons;
}

std::vector<Contour> maskToContours(const Mask& mask, const MaskContourOptions& options) {
  const ImageGeometry& g = mask.geometry();
  std::vector<Contour> contours;
  for (int k = 0; k < g.dims[2]; ++k) {
    for (const Polygon2& polygon : sliceContours(mask, k, options)) {
      Contour contour;
      contour.points.reserve(polygon.size());
      for (const Eigen::Vector2d& p : polygon) {
        contour.points.push_back(g.indexToPatient(Vec3(p.x(), p.y(), k)));
      }
      contours.push_back(std::move(contour));
    }
  }
  return contours;
}

Mask selectLabel(const Image& labelMap, std::optional<int> label) {
  Mask mask(labelMap.geometry(), 0);
  const std::size_t n = mask.size();
  for (std::size_t v = 0; v < n; ++v) {
    const double value = labelMap.valueAt(v);
    const bool in =
        label ? std::lround(value) == *label && std::abs(value - *label) < 1e-3 : value != 0.0;
    mask[v] = in ? 1 : 0;
  }
  return mask;
}

Mask resampleNearest(const Mask& mask, const ImageGeometry& grid) {
  const ImageGeometry& from = mask.geometry();
  if (from.sameGrid(grid)) {
    return mask;
  }
  // Target index -> source index is one affine map.
  const Eigen::Matrix4d map = from.indexToPatientMatrix().inverse() * grid.indexToPatientMatrix();
  const Mat3 a = map.topLeftCorner<3, 3>();
  const Vec3 b = map.topRightCorner<3, 1>();
  Mask out(grid, 0);
  std::size_t overlapping = 0;
  for (int k = 0; k < grid.dims[2]; ++k) {
    for (int j = 0; j < grid.dims[1]; ++j) {
      const Vec3 rowStart = a * Vec3(0, j, k) + b;
      for (int i = 0; i < grid.dims[0]; ++i) {
        const Vec3 q = rowStart + a.col(0) * i;
        const int si = static_cast<int>(std::lround(q.x()));
        const int sj = static_cast<int>(std::lround(q.y()));
        const int sk = static_cast<int>(std::lround(q.z()));
        if (from.contains(si, sj, sk)) {
          ++overlapping;
          out(i, j, k) = mask(si, sj, sk) != 0 ? 1 : 0;
        }
      }
    }
  }
  if (overlapping == 0) {
    throw GeometryError("mask grid (" + from.describe() + ") does not overlap the image grid (" +
                        grid.describe() + ")");
  }
  return out;
}

} // namespace beamlet
