#include "beamlet/dose/RadiologicalDepth.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace beamlet::dose {

namespace {

// Walks the voxels crossed by the segment a -> b (LPS mm), calling visit(density, t0, t1) for
// each crossed piece, t in [0, 1] along the segment; visit returns false to stop early.
template <typename Visit>
void walk(const VolumeF32& density, const Vec3& a, const Vec3& b, Visit&& visit) {
  const ImageGeometry& g = density.geometry();
  const Vec3 qa = g.patientToIndex(a);
  const Vec3 dq = g.patientToIndex(b) - qa;
  // Clip to the volume [-0.5, n - 0.5] per axis (voxel k spans [k - 0.5, k + 0.5)).
  double tMin = 0.0;
  double tMax = 1.0;
  for (int d = 0; d < 3; ++d) {
    const double lo = -0.5;
    const double hi = g.dims[d] - 0.5;
    if (std::abs(dq[d]) < 1e-12) {
      if (qa[d] < lo || qa[d] >= hi) {
        return;
      }
      continue;
    }
    double t0 = (lo - qa[d]) / dq[d];
    double t1 = (hi - qa[d]) / dq[d];
    if (t0 > t1) {
      std::swap(t0, t1);
    }
    tMin = std::max(tMin, t0);
    tMax = std::min(tMax, t1);
  }
  if (tMin >= tMax) {
    return;
  }
  // Start in the voxel containing the entry point (nudged inside).
  const double tStart = tMin + 1e-9 * (tMax - tMin);
  int idx[3];
  int step[3];
  double tNext[3];
  double tDelta[3];
  for (int d = 0; d < 3; ++d) {
    const double q = qa[d] + tStart * dq[d];
    idx[d] = std::clamp(static_cast<int>(std::floor(q + 0.5)), 0, g.dims[d] - 1);
    if (dq[d] > 1e-12) {
      step[d] = 1;
      tDelta[d] = 1.0 / dq[d];
      tNext[d] = (idx[d] + 0.5 - qa[d]) / dq[d];
    } else if (dq[d] < -1e-12) {
      step[d] = -1;
      tDelta[d] = -1.0 / dq[d];
      tNext[d] = (idx[d] - 0.5 - qa[d]) / dq[d];
    } else {
      step[d] = 0;
      tDelta[d] = std::numeric_limits<double>::infinity();
      tNext[d] = std::numeric_limits<double>::infinity();
    }
  }
  const float* voxels = density.data();
  const std::size_t strideY = static_cast<std::size_t>(g.dims[0]);
  const std::size_t strideZ = strideY * static_cast<std::size_t>(g.dims[1]);
  double t = tMin;
  while (t < tMax) {
    const int axis =
        tNext[0] <= tNext[1] ? (tNext[0] <= tNext[2] ? 0 : 2) : (tNext[1] <= tNext[2] ? 1 : 2);
    const double tEnd = std::min(tNext[axis], tMax);
    const float rho =
        voxels[static_cast<std::size_t>(idx[0]) + idx[1] * strideY + idx[2] * strideZ];
    if (tEnd > t && !visit(static_cast<double>(rho), t, tEnd)) {
      return;
    }
    t = tEnd;
    idx[axis] += step[axis];
    if (idx[axis] < 0 || idx[axis] >= g.dims[axis]) {
      return;
    }
    tNext[axis] += tDelta[axis];
  }
}

} // namespace

double radiologicalPath(const VolumeF32& density, const Vec3& from, const Vec3& to) {
  const double length = (to - from).norm();
  double path = 0.0;
  walk(density, from, to, [&](double rho, double t0, double t1) {
    path += rho * (t1 - t0);
    return true;
  });
  return path * length;
}

double distanceToSurface(const VolumeF32& density, const Vec3& from, const Vec3& direction,
                         double threshold) {
  const ImageGeometry& g = density.geometry();
  // Far enough to cross the whole volume from any point near it.
  const Vec3 diagonal = g.direction * g.spacing.cwiseProduct(Vec3(g.dims[0], g.dims[1], g.dims[2]));
  const double reach = (g.indexToPatient(Vec3::Zero()) - from).norm() + diagonal.norm() * 2.0;
  double hit = std::numeric_limits<double>::quiet_NaN();
  walk(density, from, from + reach * direction, [&](double rho, double t0, double) {
    if (rho > threshold) {
      hit = t0 * reach;
      return false;
    }
    return true;
  });
  return hit;
}

} // namespace beamlet::dose
