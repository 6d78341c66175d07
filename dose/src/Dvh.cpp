#include "beamlet/dose/Dvh.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Parallel.h"
#include "beamlet/core/PolygonScan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace beamlet::dose {

namespace {

// Unit normal of a planar polygon by Newell's method (robust for concave polygons).
Vec3 newellNormal(const std::vector<Vec3>& points) {
  Vec3 n = Vec3::Zero();
  for (std::size_t a = 0, b = points.size() - 1; a < points.size(); b = a++) {
    const Vec3& p = points[b];
    const Vec3& q = points[a];
    n.x() += (p.y() - q.y()) * (p.z() + q.z());
    n.y() += (p.z() - q.z()) * (p.x() + q.x());
    n.z() += (p.x() - q.x()) * (p.y() + q.y());
  }
  return n;
}

// Trilinear interpolation of a dose grid at continuous index q; false outside the grid.
class DoseSampler {
public:
  explicit DoseSampler(const VolumeF32& dose) : dose_(dose), g_(dose.geometry()) {}

  bool at(const Vec3& q, double& value) const {
    const double eps = 1e-6;
    for (int d = 0; d < 3; ++d) {
      if (q[d] < -eps || q[d] > g_.dims[d] - 1 + eps) {
        return false;
      }
    }
    int i0[3];
    double f[3];
    for (int d = 0; d < 3; ++d) {
      const double c = std::clamp(q[d], 0.0, static_cast<double>(g_.dims[d] - 1));
      i0[d] = std::min(static_cast<int>(c), std::max(g_.dims[d] - 2, 0));
      f[d] = g_.dims[d] > 1 ? c - i0[d] : 0.0;
    }
    const int i1 = std::min(i0[0] + 1, g_.dims[0] - 1);
    const int j1 = std::min(i0[1] + 1, g_.dims[1] - 1);
    const int k1 = std::min(i0[2] + 1, g_.dims[2] - 1);
    auto v = [&](int i, int j, int k) { return static_cast<double>(dose_(i, j, k)); };
    const double c00 = v(i0[0], i0[1], i0[2]) * (1 - f[0]) + v(i1, i0[1], i0[2]) * f[0];
    const double c10 = v(i0[0], j1, i0[2]) * (1 - f[0]) + v(i1, j1, i0[2]) * f[0];
    const double c01 = v(i0[0], i0[1], k1) * (1 - f[0]) + v(i1, i0[1], k1) * f[0];
    const double c11 = v(i0[0], j1, k1) * (1 - f[0]) + v(i1, j1, k1) * f[0];
    const double c0 = c00 * (1 - f[1]) + c10 * f[1];
    const double c1 = c01 * (1 - f[1]) + c11 * f[1];
    value = c0 * (1 - f[2]) + c1 * f[2];
    return true;
  }

private:
  const VolumeF32& dose_;
  const ImageGeometry& g_;
};

struct Plane {
  double position = 0.0; ///< along the normal, mm
  std::vector<Polygon2> polygons;
  double xMin = 0.0; ///< extent along e1
  double xMax = 0.0;
  double yMin = 0.0; ///< extent along e2
  double yMax = 0.0;
  double area = 0.0; ///< even-odd area (holes subtract), mm^2
  bool apex = false; ///< a closed end: an end plane that is (nearly) a point or a line
};

// A slab along the normal with the cross-section of one contour plane.
// A stretch along the normal. Slab or end cap: one plane's shape throughout (a == b). Between two
// joined planes a and b (with their outer neighbours, when there are, for the curvature) the
// cross-section is interpolated with cubic Hermite curves through the planes.
struct Region {
  const Plane* before = nullptr;
  const Plane* a = nullptr;
  const Plane* b = nullptr;
  const Plane* after = nullptr;
  double zFrom = 0.0;
  double zTo = 0.0;
  int capDirection = 0; ///< an end cap: +1 beyond the plane towards larger positions, -1 smaller
};

// Distance from (x, y) to the nearest edge of any of the polygons.
double distanceToOutline(const std::vector<Polygon2>& polygons, double x, double y) {
  double best = std::numeric_limits<double>::max();
  for (const Polygon2& p : polygons) {
    for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
      const double ex = p[i].x() - p[j].x();
      const double ey = p[i].y() - p[j].y();
      const double length2 = ex * ex + ey * ey;
      double t = length2 > 0.0 ? ((x - p[j].x()) * ex + (y - p[j].y()) * ey) / length2 : 0.0;
      t = std::clamp(t, 0.0, 1.0);
      const double dx = p[j].x() + t * ex - x;
      const double dy = p[j].y() + t * ey - y;
      best = std::min(best, dx * dx + dy * dy);
    }
  }
  return std::sqrt(best);
}

// An end plane with less than this fraction of its neighbour's area is an apex (ApexCurve).
constexpr double kApexAreaFraction = 0.02;

// Cubic Hermite value at f in [0, 1] between p0 and p1 with tangents m0, m1 (scaled to the
// interval).
double hermite(double f, double p0, double p1, double m0, double m1) {
  const double f2 = f * f;
  const double f3 = f2 * f;
  return (2 * f3 - 3 * f2 + 1) * p0 + (f3 - 2 * f2 + f) * m0 + (-2 * f3 + 3 * f2) * p1 +
         (f3 - f2) * m1;
}

// Closed ends. An end plane that is (nearly) a point or a line is the apex of a closed surface:
// the surface is tangent to the slice plane there, so offsets from the apex grow like the square
// root of the distance d from it, which no polynomial through the planes follows. The squared
// offset U(d) does follow a low-order polynomial (exactly a quadratic for spheres, cones and
// cylinders lying across the slices), so it is interpolated quadratically through the apex
// (U = the apex's own squared half-extent) and the next two planes (linearly when there is one).
class ApexCurve {
public:
  ApexCurve(double halfApex, double o1, double d1, const double* o2, double d2)
      : sign_(o1 < 0 ? -1.0 : 1.0), d1_(d1), d2_(d2), u0_(halfApex * halfApex), u1_(o1 * o1),
        u2_(o2 != nullptr ? *o2 * *o2 : 0.0), quadratic_(o2 != nullptr && d2 > d1 * 1.0001) {}

  /// Offset from the apex centre at distance d from the apex plane (0 <= d <= d1).
  double offset(double d) const {
    double u = u0_ + (u1_ - u0_) * d / d1_;
    if (quadratic_) {
      u = u0_ * (d - d1_) * (d - d2_) / (d1_ * d2_) + u1_ * d * (d - d2_) / (d1_ * (d1_ - d2_)) +
          u2_ * d * (d - d1_) / (d2_ * (d2_ - d1_));
    }
    return sign_ * std::sqrt(std::clamp(u, std::min(u0_, u1_), std::max(u0_, u1_)));
  }

  /// d(offset)/dd at d1, the full plane; `fallback` where the offset there is (nearly) zero.
  double slope(double fallback) const {
    double du = (u1_ - u0_) / d1_;
    if (quadratic_) {
      du = u0_ * (d1_ - d2_) / (d1_ * d2_) + u1_ * (2 * d1_ - d2_) / (d1_ * (d1_ - d2_)) +
           u2_ * d1_ / (d2_ * (d2_ - d1_));
    }
    const double o1 = std::sqrt(u1_);
    return o1 > 1e-9 ? sign_ * du / (2 * o1) : fallback;
  }

private:
  double sign_;
  double d1_;
  double d2_;
  double u0_;
  double u1_;
  double u2_;
  bool quadratic_;
};

} // namespace

Dvh computeDvh(const Structure& structure, const Image& doseImage, const DvhOptions& options) {
  if (structure.contours.empty()) {
    throw DataError("structure '" + structure.name + "' has no contours");
  }
  Dvh dvh;
  dvh.structure = structure.name;
  const VolumeF32 dose = doseImage.toFloat();
  const ImageGeometry& grid = dose.geometry();

  // Plane frame: normal from the contours, in-plane axes e1, e2.
  Vec3 normal = Vec3::Zero();
  for (const Contour& c : structure.contours) {
    normal += newellNormal(c.points);
  }
  if (normal.norm() < 1e-9) {
    normal = Vec3(0, 0, 1);
  }
  normal.normalize();
  int dominant = 0;
  normal.cwiseAbs().maxCoeff(&dominant);
  if (normal[dominant] < 0) {
    normal = -normal;
  }
  const Vec3 seed = std::abs(normal.x()) < 0.9 ? Vec3(1, 0, 0) : Vec3(0, 1, 0);
  const Vec3 e1 = (seed - seed.dot(normal) * normal).normalized();
  const Vec3 e2 = normal.cross(e1);

  // Group contours into planes (positions within 0.001 mm are one plane).
  std::map<long long, Plane> byPosition;
  for (const Contour& c : structure.contours) {
    double s = 0.0;
    Polygon2 polygon;
    for (const Vec3& p : c.points) {
      s += p.dot(normal);
      polygon.emplace_back(p.dot(e1), p.dot(e2));
    }
    s /= static_cast<double>(c.points.size());
    Plane& plane = byPosition[std::llround(s * 1000.0)];
    plane.position = s;
    plane.polygons.push_back(std::move(polygon));
  }
  std::vector<Plane> planes;
  for (auto& entry : byPosition) {
    planes.push_back(std::move(entry.second));
  }
  double thickness = options.sliceThicknessMm;
  if (thickness <= 0.0) {
    std::vector<double> gaps;
    for (std::size_t m = 1; m < planes.size(); ++m) {
      gaps.push_back(planes[m].position - planes[m - 1].position);
    }
    if (gaps.empty()) {
      thickness = (grid.direction.transpose() * normal).cwiseAbs().dot(grid.spacing);
      dvh.warnings.push_back("one contour plane and no slice thickness given: the dose grid "
                             "spacing along the normal (" +
                             std::to_string(thickness) + " mm) is used");
    } else {
      std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
      thickness = gaps[gaps.size() / 2];
    }
  }
  for (Plane& plane : planes) {
    plane.xMin = plane.yMin = 1e300;
    plane.xMax = plane.yMax = -1e300;
    for (const Polygon2& p : plane.polygons) {
      plane.area += signedArea(p);
      for (const auto& v : p) {
        plane.xMin = std::min(plane.xMin, v.x());
        plane.xMax = std::max(plane.xMax, v.x());
        plane.yMin = std::min(plane.yMin, v.y());
        plane.yMax = std::max(plane.yMax, v.y());
      }
    }
    plane.area = std::abs(plane.area);
  }

  // Each plane stands for a slab of one slice thickness centred on it, ending halfway to a nearer
  // neighbouring plane. (Interpolating the cross-section linearly between planes was measured on
  // the Nelms benchmark and is worse for convex shapes: chords lie inside the surface.)
  std::vector<Region> regions;
  const double cap = std::clamp(options.endCapSlices, 0.0, 0.5) * thickness;
  auto joined = [&](std::size_t m) { // planes m and m + 1 are neighbours in one piece
    return m + 1 < planes.size() && planes[m + 1].position - planes[m].position <= 1.5 * thickness;
  };
  for (std::size_t m = 0; m < planes.size() && options.interpolateBetweenPlanes; ++m) {
    const bool below = m > 0 && joined(m - 1);
    if (below != joined(m)) {
      const double neighbourArea = below ? planes[m - 1].area : planes[m + 1].area;
      planes[m].apex = planes[m].area < kApexAreaFraction * neighbourArea;
    }
  }
  for (std::size_t m = 0; m < planes.size(); ++m) {
    const Plane* plane = &planes[m];
    const bool below = m > 0 && joined(m - 1);
    if (!options.interpolateBetweenPlanes) {
      const double down = below ? 0.5 * (plane->position - planes[m - 1].position) : cap;
      const double up = joined(m) ? 0.5 * (planes[m + 1].position - plane->position) : cap;
      regions.push_back({nullptr, plane, plane, nullptr,
                         plane->position - std::min(0.5 * thickness, down),
                         plane->position + std::min(0.5 * thickness, up)});
      continue;
    }
    if (!below && cap > 0.0) {
      regions.push_back(
          {nullptr, plane, plane, nullptr, plane->position - cap, plane->position, -1});
    }
    if (joined(m)) {
      regions.push_back({below ? &planes[m - 1] : nullptr, plane, &planes[m + 1],
                         joined(m + 1) ? &planes[m + 2] : nullptr, plane->position,
                         planes[m + 1].position});
    } else if (cap > 0.0) {
      regions.push_back(
          {nullptr, plane, plane, nullptr, plane->position, plane->position + cap, +1});
    }
  }
  double approxVolume = 0.0;
  for (const Region& r : regions) {
    approxVolume += 0.5 * (r.a->area + r.b->area) * (r.zTo - r.zFrom);
  }

  // Sample spacing: about sampleBudget samples, at least two per dose voxel.
  double h = options.sampleSpacingMm;
  if (h <= 0.0) {
    h = std::cbrt(std::max(approxVolume, 1e-9) / static_cast<double>(options.sampleBudget));
    h = std::clamp(h, 0.02, 0.5 * grid.spacing.minCoeff());
  }
  dvh.sampleSpacingMm = h;

  float gridMax = 0.0f;
  for (float v : dose.voxels()) {
    gridMax = std::max(gridMax, v);
  }
  dvh.binWidthGy = std::max(static_cast<double>(gridMax), 1e-6) / options.bins;
  dvh.differentialCc.assign(static_cast<std::size_t>(options.bins) + 1, 0.0);

  const DoseSampler sampler(dose);
  const Mat3 toIndex = grid.spacing.cwiseInverse().asDiagonal() * grid.direction.transpose();
  auto indexOf = [&](const Vec3& p) { return Vec3(toIndex * (p - grid.origin)); };
  const Vec3 stepX = toIndex * e1;
  // Regions are sampled in parallel, each into its own partial sums, added up in order.
  struct Partial {
    double weight = 0.0;
    double doseWeight = 0.0;
    double outside = 0.0;
    double minDose = std::numeric_limits<double>::max();
    double maxDose = std::numeric_limits<double>::lowest();
    std::vector<double> differentialCc;
  };
  std::vector<Partial> partials(regions.size());
  parallelFor(regions.size(), [&](std::size_t index) {
    const Region& region = regions[index];
    Partial& part = partials[index];
    part.differentialCc.assign(dvh.differentialCc.size(), 0.0);
    auto extreme = [&](double x, double y, double z) {
      double d = 0.0;
      if (!sampler.at(indexOf(x * e1 + y * e2 + z * normal), d)) {
        return;
      }
      part.minDose = std::min(part.minDose, d);
      part.maxDose = std::max(part.maxDose, d);
    };
    const Plane& a = *region.a;
    const Plane& b = *region.b;
    // Polygon vertices lie on the surface: extremes of the dose are found there too.
    for (const Polygon2& p : a.polygons) {
      for (const auto& v : p) {
        extreme(v.x(), v.y(), region.zFrom);
      }
    }
    for (const Polygon2& p : b.polygons) {
      for (const auto& v : p) {
        extreme(v.x(), v.y(), region.zTo);
      }
    }
    const double depth = region.zTo - region.zFrom;
    if (depth <= 0.0) {
      return;
    }
    auto addSample = [&](const Vec3& q, double w) {
      double d = 0.0;
      if (!sampler.at(q, d)) {
        // Outside the dose grid nothing is known: left out of the histogram, reported.
        part.outside += w;
        return;
      }
      part.weight += w;
      part.doseWeight += w * d;
      // Extremes come from the surface samples; interior samples count too, so a structure
      // whose surface lies outside the dose grid still has a Dmin and Dmax.
      part.minDose = std::min(part.minDose, d);
      part.maxDose = std::max(part.maxDose, d);
      const auto bin = static_cast<std::size_t>(
          std::clamp(d / dvh.binWidthGy, 0.0, static_cast<double>(options.bins)));
      part.differentialCc[bin] += w * 1e-3;
    };
    if (region.capDirection != 0 && options.endCapShape == EndCapShape::Pinched) {
      // A pinched cap: a column over every sample of the end plane's cross-section, as high as
      // the full cap depth times the sample's depth inside the outline relative to the deepest
      // sample, so the cap closes onto the shape's medial axis.
      struct Foot {
        double x, y, area, inside;
      };
      std::vector<Foot> feet;
      double deepest = 0.0;
      const int capRows = std::max(1, static_cast<int>(std::ceil((a.yMax - a.yMin) / h - 1e-9)));
      const double capDy = (a.yMax - a.yMin) / capRows;
      std::vector<double> crossings;
      for (int r = 0; r < capRows; ++r) {
        const double y = a.yMin + (r + 0.5) * capDy;
        scanlineCrossings(a.polygons, y, crossings);
        for (std::size_t n = 0; n + 1 < crossings.size(); n += 2) {
          const int pieces = std::max(
              1, static_cast<int>(std::ceil((crossings[n + 1] - crossings[n]) / h - 1e-9)));
          const double dx = (crossings[n + 1] - crossings[n]) / pieces;
          for (int piece = 0; piece < pieces; ++piece) {
            const double x = crossings[n] + (piece + 0.5) * dx;
            feet.push_back({x, y, dx * capDy, distanceToOutline(a.polygons, x, y)});
            deepest = std::max(deepest, feet.back().inside);
          }
        }
      }
      for (const Foot& foot : feet) {
        const double height = deepest > 0.0 ? depth * std::min(1.0, foot.inside / deepest) : 0.0;
        const int layers = std::max(1, static_cast<int>(std::ceil(height / h - 1e-9)));
        for (int layer = 0; layer < layers; ++layer) {
          const double z = a.position + region.capDirection * (layer + 0.5) * height / layers;
          addSample(indexOf(foot.x * e1 + foot.y * e2 + z * normal), foot.area * height / layers);
        }
      }
      return;
    }
    const bool morph = &a != &b;
    // A region at a closed end runs from an apex plane to its full neighbour (ApexCurve).
    const Plane* apex = nullptr;
    const Plane* next = nullptr; // the plane after the full neighbour, seen from the apex
    if (morph && a.apex && region.before == nullptr) {
      apex = &a;
      next = region.after;
    } else if (morph && b.apex && region.after == nullptr) {
      apex = &b;
      next = region.before;
    }
    const double span = b.position - a.position;
    auto centre = [](const Plane& p, int axis) {
      return axis == 0 ? 0.5 * (p.xMin + p.xMax) : 0.5 * (p.yMin + p.yMax);
    };
    auto halfExtent = [](const Plane& p, int axis) {
      return axis == 0 ? 0.5 * (p.xMax - p.xMin) : 0.5 * (p.yMax - p.yMin);
    };
    // The curve of one coordinate (axis 0: a crossing along e1; 1: an extent along e2) towards
    // apex plane `tip` through the values in the planes at distances d1 and d2 from it.
    auto apexCurve = [&](const Plane& tip, int axis, double p1, double d1, const double* p2,
                         double d2) {
      const double c = centre(tip, axis);
      const double o2 = p2 != nullptr ? *p2 - c : 0.0;
      return ApexCurve(halfExtent(tip, axis), p1 - c, d1, p2 != nullptr ? &o2 : nullptr, d2);
    };
    // Value at fraction f (position z) of a coordinate given in the four planes around the region.
    auto coordinate = [&](double f, double z, const double* pBefore, double pa, double pb,
                          const double* pAfter, int axis) {
      if (!morph) {
        return pa;
      }
      if (apex != nullptr) {
        const bool tipFirst = apex == &a;
        const ApexCurve curve =
            apexCurve(*apex, axis, tipFirst ? pb : pa, std::abs(span), tipFirst ? pAfter : pBefore,
                      next != nullptr ? std::abs(next->position - apex->position) : 0.0);
        return centre(*apex, axis) + curve.offset(std::abs(z - apex->position));
      }
      // Tangents scaled to the region: finite differences over the neighbours (Catmull-Rom),
      // the apex curve's slope next to an apex, linear extrapolation where there is no neighbour.
      double m0 = pb - pa;
      double m1 = pb - pa;
      if (pBefore != nullptr && region.before->apex) {
        const double d1 = a.position - region.before->position;
        m0 = apexCurve(*region.before, axis, pa, d1, &pb, d1 + span).slope(m0 / span) * span;
      } else if (pBefore != nullptr) {
        m0 = (pb - *pBefore) * span / (b.position - region.before->position);
      }
      if (pAfter != nullptr && region.after->apex) {
        const double d1 = region.after->position - b.position;
        m1 = -apexCurve(*region.after, axis, pb, d1, &pa, d1 + span).slope(-m1 / span) * span;
      } else if (pAfter != nullptr) {
        m1 = (*pAfter - pa) * span / (region.after->position - a.position);
      }
      return hermite(f, pa, pb, m0, m1);
    };
    auto optional = [](const Plane* plane, double Plane::*member) -> const double* {
      return plane != nullptr ? &(plane->*member) : nullptr;
    };
    const int layers = std::max(1, static_cast<int>(std::ceil(depth / h - 1e-9)));
    const double dz = depth / layers;
    const int rows = std::max(
        1, static_cast<int>(std::ceil(std::max(a.yMax - a.yMin, b.yMax - b.yMin) / h - 1e-9)));
    std::vector<double> xa;
    std::vector<double> xb;
    std::vector<double> xm;
    std::vector<double> x2;
    std::vector<double> xs;
    auto crossingsAt = [](const Plane& plane, double u, std::vector<double>& out) {
      scanlineCrossings(plane.polygons, plane.yMin + u * (plane.yMax - plane.yMin), out);
    };
    for (int layer = 0; layer < layers; ++layer) {
      const double f = (layer + 0.5) / layers;
      const double z = region.zFrom + f * depth;
      const double yMin = coordinate(f, z, optional(region.before, &Plane::yMin), a.yMin, b.yMin,
                                     optional(region.after, &Plane::yMin), 1);
      const double yMax = coordinate(f, z, optional(region.before, &Plane::yMax), a.yMax, b.yMax,
                                     optional(region.after, &Plane::yMax), 1);
      if (yMax <= yMin) {
        continue;
      }
      const double dy = (yMax - yMin) / rows;
      for (int r = 0; r < rows; ++r) {
        // Row r lies at the same relative height in every plane; crossings that correspond (the
        // same count in both planes) follow the curves, otherwise the nearer plane's shape is used.
        const double u = (r + 0.5) / rows;
        const double y = yMin + u * (yMax - yMin);
        crossingsAt(a, u, xa);
        if (!morph) {
          xs = xa;
        } else {
          crossingsAt(b, u, xb);
          const std::vector<double>& xFull = apex == &a ? xb : xa;
          if (region.before != nullptr) {
            crossingsAt(*region.before, u, xm);
          }
          if (region.after != nullptr) {
            crossingsAt(*region.after, u, x2);
          }
          if (apex == nullptr && xa.size() != xb.size()) {
            xs = f < 0.5 ? xa : xb;
          } else {
            const std::size_t count = apex != nullptr ? xFull.size() : xa.size();
            const bool useBefore = region.before != nullptr && xm.size() == count;
            const bool useAfter = region.after != nullptr && x2.size() == count;
            xs.resize(count);
            for (std::size_t n = 0; n < count; ++n) {
              xs[n] =
                  coordinate(f, z, useBefore ? &xm[n] : nullptr, apex != nullptr ? xFull[n] : xa[n],
                             apex != nullptr ? xFull[n] : xb[n], useAfter ? &x2[n] : nullptr, 0);
            }
          }
        }
        for (std::size_t n = 0; n + 1 < xs.size(); n += 2) {
          const double x0 = xs[n];
          const double x1 = xs[n + 1];
          if (x1 <= x0) {
            continue;
          }
          extreme(x0, y, z);
          extreme(x1, y, z);
          const int pieces = std::max(1, static_cast<int>(std::ceil((x1 - x0) / h - 1e-9)));
          const double dx = (x1 - x0) / pieces;
          const Vec3 q0 = indexOf(x0 * e1 + y * e2 + z * normal);
          const Vec3 dq = dx * stepX;
          const double w = dx * dy * dz;
          for (int piece = 0; piece < pieces; ++piece) {
            addSample(q0 + (piece + 0.5) * dq, w);
          }
        }
      }
    }
  });
  double weightSum = 0.0;
  double doseSum = 0.0;
  double outside = 0.0;
  double minDose = std::numeric_limits<double>::max();
  double maxDose = std::numeric_limits<double>::lowest();
  for (const Partial& part : partials) {
    weightSum += part.weight;
    doseSum += part.doseWeight;
    outside += part.outside;
    minDose = std::min(minDose, part.minDose);
    maxDose = std::max(maxDose, part.maxDose);
    for (std::size_t n = 0; n < part.differentialCc.size(); ++n) {
      dvh.differentialCc[n] += part.differentialCc[n];
    }
  }
  dvh.volumeCc = weightSum * 1e-3;
  dvh.outsideDoseGridCc = outside * 1e-3;
  dvh.meanGy = weightSum > 0.0 ? doseSum / weightSum : 0.0;
  dvh.minGy = weightSum > 0.0 ? minDose : 0.0;
  dvh.maxGy = weightSum > 0.0 ? maxDose : 0.0;
  if (outside > 0.0) {
    dvh.warnings.push_back(std::to_string(dvh.outsideDoseGridCc) +
                           " cc of the structure lie outside the dose grid and are not in the DVH");
  }
  return dvh;
}

double Dvh::doseAtVolumeCc(double cc) const {
  if (cc <= 0.0) {
    return maxGy;
  }
  if (cc >= volumeCc) {
    return minGy;
  }
  double above = 0.0; // volume in bins above the current one
  for (std::size_t n = differentialCc.size(); n-- > 0;) {
    const double bin = differentialCc[n];
    if (above + bin >= cc && bin > 0.0) {
      // Dose spread uniformly inside the bin: interpolate where the cumulative volume reaches cc.
      const double d = (static_cast<double>(n) + (above + bin - cc) / bin) * binWidthGy;
      return std::clamp(d, minGy, maxGy);
    }
    above += bin;
  }
  return minGy;
}

double Dvh::doseAtVolumePercent(double percent) const {
  return doseAtVolumeCc(percent / 100.0 * volumeCc);
}

double Dvh::volumeAtDoseCc(double gy) const {
  if (gy <= minGy) {
    return volumeCc;
  }
  const double position = gy / binWidthGy;
  const auto n = static_cast<std::size_t>(std::floor(position));
  double volume = 0.0;
  for (std::size_t m = n + 1; m < differentialCc.size(); ++m) {
    volume += differentialCc[m];
  }
  if (n < differentialCc.size()) {
    volume += differentialCc[n] * (1.0 - (position - static_cast<double>(n)));
  }
  return volume;
}

double Dvh::volumeAtDosePercent(double gy) const {
  return volumeCc > 0.0 ? 100.0 * volumeAtDoseCc(gy) / volumeCc : 0.0;
}

std::vector<std::pair<double, double>> Dvh::cumulative() const {
  std::vector<std::pair<double, double>> curve(differentialCc.size() + 1);
  double volume = 0.0;
  for (std::size_t n = differentialCc.size() + 1; n-- > 0;) {
    curve[n] = {static_cast<double>(n) * binWidthGy, volume};
    if (n > 0) {
      volume += differentialCc[n - 1];
    }
  }
  return curve;
}

double evaluateMetric(const Dvh& dvh, const std::string& metric, std::string* unit) {
  auto set = [&](const char* u, double v) {
    if (unit != nullptr) {
      *unit = u;
    }
    return v;
  };
  if (metric == "Dmean") {
    return set("Gy", dvh.meanGy);
  }
  if (metric == "Dmin") {
    return set("Gy", dvh.minGy);
  }
  if (metric == "Dmax") {
    return set("Gy", dvh.maxGy);
  }
  if (metric == "Volume") {
    return set("cc", dvh.volumeCc);
  }
  auto number = [&](std::size_t from, std::size_t to) {
    const std::string text = metric.substr(from, to - from);
    std::size_t used = 0;
    double v = 0.0;
    try {
      v = std::stod(text, &used);
    } catch (...) {
      used = 0;
    }
    if (used != text.size() || text.empty() || v < 0.0) {
      throw InvalidArgumentError("unknown DVH metric '" + metric +
                                 "' (use e.g. D95%, D2cc, V20Gy, V20Gy%, Dmean, Dmin, Dmax)");
    }
    return v;
  };
  auto endsWith = [&](const std::string& suffix) {
    return metric.size() > suffix.size() &&
           metric.compare(metric.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (!metric.empty() && metric[0] == 'D') {
    if (endsWith("%")) {
      return set("Gy", dvh.doseAtVolumePercent(number(1, metric.size() - 1)));
    }
    if (endsWith("cc")) {
      return set("Gy", dvh.doseAtVolumeCc(number(1, metric.size() - 2)));
    }
  }
  if (!metric.empty() && metric[0] == 'V') {
    if (endsWith("Gy%")) {
      return set("%", dvh.volumeAtDosePercent(number(1, metric.size() - 3)));
    }
    if (endsWith("Gy")) {
      return set("cc", dvh.volumeAtDoseCc(number(1, metric.size() - 2)));
    }
  }
  throw InvalidArgumentError("unknown DVH metric '" + metric +
                             "' (use e.g. D95%, D2cc, V20Gy, V20Gy%, Dmean, Dmin, Dmax)");
}

} // namespace beamlet::dose
