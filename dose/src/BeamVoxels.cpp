#include "BeamVoxels.h"

#include "beamlet/dose/RadiologicalDepth.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace beamlet::dose::detail {

BeamVoxels prepareBeamVoxels(const PhotonMachine& machine, const DoseProblem& problem,
                             const BeamFrame& frame, double xMin, double xMax, double yMin,
                             double yMax, double bucketMm, const ProgressScope& progress) {
  const ImageGeometry& g = problem.doseGrid;
  const std::size_t count = problem.voxels.size();
  std::vector<std::uint8_t> keep(count, 0);
  std::vector<Eigen::Vector2f> xy(count);
  std::vector<Eigen::Vector4f> factors(count);
  std::atomic<std::size_t> done{0};
  const std::size_t perSlice = static_cast<std::size_t>(g.dims[0]) * g.dims[1];
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, count, 4096),
      [&](const tbb::blocked_range<std::size_t>& range) {
        progress.throwIfCancelled();
        for (std::size_t n = range.begin(); n < range.end(); ++n) {
          const std::size_t v = problem.voxels[n];
          const int k = static_cast<int>(v / perSlice);
          const int j = static_cast<int>((v % perSlice) / g.dims[0]);
          const int i = static_cast<int>(v % g.dims[0]);
          const Vec3 p = g.indexToPatient(Vec3(i, j, k));
          const Vec3 bev = frame.toBev(p);
          if (bev.z() <= 0.0 || bev.x() < xMin || bev.x() > xMax || bev.y() < yMin ||
              bev.y() > yMax) {
            continue;
          }
          const double z = radiologicalPath(problem.density, frame.source(), p);
          const double r = (p - frame.source()).norm();
          const double inverseSquare = (frame.sad() / r) * (frame.sad() / r);
          const std::array<double, 3> d = depthFactors(machine, z);
          keep[n] = 1;
          xy[n] = Eigen::Vector2f(static_cast<float>(bev.x()), static_cast<float>(bev.y()));
          factors[n] = Eigen::Vector4f(static_cast<float>(d[0] * inverseSquare),
                                       static_cast<float>(d[1] * inverseSquare),
                                       static_cast<float>(d[2] * inverseSquare), 0.0f);
        }
        progress.step(done += range.size(), count);
      });
  BeamVoxels out;
  for (std::size_t n = 0; n < count; ++n) {
    if (keep[n] != 0) {
      out.rows.push_back(static_cast<std::uint32_t>(n));
      out.xy.push_back(xy[n]);
      out.factors.push_back(factors[n]);
    }
  }
  // Bucket by lateral position (counting sort).
  out.bucketMm = bucketMm;
  out.x0 = xMin;
  out.y0 = yMin;
  out.nx = std::max(1, static_cast<int>(std::ceil((xMax - xMin) / bucketMm)) + 1);
  out.ny = std::max(1, static_cast<int>(std::ceil((yMax - yMin) / bucketMm)) + 1);
  const std::size_t buckets = static_cast<std::size_t>(out.nx) * out.ny;
  std::vector<std::uint32_t> bucketOf(out.rows.size());
  out.start.assign(buckets + 1, 0);
  for (std::size_t n = 0; n < out.rows.size(); ++n) {
    const int bx = std::clamp(static_cast<int>((out.xy[n].x() - out.x0) / bucketMm), 0, out.nx - 1);
    const int by = std::clamp(static_cast<int>((out.xy[n].y() - out.y0) / bucketMm), 0, out.ny - 1);
    bucketOf[n] = static_cast<std::uint32_t>(by * out.nx + bx);
    ++out.start[bucketOf[n] + 1];
  }
  for (std::size_t b = 0; b < buckets; ++b) {
    out.start[b + 1] += out.start[b];
  }
  out.order.resize(out.rows.size());
  std::vector<std::uint32_t> fill(out.start.begin(), out.start.end() - 1);
  for (std::size_t n = 0; n < out.rows.size(); ++n) {
    out.order[fill[bucketOf[n]]++] = static_cast<std::uint32_t>(n);
  }
  return out;
}

} // namespace beamlet::dose::detail
